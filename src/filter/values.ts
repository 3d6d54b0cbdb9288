/**
 * How a filter compares field values: the comparison families the registry's
 * field types fall into, the form a literal takes in each, and the ordering
 * and equality tests between an occurrence and a literal or another field's
 * occurrence. Everything here is resolved once at compile time into small
 * closures that compare numbers directly and allocate nothing.
 */
import type { FieldType, FieldValue, TimeValue } from '../fields/index.js';
import type { CompareOp } from './ast.js';

/**
 * Comparison families. Integers up to 32 bits are numbers; `int64` values
 * are bigints (plain numbers are accepted too); `bool` compares as 0/1;
 * `presence` fields (protocols, labels) can only be tested for existence.
 */
export type Kind = 'int' | 'int64' | 'bool' | 'double' | 'reltime' | 'abstime' | 'ipv4' | 'ipv6' | 'ether' | 'bytes' | 'string' | 'presence';

export function kindOf(type: FieldType): Kind {
  switch (type) {
    case 'uint8':
    case 'uint16':
    case 'uint24':
    case 'uint32':
    case 'int32':
    case 'framenum':
      return 'int';
    case 'uint64':
      return 'int64';
    case 'bool':
    case 'double':
    case 'reltime':
    case 'abstime':
    case 'ipv4':
    case 'ipv6':
    case 'ether':
    case 'bytes':
    case 'string':
      return type;
    default:
      return 'presence';
  }
}

/** Type names in messages, Wireshark's words for them. */
export const TYPE_NAMES: Readonly<Record<FieldType, string>> = {
  protocol: 'Protocol',
  none: 'Label',
  bool: 'Boolean',
  uint8: 'Unsigned integer (1 byte)',
  uint16: 'Unsigned integer (2 bytes)',
  uint24: 'Unsigned integer (3 bytes)',
  uint32: 'Unsigned integer (4 bytes)',
  uint64: 'Unsigned integer (8 bytes)',
  int32: 'Signed integer (4 bytes)',
  framenum: 'Frame number',
  double: 'Floating point (double-precision)',
  abstime: 'Date and time',
  reltime: 'Time offset',
  ipv4: 'IPv4 address',
  ipv6: 'IPv6 address',
  ether: 'Ethernet or other MAC address',
  string: 'Character string',
  bytes: 'Byte sequence',
};

/** Smallest and largest value of an integer type. */
export function intBounds(type: FieldType | undefined): readonly [bigint, bigint] {
  switch (type) {
    case 'uint8':
      return [0n, 0xffn];
    case 'uint16':
      return [0n, 0xffffn];
    case 'uint24':
      return [0n, 0xffffffn];
    case 'int32':
      return [-(2n ** 31n), 2n ** 31n - 1n];
    case 'uint64':
      return [0n, 2n ** 64n - 1n];
    default:
      return [0n, 0xffffffffn];
  }
}

/** An IPv4 literal: the network (already masked) and its mask, all ones for a plain address. */
export interface Ipv4Net {
  readonly net: number;
  readonly mask: number;
}

/** An IPv6 literal and its prefix length (128 for a plain address). */
export interface Ipv6Net {
  readonly addr: Uint8Array;
  readonly prefix: number;
}

/** A literal in the form its kind compares with. */
export type Literal = number | bigint | string | Uint8Array | TimeValue | Ipv4Net | Ipv6Net;

export type ValueTest = (v: FieldValue) => boolean;
type Order = (v: FieldValue) => number;

