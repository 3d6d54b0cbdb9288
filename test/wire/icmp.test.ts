import assert from 'node:assert/strict';
import { test } from 'node:test';
import { icmpCodec, icmpv6Codec } from '../../src/wire/icmp.js';
import { decodePacket } from '../../src/wire/packet.js';
import { assertRoundTrip } from '../helpers/roundtrip.js';
import { concat, hex, ipv4Packet, ipv6Packet, rawFrame, tcpSegment } from './bytes.js';

/** A SYN with MSS, SACK-permitted, timestamps, window scale and a v1 MP_CAPABLE, as sent (TTL 1). */
const SYN_OPTIONS = hex('020405b4 0402 080a 00000001 00000000 01 030307 1e04 0181');
function sentSyn(): Uint8Array {
  return ipv4Packet(6, tcpSegment({ srcPort: 33000, dstPort: 80, seq: 0xabcdef01, options: SYN_OPTIONS }), { ttl: 1, src: 0xc0000201, dst: 0xc6336401 });
}

test('ICMP Time Exceeded quoting a whole SYN (RFC 1812): IP header, TCP header and its options', () => {
  const quoted = sentSyn();
  const msg = ipv4Packet(1, concat(hex('0b000000 00000000'), quoted), { src: 0x0a000001, dst: 0xc0000201 });
  const p = decodePacket(rawFrame(msg));
  const icmp = p.icmp!;
  assert.deepEqual([icmp.layer, icmp.type, icmp.code, icmp.checksumOk, icmp.originalLength, icmp.payloadOffset], ['icmp', 11, 0, true, 0, 28]);
  const q = icmp.quote!;
  assert.equal(q.ip?.layer, 'ip');
  assert.equal(q.ip?.layer === 'ip' && q.ip.ttl, 1);
  assert.equal(q.ip?.layer === 'ip' && q.ip.checksumOk, true);
  assert.deepEqual([q.tcp?.srcPort, q.tcp?.dstPort, q.tcp?.seq, q.tcp?.flags], [33000, 80, 0xabcdef01, 0x002]);
  assert.deepEqual(q.tcp?.options.map((o) => o.type), ['mss', 'sackPerm', 'timestamps', 'nop', 'wscale', 'mptcp']);
  const mp = q.tcp!.options[5]!;
  assert.ok(mp.type === 'mptcp' && mp.mptcp.name === 'MP_CAPABLE');
  assert.deepEqual([q.partial, q.transportBytes, q.findings.length], [false, 44, 0]);
  // The quote's findings are its own; the packet has none.
  assert.deepEqual(p.findings, []);
  assert.equal(p.tcp, undefined);
  assertRoundTrip(icmpCodec, msg.subarray(20, 28), undefined, 'icmp header');
});

test('RFC 792 quote: IP header plus 8 bytes of TCP is partial (ports and sequence only)', () => {
  const quoted = sentSyn().subarray(0, 28);
  const p = decodePacket(rawFrame(ipv4Packet(1, concat(hex('0b000000 00000000'), quoted))));
  const q = p.icmp!.quote!;
  assert.deepEqual([q.partial, q.transportBytes, q.tcp?.srcPort, q.tcp?.seq, q.tcp?.options.length], [true, 8, 33000, 0xabcdef01, 0]);
  assert.deepEqual(q.findings, []);
});

test('RFC 4884: the length byte bounds the quote, the extension structure after it is not quoted TCP', () => {
  const quoted = sentSyn().subarray(0, 32); // 20 IP + 12 TCP = 8 words
  const padded = concat(quoted, new Uint8Array(128 - quoted.length));
  const ext = hex('20000000 00080101 00000001'); // version 2 header + one object
  const icmp = concat(hex('0b000000 00200000'), padded, ext); // byte 5: 32 words = 128 bytes of original datagram
  const p = decodePacket(rawFrame(ipv4Packet(1, icmp)));
  assert.equal(p.icmp!.originalLength, 128);
  const q = p.icmp!.quote!;
  assert.equal(q.transportBytes, 108);
  assert.equal(q.tcp?.srcPort, 33000);
  // RFC 4884 pads the original datagram with zeros: here the data offset byte is padding, so the quote has a finding.
  assert.equal(q.findings[0]?.code, 'malformed');
  assert.equal(p.icmp!.checksumOk, true);
  assert.deepEqual(p.findings, []);
});

