import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { basename } from 'node:path';
import { test } from 'node:test';
import type { Frame } from '../../src/capture/types.js';
import type { Codec } from '../../src/wire/codec.js';
import { ethernetCodec } from '../../src/wire/ethernet.js';
import { icmpCodec, icmpv6Codec } from '../../src/wire/icmp.js';
import { ipv4Codec, ipv4ToString } from '../../src/wire/ipv4.js';
import { ipv6Codec, ipv6ToString } from '../../src/wire/ipv6.js';
import { loopbackCodec } from '../../src/wire/loopback.js';
import { decodePacket, etherTypeName, ipProtocolName } from '../../src/wire/packet.js';
import { pppCodec } from '../../src/wire/ppp.js';
import { sll2Codec, sllCodec } from '../../src/wire/sll.js';
import { tcpCodec } from '../../src/wire/tcp.js';
import type { LinkRepr, Packet } from '../../src/wire/types.js';
import { udpCodec } from '../../src/wire/udp.js';
import { corpusCaptures, hasCommand, SKIP_NO_SHARED } from '../helpers/shared.js';
import { toHex } from './bytes.js';
import { loadFrames } from './frames.js';

function linkCodec(link: LinkRepr): Codec<LinkRepr> {
  switch (link.layer) {
    case 'eth': return ethernetCodec as Codec<LinkRepr>;
    case 'sll': return (link.version === 2 ? sll2Codec : sllCodec) as Codec<LinkRepr>;
    case 'null': return loopbackCodec as Codec<LinkRepr>;
    case 'ppp': return pppCodec as Codec<LinkRepr>;
  }
}

/** Every decoded header re-encodes to the bytes it was decoded from. */
function assertLayersRoundTrip(p: Packet, label: string): void {
  const same = <R extends { offset: number }>(codec: Codec<R, never>, r: R, len: number, what: string): void => {
    assert.equal(codec.encodingLength(r), len, `${label} ${what}: length`);
    assert.equal(toHex(codec.encode(r)), toHex(p.data.subarray(r.offset, r.offset + len)), `${label} ${what}`);
  };
  if (p.link) same(linkCodec(p.link), p.link, p.link.length, 'link');
  if (p.ip?.layer === 'ip') same(ipv4Codec, p.ip, p.ip.length, 'ipv4');
  if (p.ip?.layer === 'ipv6') same(ipv6Codec, p.ip, p.ip.length, 'ipv6');
  if (p.tcp) same(tcpCodec as Codec<typeof p.tcp, never>, p.tcp, p.tcp.length, 'tcp');
  if (p.udp) same(udpCodec as Codec<typeof p.udp, never>, p.udp, 8, 'udp');
  if (p.icmp) same((p.icmp.layer === 'icmp' ? icmpCodec : icmpv6Codec) as Codec<typeof p.icmp, never>, p.icmp, 8, 'icmp');
}

const captures = corpusCaptures();
const framesOf = new Map<string, Frame[]>();
function frames(file: string): Frame[] {
  let f = framesOf.get(file);
  if (!f) framesOf.set(file, (f = loadFrames(file)));
  return f;
}

test('every corpus frame decodes without throwing and every header re-encodes identically', { skip: SKIP_NO_SHARED }, () => {
  let total = 0;
  let tcp = 0;
  let mptcp = 0;
  for (const file of captures) {
    for (const f of frames(file)) {
      const p = decodePacket(f);
      assertLayersRoundTrip(p, `${basename(file)} #${f.number}`);
      total++;
      if (p.tcp) tcp++;
      if (p.tcp?.options.some((o) => o.type === 'mptcp')) mptcp++;
      assert.ok(p.payloadOffset >= 0 && p.payloadOffset + p.payloadLength <= p.capLen, `${basename(file)} #${f.number}: payload inside the frame`);
    }
  }
  assert.ok(total > 12000 && tcp > 11000 && mptcp > 5000, `${total} frames, ${tcp} TCP, ${mptcp} with MPTCP`);
});

