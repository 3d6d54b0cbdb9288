import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fillIpv4Checksum } from '../../src/wire/checksum.js';
import { ipv4Codec, ipv4ToString } from '../../src/wire/ipv4.js';
import { ipv6Codec, ipv6ToString } from '../../src/wire/ipv6.js';
import { decodePacket } from '../../src/wire/packet.js';
import type { Finding, Ipv6ExtRepr } from '../../src/wire/types.js';
import { assertRoundTrip } from '../helpers/roundtrip.js';
import { CORPUS, SHARED, SKIP_NO_SHARED } from '../helpers/shared.js';
import { concat, ETH_IPV4, hex, ipv4Packet, ipv6Packet, rawFrame, tcpSegment, toHex } from './bytes.js';
import { loadFrames } from './frames.js';

function seedSyn(): Uint8Array {
  const v = JSON.parse(readFileSync(join(SHARED, 'vectors/seed-vectors.json'), 'utf8')) as { vectors: Array<Record<string, unknown>> };
  return hex(v.vectors.find((x) => typeof x['ipv4_tcp_header_hex_syn'] === 'string')!['ipv4_tcp_header_hex_syn'] as string);
}

test('IPv4: the seed SYN header decodes field by field and round-trips', { skip: SKIP_NO_SHARED }, () => {
  const bytes = seedSyn();
  const r = assertRoundTrip(ipv4Codec, bytes.subarray(0, 20), undefined, 'seed');
  assert.equal(ipv4ToString(r.src), '203.250.35.157');
  assert.equal(ipv4ToString(r.dst), '203.250.33.51');
  assert.deepEqual(
    [r.ihl, r.dscp, r.ecn, r.totalLength, r.id, r.flags, r.fragOffset, r.ttl, r.protocol, r.checksum, r.checksumOk, r.isFragment],
    [5, 0, 0, 72, 0x12f6, 2, 0, 63, 6, 0x4bf5, true, false],
  );
  const p = decodePacket(rawFrame(bytes));
  assert.equal(p.tcp?.checksumOk, true);
  assert.equal(p.tcp?.payloadLength, 0);
  assert.deepEqual(p.findings, []);
});

test('IPv4 options are kept raw: NOP, record route, EOL with its padding; re-encoded identically', () => {
  const h = hex('4800 0028 0001 0000 4006 0000 0a000001 0a000002 01 0707 04 00000000 00 0000 00000000');
  // ihl 8 = 32 bytes: NOP, RR (7 bytes), EOL + padding
  const hdr = h.subarray(0, 32);
  hdr[0] = 0x48;
  fillIpv4Checksum(hdr, 0);
  const r = assertRoundTrip(ipv4Codec, hdr, undefined, 'options');
  assert.deepEqual(r.options.map((o) => [o.type, o.offset, o.raw.length]), [[1, 20, 1], [7, 21, 7], [0, 28, 4]]);
  assert.equal(r.checksumOk, true);
  const bad = hdr.slice();
  bad[22] = 40; // record route length runs past the header
  const findings: Finding[] = [];
  const b = ipv4Codec.decode(bad, 0, bad.length, findings, undefined)!;
  assert.equal(findings.find((f) => f.code === 'ip.option.bad_length')?.offset, 21);
  assert.equal(toHex(ipv4Codec.encode(b)), toHex(bad));
});

test('IPv4: a bad header checksum is a finding with the right value', () => {
  const p = ipv4Packet(6, tcpSegment({}));
  const good = (p[10]! << 8) | p[11]!;
  p[10]! ^= 0xff;
  const findings: Finding[] = [];
  const r = ipv4Codec.decode(p, 0, p.length, findings, undefined)!;
  assert.equal(r.checksumOk, false);
  const f = findings.find((x) => x.code === 'ip.checksum.bad')!;
  assert.equal(f.severity, 'error');
  assert.match(f.message, new RegExp(`should be 0x${good.toString(16).padStart(4, '0')}`));
  assert.equal(f.offset, 10);
});

test('IPv4 fragments are flagged and their payload is not read as TCP', () => {
  const first = ipv4Packet(6, tcpSegment({}));
  first[6] = 0x20; // MF
  fillIpv4Checksum(first, 0);
  const p1 = decodePacket(rawFrame(first));
  assert.equal(p1.ip?.isFragment, true);
  assert.equal(p1.tcp, undefined);
  assert.equal(p1.findings.find((f) => f.code === 'ip.fragment')?.severity, 'note');
  assert.equal(p1.payloadOffset, 20);
  const later = ipv4Packet(6, tcpSegment({}));
  later[6] = 0x00;
  later[7] = 0xb9; // offset 185 * 8 = 1480
  fillIpv4Checksum(later, 0);
  const p2 = decodePacket(rawFrame(later));
  assert.equal(p2.ip?.layer === 'ip' && p2.ip.fragOffset, 185);
  assert.match(p2.findings[0]!.message, /off=1480/);
  assert.equal(p2.tcp, undefined);
});

