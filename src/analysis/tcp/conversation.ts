/**
 * State of one TCP conversation and of each of its two directions, as
 * tshark's sequence analysis keeps it. Sequence numbers are raw u32 values,
 * times are nanoseconds from the tracker's epoch.
 */
import { WINDOW_SCALE_UNKNOWN } from '../types.js';
import { Unacked } from './unacked.js';

/** Slots of a flow's numbers in its conversation's Float64Array. */
const FLOW_SLOTS = 16;

/**
 * One direction: what its sender has sent and acknowledged. Its numbers
 * live in a Float64Array shared with the other direction: sequence numbers
 * above 2^30 and times are doubles, which V8 would box one by one (a pointer
 * to chase per field) if they were object fields.
 */
export class Flow {
  /** A SYN (or SYN/ACK) from this side was seen; its relative numbering base is set. */
  sawSyn = false;
  baseSet = false;
  /** Window scale shift, or WINDOW_SCALE_UNKNOWN / WINDOW_SCALE_NONE. */
  winScale: number = WINDOW_SCALE_UNKNOWN;
  /** Set by this side's SYN, cleared by its first pure ACK: until then its window is not scaled for "window full". */
  firstAck = false;
  /** Duplicate ACK counter (-1 right after an ACK of unseen data). */
  dupAckNum = 0;
  /** Analysis flags of this side's last segment (keep-alive and zero-window-probe ACKs look at them). */
  lastFlags = 0;
  /** Bytes in flight are only counted after an ACK from the other side, and again after a hole. */
  validBif = true;
  pushSetLast = false;
  readonly unacked = new Unacked();
  /** MPTCP, tshark's rule: the connection's option kinds when this side last sent, and whether its key and token were seen. */
  mpOps = 0;
  mpKeyed = false;
  mpToken = false;
  mpHasDataAck = false;
  fin = false;

  constructor(
    private readonly n: Float64Array,
    private readonly at: number,
  ) {
    n[at + 1] = 0xffffffff;
    n[at + 15] = -1;
  }

  /** Relative numbering base: the ISN, or the first sequence number seen minus one. */
  get base(): number {
    return this.n[this.at + 0]!;
  }

  set base(v: number) {
    this.n[this.at + 0] = v;
  }

  /** Window field of the last segment (unscaled); tshark starts it at 2^32 - 1 so no first segment is an update. */
  get window(): number {
    return this.n[this.at + 1]!;
  }

  set window(v: number) {
    this.n[this.at + 1] = v;
  }

  /** Highest next sequence number seen (0: none yet), with its frame and time. */
  get nextSeq(): number {
    return this.n[this.at + 2]!;
  }

  set nextSeq(v: number) {
    this.n[this.at + 2] = v;
  }

  get nextSeqFrame(): number {
    return this.n[this.at + 3]!;
  }

  set nextSeqFrame(v: number) {
    this.n[this.at + 3] = v;
  }

  get nextSeqTime(): number {
    return this.n[this.at + 4]!;
  }

  set nextSeqTime(v: number) {
    this.n[this.at + 4] = v;
  }

  /** Highest sequence number sent without a gap, for "ACKed unseen segment". */
  get maxSeqToBeAcked(): number {
    return this.n[this.at + 5]!;
  }

  set maxSeqToBeAcked(v: number) {
    this.n[this.at + 5] = v;
  }

  /** Last acknowledgement number and the time of the segment carrying it. */
  get lastAck(): number {
    return this.n[this.at + 6]!;
  }

  set lastAck(v: number) {
    this.n[this.at + 6] = v;
  }

  get lastAckTime(): number {
    return this.n[this.at + 7]!;
  }

  set lastAckTime(v: number) {
    this.n[this.at + 7] = v;
  }

  /** The last frame of this side that was not a duplicate ACK. */
  get lastNonDupAck(): number {
    return this.n[this.at + 8]!;
  }

  set lastNonDupAck(v: number) {
    this.n[this.at + 8] = v;
  }

  /** Bytes sent since the last PSH (tshark's push_bytes_sent). */
  get pushBytesSent(): number {
    return this.n[this.at + 9]!;
  }

  set pushBytesSent(v: number) {
    this.n[this.at + 9] = v;
  }

  /** Sum of the SACK blocks in this side's last segment (at most three blocks count, as in tshark). */
  get sackedBytes(): number {
    return this.n[this.at + 10]!;
  }

  set sackedBytes(v: number) {
    this.n[this.at + 10] = v;
  }

