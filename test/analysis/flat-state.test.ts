/**
 * The flat storage behind the MPTCP tracker and the report collector: many
 * owners' tables, rings, series and coverages living in shared records and
 * pools, against plain reference implementations fed the same operations,
 * with the owners interleaved so that regions grow, move and get repacked.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MptcpTracker } from '../../src/analysis/mptcp/index.js';
import type { MptcpAnnotation } from '../../src/analysis/mptcp/index.js';
import { TcpTracker } from '../../src/analysis/tcp/tracker.js';
import { readCaptureBytes } from '../../src/capture/index.js';
import { decodePacket } from '../../src/wire/index.js';
import type { Packet } from '../../src/wire/types.js';
import { CORPUS, ROOT, SKIP_NO_SHARED } from '../helpers/shared.js';
import { RecordTable, RegionPool } from '../../src/analysis/mptcp/flat.js';
import { MAPPING_FIELDS, MAPPING_TEMPLATE, MappingSet } from '../../src/analysis/mptcp/mappings.js';
import { SENT_FIELDS, SENT_TEMPLATE, SentLogs } from '../../src/analysis/mptcp/sent-log.js';
import { COVERAGE_FIELDS, COVERAGE_TEMPLATE, CoverageSet } from '../../src/analysis/report/coverage.js';
import {
  DISTRIBUTION_COLD_FIELDS, DISTRIBUTION_COLD_TEMPLATE, DISTRIBUTION_FIELDS, DISTRIBUTION_TEMPLATE, Distribution, DistributionSet, EXACT_SAMPLES,
} from '../../src/analysis/report/distribution.js';
import { TSVAL_FIELDS, TSVAL_TEMPLATE, TsvalRings } from '../../src/analysis/report/tsval.js';

/** A deterministic pseudo-random sequence (xorshift32). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

/** A table whose records hold `fields` at offset 3, between other numbers, as the real owners' records do. */
function hostTable(fields: number, template: readonly number[], owners: number): RecordTable {
  const stride = 3 + fields + 2;
  const t = new RecordTable(stride, [7, 7, 7, ...template, 7, 7], 4);
  t.ensure(owners - 1);
  return t;
}

const recOf = (t: RecordTable, i: number): number => i * t.stride;

describe('RecordTable', () => {
  for (const pages of [true, false]) {
    it(`grows keeping its records and fills new ones from the template (${pages ? 'pages of its own' : 'plain arrays, where pages are refused'})`, () => {
      const saved: unknown = Reflect.get(globalThis, 'WebAssembly');
      if (!pages) Reflect.deleteProperty(globalThis, 'WebAssembly');
      try {
        const t = new RecordTable(8, [1, NaN, -Infinity], 2);
        for (let i = 0; i < 5000; i++) {
          const at = t.ensure(i);
          assert.deepEqual([...t.f.subarray(at, at + 4)], [1, NaN, -Infinity, 0]);
          t.f[at + 3] = i;
        }
        for (let i = 0; i < 5000; i++) assert.equal(t.f[i * 8 + 3], i);
        assert.equal(t.size, 5000);
      } finally {
        Reflect.set(globalThis, 'WebAssembly', saved);
      }
    });
  }
});

