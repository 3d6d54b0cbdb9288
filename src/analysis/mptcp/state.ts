/**
 * The tracker's working state behind the public model: per connection
 * direction, the base and positions that relative DSNs are computed from and
 * the DSN ranges sent; per subflow direction, the ISN, the highest sequence
 * number and the DSS mappings.
 *
 * The numbers read or written on every packet sit in flat records (see
 * flat.ts for why): one record per subflow direction and one per connection
 * direction, each holding its mapping table or sent log's bookkeeping, the
 * tables themselves in shared pools. `Sub` and `Conn` keep the rest: the
 * model, references, small integers and what only rare packets touch.
 * Unknown values are NaN, so that "is it known" and "what is it" are one
 * number.
 */
import { Int32Column, RecordTable, lineAligned } from './flat.js';
import { MAPPING_FIELDS, MAPPING_TEMPLATE, MappingSet } from './mappings.js';
import type { ChecksumGather } from './mappings.js';
import { SENT_FIELDS, SENT_TEMPLATE, SentLogs } from './sent-log.js';
import * as seqMath from './seq.js';
import type { DataDir, Instant, MptcpConnection, MptcpSubflow, SubflowDirStats } from './types.js';

// Constants of this module, which the optimizing compiler builds into the code (see tracker.ts).
const { baseHighFrom, extend32, joinHalves, relative64 } = seqMath;

/**
 * How long a DSN range stays after the data ACK passed it, in round trips:
 * a capture at the receiver sees the data ACK leave before the sender's
 * reinjections of the same data arrive. Without a measured round trip, a
 * second; never more.
 */
const RETAIN_ACKED_RTTS = 4;
const RETAIN_ACKED_MAX_SECONDS = 1;
/**
 * Ranges held before pruning is worth a pass over the subflows. Small: a
 * connection's sent log and mapping tables then stay within a few cache
 * lines, which with thousands of connections taking turns matters more
 * than the passes (measured: 64 cost a sixth more time per packet).
 */
const PRUNE_BATCH = 8;
/** Acknowledged ranges kept at most per direction, whatever the time, so memory stays bounded on fast links. */
export const RETAIN_ACKED_RANGES = 1024;

/*
 * A connection direction's record. BASE_HI/BASE_LO: the raw DSN of relative
 * 0 (NaN: no base yet; BASE_HI NaN alone: its high half unknown, a 32-bit
 * DSN came first). POS: highest DSN end sent (the reference for extending
 * 32-bit DSNs); ACK: highest data ACK received. UNACKED_FIN: the DATA_FIN's
 * DSN while no data ACK covered it, checked on every data ACK without
 * touching the model (Infinity otherwise). FIRST: lowest DSN sent. RTT: the
 * connection's largest initial round trip (seconds, 0 until measured), kept
 * in both directions' records. CHECKPOINT_*: the data ACK and time of the
 * last pruning checkpoint; ranges acknowledged before it may go.
 */
export const CD_BASE_HI = 0;
export const CD_BASE_LO = 1;
export const CD_POS = 2;
export const CD_ACK = 3;
export const CD_UNACKED_FIN = 4;
export const CD_RTT = 5;
/** Subflows the connection has (kept in both directions' records). */
export const CD_SUBFLOWS = 6;
export const CD_FIRST = 7;
// A packet's data reads the first line and its sent log the second; a data ACK reads both, and the third only to prune.
const CD_SENT = 8;
const CD_CHECKPOINT_TIME = CD_SENT + SENT_FIELDS;
const CD_CHECKPOINT_ACK = CD_CHECKPOINT_TIME + 1;
/** 1 + the connection's first subflow (0: none), beside the checkpoint that pruning reads: subflows chain from there (SD_NEXT_SUB). */
const CD_FIRST_SUB = CD_CHECKPOINT_ACK + 1;
const CD_TEMPLATE = [NaN, NaN, NaN, NaN, Infinity, 0, 0, 0, ...SENT_TEMPLATE, -Infinity, -Infinity, 0];
const CD = lineAligned(CD_FIRST_SUB + 1);