test('IPv4 lengths: TSO zero length, total length beyond the frame, bogus header length and version', () => {
  const tso = ipv4Packet(6, tcpSegment({ payload: new Uint8Array(100) }));
  tso[2] = 0;
  tso[3] = 0;
  fillIpv4Checksum(tso, 0);
  const p = decodePacket(rawFrame(tso));
  assert.equal(p.tcp?.payloadLength, 100);
  assert.deepEqual(p.findings, []);

  // The header claims 40 bytes more than the frame had on the wire: tshark cuts tcp.len to the frame.
  const long = ipv4Packet(6, tcpSegment({ payload: new Uint8Array(60) }));
  long[3]! += 40;
  fillIpv4Checksum(long, 0);
  const q = decodePacket(rawFrame(long));
  assert.equal(q.tcp?.payloadLength, 60);
  assert.equal(q.findings[0]?.code, 'ip.length_exceeds_packet');
  assert.equal(q.findings[0]?.message, `IPv4 total length exceeds packet length (${long.length} bytes)`);

  // A snapped capture is not that: the wire length covers the header's claim.
  const snapped = ipv4Packet(6, tcpSegment({ payload: new Uint8Array(500) }));
  const s = decodePacket(rawFrame(snapped.subarray(0, 54), snapped.length));
  assert.deepEqual([s.tcp?.payloadLength, s.tcp?.payloadCaptured, s.tcp?.checksumOk], [500, 14, undefined]);
  assert.deepEqual(s.findings, []);

  const shortTotal = ipv4Packet(6, tcpSegment({}));
  shortTotal[3] = 12;
  const t = decodePacket(rawFrame(shortTotal));
  assert.equal(t.tcp, undefined);
  assert.match(t.findings.map((f) => f.message).join(), /Bogus IP length \(12, less than header length 20\)/);

  const badIhl = ipv4Packet(6, tcpSegment({}));
  badIhl[0] = 0x44;
  const findings: Finding[] = [];
  assert.equal(ipv4Codec.decode(badIhl, 0, badIhl.length, findings, undefined), undefined);
  assert.equal(findings[0]?.message, 'Bogus IP header length (16, must be at least 20)');

  const cut: Finding[] = [];
  const withOpts = hex('4f000040000000004006000001020304050607080000000000000000');
  const c = ipv4Codec.decode(withOpts, 0, withOpts.length, cut, undefined)!;
  assert.equal(c.length, withOpts.length);
  assert.equal(c.checksumOk, undefined);
  assert.equal(cut[0]?.code, 'truncated');
});

test('Ethernet padding after a short IPv4 packet is not payload', () => {
  const pkt = concat(ETH_IPV4, ipv4Packet(6, tcpSegment({ flags: 0x010 })), new Uint8Array(6));
  const p = decodePacket({ number: 1, linkType: 1, tsSec: 0, tsNsec: 0, tsDigits: 6, origLen: pkt.length, data: pkt, ifIndex: 0 });
  assert.deepEqual([p.tcp?.payloadLength, p.tcp?.payloadCaptured, p.payloadLength, p.tcp?.checksumOk], [0, 0, 0, true]);
});

test('IPv6 from the corpus: hop-by-hop MLD (client_2) and plain ICMPv6 (iperf PPP) round-trip', { skip: SKIP_NO_SHARED }, () => {
  let hbh = 0;
  for (const name of ['pymptcpanalyzer/client_2.pcap', 'pymptcpanalyzer/iperf-mptcp-0-0.pcap']) {
    for (const f of loadFrames(join(CORPUS, name))) {
      const p = decodePacket(f);
      if (p.ip?.layer !== 'ipv6') continue;
      const r = assertRoundTrip(ipv6Codec, f.data.subarray(p.ip.offset, p.ip.offset + p.ip.length), undefined, `${name} #${f.number}`);
      assert.equal(r.protocol, 58);
      assert.equal(p.icmp?.checksumOk, true);
      if (r.extensions.length) {
        hbh++;
        assert.equal(r.extensions[0]!.type, 0);
        assert.equal(r.nextHeader, 0);
        assert.equal(ipv6ToString(r.dst).startsWith('ff02::'), true);
      }
    }
  }
  assert.ok(hbh >= 8);
});