export function ipv4Mask(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Byte order of `a` and `b` over their first `prefix` bits. */
function comparePrefix(a: Uint8Array, b: Uint8Array, prefix: number): number {
  for (let i = 0; i * 8 < prefix; i++) {
    const bits = prefix - i * 8;
    const m = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    const d = ((a[i] ?? 0) & m) - ((b[i] ?? 0) & m);
    if (d !== 0) return d;
  }
  return 0;
}

export function compareTimes(a: TimeValue, b: TimeValue): number {
  return a.sec - b.sec || a.nsec - b.nsec;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Where `needle` first occurs in `hay`, or -1. */
export function indexOfBytes(hay: Uint8Array, needle: Uint8Array): number {
  const n = needle.length;
  if (n === 0) return 0;
  const first = needle[0]!;
  outer: for (let i = hay.indexOf(first); i >= 0 && i + n <= hay.length; i = hay.indexOf(first, i + 1)) {
    for (let j = 1; j < n; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function fromOrder(op: CompareOp, order: Order): ValueTest {
  switch (op) {
    case 'eq': return (v) => order(v) === 0;
    case 'ne': return (v) => order(v) !== 0;
    case 'gt': return (v) => order(v) > 0;
    case 'ge': return (v) => order(v) >= 0;
    case 'lt': return (v) => order(v) < 0;
    case 'le': return (v) => order(v) <= 0;
    default: throw new Error(`not an ordering operator: ${op}`);
  }
}

/** Tests on plain numbers, the hot path: no calls, no conversions. */
function numberTest(op: CompareOp, n: number): ValueTest {
  switch (op) {
    case 'eq': return (v) => v === n;
    case 'ne': return (v) => v !== n;
    case 'gt': return (v) => (v as number) > n;
    case 'ge': return (v) => (v as number) >= n;
    case 'lt': return (v) => (v as number) < n;
    case 'le': return (v) => (v as number) <= n;
    default: throw new Error(`not an ordering operator: ${op}`);
  }
}

/** 64-bit values: loose comparisons are exact between bigints and numbers alike. */
function bigintTest(op: CompareOp, n: bigint): ValueTest {
  switch (op) {
    case 'eq': return (v) => v == n;
    case 'ne': return (v) => v != n;
    case 'gt': return (v) => (v as bigint) > n;
    case 'ge': return (v) => (v as bigint) >= n;
    case 'lt': return (v) => (v as bigint) < n;
    case 'le': return (v) => (v as bigint) <= n;
    default: throw new Error(`not an ordering operator: ${op}`);
  }
}

/** The test `occurrence op literal` for an occurrence of kind `kind`. */
export function literalTest(kind: Kind, op: CompareOp, lit: Literal): ValueTest {
  switch (kind) {
    case 'int':
    case 'double':
      return numberTest(op, lit as number);
    case 'int64':
      return bigintTest(op, lit as bigint);
    case 'bool': {
      const t = numberTest(op, lit as number);
      return (v) => t(v ? 1 : 0);
    }
    case 'reltime':
    case 'abstime': {
      const l = lit as TimeValue;
      return fromOrder(op, (v) => compareTimes(v as TimeValue, l));
    }
    case 'ipv4': {
      const { net, mask } = lit as Ipv4Net;
      if (mask === 0xffffffff) return numberTest(op, net);
      const t = numberTest(op, net);
      return (v) => t(((v as number) & mask) >>> 0);
    }
    case 'ipv6': {
      const { addr, prefix } = lit as Ipv6Net;
      return fromOrder(op, (v) => comparePrefix(v as Uint8Array, addr, prefix));
    }
    case 'ether':
    case 'bytes': {
      const l = lit as Uint8Array;
      return fromOrder(op, (v) => compareBytes(v as Uint8Array, l));
    }
    case 'string': {
      const l = lit as string;
      if (op === 'eq') return (v) => v === l;
      if (op === 'ne') return (v) => v !== l;
      return fromOrder(op, (v) => compareStrings(v as string, l));
    }
    case 'presence':
      throw new Error('presence fields have no values to compare');
  }
}

/** `lo <= occurrence <= hi`, for a range in a set. */
export function rangeTest(kind: Kind, lo: Literal, hi: Literal): ValueTest {
  const above = literalTest(kind, 'ge', lo);
  const below = literalTest(kind, 'le', hi);
  return (v) => above(v) && below(v);
}

const NUMERIC: ReadonlySet<Kind> = new Set(['int', 'int64', 'bool', 'double']);

/** Whether occurrences of kinds `a` and `b` can be compared with each other. */
export function comparableKinds(a: Kind, b: Kind): boolean {
  if (a === 'presence' || b === 'presence') return false;
  return a === b || (NUMERIC.has(a) && NUMERIC.has(b));
}

const asNumeric = (v: FieldValue): number | bigint => (typeof v === 'boolean' ? (v ? 1 : 0) : (v as number | bigint));

/** Order of two occurrences of comparable kinds (the kind of the first decides). */
export function valueOrder(kind: Kind): (a: FieldValue, b: FieldValue) => number {
  switch (kind) {
    case 'int':
    case 'int64':
    case 'bool':
    case 'double':
    case 'ipv4':
      return (a, b) => {
        const x = asNumeric(a);
        const y = asNumeric(b);
        return x < y ? -1 : x > y ? 1 : 0;
      };
    case 'reltime':
    case 'abstime':
      return (a, b) => compareTimes(a as TimeValue, b as TimeValue);
    case 'ipv6':
    case 'ether':
    case 'bytes':
      return (a, b) => compareBytes(a as Uint8Array, b as Uint8Array);
    case 'string':
      return (a, b) => compareStrings(a as string, b as string);
    case 'presence':
      throw new Error('presence fields have no values to compare');
  }
}

/** Whether an ordering result satisfies `op`. */
export function orderSatisfies(op: CompareOp): (order: number) => boolean {
  switch (op) {
    case 'eq': return (o) => o === 0;
    case 'ne': return (o) => o !== 0;
    case 'gt': return (o) => o > 0;
    case 'ge': return (o) => o >= 0;
    case 'lt': return (o) => o < 0;
    case 'le': return (o) => o <= 0;
    default: throw new Error(`not an ordering operator: ${op}`);
  }
}