/*
 * A subflow direction's record, one per direction of the TCP conversation
 * (record 2 × subflow + TcpAnnotation.dir), so that a packet finds it from
 * its TCP annotation alone. Its first line is all an ACK without data
 * touches: LINK, the connection it belongs to and how its directions map
 * (connection index × 4, plus 2 once the handshake's last ACK was seen,
 * plus the client's TcpAnnotation.dir), INDEX, its place among the
 * connection's subflows (both kept in both directions' records), segments
 * and payload bytes sent this way, ACK_SENT, the latest TCP ACK this
 * direction sent (raw; it acknowledges the other direction's bytes,
 * unwrapped only when pruning), and the frame and time of its last packet.
 * Data reads the next two lines: ISN, raw (NaN until the SYN was seen or a
 * mapping on a data segment gave it away); MAX_SEQ, the highest unwrapped
 * relative sequence number sent, one past the last byte (NaN before any);
 * new data-level bytes sent this way; mappings with a DSS checksum still
 * gathering their payload; the mapping table.
 */
const SD_LINK = 0;
const SD_INDEX = 1;
export const SD_PACKETS = 2;
export const SD_BYTES = 3;
export const SD_ACK_SENT = 4;
const SD_LAST_FRAME = 5;
const SD_LAST_SEC = 6;
const SD_LAST_NSEC = 7;
export const SD_ISN = 8;
export const SD_MAX_SEQ = 9;
export const SD_DATA_BYTES = 10;
export const SD_PENDING = 11;
const SD_MAPS = 12;
/** In the record of TCP direction 0: 1 + the connection's next subflow (0: the last), so pruning walks them without objects. */
const SD_NEXT_SUB = SD_MAPS + MAPPING_FIELDS;
const SD_TEMPLATE = [0, 0, 0, 0, NaN, 0, 0, 0, NaN, NaN, 0, 0, ...MAPPING_TEMPLATE, 0];
const SD = lineAligned(SD_NEXT_SUB + 1);
/** LINK bits below the connection index. */
const LINK_CLIENT_DIR = 1;
const LINK_ACK_SEEN = 2;
const LINK_CONN = 4;

/** Where a packet's numbers are, from its TCP annotation: filled by `FlatState.locate` for each packet. */
export class Cursor {
  /** The subflow (the tracker's index) and its connection (mptcp.stream). */
  id = 0;
  cid = 0;
  /** The subflow's place among the connection's subflows (the sent log's owner). */
  index = 0;
  /** Who sent the packet. */
  dir: DataDir = 0;
  /** Records: the packet's subflow direction, its connection direction, and the connection's other direction. */
  sd = 0;
  c = 0;
  peer = 0;
}

/** Every flat record of one tracker, and the mapping tables and sent logs living in them. */
export class FlatState {
  /** By tcp.stream: 0 while unknown, -1 for plain TCP, else 1 + the subflow's index. */
  readonly streams = new Int32Column();
  readonly subDirs = new RecordTable(SD, SD_TEMPLATE);
  /** Each connection's model, by mptcp.stream, for the rare numbers that go straight into it. */
  readonly models: MptcpConnection[] = [];
  readonly connDirs = new RecordTable(CD, CD_TEMPLATE);
  readonly mappings = new MappingSet(this.subDirs, SD_MAPS);
  readonly sent = new SentLogs(this.connDirs, CD_SENT);

  /** Fills `cur` for a packet of subflow `id` sent in direction `tcpDir` of its TCP conversation. */
  locate(cur: Cursor, id: number, tcpDir: number): void {
    const sd = (2 * id + tcpDir) * SD;
    const link = this.subDirs.f[sd + SD_LINK]!;
    const dir = (tcpDir ^ (link & LINK_CLIENT_DIR)) as DataDir;
    const cid = Math.floor(link / LINK_CONN);
    // Small integers read from doubles are stored as such (`| 0`): a double would change the cursor's shape.
    cur.id = id;
    cur.cid = cid | 0;
    cur.index = this.subDirs.f[sd + SD_INDEX]! | 0;
    cur.dir = dir;
    cur.sd = sd;
    cur.c = (2 * cid + dir) * CD;
    cur.peer = (2 * cid + (dir ^ 1)) * CD;
  }

  /** The record of data direction `d` of subflow `id`. */
  subDir(id: number, d: DataDir): number {
    const link = this.subDirs.f[2 * id * SD + SD_LINK]!;
    return (2 * id + (d ^ (link & LINK_CLIENT_DIR))) * SD;
  }

  /** Makes the records of a new subflow and links them to its connection, after `previous` (the connection's last subflow so far). */
  addSub(sub: Sub, previous: Sub | undefined): void {
    this.subDirs.ensure(2 * sub.id + 1);
    const f = this.subDirs.f;
    for (let d = 0; d < 2; d++) {
      const at = (2 * sub.id + d) * SD;
      f[at + SD_LINK] = sub.cid * LINK_CONN + sub.clientTcpDir;
      f[at + SD_INDEX] = sub.index;
    }
    if (previous !== undefined) {
      f[2 * previous.id * SD + SD_NEXT_SUB] = sub.id + 1;
    } else {
      const cf = this.connDirs.f;
      cf[sub.cd(0) + CD_FIRST_SUB] = cf[sub.cd(1) + CD_FIRST_SUB] = sub.id + 1;
    }
  }