describe('RegionPool', () => {
  it('repacks live regions densely and finds them through their owners', () => {
    const owners = 200;
    const t = new RecordTable(2, [0, 0], 1);
    t.ensure(owners - 1);
    const pool = new RegionPool();
    const fill = (i: number): void => {
      const at = t.f[i * 2]!;
      for (let k = 0; k < t.f[i * 2 + 1]!; k++) pool.f[at + k] = i * 100000 + k;
    };
    // Everyone grows in turn, 16 -> 4096, as the sample regions of many RTT series do.
    for (let size = 16; size <= 4096; size *= 2) {
      for (let i = 0; i < owners; i++) {
        if (pool.crowded(size)) pool.repack(t, 0, 1, 1);
        const old = t.f[i * 2 + 1]!;
        t.f[i * 2] = old === 0 ? pool.alloc(size) : pool.resize(t.f[i * 2]!, old, size, old);
        t.f[i * 2 + 1] = size;
        fill(i);
      }
    }
    const live = owners * 4096;
    assert.ok(pool.f.length <= 2 * live, `pool ${pool.f.length} for ${live} live numbers`);
    for (let i = 0; i < owners; i++) assert.equal(pool.f[t.f[i * 2]! + 4095], i * 100000 + 4095);
    // Most regions go: the pool shrinks to what is left.
    for (let i = 10; i < owners; i++) {
      pool.release(t.f[i * 2]!, 4096);
      t.f[i * 2 + 1] = 0;
      if (pool.sparse) pool.repack(t, 0, 1, 1);
    }
    assert.ok(pool.f.length <= 4 * 10 * 4096, `pool ${pool.f.length} after most regions went`);
    for (let i = 0; i < 10; i++) assert.equal(pool.f[t.f[i * 2]! + 17], i * 100000 + 17);
  });
});

/** The mapping table as it was: one array per table, newest last. */
class RefMappings {
  v: number[][] = [];
  add(ssn: number, end: number, dsn: number, dsnEnd: number, frame: number): boolean {
    const last = this.v.at(-1);
    if (last !== undefined && last[0] === ssn && last[1] === end && last[2] === dsn) {
      last[4] = frame;
      return false;
    }
    if (this.v.length >= 8192) this.v.shift();
    this.v.push([ssn, end, dsn, dsnEnd, frame]);
    return true;
  }
  find(seq: number): number[] | undefined {
    for (let i = this.v.length - 1; i >= 0; i--) if (this.v[i]![0]! <= seq && seq < this.v[i]![1]!) return this.v[i];
    return undefined;
  }
  dropUpTo(dsnUpTo: number, seqUpTo: number): void {
    while (this.v.length > 0 && this.v[0]![3]! <= dsnUpTo && this.v[0]![1]! <= seqUpTo) this.v.shift();
  }
}

describe('MappingSet', () => {
  it('agrees with one array per table, many tables taking turns', () => {
    const owners = 150;
    const t = hostTable(MAPPING_FIELDS, MAPPING_TEMPLATE, owners);
    const set = new MappingSet(t, 3);
    const refs = Array.from({ length: owners }, () => new RefMappings());
    const next = Array.from({ length: owners }, () => 1);
    const r = rng(7);
    for (let step = 0; step < 150000; step++) {
      const i = Math.floor(r() * owners);
      const rec = recOf(t, i);
      const ref = refs[i]!;
      const op = r();
      if (op < 0.55) {
        const len = 1 + Math.floor(r() * 3000);
        const resend = r() < 0.1 && next[i]! > 5000;
        const ssn = resend ? next[i]! - 1 - Math.floor(r() * 4000) : next[i]!;
        const dsn = ssn * 3 + 11;
        assert.equal(set.add(rec, ssn, ssn + len, dsn, dsn + len, step), ref.add(ssn, ssn + len, dsn, dsn + len, step));
        if (!resend) next[i]! += len;
      } else if (op < 0.9) {
        const seq = Math.floor(r() * next[i]!);
        const want = ref.find(seq);
        assert.equal(set.locate(rec, seq), want !== undefined, `step ${step}`);
        if (want !== undefined) assert.deepEqual([set.foundSsn, set.foundDsn, set.foundFrame], [want[0], want[2], want[4]]);
      } else if (op < 0.99) {
        const upTo = Math.floor(r() * next[i]!);
        set.dropUpTo(rec, upTo * 3 + 11, upTo);
        ref.dropUpTo(upTo * 3 + 11, upTo);
      } else {
        set.clear(rec);
        ref.v = [];
      }
      assert.equal(set.size(rec), ref.v.length);
    }
    // The records' other numbers were never touched.
    for (let i = 0; i < owners; i++) assert.deepEqual([...t.f.subarray(recOf(t, i), recOf(t, i) + 3)], [7, 7, 7]);
  });
});

