/**
 * `-T fields -e F1 -e F2 ... -E k=v`: one line per packet with the chosen
 * fields, spelled and joined exactly as tshark does (tab-separated, multiple
 * occurrences comma-joined, empty when absent). Besides the registry's
 * fields, tshark's packet-list columns under their `_ws.col.<title>` names,
 * with the texts of the packet list.
 */
import { ContextBuilder, fields as defaultRegistry, formatValue, isMulti } from '../fields/index.js';
import type { FieldContext, FieldDef, FieldRegistry, FieldResult, PacketAnnotations, TimeValue } from '../fields/index.js';
import type { Packet } from '../wire/types.js';
import { UsageError } from '../util/errors.js';
import { summarize } from './info.js';
import { addressColumns } from './list.js';
import type { Summary } from './tshark/app.js';
import { ClockText, deltaString, fraction, type TimeFormat } from './tshark/time.js';
import { WindowScaleTracker, WSCALE_UNKNOWN } from './tshark/winscale.js';

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

/**
 * The packet-list columns tshark 4.0 prints as `_ws.col.<title>` with its
 * default column titles (names are case-sensitive, as in tshark; display
 * filters cannot use them in tshark 4.0, nor in mpscope).
 */
const COLUMNS = ['No.', 'Time', 'Source', 'Destination', 'Protocol', 'Length', 'Info'] as const;
type Column = (typeof COLUMNS)[number];
const COLUMN_PREFIX = '_ws.col.';

function columnOf(name: string): Column | undefined {
  if (!name.startsWith(COLUMN_PREFIX)) return undefined;
  const title = name.slice(COLUMN_PREFIX.length);
  return (COLUMNS as readonly string[]).includes(title) ? (title as Column) : undefined;
}

/**
 * Looks the names up, failing with every unknown name and a "did you mean"
 * hint. Column names (`_ws.col.Info`...) are known but have no registry
 * definition: the result holds the registry fields among `names`.
 */
