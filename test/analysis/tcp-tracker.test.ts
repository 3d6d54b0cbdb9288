/**
 * The TCP tracker on hand-built conversations: each tshark rule where it
 * fires (the Info notes), the numbers it gives (relative sequence numbers,
 * windows, RTTs, bytes in flight), its conversation summaries, and its two
 * data structures against simple reference implementations. With tshark
 * installed, every scenario is also compared with tshark field by field.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Analyzer, TcpAnalysisFlag as F, TcpTracker } from '../../src/analysis/index.js';
import type { TcpAnnotation } from '../../src/analysis/index.js';
import { readCaptureBytes } from '../../src/capture/index.js';
import { ConversationTable } from '../../src/analysis/tcp/conv-table.js';
import { ConversationStore, LO } from '../../src/analysis/tcp/conversation.js';
import { UnackedRings } from '../../src/analysis/tcp/unacked.js';
import { decodePacket } from '../../src/wire/index.js';
import type { Packet } from '../../src/wire/types.js';
import { hasCommand } from '../helpers/shared.js';
import { Talk, Timeline, synOpts } from './tcp-craft.js';
import { differences, ourValues, tsharkValues } from './tcp-compare.js';
import { SCENARIOS, lossyTransfer, mptcpDataAckScenario } from './tcp-scenarios.js';

const SKIP_NO_TSHARK = hasCommand('tshark') ? false : 'tshark is not installed';

function packets(tl: Timeline): Packet[] {
  const out: Packet[] = [];
  readCaptureBytes(tl.pcap(), (f) => {
    out.push(decodePacket({ ...f, data: f.data.slice() }));
  });
  return out;
}

function annotate(tl: Timeline, tracker = new TcpTracker()): TcpAnnotation[] {
  return packets(tl).map((p) => tracker.process(p)!);
}

const mptcp = mptcpDataAckScenario();

describe('analysis notes on hand-built conversations', () => {
  for (const s of [...SCENARIOS, mptcp]) {
    it(s.name, () => {
      const frames = ourValues(s.timeline.pcap());
      for (const [n, note] of Object.entries(s.notes)) {
        const info = frames[Number(n) - 1]!.info;
        assert.ok(info.startsWith(note) && !info.slice(note.length).startsWith('['), `frame ${n}: expected ${JSON.stringify(note)} in front of ${JSON.stringify(info)}`);
      }
    });
  }
});

describe('the same conversations in tshark 4.0', { skip: SKIP_NO_TSHARK }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'mpscope-tcp-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  SCENARIOS.forEach((s, i) => {
    it(s.name, () => {
      const path = join(dir, `s${i}.pcap`);
      writeFileSync(path, s.timeline.pcap());
      const d = differences(tsharkValues(path), ourValues(path)).diffs;
      assert.deepEqual(d, [], `${s.name}: differs from tshark`);
    });
  });
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`lossy, reordering transfer #${seed}: every frame as tshark has it`, () => {
      const path = join(dir, `lossy${seed}.pcap`);
      writeFileSync(path, lossyTransfer(seed).pcap());
      const theirs = tsharkValues(path);
      assert.deepEqual(differences(theirs, ourValues(path)).diffs, []);
      assert.ok(theirs.filter((f) => f.info.startsWith('[TCP')).length > 100);
    });
  }
  it(`${mptcp.name}: tshark's rule with mptcpAwareDupAck off, ours on`, () => {
    const path = join(dir, 'mptcp.pcap');
    writeFileSync(path, mptcp.timeline.pcap());
    const theirs = tsharkValues(path);
    assert.deepEqual(differences(theirs, ourValues(path, { mptcpAwareDupAck: false })).diffs, []);
    // tshark counts 6, 7 and 8 as duplicates of frame 2; mpscope sees a new data ACK in 5, a DATA_FIN in 7, an ADD_ADDR in 8.
    const changed = new Set(differences(theirs, ourValues(path)).diffs.map((d) => d.frame));
    assert.deepEqual([...changed].sort(), [6, 7, 8]);
    assert.match(theirs[7]!.info, /^\[TCP Dup ACK 2#3\] /);
  });
});

describe('TcpTracker numbers', () => {
  it('relative numbers, scaled windows, RTTs and stream times', () => {
    const tl = new Timeline();
    const t = new Talk(tl);
    t.a({ seq: 0xfffffff0, f: 'S', opts: synOpts(7), win: 64240 });
    t.b({ seq: 1000, ack: 0xfffffff1, f: 'SA', opts: synOpts(9), win: 65160, dt: 0.010 });
    t.a({ seq: 0xfffffff1, ack: 1001, win: 502, dt: 0.0005 });
    t.a({ seq: 0xfffffff1, ack: 1001, f: 'PA', len: 100, win: 502 });
    t.b({ seq: 1001, ack: 0x55, win: 300, dt: 0.02 });
    const a = annotate(tl);
    assert.deepEqual(a.map((x) => x.stream), [0, 0, 0, 0, 0]);
    assert.deepEqual(a.map((x) => x.dir), [0, 1, 0, 0, 1]);
    assert.deepEqual(a.map((x) => [x.seq, x.ack, x.nxtseq]), [[0, 0, 1], [0, 1, 1], [1, 1, 1], [1, 1, 101], [1, 101, 1]]);
    assert.deepEqual(a.map((x) => x.windowSize), [64240, 65160, 502 * 128, 502 * 128, 300 * 512]);
    // A SYN's own scale is read after its window: still unknown there.
    assert.deepEqual(a.map((x) => x.windowScale), [-1, -1, 7, 7, 9]);
    assert.equal(a[1]!.acksFrame, 1);
    assert.equal(a[1]!.ackRtt, 0.01);
    assert.equal(a[2]!.initialRtt, 0.0105);
    assert.equal(a[4]!.acksFrame, 4);
    assert.equal(a[4]!.ackRtt, 0.02);
    assert.equal(a[3]!.bytesInFlight, 100);
    assert.equal(a[3]!.pushBytesSent, 100);
    assert.equal(a[4]!.timeRelative, 0.0315);
    assert.equal(a[4]!.timeDelta, 0.02);
    assert.ok(a.every((x) => x.flags === 0));
  });

  it('absolute numbers on request', () => {
    const tl = new Timeline();
    const t = new Talk(tl);
    t.a({ seq: 7000, f: 'S', win: 100 });
    t.b({ seq: 9000, ack: 7001, f: 'SA', win: 100 });
    t.a({ seq: 7001, ack: 9001, win: 100 });
    const a = annotate(tl, new TcpTracker({ relativeSeq: false }));
    assert.deepEqual(a.map((x) => [x.seq, x.ack]), [[7000, 0], [9000, 7001], [7001, 9001]]);
    assert.deepEqual(a.map((x) => x.isn), [7000, 9000, 7000]);
  });

  it('stream indices in order of first appearance, port reuse flagged on the new stream', () => {
    const s = SCENARIOS.find((x) => x.name.startsWith('port reuse'))!;
    const a = annotate(s.timeline);
    assert.deepEqual(a.map((x) => x.stream), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    assert.equal(a[6]!.flags, F.REUSED_PORTS);
    assert.equal(a[9]!.seq, 0, 'a SYN/ACK with a new ISN restarts the relative numbers of its side');
  });

  it('duplicate ACK number and frame', () => {
    const s = SCENARIOS.find((x) => x.name.startsWith('three duplicate'))!;
    const a = annotate(s.timeline);
    assert.deepEqual([8, 9, 10].map((i) => [a[i]!.dupAckNum, a[i]!.dupAckFrame]), [[1, 8], [2, 8], [3, 8]]);
    assert.equal(a[11]!.flags, F.FAST_RETRANSMISSION);
  });

  it('an MPTCP-only change is no duplicate ACK, and starts a new series', () => {
    const a = annotate(mptcp.timeline);
    assert.deepEqual(a.slice(4).map((x) => [x.flags & F.DUPLICATE_ACK ? 1 : 0, x.mptcpNotDupAck]), [[0, true], [1, false], [0, true], [0, true]]);
    assert.equal(a[5]!.dupAckFrame, 5);
    const strict = annotate(mptcp.timeline, new TcpTracker({ mptcpAwareDupAck: false }));
    assert.deepEqual(strict.slice(5).map((x) => x.dupAckNum), [1, 2, 3]);
  });

  it('summarizes conversations', () => {
    const s = SCENARIOS.find((x) => x.name.startsWith('RST in the middle'))!;
    const tracker = new TcpTracker();
    annotate(s.timeline, tracker);
    const [first, second] = tracker.conversations();
    assert.equal(first!.state, 'reset');
    assert.deepEqual([first!.packetsAtoB, first!.packetsBtoA, first!.synA, first!.synB], [3, 2, true, true]);
    assert.equal(first!.addrA, 0x0a000001);
    assert.equal(first!.portB, 45000);
    assert.deepEqual([second!.stream, second!.firstFrame, second!.lastFrame, second!.state], [1, 6, 7, 'open']);
  });

  it('the Analyzer runs later stages after TCP', () => {
    const seen: Array<number | undefined> = [];
    const analyzer = new Analyzer({ stages: [{ process: (_p, ann) => void seen.push(ann.tcp?.stream) }] });
    for (const p of packets(SCENARIOS[0]!.timeline)) analyzer.process(p);
    assert.deepEqual(seen, [0, 0, 0, 0, 0]);
  });
});

/** tshark's walk over its list of unacknowledged segments, kept as simple as the rule. */
class ReferenceUnacked {
  items: Array<{ frame: number; seq: number; next: number; ts: number }> = [];
  add(frame: number, seq: number, next: number, ts: number): void {
    this.items.push({ frame, seq, next, ts });
  }
  ack(ack: number): { frame: number; ts: number } | undefined {
    const lt = (a: number, b: number) => ((a - b) | 0) < 0;
    let match: { frame: number; ts: number } | undefined;
    this.items = this.items.filter((e) => {
      if (e.next === ack) {
        match ??= { frame: e.frame, ts: e.ts };
        return false;
      }
      if (lt(e.next, ack)) return false;
      if (lt(e.seq, ack)) e.seq = ack;
      return true;
    });
    return match;
  }
  span(base: number): number {
    let first = 0xffffffff;
    let last = 0;
    for (const e of this.items) {
      first = Math.min(first, (e.seq - base) >>> 0);
      last = Math.max(last, (e.next - base) >>> 0);
    }
    return (last - first) >>> 0;
  }
}