/** The sent log as it was: ranges sorted by start, replaced when resent from the same start by the same owner. */
class RefSent {
  v: Array<[number, number, number, number]> = [];
  add(start: number, end: number, frame: number, owner: number): void {
    const last = this.v.at(-1);
    if (last === undefined || last[0] < start) {
      this.v.push([start, end, frame, owner]);
      if (this.v.length > 4096) this.v.shift();
      return;
    }
    let at = this.v.findIndex((x) => x[0] >= start);
    for (let i = at; i < this.v.length && this.v[i]![0] === start; i++) {
      if (this.v[i]![3] === owner) {
        this.v[i]![1] = end;
        this.v[i]![2] = frame;
        return;
      }
    }
    if (at < 0) at = this.v.length;
    this.v.splice(at, 0, [start, end, frame, owner]);
  }
  overlapping(from: number, to: number): number[] {
    return this.v.filter((x) => x[0] < to && x[1] > from).map((x) => x[2]);
  }
  dropUpTo(upTo: number): void {
    while (this.v.length > 0 && this.v[0]![1] <= upTo) this.v.shift();
  }
}

describe('SentLogs', () => {
  it('agrees with one sorted array per log, many logs taking turns', () => {
    const owners = 150;
    const t = hostTable(SENT_FIELDS, SENT_TEMPLATE, owners);
    const logs = new SentLogs(t, 3);
    const refs = Array.from({ length: owners }, () => new RefSent());
    const next = Array.from({ length: owners }, () => 1);
    const r = rng(11);
    const out: number[] = [];
    for (let step = 0; step < 150000; step++) {
      const i = Math.floor(r() * owners);
      const rec = recOf(t, i);
      const ref = refs[i]!;
      const op = r();
      if (op < 0.6) {
        const len = 1 + Math.floor(r() * 1400);
        const resend = r() < 0.15 && next[i]! > 3000;
        const start = resend ? next[i]! - 1 - Math.floor(r() * 3000) : next[i]!;
        const owner = Math.floor(r() * 3);
        logs.add(rec, start, start + len, step, owner);
        ref.add(start, start + len, step, owner);
        if (!resend) next[i]! += len;
      } else if (op < 0.9) {
        const from = Math.floor(r() * next[i]!);
        const to = from + 1 + Math.floor(r() * 2000);
        logs.collect(rec, from, to, out);
        assert.deepEqual(out.map((x) => logs.frame(x)), ref.overlapping(from, to), `step ${step}`);
        out.length = 0;
      } else if (op < 0.995) {
        const upTo = Math.floor(r() * next[i]!);
        logs.dropUpTo(rec, upTo);
        ref.dropUpTo(upTo);
      } else {
        logs.clear(rec);
        ref.v = [];
      }
      assert.equal(logs.size(rec), ref.v.length);
    }
  });
});

/** The coverage as it was: all disjoint ranges in one array, above a floor. */
class RefCoverage {
  ranges: number[] = [];
  floor = -Infinity;
  add(start: number, end: number): number {
    const s = Math.max(start, this.floor);
    if (end <= s) return 0;
    const r = this.ranges;
    const n = r.length;
    if (n === 0 || s >= r[n - 1]!) {
      if (n > 0 && s === r[n - 1]!) r[n - 1] = end;
      else r.push(s, end);
      return end - s;
    }
    let covered = 0;
    let lo = s;
    let hi = end;
    const kept: number[] = [];
    for (let i = 0; i < n; i += 2) {
      const a = r[i]!;
      const b = r[i + 1]!;
      if (b < s || a > end) {
        kept.push(a, b);
        continue;
      }
      covered += Math.max(0, Math.min(b, end) - Math.max(a, s));
      lo = Math.min(lo, a);
      hi = Math.max(hi, b);
    }
    let at = 0;
    while (at < kept.length && kept[at]! < lo) at += 2;
    kept.splice(at, 0, lo, hi);
    this.ranges = kept;
    return end - s - covered;
  }
  advance(ack: number): void {
    if (ack <= this.floor) return;
    this.floor = ack;
    const r = this.ranges;
    let h = 0;
    while (h < r.length && r[h + 1]! <= ack) h += 2;
    if (h < r.length && r[h]! < ack) r[h] = ack;
    r.splice(0, h);
  }
}

