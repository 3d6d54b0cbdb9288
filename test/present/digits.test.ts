/**
 * The number writer both line builders share (present/digits.ts), through
 * tcpdump's line: every digit count, growing lines, padding and 64-bit
 * values, against String() and BigInt.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Line } from '../../src/present/tcpdump/line.js';

function values(): number[] {
  const out: number[] = [0, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1];
  for (let x = 1; x <= 1e15; x *= 10) out.push(x - 1, x, x + 1, 9 * x + (x - 1));
  let seed = 7;
  for (let i = 0; i < 3000; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    out.push(Math.floor((seed / 2 ** 32) * 2 ** (1 + (i % 53))));
  }
  return out.filter((v) => v < 2 ** 53);
}

test("tcpdump's line writes every digit count as String() does, in a line that grows from one byte", () => {
  for (const v of values()) {
    const w = new Line(1);
    w.str('<');
    w.u(v);
    w.ch(32);
    w.uPad(v, 12);
    w.str('>');
    assert.equal(w.text(), `<${v} ${String(v).padStart(12, '0')}>`, `u(${v})`);
  }
});

test("tcpdump's line writes 64-bit values given as two halves", () => {
  let seed = 3;
  const halves: Array<[number, number]> = [[0, 0], [0, 0xffffffff], [0x1fffff, 0xffffffff], [0x200000, 0], [0xffffffff, 0xffffffff]];
  for (let i = 0; i < 2000; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const hi = seed >>> (i % 32);
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    halves.push([hi, seed]);
  }
  for (const [hi, lo] of halves) {
    const w = new Line(2);
    w.u64(hi, lo);
    w.ch(46);
    assert.equal(w.text(), `${(BigInt(hi) << 32n) | BigInt(lo)}.`, `u64(${hi}, ${lo})`);
  }
});
