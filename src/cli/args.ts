import { UsageError } from '../util/errors.js';

/**
 * A getopt-style parser that follows tshark's and tcpdump's habits rather than
 * a generic library's: stacked single-letter flags (`-nn`, `-vv`), values glued
 * or separated (`-c10`, `-c 10`), repeated options (`-e a -e b`), and the two
 * tools' clashing `-t` (tcpdump `-t`..`-ttttt` versus tshark `-t ad`).
 */
export interface OptionSpec {
  /** Short letter without the dash, e.g. 'r'. */
  short?: string;
  /** Long name without dashes, e.g. 'nano'. */
  long?: string;
  /** Whether the option takes a value. */
  value?: boolean;
  /** Key in the parsed result; defaults to long or short. */
  key?: string;
  /** Help line shown in usage. */
  help: string;
  /** Placeholder for the value in usage text. */
  arg?: string;
}

export interface ParsedArgs {
  /** Flags and values: counted flags are numbers, repeated values arrays. */
  opts: Map<string, string[] | number>;
  positional: string[];
}

const TSHARK_TIME_FORMATS = new Set(['a', 'ad', 'd', 'dd', 'e', 'r', 'u', 'ud']);
/** tshark's day-of-year formats: recognised so they are refused by name rather than taken for a filter. */
const UNSUPPORTED_TIME_FORMATS = new Set(['adoy', 'udoy']);

function timeFormat(format: string): string {
  if (UNSUPPORTED_TIME_FORMATS.has(format)) {
    throw new UsageError(`time format '${format}' (day of year) is not supported`, `-t ${[...TSHARK_TIME_FORMATS].join(', ')}; with -T tcpdump, -t to -ttttt`);
  }
  return format;
}
const isTimeFormat = (s: string): boolean => TSHARK_TIME_FORMATS.has(s) || UNSUPPORTED_TIME_FORMATS.has(s);

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[], command: string): ParsedArgs {
  const byShort = new Map<string, OptionSpec>();
  const byLong = new Map<string, OptionSpec>();
  for (const s of specs) {
    if (s.short) byShort.set(s.short, s);
    if (s.long) byLong.set(s.long, s);
  }
  const opts = new Map<string, string[] | number>();
  const positional: string[] = [];
  const keyOf = (s: OptionSpec): string => s.key ?? s.long ?? s.short ?? '?';
  const addValue = (s: OptionSpec, v: string): void => {
    const k = keyOf(s);
    const cur = opts.get(k);
    if (Array.isArray(cur)) cur.push(v);
    else opts.set(k, [v]);
  };
  const addFlag = (s: OptionSpec): void => {
    const k = keyOf(s);
    const cur = opts.get(k);
    opts.set(k, (typeof cur === 'number' ? cur : 0) + 1);
  };

  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const s = byLong.get(name);
      if (!s) throw unknownOption(a, command, [...byLong.keys()].map((l) => `--${l}`));
      if (s.value) {
        const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) throw new UsageError(`option ${a} needs a value`, `try: mpscope ${command} --help`);
        addValue(s, v);
      } else {
        if (eq >= 0) throw new UsageError(`option --${name} takes no value`, `try: mpscope ${command} --help`);
        addFlag(s);
      }
      continue;
    }
    if (a.length > 1 && a.startsWith('-')) {
      // tcpdump's -t, -tt, -ttt, -tttt, -ttttt are whole tokens, not stacked flags.
      if (/^-t{1,5}$/.test(a) && byShort.has('t')) {
        const next = argv[i + 1];
        if (a === '-t' && next !== undefined && isTimeFormat(next)) {
          opts.set('time-format', [timeFormat(next)]);
          i++;
        } else {
          opts.set('tcpdump-time', [a.slice(1)]);
        }
        continue;
      }
      if (a.startsWith('-t') && byShort.has('t') && isTimeFormat(a.slice(2))) {
        opts.set('time-format', [timeFormat(a.slice(2))]);
        continue;
      }
      for (let j = 1; j < a.length; j++) {
        const ch = a[j]!;
        const s = byShort.get(ch);
        if (!s) throw unknownOption(`-${ch}`, command, [...byShort.keys()].map((c) => `-${c}`));
        if (s.value) {
          const rest = a.slice(j + 1);
          const v = rest.length > 0 ? rest : argv[++i];
          if (v === undefined) throw new UsageError(`option -${ch} needs a value`, `try: mpscope ${command} --help`);
          addValue(s, v);
          break;
        }
        addFlag(s);
      }
      continue;
    }
    positional.push(a);
  }
  return { opts, positional };
}

function unknownOption(opt: string, command: string, known: string[]): UsageError {
  const near = known
    .map((k) => ({ k, d: editDistance(k, opt) }))
    .filter((x) => x.d <= 2)
    .sort((x, y) => x.d - y.d)
    .map((x) => x.k);
  const hint = near.length > 0 ? `did you mean ${near.slice(0, 3).join(', ')}? (mpscope ${command} --help)` : `try: mpscope ${command} --help`;
  return new UsageError(`unknown option ${opt}`, hint);
}

export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** Accessors over ParsedArgs that report mistakes as UsageErrors. */
export class ArgReader {
  constructor(private readonly parsed: ParsedArgs, private readonly command: string) {}

  count(key: string): number {
    const v = this.parsed.opts.get(key);
    return typeof v === 'number' ? v : 0;
  }
  values(key: string): string[] {
    const v = this.parsed.opts.get(key);
    return Array.isArray(v) ? v : [];
  }
  last(key: string): string | undefined {
    const v = this.values(key);
    return v[v.length - 1];
  }
  int(key: string, min = 0): number | undefined {
    const s = this.last(key);
    if (s === undefined) return undefined;
    if (!/^\d+$/.test(s) || Number(s) < min) {
      throw new UsageError(`invalid number for ${key}: '${s}'`, `expected an integer >= ${min}; try: mpscope ${this.command} --help`);
    }
    return Number(s);
  }
  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const s = this.last(key);
    if (s === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(s)) {
      throw new UsageError(`invalid value for ${key}: '${s}'`, `expected one of: ${allowed.join(', ')}`);
    }
    return s as T;
  }
  get positional(): string[] {
    return this.parsed.positional;
  }
}

export function usageText(command: string, synopsis: string, specs: readonly OptionSpec[]): string {
  const lines = [`usage: mpscope ${command} ${synopsis}`, ''];
  for (const s of specs) {
    const names = [s.short ? `-${s.short}` : '', s.long ? `--${s.long}` : ''].filter(Boolean).join(', ');
    const left = `  ${names}${s.value ? ` ${s.arg ?? 'VALUE'}` : ''}`;
    lines.push(left.length < 28 ? left.padEnd(28) + s.help : `${left}\n${''.padEnd(28)}${s.help}`);
  }
  return lines.join('\n');
}
