import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ethernetCodec } from '../../src/wire/ethernet.js';
import { loopbackCodec } from '../../src/wire/loopback.js';
import { decodePacket } from '../../src/wire/packet.js';
import { pppCodec } from '../../src/wire/ppp.js';
import { sll2Codec, sllCodec } from '../../src/wire/sll.js';
import type { Finding } from '../../src/wire/types.js';
import { assertRoundTrip } from '../helpers/roundtrip.js';
import { CORPUS, SKIP_NO_SHARED } from '../helpers/shared.js';
import { concat, hex, ipv4Packet, ipv6Packet, tcpSegment, toHex } from './bytes.js';
import { loadFrames } from './frames.js';

function frame(linkType: number, data: Uint8Array, number = 1) {
  return { number, linkType, tsSec: 0, tsNsec: 0, tsDigits: 6, origLen: data.length, data, ifIndex: 0 };
}

test('Ethernet: corpus headers round-trip; one 802.1Q tag from a real capture', { skip: SKIP_NO_SHARED }, () => {
  const [f] = loadFrames(join(CORPUS, 'tcpdump/ipv4_tcp_http_xml.pcap'));
  const r = assertRoundTrip(ethernetCodec, f!.data.subarray(0, 18), undefined, 'vlan');
  assert.equal(r.vlans.length, 1);
  assert.equal(r.vlans[0]!.tpid, 0x8100);
  assert.equal(r.vlans[0]!.vid, 165);
  assert.equal(r.etherType, 0x0800);
  const p = decodePacket(f!);
  assert.equal(p.ip?.offset, 18);
  assert.deepEqual([p.tcp?.srcPort, p.tcp?.dstPort], [80, 5767]);
  for (const g of loadFrames(join(CORPUS, 'tcpdump/mptcp-v0.pcap')).slice(0, 5)) {
    const e = assertRoundTrip(ethernetCodec, g.data.subarray(0, 14), undefined, `mptcp-v0 #${g.number}`);
    assert.equal(toHex(e.dst), toHex(g.data.subarray(0, 6)));
    assert.equal(toHex(e.src), toHex(g.data.subarray(6, 12)));
  }
});

test('Ethernet: QinQ (802.1ad outer, 802.1Q inner) and the old 0x9100 TPID', () => {
  const hdr = hex('ffffffffffff 020000000001 88a8 a064 8100 200a 86dd');
  const r = assertRoundTrip(ethernetCodec, hdr, undefined, 'qinq');
  assert.deepEqual(r.vlans.map((v) => [v.tpid, v.pcp, v.dei, v.vid, v.offset]), [[0x88a8, 5, false, 100, 12], [0x8100, 1, false, 10, 16]]);
  assert.equal(r.etherType, 0x86dd);
  assert.equal(r.length, 22);
  const old = assertRoundTrip(ethernetCodec, hex('ffffffffffff 020000000001 9100 f001 0800'), undefined, '9100');
  assert.deepEqual([old.vlans[0]!.pcp, old.vlans[0]!.dei, old.vlans[0]!.vid], [7, true, 1]);
  // Through decodePacket, down to TCP behind two tags.
  const pkt = concat(hex('ffffffffffff 020000000001 88a8 0064 8100 000a 0800'), ipv4Packet(6, tcpSegment({})));
  const p = decodePacket(frame(1, pkt));
  assert.equal(p.tcp?.dstPort, 80);
  assert.equal(p.findings.length, 0);
});

test('Ethernet: a header or tag cut short is a truncated finding, never a throw', () => {
  const findings: Finding[] = [];
  assert.equal(ethernetCodec.decode(hex('ffffffffffff0200'), 0, 8, findings), undefined);
  assert.equal(findings[0]?.code, 'truncated');
  const f2: Finding[] = [];
  const r = ethernetCodec.decode(hex('ffffffffffff 020000000001 8100 00'), 0, 15, f2);
  assert.equal(r?.etherType, 0x8100);
  assert.equal(f2[0]?.code, 'truncated');
});

test('SLL v1 from a pcapng capture round-trips, stale address padding included', { skip: SKIP_NO_SHARED }, () => {
  const frames = loadFrames(join(CORPUS, 'pymptcpanalyzer/client_2.pcap'));
  let padded = 0;
  for (const f of frames.slice(0, 200)) {
    const r = assertRoundTrip(sllCodec, f.data.subarray(0, 16), undefined, `client_2 #${f.number}`);
    assert.equal(r.version, 1);
    assert.equal(r.addr.length, Math.min(r.addrLen, 8));
    if (f.data.subarray(6 + r.addrLen, 14).some((b) => b !== 0)) padded++;
  }
  assert.ok(padded > 0, 'expected frames with non-zero bytes after the address');
  const first = decodePacket(frames[0]!);
  assert.equal(first.link?.layer, 'sll');
  assert.equal(first.etherType, 0x0800);
});

