/**
 * Display filter to predicate. Field names are resolved against the registry
 * and literals are read and checked against the type of the field they meet,
 * once, here; what remains for each packet is a tree of small closures that
 * read fields and compare numbers, with no parsing, lookups or allocation on
 * the common paths.
 *
 * Semantics follow Wireshark 4.0: a comparison holds when any occurrence of
 * a multi-valued field satisfies it (`ip.addr == 10.0.0.2`), except `!=`,
 * which holds when the field is present and no occurrence equals the value
 * (`!(a == b)` with an existence test); `===` asks all occurrences to be
 * equal and `~=` / `!==` any to differ.
 */
import { formatValue, isMulti } from '../fields/index.js';
import type { FieldContext, FieldDef, FieldRegistry, FieldResult, FieldType, FieldValue } from '../fields/index.js';
import { concatBytes } from '../util/bytes.js';
import type { BitAnd, Call, Compare, CompareOp, Expr, InSet, Operand, Quantifier, Slice, SliceRange, Span, Test } from './ast.js';
import { FilterError } from './errors.js';
import {
  parseBoolean,
  parseByteString,
  parseDateTime,
  parseDouble,
  parseHexByte,
  parseInteger,
  parseIpv4,
  parseIpv6,
  parseSeconds,
  splitPrefix,
} from './literals.js';
import { RegexError, compileRegex } from './regex.js';
import {
  TYPE_NAMES,
  comparableKinds,
  indexOfBytes,
  intBounds,
  ipv4Mask,
  kindOf,
  literalTest,
  orderSatisfies,
  rangeTest,
  valueOrder,
} from './values.js';
import type { Kind, Literal, ValueTest } from './values.js';

export type Predicate = (ctx: FieldContext) => boolean;
type Reader = (ctx: FieldContext) => FieldResult;

/** Something that yields occurrences per packet: a field, a slice of one, a function of one, a masked one. */
interface Source {
  readonly kind: Kind;
  readonly read: Reader;
  /** The type integer literals are range-checked against and `string()` spells. */
  readonly type: FieldType;
  /** How the operand is written, for messages. */
  readonly label: string;
  readonly span: Span;
  /** The registry field, when the operand is a plain field name. */
  readonly def?: FieldDef | undefined;
  /** `field & mask`: tested bare, it asks for a non-zero result rather than presence. */
  readonly masked?: boolean;
}

/** A word that reads as a field name (`tcp.prot`), for "did you mean" hints when it is neither a field nor a value. */
const LOOKS_LIKE_FIELD = /^[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)+$/;

const MIRRORED: Readonly<Partial<Record<CompareOp, CompareOp>>> = { eq: 'eq', ne: 'ne', gt: 'lt', ge: 'le', lt: 'gt', le: 'ge' };

function present(r: FieldResult): boolean {
  return r !== undefined && (!isMulti(r) || r.length > 0);
}

/**
 * A field read item by item (TCP options, VLAN tags): its occurrences can be
 * visited where they are, without the array the field's `get` collects.
 */
function itemwise(s: Source): { items: (c: FieldContext) => readonly unknown[] | undefined; getItem: (item: unknown, c: FieldContext) => FieldResult } | undefined {
  const def = s.def;
  if (def?.scope === undefined || def.getItem === undefined) return undefined;
  const scope = def.scope;
  const getItem = def.getItem;
  return { items: (c) => scope.items(c), getItem: (item, c) => getItem.call(def, item, c) };
}

const ALWAYS: ValueTest = () => true;

