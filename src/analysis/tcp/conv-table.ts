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
/** An entry's slots: the two keys and the value side by side, so a lookup reads one cache line. */
const STRIDE = 4;
const KEY_LO = 0;
const KEY_HI = 1;
const VALUE = 2;

export class ConversationTable {
  private entries = ConversationTable.emptyEntries(1024);
  /** Entries the table has room for (a power of two). */
  private capacity = 1024;
  private used = 0;
  private readonly v6 = new Map<string, number>();

  private static emptyEntries(capacity: number): Float64Array {
    // Every slot -1 (EMPTY_KEY and NONE), in one native fill: a loop here was compiled on every run.
    return new Float64Array(capacity * STRIDE).fill(EMPTY_KEY);
  }

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

  /** Offset of the entry holding (lo, hi), or of the empty entry where it would go. */
  private find(lo: number, hi: number): number {
    const mask = this.capacity - 1;
    const e = this.entries;
    let i = ConversationTable.hash(lo, hi) & mask;
    for (;;) {
      const at = i * STRIDE;
      const k = e[at + KEY_LO]!;
      if (k === EMPTY_KEY || (k === lo && e[at + KEY_HI] === hi)) return at;
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
    const c = this.entries[this.find(lo, hi) + VALUE]!;
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
    let at = this.find(lo, hi);
    if (this.entries[at + KEY_LO] === EMPTY_KEY) {
      if ((this.used + 1) * 2 > this.capacity) {
        this.rehash(this.capacity * 2);
        at = this.find(lo, hi);
      }
      this.used++;
      this.entries[at + KEY_LO] = lo;
      this.entries[at + KEY_HI] = hi;
    }
    this.entries[at + VALUE] = c;
  }

  /** Removes (lo, hi) when it still maps to `c` (backward-shift deletion keeps probe chains intact). */
  deleteV4(lo: number, hi: number, c: number): void {
    this.lastLo = -1;
    const e = this.entries;
    const mask = this.capacity - 1;
    let at = this.find(lo, hi);
    if (e[at + KEY_LO] === EMPTY_KEY || e[at + VALUE] !== c) return;
    this.used--;
    let i = at / STRIDE;
    for (;;) {
      e[at + KEY_LO] = EMPTY_KEY;
      e[at + VALUE] = NONE;
      let j = i;
      let from: number;
      for (;;) {
        j = (j + 1) & mask;
        from = j * STRIDE;
        if (e[from + KEY_LO] === EMPTY_KEY) return;
        const home = ConversationTable.hash(e[from + KEY_LO]!, e[from + KEY_HI]!) & mask;
        // Move j back to i when its home slot is not in the cyclic range (i, j].
        if (i <= j ? home <= i || home > j : home <= i && home > j) break;
      }
      e[at + KEY_LO] = e[from + KEY_LO]!;
      e[at + KEY_HI] = e[from + KEY_HI]!;
      e[at + VALUE] = e[from + VALUE]!;
      i = j;
      at = from;
    }
  }

  private rehash(capacity: number): void {
    const old = this.entries;
    this.entries = ConversationTable.emptyEntries(capacity);
    this.capacity = capacity;
    for (let from = 0; from < old.length; from += STRIDE) {
      if (old[from + KEY_LO] === EMPTY_KEY) continue;
      const at = this.find(old[from + KEY_LO]!, old[from + KEY_HI]!);
      this.entries[at + KEY_LO] = old[from + KEY_LO]!;
      this.entries[at + KEY_HI] = old[from + KEY_HI]!;
      this.entries[at + VALUE] = old[from + VALUE]!;
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