  /**
   * On every subflow of the connection of record `c`, forgets the mappings
   * of data direction `d` up to DSN `upTo` (and, each, up to what its
   * subflow ACK passed). Returns true when some subflow has DSS checksums
   * of that direction still gathering payload.
   */
  dropMappingsUpTo(c: number, d: DataDir, upTo: number): boolean {
    let pending = false;
    for (let next = this.connDirs.f[c + CD_FIRST_SUB]!; next > 0;) {
      // A small integer, as the subflow indexes the other callers pass (a double would undo the optimized code of each).
      const id = (next - 1) | 0;
      const own = this.subDir(id, d);
      // The subflow's other direction acknowledges this one's bytes.
      this.mappings.dropUpTo(own, upTo, this.ackedUpTo(own, this.subDir(id, other(d))));
      const f = this.subDirs.f;
      if (f[own + SD_PENDING]! > 0) pending = true;
      next = f[2 * id * SD + SD_NEXT_SUB]!;
    }
    return pending;
  }

  /** The handshake's last ACK of the subflow of record `sd` was seen. */
  ackSeen(sd: number): boolean {
    return (this.subDirs.f[sd + SD_LINK]! & LINK_ACK_SEEN) !== 0;
  }

  /** Whether the handshake's last ACK of a subflow was seen (kept in both directions' records). */
  setAckSeen(sub: Sub, seen: boolean): void {
    const f = this.subDirs.f;
    for (let d = 0; d < 2; d++) {
      const at = (2 * sub.id + d) * SD + SD_LINK;
      const link = f[at]!;
      const has = (link & LINK_ACK_SEEN) !== 0;
      if (has !== seen) f[at] = link + (seen ? LINK_ACK_SEEN : -LINK_ACK_SEEN);
    }
  }

  /** Notes a packet of the subflow direction of record `sd`: frame, time, payload length. */
  sentPacket(sd: number, frame: number, sec: number, nsec: number, len: number): void {
    const f = this.subDirs.f;
    f[sd + SD_PACKETS]!++;
    f[sd + SD_BYTES]! += len;
    f[sd + SD_LAST_FRAME] = frame;
    f[sd + SD_LAST_SEC] = sec;
    f[sd + SD_LAST_NSEC] = nsec;
  }

  /**
   * The relative value of a DSN or data ACK read as (hi, lo), `wide` when
   * the option carried all 64 bits, in direction `d` of connection `cid`
   * (its record at `c`). The halves may come signed or unsigned (their 32
   * bits are what counts). The first value seen in a direction without keys
   * becomes relative 1.
   */
  relative(c: number, cid: number, d: DataDir, hi: number, lo: number, wide: boolean, isAck: boolean): number {
    const f = this.connDirs.f;
    const baseLo = f[c + CD_BASE_LO]!;
    if (Number.isNaN(baseLo)) {
      const cm = this.models[cid]!;
      const lo1 = (lo - 1) >>> 0;
      const hi1 = wide ? (lo === 0 ? hi - 1 : hi) >>> 0 : 0;
      setBase(f, c, cm.dirs[d], hi1, lo1, wide);
      cm.dirs[d].base = 'first-seen';
      return 1;
    }
    const baseHi = f[c + CD_BASE_HI]!;
    if (wide && !Number.isNaN(baseHi)) return relative64(hi, lo, baseHi, baseLo);
    const rel = extend32(lo, baseLo, reference(f, c, isAck));
    if (wide) {
      const h = baseHighFrom(hi, lo, rel);
      f[c + CD_BASE_HI] = h;
      this.models[cid]!.dirs[d].baseDsn = joinHalves(h, baseLo);
    }
    return rel;
  }

  /** Sets a direction's base from the IDSN, unless DSNs were already counted from another. */
  setIdsn(c: number, cm: MptcpConnection, d: DataDir, idsn: bigint): void {
    const f = this.connDirs.f;
    if (!Number.isNaN(f[c + CD_BASE_LO]!)) return;
    setBase(f, c, cm.dirs[d], Number(idsn >> 32n), Number(idsn & 0xffffffffn), true);
    cm.dirs[d].base = 'idsn';
  }

