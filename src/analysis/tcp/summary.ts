/** What `TcpTracker.conversations()` reports of each conversation. */
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

/** The summary of a conversation; times are seconds since the epoch given the tracker's epoch second. */
export function summarize(c: Conversation, epochSec: number): TcpConversationSummary {
  const aIsLo = c.firstFromLo;
  const a = aIsLo ? c.lo : c.hi;
  const b = aIsLo ? c.hi : c.lo;
  const k = c.key;
  return {
    stream: c.stream,
    family: k.family === 6 ? 6 : 4,
    addrA: aIsLo ? k.loAddr : k.hiAddr,
    portA: aIsLo ? k.loPort : k.hiPort,
    addrB: aIsLo ? k.hiAddr : k.loAddr,
    portB: aIsLo ? k.hiPort : k.loPort,
    firstFrame: c.firstFrame,
    lastFrame: c.lastFrame,
    firstTime: epochSec + c.firstTime / NS_PER_SEC,
    lastTime: epochSec + c.lastTime / NS_PER_SEC,
    packetsAtoB: a.packets,
    bytesAtoB: a.bytes,
    packetsBtoA: b.packets,
    bytesBtoA: b.bytes,
    synA: a.sawSyn,
    synB: b.sawSyn,
    finA: a.fin,
    finB: b.fin,
    state: c.state,
    mptcp: c.sawMptcp,
  };
}
