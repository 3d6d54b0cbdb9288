/**
 * The packet list's byte path (ListFormatter.write / formatBytes, TextLine)
 * must say exactly what the string path says: the CLI prints the bytes, the
 * tests against tshark read the strings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { TcpTracker } from '../../src/analysis/index.js';
import type { TcpAnnotation } from '../../src/analysis/index.js';
import { decodePacket } from '../../src/wire/index.js';
import type { Packet } from '../../src/wire/index.js';
import { ListFormatter, TextLine, WindowScaleTracker, tcpInfo } from '../../src/present/index.js';
import { putText, wordText } from '../../src/present/tshark/line.js';
import { Ipv4Text } from '../../src/present/tshark/ipv4-text.js';
import type { TimeFormat } from '../../src/present/index.js';
import { ROOT, SKIP_NO_SHARED, corpusCaptures } from '../helpers/shared.js';
import { readFrames } from './tshark-helpers.js';

const utf8 = new TextDecoder();

function text(w: TextLine): string {
  return utf8.decode(w.buf.subarray(0, w.pos));
}

test('TextLine writes numbers as String() does, from the digit loop or not', () => {
  const values = [0, -0, 7, 10, 99, 100, 12345, 99999, 100000, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 1e15 + 7, 2 ** 53 - 1, 2 ** 53 + 2,
    -1, -4294967296, 1.5, 0.1, 1e21, NaN, Infinity, -Infinity];
  for (const v of values) {
    const w = new TextLine(4);
    w.num(v);
    assert.equal(text(w), String(v), `num(${v})`);
  }
  const w = new TextLine(1);
  w.uRight(42, 5);
  w.uRight(123456, 5);
  w.uPad(7, 6);
  w.uPad(1234567, 6);
  assert.equal(text(w), '   42123456000007' + '1234567');
});

test('TextLine writes every digit count as String() does, around each power of ten and 2^31, 2^32, 2^53', () => {
  const values: number[] = [2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1];
  for (let x = 1; x <= 1e15; x *= 10) values.push(x - 1, x, x + 1, 2 * x, 9 * x + (x - 1));
  let seed = 11;
  for (let i = 0; i < 5000; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    values.push(Math.floor((seed / 2 ** 32) * 2 ** (1 + (i % 53))));
  }
  for (const v of values.filter((x) => x < 2 ** 53)) {
    const w = new TextLine(1);
    w.u(v);
    w.ch(32);
    w.uRight(v, 12);
    assert.equal(text(w), `${v} ${String(v).padStart(12)}`, `u(${v})`);
  }
});

test('TextLine writes dotted quads of every octet value', () => {
  for (let v = 0; v < 256; v++) {
    for (const a of [v * 0x01010101, (v << 24 | (255 - v) << 16 | (v * 7 & 0xff) << 8 | (v * 13 & 0xff)) >>> 0]) {
      const w = new TextLine(1);
      w.ipv4(a);
      const dotted = [a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff].join('.');
      assert.equal(text(w), dotted);
    }
  }
});

test('putText writes constant texts of every length a word at a time, inside the room of a line that grows', () => {
  const alphabet = ' [FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, AE] Seq=';
  for (let len = 1; len <= alphabet.length; len++) {
    const t = wordText(alphabet.slice(0, len));
    for (let start = 0; start < 5; start++) {
      // A line just big enough, so that the words past the text land in its slack, not past its end.
      const w = new TextLine(1);
      w.str('x'.repeat(start));
      w.room(len);
      w.pos = putText(w.view, w.pos, t);
      w.str('|');
      assert.equal(text(w), 'x'.repeat(start) + alphabet.slice(0, len) + '|');
    }
  }
});

test('Ipv4Text aligns dotted quads as padStart and padEnd do, for addresses that share or take over table slots', () => {
  const quads = new Ipv4Text();
  const quad = (a: number): string => [a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff].join('.');
  // More addresses than slots, each met twice at a distance, so that some find their slot taken by another.
  const addresses = [0, 0xffffffff, 0x7f000001, 0x80000000, 0x0a000001];
  for (let i = 0; i < 3000; i++) addresses.push((Math.imul(i, 0x9e3779b1) ^ (i << 3)) >>> 0);
  for (const round of [0, 1]) {
    for (const a of addresses) {
      for (const width of [12, 7]) {
        const w = new TextLine(64);
        w.room(40);
        w.str('>');
        w.pos = quads.right(w.view, w.pos, a, width);
        w.str('|');
        w.room(40);
        w.pos = quads.left(w.view, w.pos, a, width);
        w.str('<');
        assert.equal(text(w), '>' + quad(a).padStart(width) + '|' + quad(a).padEnd(width) + '<', `round ${round}, ${quad(a)}`);
      }
    }
  }
});

test('TextLine encodes any string as UTF-8 and pads by string length', () => {
  for (const s of ['plain', 'é→ü', 'a\u{1f600}b', 'lone \ud800 surrogate', '\u0080\u07ff\u0800\uffff', '']) {
    const w = new TextLine(2);
    w.str('>');
    w.utf8(s);
    w.ch(60);
    assert.deepEqual(w.buf.subarray(0, w.pos), new TextEncoder().encode('>' + s + '<'), JSON.stringify(s));
  }
  const w = new TextLine(8);
  w.right('ab', 5);
  w.arrow();
  w.left('é', 3);
  w.right('longer than the width', 4);
  w.spaces(-3);
  assert.equal(text(w), '   ab → é  longer than the width');
  assert.equal(w.decoded(3), 'ab → é  longer than the width');
});

/** Captures with TCP, MPTCP and everything else the list summarizes. */
function captures(): string[] {
  const lab = join(ROOT, 'test/fixtures/lab');
  const labFiles = existsSync(lab) ? readdirSync(lab).filter((n) => n.endsWith('.pcapng')).sort().map((n) => join(lab, n)) : [];
  return [...corpusCaptures(), ...labFiles];
}

