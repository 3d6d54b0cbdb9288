import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  fillIcmpChecksum, fillIpv4Checksum, fillTcpChecksum, fillUdpChecksum, foldChecksum, internetChecksum,
  onesComplementSum, verifyIcmpChecksum, verifyIpv4Checksum, verifyTransportChecksum,
} from '../../src/wire/checksum.js';
import { decodePacket } from '../../src/wire/packet.js';
import { CORPUS, SHARED, SKIP_NO_SHARED } from '../helpers/shared.js';
import { hex, ipv4Packet, ipv6Packet, tcpSegment } from './bytes.js';
import { loadFrames } from './frames.js';

/** The RFC 1071 definition, word by word, as the reference. */
function reference(d: Uint8Array, s: number, e: number): number {
  let sum = 0;
  for (let i = s; i < e; i += 2) sum += (d[i]! << 8) | (i + 1 < e ? d[i + 1]! : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

test('internet checksum matches RFC 1071 on every alignment, length and parity', () => {
  const big = new Uint8Array(4096);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7919 + 13) & 0xff;
  for (let shift = 0; shift < 8; shift++) {
    const d = big.subarray(shift);
    for (let s = 0; s < 9; s++) {
      for (let e = s; e < 1600; e += 29) assert.equal(internetChecksum(d, s, e), reference(d, s, e), `shift ${shift} [${s}, ${e})`);
    }
  }
  const ones = new Uint8Array(3000).fill(0xff);
  assert.equal(internetChecksum(ones, 1, 2999), reference(ones, 1, 2999));
});

test('RFC 1071 example: the sum of 0001 f203 f4f5 f6f7 is ddf2', () => {
  const d = hex('0001f203f4f5f6f7');
  assert.equal(foldChecksum(onesComplementSum(d, 0, d.length)), ~0xddf2 & 0xffff);
  // Chaining two even ranges gives the same sum as one.
  assert.equal(onesComplementSum(d, 0, 4, 0) + onesComplementSum(d, 4, 8), onesComplementSum(d, 0, 8));
  assert.equal(onesComplementSum(d, 4, 8, 5), onesComplementSum(d, 4, 8) + 5);
});

test('seed IPv4/TCP SYN: both checksums verify, and fill recomputes the same values', { skip: SKIP_NO_SHARED }, () => {
  const v = JSON.parse(readFileSync(join(SHARED, 'vectors/seed-vectors.json'), 'utf8')) as { vectors: Array<Record<string, unknown>> };
  const bytes = hex(v.vectors.find((x) => typeof x['ipv4_tcp_header_hex_syn'] === 'string')!['ipv4_tcp_header_hex_syn'] as string);
  assert.ok(verifyIpv4Checksum(bytes, 0));
  assert.ok(verifyTransportChecksum(bytes, 0, 20, 6));
  const copy = bytes.slice();
  copy.fill(0, 10, 12);
  copy.fill(0, 36, 38);
  assert.equal(fillIpv4Checksum(copy, 0), 0x4bf5);
  assert.equal(fillTcpChecksum(copy, 0, 20), 0x9d0e);
  assert.deepEqual(copy, bytes);
});

test('fill then verify: TCP and UDP over IPv4 and IPv6, ICMP and ICMPv6', () => {
  const seg = tcpSegment({ options: hex('020405b4'), payload: new TextEncoder().encode('hello, odd payload') });
  const p4 = ipv4Packet(6, seg);
  assert.ok(verifyIpv4Checksum(p4, 0));
  assert.ok(verifyTransportChecksum(p4, 0, 20, 6));
  p4[p4.length - 1]! ^= 1;
  assert.ok(!verifyTransportChecksum(p4, 0, 20, 6));

  const udp = hex('a0000035000c0000 61626364');
  const u4 = ipv4Packet(17, udp);
  assert.ok(verifyTransportChecksum(u4, 0, 20, 17));
  const u6 = ipv6Packet(17, udp, 17);
  assert.ok(verifyTransportChecksum(u6, 0, 40, 17));
  assert.notEqual(u6[46]! | u6[47]!, 0);

  const echo = hex('0800000012340001 6162636465');
  const i4 = ipv4Packet(1, echo);
  assert.ok(verifyIcmpChecksum(i4, 0, 20));
  const i6 = ipv6Packet(58, hex('8000000012340001 6162'), 58);
  assert.ok(verifyIcmpChecksum(i6, 0, 40));
  // ICMPv6 covers the pseudo-header: the ICMPv4 sum alone would differ.
  assert.notEqual(internetChecksum(i6, 40, i6.length), 0);
  const t6 = ipv6Packet(6, seg, 6);
  assert.ok(verifyTransportChecksum(t6, 0, 40, 6));
  assert.equal(fillTcpChecksum(t6, 0, 40), (t6[56]! << 8) | t6[57]!);
});

test('a UDP checksum that computes to zero is sent as ffff', () => {
  const udp = hex('0001 0002 000a 0000 0000');
  const p = ipv4Packet(17, udp);
  const c = (p[26]! << 8) | p[27]!;
  // Put the checksum value into the payload word: the new sum then folds to ffff, whose complement is 0.
  p[28] = c >> 8;
  p[29] = c & 0xff;
  assert.equal(fillUdpChecksum(p, 0, 20), 0xffff);
  assert.ok(verifyTransportChecksum(p, 0, 20, 17));
});

test('corpus: TCP, UDP and ICMPv6 checksums the captures carry verify (checksumOk true)', { skip: SKIP_NO_SHARED }, () => {
  const counts = { tcp: 0, udp: 0, icmpv6: 0, ipv4: 0 };
  for (const name of ['tcpdump/mptcp-aa-v1.pcap', 'tcpdump/mptcp-v0.pcap', 'pymptcpanalyzer/client_2.pcap', 'pymptcpanalyzer/iperf-mptcp-0-0.pcap']) {
    for (const f of loadFrames(join(CORPUS, name))) {
      const p = decodePacket(f);
      if (p.ip?.layer === 'ip' && p.ip.checksumOk === true) counts.ipv4++;
      if (p.tcp?.checksumOk === true) counts.tcp++;
      if (p.udp?.checksumOk === true) counts.udp++;
      if (p.icmp?.layer === 'icmpv6' && p.icmp.checksumOk === true) counts.icmpv6++;
      // Re-filling a checksum that verified must give back the captured value.
      if (p.tcp?.checksumOk === true && p.ip) {
        const copy = f.data.slice();
        assert.equal(fillTcpChecksum(copy, p.ip.offset, p.tcp.offset), p.tcp.checksum, `${name} #${f.number}`);
      }
      if (p.icmp?.checksumOk === true && p.ip) {
        const copy = f.data.slice();
        assert.equal(fillIcmpChecksum(copy, p.ip.offset, p.icmp.offset), p.icmp.checksum, `${name} #${f.number}`);
      }
    }
  }
  assert.ok(counts.tcp > 1000 && counts.udp >= 2 && counts.icmpv6 >= 6 && counts.ipv4 > 1000, JSON.stringify(counts));
});
