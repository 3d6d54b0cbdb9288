/**
 * TCP analysis on bad input: conversations without handshakes, packets out
 * of capture order, sequence numbers wrapping 2^32, absurd window scales,
 * header lengths below 20 or beyond the segment, headers cut by the capture,
 * empty captures, random bytes. Nothing throws; each case gives what tshark
 * gives. And the state stays bounded: ended conversations are forgotten
 * past a limit, unacknowledged segments past tshark's 1000.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Analyzer, TcpAnalysisFlag as F, TcpTracker } from '../../src/analysis/index.js';
import type { TcpAnnotation } from '../../src/analysis/index.js';
import { readCaptureBytes } from '../../src/capture/index.js';
import { CaptureError } from '../../src/util/errors.js';
import { FieldsWriter } from '../../src/present/fields-out.js';
import { ListFormatter } from '../../src/present/list.js';
import { decodePacket } from '../../src/wire/index.js';
import type { Packet } from '../../src/wire/types.js';
import { rng } from '../helpers/rng.js';
import { SKIP_NO_SHARED, corpusCaptures, hasCommand } from '../helpers/shared.js';
import { COMPARED_FIELDS, differences, ourValues, tsharkValues } from './tcp-compare.js';
import { Talk, Timeline, ipFrame, synOpts, tcpSegment } from './tcp-craft.js';

const SKIP_NO_TSHARK = hasCommand('tshark') ? false : 'tshark is not installed';
const C = 5000;
const S = 1000;
const A = { ip: '10.0.0.1', port: 41500 };
const B = { ip: '10.0.0.2', port: 45000 };

/** A connection with absurd scales, a frame from the past, and three broken headers. */
function brokenConnection(): Timeline {
  const tl = new Timeline();
  const t = new Talk(tl, A, B);
  t.a({ seq: C, f: 'S', opts: synOpts(255), win: 64240 });
  t.b({ seq: S, ack: C + 1, f: 'SA', opts: synOpts(200), win: 65160 });
  t.a({ seq: C + 1, ack: S + 1, win: 502 });
  t.a({ seq: C + 1, ack: S + 1, f: 'PA', len: 100, win: 502 });
  // Captured after frame 4 but stamped half a second before it.
  t.a({ seq: C + 101, ack: S + 1, f: 'PA', len: 100, win: 502, dt: -0.5 });
  t.a({ seq: C + 101, ack: S + 1, f: 'PA', len: 100, win: 502, dt: 0.001 });
  // Header length field 8: tshark counts the segment from byte 8 and stops after the sequence number.
  const bogus = tcpSegment(A, B, { seq: C + 201, ack: S + 1, f: 'PA', len: 30, win: 502 });
  bogus[12] = (2 << 4) | (bogus[12]! & 0x0f);
  tl.push(ipFrame(A.ip, B.ip, 6, bogus));
  // Header length field 60 on a 20-byte segment: no segment length, no analysis.
  const long = tcpSegment(B, A, { seq: S + 1, ack: C + 201, win: 509 });
  long[12] = (15 << 4) | (long[12]! & 0x0f);
  tl.push(ipFrame(B.ip, A.ip, 6, long));
  // Cut by the snap length inside its timestamps option: analysed, but tshark shows none of it.
  const cut = ipFrame(B.ip, A.ip, 6, tcpSegment(B, A, { seq: S + 1, ack: C + 301, win: 509, opts: '0101080a0000000100000002' }));
  tl.push(cut.subarray(0, cut.length - 6));
  tl.frames.at(-1)!.origLen = cut.length;
  t.b({ seq: S + 1, ack: C + 301, win: 509 });
  return tl;
}

function annotations(bytes: Uint8Array, tracker = new TcpTracker()): Array<TcpAnnotation | undefined> {
  const out: Array<TcpAnnotation | undefined> = [];
  readCaptureBytes(bytes, (f) => {
    out.push(tracker.process(decodePacket(f)));
  });
  return out;
}

