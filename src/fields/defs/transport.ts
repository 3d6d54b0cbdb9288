/** `udp.*`, `icmp.*`, `icmpv6.*` and the `data` payload fields. */
import type { IcmpRepr } from '../../wire/types.js';
import { dataBytes } from '../protocols.js';
import { checksumStatus } from './checksum.js';
import type { FieldRegistry } from '../registry.js';
import type { FieldContext } from '../types.js';

const ICMP_ECHO_REPLY = 0;
const ICMP_UNREACH = 3;
const ICMP_NEED_FRAG = 4;
const ICMP_ECHO = 8;
const ICMP6_PACKET_TOO_BIG = 2;
const ICMP6_ECHO_REQUEST = 128;
const ICMP6_ECHO_REPLY = 129;

function icmp(c: FieldContext, layer: 'icmp' | 'icmpv6'): IcmpRepr | undefined {
  const m = c.packet.icmp;
  return m?.layer === layer ? m : undefined;
}

const payload = (c: FieldContext): Uint8Array | undefined => dataBytes(c.packet, c.analysis);

function defineUdp(r: FieldRegistry): void {
  const d = r.definer('udp', { alsoQuoted: true });
  const udp = (c: FieldContext) => c.packet.udp;
  d.protocol('udp', 'User Datagram Protocol', (c) => {
    const u = udp(c);
    return u && `User Datagram Protocol, Src Port: ${u.srcPort}, Dst Port: ${u.dstPort}`;
  });
  d.field('udp.srcport', 'uint16', 'Source Port', (c) => udp(c)?.srcPort);
  d.field('udp.dstport', 'uint16', 'Destination Port', (c) => udp(c)?.dstPort);
  d.field('udp.port', 'uint16', 'Source or Destination Port', (c) => {
    const u = udp(c);
    return u && [u.srcPort, u.dstPort];
  });
  d.field('udp.length', 'uint16', 'Length', (c) => udp(c)?.udpLength);
  d.field('udp.checksum', 'uint16', 'Checksum', (c) => udp(c)?.checksum, { base: 'hex' });
  d.field('udp.checksum.status', 'uint8', 'Checksum Status (0 bad, 1 good, 2 unverified)', (c) => {
    const u = udp(c);
    return u && checksumStatus(u.checksumOk);
  });
  d.field('udp.payload', 'bytes', 'Payload', (c) => {
    const u = udp(c);
    return u && u.payloadLength > 0 ? c.packet.data.subarray(u.payloadOffset, u.payloadOffset + u.payloadLength) : undefined;
  });
}

function defineIcmp(r: FieldRegistry): void {
  const d = r.definer('icmp');
  const m = (c: FieldContext) => icmp(c, 'icmp');
  const echo = (c: FieldContext) => {
    const x = m(c);
    return x && (x.type === ICMP_ECHO || x.type === ICMP_ECHO_REPLY) ? x : undefined;
  };
  d.protocol('icmp', 'Internet Control Message Protocol', (c) => (m(c) ? 'icmp' : undefined));
  d.field('icmp.type', 'uint8', 'Type', (c) => m(c)?.type);
  d.field('icmp.code', 'uint8', 'Code', (c) => m(c)?.code);
  d.field('icmp.checksum', 'uint16', 'Checksum', (c) => m(c)?.checksum, { base: 'hex' });
  d.field('icmp.checksum.status', 'uint8', 'Checksum Status (0 bad, 1 good, 2 unverified)', (c) => {
    const x = m(c);
    return x && checksumStatus(x.checksumOk);
  });
  d.field('icmp.ident', 'uint16', 'Identifier (BE)', (c) => {
    const x = echo(c);
    return x && x.rest >>> 16;
  }, { base: 'dec_hex' });
  d.field('icmp.seq', 'uint16', 'Sequence Number (BE)', (c) => {
    const x = echo(c);
    return x && x.rest & 0xffff;
  }, { base: 'dec_hex' });
  d.field('icmp.mtu', 'uint16', 'MTU of next hop', (c) => {
    const x = m(c);
    return x && x.type === ICMP_UNREACH && x.code === ICMP_NEED_FRAG ? x.rest & 0xffff : undefined;
  });

  const v6 = r.definer('icmpv6');
  const m6 = (c: FieldContext) => icmp(c, 'icmpv6');
  const echo6 = (c: FieldContext) => {
    const x = m6(c);
    return x && (x.type === ICMP6_ECHO_REQUEST || x.type === ICMP6_ECHO_REPLY) ? x : undefined;
  };
  v6.protocol('icmpv6', 'Internet Control Message Protocol v6', (c) => (m6(c) ? 'icmpv6' : undefined));
  v6.field('icmpv6.type', 'uint8', 'Type', (c) => m6(c)?.type);
  v6.field('icmpv6.code', 'uint8', 'Code', (c) => m6(c)?.code);
  v6.field('icmpv6.checksum', 'uint16', 'Checksum', (c) => m6(c)?.checksum, { base: 'hex' });
  v6.field('icmpv6.checksum.status', 'uint8', 'Checksum Status (0 bad, 1 good, 2 unverified)', (c) => {
    const x = m6(c);
    return x && checksumStatus(x.checksumOk);
  });
  v6.field('icmpv6.mtu', 'uint32', 'MTU', (c) => {
    const x = m6(c);
    return x?.type === ICMP6_PACKET_TOO_BIG ? x.rest >>> 0 : undefined;
  });
  v6.field('icmpv6.echo.identifier', 'uint16', 'Identifier', (c) => {
    const x = echo6(c);
    return x && x.rest >>> 16;
  }, { base: 'hex' });
  v6.field('icmpv6.echo.sequence_number', 'uint16', 'Sequence', (c) => {
    const x = echo6(c);
    return x && x.rest & 0xffff;
  });
}

/**
 * Bytes no dissector claimed. tshark hands well-known ports to application
 * dissectors (ssh, dns, http); mpscope has none, so every payload is `data`.
 */
function defineData(r: FieldRegistry): void {
  const d = r.definer('data');
  d.protocol('data', 'Data', payload);
  d.field('data.data', 'bytes', 'Data', payload);
  d.field('data.len', 'int32', 'Length', (c) => payload(c)?.length);
}

export function defineTransportFields(r: FieldRegistry): void {
  defineUdp(r);
  defineIcmp(r);
}

export { defineData as defineDataFields };