const tsharkSkip = SKIP_NO_SHARED || (hasCommand('tshark') ? false : 'tshark not installed');
const FIELDS = [
  'frame.number', 'tcp.srcport', 'tcp.dstport', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.len', 'tcp.flags', 'tcp.window_size_value',
  'ip.src', 'ip.dst', 'ip.ttl', 'ip.id', 'ipv6.src', 'ipv6.dst',
];

function ours(p: Packet): string[] {
  const t = p.tcp ?? p.icmp?.quote?.tcp;
  const ip = p.ip;
  const v4 = ip?.layer === 'ip' ? ip : undefined;
  const v6 = ip?.layer === 'ipv6' ? ip : undefined;
  return [
    String(p.number),
    t ? String(t.srcPort) : '', t ? String(t.dstPort) : '', t ? String(t.seq) : '', t ? String(t.ack) : '',
    t ? String(t.payloadLength) : '', t ? `0x${t.flags.toString(16).padStart(4, '0')}` : '', t ? String(t.window) : '',
    v4 ? ipv4ToString(v4.src) : '', v4 ? ipv4ToString(v4.dst) : '', v4 ? String(v4.ttl) : '', v4 ? `0x${v4.id.toString(16).padStart(4, '0')}` : '',
    v6 ? ipv6ToString(v6.src) : '', v6 ? ipv6ToString(v6.dst) : '',
  ];
}

for (const file of captures) {
  test(`tshark agrees on TCP and IP fields: ${basename(file)}`, { skip: tsharkSkip }, () => {
    const out = execFileSync('tshark', ['-r', file, '-T', 'fields', ...FIELDS.flatMap((x) => ['-e', x])],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 });
    const rows = out.trimEnd().split('\n');
    const fs = frames(file);
    assert.equal(rows.length, fs.length);
    for (const f of fs) {
      // Multi-valued fields (an ICMP error's quote) list the outer header first.
      const theirs = rows[f.number - 1]!.split('\t').map((c) => c.split(',')[0]!);
      while (theirs.length < FIELDS.length) theirs.push('');
      assert.deepEqual(ours(decodePacket(f)), theirs, `frame ${f.number}`);
    }
  });
}

/** A small deterministic generator, so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

test('cut and corrupted corpus frames never make decodePacket throw', { skip: SKIP_NO_SHARED }, () => {
  const next = rng(42);
  let n = 0;
  for (const file of captures) {
    const fs = frames(file);
    for (const f of fs.slice(0, 40)) {
      for (let len = 0; len <= f.data.length; len++) {
        const p = decodePacket({ ...f, data: f.data.subarray(0, len) });
        touch(p);
        n++;
      }
      for (let k = 0; k < 30; k++) {
        const data = f.data.slice();
        for (let j = 0, flips = 1 + (next() % 4); j < flips; j++) data[next() % data.length] = next() & 0xff;
        touch(decodePacket({ ...f, data }));
        n++;
      }
    }
  }
  assert.ok(n > 10000);
});

/** Reads every lazily built view so their bounds are exercised too. */
function touch(p: Packet): void {
  if (p.link?.layer === 'eth') void (p.link.src.length + p.link.dst.length);
  if (p.link?.layer === 'sll') void (p.link.addr.length + (p.link.addrField?.length ?? 0));
  if (p.ip?.layer === 'ipv6') void (p.ip.src.length + p.ip.dst.length);
  for (const o of p.tcp?.options ?? []) assert.ok(o.offset + o.raw.length <= p.data.length);
  assert.ok(p.payloadOffset >= 0 && p.payloadLength >= 0 && p.payloadOffset + p.payloadLength <= p.capLen, 'payload inside the frame');
}

test('names for presenters: EtherTypes and IP protocols', () => {
  assert.equal(etherTypeName(0x0806), 'ARP');
  assert.equal(etherTypeName(0x86dd), 'IPv6');
  assert.equal(etherTypeName(0x1234), undefined);
  assert.equal(ipProtocolName(6), 'TCP');
  assert.equal(ipProtocolName(58), 'ICMPv6');
});
