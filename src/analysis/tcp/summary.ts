/** What `TcpTracker.conversations()` reports of each conversation. */
import {
  BYTES, FIN_SEEN, FIRST_FRAME, FIRST_FROM_LO, FIRST_TIME, FLOW_SAW_SYN, HI, LAST_FRAME, LAST_TIME, LO, PACKETS, SAW_MPTCP,
  STATE, STATE_NAMES,
} from './conversation.js';
import type { Conversation, ConversationState } from './conversation.js';
import { NS_PER_SEC } from './seq.js';

/** One conversation as `conversations()` reports it; side A sent the first packet seen (the client when the SYN was captured). */
export interface TcpConversationSummary {
  stream: number;
  family: 4 | 6;
  /** IPv4: the address as an unsigned number; IPv6: its 16 bytes. */
  addrA: number | Uint8Array;
  portA: number;
  addrB: number | Uint8Array;
  portB: number;
  firstFrame: number;
  lastFrame: number;
  /** Capture times of the first and last packet, seconds since the epoch (microsecond precision). */
  firstTime: number;
  lastTime: number;
  packetsAtoB: number;
  bytesAtoB: number;
  packetsBtoA: number;
  bytesBtoA: number;
  /** A SYN from A, a SYN from B (the SYN/ACK), a FIN each way. */
  synA: boolean;
  synB: boolean;
  finA: boolean;
  finB: boolean;
  state: ConversationState;
  /** Some segment carried an MPTCP option. */
  mptcp: boolean;
}

/** The summary of a conversation whose record is in `f`; times are seconds since the epoch given the tracker's epoch second. */
export function summarize(conv: Conversation, f: Float64Array, epochSec: number): TcpConversationSummary {
  const c = conv.at;
  const aIsLo = f[c + FIRST_FROM_LO] === 1;
  const a = c + (aIsLo ? LO : HI);
  const b = c + (aIsLo ? HI : LO);
  const k = conv.key;
  return {
    stream: conv.stream,
    family: k.family === 6 ? 6 : 4,
    addrA: aIsLo ? k.loAddr : k.hiAddr,
    portA: aIsLo ? k.loPort : k.hiPort,
    addrB: aIsLo ? k.hiAddr : k.loAddr,
    portB: aIsLo ? k.hiPort : k.loPort,
    firstFrame: f[c + FIRST_FRAME]!,
    lastFrame: f[c + LAST_FRAME]!,
    firstTime: epochSec + f[c + FIRST_TIME]! / NS_PER_SEC,
    lastTime: epochSec + f[c + LAST_TIME]! / NS_PER_SEC,
    packetsAtoB: f[a + PACKETS]!,
    bytesAtoB: f[a + BYTES]!,
    packetsBtoA: f[b + PACKETS]!,
    bytesBtoA: f[b + BYTES]!,
    synA: f[a + FLOW_SAW_SYN] === 1,
    synB: f[b + FLOW_SAW_SYN] === 1,
    finA: f[a + FIN_SEEN] === 1,
    finB: f[b + FIN_SEEN] === 1,
    state: STATE_NAMES[f[c + STATE]!]!,
    mptcp: f[c + SAW_MPTCP] === 1,
  };
}