  /** MPTCP, our rule: the last data ACK this side sent (two u32 halves). */
  get mpDataAckHi(): number {
    return this.n[this.at + 11]!;
  }

  set mpDataAckHi(v: number) {
    this.n[this.at + 11] = v;
  }

  get mpDataAckLo(): number {
    return this.n[this.at + 12]!;
  }

  set mpDataAckLo(v: number) {
    this.n[this.at + 12] = v;
  }

  /** Summary: bytes (frame lengths) and segments sent. */
  get bytes(): number {
    return this.n[this.at + 13]!;
  }

  set bytes(v: number) {
    this.n[this.at + 13] = v;
  }

  get packets(): number {
    return this.n[this.at + 14]!;
  }

  set packets(v: number) {
    this.n[this.at + 14] = v;
  }

  /** Sequence number right after this side's FIN, once seen (-1 before). */
  get finEnd(): number {
    return this.n[this.at + 15]!;
  }

  set finEnd(v: number) {
    this.n[this.at + 15] = v;
  }
}

/** MPTCP connection state tshark shares between subflows (its `mp_operations`). */
export interface MptcpShared {
  ops: number;
}

export type ConversationState = 'open' | 'closed' | 'reset';

const FIRST_TIME = 2 * FLOW_SLOTS;
const PREV_TIME = FIRST_TIME + 1;
const LAST_TIME = FIRST_TIME + 2;
const SYN_TIME = FIRST_TIME + 3;
const INITIAL_RTT = FIRST_TIME + 4;
const FIRST_FRAME = FIRST_TIME + 5;
const LAST_FRAME = FIRST_TIME + 6;
const SLOTS = FIRST_TIME + 7;

export class Conversation {
  /** The numbers of both flows and of the conversation, side by side. */
  private readonly n = new Float64Array(SLOTS);
  /** Flow of the endpoint that sorts first (tshark's flow2 when addresses differ) and of the other. */
  readonly lo = new Flow(this.n, 0);
  readonly hi = new Flow(this.n, FLOW_SLOTS);
  /** Which side sent the first packet seen: `true` for the endpoint that sorts first. */
  firstFromLo = true;
  /** A SYN was seen (`synTime` holds the latest one's time). */
  sawSyn = false;
  /** tshark's MPTCP connection state, when tshark would have created it. */
  mptcp: MptcpShared | undefined;
  /** Some segment carried an MPTCP option. */
  sawMptcp = false;
  state: ConversationState = 'open';
  /** tshark's tcp.completeness bits: SYN 1, SYN/ACK 2, ACK 4, data 8, FIN 16, RST 32. */
  completeness = 0;

  constructor(
    readonly stream: number,
    readonly key: ConversationKey,
    frame: number,
    time: number,
  ) {
    const n = this.n;
    n[FIRST_TIME] = n[PREV_TIME] = n[LAST_TIME] = time;
    n[FIRST_FRAME] = n[LAST_FRAME] = frame;
  }

  /** Times of the first, previous and last packet (tcp.time_relative, tcp.time_delta). */
  get firstTime(): number {
    return this.n[FIRST_TIME]!;
  }

  get prevTime(): number {
    return this.n[PREV_TIME]!;
  }

  set prevTime(v: number) {
    this.n[PREV_TIME] = v;
  }

  get lastTime(): number {
    return this.n[LAST_TIME]!;
  }

  set lastTime(v: number) {
    this.n[LAST_TIME] = v;
  }

  /** Time of the most recent SYN. */
  get synTime(): number {
    return this.n[SYN_TIME]!;
  }

  set synTime(v: number) {
    this.n[SYN_TIME] = v;
  }

  /** Initial RTT in nanoseconds, 0 while unknown. */
  get initialRtt(): number {
    return this.n[INITIAL_RTT]!;
  }

  set initialRtt(v: number) {
    this.n[INITIAL_RTT] = v;
  }

  get firstFrame(): number {
    return this.n[FIRST_FRAME]!;
  }

  get lastFrame(): number {
    return this.n[LAST_FRAME]!;
  }

  set lastFrame(v: number) {
    this.n[LAST_FRAME] = v;
  }
}

/** Endpoints of a conversation, the one that sorts first as `lo`. */
export interface ConversationKey {
  /** 4 or 6. */
  family: number;
  /** IPv4: the address as an unsigned number; IPv6: the 16 address bytes. */
  loAddr: number | Uint8Array;
  loPort: number;
  hiAddr: number | Uint8Array;
  hiPort: number;
}
