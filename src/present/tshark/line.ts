/**
 * A packet-list line built as UTF-8 bytes in one reused buffer. Listing
 * millions of packets is mostly producing text; writing digits and character
 * codes straight into bytes avoids the temporary strings (and the garbage
 * collection) of concatenation, and the output takes the bytes as they are.
 * tshark's lines are ASCII but for the arrow between addresses and ports and
 * whatever names or payload text a summary quotes, hence UTF-8.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Two ASCII digits for each value 0..99. */
const DIGITS2 = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  DIGITS2[2 * i] = 48 + Math.floor(i / 10);
  DIGITS2[2 * i + 1] = 48 + (i % 10);
}

/** Decimal digits of a non-negative integer below 2^53. */
export function decimalDigits(n: number): number {
  if (n < 100000) return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : 5;
  let d = 6;
  for (let x = 1000000; x <= n; x *= 10) d++;
  return d;
}

/** Characters of the dotted quad of an unsigned 32-bit address. */
export function ipv4TextLength(a: number): number {
  const b0 = a >>> 24;
  const b1 = (a >>> 16) & 0xff;
  const b2 = (a >>> 8) & 0xff;
  const b3 = a & 0xff;
  return 3 + (b0 < 10 ? 1 : b0 < 100 ? 2 : 3) + (b1 < 10 ? 1 : b1 < 100 ? 2 : 3)
    + (b2 < 10 ? 1 : b2 < 100 ? 2 : 3) + (b3 < 10 ? 1 : b3 < 100 ? 2 : 3);
}

export class TextLine {
  buf: Uint8Array;
  pos = 0;

  constructor(size = 512) {
    this.buf = new Uint8Array(size);
  }

  /** Makes room for `n` more bytes. */
  room(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }

  /** Appends one byte. */
  ch(c: number): void {
    if (this.pos + 1 > this.buf.length) this.grow(1);
    this.buf[this.pos++] = c;
  }

  /** Appends an ASCII string. */
  str(s: string): void {
    const n = s.length;
    if (this.pos + n > this.buf.length) this.grow(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Appends `src[from, to)`. */
  bytes(src: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (this.pos + n > this.buf.length) this.grow(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = from; i < to; i++) b[p++] = src[i]!;
    this.pos = p;
  }

  /** Appends any string, UTF-8 encoded. */
  utf8(s: string): void {
    const n = s.length;
    if (this.pos + n > this.buf.length) this.grow(n);
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
    if (this.pos + 5 > this.buf.length) this.grow(5);
    const b = this.buf;
    const p = this.pos;
    b[p] = 0x20;
    b[p + 1] = 0xe2;
    b[p + 2] = 0x86;
    b[p + 3] = 0x92;
    b[p + 4] = 0x20;
    this.pos = p + 5;
  }

  /** Appends `n` spaces (none when `n` <= 0). */
  spaces(n: number): void {
    if (n <= 0) return;
    if (this.pos + n > this.buf.length) this.grow(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = 32;
    this.pos = p;
  }

  /** Appends an unsigned integer (below 2^53) in decimal. */
  u(n: number): void {
    const len = decimalDigits(n);
    if (this.pos + len > this.buf.length) this.grow(len);
    const b = this.buf;
    let p = this.pos + len;
    this.pos = p;
    while (n >= 100) {
      const q = Math.floor(n / 100);
      const r = (n - q * 100) * 2;
      b[--p] = DIGITS2[r + 1]!;
      b[--p] = DIGITS2[r]!;
      n = q;
    }
    if (n >= 10) {
      b[--p] = DIGITS2[n * 2 + 1]!;
      b[--p] = DIGITS2[n * 2]!;
    } else {
      b[--p] = 48 + n;
    }
  }

  /** Appends an unsigned integer zero-padded to `width` digits. */
  uPad(n: number, width: number): void {
    const zeros = width - decimalDigits(n);
    if (zeros > 0) {
      if (this.pos + zeros > this.buf.length) this.grow(zeros);
      const b = this.buf;
      for (let i = 0; i < zeros; i++) b[this.pos++] = 48;
    }
    this.u(n);
  }

  /** Appends any number as String(v) would: the digit loop for the usual non-negative integers. */
  num(v: number): void {
    // The u32 test first: it is one instruction, and what sequence numbers and lengths are.
    if ((v >>> 0) === v || (Number.isSafeInteger(v) && v >= 0)) this.u(v);
    else this.str(String(v));
  }

  /** Appends a non-negative integer right-aligned in `width` characters. */
  uRight(n: number, width: number): void {
    this.spaces(width - decimalDigits(n));
    this.u(n);
  }

  /** Appends the dotted quad of an unsigned 32-bit address. */
  ipv4(a: number): void {
    this.u(a >>> 24);
    this.ch(46);
    this.u((a >>> 16) & 0xff);
    this.ch(46);
    this.u((a >>> 8) & 0xff);
    this.ch(46);
    this.u(a & 0xff);
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