function decodeAll(file: string): Packet[] {
  return readFrames(file).map((f) => decodePacket(f));
}

function analyse(pkts: Packet[]): Array<TcpAnnotation | undefined> {
  const tracker = new TcpTracker({ summaries: false });
  return pkts.map((p) => tracker.process(p));
}

for (const file of captures()) {
  const name = `${basename(dirname(file))}/${basename(file)}`;
  test(`formatBytes and write say what format says, with and without analysis: ${name}`, { skip: SKIP_NO_SHARED }, () => {
    const pkts = decodeAll(file);
    const analyses = analyse(pkts);
    for (const tf of ['r', 'd', 'dd', 'e', 'u'] as TimeFormat[]) {
      for (const withAnalysis of [false, true]) {
        const strings = new ListFormatter({ timeFormat: tf });
        const bytes = new ListFormatter({ timeFormat: tf });
        const block = new ListFormatter({ timeFormat: tf });
        // Told that every packet comes analysed, the list keeps no window scales and says the same.
        const analysed = withAnalysis ? new ListFormatter({ timeFormat: tf, analysed: true }) : undefined;
        const w = new TextLine(16);
        const expected: string[] = [];
        pkts.forEach((pkt, i) => {
          const a = withAnalysis ? analyses[i] : undefined;
          // Every third packet is skipped, as a filter would: it still moves the time references and window scales.
          if (i % 3 === 2) {
            for (const f of [strings, bytes, block, analysed]) f?.skip(pkt);
            return;
          }
          const s = strings.format(pkt, a);
          expected.push(s);
          if (analysed !== undefined) assert.equal(analysed.format(pkt, a), s, `frame ${pkt.number}, -t ${tf}, analysed`);
          assert.equal(utf8.decode(bytes.formatBytes(pkt, a)), s + '\n', `frame ${pkt.number}, -t ${tf}`);
          block.write(w, pkt, a);
          w.ch(10);
        });
        assert.equal(text(w), expected.map((s) => s + '\n').join(''), `-t ${tf}, analysis ${withAnalysis}`);
      }
    }
  });

  test(`window scales learnt from SYNs alone equal those observed on every packet: ${name}`, { skip: SKIP_NO_SHARED }, () => {
    const pkts = decodeAll(file);
    const every = new WindowScaleTracker();
    const learnt = new WindowScaleTracker();
    pkts.forEach((pkt, i) => {
      const scale = every.observe(pkt);
      if (i % 5 === 0) assert.equal(learnt.observe(pkt), scale, `frame ${pkt.number}`);
      else learnt.learn(pkt);
      // The string Info column goes through the same writer.
      if (pkt.tcp && i % 7 === 0) assert.match(tcpInfo(pkt, scale), / → .* Seq=\d+/);
    });
  });
}
