/** Bounded RTT distributions: exact nearest-rank percentiles for small series, 1% accuracy past them; DSN coverage. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DsnCoverage } from '../../src/analysis/report/collect.js';
import { Distribution, EXACT_SAMPLES } from '../../src/analysis/report/distribution.js';

test('exact nearest-rank percentiles while the series is small', () => {
  const d = new Distribution();
  assert.equal(d.stats(), undefined);
  for (const x of [5, 1, 4, 2, 3]) d.add(x);
  assert.deepEqual(d.stats(), { count: 5, min: 1, median: 3, p95: 5, max: 5, mean: 3, exact: true });
  const even = new Distribution();
  for (const x of [4, 1, 3, 2]) even.add(x);
  // Nearest rank: the median of an even count is the lower middle sample.
  assert.equal(even.percentile(50), 2);
  assert.equal(even.percentile(95), 4);
  assert.equal(even.percentile(25), 1);
});

test('negative, NaN and infinite samples are ignored', () => {
  const d = new Distribution();
  for (const x of [-1, Number.NaN, Infinity, 0, 2]) d.add(x);
  assert.deepEqual([d.count, d.min, d.max], [2, 0, 2]);
});

test('past the exact samples: a log histogram within 1%, exact min, max, count and mean', () => {
  const d = new Distribution();
  const n = 100_000;
  // A deterministic spread from 100 µs to 1 s.
  const xs: number[] = [];
  for (let i = 0; i < n; i++) xs.push(1e-4 * 10 ** (4 * (((i * 7919) % n) / n)));
  for (const x of xs) d.add(x);
  const s = d.stats()!;
  assert.equal(s.exact, false);
  assert.equal(s.count, n);
  const sorted = [...xs].sort((a, b) => a - b);
  assert.equal(s.min, sorted[0]);
  assert.equal(s.max, sorted[n - 1]);
  for (const [p, got] of [[50, s.median], [95, s.p95]] as const) {
    const want = sorted[Math.ceil((p / 100) * n) - 1]!;
    assert.ok(Math.abs(got - want) / want <= 0.01, `p${p}: ${got} vs ${want}`);
  }
  assert.ok(Math.abs(s.mean - xs.reduce((a, b) => a + b, 0) / n) < 1e-12);
  assert.ok(EXACT_SAMPLES < n);
});

test('DSN coverage: new bytes once, interleaved ranges, everything below the data ACK counts as sent', () => {
  const c = new DsnCoverage();
  assert.equal(c.add(1, 1001), 1000);
  assert.equal(c.add(2001, 3001), 1000); // a hole at 1001-2000 (sent on another subflow later)
  assert.equal(c.add(1001, 2001), 1000); // fills it
  assert.equal(c.add(500, 2500), 0); // all sent before
  assert.equal(c.add(2901, 3101), 100); // partly new
  c.advance(4000);
  assert.equal(c.add(3500, 4500), 500); // below the data ACK counts as sent, even if not seen
  assert.equal(c.add(4500, 5000), 500);
});
