/**
 * Conversations by endpoint pair. IPv4 pairs live in an open-addressing
 * table keyed by two doubles (address * 65536 + port, exact below 2^48) so a
 * lookup allocates nothing; IPv6 pairs, rarer, in a Map keyed by a string
 * built once per packet.
 */
import type { Conversation } from './conversation.js';

const EMPTY_KEY = -1;

export class ConversationTable {
  private keysLo = new Float64Array(1024).fill(EMPTY_KEY);
  private keysHi = new Float64Array(1024);
  private values: Array<Conversation | undefined> = new Array<Conversation | undefined>(1024);
  private used = 0;
  private readonly v6 = new Map<string, Conversation>();

  get size(): number {
    return this.used + this.v6.size;
  }

  private static hash(lo: number, hi: number): number {
    const a = (lo / 65536) >>> 0;
    const b = (hi / 65536) >>> 0;
    let h = Math.imul(a ^ (lo & 0xffff), 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 15) ^ b, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13) ^ (hi & 0xffff), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }

  /** The slot holding (lo, hi), or the empty slot where it would go. */
  private find(lo: number, hi: number): number {
    const mask = this.keysLo.length - 1;
    let i = ConversationTable.hash(lo, hi) & mask;
    const kl = this.keysLo;
    const kh = this.keysHi;
    for (;;) {
      const k = kl[i]!;
      if (k === EMPTY_KEY || (k === lo && kh[i] === hi)) return i;
      i = (i + 1) & mask;
    }
  }

  getV4(lo: number, hi: number): Conversation | undefined {
    return this.values[this.find(lo, hi)];
  }

  setV4(lo: number, hi: number, c: Conversation): void {
    let i = this.find(lo, hi);
    if (this.keysLo[i] === EMPTY_KEY) {
      if ((this.used + 1) * 2 > this.keysLo.length) {
        this.rehash(this.keysLo.length * 2);
        i = this.find(lo, hi);
      }
      this.used++;
      this.keysLo[i] = lo;
      this.keysHi[i] = hi;
    }
    this.values[i] = c;
  }

  /** Removes (lo, hi) when it still maps to `c` (backward-shift deletion keeps probe chains intact). */
  deleteV4(lo: number, hi: number, c: Conversation): void {
    const kl = this.keysLo;
    const kh = this.keysHi;
    const vals = this.values;
    const mask = kl.length - 1;
    let i = this.find(lo, hi);
    if (kl[i] === EMPTY_KEY || vals[i] !== c) return;
    this.used--;
    for (;;) {
      kl[i] = EMPTY_KEY;
      vals[i] = undefined;
      let j = i;
      for (;;) {
        j = (j + 1) & mask;
        if (kl[j] === EMPTY_KEY) return;
        const home = ConversationTable.hash(kl[j]!, kh[j]!) & mask;
        // Move j back to i when its home slot is not in the cyclic range (i, j].
        if (i <= j ? home <= i || home > j : home <= i && home > j) break;
      }
      kl[i] = kl[j]!;
      kh[i] = kh[j]!;
      vals[i] = vals[j];
      i = j;
    }
  }

  private rehash(size: number): void {
    const oldLo = this.keysLo;
    const oldHi = this.keysHi;
    const oldVals = this.values;
    this.keysLo = new Float64Array(size).fill(EMPTY_KEY);
    this.keysHi = new Float64Array(size);
    this.values = new Array<Conversation | undefined>(size);
    for (let i = 0; i < oldLo.length; i++) {
      if (oldLo[i] === EMPTY_KEY) continue;
      const j = this.find(oldLo[i]!, oldHi[i]!);
      this.keysLo[j] = oldLo[i]!;
      this.keysHi[j] = oldHi[i]!;
      this.values[j] = oldVals[i];
    }
  }

  getV6(key: string): Conversation | undefined {
    return this.v6.get(key);
  }

  setV6(key: string, c: Conversation): void {
    this.v6.set(key, c);
  }

  deleteV6(key: string, c: Conversation): void {
    if (this.v6.get(key) === c) this.v6.delete(key);
  }
}
