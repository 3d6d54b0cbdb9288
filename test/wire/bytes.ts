/** Small byte helpers for the wire tests: hex in and out, and hand-built headers with correct checksums. */
import { fillIcmpChecksum, fillIpv4Checksum, fillTcpChecksum, fillUdpChecksum } from '../../src/wire/checksum.js';
import type { Frame } from '../../src/capture/types.js';
import { hex } from '../helpers/bytes.js';

export { concat, hex, toHex } from '../helpers/bytes.js';

/** `data` as a frame of the raw IP link type (101), as the decoder takes it. */
export function rawFrame(data: Uint8Array, origLen = data.length): Frame {
  return { number: 1, linkType: 101, tsSec: 0, tsNsec: 0, tsDigits: 6, origLen, data, ifIndex: 0 };
}

export interface TcpSpec {
  srcPort?: number;
  dstPort?: number;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  /** Option bytes; padded with zeros to a multiple of 4. */
  options?: Uint8Array;
  payload?: Uint8Array;
}

/** A TCP segment (header + payload), checksum left zero. */
export function tcpSegment(s: TcpSpec): Uint8Array {
  const opts = s.options ?? new Uint8Array(0);
  const optLen = (opts.length + 3) & ~3;
  const payload = s.payload ?? new Uint8Array(0);
  const b = new Uint8Array(20 + optLen + payload.length);
  const v = new DataView(b.buffer);
  v.setUint16(0, s.srcPort ?? 40000);
  v.setUint16(2, s.dstPort ?? 80);
  v.setUint32(4, s.seq ?? 1000);
  v.setUint32(8, s.ack ?? 0);
  const flags = s.flags ?? 0x002;
  b[12] = (((20 + optLen) / 4) << 4) | ((flags >> 8) & 0x0f);
  b[13] = flags & 0xff;
  v.setUint16(14, s.window ?? 64240);
  b.set(opts, 20);
  b.set(payload, 20 + optLen);
  return b;
}

/** An IPv4 header (no options) in front of `l4`, both checksums filled. */
export function ipv4Packet(protocol: number, l4: Uint8Array, opts: { src?: number; dst?: number; ttl?: number; id?: number } = {}): Uint8Array {
  const b = new Uint8Array(20 + l4.length);
  const v = new DataView(b.buffer);
  b[0] = 0x45;
  v.setUint16(2, b.length);
  v.setUint16(4, opts.id ?? 0x1234);
  v.setUint16(6, 0x4000);
  b[8] = opts.ttl ?? 64;
  b[9] = protocol;
  v.setUint32(12, opts.src ?? 0x0a000001);
  v.setUint32(16, opts.dst ?? 0x0a000002);
  b.set(l4, 20);
  fillIpv4Checksum(b, 0);
  fillL4(b, 0, 20, protocol);
  return b;
}

/** An IPv6 header in front of `rest` (extension headers and upper layer); `l4At` is where the upper layer starts in `rest`. */
export function ipv6Packet(nextHeader: number, rest: Uint8Array, protocol: number, l4At = 0, hopLimit = 64): Uint8Array {
  const b = new Uint8Array(40 + rest.length);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0x60012345);
  v.setUint16(4, rest.length);
  b[6] = nextHeader;
  b[7] = hopLimit;
  b.set(hex('20010db8000000000000000000000001'), 8);
  b.set(hex('20010db8000000000000000000000002'), 24);
  b.set(rest, 40);
  fillL4(b, 0, 40 + l4At, protocol);
  return b;
}

function fillL4(b: Uint8Array, ip: number, l4: number, protocol: number): void {
  if (protocol === 6) fillTcpChecksum(b, ip, l4);
  else if (protocol === 17) fillUdpChecksum(b, ip, l4);
  else if (protocol === 1 || protocol === 58) fillIcmpChecksum(b, ip, l4);
}

export const ETH_IPV4 = hex('020000000002 020000000001 0800');
export const ETH_IPV6 = hex('020000000002 020000000001 86dd');