/** Some occurrence passes. */
function anyOf(s: Source, test: ValueTest): Predicate {
  const scoped = itemwise(s);
  if (scoped !== undefined) {
    const { items, getItem } = scoped;
    return (ctx) => {
      const list = items(ctx);
      if (list === undefined) return false;
      for (let i = 0; i < list.length; i++) {
        const v = getItem(list[i], ctx);
        if (v === undefined) continue;
        if (!isMulti(v)) {
          if (test(v)) return true;
        } else for (let j = 0; j < v.length; j++) if (test(v[j]!)) return true;
      }
      return false;
    };
  }
  const read = s.read;
  return (ctx) => {
    const r = read(ctx);
    if (r === undefined) return false;
    if (!isMulti(r)) return test(r);
    for (let i = 0; i < r.length; i++) if (test(r[i]!)) return true;
    return false;
  };
}

/** Every occurrence passes, and there is at least one (Wireshark's implicit existence test). */
function allOf(s: Source, test: ValueTest): Predicate {
  const scoped = itemwise(s);
  if (scoped !== undefined) {
    const { items, getItem } = scoped;
    return (ctx) => {
      const list = items(ctx);
      if (list === undefined) return false;
      let seen = false;
      for (let i = 0; i < list.length; i++) {
        const v = getItem(list[i], ctx);
        if (v === undefined) continue;
        if (!isMulti(v)) {
          if (!test(v)) return false;
          seen = true;
        } else {
          for (let j = 0; j < v.length; j++) if (!test(v[j]!)) return false;
          seen ||= v.length > 0;
        }
      }
      return seen;
    };
  }
  const read = s.read;
  return (ctx) => {
    const r = read(ctx);
    if (r === undefined) return false;
    if (!isMulti(r)) return test(r);
    if (r.length === 0) return false;
    for (let i = 0; i < r.length; i++) if (!test(r[i]!)) return false;
    return true;
  };
}

function quantify(q: Quantifier, s: Source, test: ValueTest): Predicate {
  return q === 'any' ? anyOf(s, test) : allOf(s, test);
}

/** The occurrences of `read` passed through `f`, dropping those it maps to undefined. */
function mapOccurrences(read: Reader, f: (v: FieldValue) => FieldValue | undefined): Reader {
  return (ctx) => {
    const r = read(ctx);
    if (r === undefined) return undefined;
    if (!isMulti(r)) return f(r);
    let out: FieldValue[] | undefined;
    for (const v of r) {
      const m = f(v);
      if (m !== undefined) (out ??= []).push(m);
    }
    return out;
  };
}

function isNonZero(v: FieldValue): boolean {
  switch (typeof v) {
    case 'number':
      return v !== 0;
    case 'bigint':
      return v !== 0n;
    case 'boolean':
      return v;
    default:
      return v instanceof Uint8Array && v.some((b) => b !== 0);
  }
}

const utf8 = new TextEncoder();

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** The bytes of an occurrence, for the kinds that have a byte form (what slices and len() see). */
function byteForm(kind: Kind): ((v: FieldValue) => Uint8Array) | undefined {
  switch (kind) {
    case 'bytes':
    case 'ether':
    case 'ipv6':
      return (v) => v as Uint8Array;
    case 'ipv4':
      return (v) => {
        const a = v as number;
        return Uint8Array.of(a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff);
      };
    case 'string':
      return (v) => utf8.encode(v as string);
    default:
      return undefined;
  }
}

/** Byte offsets [from, to) of one slice range in `length` bytes, or undefined when it falls outside them. */
function rangeBounds(r: SliceRange, length: number): readonly [number, number] | undefined {
  const from = r.start < 0 ? length + r.start : r.start;
  if (from < 0 || from >= length) return undefined;
  let to = length;
  if (r.count !== undefined) to = from + r.count;
  else if (r.last !== undefined) to = (r.last < 0 ? length + r.last : r.last) + 1;
  return to > from && to <= length ? [from, to] : undefined;
}

function cut(b: Uint8Array, ranges: readonly SliceRange[]): Uint8Array | undefined {
  if (ranges.length === 1) {
    const at = rangeBounds(ranges[0]!, b.length);
    return at && b.subarray(at[0], at[1]);
  }
  const parts: Uint8Array[] = [];
  for (const r of ranges) {
    const at = rangeBounds(r, b.length);
    if (at === undefined) return undefined;
    parts.push(b.subarray(at[0], at[1]));
  }
  return concatBytes(parts);
}

