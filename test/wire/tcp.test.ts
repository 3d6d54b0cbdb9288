import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodePacket } from '../../src/wire/packet.js';
import { decodeQuotedTcp, tcpCodec } from '../../src/wire/tcp.js';
import { TcpFlag } from '../../src/wire/types.js';
import type { Finding } from '../../src/wire/types.js';
import { assertRoundTrip } from '../helpers/roundtrip.js';
import { CORPUS, SHARED, SKIP_NO_SHARED } from '../helpers/shared.js';
import { hex, ipv4Packet, rawFrame, tcpSegment } from './bytes.js';
import { loadFrames } from './frames.js';

test('seed SYN: TCP header with MSS, SACK-permitted, timestamps, NOP, window scale and MP_CAPABLE round-trips', { skip: SKIP_NO_SHARED }, () => {
  const v = JSON.parse(readFileSync(join(SHARED, 'vectors/seed-vectors.json'), 'utf8')) as { vectors: Array<Record<string, unknown>> };
  const bytes = hex(v.vectors.find((x) => typeof x['ipv4_tcp_header_hex_syn'] === 'string')!['ipv4_tcp_header_hex_syn'] as string);
  const r = assertRoundTrip(tcpCodec, bytes.subarray(20), undefined, 'seed tcp');
  assert.deepEqual(
    [r.srcPort, r.dstPort, r.seq, r.ack, r.dataOffset, r.flags, r.window, r.checksum, r.urgentPointer, r.length],
    [37746, 9999, 0xbea69feb, 0, 13, TcpFlag.SYN, 0x7210, 0x9d0e, 0, 52],
  );
  assert.deepEqual(r.options.map((o) => o.type), ['mss', 'sackPerm', 'timestamps', 'nop', 'wscale', 'mptcp']);
  const mp = r.options[5]!;
  assert.ok(mp.type === 'mptcp' && mp.mptcp.name === 'MP_CAPABLE' && mp.mptcp.senderKey === 0x877cfcac977e4b88n);
  // No IP context: the captured bytes are the segment, and the checksum is left unverified.
  assert.equal(r.checksumOk, undefined);
  assert.equal(r.payloadLength, 0);
});

test('all twelve flag bits, AE and the three reserved bits included, round-trip', () => {
  for (const flags of [0x000, 0xfff, TcpFlag.AE | TcpFlag.SYN, TcpFlag.RES, 0x0ff, 0x800 | TcpFlag.FIN]) {
    const r = assertRoundTrip(tcpCodec, tcpSegment({ flags }), undefined, `flags ${flags.toString(16)}`);
    assert.equal(r.flags, flags);
  }
});

test('corpus: the eight low flag bits set (tcpdump test) decode as 0x0ff', { skip: SKIP_NO_SHARED }, () => {
  const [f] = loadFrames(join(CORPUS, 'tcpdump/tcp_eight_lowest_weight_flags_set.pcap'));
  const p = decodePacket(f!);
  assert.equal(p.tcp?.flags, 0x0ff);
});

test('tcp.len comes from the IP length; payloadCaptured is what the frame holds', () => {
  const seg = tcpSegment({ payload: new Uint8Array(300).fill(7), flags: TcpFlag.ACK | TcpFlag.PSH });
  const pkt = ipv4Packet(6, seg);
  const p = decodePacket(rawFrame(pkt));
  assert.deepEqual([p.tcp?.payloadOffset, p.tcp?.payloadLength, p.tcp?.payloadCaptured, p.tcp?.checksumOk], [40, 300, 300, true]);
  assert.deepEqual([p.payloadOffset, p.payloadLength], [40, 300]);
  const cut = decodePacket({ ...rawFrame(pkt.subarray(0, 100)), origLen: pkt.length });
  assert.deepEqual([cut.tcp?.payloadLength, cut.tcp?.payloadCaptured, cut.tcp?.checksumOk, cut.payloadLength], [300, 60, undefined, 60]);
  assert.deepEqual(cut.findings, []);
});

test('a bad TCP checksum sets checksumOk false and raises no finding (offload)', () => {
  const pkt = ipv4Packet(6, tcpSegment({ payload: hex('0102') }));
  pkt[36]! ^= 0x55;
  const p = decodePacket(rawFrame(pkt));
  assert.equal(p.tcp?.checksumOk, false);
  assert.deepEqual(p.findings, []);
  assert.equal(decodePacket(rawFrame(pkt), { checksums: false }).tcp?.checksumOk, undefined);
});

test('bogus data offsets: below 5, and beyond the segment', () => {
  const low = tcpSegment({});
  low[12] = 0x40;
  const f1: Finding[] = [];
  const r = tcpCodec.decode(low, 0, low.length, f1, undefined)!;
  assert.equal(f1[0]?.message, 'Bogus TCP header length (16, must be at least 20)');
  assert.deepEqual([r.length, r.options.length, r.payloadOffset], [20, 0, 20]);
  const high = ipv4Packet(6, tcpSegment({}));
  high[32] = 0xf0;
  const p = decodePacket(rawFrame(high));
  assert.equal(p.findings[0]?.code, 'malformed');
  assert.equal(p.tcp?.payloadLength, 0);
});

test('a header cut short decodes what is there', () => {
  const seg = tcpSegment({ options: hex('020405b4 0402 080a 00000001 00000002') });
  const findings: Finding[] = [];
  const r = tcpCodec.decode(seg, 0, 26, findings, undefined)!;
  assert.equal(r.length, 26);
  assert.deepEqual(r.options.map((o) => o.type), ['mss', 'sackPerm']);
  assert.deepEqual(findings.map((f) => f.code), ['truncated']);
  assert.equal(tcpCodec.decode(seg, 0, 19, [], undefined), undefined);
});

test('quoted TCP: 8 bytes give ports and sequence; a whole header gives options too', () => {
  const seg = tcpSegment({ seq: 0x01020304, options: hex('020405b4 1e0400 81') });
  const q8 = decodeQuotedTcp(seg, 0, 8, [], 28)!;
  assert.deepEqual([q8.srcPort, q8.dstPort, q8.seq, q8.ack, q8.flags, q8.options.length, q8.length], [40000, 80, 0x01020304, 0, 0, 0, 8]);
  const full = decodeQuotedTcp(seg, 0, seg.length, [], seg.length)!;
  assert.deepEqual(full.options.map((o) => o.type), ['mss', 'mptcp']);
  assert.equal(decodeQuotedTcp(seg, 0, 7, [], 28), undefined);
});
