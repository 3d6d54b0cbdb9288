/**
 * A packet-list line built as UTF-8 bytes in one reused buffer. Listing
 * millions of packets is mostly producing text; writing digits and character
 * codes straight into bytes avoids the temporary strings (and the garbage
 * collection) of concatenation, and the output takes the bytes as they are.
 * tshark's lines are ASCII but for the arrow between addresses and ports and
 * whatever names or payload text a summary quotes, hence UTF-8.
 *
 * Two ways to write: TextLine's methods, each making room for itself, and
 * the `put*` functions below, which write at a position into a buffer the
 * caller has made room in (`TextLine.room`) and return the next position.
 * The packet list's common columns use the latter: one room check and a
 * position kept in a local variable per run of columns, with each number
 * written by code of its own, saved about 0.05 s of 2 s CPU on a million
 * packets over a method call per piece.
 */

import { decimalDigits, MAX_U_BYTES, putU } from '../digits.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Bytes `putNum` writes at most: String() of any number is shorter ("-0.0000012345678901234567" is 25). */
export const MAX_NUM_BYTES = 32;
/** Bytes of the longest dotted quad. */
export const MAX_IPV4_BYTES = 15;

const NON_ASCII = /[^\x00-\x7f]/g;

/** The ASCII bytes of a constant string, for `putBytes` (anything else becomes '?'). */
export function ascii(s: string): Uint8Array {
  // Native encoding: Uint8Array.from with a mapping function took 2 ms of every run's start, and a loop
  // of our own became hot enough to be compiled.
  return encoder.encode(s.replace(NON_ASCII, '?'));
}

/**
 * Each octet value's decimal text, four bytes apiece: its length, then its
 * digits. Addresses are in every line of a packet list: four table reads
 * write one, where the digit loop would run four times.
 */
const OCTETS = new Uint8Array(256 * 4);
for (let v = 0; v < 256; v++) {
  const text = String(v);
  OCTETS[4 * v] = text.length;
  for (let i = 0; i < text.length; i++) OCTETS[4 * v + 1 + i] = text.charCodeAt(i);
}

/** Writes any number as String(x) would: `putU` for the usual non-negative integers. */
export function putNum(v: DataView, p: number, x: number): number {
  // The u32 test first: it is one instruction, and what sequence numbers and lengths are.
  if ((x >>> 0) === x || (Number.isSafeInteger(x) && x >= 0)) return putU(v, p, x);
  const text = String(x);
  for (let i = 0; i < text.length; i++) v.setUint8(p++, text.charCodeAt(i));
  return p;
}

/** Writes `n` (an integer 0 <= n < 2^53) zero-padded to `width` digits. */
export function putUPad(v: DataView, p: number, n: number, width: number): number {
  for (let zeros = width - decimalDigits(n); zeros > 0; zeros--) v.setUint8(p++, 48);
  return putU(v, p, n);
}

/** Writes `n` spaces (none when `n` <= 0). */
export function putSpaces(b: Uint8Array, p: number, n: number): number {
  for (let i = 0; i < n; i++) b[p++] = 32;
  return p;
}

/**
 * A constant ASCII text as little-endian 32-bit words for `putText`: element
 * 0 is its length in bytes, the rest its bytes four at a time.
 */
export type WordText = Int32Array;

export function wordText(s: string): WordText {
  const bytes = new Uint8Array(Math.ceil(s.length / 4) * 4);
  bytes.set(ascii(s));
  const words = new Int32Array(1 + bytes.length / 4);
  words[0] = s.length;
  const view = new DataView(bytes.buffer);
  for (let i = 1; i < words.length; i++) words[i] = view.getInt32(4 * (i - 1), true);
  return words;
}

/**
 * Writes a `WordText` four bytes per store, then returns the position after
 * its length: up to 3 bytes past it are overwritten, which a TextLine's room
 * always leaves (TEXT_SLACK). The words and labels between a line's numbers
 * were copied a byte per step, the costliest piece of the Info column.
 */
export function putText(v: DataView, p: number, t: WordText): number {
  const n = t[0]!;
  for (let i = 1, q = p; q < p + n; i++, q += 4) v.setInt32(q, t[i]!, true);
  return p + n;
}

/** Bytes past its room a TextLine always has, for the whole words of `putText` and of `putU` (at least PUT_U_SLACK). */
const TEXT_SLACK = 4;

/** Writes all of `src`. */
export function putBytes(b: Uint8Array, p: number, src: Uint8Array): number {
  for (let i = 0; i < src.length; i++) b[p++] = src[i]!;
  return p;
}