/** Bytes as one character per byte, for regular expressions over byte fields. */
function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

type LiteralOperand = Extract<Operand, { kind: 'word' | 'string' | 'char' }>;

function isLiteralOperand(o: Operand): o is LiteralOperand {
  return o.kind === 'word' || o.kind === 'string' || o.kind === 'char';
}

export class Compiler {
  private readonly used = new Set<string>();

  constructor(
    private readonly text: string,
    private readonly registry: FieldRegistry,
  ) {}

  /** Names of the registry fields the compiled expressions read, in order of first use. */
  get fields(): string[] {
    return [...this.used];
  }

  expr(e: Expr): Predicate {
    switch (e.kind) {
      case 'and': {
        const a = this.expr(e.left);
        const b = this.expr(e.right);
        return (c) => a(c) && b(c);
      }
      case 'or': {
        const a = this.expr(e.left);
        const b = this.expr(e.right);
        return (c) => a(c) || b(c);
      }
      case 'not': {
        const a = this.expr(e.operand);
        return (c) => !a(c);
      }
      case 'test':
        return this.test(e);
      case 'compare':
        return this.compare(e);
      case 'in':
        return this.inSet(e);
    }
  }

  private label(s: Span): string {
    return this.text.slice(s.pos, s.end);
  }

  private fail(message: string, at: Span, hint?: string): never {
    throw new FilterError(message, at.pos, at.end - at.pos, hint);
  }

  private suggestions(name: string): string | undefined {
    const near = this.registry.nearest(name, 3);
    return near.length > 0 ? `Did you mean: ${near.join(', ')}?` : undefined;
  }

  private unknownField(name: string, at: Span): never {
    this.fail(`"${name}" is not a valid protocol or field name.`, at, this.suggestions(name));
  }

  /** A literal that could not be read; when it looks like a field name, say which fields are near. */
  private badLiteral(o: LiteralOperand, message: string, at: Span = o, hint?: string): never {
    if (o.kind === 'word' && LOOKS_LIKE_FIELD.test(o.text) && hint === undefined) {
      const near = this.suggestions(o.text);
      this.fail(message, at, near && `"${o.text}" is not a field name either. ${near}`);
    }
    this.fail(message, at, hint);
  }

  // ---- operands -------------------------------------------------------

  /** The operand as a source of values, or undefined when it is a literal. */
  private source(o: Operand): Source | undefined {
    switch (o.kind) {
      case 'word': {
        const def = this.registry.get(o.text);
        if (def === undefined) return undefined;
        this.used.add(def.name);
        return { kind: kindOf(def.type), read: (c) => def.get(c), type: def.type, label: def.name, span: o, def };
      }
      case 'string':
      case 'char':
        return undefined;
      case 'call':
        return this.call(o);
      case 'slice':
        return this.slice(o);
      case 'bitand':
        return this.bitAnd(o);
    }
  }

  /** The operand as a source, which it has to be. */
  private required(o: Operand): Source {
    const s = this.source(o);
    if (s) return s;
    if (o.kind === 'word') this.unknownField(o.text, o);
    this.fail(`${this.label(o)} is neither a field nor a protocol name.`, o);
  }

  private only(o: Call): Operand {
    if (o.args.length !== 1) this.fail(`Function '${o.name}' takes exactly one argument, not ${o.args.length}.`, o);
    return o.args[0]!;
  }

