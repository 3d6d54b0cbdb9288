import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { secNsecToUnits, tsResolution, unitsToSecNsec } from '../../src/capture/index.js';
import { CaptureError } from '../../src/util/errors.js';
import { rng } from '../helpers/rng.js';

/** Reference: BigInt arithmetic straight from the definition (floor to nanoseconds). */
function reference(ts: bigint, raw: number): [number, number] {
  const n = BigInt(raw & 0x7f);
  const perSec = raw & 0x80 ? 1n << n : 10n ** n;
  const sec = ts / perSec;
  return [Number(sec), Number(((ts % perSec) * 1_000_000_000n) / perSec)];
}

describe('timestamps', () => {
  it('unitsToSecNsec is exact for decimal and binary resolutions over the whole 64-bit range', () => {
    const rand = rng(7);
    const out = { sec: 0, nsec: 0 };
    const his = [0, 1, 0x1fffff, 0x200000, 0x17975e0e, 0x7fffffff, 0xffffffff];
    for (const raw of [0, 1, 3, 6, 7, 9, 10, 12, 0x80, 0x80 | 10, 0x80 | 20, 0x80 | 30, 0x80 | 32]) {
      const res = tsResolution(raw);
      for (let i = 0; i < 3000; i++) {
        const hi = i < his.length ? his[i]! : i % 2 ? Math.floor(rand() * 0x200000) : Math.floor(rand() * 4294967296);
        const lo = i % 5 === 0 ? 0xffffffff : Math.floor(rand() * 4294967296);
        unitsToSecNsec(hi, lo, res, out);
        const [sec, nsec] = reference((BigInt(hi) << 32n) | BigInt(lo), raw);
        // Seconds beyond 2^53 cannot be exact as numbers; compare what a double can hold.
        assert.deepEqual([out.sec, out.nsec], [sec, nsec], `raw ${raw} hi ${hi} lo ${lo}`);
      }
    }
  });

  it('resolution digits: n for 10^-n up to 9, 9 for binary and finer-than-ns', () => {
    assert.deepEqual(
      [0, 3, 6, 9, 12, 0x80 | 20].map((r) => tsResolution(r).digits),
      [0, 3, 6, 9, 9, 9],
    );
  });

  it('secNsecToUnits inverts it exactly for every decimal resolution', () => {
    const rand = rng(9);
    const out = { hi: 0, lo: 0 };
    const back = { sec: 0, nsec: 0 };
    for (let digits = 0; digits <= 9; digits++) {
      const res = tsResolution(digits);
      const step = 10 ** (9 - digits);
      for (let i = 0; i < 2000; i++) {
        const sec = i === 0 ? 0 : i === 1 ? 18446744073 : Math.floor(rand() * (digits === 9 ? 18446744073 : 2 ** 33));
        // The largest time 64 bits of nanoseconds hold is 18446744073.709551615.
        const nsec = i === 1 ? Math.floor(709551615 / step) * step : Math.floor((rand() * 1e9) / step) * step;
        secNsecToUnits(sec, nsec, digits, out);
        const units = BigInt(sec) * 10n ** BigInt(digits) + BigInt(nsec / step);
        assert.equal((BigInt(out.hi) << 32n) | BigInt(out.lo), units, `digits ${digits} ${sec}.${nsec}`);
        unitsToSecNsec(out.hi, out.lo, res, back);
        assert.deepEqual([back.sec, back.nsec], [sec, nsec]);
      }
    }
  });

  it('secNsecToUnits refuses negative and too-large times', () => {
    const out = { hi: 0, lo: 0 };
    assert.throws(() => secNsecToUnits(-1, 0, 9, out), CaptureError);
    assert.throws(() => secNsecToUnits(18446744074, 0, 9, out), CaptureError);
  });
});
