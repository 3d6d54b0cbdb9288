/**
 * `-T fields -e F1 -e F2 ... -E k=v`: one line per packet with the chosen
 * fields, spelled and joined exactly as tshark does (tab-separated, multiple
 * occurrences comma-joined, empty when absent).
 */
import { ContextBuilder, fields as defaultRegistry, formatValue, isMulti } from '../fields/index.js';
import type { FieldDef, FieldRegistry, FieldResult, PacketAnnotations } from '../fields/index.js';
import type { Packet } from '../wire/types.js';
import { UsageError } from '../util/errors.js';

export interface FieldsOptions {
  /** First line lists the field names. */
  header: boolean;
  /** Between fields (default tab). */
  separator: string;
  /** Around each non-empty value: '"', "'" or nothing. */
  quote: string;
  /** Which occurrences of a multi-valued field: first, last or all. */
  occurrence: 'f' | 'l' | 'a';
  /** Between occurrences (default ','). */
  aggregator: string;
  /** Start the output with a UTF-8 byte order mark. */
  bom: boolean;
}

export const DEFAULT_FIELDS_OPTIONS: Readonly<FieldsOptions> = {
  header: false,
  separator: '\t',
  quote: '',
  occurrence: 'a',
  aggregator: ',',
  bom: false,
};

const E_HINT = 'header=y|n, separator=/t|/s|C, quote=d|s|n, occurrence=f|l|a, aggregator=,|/s|C, bom=y|n';

function yesNo(key: string, v: string): boolean {
  if (v === 'y' || v === 'n') return v === 'y';
  throw new UsageError(`-E ${key}=${v}: expected y or n`, E_HINT);
}

/** tshark keeps only the first character of a separator or aggregator; `/t` and `/s` spell tab and space. */
function oneChar(key: string, v: string): string {
  if (v === '/t') return '\t';
  if (v === '/s') return ' ';
  if (v.length === 0) throw new UsageError(`-E ${key}= needs a character`, E_HINT);
  return [...v][0]!;
}

/** Parses the `-E key=value` options of `-T fields`, as tshark spells them. */
export function parseFieldsOptions(values: readonly string[]): FieldsOptions {
  const o: FieldsOptions = { ...DEFAULT_FIELDS_OPTIONS };
  for (const kv of values) {
    const eq = kv.indexOf('=');
    const key = eq < 0 ? kv : kv.slice(0, eq);
    const v = eq < 0 ? '' : kv.slice(eq + 1);
    switch (key) {
      case 'header': o.header = yesNo(key, v); break;
      case 'bom': o.bom = yesNo(key, v); break;
      case 'separator': o.separator = oneChar(key, v); break;
      case 'aggregator': o.aggregator = oneChar(key, v); break;
      case 'quote':
        if (v === 'd') o.quote = '"';
        else if (v === 's') o.quote = "'";
        else if (v === 'n') o.quote = '';
        else throw new UsageError(`-E quote=${v}: expected d, s or n`, E_HINT);
        break;
      case 'occurrence':
        if (v !== 'f' && v !== 'l' && v !== 'a') throw new UsageError(`-E occurrence=${v}: expected f, l or a`, E_HINT);
        o.occurrence = v;
        break;
      default:
        throw new UsageError(`-E ${kv}: unknown field print option`, E_HINT);
    }
  }
  return o;
}

/** Looks the names up, failing with every unknown name and a "did you mean" hint. */
export function resolveFields(names: readonly string[], registry: FieldRegistry = defaultRegistry): FieldDef[] {
  const unknown = names.filter((n) => !registry.has(n));
  if (unknown.length > 0) {
    const hints = unknown.map((n) => `${n}: did you mean ${registry.nearest(n, 3).join(', ')}?`);
    throw new UsageError(`unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, `${hints.join('; ')} (mpscope fields lists them all)`);
  }
  return names.map((n) => registry.get(n)!);
}

export interface FieldsWriterOptions extends Partial<FieldsOptions> {
  registry?: FieldRegistry;
  /** The capture's format when known (tshark shows frame.interface_id for pcapng only). */
  captureFormat?: 'pcap' | 'pcapng' | undefined;
}

export class FieldsWriter {
  private readonly defs: FieldDef[];
  private readonly opts: FieldsOptions;
  private readonly contexts: ContextBuilder;

  /** Throws UsageError, with "did you mean" hints, when a name is unknown. */
  constructor(
    private readonly sink: (s: string) => void,
    names: readonly string[],
    options: FieldsWriterOptions = {},
  ) {
    const { registry, captureFormat, ...opts } = options;
    this.defs = resolveFields(names, registry);
    this.contexts = new ContextBuilder(captureFormat);
    this.opts = { ...DEFAULT_FIELDS_OPTIONS, ...opts };
    if (this.opts.bom) sink('\ufeff');
    if (this.opts.header) sink(names.join(this.opts.separator) + '\n');
  }

  /** The line for one packet, without its newline. */
  line(p: Packet, analysis?: PacketAnnotations): string {
    const ctx = this.contexts.next(p, analysis);
    const { separator, quote } = this.opts;
    let s = '';
    for (let i = 0; i < this.defs.length; i++) {
      if (i > 0) s += separator;
      const def = this.defs[i]!;
      const v = this.value(def, def.get(ctx));
      if (v !== '') s += quote + v + quote;
    }
    return s;
  }

  write(p: Packet, analysis?: PacketAnnotations): void {
    this.sink(this.line(p, analysis) + '\n');
  }

  /** A packet read but not printed: it still counts for frame.time_delta and frame.time_relative. */
  skip(p: Packet): void {
    this.contexts.skip(p);
  }

  end(): void {}

  private value(def: FieldDef, v: FieldResult): string {
    if (v === undefined) return '';
    if (!isMulti(v)) return formatValue(v, def.type, def.base);
    if (v.length === 0) return '';
    switch (this.opts.occurrence) {
      case 'f': return formatValue(v[0]!, def.type, def.base);
      case 'l': return formatValue(v[v.length - 1]!, def.type, def.base);
      default: {
        let s = formatValue(v[0]!, def.type, def.base);
        for (let i = 1; i < v.length; i++) s += this.opts.aggregator + formatValue(v[i]!, def.type, def.base);
        return s;
      }
    }
  }
}