test('IPv6 extension chain: hop-by-hop, routing, destination options, fragment (first), AH, then TCP', () => {
  const tcp = tcpSegment({ dstPort: 8080 });
  const hop = hex('2b00 010400000000'); // next: routing; PadN
  const routing = hex('3c02 0401 00000000 20010db8000000000000000000000099'); // next: dest opts; type 4, segleft 1
  const dest = hex('2c00 010400000000'); // next: fragment
  const frag = hex('3300 0001 12345678'); // next: AH; offset 0, M=1
  const ah = hex('0604 0000 00000001 00000002 aabbccddeeff0011 22334455'); // next TCP, len 4 -> 24 bytes
  const rest = concat(hop, routing, dest, frag, ah);
  const pkt = ipv6Packet(0, concat(rest, tcp), 6, rest.length);
  const findings: Finding[] = [];
  const r = ipv6Codec.decode(pkt, 0, pkt.length, findings, undefined)!;
  assert.deepEqual(r.extensions.map((e) => [e.type, e.offset, e.length, e.nextHeader]), [
    [0, 40, 8, 43], [43, 48, 24, 60], [60, 72, 8, 44], [44, 80, 8, 51], [51, 88, 24, 6],
  ]);
  const rt = r.extensions[1]!;
  assert.deepEqual([rt.routingType, rt.segmentsLeft], [4, 1]);
  const fr = r.extensions[3]!;
  assert.deepEqual([fr.fragOffset, fr.moreFragments, fr.fragId], [0, true, 0x12345678]);
  assert.equal(r.protocol, 6);
  assert.equal(r.length, 112);
  assert.equal(r.isFragment, true);
  assert.equal(findings[0]?.code, 'ip.fragment');
  assert.equal(r.length, pkt.length - tcp.length);
  assertRoundTrip(ipv6Codec, pkt.subarray(0, 112), undefined, 'chain');
  // A fragment's transport is left alone.
  assert.equal(decodePacket(rawFrame(pkt)).tcp, undefined);
  // Without the fragment header the TCP header is decoded, checksum included.
  const plain = concat(hop, hex('0600 010400000000'));
  const q = decodePacket(rawFrame(ipv6Packet(0, concat(plain, tcp), 6, plain.length)));
  assert.equal(q.tcp?.dstPort, 8080);
  assert.equal(q.tcp?.checksumOk, true);
});

test('IPv6 encoder: typed fragment and routing fields win over the data bytes', () => {
  const frag: Ipv6ExtRepr = { type: 44, offset: 40, length: 8, nextHeader: 6, data: hex('000000000000'), fragOffset: 185, moreFragments: true, fragId: 7 };
  const base = ipv6Codec.decode(ipv6Packet(59, new Uint8Array(0), 59), 0, 40, [], undefined)!;
  const out = ipv6Codec.encode({ ...base, src: base.src, dst: base.dst, nextHeader: 44, extensions: [frag] });
  assert.equal(toHex(out.subarray(40)), '060005c900000007');
});

test('IPv6: a later fragment stops the chain; a cut extension header is truncated', () => {
  const later = ipv6Packet(44, concat(hex('0600 05c8 00000001'), new Uint8Array(16)), 44);
  const r = ipv6Codec.decode(later, 0, later.length, [], undefined)!;
  assert.deepEqual([r.isFragment, r.protocol, r.length], [true, 6, 48]);
  assert.equal(decodePacket(rawFrame(later)).tcp, undefined);

  const cut = ipv6Packet(0, hex('0601 0000000000000000'), 0).subarray(0, 50);
  const findings: Finding[] = [];
  const c = ipv6Codec.decode(cut, 0, cut.length, findings, undefined)!;
  assert.equal(c.extensions.length, 0);
  assert.equal(c.protocol, 0);
  assert.equal(findings[0]?.code, 'truncated');
});

test('IPv6: payload length beyond the frame is cut like tshark; zero payload length takes the frame', () => {
  const p = ipv6Packet(6, tcpSegment({ payload: new Uint8Array(10) }), 6);
  p[5]! += 20;
  const d = decodePacket(rawFrame(p));
  assert.equal(d.tcp?.payloadLength, 10);
  assert.equal(d.findings[0]?.code, 'ip.length_exceeds_packet');
  const z = ipv6Packet(6, tcpSegment({ payload: new Uint8Array(10) }), 6);
  z[4] = 0;
  z[5] = 0;
  const e = decodePacket(rawFrame(z));
  assert.equal(e.tcp?.payloadLength, 10);
  assert.equal(e.tcp?.checksumOk, true);
});

test('address text: dotted quad and RFC 5952', () => {
  assert.equal(ipv4ToString(0xc0a80001), '192.168.0.1');
  assert.equal(ipv6ToString(hex('20010db8000000000000000000000001')), '2001:db8::1');
  assert.equal(ipv6ToString(hex('fe800000000000000200000000000001')), 'fe80::200:0:0:1');
  assert.equal(ipv6ToString(hex('00000000000000000000000000000000')), '::');
  assert.equal(ipv6ToString(hex('20010db8000100000001000100010001')), '2001:db8:1:0:1:1:1:1');
  assert.equal(ipv6ToString(hex('00000000000000000000ffffc0000201')), '::ffff:192.0.2.1');
});
