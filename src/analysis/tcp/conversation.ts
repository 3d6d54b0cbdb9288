/**
 * State of one TCP conversation and of each of its two directions, as
 * tshark's sequence analysis keeps it. Every number is a plain double;
 * sequence numbers are raw u32 values, times are nanoseconds from the
 * tracker's epoch.
 */
import { WINDOW_SCALE_UNKNOWN } from '../types.js';
import { Unacked } from './unacked.js';

/** One direction: what its sender has sent and acknowledged. */
export class Flow {
  /** Relative numbering base (ISN, or the first sequence number seen minus one) and whether it is set. */
  baseSet = false;
  base = 0;
  /** A SYN (or SYN/ACK) from this side was seen. */
  sawSyn = false;
  /** Window field of the last segment (unscaled); tshark starts it at 2^32 - 1 so no first segment is an update. */
  window = 0xffffffff;
  /** Window scale shift, or WINDOW_SCALE_UNKNOWN / WINDOW_SCALE_NONE. */
  winScale: number = WINDOW_SCALE_UNKNOWN;
  /** Set by this side's SYN, cleared by its first pure ACK: until then its window is not scaled for "window full". */
  firstAck = false;
  /** Highest next sequence number seen (0: none yet), with its frame and time. */
  nextSeq = 0;
  nextSeqFrame = 0;
  nextSeqTime = 0;
  /** Highest sequence number sent without a gap, for "ACKed unseen segment". */
  maxSeqToBeAcked = 0;
  /** Last acknowledgement number and the time of the segment carrying it. */
  lastAck = 0;
  lastAckTime = 0;
  /** Duplicate ACK counter (-1 right after an ACK of unseen data) and the last frame that was not a duplicate. */
  dupAckNum = 0;
  lastNonDupAck = 0;
  /** Analysis flags of this side's last segment (keep-alive and zero-window-probe ACKs look at them). */
  lastFlags = 0;
  /** Bytes in flight are only counted after an ACK from the other side, and again after a hole. */
  validBif = true;
  pushBytesSent = 0;
  pushSetLast = false;
  /** Sum of the SACK blocks in this side's last segment (at most three blocks count, as in tshark). */
  sackedBytes = 0;
  readonly unacked = new Unacked();
  /** MPTCP, tshark's rule: the connection's option kinds when this side last sent, and whether its key and token were seen. */
  mpOps = 0;
  mpKeyed = false;
  mpToken = false;
  /** MPTCP, our rule: the last data ACK this side sent (two u32 halves). */
  mpHasDataAck = false;
  mpDataAckHi = 0;
  mpDataAckLo = 0;
  /** Summary: segments and bytes (frame lengths) sent, FIN seen. */
  packets = 0;
  bytes = 0;
  fin = false;
  /** Sequence number right after this side's FIN, once seen. */
  finEnd = -1;
}

/** MPTCP connection state tshark shares between subflows (its `mp_operations`). */
export interface MptcpShared {
  ops: number;
}

export type ConversationState = 'open' | 'closed' | 'reset';

export class Conversation {
  /** Flow of the endpoint that sorts first (tshark's flow2 when addresses differ) and of the other. */
  readonly lo = new Flow();
  readonly hi = new Flow();
  /** Which side sent the first packet seen: `true` for the endpoint that sorts first. */
  firstFromLo = true;
  /** Times of the first and the previous packet (tcp.time_relative, tcp.time_delta). */
  firstTime: number;
  prevTime: number;
  /** Time of the most recent SYN (when `sawSyn`) and the initial RTT (0 while unknown). */
  sawSyn = false;
  synTime = 0;
  initialRtt = 0;
  /** tshark's MPTCP connection state, when tshark would have created it. */
  mptcp: MptcpShared | undefined;
  /** Some segment carried an MPTCP option. */
  sawMptcp = false;
  state: ConversationState = 'open';
  firstFrame: number;
  lastFrame: number;
  /** Time of the last packet. */
  lastTime: number;
  /** tshark's tcp.completeness bits: SYN 1, SYN/ACK 2, ACK 4, data 8, FIN 16, RST 32. */
  completeness = 0;

  constructor(
    readonly stream: number,
    readonly key: ConversationKey,
    frame: number,
    time: number,
  ) {
    this.firstTime = time;
    this.prevTime = time;
    this.firstFrame = frame;
    this.lastFrame = frame;
    this.lastTime = time;
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