test('ICMP quoting UDP, and a bad ICMP checksum is a finding', () => {
  const udp = ipv4Packet(17, hex('8235 0035 0010 0000 0102030405060708'));
  const msg = ipv4Packet(1, concat(hex('0303000000000000'), udp.subarray(0, 28)));
  const p = decodePacket(rawFrame(msg));
  assert.deepEqual([p.icmp?.quote?.udp?.srcPort, p.icmp?.quote?.udp?.dstPort, p.icmp?.quote?.partial], [0x8235, 53, false]);
  msg[22]! ^= 1;
  const bad = decodePacket(rawFrame(msg));
  assert.equal(bad.icmp?.checksumOk, false);
  assert.equal(bad.findings[0]?.code, 'icmp.checksum.bad');
  assert.match(bad.findings[0]!.message, /^Bad checksum \[should be 0x[0-9a-f]{4}\]$/);
});

test('ICMP echo has no quote; rest holds identifier and sequence', () => {
  const p = decodePacket(rawFrame(ipv4Packet(1, hex('0800 0000 1234 0001 6162636465'))));
  assert.deepEqual([p.icmp?.type, p.icmp?.rest, p.icmp?.quote, p.icmp?.payloadLength, p.payloadLength], [8, 0x12340001, undefined, 5, 5]);
});

test('ICMPv6 Packet Too Big and Time Exceeded quote IPv6 + TCP; the checksum uses the pseudo-header', () => {
  const syn = ipv6Packet(6, tcpSegment({ srcPort: 33001, options: SYN_OPTIONS }), 6, 0, 1);
  const ptb = ipv6Packet(58, concat(hex('0200 0000 000005dc'), syn), 58);
  const p = decodePacket(rawFrame(ptb));
  assert.deepEqual([p.icmp?.layer, p.icmp?.type, p.icmp?.rest, p.icmp?.checksumOk], ['icmpv6', 2, 1500, true]);
  const q = p.icmp!.quote!;
  assert.equal(q.ip?.layer, 'ipv6');
  assert.equal(q.tcp?.srcPort, 33001);
  assert.equal(q.tcp?.options.length, 6);
  assert.equal(q.partial, false);
  assertRoundTrip(icmpv6Codec, ptb.subarray(40, 48), undefined, 'icmpv6 header');

  // Time Exceeded with an RFC 4884 length of 9 words (72 bytes: 40 IPv6 + 32 TCP header start).
  const te = concat(hex('0300 0000 09000000'), syn.subarray(0, 72), new Uint8Array(8));
  const t = decodePacket(rawFrame(ipv6Packet(58, te, 58)));
  assert.equal(t.icmp?.originalLength, 72);
  assert.deepEqual([t.icmp?.quote?.transportBytes, t.icmp?.quote?.partial], [32, true]);
  assert.equal(t.icmp?.quote?.findings[0]?.code, 'truncated');
});

test('ICMP quotes that stop inside the IP header decode nothing further and never throw', () => {
  const quoted = sentSyn();
  for (let n = 0; n <= quoted.length; n++) {
    const p = decodePacket(rawFrame(ipv4Packet(1, concat(hex('0b000000 00000000'), quoted.subarray(0, n)))));
    const q = p.icmp!.quote!;
    if (n < 20) assert.equal(q.ip, undefined);
    if (n < 28) assert.equal(q.tcp, undefined);
    else assert.equal(q.tcp?.srcPort, 33000);
  }
});
