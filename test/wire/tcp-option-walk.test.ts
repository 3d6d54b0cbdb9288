/**
 * The in-place option walk against the option objects: the TCP analysis and
 * the packet list read options through TcpOptionWalk, decodePacket builds
 * option objects only when `tcp.options` is read, so the walk, the clean
 * check and the lazy objects must agree with the eager decoder everywhere.
 */
import assert from 'node:assert/strict';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { decodeMptcpOption, mptcpOptionMalformed, mptcpOptionOverrun } from '../../src/wire/mptcp.js';
import { decodePacket } from '../../src/wire/packet.js';
import { decodeTcpOptions, OptionProblem, TcpOptionWalk, tcpOptionKinds, tcpOptionsClean } from '../../src/wire/tcp-options.js';
import { tcpCodec } from '../../src/wire/tcp.js';
import type { Finding, TcpOption } from '../../src/wire/types.js';
import { rng } from '../helpers/rng.js';
import { ROOT, SKIP_NO_SHARED, corpusAndLabCaptures } from '../helpers/shared.js';
import { hex } from './bytes.js';
import { loadFrames } from './frames.js';

/** Option areas that exercise every rule of the walk, with where the capture ends (default: the whole area). */
const AREAS: Array<[string, number?]> = [
  ['020405b4 0103030e 0402 080a0000000100000002'],
  ['0101 0000 0000'],
  ['02010101'], ['02000000'], ['0208ff00'], ['0a04020405b4 0000'], ['01010102'], ['0101011e'],
  ['020305 0601 0101'], ['080900000001000000020101'], ['0101050b0000000100000002000000 00'],
  ['0303'], ['0403ff'], ['1311' + '00'.repeat(15)], ['1c03ff'], ['1d03ff'], ['030310'], ['03030f'],
  ['1e02 0101'], ['1e03 2001'], ['1e0c 2003 0000000a 0000000b'], ['1e08 2001 0000000a'],
  ['0101080a0000000100000002', 7], ['0101080a0000000100000002', 3], ['0101 050a 00000001 00000002 00', 8],
  ['2202 0101'], ['2206 01020304'], ['fe06 f989 0102'], ['fe04 f989'], ['fe06 1234 0102'], ['1c048001'],
  ['050a 00000001 00000009 050a 00000001', 13],
];

/** Random areas: mostly plausible kinds and lengths, so that every branch is reached often. */
function randomAreas(count: number): Array<[Uint8Array, number]> {
  const r = rng(0x7c9);
  const kinds = [0, 1, 2, 3, 4, 5, 8, 19, 28, 29, 30, 34, 254, 77];
  const out: Array<[Uint8Array, number]> = [];
  for (let n = 0; n < count; n++) {
    const size = Math.floor(r() * 41);
    const b = new Uint8Array(size);
    for (let i = 0; i < size; ) {
      b[i] = kinds[Math.floor(r() * kinds.length)]!;
      const len = r() < 0.8 ? [2, 3, 4, 10, 12, 18, 20, 26][Math.floor(r() * 8)]! : Math.floor(r() * 256);
      if (i + 1 < size) b[i + 1] = len;
      for (let j = i + 2; j < Math.min(size, i + len); j++) b[j] = Math.floor(r() * 256);
      if (b[i] === 30 && i + 3 < size) b[i + 2] = Math.floor(r() * 16) << 4 | Math.floor(r() * 16);
      if (b[i] === 254 && i + 3 < size && r() < 0.5) { b[i + 2] = 0xf9; b[i + 3] = 0x89; }
      i += b[i] === 0 || b[i] === 1 ? 1 : Math.max(2, len);
    }
    out.push([b, r() < 0.8 ? size : Math.floor(r() * (size + 1))]);
  }
  return out;
}

function allAreas(): Array<[Uint8Array, number, string]> {
  const fixed = AREAS.map(([h, cap]): [Uint8Array, number, string] => {
    const b = hex(h);
    return [b, cap ?? b.length, h];
  });
  return [...fixed, ...randomAreas(20000).map(([b, cap], i): [Uint8Array, number, string] => [b, cap, `random #${i}`])];
}

