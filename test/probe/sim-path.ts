/**
 * A simulated network path for the trace engine: routers that decrement the
 * TTL, may rewrite the probe (middleboxes), and answer an expired probe with
 * an ICMP Time Exceeded quoting it (whole, RFC 792's 8 bytes, RFC 4884, or
 * damaged on purpose), then a target that answers like a server. Every reply
 * is crafted with the probe library itself.
 */
import {
  decodeCrafted, icmp, icmpv6, ipv4, ipv6, mpCapable, mss, nop, payload, sackPerm, serialize, tcp, tcpSegment, ts, wscale,
} from '../../src/probe/index.js';
import type { Layer, TraceTransport } from '../../src/probe/index.js';
import type { Packet, TcpOption } from '../../src/wire/index.js';
import { ipv4ToString, ipv6ToString } from '../../src/wire/index.js';

export type QuoteStyle = 'full' | 'rfc792' | 'rfc4884' | 'bad-checksum' | 'ip-only' | 'silent' | 'unreachable';

export interface SimRouter {
  address: string;
  /** How it answers a probe that expires here (default 'full'). */
  quote?: QuoteStyle;
  /** What it does to every probe it forwards. */
  rewrite?: (p: Editable) => void;
}

/** The probe's fields a middlebox may change. */
export interface Editable {
  options: TcpOption[];
  seq: number;
  window: number;
  flags: number;
  dscp: number;
  ecn: number;
}

export type ServerStyle = 'mptcp' | 'tcp' | 'rst' | 'silent' | 'mptcp-v0';

/** Middlebox actions. */
export const strip = (subtype = 0) => (p: Editable): void => {
  p.options = p.options.flatMap((o) => (o.type === 'mptcp' && o.mptcp.subtype === subtype ? Array.from({ length: o.raw.length }, nop) : [o]));
};
export const clampMss = (value: number) => (p: Editable): void => {
  p.options = p.options.map((o) => (o.type === 'mss' && o.mss > value ? mss(value) : o));
};

function ipText(p: Packet, which: 'src' | 'dst'): string {
  const ip = p.ip!;
  return ip.layer === 'ip' ? ipv4ToString(ip[which]) : ipv6ToString(ip[which]);
}

export class SimPath implements TraceTransport {
  sent: Uint8Array[] = [];
  private deliver: ((p: Uint8Array) => void) | undefined;
  closed = false;
  /** Replies stay queued until poll(): a socket whose readiness callback has not run yet (the event loop was stalled). */
  holdReplies = false;
  private readonly held: Uint8Array[] = [];
  polls = 0;

  constructor(readonly routers: SimRouter[], readonly server: ServerStyle, readonly serverAddress: string) {}

  start(onPacket: (packet: Uint8Array) => void): void {
    this.deliver = onPacket;
  }

  close(): void {
    this.closed = true;
  }

  poll(): void {
    this.polls++;
    for (const bytes of this.held.splice(0)) this.deliver?.(bytes);
  }

  send(packet: Uint8Array): void {
    this.sent.push(packet);
    let p = decodeCrafted(packet);
    for (const r of this.routers) {
      const ttl = p.ip!.layer === 'ip' ? p.ip!.ttl : p.ip!.hopLimit;
      if (ttl <= 1) return this.expire(r, p);
      p = decodeCrafted(this.forward(p, ttl - 1, r.rewrite));
    }
    this.answer(p);
  }

  private reply(bytes: Uint8Array): void {
    if (this.holdReplies) {
      this.held.push(bytes);
      return;
    }
    setTimeout(() => {
      if (!this.closed) this.deliver?.(bytes);
    }, 1);
  }

  /** The packet one hop further: TTL down, rewritten by the router if it is a middlebox. */
  private forward(p: Packet, ttl: number, rewrite?: (e: Editable) => void): Uint8Array {
    const t = p.tcp!;
    const ip = p.ip!;
    const e: Editable = {
      options: [...t.options], seq: t.seq, window: t.window, flags: t.flags,
      dscp: ip.layer === 'ip' ? ip.dscp : ip.trafficClass >> 2, ecn: ip.layer === 'ip' ? ip.ecn : ip.trafficClass & 3,
    };
    rewrite?.(e);
    const ipLayer: Layer = ip.layer === 'ip'
      ? ipv4({ src: ip.src, dst: ip.dst, ttl, id: ip.id, flags: ip.flags, dscp: e.dscp, ecn: e.ecn })
      : ipv6({ src: ip.src, dst: ip.dst, hopLimit: ttl, flowLabel: ip.flowLabel, trafficClass: (e.dscp << 2) | e.ecn });
    return serialize([ipLayer, tcp({ srcPort: t.srcPort, dstPort: t.dstPort, seq: e.seq, ack: t.ack, flags: e.flags, window: e.window, options: e.options })]);
  }

  private expire(r: SimRouter, p: Packet): void {
    const style = r.quote ?? 'full';
    if (style === 'silent') return;
    const v6 = p.ip!.layer === 'ipv6';
    const whole = p.data;
    const l4 = p.tcp!.offset;
    let quote = whole;
    let rest = 0;
    if (style === 'rfc792') quote = whole.subarray(0, l4 + 8);
    if (style === 'ip-only') quote = whole.subarray(0, 12);
    if (style === 'rfc4884') {
      // Original datagram padded to 128 bytes, its length in the header, then an extension structure.
      const padded = new Uint8Array(128 + 8);
      padded.set(whole);
      padded.set([0x20, 0, 0, 0, 0, 8, 1, 1], 128);
      quote = padded;
      rest = v6 ? (128 / 8) << 24 : (128 / 4) << 16;
    }
    const type = style === 'unreachable' ? (v6 ? 1 : 3) : v6 ? 3 : 11;
    const code = style === 'unreachable' ? (v6 ? 1 : 13) : 0;
    const dst = ipText(p, 'src');
    const bytes = serialize([
      v6 ? ipv6({ src: r.address, dst }) : ipv4({ src: r.address, dst }),
      v6 ? icmpv6({ type, code, rest }) : icmp({ type, code, rest }),
      payload(quote),
    ]);
    if (style === 'bad-checksum') bytes[(v6 ? 40 : 20) + 2]! ^= 0xff;
    this.reply(bytes);
  }

  private answer(p: Packet): void {
    if (this.server === 'silent') return;
    const t = p.tcp!;
    const base = { src: ipText(p, 'dst'), dst: ipText(p, 'src'), sport: t.dstPort, dport: t.srcPort, ack: (t.seq + 1) >>> 0 };
    if (this.server === 'rst') {
      this.reply(tcpSegment({ ...base, flags: 'RA', window: 0 }));
      return;
    }
    const synMss = t.options.find((o) => o.type === 'mss');
    const offered = t.options.find((o) => o.type === 'mptcp' && o.mptcp.name === 'MP_CAPABLE');
    const offeredVersion = offered?.type === 'mptcp' && offered.mptcp.name === 'MP_CAPABLE' ? offered.mptcp.version : -1;
    const speaks = this.server === 'mptcp' ? 1 : this.server === 'mptcp-v0' ? 0 : -2;
    const options: TcpOption[] = [mss(synMss?.type === 'mss' ? Math.min(1460, synMss.mss) : 536), sackPerm(), ts(7, 1), nop(), wscale(9)];
    if (offeredVersion === speaks) options.push(mpCapable({ version: speaks, flags: speaks === 0 ? 'AH' : 'H', senderKey: 0x0123456789abcdefn }));
    this.reply(tcpSegment({ ...base, seq: 5000, flags: 'SA', window: 65160, options }));
  }
}