describe('tracker data structures', () => {
  it('the unacknowledged-segment ring answers as tshark walks its list', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    for (let round = 0; round < 200; round++) {
      // One flow's ring in a store's record: it starts there and moves out as it grows.
      const store = new ConversationStore();
      const flow = store.allocate(0, { family: 4, loAddr: 1, loPort: 1, hiAddr: 2, hiPort: 2 }, 1, 0, true).at + LO;
      const rings = new UnackedRings();
      const ours = {
        add: (frame: number, seq: number, next: number, ts: number) => rings.add(store.f, flow, frame, seq, next, ts),
        ack: (ack: number, m: { frame: number; ts: number }) => rings.ack(store.f, flow, ack, m),
        span: (base: number) => rings.span(store.f, flow, base),
        get count() { return rings.count(store.f, flow); },
      };
      const ref = new ReferenceUnacked();
      const base = rand(2) ? 0xfffff000 : rand(1 << 30);
      let next = (base + 1) >>> 0;
      let acked = next;
      const m = { frame: 0, ts: 0 };
      for (let step = 0; step < 60; step++) {
        if (rand(3) > 0) {
          // Mostly new data, sometimes a resend from the last acknowledged point.
          const start = rand(6) === 0 ? acked : next;
          const len = 1 + rand(1500);
          const end = (start + len) >>> 0;
          ours.add(step, start, end, step * 10);
          ref.add(step, start, end, step * 10);
          if (start === next) next = end;
        } else {
          const ack = rand(4) === 0 ? ((acked + 1 + rand(3000)) >>> 0) : next;
          acked = ack;
          const want = ref.ack(ack);
          const got = ours.ack(ack, m);
          assert.equal(got, want !== undefined, `round ${round} step ${step}: match`);
          if (want) assert.deepEqual(m, want);
        }
        assert.equal(ours.count, ref.items.length);
        if (ours.count > 0) assert.equal(ours.span(base), ref.span(base), `round ${round} step ${step}: span`);
      }
    }
  });

  it('the conversation table finds, replaces and forgets like a Map', () => {
    const table = new ConversationTable();
    const ref = new Map<string, number>();
    let seed = 3;
    const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    const keys: Array<[number, number]> = [];
    for (let i = 0; i < 3000; i++) keys.push([(0x0a000000 + rand(5000)) * 65536 + rand(65536), 0xc0a80001 * 65536 + 443]);
    for (let step = 0; step < 20000; step++) {
      const [lo, hi] = keys[rand(keys.length)]!;
      const id = `${lo}/${hi}`;
      const have = ref.get(id);
      if (rand(4) === 0 && have) {
        table.deleteV4(lo, hi, have);
        ref.delete(id);
      } else {
        const c = step * 104;
        table.setV4(lo, hi, c);
        ref.set(id, c);
      }
      const [qlo, qhi] = keys[rand(keys.length)]!;
      const ip = { src: Math.floor(qlo / 65536), dst: Math.floor(qhi / 65536) } as Parameters<ConversationTable['lookupV4']>[0];
      const tcp = { srcPort: qlo % 65536, dstPort: qhi % 65536 } as Parameters<ConversationTable['lookupV4']>[1];
      assert.equal(table.lookupV4(ip, tcp), ref.get(`${qlo}/${qhi}`) ?? -1);
    }
    assert.equal(table.size, ref.size);
  });
});
