/**
 * The arguments of `-z io,stat,INTERVAL[,COLUMN]...`, read as tshark 4.0
 * reads them: an interval in seconds (0 for the whole capture), then columns
 * split at every comma, each a display filter (frames and bytes of the
 * matching frames) or a calculation `CALC(FIELD)FILTER` over a field's values.
 */
import { fields as registry } from '../../fields/index.js';
import type { FieldDef, FieldRegistry, FieldType } from '../../fields/index.js';
import { UsageError } from '../../util/errors.js';

export const IOSTAT_USAGE = 'io,stat,INTERVAL[,FILTER|CALC(FIELD)FILTER]...  with CALC one of COUNT, SUM, MIN, MAX, AVG, LOAD (also FRAMES, BYTES)';

/** The column kinds, by tshark's function names; `FRAMES BYTES` is a plain or filtered column. */
export type Calc = 'FRAMES' | 'BYTES' | 'FRAMES BYTES' | 'COUNT' | 'SUM' | 'MIN' | 'MAX' | 'AVG' | 'LOAD';

/** In tshark's order of trying them as prefixes of a column's text. */
const CALCS: readonly Calc[] = ['FRAMES', 'BYTES', 'FRAMES BYTES', 'COUNT', 'SUM', 'MIN', 'MAX', 'AVG', 'LOAD'];

/**
 * How a calculated field's values add up and print: unsigned or signed
 * integers, floating point, or spans of time (kept in nanoseconds, printed
 * as seconds with six decimals).
 */
export type ValueKind = 'unsigned' | 'signed' | 'double' | 'reltime';

export interface ColumnSpec {
  /** The column's text as given (trimmed), shown in the "Col N:" lines; undefined for an empty column. */
  readonly text: string | undefined;
  readonly calc: Calc;
  /** The display filter choosing the frames counted; empty for every frame. */
  readonly filter: string;
  /** The field of a calculation (not of FRAMES, BYTES or a plain column). */
  readonly field?: FieldDef | undefined;
  /** How the field's values count: set whenever `field` is, except for COUNT. */
  readonly kind?: ValueKind | undefined;
}

export interface IoStatSpec {
  /** The interval in microseconds; undefined: one row for the whole capture. */
  readonly intervalUs: number | undefined;
  /** Decimal places of the interval labels the interval asks for (0 to 6). */
  readonly precision: number;
  readonly columns: readonly ColumnSpec[];
}

const INVALID = 'invalid "-z io,stat,<interval>[,<filter>][,<filter>]..." argument';
/** A decimal number as C's strtod reads it (the hexadecimal, inf and nan spellings aside). */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/;

function usage(message: string, hint = IOSTAT_USAGE): UsageError {
  return new UsageError(`-z io,stat: ${message}`, hint);
}

/** Parses what follows `io,stat,`. */
export function parseIoStat(args: string, fields: FieldRegistry = registry): IoStatSpec {
  const m = NUMBER.exec(args);
  if (m === null || args.endsWith(',') || (args.length > m[0].length && args[m[0].length] !== ',')) throw usage(INVALID);
  const seconds = Number(m[0]);
  // tshark reads a negative interval as a huge one (the whole capture); it is refused here.
  if (seconds < 0) throw usage(`the interval must be positive, or 0 for the whole capture (got ${m[0]})`);
  const intervalUs = seconds === 0 ? undefined : Math.floor(seconds * 1e6 + 0.5);
  if (intervalUs !== undefined && intervalUs < 1) throw usage('"-z" interval must be >=0.000001 seconds or "0" for the entire capture duration.');
  const rest = args.slice(m[0].length);
  const texts = rest === '' ? [''] : rest.slice(1).split(',');
  return {
    intervalUs,
    precision: intervalUs === undefined ? 0 : precisionOf(intervalUs, m[1]!),
    columns: texts.map((t) => parseColumn(t.trim(), fields)),
  };
}

/**
 * The decimals the interval labels show: as many as the interval needs, or,
 * for a whole number of seconds, as many as were written after its point
 * (`1.00` labels rows `0.00 <> 1.00`).
 */
function precisionOf(intervalUs: number, mantissa: string): number {
  let prec = 6;
  for (let unit = 10; unit <= 1_000_000 && intervalUs % unit === 0; unit *= 10) prec--;
  if (prec > 0) return prec;
  const point = mantissa.indexOf('.');
  return point < 0 ? 0 : Math.min(mantissa.length - point - 1, 6);
}

function parseColumn(text: string, fields: FieldRegistry): ColumnSpec {
  if (text === '') return { text: undefined, calc: 'FRAMES BYTES', filter: '' };
  // The longest name first: FRAMES BYTES before FRAMES.
  const calc = [...CALCS].reverse().find((c) => text.startsWith(c) && (text[c.length] === '(' || c === 'FRAMES' || c === 'BYTES' || c === 'FRAMES BYTES'));
  if (calc === undefined) return { text, calc: 'FRAMES BYTES', filter: text };
  // FRAMES, BYTES and FRAMES BYTES without parentheses count every frame, whatever follows the name.
  if (text[calc.length] !== '(') return { text, calc, filter: '' };
  const open = calc.length + 1;
  const close = text.indexOf(')', open);
  if (close < 0) throw usage('Closing parenthesis missing from calculated expression.');
  const name = text.slice(open, close);
  const filter = text.slice(close + 1);
  if (calc === 'FRAMES' || calc === 'BYTES' || calc === 'FRAMES BYTES') {
    if (name !== '') throw usage(`${calc} does not require or allow a field name within the parens.`);
    return { text, calc, filter };
  }
  if (name === '') throw usage(`You didn't specify a field name for ${calc}(*).`);
  const field = fields.get(name);
  if (field === undefined) throw usage(`There is no field named '${name}'.`, `did you mean ${fields.nearest(name, 3).join(', ')}? (mpscope fields lists them all)`);
  return { text, calc, filter, field, kind: calc === 'COUNT' ? undefined : kindFor(calc, field) };
}

const KINDS: Partial<Record<FieldType, ValueKind>> = {
  uint8: 'unsigned', uint16: 'unsigned', uint24: 'unsigned', uint32: 'unsigned', uint64: 'unsigned',
  int32: 'signed', double: 'double', reltime: 'reltime',
};

/** The field's kind, when the calculation can be made on it (COUNT can on any field). */
function kindFor(calc: Calc, field: FieldDef): ValueKind {
  const kind = KINDS[field.type];
  if (kind === undefined) throw usage(`${field.name} doesn't have integral values, so ${calc}(*) calculations are not supported on it.`);
  // tshark says so only once the field has a value; an interval's load is a sum of spans of time.
  if (calc === 'LOAD' && kind !== 'reltime') throw usage('LOAD() is only supported for relative-time fields such as smb.time', 'for example LOAD(tcp.analysis.ack_rtt)');
  return kind;
}