describe('TCP analysis of broken input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mpscope-tcp-bad-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('caps window scales at 14, survives time going back and bad header lengths', () => {
    const a = annotations(brokenConnection().pcap());
    assert.equal(a[2]!.windowScale, 14);
    assert.equal(a[2]!.windowSize, 502 * 16384);
    assert.equal(a[4]!.timeDelta, -0.5);
    assert.equal(a[5]!.flags, F.RETRANSMISSION, 'a negative interval is never within the out-of-order window');
    assert.equal(a[6]!.seq, 201);
    assert.equal(a[6]!.hasAnalysis, false);
    assert.equal(a[7]!.noSegment, true);
    assert.deepEqual([a[7]!.seq, a[7]!.ack], [S + 1, C + 201], 'raw numbers where the segment length is unknown');
    assert.equal(a[8]!.hasAnalysis, false, 'options cut by the capture: tshark never gets to print the analysis');
    assert.equal(a[9]!.flags, F.DUPLICATE_ACK);
    assert.equal(a[9]!.dupAckFrame, 9);
  });

  it('gives tshark\'s fields and Info on the same packets', { skip: SKIP_NO_TSHARK }, () => {
    const path = join(dir, 'broken.pcap');
    writeFileSync(path, brokenConnection().pcap());
    assert.deepEqual(differences(tsharkValues(path), ourValues(path)).diffs, []);
  });

  it('an empty capture is a capture error, not a crash of the analysis', () => {
    const tracker = new TcpTracker();
    assert.throws(() => readCaptureBytes(new Uint8Array(0), (f) => void tracker.process(decodePacket(f))), CaptureError);
    assert.deepEqual(tracker.conversations(), []);
  });

  it('frames of zero bytes and non-TCP packets get no TCP annotation', () => {
    const tracker = new TcpTracker();
    const empty = decodePacket({ number: 1, linkType: 1, tsSec: 1, tsNsec: 0, tsDigits: 6, origLen: 60, data: new Uint8Array(0), ifIndex: 0 });
    assert.equal(tracker.process(empty), undefined);
    const udp = decodePacket({ number: 2, linkType: 1, tsSec: 1, tsNsec: 0, tsDigits: 6, origLen: 42, data: ipFrame('10.0.0.1', '10.0.0.2', 17, new Uint8Array([0, 53, 0, 53, 0, 8, 0, 0])), ifIndex: 0 });
    assert.equal(tracker.process(udp), undefined);
    // A header cut inside its first 20 bytes is not TCP to the decoder either.
    const cut = ipFrame(A.ip, B.ip, 6, tcpSegment(A, B, { seq: 1, f: 'S' }));
    assert.equal(tracker.process(decodePacket({ number: 3, linkType: 1, tsSec: 1, tsNsec: 0, tsDigits: 6, origLen: cut.length, data: cut.subarray(0, 14 + 20 + 10), ifIndex: 0 })), undefined);
  });

  it('random segments on one connection: no exception, numbers stay u32', () => {
    let seed = 11;
    const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    const tl = new Timeline();
    const t = new Talk(tl, A, B);
    const letters = ['S', 'SA', 'A', 'PA', 'FA', 'R', 'RA', 'A', 'A', 'PA', 'U', 'SF', ''];
    for (let i = 0; i < 3000; i++) {
      const spec = { seq: rand(4) === 0 ? rand(0xffffffff) : C + rand(5000), ack: S + rand(5000), f: letters[rand(letters.length)]!, win: rand(4) === 0 ? 0 : rand(65536), len: rand(3) === 0 ? rand(200) : 0, opts: rand(5) === 0 ? synOpts(rand(256)) : '', dt: (rand(100) - 10) / 1000 };
      if (rand(2)) t.a(spec);
      else t.b(spec);
    }
    const bytes = tl.pcap();
    const a = annotations(bytes);
    for (const x of a) {
      assert.ok(x !== undefined);
      for (const v of [x.seq, x.ack, x.nxtseq, x.isn]) assert.ok(Number.isInteger(v) && v >= 0 && v <= 0xffffffff);
      assert.ok(x.windowScale >= -2 && x.windowScale <= 14);
      assert.equal(x.flags & ~0x7fff, 0);
    }
    assert.ok(a.some((x) => x!.flags !== 0));
  });
});

