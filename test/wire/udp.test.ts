import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodePacket } from '../../src/wire/packet.js';
import { udpCodec } from '../../src/wire/udp.js';
import type { Finding } from '../../src/wire/types.js';
import { assertRoundTrip } from '../helpers/roundtrip.js';
import { CORPUS, SKIP_NO_SHARED } from '../helpers/shared.js';
import { hex, ipv4Packet, ipv6Packet, rawFrame } from './bytes.js';
import { loadFrames } from './frames.js';

test('UDP: DNS from mptcp-aa-v1.pcap decodes and round-trips; its checksums are offloaded ones', { skip: SKIP_NO_SHARED }, () => {
  const dns = loadFrames(join(CORPUS, 'tcpdump/mptcp-aa-v1.pcap')).map((f) => decodePacket(f)).filter((p) => p.udp);
  assert.equal(dns.length, 2);
  for (const p of dns) {
    const u = p.udp!;
    assert.ok(u.srcPort === 53 || u.dstPort === 53);
    // Captured on the sending host before checksum offload: tshark -o udp.check_checksum:TRUE says Bad too.
    assert.equal(u.checksumOk, false);
    assert.deepEqual(p.findings, []);
    assert.equal(u.payloadLength, u.udpLength - 8);
    assert.deepEqual([p.payloadOffset, p.payloadLength], [u.payloadOffset, u.payloadLength]);
    assertRoundTrip(udpCodec, p.data.subarray(u.offset, u.offset + 8), undefined, 'dns');
  }
});

test('UDP checksum: zero means none over IPv4, is invalid over IPv6', () => {
  const d = hex('1111 2222 000c 0000 61626364');
  const v4 = ipv4Packet(17, d);
  v4[26] = 0;
  v4[27] = 0;
  assert.equal(decodePacket(rawFrame(v4)).udp?.checksumOk, undefined);
  const v6 = ipv6Packet(17, d, 17);
  assert.equal(decodePacket(rawFrame(v6)).udp?.checksumOk, true);
  v6[46] = 0;
  v6[47] = 0;
  assert.equal(decodePacket(rawFrame(v6)).udp?.checksumOk, false);
});

test('UDP length field: below 8 or beyond the IP payload is malformed', () => {
  const f1: Finding[] = [];
  udpCodec.decode(hex('1111222200040000'), 0, 8, f1, undefined);
  assert.equal(f1[0]?.message, 'Bad length value 4 < UDP header length 8');
  const p = decodePacket(rawFrame(ipv4Packet(17, hex('1111 2222 0040 0000 61626364'))));
  assert.equal(p.findings[0]?.code, 'malformed');
  assert.equal(p.udp?.payloadLength, 4);
  assert.equal(udpCodec.decode(hex('11112222'), 0, 4, [], undefined), undefined);
});
