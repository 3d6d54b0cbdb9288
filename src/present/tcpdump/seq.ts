/**
 * tcpdump's relative sequence numbers. tcpdump keeps one entry per address
 * and port pair (both directions share it), created or overwritten by the
 * first packet with ACK set that it sees for the pair, or by any packet with
 * SYN and ACK. That packet prints absolute numbers; later ones print
 * `seq - isn` and `ack - isn` of the matching direction. Entries are never
 * removed. The state lives in the formatter: it is presentation state.
 */

interface Entry4 {
  /** Addresses and ports in the pair's canonical order. */
  src: number;
  dst: number;
  ports: number;
  /** First sequence number of the canonical direction, and (ack - 1) of it. */
  seq: number;
  ack: number;
  next: Entry4 | undefined;
}

interface Entry6 {
  addrs: Uint8Array; // 32 bytes: canonical src then dst
  ports: number;
  seq: number;
  ack: number;
  next: Entry6 | undefined;
}

/** What `lookup` produced for one packet; reused between calls. */
export interface SeqResult {
  /** Sequence and acknowledgment numbers to print (relative unless the entry was just set). */
  seq: number;
  ack: number;
  /** The entry's numbers, used to make SACK blocks relative. */
  thSeq: number;
  thAck: number;
  /** True when the packet travels against the entry's canonical direction. */
  rev: boolean;
}

export class SeqTable {
  private readonly v4 = new Map<number, Entry4>();
  private readonly v6 = new Map<number, Entry6>();
  readonly result: SeqResult = { seq: 0, ack: 0, thSeq: 0, thAck: 0, rev: false };

  /** IPv4 packet with ACK set. */
  lookup4(src: number, dst: number, sport: number, dport: number, seq: number, ack: number, syn: boolean): SeqResult {
    const rev = sport > dport || (sport === dport && (src >>> 0) > (dst >>> 0));
    const a = rev ? dst : src;
    const b = rev ? src : dst;
    const ports = rev ? dport * 65536 + sport : sport * 65536 + dport;
    const key = bucket(ports);
    let e = this.v4.get(key);
    while (e !== undefined && (e.ports !== ports || e.src !== a || e.dst !== b)) e = e.next;
    if (e === undefined) {
      e = { src: a, dst: b, ports, seq: 0, ack: 0, next: this.v4.get(key) };
      this.v4.set(key, e);
      return this.set(e, seq, ack, rev);
    }
    if (syn) return this.set(e, seq, ack, rev);
    return this.relative(e, seq, ack, rev);
  }

  /** IPv6 packet with ACK set; addresses are 16-byte arrays at the given offsets. */
  lookup6(data: Uint8Array, srcOff: number, dstOff: number, sport: number, dport: number, seq: number, ack: number, syn: boolean): SeqResult {
    let rev = sport > dport;
    if (sport === dport) {
      for (let i = 0; i < 16; i++) {
        const d = data[srcOff + i]! - data[dstOff + i]!;
        if (d !== 0) { rev = d > 0; break; }
      }
    }
    const aOff = rev ? dstOff : srcOff;
    const bOff = rev ? srcOff : dstOff;
    const ports = rev ? dport * 65536 + sport : sport * 65536 + dport;
    const key = bucket(ports);
    let e = this.v6.get(key);
    while (e !== undefined && (e.ports !== ports || !same6(e.addrs, data, aOff, bOff))) e = e.next;
    if (e === undefined) {
      const addrs = new Uint8Array(32);
      addrs.set(data.subarray(aOff, aOff + 16), 0);
      addrs.set(data.subarray(bOff, bOff + 16), 16);
      e = { addrs, ports, seq: 0, ack: 0, next: this.v6.get(key) };
      this.v6.set(key, e);
      return this.set(e, seq, ack, rev);
    }
    if (syn) return this.set(e, seq, ack, rev);
    return this.relative(e, seq, ack, rev);
  }

  private set(e: Entry4 | Entry6, seq: number, ack: number, rev: boolean): SeqResult {
    if (rev) {
      e.ack = seq;
      e.seq = (ack - 1) >>> 0;
    } else {
      e.seq = seq;
      e.ack = (ack - 1) >>> 0;
    }
    return this.fill(seq, ack, e, rev);
  }

  private relative(e: Entry4 | Entry6, seq: number, ack: number, rev: boolean): SeqResult {
    return rev
      ? this.fill((seq - e.ack) >>> 0, (ack - e.seq) >>> 0, e, rev)
      : this.fill((seq - e.seq) >>> 0, (ack - e.ack) >>> 0, e, rev);
  }

  private fill(seq: number, ack: number, e: Entry4 | Entry6, rev: boolean): SeqResult {
    const r = this.result;
    r.seq = seq;
    r.ack = ack;
    r.thSeq = e.seq;
    r.thAck = e.ack;
    r.rev = rev;
    return r;
  }
}

/** Map key for a port pair: folded into small-integer range, which V8 hashes fastest; chains tell pairs apart. */
function bucket(ports: number): number {
  return (ports ^ (ports >>> 17)) & 0x3fffffff;
}

function same6(addrs: Uint8Array, data: Uint8Array, aOff: number, bOff: number): boolean {
  for (let i = 0; i < 16; i++) if (addrs[i] !== data[aOff + i] || addrs[16 + i] !== data[bOff + i]) return false;
  return true;
}