  private call(o: Call): Source {
    const label = this.label(o);
    switch (o.name) {
      case 'len': {
        const inner = this.required(this.only(o));
        if (inner.kind === 'string') {
          return { kind: 'int', type: 'uint32', label, span: o, read: mapOccurrences(inner.read, (v) => utf8Length(v as string)) };
        }
        const bytes = byteForm(inner.kind);
        if (!bytes) this.typeCannot(inner, 'be measured by len()');
        return { kind: 'int', type: 'uint32', label, span: o, read: mapOccurrences(inner.read, (v) => bytes(v).length) };
      }
      case 'count': {
        const arg = this.only(o);
        const inner = this.required(arg);
        if (inner.def === undefined) this.fail(`Function 'count' needs a field name, not ${inner.label}.`, arg);
        const read = inner.read;
        return {
          kind: 'int',
          type: 'uint32',
          label,
          span: o,
          read: (c) => {
            const r = read(c);
            if (r === undefined) return undefined;
            return isMulti(r) ? r.length || undefined : 1;
          },
        };
      }
      case 'upper':
      case 'lower': {
        const inner = this.required(this.only(o));
        if (inner.kind !== 'string') this.typeCannot(inner, `be converted by ${o.name}()`);
        const up = o.name === 'upper';
        return { kind: 'string', type: 'string', label, span: o, read: mapOccurrences(inner.read, (v) => (up ? (v as string).toUpperCase() : (v as string).toLowerCase())) };
      }
      case 'string': {
        const inner = this.required(this.only(o));
        if (inner.kind === 'string' || inner.kind === 'bytes' || inner.kind === 'presence') this.typeCannot(inner, 'be converted by string()');
        const type = inner.type;
        return { kind: 'string', type: 'string', label, span: o, read: mapOccurrences(inner.read, (v) => formatValue(v, type, 'dec')) };
      }
      default:
        this.fail(`Function '${o.name}' is not supported by mpscope.`, o.nameSpan);
    }
  }

  private typeCannot(s: Source, what: string): never {
    this.fail(`${s.label} (type=${TYPE_NAMES[s.type]}) cannot ${what}.`, s.span);
  }

  private slice(o: Slice): Source {
    const inner = this.required(o.operand);
    const bytes = byteForm(inner.kind);
    if (!bytes) this.fail(`"${inner.label}" is a ${TYPE_NAMES[inner.type]} and cannot be sliced into a sequence of bytes.`, inner.span);
    const ranges = o.ranges;
    return { kind: 'bytes', type: 'bytes', label: this.label(o), span: o, read: mapOccurrences(inner.read, (v) => cut(bytes(v), ranges)) };
  }

  private bitAnd(o: BitAnd): Source {
    const left = this.required(o.left);
    if (!isLiteralOperand(o.right)) this.fail(`The mask of a bitwise AND must be a constant, not ${this.label(o.right)}.`, o.right);
    if (o.right.kind === 'word' && this.registry.has(o.right.text)) this.fail(`The mask of a bitwise AND must be a constant, not the field ${o.right.text}.`, o.right);
    const base = { label: this.label(o), span: o, masked: true } as const;
    switch (left.kind) {
      case 'int':
      case 'bool': {
        const m = Number(this.integer(o.right, left.kind === 'bool' ? { ...left, type: 'uint8' } : left));
        const signed = left.type === 'int32';
        const f = left.kind === 'bool' ? (v: FieldValue) => (v ? 1 : 0) & m : signed ? (v: FieldValue) => (v as number) & m : (v: FieldValue) => ((v as number) & m) >>> 0;
        return { ...base, kind: 'int', type: left.kind === 'bool' ? 'uint8' : left.type, read: mapOccurrences(left.read, f) };
      }
      case 'int64': {
        const m = this.integer(o.right, left) as bigint;
        return { ...base, kind: 'int64', type: left.type, read: mapOccurrences(left.read, (v) => BigInt(v as bigint | number) & m) };
      }
      case 'bytes':
      case 'ether':
      case 'ipv6': {
        const m = this.bytes(o.right);
        const and = (v: FieldValue): FieldValue | undefined => {
          const b = v as Uint8Array;
          if (b.length !== m.length) return undefined;
          const out = new Uint8Array(b.length);
          for (let i = 0; i < b.length; i++) out[i] = b[i]! & m[i]!;
          return out;
        };
        return { ...base, kind: 'bytes', type: 'bytes', read: mapOccurrences(left.read, and) };
      }
      default:
        this.typeCannot(left, 'be masked with &');
    }
  }