  /** Notes data sent over [start, end) in the connection direction of record `c`. */
  sentUpTo(c: number, start: number, end: number): void {
    const f = this.connDirs.f;
    const pos = f[c + CD_POS]!;
    if (Number.isNaN(pos)) {
      f[c + CD_FIRST] = start;
      f[c + CD_POS] = end;
      return;
    }
    if (start < f[c + CD_FIRST]!) f[c + CD_FIRST] = start;
    if (end > pos) f[c + CD_POS] = end;
  }

  /**
   * Notes a data ACK at capture time `now` (seconds) in direction `d` of
   * connection `cid` (its record at `c`); returns the DSN up to which ranges and mappings
   * may be forgotten now, or undefined when it is not time.
   */
  acked(c: number, cid: number, d: DataDir, rel: number, now: number): number | undefined {
    const f = this.connDirs.f;
    const ack = f[c + CD_ACK]!;
    if (rel <= ack) return undefined;
    f[c + CD_ACK] = rel;
    // The model gets the value in `publish`; its member is made now, so it keeps its place in the JSON.
    if (Number.isNaN(ack)) this.models[cid]!.dirs[d].dataAck = rel;
    const held = this.sent.size(c);
    if (held > RETAIN_ACKED_RANGES) return rel;
    if (held < PRUNE_BATCH) return undefined;
    const rtt = f[c + CD_RTT]!;
    const lag = rtt > 0 ? Math.min(RETAIN_ACKED_MAX_SECONDS, RETAIN_ACKED_RTTS * rtt) : RETAIN_ACKED_MAX_SECONDS;
    if (now - f[c + CD_CHECKPOINT_TIME]! < lag) return undefined;
    const upTo = f[c + CD_CHECKPOINT_ACK]!;
    f[c + CD_CHECKPOINT_ACK] = rel;
    f[c + CD_CHECKPOINT_TIME] = now;
    return upTo;
  }

  /** A relative subflow sequence number (DSS SSN or a segment's) unwrapped near the current position of record `s`. */
  unwrap(s: number, rel32: number): number {
    const max = this.subDirs.f[s + SD_MAX_SEQ]!;
    return Number.isNaN(max) ? rel32 : extend32(rel32, 0, max);
  }

  /** Subflow sequence number (unwrapped relative) the peer acknowledged of the bytes of record `own`; Infinity when unknown. */
  ackedUpTo(own: number, peer: number): number {
    const f = this.subDirs.f;
    const ackSent = f[peer + SD_ACK_SENT]!;
    const isn = f[own + SD_ISN]!;
    return Number.isNaN(ackSent) || Number.isNaN(isn) ? Infinity : this.unwrap(own, (ackSent - isn) >>> 0);
  }
}

function setBase(f: Float64Array, c: number, model: MptcpConnection['dirs'][0], hi: number, lo: number, hiKnown: boolean): void {
  f[c + CD_BASE_LO] = lo;
  f[c + CD_BASE_HI] = hiKnown ? hi : NaN;
  if (hiKnown) model.baseDsn = joinHalves(hi, lo);
}

/** Reference position for a 32-bit value: where the data stream is now. */
function reference(f: Float64Array, c: number, preferAck: boolean): number {
  const ack = f[c + CD_ACK]!;
  if (preferAck && !Number.isNaN(ack)) return ack;
  const pos = f[c + CD_POS]!;
  if (!Number.isNaN(pos)) return pos;
  if (!Number.isNaN(ack)) return ack;
  return 1;
}

/**
 * Per-subflow working state; its two directions (indexed by DataDir) are
 * records `sd(0)` and `sd(1)`. The numbers every packet reads or writes are
 * in the records, found from the packet's TCP annotation (`FlatState.locate`):
 * this object is for what only some packets touch.
 */
export class Sub {
  readonly model: MptcpSubflow;
  readonly conn: Conn;
  readonly connModel: MptcpConnection;
  /** Its place among all the tracker's subflows (its records), and the connection's index (its records). */
  readonly id: number;
  readonly cid: number;
  /** Its place in the connection's subflows (the sent log's owner). */
  readonly index: number;
  /** Copied from the model. */
  readonly clientTcpDir: 0 | 1;
  /** MP_JOIN nonces of the initiator and the listener. */
  initiatorNonce: number | undefined;
  listenerNonce: number | undefined;
  /** Bit per data direction that sent a FIN. */
  finDirs = 0;
  /** Mappings with a DSS checksum still gathering their payload, by direction. */
  readonly pending: [ChecksumGather[], ChecksumGather[]] = [[], []];

