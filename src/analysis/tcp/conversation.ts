/**
 * State of the TCP conversations as tshark's sequence analysis keeps it,
 * in one flat Float64Array: a record per conversation, holding its own
 * numbers, then those of its two directions ("flows"), each with the first
 * entries of its ring of unacknowledged segments (unacked.ts). Sequence
 * numbers are raw u32 values, times nanoseconds from the tracker's epoch,
 * flags 0 or 1.
 *
 * Why flat: a packet reads and writes both directions of its conversation.
 * As objects (a conversation, two flows, two rings, their arrays) that was
 * a chain of dependent loads, each a likely cache miss once a capture
 * interleaves thousands of connections; in one record the addresses are
 * known at once, the lines are adjacent, and the misses overlap. Numbers
 * above 2^30 (sequence numbers, times) also stay unboxed.
 *
 * What packets never read (the endpoints, tshark's MPTCP connection record)
 * stays in a small Conversation object beside the record.
 */
import { WINDOW_SCALE_UNKNOWN } from '../types.js';

// ------------------------------------------------------------ conversation

/** tcp.stream. */
export const STREAM = 0;
/** Which side sent the first packet seen: 1 for the endpoint that sorts first. */
export const FIRST_FROM_LO = 1;
/** A SYN was seen (SYN_TIME holds the latest one's time). */
export const SAW_SYN = 2;
/** Some segment carried an MPTCP option. */
export const SAW_MPTCP = 3;
/** A ConversationState code. */
export const STATE = 4;
/** tshark's tcp.completeness bits: SYN 1, SYN/ACK 2, ACK 4, data 8, FIN 16, RST 32. */
export const COMPLETENESS = 5;
/** Times of the first, previous and last packet (tcp.time_relative, tcp.time_delta). */
export const FIRST_TIME = 6;
export const PREV_TIME = 7;
export const LAST_TIME = 8;
export const SYN_TIME = 9;
/** Initial RTT in nanoseconds, 0 while unknown. */
export const INITIAL_RTT = 10;
export const FIRST_FRAME = 11;
export const LAST_FRAME = 12;

export const OPEN = 0;
export const CLOSED = 1;
export const RESET = 2;

export type ConversationState = 'open' | 'closed' | 'reset';
export const STATE_NAMES: readonly ConversationState[] = ['open', 'closed', 'reset'];

// ------------------------------------------------------------ a direction

/** Relative numbering base: the ISN, or the first sequence number seen minus one. */
export const BASE = 0;
/** BASE is set (a SYN from this side, or its first segment, was seen). */
export const BASE_SET = 1;
/** Window field of the last segment (unscaled); tshark starts it at 2^32 - 1 so no first segment is an update. */
export const WINDOW = 2;
/** Highest next sequence number seen (0: none yet), with its frame and time. */
export const NEXT_SEQ = 3;
export const NEXT_SEQ_FRAME = 4;
export const NEXT_SEQ_TIME = 5;
/** Highest sequence number sent without a gap, for "ACKed unseen segment". */
export const MAX_SEQ_TO_BE_ACKED = 6;
/** Last acknowledgement number and the time of the segment carrying it. */
export const LAST_ACK = 7;
export const LAST_ACK_TIME = 8;
/** The last frame of this side that was not a duplicate ACK. */
export const LAST_NON_DUP_ACK = 9;
/** Duplicate ACK counter (-1 right after an ACK of unseen data). */
export const DUP_ACK_NUM = 10;
/** Analysis flags of this side's last segment (keep-alive and zero-window-probe ACKs look at them). */
export const LAST_FLAGS = 11;
/** Window scale shift, or WINDOW_SCALE_UNKNOWN / WINDOW_SCALE_NONE. */
export const WIN_SCALE = 12;
/** Set by this side's SYN, cleared by its first pure ACK: until then its window is not scaled for "window full". */
export const FIRST_ACK = 13;
/** Bytes in flight are only counted after an ACK from the other side, and again after a hole. */
export const VALID_BIF = 14;
/** Bytes sent since the last PSH (tshark's push_bytes_sent), and whether the last segment had PSH. */
export const PUSH_BYTES_SENT = 15;
export const PUSH_SET_LAST = 16;
/** Sum of the SACK blocks in this side's last segment (at most three blocks count, as in tshark). */
export const SACKED_BYTES = 17;
/** A FIN was seen, and the sequence number right after it (-1 before). */
export const FIN_SEEN = 18;
export const FIN_END = 19;
/** A SYN (or SYN/ACK) from this side was seen. */
export const FLOW_SAW_SYN = 20;
/** MPTCP, our rule: the last data ACK this side sent (two u32 halves). */
export const MP_HAS_DATA_ACK = 21;
export const MP_DATA_ACK_HI = 22;
export const MP_DATA_ACK_LO = 23;
/** MPTCP, tshark's rule: the connection's option kinds when this side last sent, and whether its key and token were seen. */
export const MP_OPS = 24;
export const MP_KEYED = 25;
export const MP_TOKEN = 26;
/** Summary: bytes (frame lengths) and segments sent. */
export const BYTES = 27;
export const PACKETS = 28;
/** The ring of unacknowledged segments: capacity (entries), oldest entry, count, and whether it is in sequence order. */
export const RING_CAP = 29;
export const RING_HEAD = 30;
export const RING_COUNT = 31;
export const RING_SORTED = 32;
/** Where the ring's entries sit while it has at most RING_INLINE of them. */
export const RING_ENTRIES = 33;
/** Entries kept in the record; a longer ring moves to an array of its own. */
export const RING_INLINE = 2;
/** Slots per ring entry: frame, first sequence number, next sequence number, time. */
export const RING_STRIDE = 4;