  // ---- literals -------------------------------------------------------

  private constant(o: Operand): asserts o is LiteralOperand {
    if (!isLiteralOperand(o)) this.fail(`${this.label(o)} must be a constant value here.`, o);
  }

  private literal(o: Operand, t: Source): Literal {
    this.constant(o);
    switch (t.kind) {
      case 'int':
        return Number(this.integer(o, t));
      case 'int64':
        return this.integer(o, t);
      case 'bool':
        return this.boolean(o, t) ? 1 : 0;
      case 'double':
        return this.double(o, t);
      case 'reltime':
        return this.seconds(o, t);
      case 'abstime':
        return this.dateTime(o);
      case 'ipv4':
        return this.ipv4(o, t);
      case 'ipv6':
        return this.ipv6(o, t);
      case 'ether':
        return this.ether(o);
      case 'bytes':
        return this.bytes(o);
      case 'string':
        return this.string(o);
      case 'presence':
        return this.fail(`${t.label} has no value to compare.`, t.span);
    }
  }

  private noStrings(o: LiteralOperand, t: Source): void {
    if (o.kind === 'string') this.fail(`${TYPE_NAMES[t.type]} cannot be converted from a string (${this.label(o)}).`, o);
  }

  private integer(o: Operand, t: Source): bigint {
    this.constant(o);
    this.noStrings(o, t);
    const text = this.label(o);
    const v = o.kind === 'char' ? BigInt(o.value) : parseInteger(o.text);
    if (v === undefined) this.badLiteral(o, `"${text}" is not a valid number.`);
    const [min, max] = intBounds(t.type);
    if (v > max) {
      this.fail(t.type === 'uint64' ? `"${text}" causes an integer overflow.` : `"${text}" too big for this field, maximum ${max}.`, o);
    }
    if (v < min) {
      this.fail(min === 0n ? `"${text}" is negative, but ${t.label} is unsigned.` : `"${text}" too small for this field, minimum ${min}.`, o);
    }
    return v;
  }

  private boolean(o: LiteralOperand, t: Source): boolean {
    this.noStrings(o, t);
    if (o.kind === 'char') return o.value !== 0;
    const b = parseBoolean(o.text);
    if (b === undefined) this.badLiteral(o, `"${o.text}" cannot be found among the possible values for ${t.label}.`, o, 'A boolean is True, False, 1 or 0.');
    return b;
  }

  private double(o: LiteralOperand, t: Source): number {
    this.noStrings(o, t);
    if (o.kind === 'char') return o.value;
    const v = parseDouble(o.text);
    if (v === undefined || !Number.isFinite(v)) this.badLiteral(o, `"${o.text}" is not a valid floating-point number.`);
    return v;
  }

  private seconds(o: LiteralOperand, t: Source): Literal {
    this.noStrings(o, t);
    const v = o.kind === 'word' ? parseSeconds(o.text) : undefined;
    if (v === undefined) this.badLiteral(o, `"${this.label(o)}" is not a valid time.`);
    return v;
  }

  private dateTime(o: LiteralOperand): Literal {
    const v = o.kind === 'char' ? undefined : parseDateTime(o.text);
    if (v === undefined) {
      this.badLiteral(o, `${this.label(o)} is not a valid date and time.`, o, 'Write it as "2020-01-13 15:51:06", "2020-01-13T15:51:06Z" or "Jan 13, 2020 15:51:06.5 UTC".');
    }
    return v;
  }

  /** The prefix length after a slash: digits up to `max`. */
  private prefix(o: LiteralOperand, text: string | undefined, max: number, tooLong: (n: string) => string): number {
    if (text === undefined) return max;
    if (!/^[0-9]{1,3}$/.test(text) || Number(text) > max) {
      this.fail(/^[0-9]+$/.test(text) ? tooLong(text) : `"${text}" is not a valid prefix length.`, o);
    }
    return Number(text);
  }

