/** The MPTCP tracker's building blocks: 64-bit sequence arithmetic on numbers, sent ranges, mappings, checksum gathering. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChecksumGather, MappingTable } from '../../src/analysis/mptcp/mappings.js';
import { SentLog } from '../../src/analysis/mptcp/sent-log.js';
import { TWO_32, baseHighFrom, extend32, highHalf, lowHalf, mod32, rawOf, relative64 } from '../../src/analysis/mptcp/seq.js';
import { dssChecksum } from '../../src/mptcp/index.js';

describe('sequence numbers as plain numbers', () => {
  it('extends 32-bit values from the current position, carrying across 2^32 both ways', () => {
    const baseLo = 0xfffffff0;
    assert.equal(extend32(0xfffffff1, baseLo, 1), 1);
    assert.equal(extend32(0x00000010, baseLo, 1), 0x20, 'past 2^32: carried, not wrapped');
    assert.equal(extend32(0xffffffe0, baseLo, 5), -16, 'just before the base');
    assert.equal(extend32(5, 0, 3 * TWO_32 + 10), 3 * TWO_32 + 5);
    assert.equal(extend32(0xfffffffe, 0, 3 * TWO_32 + 10), 3 * TWO_32 - 2);
  });

  it('subtracts 64-bit halves into a signed relative number', () => {
    assert.equal(relative64(1, 5, 0, 0xfffffff0), 0x15);
    assert.equal(relative64(0, 0xfffffff0, 1, 5), -0x15);
    assert.equal(relative64(0, 0, 0xffffffff, 0xffffffff), 1, 'across 2^64');
  });

  it('recovers the base high half from a full value and its relative number', () => {
    const base = 0x12345678fffffff0n;
    for (const rel of [1, 0x20, 5 * TWO_32 + 7, -3]) {
      const raw = rawOf(base, rel);
      assert.equal(baseHighFrom(highHalf(raw), lowHalf(raw), rel), highHalf(base), `rel ${rel}`);
    }
    assert.equal(mod32(-1), TWO_32 - 1);
  });

  it('takes halves signed or unsigned alike (the tracker reads them signed)', () => {
    const signed = (x: number): number => x | 0;
    for (const [hi, lo, baseHi, baseLo] of [[1, 5, 0, 0xfffffff0], [0, 0xfffffff0, 1, 5], [0x80000000, 0xffffffff, 0x7fffffff, 0x80000001], [0xffffffff, 0, 0xfffffffe, 0xffffffff]] as const) {
      assert.equal(relative64(signed(hi), signed(lo), baseHi, baseLo), relative64(hi, lo, baseHi, baseLo), `relative64 ${hi} ${lo}`);
    }
    for (const lo of [0xfffffff1, 0x80000000, 0x7fffffff, 5]) {
      assert.equal(extend32(signed(lo), 0xfffffff0, 1), extend32(lo, 0xfffffff0, 1), `extend32 ${lo}`);
      assert.equal(extend32(signed(lo), 0x80000000, 3 * TWO_32 + 10), extend32(lo, 0x80000000, 3 * TWO_32 + 10), `extend32 far ${lo}`);
    }
    const base = 0x92345678fffffff0n;
    for (const rel of [1, 0x20, 5 * TWO_32 + 7, -3]) {
      const raw = rawOf(base, rel);
      assert.equal(baseHighFrom(signed(highHalf(raw)), signed(lowHalf(raw)), rel), highHalf(base), `baseHighFrom rel ${rel}`);
    }
  });
});

describe('SentLog', () => {
  it('finds overlapping ranges, keeps order for resent data, replaces a resend from the same start on the same subflow', () => {
    const log = new SentLog();
    log.add(1, 101, 1, 0);
    log.add(101, 201, 2, 0);
    log.add(201, 10001, 3, 0);
    log.add(50, 150, 4, 1);
    log.add(101, 201, 5, 0);
    const collect = (s: number, e: number): number[] => {
      const out: number[] = [];
      log.collect(s, e, out);
      return out.map((i) => log.frame(i));
    };
    assert.deepEqual(collect(120, 130), [4, 5]);
    assert.deepEqual(collect(5000, 5001), [3], 'a long range reaches back');
    assert.deepEqual(collect(10001, 20000), [], 'past everything sent');
    log.dropUpTo(150);
    assert.deepEqual(collect(0, 150), [5]);
    assert.equal(log.size, 2);
  });
});

describe('MappingTable', () => {
  it('takes the newest covering mapping; a repeat of the last one names its newest frame', () => {
    const t = new MappingTable();
    assert.equal(t.add(1, 1001, 1, 1001, 10), true);
    assert.equal(t.add(1001, 2001, 5001, 6001, 11), true);
    assert.equal(t.add(1001, 2001, 5001, 6001, 12), false, 'a TSO copy');
    assert.equal(t.frame(t.find(1500)), 12);
    assert.equal(t.add(1, 1001, 1, 1001, 13), true, 'a retransmitted announcement');
    assert.equal(t.frame(t.find(500)), 13);
    assert.equal(t.dsn(t.find(1500)), 5001);
    assert.equal(t.find(2001), -1);
    t.dropUpTo(6001, 1001);
    assert.equal(t.size, 2, 'the second mapping waits for the subflow ACK');
    t.dropUpTo(6001, 2001);
    assert.equal(t.size, 0);
  });
});

describe('ChecksumGather', () => {
  const payload = Uint8Array.from({ length: 301 }, (_, i) => (i * 13) & 0xff);
  const dsn = 0x0102030405060708n;
  const csum = dssChecksum(dsn, 1, 301, payload);

  it('verifies a mapping from pieces in any order, with odd lengths', () => {
    const g = new ChecksumGather(1, 1, 302, 302, dsn, 1, 301, csum);
    assert.equal(g.feed(200, 102, payload.slice(199), 0, 102), false, 'ahead of a gap: kept aside');
    assert.equal(g.feed(1, 99, payload, 0, 99), false);
    assert.equal(g.feed(100, 100, payload.slice(99, 199), 0, 100), true);
    assert.equal(g.status(), 'good');
  });

  it('notes a cut segment and completes from the retransmission', () => {
    const g = new ChecksumGather(1, 1, 302, 302, dsn, 1, 301, csum ^ 1);
    assert.equal(g.feed(1, 301, payload, 0, 40), false);
    assert.equal(g.cut, true);
    assert.equal(g.feed(1, 301, payload, 0, 301), true);
    assert.equal(g.status(), 'bad');
  });
});