describe('CoverageSet', () => {
  it('counts new bytes as one array per direction would, many directions taking turns', () => {
    const owners = 30;
    const t = hostTable(COVERAGE_FIELDS, COVERAGE_TEMPLATE, owners);
    const set = new CoverageSet(t, 3);
    const refs = Array.from({ length: owners }, () => new RefCoverage());
    const next = Array.from({ length: owners }, () => 1);
    const acked = Array.from({ length: owners }, () => 1);
    const r = rng(5);
    for (let step = 0; step < 80000; step++) {
      const i = Math.floor(r() * owners);
      const rec = recOf(t, i);
      const op = r();
      if (op < 0.7) {
        const len = Math.floor(r() * 1500);
        // In order mostly; sometimes ahead (a hole, sent on another subflow later) or behind (sent again).
        const kind = r();
        const start = kind < 0.8 ? next[i]! : kind < 0.9 ? next[i]! + 1 + Math.floor(r() * 3000) : Math.max(1, next[i]! - Math.floor(r() * 6000));
        assert.equal(set.add(rec, start, start + len), refs[i]!.add(start, start + len), `step ${step}`);
        next[i] = Math.max(next[i]!, start + len);
      } else {
        acked[i] = Math.min(next[i]!, acked[i]! + Math.floor(r() * 5000));
        set.advance(rec, acked[i]!);
        refs[i]!.advance(acked[i]!);
      }
    }
  });
});

/** The TSval ring as it was, on a plain array. */
class RefTsvals {
  v: Array<[number, number]> = [];
  echoed = false;
  add(tsval: number, ns: number): void {
    const last = this.v.at(-1);
    if (last !== undefined && !(((tsval - last[0]) | 0) > 0)) return;
    if (this.v.length >= (this.echoed ? 512 : 64)) this.v.shift();
    this.v.push([tsval, ns]);
  }
  echo(tsecr: number): number | undefined {
    while (this.v.length > 0) {
      const [v, t] = this.v[0]!;
      if (v !== tsecr && !(((v - tsecr) | 0) < 0)) return undefined;
      this.v.shift();
      if (v === tsecr) {
        this.echoed = true;
        return t;
      }
    }
    return undefined;
  }
}