  constructor(model: MptcpSubflow, conn: Conn, index: number, id: number) {
    this.model = model;
    this.conn = conn;
    this.connModel = conn.model;
    this.id = id;
    this.cid = conn.id;
    this.index = index;
    this.clientTcpDir = model.clientTcpDir;
  }

  /** Offset of the record of direction `d`. */
  sd(d: DataDir): number {
    return (2 * this.id + (d ^ this.clientTcpDir)) * SD;
  }

  /** Offset of the record of the connection's direction `d`. */
  cd(d: DataDir): number {
    return (2 * this.cid + d) * CD;
  }

  /** The record of the direction that sent the subflow's last packet. */
  last(state: FlatState): number {
    const f = state.subDirs.f;
    const a = this.sd(0);
    const b = this.sd(1);
    return f[b + SD_LAST_FRAME]! > f[a + SD_LAST_FRAME]! ? b : a;
  }

  /** Frame of the subflow's last packet. */
  lastFrame(state: FlatState): number {
    return state.subDirs.f[this.last(state) + SD_LAST_FRAME]!;
  }

  publish(state: FlatState): void {
    const m = this.model;
    const f = state.subDirs.f;
    const last = this.last(state);
    m.lastFrame = small(f[last + SD_LAST_FRAME]!);
    m.lastTime = lastTime(f, last);
    for (let d = 0; d < 2; d++) {
      const at = this.sd(d as DataDir);
      const to = m.stats[d]!;
      to.packets = small(f[at + SD_PACKETS]!);
      to.bytes = small(f[at + SD_BYTES]!);
      to.dataBytes = small(f[at + SD_DATA_BYTES]!);
    }
  }
}

/** Per-connection working state; the packets of its subflows update their own records only. */
export class Conn {
  readonly subs: Sub[] = [];
  fellBack = false;
  /** Frames that carried data again later on another subflow: frame to the later frames (only when annotations are kept). */
  private readonly reinjections = new Map<number, number[]>();
  /** mptcp.stream (its records). */
  readonly id: number;

  constructor(readonly model: MptcpConnection) {
    this.id = model.index;
  }

  /** Offset of the record of direction `d`. */
  cd(d: DataDir): number {
    return (2 * this.id + d) * CD;
  }

  /**
   * Writes the counters kept in the working state (the hottest ones, kept
   * beside the rest of a packet's work) into the model. The connection's
   * last packet is its subflows' latest, its counters their sums.
   */
  publish(state: FlatState): void {
    const m = this.model;
    let last: Sub | undefined;
    let lastFrame = -Infinity;
    for (const s of this.subs) {
      const frame = s.lastFrame(state);
      if (frame > lastFrame) {
        last = s;
        lastFrame = frame;
      }
    }
    if (last !== undefined) {
      const at = last.last(state);
      m.lastFrame = small(lastFrame);
      m.lastTime = lastTime(state.subDirs.f, at);
    }
    const f = state.connDirs.f;
    for (let d = 0; d < 2; d++) {
      const at = this.cd(d as DataDir);
      const to = m.dirs[d]!;
      let packets = 0;
      let bytes = 0;
      for (const s of this.subs) {
        const sd = s.sd(d as DataDir);
        packets += state.subDirs.f[sd + SD_PACKETS]!;
        bytes += state.subDirs.f[sd + SD_BYTES]!;
      }
      to.packets = small(packets);
      to.bytes = small(bytes);
      const ack = f[at + CD_ACK]!;
      if (!Number.isNaN(ack)) to.dataAck = ack;
      const pos = f[at + CD_POS]!;
      if (!Number.isNaN(pos)) {
        to.firstDsn = f[at + CD_FIRST]!;
        to.endDsn = pos;
      }
    }
    for (const s of this.subs) s.publish(state);
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

/**
 * A number read from the records, as a small integer when it is one: the
 * model's objects were made with small integers (counters starting at 0,
 * times from packet fields), and a double stored into one of them would
 * change the shape of them all. The same goes for the numbers a packet's
 * annotation gets: stored as doubles, each would cost a heap number per
 * packet.
 */
export function small(x: number): number {
  return (x | 0) === x ? x | 0 : x;
}

/** Time of the last packet of the subflow direction of record `at`. */
function lastTime(f: Float64Array, at: number): Instant {
  return { sec: small(f[at + SD_LAST_SEC]!), nsec: small(f[at + SD_LAST_NSEC]!) };
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