  private ipv4(o: LiteralOperand, t: Source): Literal {
    this.noStrings(o, t);
    const { addr, prefix } = splitPrefix(o.kind === 'word' ? o.text : this.label(o));
    const v = o.kind === 'word' ? parseIpv4(addr) : undefined;
    if (v === undefined) {
      const hint = /[g-zG-Z]/.test(addr) ? 'mpscope does not resolve host names: write the address.' : undefined;
      this.badLiteral(o, `"${addr}" is not a valid IPv4 address.`, { pos: o.pos, end: o.pos + addr.length }, hint);
    }
    const bits = this.prefix(o, prefix, 32, (n) => `Netmask bits in a CIDR IPv4 address should be <= 32, not ${n}.`);
    const mask = ipv4Mask(bits);
    return { net: (v & mask) >>> 0, mask };
  }

  private ipv6(o: LiteralOperand, t: Source): Literal {
    this.noStrings(o, t);
    const { addr, prefix } = splitPrefix(o.kind === 'word' ? o.text : this.label(o));
    const v = o.kind === 'word' ? parseIpv6(addr) : undefined;
    if (v === undefined) this.badLiteral(o, `"${addr}" is not a valid IPv6 address.`, { pos: o.pos, end: o.pos + addr.length });
    const bits = this.prefix(o, prefix, 128, (n) => `Prefix in an IPv6 address should be <= 128, not ${n}.`);
    return { addr: v, prefix: bits };
  }

  private ether(o: LiteralOperand): Uint8Array {
    const v = o.kind === 'word' ? parseByteString(o.text) : undefined;
    if (v === undefined) this.badLiteral(o, `"${this.label(o)}" is not a valid Ethernet address.`);
    if (v.length !== 6) this.fail(`"${this.label(o)}" contains too ${v.length < 6 ? 'few' : 'many'} bytes to be a valid Ethernet address.`, o);
    return v;
  }

  /** Bytes: a byte string, a quoted string (its UTF-8 bytes), a character or a hex integer of one byte. */
  private bytes(o: Operand): Uint8Array {
    this.constant(o);
    if (o.kind === 'string') return o.bytes;
    if (o.kind === 'char') {
      if (o.value > 0xff) this.fail(`${this.label(o)} does not fit in one byte.`, o);
      return Uint8Array.of(o.value);
    }
    const one = parseHexByte(o.text);
    if (one !== undefined) return Uint8Array.of(one);
    const v = parseByteString(o.text);
    if (v === undefined) this.badLiteral(o, `"${o.text}" is not a valid byte string.`);
    return v;
  }

  /** Text: a quoted string, an unquoted word taken as it is (as Wireshark allows), or a character. */
  private string(o: LiteralOperand): string {
    if (o.kind === 'char') return String.fromCodePoint(o.value);
    return o.text;
  }

  // ---- tests ----------------------------------------------------------

  private comparable(s: Source): void {
    if (s.kind === 'presence') this.fail(`${s.label} is a ${TYPE_NAMES[s.type]}: it can be tested for presence, not compared.`, s.span);
  }

  private test(e: Test): Predicate {
    const s = this.required(e.value);
    return anyOf(s, s.masked ? isNonZero : ALWAYS);
  }