describe('TsvalRings', () => {
  it('pairs first sightings with first echoes as one array per direction would, across 2^32', () => {
    const owners = 50;
    const t = hostTable(TSVAL_FIELDS, TSVAL_TEMPLATE, owners);
    const rings = new TsvalRings(t, 3);
    const refs = Array.from({ length: owners }, () => new RefTsvals());
    const clock = Array.from({ length: owners }, (_, i) => (2 ** 32 - 5000 + i * 37) >>> 0);
    const r = rng(3);
    for (let step = 0; step < 100000; step++) {
      const i = Math.floor(r() * owners);
      const rec = recOf(t, i);
      if (r() < 0.7) {
        clock[i] = (clock[i]! + Math.floor(r() * 3)) >>> 0;
        // Given signed half the time, as the collector reads them from packets.
        rings.add(rec, step % 2 === 0 ? clock[i]! | 0 : clock[i]!, 0, step);
        refs[i]!.add(clock[i]!, step);
      } else if (i % 5 !== 0) {
        // Some directions are never echoed (their peer is not in the capture).
        const tsecr = (clock[i]! - Math.floor(r() * 300)) >>> 0;
        assert.equal(rings.echo(rec, step % 3 === 0 ? tsecr | 0 : tsecr), refs[i]!.echo(tsecr), `step ${step}`);
      }
    }
  });

  it('gives back each time exactly, through gaps past 2^32 ns, times going back and fractions', () => {
    const owners = 40;
    const t = hostTable(TSVAL_FIELDS, TSVAL_TEMPLATE, owners);
    const rings = new TsvalRings(t, 3);
    const refs = Array.from({ length: owners }, () => new RefTsvals());
    const clock = Array.from({ length: owners }, (_, i) => i * 1000);
    const r = rng(11);
    // Capture times in ns: mostly small steps, now and then a pause of seconds (some past 2^32 ns) or a step back; rarely a fraction.
    let ns = 1e15;
    for (let step = 0; step < 200000; step++) {
      const x = r();
      ns += x < 0.0005 ? Math.floor(r() * 9e9) : x < 0.001 ? -Math.floor(r() * 1e6) : Math.floor(r() * 2e6);
      const i = Math.floor(r() * owners);
      const rec = recOf(t, i);
      if (r() < 0.75) {
        const time = r() < 0.0001 ? ns + 0.25 : ns;
        clock[i] = (clock[i]! + Math.floor(r() * 3)) >>> 0;
        rings.add(rec, clock[i]!, Math.floor(time / 1e9), time % 1e9);
        refs[i]!.add(clock[i]!, time);
      } else if (i % 4 !== 0) {
        const tsecr = (clock[i]! - Math.floor(r() * 200)) >>> 0;
        assert.equal(rings.echo(rec, tsecr), refs[i]!.echo(tsecr), `step ${step}`);
      }
    }
    // Every ring still answers for each value it holds.
    for (let i = 0; i < owners; i++) {
      for (const [v, time] of [...refs[i]!.v]) {
        refs[i]!.echo(v);
        assert.equal(rings.echo(recOf(t, i), v), time);
      }
    }
  });
});

/** The middle of the 2% histogram bucket holding `x`, as distribution.ts defines the buckets (1 µs to 1000 s). */
function bucketMiddle(x: number): number {
  const low = 1e-6;
  const ratio = 1.02;
  if (x <= low) return low;
  if (x >= 1e3) return 1e3;
  const b = 1 + Math.floor(Math.log(x / low) / Math.log(ratio));
  return low * ratio ** (b - 1) * Math.sqrt(ratio);
}

describe('DistributionSet', () => {
  it('keeps many series in shared records as separate distributions would, through the switch to histograms and to doubles', () => {
    const owners = 100;
    // The two parts of each series apart in the record, as in the collector's.
    const t = hostTable(DISTRIBUTION_FIELDS + 5 + DISTRIBUTION_COLD_FIELDS, [...DISTRIBUTION_TEMPLATE, 7, 7, 7, 7, 7, ...DISTRIBUTION_COLD_TEMPLATE], owners);
    const set = new DistributionSet(t, 3, 3 + DISTRIBUTION_FIELDS + 5);
    const alone = Array.from({ length: owners }, () => new Distribution());
    const samples: number[][] = Array.from({ length: owners }, () => []);
    const r = rng(9);
    const check = (i: number): void => {
      const view = new Distribution(set, recOf(t, i));
      const stats = view.stats();
      assert.deepEqual(stats, alone[i]!.stats(), `series ${i}`);
      const xs = samples[i]!;
      if (xs.length === 0 || stats === undefined) return;
      const sorted = [...xs].sort((a, b) => a - b);
      assert.equal(stats.count, xs.length);
      assert.equal(stats.min, sorted[0]);
      assert.equal(stats.max, sorted.at(-1));
      assert.equal(stats.mean, xs.reduce((a, b) => a + b, 0) / xs.length);
      const median = sorted[Math.ceil(sorted.length / 2) - 1]!;
      assert.equal(stats.exact, xs.length <= EXACT_SAMPLES);
      // Past the exact samples: the geometric middle of the median's 2% bucket, within the extremes.
      if (stats.exact) assert.equal(stats.median, median);
      else assert.equal(stats.median, Math.min(stats.max, Math.max(stats.min, bucketMiddle(median))));
    };
    // Series grow in turn, most past the exact samples, as the RTT series of a long capture do; some are read on the way.
    for (let step = 0; step < owners * (EXACT_SAMPLES + 300); step++) {
      const i = step % owners;
      if (i % 4 === 0 && samples[i]!.length > 40) continue;
      // Round trips are whole nanoseconds, kept as such; a series given one that is not keeps doubles from then on.
      const v = 1e-5 * 10 ** (3 * r());
      const x = i % 3 === 0 || (i % 3 === 1 && samples[i]!.length === 300) ? v : Math.round(v * 1e9) / 1e9;
      set.add(recOf(t, i), x);
      alone[i]!.add(x);
      samples[i]!.push(x);
      if (r() < 0.001) check(i);
    }
    for (let i = 0; i < owners; i++) check(i);
    for (let i = 0; i < owners; i++) assert.deepEqual([...t.f.subarray(recOf(t, i), recOf(t, i) + 3)], [7, 7, 7]);
  });
});