describe('TCP analysis of mutated corpus packets', { skip: SKIP_NO_SHARED }, () => {
  it('never throws, down to the Info column and every analysis field', () => {
    const random = rng(2024);
    let packets = 0;
    for (const path of corpusCaptures()) {
      const analyzer = new Analyzer();
      const list = new ListFormatter();
      const fields = new FieldsWriter(() => {}, COMPARED_FIELDS);
      let n = 0;
      readCaptureBytes(new Uint8Array(readFileSync(path)), (f) => {
        if (++n > 400) return false;
        const data = f.data.slice();
        for (let k = 0; k < 3; k++) data[Math.floor(random() * data.length)] = Math.floor(random() * 256);
        const cut = random() < 0.2 ? data.subarray(0, Math.floor(random() * data.length)) : data;
        const pkt: Packet = decodePacket({ ...f, data: cut });
        const ann = analyzer.process(pkt);
        list.format(pkt, ann.tcp);
        fields.line(pkt, ann);
        packets++;
        return undefined;
      });
    }
    assert.ok(packets > 2000, `${packets} packets`);
  });
});

describe('bounded state', () => {
  function connection(tl: Timeline, port: number): void {
    const t = new Talk(tl, { ip: '10.1.0.1', port }, { ip: '10.2.0.1', port: 80 });
    t.a({ seq: C, f: 'S', win: 1000 });
    t.b({ seq: S, ack: C + 1, f: 'SA', win: 1000 });
    t.a({ seq: C + 1, ack: S + 1, f: 'PA', len: 10, win: 1000 });
    t.b({ seq: S + 1, ack: C + 11, f: 'FA', win: 1000 });
    t.a({ seq: C + 11, ack: S + 2, f: 'FA', win: 1000 });
    t.b({ seq: S + 2, ack: C + 12, win: 1000 });
  }

  it('forgets ended conversations beyond maxClosed, keeping their summaries', () => {
    const tl = new Timeline();
    for (let i = 0; i < 3000; i++) connection(tl, 20000 + i);
    const tracker = new TcpTracker({ maxClosed: 500 });
    annotations(tl.pcap(), tracker);
    assert.ok(tracker.tracked <= 500, `${tracker.tracked} conversations still tracked`);
    const all = tracker.conversations();
    assert.equal(all.length, 3000);
    assert.ok(all.every((c) => c.state === 'closed' && c.packetsAtoB === 3 && c.packetsBtoA === 3));
    const lean = new TcpTracker({ maxClosed: 500, summaries: false });
    annotations(tl.pcap(), lean);
    assert.deepEqual(lean.conversations(), []);
  });

  it('a port pair reused after its conversation was forgotten starts a new stream without the reuse flag', () => {
    const tl = new Timeline();
    connection(tl, 30000);
    connection(tl, 30001);
    const t = new Talk(tl, { ip: '10.1.0.1', port: 30000 }, { ip: '10.2.0.1', port: 80 });
    t.a({ seq: C + 777, f: 'S', win: 1000 });
    const a = annotations(tl.pcap(), new TcpTracker({ maxClosed: 1 }));
    assert.equal(a.at(-1)!.stream, 2);
    assert.equal(a.at(-1)!.flags, 0);
  });

  it('stops recording unacknowledged segments at tshark\'s 1000', () => {
    const tl = new Timeline();
    const t = new Talk(tl);
    t.a({ seq: C, f: 'S', win: 1000 });
    for (let i = 0; i < 1500; i++) t.a({ seq: C + 1 + 10 * i, ack: S + 1, f: 'A', len: 10, win: 1000 });
    const a = annotations(tl.pcap());
    // The SYN and 999 segments fill the list; later segments are not recorded, as in tshark.
    assert.equal(a[999]!.bytesInFlight, 1 + 999 * 10);
    assert.equal(a[1499]!.bytesInFlight, 1 + 999 * 10);
  });
});
