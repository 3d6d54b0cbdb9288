/**
 * The tracker's working state behind the public model: per connection
 * direction, the base and positions that relative DSNs are computed from and
 * the DSN ranges sent; per subflow direction, the ISN, the highest sequence
 * number and the DSS mappings.
 */
import { MappingTable } from './mappings.js';
import type { ChecksumGather } from './mappings.js';
import { SentLog } from './sent-log.js';
import { baseHighFrom, extend32, joinHalves, relative64 } from './seq.js';
import type {
  DataDir, MptcpAnnotation, MptcpConnection, MptcpDataDirection, MptcpSubflow, SubflowDirStats,
} from './types.js';

/** Seconds a DSN range stays after the data ACK passed it: a reinjection may still arrive from the sender. */
export const RETAIN_ACKED_SECONDS = 1;
/** Acknowledged ranges kept at most, whatever the time, so memory stays bounded on fast links. */
export const RETAIN_ACKED_RANGES = 4096;

export class DirState {
  hasBase = false;
  /** Whether the high half of the base is known (a 32-bit DSN seen first leaves it unknown). */
  hiKnown = false;
  baseHi = 0;
  baseLo = 0;
  /** Highest DSN end sent (reference for extending 32-bit DSNs), and highest data ACK received. */
  pos = 0;
  posSet = false;
  ack = 0;
  ackSet = false;
  readonly sent = new SentLog<Sub, MptcpAnnotation>();
  /** The data ACK and time of the last pruning checkpoint; ranges acknowledged before it may go. */
  private checkpointAck = -Infinity;
  private checkpointSec = -Infinity;

  constructor(readonly model: MptcpDataDirection) {}

  /** Sets the base from the IDSN, unless DSNs were already counted from another. */
  setIdsn(idsn: bigint): void {
    if (this.hasBase) return;
    this.setBase(Number(idsn >> 32n), Number(idsn & 0xffffffffn), true);
    this.model.base = 'idsn';
  }

  private setBase(hi: number, lo: number, hiKnown: boolean): void {
    this.hasBase = true;
    this.hiKnown = hiKnown;
    this.baseHi = hi;
    this.baseLo = lo;
    if (hiKnown) this.model.baseDsn = joinHalves(hi, lo);
  }

  /** Reference position for a 32-bit value: where the data stream is now. */
  private reference(preferAck: boolean): number {
    if (preferAck && this.ackSet) return this.ack;
    if (this.posSet) return this.pos;
    if (this.ackSet) return this.ack;
    return 1;
  }

  /**
   * The relative value of a DSN or data ACK read as (hi, lo), `wide` when
   * the option carried all 64 bits. The first value seen in a direction
   * without keys becomes relative 1.
   */
  relative(hi: number, lo: number, wide: boolean, isAck: boolean): number {
    if (!this.hasBase) {
      const lo1 = (lo - 1) >>> 0;
      const hi1 = wide ? (lo === 0 ? (hi - 1) >>> 0 : hi) : 0;
      this.setBase(hi1, lo1, wide);
      this.model.base = 'first-seen';
      return 1;
    }
    if (wide && this.hiKnown) return relative64(hi, lo, this.baseHi, this.baseLo);
    const rel = extend32(lo, this.baseLo, this.reference(isAck));
    if (wide) {
      this.baseHi = baseHighFrom(hi, lo, rel);
      this.hiKnown = true;
      this.model.baseDsn = joinHalves(this.baseHi, this.baseLo);
    }
    return rel;
  }

  /** Notes data sent up to `end`. */
  sentUpTo(start: number, end: number): void {
    const m = this.model;
    if (m.firstDsn === undefined || start < m.firstDsn) m.firstDsn = start;
    if (!this.posSet || end > this.pos) {
      this.pos = end;
      this.posSet = true;
      m.endDsn = end;
    }
  }

  /**
   * Notes a data ACK; returns the DSN up to which ranges and mappings may be
   * forgotten now, or undefined when it is not time to prune.
   */
  acked(rel: number, nowSec: number): number | undefined {
    if (this.ackSet && rel <= this.ack) return undefined;
    this.ack = rel;
    this.ackSet = true;
    this.model.dataAck = rel;
    if (this.sent.size > RETAIN_ACKED_RANGES) return rel;
    if (nowSec - this.checkpointSec < RETAIN_ACKED_SECONDS) return undefined;
    const upTo = this.checkpointAck;
    this.checkpointAck = rel;
    this.checkpointSec = nowSec;
    return upTo;
  }
}

export class SubDir {
  /** Raw ISN; `isnKnown` once the SYN was seen or a mapping on a data segment gave it away. */
  isn = 0;
  isnKnown = false;
  /** Highest unwrapped relative sequence number sent (one past the last byte). */
  maxSeq = 0;
  seqSet = false;
  /** Highest subflow ACK the peer sent for this direction's bytes (unwrapped relative). */
  peerAck = 0;
  peerAckSet = false;
  readonly mappings = new MappingTable();
  /** Mappings with a DSS checksum still gathering their payload. */
  pending: ChecksumGather[] = [];

  /** A relative subflow sequence number (DSS SSN or a segment's) unwrapped near the current position. */
  unwrap(rel32: number): number {
    return this.seqSet ? extend32(rel32, 0, this.maxSeq) : rel32;
  }

  /** Notes the peer's TCP acknowledgment number `ack` (raw) for this direction. */
  acked(ack: number): void {
    if (!this.isnKnown) return;
    const rel = this.unwrap((ack - this.isn) >>> 0);
    if (!this.peerAckSet || rel > this.peerAck) {
      this.peerAck = rel;
      this.peerAckSet = true;
    }
  }
}

/** Per-subflow working state, directions indexed by DataDir. */
export class Sub {
  readonly dirs: [SubDir, SubDir] = [new SubDir(), new SubDir()];
  /** MP_JOIN nonces of the initiator and the listener. */
  initiatorNonce: number | undefined;
  listenerNonce: number | undefined;
  /** Bit per data direction that sent a FIN. */
  finDirs = 0;
  constructor(readonly model: MptcpSubflow, readonly conn: Conn) {}
}

export class Conn {
  readonly dirs: [DirState, DirState];
  readonly subs: Sub[] = [];
  fellBack = false;

  constructor(readonly model: MptcpConnection) {
    this.dirs = [new DirState(model.dirs[0]), new DirState(model.dirs[1])];
  }
}

export function emptyStats(): SubflowDirStats {
  return {
    packets: 0,
    bytes: 0,
    dataBytes: 0,
    reinjections: 0,
    reinjectedBytes: 0,
    reinjectedElsewhere: 0,
    reinjectedElsewhereBytes: 0,
    dataRetransmissions: 0,
    dataRetransmittedBytes: 0,
    unmapped: 0,
  };
}

export function other(d: DataDir): DataDir {
  return d === 0 ? 1 : 0;
}
