/**
 * The output line being built, as ASCII bytes. Printing millions of packets
 * is dominated by producing text: writing character codes and digits into one
 * reused buffer avoids the temporary strings (and their garbage collection)
 * that concatenation creates, and the bytes go to the output as they are.
 * Everything tcpdump prints is ASCII (it escapes anything else), so one byte
 * per character holds.
 */

import { decimalDigits, MAX_U_BYTES, PUT_U_SLACK, putU } from '../digits.js';

/** Lowercase hex digit codes. */
const HEX = new Uint8Array([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

const latin1 = new TextDecoder('latin1');

export class Line {
  buf: Uint8Array;
  /** `buf` for the number writer, replaced with it. */
  private view: DataView;
  pos = 0;

  constructor(size = 1024) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  /** Makes room for `n` more bytes. */
  room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
    this.view = new DataView(bigger.buffer);
  }

  /** Appends an ASCII string. */
  str(s: string): void {
    const n = s.length;
    this.room(n);
    const b = this.buf;
    const p = this.pos;
    for (let i = 0; i < n; i++) b[p + i] = s.charCodeAt(i);
    this.pos = p + n;
  }

  /** Appends one character code. */
  ch(c: number): void {
    this.room(1);
    this.buf[this.pos++] = c;
  }

  /** Appends an unsigned integer (below 2^53) in decimal. */
  u(n: number): void {
    this.room(MAX_U_BYTES + PUT_U_SLACK);
    this.pos = putU(this.view, this.pos, n);
  }

  /** Appends an unsigned integer in decimal, zero-padded to `width` digits. */
  uPad(n: number, width: number): void {
    for (let d = decimalDigits(n); d < width; d++) this.ch(48);
    this.u(n);
  }

  /** Appends the unsigned 64-bit value `hi * 2^32 + lo` in decimal. */
  u64(hi: number, lo: number): void {
    if (hi < 0x200000) {
      this.u(hi * 4294967296 + lo);
      return;
    }
    // hi * 2^32 + lo = 1e6 * (q * 2^32 + midQ) + midR, every step exact in a double.
    const q = Math.floor(hi / 1e6);
    const mid = (hi - q * 1e6) * 4294967296 + lo;
    const midQ = Math.floor(mid / 1e6);
    this.u(q * 4294967296 + midQ);
    this.uPad(mid - midQ * 1e6, 6);
  }

  /** Appends `n` in lowercase hex without leading zeros (`%x`). */
  hex(n: number): void {
    n >>>= 0;
    let len = 1;
    for (let x = n >>> 4; x !== 0; x >>>= 4) len++;
    this.room(len);
    const b = this.buf;
    let p = this.pos + len;
    this.pos = p;
    do {
      b[--p] = HEX[n & 15]!;
      n >>>= 4;
    } while (n !== 0);
  }

  /** Appends a byte as two hex digits (`%02x`). */
  hex2(v: number): void {
    this.room(2);
    this.buf[this.pos++] = HEX[(v >>> 4) & 15]!;
    this.buf[this.pos++] = HEX[v & 15]!;
  }

  /** Appends the 64-bit value `hi * 2^32 + lo` in hex without leading zeros. */
  hex64(hi: number, lo: number): void {
    if (hi === 0) {
      this.hex(lo);
      return;
    }
    this.hex(hi);
    for (let shift = 28; shift >= 0; shift -= 4) this.ch(HEX[(lo >>> shift) & 15]!);
  }

  /** Appends an IPv4 address held as an unsigned 32-bit number. */
  ipv4(a: number): void {
    this.u(a >>> 24);
    this.ch(46);
    this.u((a >>> 16) & 0xff);
    this.ch(46);
    this.u((a >>> 8) & 0xff);
    this.ch(46);
    this.u(a & 0xff);
  }

  /** The line as a string. */
  text(start = 0): string {
    return latin1.decode(this.buf.subarray(start, this.pos));
  }
}