/** Writes " → ". */
export function putArrow(b: Uint8Array, p: number): number {
  b[p] = 0x20;
  b[p + 1] = 0xe2;
  b[p + 2] = 0x86;
  b[p + 3] = 0x92;
  b[p + 4] = 0x20;
  return p + 5;
}

/** Writes the dotted quad of an unsigned 32-bit address. */
export function putIpv4(b: Uint8Array, p: number, a: number): number {
  p = putOctet(b, p, a >>> 24);
  b[p++] = 46;
  p = putOctet(b, p, (a >>> 16) & 0xff);
  b[p++] = 46;
  p = putOctet(b, p, (a >>> 8) & 0xff);
  b[p++] = 46;
  return putOctet(b, p, a & 0xff);
}

function putOctet(b: Uint8Array, p: number, v: number): number {
  const at = 4 * v;
  const n = OCTETS[at]!;
  b[p] = OCTETS[at + 1]!;
  if (n > 1) b[p + 1] = OCTETS[at + 2]!;
  if (n > 2) b[p + 2] = OCTETS[at + 3]!;
  return p + n;
}

export class TextLine {
  buf: Uint8Array;
  /** `buf` for `putText`, replaced with it. */
  view: DataView;
  pos = 0;

  constructor(size = 512) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  /** Makes room for `n` more bytes (and TEXT_SLACK beyond them). */
  room(n: number): void {
    if (this.pos + n + TEXT_SLACK > this.buf.length) this.grow(n + TEXT_SLACK);
  }

  private grow(n: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
    this.view = new DataView(bigger.buffer);
  }

  /** Appends one byte. */
  ch(c: number): void {
    this.room(1);
    this.buf[this.pos++] = c;
  }

  /** Appends an ASCII string. */
  str(s: string): void {
    const n = s.length;
    this.room(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Appends pre-encoded bytes. */
  bytes(src: Uint8Array): void {
    this.room(src.length);
    this.pos = putBytes(this.buf, this.pos, src);
  }

  /** Appends any string, UTF-8 encoded. */
  utf8(s: string): void {
    const n = s.length;
    this.room(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.pos = p;
        this.encodeRest(s, i);
        return;
      }
      b[p++] = c;
    }
    this.pos = p;
  }

  /** The rest of a string from its first non-ASCII character (at most three bytes per UTF-16 unit). */
  private encodeRest(s: string, from: number): void {
    const rest = s.slice(from);
    this.room(rest.length * 3);
    this.pos += encoder.encodeInto(rest, this.buf.subarray(this.pos)).written;
  }

  /** Appends " → ". */
  arrow(): void {
    this.room(5);
    this.pos = putArrow(this.buf, this.pos);
  }

  /** Appends `n` spaces (none when `n` <= 0). */
  spaces(n: number): void {
    if (n <= 0) return;
    this.room(n);
    this.pos = putSpaces(this.buf, this.pos, n);
  }

  /** Appends an unsigned integer (below 2^53) in decimal. */
  u(n: number): void {
    this.room(MAX_U_BYTES);
    this.pos = putU(this.view, this.pos, n);
  }

  /** Appends an unsigned integer zero-padded to `width` digits. */
  uPad(n: number, width: number): void {
    this.room(MAX_U_BYTES + (width > 0 ? width : 0));
    this.pos = putUPad(this.view, this.pos, n, width);
  }

  /** Appends any number as String(v) would. */
  num(v: number): void {
    this.room(MAX_NUM_BYTES);
    this.pos = putNum(this.view, this.pos, v);
  }

  /** Appends a non-negative integer right-aligned in `width` characters. */
  uRight(n: number, width: number): void {
    this.spaces(width - decimalDigits(n));
    this.u(n);
  }

  /** Appends the dotted quad of an unsigned 32-bit address. */
  ipv4(a: number): void {
    this.room(MAX_IPV4_BYTES);
    this.pos = putIpv4(this.buf, this.pos, a);
  }

  /** Appends a string right-aligned in `width` characters (String.padStart). */
  right(s: string, width: number): void {
    this.spaces(width - s.length);
    this.utf8(s);
  }

  /** Appends a string left-aligned in `width` characters (String.padEnd). */
  left(s: string, width: number): void {
    this.utf8(s);
    this.spaces(width - s.length);
  }

  /** The bytes from `start` as a string. */
  decoded(start = 0): string {
    return decoder.decode(this.buf.subarray(start, this.pos));
  }
}
