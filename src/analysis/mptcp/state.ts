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
  DataDir, MptcpConnection, MptcpDataDirection, MptcpSubflow, SubflowDirStats,
} from './types.js';

/**
 * How long a DSN range stays after the data ACK passed it, in round trips:
 * a capture at the receiver sees the data ACK leave before the sender's
 * reinjections of the same data arrive. Without a measured round trip, a
 * second; never more.
 */
const RETAIN_ACKED_RTTS = 4;
const RETAIN_ACKED_MAX_SECONDS = 1;
/** Ranges held before pruning is worth a pass over the subflows. */
const PRUNE_BATCH = 64;
/** Acknowledged ranges kept at most per direction, whatever the time, so memory stays bounded on fast links. */
export const RETAIN_ACKED_RANGES = 1024;

export class DirState {
  hasBase = false;
  /** Whether the high half of the base is known (a 32-bit DSN seen first leaves it unknown). */
  hiKnown = false;
  baseHi = 0;
  baseLo = 0;
  /** Highest DSN end sent (reference for extending 32-bit DSNs), and highest data ACK received. */
  pos = 0;
  posSet = false;
  /** DSN of this direction's DATA_FIN while no data ACK has covered it (Infinity otherwise): checked on every data ACK without touching the model. */
  unackedFin = Infinity;
  /** Lowest DSN sent; segments and payload bytes sent (the model gets them in `publish`). */
  first = 0;
  packets = 0;
  bytes = 0;
  ack = 0;
  ackSet = false;
  readonly sent = new SentLog();
  /** The data ACK and time (seconds) of the last pruning checkpoint; ranges acknowledged before it may go. */
  private checkpointAck = -Infinity;
  private checkpointTime = -Infinity;

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

  /** Notes data sent over [start, end). */
  sentUpTo(start: number, end: number): void {
    if (!this.posSet) {
      this.first = start;
      this.pos = end;
      this.posSet = true;
      return;
    }
    if (start < this.first) this.first = start;
    if (end > this.pos) this.pos = end;
  }

  /** Writes the counters kept here into the model. */
  publish(): void {
    const m = this.model;
    m.packets = this.packets;
    m.bytes = this.bytes;
    if (this.posSet) {
      m.firstDsn = this.first;
      m.endDsn = this.pos;
    }
  }

  /**
   * Notes a data ACK at capture time `now` (seconds) on a connection whose
   * round trip is `rtt` (0 when unknown); returns the DSN up to which ranges
   * and mappings may be forgotten now, or undefined when it is not time.
   */
  acked(rel: number, now: number, rtt: number): number | undefined {
    if (this.ackSet && rel <= this.ack) return undefined;
    this.ack = rel;
    this.ackSet = true;
    this.model.dataAck = rel;
    const held = this.sent.size;
    if (held > RETAIN_ACKED_RANGES) return rel;
    if (held < PRUNE_BATCH) return undefined;
    const lag = rtt > 0 ? Math.min(RETAIN_ACKED_MAX_SECONDS, RETAIN_ACKED_RTTS * rtt) : RETAIN_ACKED_MAX_SECONDS;
    if (now - this.checkpointTime < lag) return undefined;
    const upTo = this.checkpointAck;
    this.checkpointAck = rel;
    this.checkpointTime = now;
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
  /** The latest TCP ACK this direction sent (raw; it acknowledges the other direction's bytes), unwrapped only when pruning. */
  ackSent = 0;
  ackSentSet = false;
  /** Segments, payload bytes and new data-level bytes sent this way (the model gets them in `publish`). */
  packets = 0;
  bytes = 0;
  dataBytes = 0;
  readonly mappings = new MappingTable();
  /** Mappings with a DSS checksum still gathering their payload. */
  pending: ChecksumGather[] = [];

  /** A relative subflow sequence number (DSS SSN or a segment's) unwrapped near the current position. */
  unwrap(rel32: number): number {
    return this.seqSet ? extend32(rel32, 0, this.maxSeq) : rel32;
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
  /** The last packet (the model gets it in `publish`). */
  lastFrame = 0;
  lastSec = 0;
  lastNsec = 0;
  /** `index`: its place in the connection's subflows (the sent log's owner). */
  constructor(readonly model: MptcpSubflow, readonly conn: Conn, readonly index: number) {}

  /** Subflow sequence number (unwrapped relative) the peer acknowledged of direction `d`'s bytes; Infinity when unknown. */
  /** Lets go of what only further data on this subflow would need (it was reset or closed both ways). */
  release(): void {
    for (const d of this.dirs) {
      d.mappings.clear();
      d.pending = [];
    }
  }

  ackedUpTo(d: DataDir): number {
    const own = this.dirs[d];
    const peer = this.dirs[other(d)];
    return peer.ackSentSet && own.isnKnown ? own.unwrap((peer.ackSent - own.isn) >>> 0) : Infinity;
  }

  publish(): void {
    const m = this.model;
    m.lastFrame = this.lastFrame;
    m.lastTime = { sec: this.lastSec, nsec: this.lastNsec };
    for (let d = 0; d < 2; d++) {
      const from = this.dirs[d]!;
      const to = m.stats[d]!;
      to.packets = from.packets;
      to.bytes = from.bytes;
      to.dataBytes = from.dataBytes;
    }
  }
}

export class Conn {
  readonly dirs: [DirState, DirState];
  readonly subs: Sub[] = [];
  fellBack = false;
  /** Largest initial round trip of its subflows (seconds, 0 until measured). */
  rtt = 0;
  /** The last packet (the model gets it in `publish`). */
  lastFrame = 0;
  lastSec = 0;
  lastNsec = 0;
  /** Frames that carried data again later on another subflow: frame to the later frames. */
  private readonly reinjections = new Map<number, number[]>();

  constructor(readonly model: MptcpConnection) {
    this.dirs = [new DirState(model.dirs[0]), new DirState(model.dirs[1])];
  }

  /**
   * Writes the counters kept in the working state (the hottest ones, kept
   * beside the rest of a packet's work) into the model.
   */
  publish(): void {
    const m = this.model;
    m.lastFrame = this.lastFrame;
    m.lastTime = { sec: this.lastSec, nsec: this.lastNsec };
    this.dirs[0].publish();
    this.dirs[1].publish();
    for (const s of this.subs) s.publish();
  }

  linkReinjection(original: number, later: number): void {
    const list = this.reinjections.get(original);
    if (list === undefined) this.reinjections.set(original, [later]);
    else list.push(later);
  }

  reinjectedIn(frame: number): number[] | undefined {
    return this.reinjections.get(frame);
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
