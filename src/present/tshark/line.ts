/**
 * A packet-list line built as UTF-8 bytes in one reused buffer. Listing
 * millions of packets is mostly producing text; writing digits and character
 * codes straight into bytes avoids the temporary strings (and the garbage
 * collection) of concatenation, and the output takes the bytes as they are.
 * tshark's lines are ASCII but for the arrow between addresses and ports and
 * whatever names or payload text a summary quotes, hence UTF-8 rather than
 * tcpdump's plain ASCII.
 */
import { Line } from '../tcpdump/line.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** " → " in UTF-8. */
const ARROW = [0x20, 0xe2, 0x86, 0x92, 0x20] as const;

/** Decimal digits of a non-negative integer. */
export function decimalDigits(n: number): number {
  let d = 1;
  for (let x = 10; x <= n; x *= 10) d++;
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

export class TextLine extends Line {
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
    const b = this.buf;
    const p = this.pos;
    b[p] = ARROW[0];
    b[p + 1] = ARROW[1];
    b[p + 2] = ARROW[2];
    b[p + 3] = ARROW[3];
    b[p + 4] = ARROW[4];
    this.pos = p + 5;
  }

  /** Appends any number as String(v) would: the digit loop for the usual non-negative integers. */
  num(v: number): void {
    if (v >= 0 && v <= Number.MAX_SAFE_INTEGER && Math.floor(v) === v) this.u(v);
    else this.str(String(v));
  }

  /** Appends `n` spaces (none when `n` <= 0). */
  spaces(n: number): void {
    if (n <= 0) return;
    this.room(n);
    this.buf.fill(32, this.pos, this.pos + n);
    this.pos += n;
  }

  /** Appends a non-negative integer right-aligned in `width` characters. */
  uRight(n: number, width: number): void {
    this.spaces(width - decimalDigits(n));
    this.u(n);
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
