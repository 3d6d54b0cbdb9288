/**
 * The packet an ICMP error quotes, seen as a packet of its own. tshark
 * dissects the quoted IP and transport headers with the same fields as the
 * outer ones, so `ip.addr` or `tcp.port` also match the packet an ICMP error
 * is about; fields defined with `alsoQuoted` follow it.
 */
import type { Packet } from '../wire/types.js';
import type { FieldContext } from './types.js';

function quotedPacket(p: Packet): Packet | undefined {
  const q = p.icmp?.quote;
  if (!q?.ip) return undefined;
  return {
    number: p.number,
    tsSec: p.tsSec,
    tsNsec: p.tsNsec,
    tsDigits: p.tsDigits,
    origLen: p.origLen,
    capLen: p.capLen,
    linkType: p.linkType,
    data: p.data,
    ifIndex: p.ifIndex,
    ip: q.ip,
    tcp: q.tcp,
    udp: q.udp,
    payloadOffset: 0,
    payloadLength: 0,
    etherType: p.etherType,
    findings: q.findings,
  };
}

const cache = new WeakMap<FieldContext, FieldContext | null>();

/** The context of the quoted packet, or undefined when the packet quotes none. */
export function quoteContext(ctx: FieldContext): FieldContext | undefined {
  if (ctx.packet.icmp?.quote?.ip === undefined) return undefined;
  let q = cache.get(ctx);
  if (q === undefined) {
    const packet = quotedPacket(ctx.packet);
    q = packet ? { ...ctx, packet, analysis: undefined } : null;
    cache.set(ctx, q);
  }
  return q ?? undefined;
}