test('SLL2 from ptcpdump tfo.pcap round-trips', { skip: SKIP_NO_SHARED }, () => {
  for (const f of loadFrames(join(CORPUS, 'ptcpdump/tfo.pcap'))) {
    const r = assertRoundTrip(sll2Codec, f.data.subarray(0, 20), undefined, `tfo #${f.number}`);
    assert.equal(r.version, 2);
    assert.equal(r.protocol, 0x0800);
    assert.ok(r.ifIndex !== undefined && r.ifIndex > 0);
    const p = decodePacket(f);
    assert.equal(p.ip?.offset, 20);
    assert.ok(p.tcp);
  }
});

test('PPP without address/control bytes from iperf-mptcp-0-0.pcap round-trips; both IP versions', { skip: SKIP_NO_SHARED }, () => {
  const frames = loadFrames(join(CORPUS, 'pymptcpanalyzer/iperf-mptcp-0-0.pcap'));
  const seen = new Set<number>();
  for (const f of frames) {
    const r = assertRoundTrip(pppCodec, f.data.subarray(0, 2), undefined, `ppp #${f.number}`);
    assert.equal(r.hdlc, false);
    seen.add(r.protocol);
  }
  assert.deepEqual([...seen].sort(), [0x0021, 0x0057]);
  const v6 = frames.find((f) => f.data[1] === 0x57)!;
  const p = decodePacket(v6);
  assert.equal(p.ip?.layer, 'ipv6');
  assert.equal(p.icmp?.layer, 'icmpv6');
});

test('PPP with ff 03 (HDLC framing) and a compressed one-byte protocol', () => {
  const r = assertRoundTrip(pppCodec, hex('ff030021'), undefined, 'hdlc');
  assert.deepEqual([r.hdlc, r.protocol, r.length], [true, 0x21, 4]);
  const c = assertRoundTrip(pppCodec, hex('21'), undefined, 'pfc');
  assert.deepEqual([c.hdlc, c.protocol, c.length], [false, 0x21, 1]);
  const p = decodePacket(frame(50, concat(hex('ff030021'), ipv4Packet(6, tcpSegment({})))));
  assert.equal(p.tcp?.srcPort, 40000);
  const lcp = decodePacket(frame(9, hex('ff03c021 0101000401020304')));
  assert.equal(lcp.etherType, 0xc021);
  assert.equal(lcp.payloadOffset, 4);
});

test('NULL / LOOP: family in host order (either) or network order; 2 is IPv4, 24/28/30 IPv6', () => {
  const cases: Array<[string, number, boolean]> = [
    ['02000000', 2, false], ['00000002', 2, true], ['18000000', 24, false], ['1c000000', 28, false],
    ['1e000000', 30, false], ['0000001e', 30, true],
  ];
  for (const [h, family, bigEndian] of cases) {
    const r = assertRoundTrip(loopbackCodec, hex(h), undefined, h);
    assert.deepEqual([r.family, r.bigEndian], [family, bigEndian], h);
  }
  const v4 = decodePacket(frame(0, concat(hex('02000000'), ipv4Packet(6, tcpSegment({ dstPort: 22 })))));
  assert.equal(v4.tcp?.dstPort, 22);
  const v6 = decodePacket(frame(108, concat(hex('0000001e'), ipv6Packet(6, tcpSegment({ dstPort: 443 }), 6))));
  assert.equal(v6.ip?.layer, 'ipv6');
  assert.equal(v6.tcp?.dstPort, 443);
  assert.equal(v6.tcp?.checksumOk, true);
  const odd = decodePacket(frame(0, hex('07000000 00112233')));
  assert.equal(odd.etherType, 0);
  assert.equal(odd.payloadOffset, 4);
});

test('raw IP link types pick the IP version from the first nibble', () => {
  const v4 = ipv4Packet(6, tcpSegment({}));
  const v6 = ipv6Packet(6, tcpSegment({}), 6);
  for (const lt of [101, 12, 14]) {
    assert.equal(decodePacket(frame(lt, v4)).ip?.layer, 'ip');
    assert.equal(decodePacket(frame(lt, v6)).ip?.layer, 'ipv6');
  }
  assert.equal(decodePacket(frame(228, v4)).tcp?.dstPort, 80);
  assert.equal(decodePacket(frame(229, v6)).tcp?.dstPort, 80);
  const junk = decodePacket(frame(101, hex('1234')));
  assert.equal(junk.ip, undefined);
  assert.equal(junk.findings[0]?.code, 'malformed');
});

test('ARP stays payload: the EtherType and payload offset tell a presenter where it starts', { skip: SKIP_NO_SHARED }, () => {
  const frames = loadFrames(join(CORPUS, 'tcpdump/mptcp-fclose.pcap'));
  const arp = frames.map((f) => decodePacket(f)).filter((p) => p.etherType === 0x0806);
  assert.equal(arp.length, 2);
  for (const p of arp) {
    assert.equal(p.ip, undefined);
    assert.equal(p.payloadOffset, 14);
    assert.equal(p.payloadLength, p.capLen - 14);
    assert.equal(p.data[p.payloadOffset + 1], 0x01, 'ARP hardware type 1 starts at the payload');
  }
});

test('unknown link types are reported, not decoded', () => {
  const p = decodePacket(frame(147, hex('00010203')));
  assert.equal(p.link, undefined);
  assert.equal(p.findings[0]?.code, 'link.unsupported');
});
