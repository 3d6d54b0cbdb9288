/**
 * MPTCP options shorter than a field their subtype always has. tshark reads
 * past the option's end there and gives up on the segment: "[Malformed
 * Packet]" in the Info column, and in the detail tree the fields it read
 * before. Crafted segments, every subtype at every length from 2 to 38
 * (with a few values of the flag bits), compared with tshark.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePcap } from '../../src/capture/index.js';
import { ListFormatter } from '../../src/present/index.js';
import { DetailFormatter } from '../../src/present/detail.js';
import { decodePacket } from '../../src/wire/index.js';
import { hasCommand } from '../helpers/shared.js';
import { NO_ANALYSIS, readFrames, tshark } from './tshark-helpers.js';

const SKIP_NO_TSHARK = hasCommand('tshark') ? false : 'tshark not installed';

/** Raw IPv4 + TCP (flags `flags`) carrying `option`, padded with EOL to a whole word. */
function segment(option: number[], flags: number): Uint8Array {
  const opts = [...option];
  while (opts.length % 4) opts.push(0);
  const tcpLen = 20 + opts.length;
  const total = 20 + tcpLen;
  return Uint8Array.from([
    0x45, 0, total >> 8, total & 0xff, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    0x12, 0x34, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 1, (tcpLen / 4) << 4, flags, 0x01, 0x00, 0, 0, 0, 0,
    ...opts,
  ]);
}

interface Case { subtype: number; low: number; byte3: number; length: number; flags: number }

function cases(): Case[] {
  const out: Case[] = [];
  for (let subtype = 0; subtype < 16; subtype++) {
    const lows = [0, 1, 3, 5, 8].includes(subtype) ? [0, 1, 4, 6, 8, 15] : [0];
    const thirds = subtype === 2 ? [0x00, 0x01, 0x03, 0x04, 0x05, 0x0c, 0x0d, 0x0f, 0x1f, 0x10] : [0x00, 0x81];
    const flagsList = subtype <= 1 ? [0x02, 0x12, 0x10] : [0x10];
    for (const low of lows) for (const byte3 of thirds) for (let length = 2; length <= 38; length++) {
      for (const flags of flagsList) out.push({ subtype, low, byte3, length, flags });
    }
  }
  return out;
}

function option(c: Case): number[] {
  const bytes = [0x1e, c.length, (c.subtype << 4) | c.low, c.byte3];
  for (let i = 4; i < c.length; i++) bytes.push(0xa0 + i);
  return bytes.slice(0, c.length);
}

function withCapture(frames: Uint8Array[], run: (file: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'mpscope-short-'));
  try {
    const file = join(dir, 'short.pcap');
    const records = frames.map((data, i) => ({ number: i + 1, linkType: 101, tsSec: i, tsNsec: 0, tsDigits: 6, origLen: data.length, data, ifIndex: 0 }));
    writeFileSync(file, encodePcap(records, { linkType: 101 }));
    run(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the Info column says [Malformed Packet] exactly where tshark does, every subtype at every length', { skip: SKIP_NO_TSHARK }, () => {
  const all = cases();
  withCapture(all.map((c) => segment(option(c), c.flags)), (file) => {
    const theirs = tshark(['-n', ...NO_ANALYSIS, '-r', file, '-T', 'fields', '-e', '_ws.col.Info']).split('\n');
    const list = new ListFormatter();
    const ours = readFrames(file).map((f) => list.format(decodePacket(f)).replace(/^.*? MPTCP \d+ /, ''));
    let malformed = 0;
    for (let i = 0; i < all.length; i++) {
      const c = all[i]!;
      assert.equal(ours[i], theirs[i], `subtype ${c.subtype}, low bits ${c.low}, byte 3 ${c.byte3}, length ${c.length}, TCP flags ${c.flags}`);
      if (ours[i]!.endsWith('[Malformed Packet]')) malformed++;
    }
    // Not vacuous: short options of DSS, MP_CAPABLE, ADD_ADDR, MP_TCPRST, MP_FAIL and MP_FASTCLOSE are among them.
    assert.ok(malformed > 300, `malformed segments: ${malformed}`);
  });
});

