/**
 * A TCP stream put back in order the way tshark's "follow" does it, so that
 * `-z follow,tcp` shows the same chunks: every segment that extends a
 * direction's stream becomes one chunk; bytes already seen (retransmitted,
 * overlapping) are dropped; a segment beyond the next expected byte waits
 * until the bytes before it arrive, or until the other side acknowledges
 * past it, which marks the hole with a "[N bytes missing in capture file]"
 * chunk. Sequence numbers are as the TCP analysis gives them (relative
 * unless asked otherwise), as tshark's are.
 */
import { add32, seqGt, seqLt, sub32 } from '../../analysis/tcp/seq.js';

/** One chunk of a followed stream: what one packet added to one direction. */
export interface FollowRecord {
  /** Sent by the second node (the one that did not send the first packet followed). */
  readonly server: boolean;
  readonly packet: number;
  /** Capture time; zero for a missing-bytes marker, which no packet carried. */
  readonly tsSec: number;
  readonly tsNsec: number;
  readonly data: Uint8Array;
}

/** A segment kept until the bytes before it are known. */
interface Pending {
  seq: number;
  record: FollowRecord;
}

/** What the reassembly reads of one TCP segment. */
export interface FollowSegment {
  readonly server: boolean;
  readonly packet: number;
  readonly tsSec: number;
  readonly tsNsec: number;
  readonly seq: number;
  readonly ack: number;
  readonly syn: boolean;
  /** Payload length on the wire (tcp.len). */
  readonly length: number;
  /** The captured payload (may be shorter than `length`); copied when kept. */
  readonly payload: Uint8Array;
}

const encoder = new TextEncoder();

/** One direction's state. */
class Side {
  /** Next byte expected; 0 until the first segment sets it. */
  next = 0;
  /** Bytes added straight from segments (not from kept ones): while 0, a first segment may still set `next`. */
  written = 0;
  readonly pending: Pending[] = [];
}

export class TcpFollower {
  readonly records: FollowRecord[] = [];
  private readonly sides: [Side, Side] = [new Side(), new Side()];

  add(s: FollowSegment): void {
    const own = this.sides[s.server ? 1 : 0];
    const other = this.sides[s.server ? 0 : 1];
    // The receiver acknowledging past a hole means the bytes were sent but not captured.
    while (other.pending.length > 0 && this.release(other, !s.server, s.packet, s.ack)) { /* until nothing more fits */ }

    let seq = s.syn ? add32(s.seq, 1) : s.seq;
    let length = s.length;
    let skip = 0;
    let captured = s.payload.length;
    if (own.written === 0 && own.next === 0) own.next = seq;
    if (seqLt(seq, own.next)) {
      const end = add32(seq, length);
      if (seqGt(end, own.next)) {
        // A retransmission carrying more than was seen: keep its new bytes only.
        skip = sub32(own.next, seq);
        captured = captured <= skip ? 0 : captured - skip;
        seq = own.next;
        length = sub32(end, own.next);
      }
    }
    if (captured === 0 || seqLt(seq, own.next)) return;

    const record: FollowRecord = {
      server: s.server, packet: s.packet, tsSec: s.tsSec, tsNsec: s.tsNsec,
      data: s.payload.slice(skip, skip + captured),
    };
    if (seq === own.next) {
      own.next = add32(own.next, length);
      own.written += captured;
      this.records.push(record);
      while (this.release(own, s.server, s.packet)) { /* until nothing more fits */ }
    } else {
      own.pending.push({ seq, record });
    }
  }

  /**
   * Adds the first kept segment that now fits (or that turned out stale),
   * or, when `ack` is past the lowest one kept, a marker for the hole before
   * it. False when nothing changed.
   */
  private release(side: Side, server: boolean, packet: number, ack?: number): boolean {
    const pending = side.pending;
    if (pending.length === 0) return false;
    let lowest = pending[0]!.seq;
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i]!;
      if (seqGt(lowest, p.seq)) lowest = p.seq;
      if (seqLt(p.seq, side.next)) {
        const len = p.record.data.length;
        if (seqGt(add32(p.seq, len), side.next)) {
          const from = sub32(side.next, p.seq);
          if (len > from) this.records.push({ ...p.record, data: p.record.data.subarray(from) });
          side.next = add32(side.next, len - from);
        }
        pending.splice(i, 1);
        return true;
      }
      if (p.seq === side.next) {
        this.records.push(p.record);
        side.next = add32(side.next, p.record.data.length);
        pending.splice(i, 1);
        return true;
      }
    }
    if (ack !== undefined && seqGt(ack, lowest)) {
      // tshark's marker is a C string: its terminating NUL is part of the chunk.
      const text = `[${sub32(lowest, side.next) | 0} bytes missing in capture file]\0`;
      this.records.push({ server, packet, tsSec: 0, tsNsec: 0, data: encoder.encode(text) });
      side.next = lowest;
      return true;
    }
    return false;
  }
}