export function resolveFields(names: readonly string[], registry: FieldRegistry = defaultRegistry): FieldDef[] {
  const unknown = names.filter((n) => !registry.has(n) && columnOf(n) === undefined);
  if (unknown.length > 0) {
    const hints = unknown.map((n) => n.startsWith(COLUMN_PREFIX)
      ? `${n}: the columns are ${COLUMNS.map((c) => COLUMN_PREFIX + c).join(', ')}`
      : `${n}: did you mean ${registry.nearest(n, 3).join(', ')}?`);
    const listed = unknown.some((n) => !n.startsWith(COLUMN_PREFIX)) ? ' (mpscope fields lists them all)' : '';
    throw new UsageError(`unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, `${hints.join('; ')}${listed}`);
  }
  return names.filter((n) => registry.has(n)).map((n) => registry.get(n)!);
}

/**
 * The packet-list column texts of each packet, for `_ws.col.*`: the same
 * words as the list lines, without their padding.
 */
class ColumnTexts {
  private readonly winScale = new WindowScaleTracker();
  private readonly clock: ClockText | undefined;
  private readonly summary: Summary = { protocol: '', info: '' };
  /** The packet `summary` is of, and the window scale of the packet observed last. */
  private summarized: Packet | undefined;
  private scale = WSCALE_UNKNOWN;

  constructor(private readonly timeFormat: TimeFormat) {
    const f = timeFormat;
    if (f === 'a' || f === 'ad' || f === 'u' || f === 'ud') this.clock = new ClockText(f === 'u' || f === 'ud', f === 'ad' || f === 'ud');
  }

  /** Call once per packet read, shown or not, before its columns are asked for. */
  observe(pkt: Packet, analysis: PacketAnnotations | undefined): void {
    // As in the list: the analysis has the scaled window, else the scale learnt from the SYNs.
    const a = analysis?.tcp;
    if (a === undefined || a.quoted === true) {
      this.scale = this.winScale.observe(pkt);
    } else {
      this.winScale.learn(pkt);
      this.scale = WSCALE_UNKNOWN;
    }
    this.summarized = undefined;
  }

  text(column: Column, ctx: FieldContext): string {
    const pkt = ctx.packet;
    switch (column) {
      case 'No.': return String(pkt.number);
      case 'Time': return this.time(ctx);
      case 'Source': return addressColumns(pkt)[0];
      case 'Destination': return addressColumns(pkt)[1];
      case 'Length': return String(pkt.origLen);
      case 'Protocol': return this.summarize(ctx).protocol;
      case 'Info': return this.summarize(ctx).info;
    }
  }

  private summarize(ctx: FieldContext): Summary {
    if (this.summarized !== ctx.packet) {
      summarize(ctx.packet, this.scale, this.summary, ctx.analysis?.tcp);
      this.summarized = ctx.packet;
    }
    return this.summary;
  }

  private time(ctx: FieldContext): string {
    const pkt = ctx.packet;
    const digits = pkt.tsDigits;
    const since = (t: TimeValue | undefined): string => (t === undefined ? deltaString(0, 0, 0, 0, digits) : deltaString(pkt.tsSec, pkt.tsNsec, t.sec, t.nsec, digits));
    switch (this.timeFormat) {
      case 'r': return since(ctx.firstTs);
      case 'd': return since(ctx.prevTs);
      case 'dd': return since(ctx.prevShownTs);
      case 'e': return pkt.tsSec + fraction(pkt.tsNsec, digits);
      default: return this.clock!.format(pkt.tsSec) + fraction(pkt.tsNsec, digits);
    }
  }
}

export interface FieldValuesOptions {
  registry?: FieldRegistry;
  /** The capture's format when known (tshark shows frame.interface_id for pcapng only). */
  captureFormat?: 'pcap' | 'pcapng' | undefined;
  /** tshark `-t`: the style of the `_ws.col.Time` column (relative to the first packet by default). */
  timeFormat?: TimeFormat;
}

/**
 * The values of chosen fields, packet by packet, each occurrence spelled as
 * tshark spells it: what `-T fields` joins into a line and `-T json -e`
 * lists per field.
 */
export class FieldValues {
  /** Per requested name: its registry field, or the list column it names. */
  private readonly defs: Array<FieldDef | Column>;
  private readonly contexts: ContextBuilder;
  /** Only when a column is asked for: the list's state (window scales, clock) costs nothing otherwise. */
  private readonly columns: ColumnTexts | undefined;

  /** Throws UsageError, with "did you mean" hints, when a name is unknown. */
  constructor(readonly names: readonly string[], options: FieldValuesOptions = {}) {
    const { registry = defaultRegistry, captureFormat, timeFormat } = options;
    resolveFields(names, registry);
    this.defs = names.map((n) => columnOf(n) ?? registry.get(n)!);
    this.columns = this.defs.some((d) => typeof d === 'string') ? new ColumnTexts(timeFormat ?? 'r') : undefined;
    this.contexts = new ContextBuilder(captureFormat);
  }

  /** Call once per packet shown, before asking for its values. */
  next(p: Packet, analysis?: PacketAnnotations): FieldContext {
    const ctx = this.contexts.next(p, analysis);
    this.columns?.observe(p, analysis);
    return ctx;
  }

  /** A packet read but not shown: it still counts for frame.time_delta and frame.time_relative (and the list's window scales). */
  skip(p: Packet, analysis?: PacketAnnotations): void {
    this.contexts.skip(p);
    this.columns?.observe(p, analysis);
  }

  /** Every occurrence of field `i` in the packet of `ctx`, empty when absent. */
  occurrences(i: number, ctx: FieldContext): string[] {
    const def = this.defs[i]!;
    if (typeof def === 'string') return [this.columns!.text(def, ctx)];
    const v = def.get(ctx);
    if (v === undefined) return [];
    return isMulti(v) ? v.map((x) => formatValue(x, def.type, def.base)) : [formatValue(v, def.type, def.base)];
  }

  /** Field `i` as one text: its first, last or all occurrences (joined by `aggregator`); empty when absent. */
  text(i: number, ctx: FieldContext, occurrence: FieldsOptions['occurrence'], aggregator: string): string {
    const def = this.defs[i]!;
    if (typeof def === 'string') return this.columns!.text(def, ctx);
    const v = def.get(ctx);
    if (v === undefined) return '';
    if (!isMulti(v)) return formatValue(v, def.type, def.base);
    if (v.length === 0) return '';
    switch (occurrence) {
      case 'f': return formatValue(v[0]!, def.type, def.base);
      case 'l': return formatValue(v[v.length - 1]!, def.type, def.base);
      default: {
        let s = formatValue(v[0]!, def.type, def.base);
        for (let i = 1; i < v.length; i++) s += aggregator + formatValue(v[i]!, def.type, def.base);
        return s;
      }
    }
  }
}

export interface FieldsWriterOptions extends Partial<FieldsOptions>, FieldValuesOptions {}

export class FieldsWriter {
  private readonly values: FieldValues;
  private readonly opts: FieldsOptions;

  /** Throws UsageError, with "did you mean" hints, when a name is unknown. */
  constructor(
    private readonly sink: (s: string) => void,
    names: readonly string[],
    options: FieldsWriterOptions = {},
  ) {
    const { registry, captureFormat, timeFormat, ...opts } = options;
    this.values = new FieldValues(names, { ...(registry ? { registry } : {}), captureFormat, ...(timeFormat ? { timeFormat } : {}) });
    this.opts = { ...DEFAULT_FIELDS_OPTIONS, ...opts };
    if (this.opts.bom) sink('\ufeff');
    if (this.opts.header) sink(names.join(this.opts.separator) + '\n');
  }

  /** The line for one packet, without its newline. */
  line(p: Packet, analysis?: PacketAnnotations): string {
    const ctx = this.values.next(p, analysis);
    const { separator, quote, occurrence, aggregator } = this.opts;
    let s = '';
    for (let i = 0; i < this.values.names.length; i++) {
      if (i > 0) s += separator;
      const v = this.values.text(i, ctx, occurrence, aggregator);
      if (v !== '') s += quote + v + quote;
    }
    return s;
  }

  write(p: Packet, analysis?: PacketAnnotations): void {
    this.sink(this.line(p, analysis) + '\n');
  }

  /** A packet read but not printed: it still counts for frame.time_delta and frame.time_relative (and the list's window scales). */
  skip(p: Packet, analysis?: PacketAnnotations): void {
    this.values.skip(p, analysis);
  }

  end(): void {}
}
