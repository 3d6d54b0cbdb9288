/**
 * Dotted quads of the packet list's address columns, kept per address in a
 * small direct-mapped table as whole words: a line's two addresses are then
 * a few 32-bit stores each, where writing them octet by octet took a table
 * read, a length test and a store per digit and their padding a store per
 * space. A capture's addresses are few next to its packets; a collision only
 * costs writing the quad again.
 */
import { MAX_IPV4_BYTES, putIpv4 } from './line.js';

/** Table slots (a power of two). */
const SLOTS = 1024;
/** Int32 elements per slot: the address, its text's length (0: empty), and 16 bytes of text. */
const STRIDE = 6;
const SPACES = 0x20202020;

export class Ipv4Text {
  private readonly slots = new Int32Array(SLOTS * STRIDE);
  private readonly scratch = new Uint8Array(MAX_IPV4_BYTES + 1);
  private readonly scratchView = new DataView(this.scratch.buffer);

  /**
   * Writes the quad of `a` right-aligned in `width` (at most 12) characters
   * at `p` of the bytes `v` views, which must have room for 16 bytes past
   * the column; returns the position after it.
   */
  right(v: DataView, p: number, a: number, width: number): number {
    const at = this.slot(a);
    const s = this.slots;
    const len = s[at + 1]!;
    v.setInt32(p, SPACES);
    v.setInt32(p + 4, SPACES);
    v.setInt32(p + 8, SPACES);
    const start = len < width ? p + width - len : p;
    v.setInt32(start, s[at + 2]!, true);
    v.setInt32(start + 4, s[at + 3]!, true);
    v.setInt32(start + 8, s[at + 4]!, true);
    v.setInt32(start + 12, s[at + 5]!, true);
    return start + len;
  }

  /** As `right`, left-aligned: the quad, then spaces up to `width` (at most 12). */
  left(v: DataView, p: number, a: number, width: number): number {
    const at = this.slot(a);
    const s = this.slots;
    const len = s[at + 1]!;
    v.setInt32(p, s[at + 2]!, true);
    v.setInt32(p + 4, s[at + 3]!, true);
    v.setInt32(p + 8, s[at + 4]!, true);
    v.setInt32(p + 12, s[at + 5]!, true);
    if (len >= width) return p + len;
    // The text's last word is whole: spaces from its end on, over the bytes past the quad.
    for (let q = p + len; q < p + width; q += 4) v.setInt32(q, SPACES);
    return p + width;
  }

  /** The slot of `a`, filled when it holds another address. */
  private slot(a: number): number {
    const key = a | 0;
    const at = (Math.imul(key ^ (key >>> 15), 0x9e3779b1 | 0) >>> 22) * STRIDE;
    const s = this.slots;
    if (s[at] !== key || s[at + 1] === 0) {
      s[at] = key;
      s[at + 1] = putIpv4(this.scratch, 0, a >>> 0);
      for (let i = 0; i < 4; i++) s[at + 2 + i] = this.scratchView.getInt32(4 * i, true);
    }
    return at;
  }
}