/** The lines of each frame's "Multipath Transmission Control Protocol" node. */
function mptcpNodes(text: string): string[][] {
  const frames: string[][] = [];
  let inNode = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('Frame ')) frames.push([]);
    if (line.includes('Multipath Transmission Control Protocol:')) inNode = true;
    else if (/^\s*(TCP Option - |\[Timestamps\]|\[SEQ\/ACK)/.test(line) || /^\S/.test(line)) inNode = false;
    if (inNode) frames[frames.length - 1]!.push(line);
  }
  return frames;
}

test('the detail tree of an option tshark reads past shows the fields tshark shows before it stops', { skip: SKIP_NO_TSHARK }, () => {
  // Each subtype too short for byte 3 or for its 64-bit value, with the low bits that change what byte 2 says,
  // and DSS options of every flag combination at every length: those tshark gives up on are compared.
  const candidates: Case[] = [
    ...[0, 1, 15].map((low) => ({ subtype: 0, low, byte3: 0xff, length: 3, flags: 0x02 })),
    ...[0, 1, 4, 6].map((low) => ({ subtype: 3, low, byte3: 0xff, length: 3, flags: 0x10 })),
    ...[0, 5, 15].map((low) => ({ subtype: 8, low, byte3: 0xff, length: 3, flags: 0x10 })),
    ...[3, 4, 6, 11].flatMap((length) => [6, 7].map((subtype) => ({ subtype, low: 0x0a, byte3: 0x81, length, flags: 0x10 }))),
  ];
  for (let byte3 = 0; byte3 < 0x20; byte3++) {
    for (let length = 3; length <= 28; length++) candidates.push({ subtype: 2, low: 0, byte3, length, flags: 0x10 });
  }
  withCapture(candidates.map((c) => segment(option(c), c.flags)), (file) => {
    const verdicts = tshark(['-n', ...NO_ANALYSIS, '-r', file, '-T', 'fields', '-e', '_ws.malformed']).split('\n');
    const theirs = mptcpNodes(tshark(['-n', '-V', ...NO_ANALYSIS, '-r', file]));
    const tree = new DetailFormatter();
    const ours = mptcpNodes(readFrames(file).map((f) => tree.format(decodePacket(f))).join('\n'));
    assert.equal(ours.length, candidates.length);
    let compared = 0;
    for (let i = 0; i < candidates.length; i++) {
      if (verdicts[i] === '') continue;
      const c = candidates[i]!;
      assert.deepEqual(ours[i], theirs[i], `subtype ${c.subtype}, low bits ${c.low}, byte 3 ${c.byte3}, length ${c.length}`);
      compared++;
    }
    assert.ok(compared > 200, `options tshark gives up on: ${compared}`);
    assert.ok(ours.flat().some((l) => l.includes('= Reserved: 0xa81')), 'the reserved bits of a short MP_FAIL');
    assert.ok(ours.flat().some((l) => l.includes('Subflow Sequence Number:')), 'a DSS cut after its subflow sequence number');
  });
});

test('an ADD_ADDR of any length shows what tshark shows, plus our length warning and HMAC status', { skip: SKIP_NO_TSHARK }, () => {
  const all: Case[] = [];
  // RFC 8684's form (E bit and reserved bits). With 4 or 6 there (RFC 6824's IP version) we read RFC 6824's
  // lengths, while tshark reads RFC 8684's whatever the bits: those differ where the two disagree.
  for (const low of [0, 1]) for (let length = 4; length <= 35; length++) all.push({ subtype: 3, low, byte3: 7, length, flags: 0x10 });
  withCapture(all.map((c) => segment(option(c), c.flags)), (file) => {
    const theirs = mptcpNodes(tshark(['-n', '-V', ...NO_ANALYSIS, '-r', file]));
    const tree = new DetailFormatter();
    const ours = mptcpNodes(readFrames(file).map((f) => tree.format(decodePacket(f))).join('\n'));
    let warned = 0;
    for (let i = 0; i < all.length; i++) {
      const c = all[i]!;
      // Our additions: the expert item of an invalid length (four lines) and the HMAC status of a v1 ADD_ADDR.
      const expert = ours[i]!.findIndex((l) => l.includes('[Expert Info (Warning/Protocol): ADD_ADDR length'));
      const mine = ours[i]!.filter((l, j) => !(expert >= 0 && j >= expert && j < expert + 4) && !l.includes('[HMAC Status:'));
      if (expert >= 0) warned++;
      assert.deepEqual(mine, theirs[i], `IP version/echo bits ${c.low}, length ${c.length}`);
    }
    assert.ok(warned > 40, `ADD_ADDR options of invalid length: ${warned}`);
  });
});