/** Every member of an annotation but the reinjected_in lookup (not recorded for transient ones), as plain data. */
function plain(a: MptcpAnnotation | undefined): unknown {
  if (a === undefined) return undefined;
  // The connection and the subflow are looked up when read (getters), the rest are own members.
  const out: Record<string, unknown> = { connection: a.connection.index, subflow: a.subflow.stream };
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? [...(v as unknown[])] : v;
  }
  return out;
}

/**
 * Two MPTCP trackers fed one capture, each through a TCP tracker of its own,
 * give the same annotations packet by packet and the same connections;
 * `alter` may change the second one's copy of each packet first.
 */
function sameAnnotations(file: string, first: MptcpTracker, second: MptcpTracker, alter: (p: Packet) => void = () => {}): number {
  const tcpA = new TcpTracker();
  const tcpB = new TcpTracker();
  let n = 0;
  readCaptureBytes(new Uint8Array(readFileSync(file)), (frame) => {
    const a = decodePacket(frame);
    const b = decodePacket(frame);
    alter(b);
    const ta = tcpA.process(a);
    const tb = tcpB.process(b);
    const ka = ta === undefined ? undefined : first.process(a, ta);
    const kb = tb === undefined ? undefined : second.process(b, tb);
    assert.deepEqual(plain(kb), plain(ka), `frame ${frame.number}`);
    if (ka !== undefined) n++;
  });
  first.finish();
  second.finish();
  assert.ok(n > 0);
  assert.deepEqual(JSON.stringify(second.connections(), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
    JSON.stringify(first.connections(), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  return n;
}

const MPTCP_CAPTURES = (): string[] => {
  const lab = join(ROOT, 'test/fixtures/lab');
  return [
    ...readdirSync(lab).filter((f) => f.endsWith('.pcapng')).map((f) => join(lab, f)),
    ...['tcpdump/mptcp-v0.pcap', 'tcpdump/mptcp-v1.pcap', 'tcpdump/mptcp-fclose.pcap', 'pymptcpanalyzer/client_2.pcap', 'ptcpdump/mptcp.pcap'].map((f) => join(CORPUS, f)),
  ];
};

describe('transient MPTCP annotations', { skip: SKIP_NO_SHARED }, () => {
  for (const file of MPTCP_CAPTURES()) {
    it(`say what kept ones say, packet by packet: ${file.split('/').slice(-2).join('/')}`, () => {
      sameAnnotations(file, new MptcpTracker(), new MptcpTracker({ transientAnnotations: true }));
    });
  }
});

describe('the MPTCP tracker over options the decoder found sound (TcpRepr.optionKinds)', { skip: SKIP_NO_SHARED }, () => {
  for (const file of MPTCP_CAPTURES()) {
    it(`reads them as the checking walk does: ${file.split('/').slice(-2).join('/')}`, () => {
      let sound = 0;
      sameAnnotations(file, new MptcpTracker(), new MptcpTracker(), (p) => {
        if ((p.tcp?.optionKinds ?? -1) >= 0) sound++;
        if (p.tcp !== undefined) p.tcp.optionKinds = -1;
      });
      assert.ok(sound > 0, 'segments whose options were known sound');
    });
  }
});