function walkOf(b: Uint8Array, cap: number): Array<[number, number, number, number, boolean]> {
  const steps: Array<[number, number, number, number, boolean]> = [];
  const w = new TcpOptionWalk().reset(b, 0, b.length, cap);
  while (w.next()) steps.push([w.kind, w.at, w.length, w.end, w.problem !== OptionProblem.NONE]);
  return steps;
}

test('the walk steps through an options area as the decoder does: kind, offset, length, extent, malformed', () => {
  for (const [b, cap, label] of allAreas()) {
    const findings: Finding[] = [];
    const options = decodeTcpOptions(b, 0, b.length, cap, findings, []);
    const expected = options.map((o): [number, number, number, number, boolean] => [o.kind, o.offset, o.length, o.offset + o.raw.length, o.malformed !== undefined]);
    assert.deepEqual(walkOf(b, cap), expected, label);
  }
});

test('tcpOptionsClean is true exactly when decoding the area reports nothing', () => {
  let clean = 0;
  for (const [b, cap, label] of allAreas()) {
    const findings: Finding[] = [];
    decodeTcpOptions(b, 0, b.length, cap, findings, []);
    assert.equal(tcpOptionsClean(b, 0, b.length, cap), findings.length === 0, label);
    if (findings.length === 0) clean++;
  }
  assert.ok(clean > 1000, `enough clean areas (${clean})`);
});

test('tcpOptionKinds names the kinds the walk meets in a clean area, and is -1 for any other', () => {
  for (const [b, cap, label] of allAreas()) {
    const kinds = tcpOptionKinds(b, 0, cap);
    if (!tcpOptionsClean(b, 0, b.length, cap)) {
      assert.equal(kinds, -1, label);
      continue;
    }
    let expected = 0;
    for (const [kind] of walkOf(b, cap)) expected |= 1 << Math.min(kind, 31);
    assert.equal(kinds, expected >>> 0, label);
  }
});

test('decoded TCP headers carry their option kinds, not as a field of their own, and lose them when options are replaced', () => {
  // MSS, NOP, window scale, SACK permitted, a Fast Open cookie request (kind 34), EOL and its padding.
  const b = hex('0050 1f90 00000001 00000000 9002 ffff 0000 0000 020405b4 01 03030e 0402 2202 00000000');
  const tcp = tcpCodec.decode(b, 0, b.length, [], undefined)!;
  assert.equal(tcp.optionKinds, (0b11111 | 0x80000000) >>> 0);
  assert.ok(!Object.keys(tcp).includes('optionKinds'));
  tcp.options = [];
  assert.equal(tcp.optionKinds, -1);
  assert.equal(tcpCodec.decode(b, 0, 29, [], undefined)!.optionKinds, -1, 'an option cut by the capture');
});

test('the walk reads option fields in place as the option objects hold them', () => {
  for (const [b, cap, label] of allAreas()) {
    const options = decodeTcpOptions(b, 0, b.length, cap, [], []);
    const w = new TcpOptionWalk().reset(b, 0, b.length, cap);
    for (let i = 0; w.next(); i++) {
      const o = options[i]!;
      if (o.type === 'sack' || (o.kind === 5 && o.malformed !== undefined)) {
        const blocks = o.type === 'sack' ? o.blocks : [];
        if (o.type === 'sack') assert.equal(w.sackBlocks, blocks.length, label);
        for (let k = 0; k < blocks.length; k++) assert.deepEqual([w.sackLeft(k), w.sackRight(k)], blocks[k], label);
      }
      if (o.malformed !== undefined) continue;
      switch (o.type) {
        case 'mss': assert.equal(w.mss, o.mss, label); break;
        case 'wscale': assert.equal(w.shift, o.shift, label); break;
        case 'timestamps': assert.deepEqual([w.tsval, w.tsecr], [o.tsval, o.tsecr], label); break;
        case 'userTimeout': assert.equal(w.userTimeout, o.timeout, label); break;
        case 'fastOpen': assert.equal(w.fastOpenCookie, o.cookie.length, label); break;
        case 'unknown': if (o.kind === 254 || o.kind === 34) assert.equal(w.fastOpenCookie, -1, label); break;
        default: break;
      }
    }
  }
});

