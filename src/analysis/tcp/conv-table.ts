/**
 * Conversations (their record offsets, conversation.ts) by endpoint pair.
 * IPv4 pairs live in an open-addressing table keyed by two doubles (address
 * * 65536 + port, exact below 2^48) so a lookup allocates nothing; IPv6
 * pairs, rarer, in a Map keyed by a string built once per packet. A missing
 * pair reads as -1.
 */
import type { Ipv4Repr, TcpRepr } from '../../wire/types.js';

const EMPTY_KEY = -1;
const NONE = -1;

export class ConversationTable {
  private keysLo = new Float64Array(1024).fill(EMPTY_KEY);
  private keysHi = new Float64Array(1024);
  private values = new Int32Array(1024).fill(NONE);
  private used = 0;
  private readonly v6 = new Map<string, number>();

  get size(): number {
    return this.used + this.v6.size;
  }

  /** MurmurHash3's 32-bit mixing over the two addresses and the two ports. */
  static hash(lo: number, hi: number): number {
    let h = mix(0, (lo / 65536) >>> 0);
    h = mix(h, (hi / 65536) >>> 0);
    h = mix(h, ((lo & 0xffff) << 16) | (hi & 0xffff));
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
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

  /** Set by lookupV4: the packet's sender is the endpoint that sorts first, and the pair's two keys. */
  fromLo = true;
  lo = 0;
  hi = 0;

  /**
   * The conversation of an IPv4 segment. Takes the headers rather than
   * numbers: addresses above 2^30 would be boxed at every call.
   */
  lookupV4(ip: Ipv4Repr, tcp: TcpRepr): number {
    const a = ip.src * 65536 + tcp.srcPort;
    const b = ip.dst * 65536 + tcp.dstPort;
    const fromLo = a <= b;
    const lo = fromLo ? a : b;
    const hi = fromLo ? b : a;
    this.fromLo = fromLo;
    this.lo = lo;
    this.hi = hi;
    // Segments of one connection come in runs: the previous answer is often the right one.
    if (lo === this.lastLo && hi === this.lastHi) return this.last;
    const c = this.values[this.find(lo, hi)]!;
    this.lastLo = lo;
    this.lastHi = hi;
    this.last = c;
    return c;
  }

  private lastLo = -1;
  private lastHi = -1;
  private last = NONE;

  /** Stores `c` under the pair the last lookupV4 computed. */
  insertV4(c: number): void {
    this.setV4(this.lo, this.hi, c);
  }

  setV4(lo: number, hi: number, c: number): void {
    this.lastLo = -1;
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
  deleteV4(lo: number, hi: number, c: number): void {
    this.lastLo = -1;
    const kl = this.keysLo;
    const kh = this.keysHi;
    const vals = this.values;
    const mask = kl.length - 1;
    let i = this.find(lo, hi);
    if (kl[i] === EMPTY_KEY || vals[i] !== c) return;
    this.used--;
    for (;;) {
      kl[i] = EMPTY_KEY;
      vals[i] = NONE;
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
      vals[i] = vals[j]!;
      i = j;
    }
  }

  private rehash(size: number): void {
    const oldLo = this.keysLo;
    const oldHi = this.keysHi;
    const oldVals = this.values;
    this.keysLo = new Float64Array(size).fill(EMPTY_KEY);
    this.keysHi = new Float64Array(size);
    this.values = new Int32Array(size).fill(NONE);
    for (let i = 0; i < oldLo.length; i++) {
      if (oldLo[i] === EMPTY_KEY) continue;
      const j = this.find(oldLo[i]!, oldHi[i]!);
      this.keysLo[j] = oldLo[i]!;
      this.keysHi[j] = oldHi[i]!;
      this.values[j] = oldVals[i]!;
    }
  }

  getV6(key: string): number {
    return this.v6.get(key) ?? NONE;
  }

  setV6(key: string, c: number): void {
    this.v6.set(key, c);
  }

  deleteV6(key: string, c: number): void {
    if (this.v6.get(key) === c) this.v6.delete(key);
  }
}

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** Orders two IPv6 endpoints as tshark does: address bytes, then port. */
export function compareEndpoints(a: Uint8Array, pa: number, b: Uint8Array, pb: number): number {
  for (let i = 0; i < 16; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return pa - pb;
}

/** The table key of an IPv6 endpoint pair, the endpoint that sorts first given first. */
export function v6Key(a: Uint8Array, pa: number, b: Uint8Array, pb: number): string {
  let s = '';
  for (let i = 0; i < 16; i += 2) s += String.fromCharCode(((a[i] ?? 0) << 8) | (a[i + 1] ?? 0));
  s += String.fromCharCode(pa);
  for (let i = 0; i < 16; i += 2) s += String.fromCharCode(((b[i] ?? 0) << 8) | (b[i + 1] ?? 0));
  return s + String.fromCharCode(pb);
}
