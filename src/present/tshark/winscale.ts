import { mptcpOptionOverrun } from '../../wire/mptcp.js';
import type { Packet } from '../../wire/types.js';

/**
 * The one piece of connection state tshark keeps even with sequence analysis
 * off: the window scale each side announced in its SYN, so that `Win=` shows
 * the scaled window. Values follow tshark's convention:
 * -1 unknown (no SYN seen), -2 scaling not in use, 0..14 the shift.
 */
export const WSCALE_UNKNOWN = -1;
export const WSCALE_NONE = -2;

interface Side {
  scale: number;
  /** Sequence number of this side's last SYN (-1 before any). */
  synSeq: number;
}

interface Conversation {
  /** Side of the endpoint that sorts first. */
  lo: Side;
  hi: Side;
}

function newConversation(): Conversation {
  return { lo: { scale: WSCALE_UNKNOWN, synSeq: -1 }, hi: { scale: WSCALE_UNKNOWN, synSeq: -1 } };
}

const MAX_SHIFT = 14;
// Flag bits read on every packet, kept local (see TcpFlag).
const SYN = 0x002;
const ACK = 0x010;

export class WindowScaleTracker {
  /** IPv4 conversations: endpoint (addr * 65536 + port, exact in a double) to endpoint to state. */
  private readonly v4 = new Map<number, Map<number, Conversation>>();
  private readonly other = new Map<string, Conversation>();
  /** Conversation and direction of the last packet looked up (a packet is observed, then formatted). */
  private lastPacket: Packet | undefined;
  /** Its frame number: a decoder that reuses its Packet object hands out the same object for every frame. */
  private lastNumber = -1;
  private lastScale = WSCALE_UNKNOWN;
  private lastK1 = -1;
  private lastK2 = -1;
  private lastConv: Conversation | undefined;

  /**
   * Feeds one packet without looking up its scale: for callers that have the
   * scale from elsewhere (TCP analysis) but must keep this state for packets
   * that will not. Only SYNs change what is known, so other packets cost a
   * flag test.
   */
  learn(pkt: Packet): void {
    const tcp = pkt.tcp;
    if (tcp !== undefined && (tcp.flags & SYN) !== 0) this.observe(pkt);
  }

  /**
   * Feeds one packet (every packet read, shown or not) and returns the scale
   * that applies to its window field. SYN segments are never scaled, so the
   * caller shows their raw window whatever this returns.
   */
  observe(pkt: Packet): number {
    if (pkt === this.lastPacket && pkt.number === this.lastNumber) return this.lastScale;
    const tcp = pkt.tcp;
    const ip = pkt.ip;
    if (!tcp || !ip) return WSCALE_UNKNOWN;
    let conv: Conversation | undefined;
    let forward: boolean;
    if (ip.version === 4) {
      const a = ip.src * 65536 + tcp.srcPort;
      const b = ip.dst * 65536 + tcp.dstPort;
      forward = a <= b;
      const k1 = forward ? a : b;
      const k2 = forward ? b : a;
      // Segments of one connection come in runs: skip the lookup for the same pair.
      if (k1 === this.lastK1 && k2 === this.lastK2 && this.lastConv) {
        conv = this.lastConv;
      } else {
        let inner = this.v4.get(k1);
        if (!inner) { inner = new Map(); this.v4.set(k1, inner); }
        conv = inner.get(k2);
        if (!conv) { conv = newConversation(); inner.set(k2, conv); }
        this.lastK1 = k1;
        this.lastK2 = k2;
        this.lastConv = conv;
      }
    } else {
      const a = endpointKey(ip.src, tcp.srcPort);
      const b = endpointKey(ip.dst, tcp.dstPort);
      forward = a <= b;
      const key = forward ? a + '|' + b : b + '|' + a;
      conv = this.other.get(key);
      if (!conv) { conv = newConversation(); this.other.set(key, conv); }
    }
    let fwd = forward ? conv.lo : conv.hi;
    let rev = forward ? conv.hi : conv.lo;
    const flags = tcp.flags;
    if (flags & SYN) {
      // A new SYN (not a retransmission) on a known port pair starts a new conversation.
      if (!(flags & ACK) && fwd.synSeq !== -1 && fwd.synSeq !== tcp.seq) {
        fwd.scale = rev.scale = WSCALE_UNKNOWN;
        rev.synSeq = -1;
      }
      fwd.synSeq = tcp.seq;
      // A header cut by the capture, or an MPTCP option read past its end, stops tshark before this
      // check (and before the options after it): the scale stays as it was.
      let stopped = tcp.length < tcp.dataOffset * 4;
      for (const o of tcp.options) {
        if (o.type === 'mptcp' && mptcpOptionOverrun(o.raw, 0, o.length)) {
          stopped = true;
          break;
        }
        if (o.type === 'wscale' && !o.malformed) fwd.scale = o.shift > MAX_SHIFT ? MAX_SHIFT : o.shift;
      }
      if (!stopped && fwd.scale === WSCALE_UNKNOWN) {
        // No window scale option in this SYN: neither side scales.
        fwd.scale = rev.scale = WSCALE_NONE;
      } else if (!stopped && flags & ACK && rev.scale === WSCALE_NONE) {
        fwd.scale = WSCALE_NONE;
      }
    }
    this.lastPacket = pkt;
    this.lastNumber = pkt.number;
    this.lastScale = fwd.scale;
    return fwd.scale;
  }
}

function endpointKey(addr: number | Uint8Array, port: number): string {
  if (typeof addr === 'number') return addr + ':' + port;
  let s = '';
  for (let i = 0; i < addr.length; i++) s += String.fromCharCode(addr[i]!);
  return s + ':' + port;
}

/** Window value the Info column shows: the raw field, shifted when a scale is known and the segment is not a SYN. */
const MULTIPLIER: readonly number[] = Array.from({ length: MAX_SHIFT + 1 }, (_, i) => 2 ** i);

export function scaledWindow(window: number, flags: number, scale: number): number {
  if (flags & SYN || scale < 0) return window;
  return window * MULTIPLIER[scale]!;
}