/**
 * Where tshark's dissection stops, from the decoded object: an option the
 * decoder accepts never; else a field every form of its subtype has is cut
 * (a DSS's fields by its flags; byte 3 of MP_CAPABLE, ADD_ADDR, MP_TCPRST;
 * the 64-bit value of MP_FAIL and MP_FASTCLOSE). tshark's verdicts on these
 * are compared in test/present/tshark-mptcp-short.test.ts.
 */
function overrunByObject(length: number, data: Uint8Array): boolean {
  if (length < 3) return true;
  const m = decodeMptcpOption(data, 0, length);
  if (m.name !== 'UNKNOWN' || m.reason === undefined) return false;
  switch (m.subtype) {
    case 2: {
      if (length < 4) return true;
      const f = data[3]!;
      let need = 4;
      if (f & 0x01) need += f & 0x02 ? 8 : 4;
      if (f & 0x04) need += (f & 0x08 ? 8 : 4) + 6;
      return length < need;
    }
    case 0:
    case 3:
    case 8: return length < 4;
    case 6:
    case 7: return length < 12;
    default: return false;
  }
}

test('mptcpOptionMalformed and mptcpOptionOverrun agree with the MPTCP decoder for every subtype, nibble, flags and length', () => {
  const data = new Uint8Array(64);
  for (let b2 = 0; b2 < 256; b2++) {
    for (const flags of b2 >> 4 === 2 ? Array.from({ length: 32 }, (_, i) => i) : [0, 0x81]) {
      for (let length = 2; length <= 40; length++) {
        data[0] = 30;
        data[1] = length;
        data[2] = b2;
        data[3] = flags;
        const m = decodeMptcpOption(data, 0, length);
        const label = `subtype byte ${b2.toString(16)} flags ${flags.toString(16)} length ${length}`;
        assert.equal(mptcpOptionMalformed(data, 0, length), m.name === 'UNKNOWN' && m.reason !== undefined, label);
        assert.equal(mptcpOptionOverrun(data, 0, length), overrunByObject(length, data), label);
      }
    }
  }
});

/** Captures with TCP: the public corpus and the lab's. */
function captures(): string[] {
  return corpusAndLabCaptures();
}

test('decoded headers build their options on first read, equal to an eager decode, with the findings complete before', { skip: SKIP_NO_SHARED }, () => {
  let lazy = 0;
  for (const file of captures()) {
    for (const f of loadFrames(file)) {
      const p = decodePacket(f);
      const tcp = p.tcp;
      if (tcp === undefined) continue;
      const label = `${basename(file)} #${f.number}`;
      const before = p.findings.map((x) => ({ ...x }));
      const declared = tcp.dataOffset * 4;
      const eagerFindings: Finding[] = [];
      const eager: TcpOption[] = decodeTcpOptions(p.data, tcp.offset + 20, tcp.offset + Math.max(20, declared), tcp.offset + tcp.length, eagerFindings, []);
      const options = tcp.options;
      assert.deepEqual(options, eager, label);
      assert.equal(tcp.options, options, `${label}: built once`);
      assert.deepEqual(p.findings, before, `${label}: reading the options adds no finding`);
      for (const x of eagerFindings) assert.ok(p.findings.some((y) => y.message === x.message && y.offset === x.offset), `${label}: ${x.message}`);
      if (eagerFindings.length === 0) lazy++;
    }
  }
  assert.ok(lazy > 1000, `most headers decode their options lazily (${lazy})`);
});

test('options assigned to a decoded header replace the lazy ones', () => {
  const frame = loadFrames(join(ROOT, 'test/fixtures/lab/mptcp-v6.pcapng'))[0]!;
  const tcp = decodePacket(frame).tcp!;
  tcp.options = [];
  assert.deepEqual(tcp.options, []);
});