const FLOW_SLOTS = RING_ENTRIES + RING_INLINE * RING_STRIDE;

/** Offsets of the two flows in a record: of the endpoint that sorts first (tshark's flow2 when addresses differ), and of the other. */
export const LO = 16;
export const HI = LO + FLOW_SLOTS;
/** Slots per record, a whole number of 64-byte lines. */
export const RECORD = Math.ceil((HI + FLOW_SLOTS) / 8) * 8;

/** MPTCP connection state tshark shares between subflows (its `mp_operations`). */
export interface MptcpShared {
  ops: number;
}

/** What the packets never read of a conversation. */
export class Conversation {
  /** tshark's MPTCP connection state, when tshark would have created it. */
  mptcp: MptcpShared | undefined;

  constructor(
    readonly stream: number,
    readonly key: ConversationKey,
    /** Offset of the conversation's record in the store. */
    readonly at: number,
  ) {}
}

/** The first values of a flow's slots that do not start at 0. */
function startFlow(f: Float64Array, flow: number): void {
  f[flow + WINDOW] = 0xffffffff;
  f[flow + FIN_END] = -1;
  f[flow + WIN_SCALE] = WINDOW_SCALE_UNKNOWN;
  f[flow + VALID_BIF] = 1;
  f[flow + RING_CAP] = RING_INLINE;
  f[flow + RING_SORTED] = 1;
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

/**
 * The records. `f` is replaced when it grows: read it again after
 * `allocate`. Records of forgotten conversations are reused.
 */
export class ConversationStore {
  f = new Float64Array(RECORD * 64);
  /** The conversation object of each record in use, by record index. */
  private readonly objects: Array<Conversation | undefined> = [];
  private free: number[] = [];
  private used = 0;

  /** A fresh record for a new conversation (the store may grow: read `f` again). */
  allocate(stream: number, key: ConversationKey, frame: number, time: number, fromLo: boolean): Conversation {
    let index = this.free.pop();
    if (index === undefined) {
      index = this.used++;
      if (this.used * RECORD > this.f.length) {
        const bigger = new Float64Array(this.f.length * 2);
        bigger.set(this.f);
        this.f = bigger;
      }
    }
    const at = index * RECORD;
    const f = this.f;
    f.fill(0, at, at + RECORD);
    f[at + STREAM] = stream;
    f[at + FIRST_FROM_LO] = fromLo ? 1 : 0;
    f[at + FIRST_TIME] = f[at + PREV_TIME] = f[at + LAST_TIME] = time;
    f[at + FIRST_FRAME] = f[at + LAST_FRAME] = frame;
    startFlow(f, at + LO);
    startFlow(f, at + HI);
    const conv = new Conversation(stream, key, at);
    this.objects[index] = conv;
    return conv;
  }

  /** The conversation whose record starts at `at`. */
  object(at: number): Conversation {
    return this.objects[at / RECORD]!;
  }

  /** Gives the record back (its rings must have been released). */
  release(conv: Conversation): void {
    const index = conv.at / RECORD;
    if (this.objects[index] !== conv) return;
    this.objects[index] = undefined;
    this.free.push(index);
  }
}