  private compare(e: Compare): Predicate {
    let op = e.op;
    let leftOp = e.left;
    let rightOp = e.right;
    let left = this.source(leftOp);
    let right = this.source(rightOp);
    if (left === undefined) {
      // `80 == tcp.port` reads as `tcp.port == 80`; an unknown name on the left is an unknown field.
      const mirrored = MIRRORED[op];
      const nameLike = leftOp.kind === 'word' && LOOKS_LIKE_FIELD.test(leftOp.text);
      if (right === undefined || mirrored === undefined || nameLike) left = this.required(leftOp);
      else {
        [left, right, leftOp, rightOp, op] = [right, undefined, rightOp, leftOp, mirrored];
      }
    }
    this.comparable(left);
    switch (op) {
      case 'contains':
        return quantify(e.quantifier, left, this.contains(left, rightOp, right));
      case 'matches':
        return quantify(e.quantifier, left, this.matches(left, rightOp, right));
      default:
        if (right !== undefined) return this.pair(left, right, op, e.quantifier);
        return quantify(e.quantifier, left, literalTest(left.kind, op, this.literal(rightOp, left)));
    }
  }

  /** Field against field: any (or every) pair of occurrences satisfies `op`. */
  private pair(left: Source, right: Source, op: CompareOp, q: Quantifier): Predicate {
    if (!comparableKinds(left.kind, right.kind)) this.fail(`${left.label} and ${right.label} are not of compatible types.`, right.span);
    const order = valueOrder(left.kind);
    const ok = orderSatisfies(op);
    const readA = left.read;
    const readB = right.read;
    const wantAll = q === 'all';
    return (ctx) => {
      const a = readA(ctx);
      const b = readB(ctx);
      if (!present(a) || !present(b)) return false;
      const as = isMulti(a) ? a : [a!];
      const bs = isMulti(b) ? b : [b!];
      for (const x of as) {
        for (const y of bs) if (ok(order(x, y)) !== wantAll) return !wantAll;
      }
      return wantAll;
    };
  }

  private contains(left: Source, o: Operand, right: Source | undefined): ValueTest {
    if (right !== undefined || !isLiteralOperand(o)) this.fail(`"contains" needs a constant value on its right, not ${this.label(o)}.`, o);
    switch (left.kind) {
      case 'string': {
        const s = this.string(o);
        return (v) => (v as string).includes(s);
      }
      case 'bytes':
      case 'ether': {
        const b = this.bytes(o);
        return (v) => indexOfBytes(v as Uint8Array, b) >= 0;
      }
      default:
        this.typeCannot(left, 'participate in contains comparison');
    }
  }

  private matches(left: Source, o: Operand, right: Source | undefined): ValueTest {
    if (right !== undefined || o.kind !== 'string') {
      this.fail(`"matches" needs a regular expression in double quotes, not ${this.label(o)}.`, o);
    }
    let re: RegExp;
    try {
      re = compileRegex(o.text);
    } catch (err) {
      if (err instanceof RegexError) this.fail(`Regex compilation error: ${err.message}.`, o);
      throw err;
    }
    switch (left.kind) {
      case 'string':
        return (v) => re.test(v as string);
      case 'bytes':
      case 'ether':
        return (v) => re.test(latin1(v as Uint8Array));
      default:
        this.typeCannot(left, 'participate in matches comparison');
    }
  }

  private inSet(e: InSet): Predicate {
    const left = this.required(e.left);
    this.comparable(left);
    const ints = new Set<number>();
    const tests: ValueTest[] = [];
    for (const el of e.elements) {
      for (const end of el.hi ? [el.lo, el.hi] : [el.lo]) {
        if (end.kind === 'word' && this.registry.has(end.text)) this.fail(`Set elements must be constant values, not the field ${end.text}.`, end);
      }
      const lo = this.literal(el.lo, left);
      if (el.hi !== undefined) tests.push(rangeTest(left.kind, lo, this.literal(el.hi, left)));
      else if (left.kind === 'int') ints.add(lo as number);
      else tests.push(literalTest(left.kind, 'eq', lo));
    }
    const member: ValueTest =
      tests.length === 0
        ? (v) => ints.has(v as number)
        : (v) => {
            if (ints.has(v as number)) return true;
            for (let i = 0; i < tests.length; i++) if (tests[i]!(v)) return true;
            return false;
          };
    const anyIn = anyOf(left, member);
    return e.negated ? (c) => !anyIn(c) : anyIn;
  }
}
