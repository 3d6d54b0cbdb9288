/**
 * Transient TCP annotations (one object refilled for every packet) carry
 * exactly what kept ones do, packet by packet, on every corpus and lab
 * capture and on the crafted scenarios; and the Analyzer hands out one
 * annotations object only while no later stage runs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Analyzer, TcpTracker } from '../../src/analysis/index.js';
import { readCaptureBytes } from '../../src/capture/index.js';
import { decodePacket } from '../../src/wire/index.js';
import { SKIP_NO_SHARED, sumOverRealCaptures } from '../helpers/shared.js';
import { SCENARIOS } from './tcp-scenarios.js';

function compare(bytes: Uint8Array, label: string): number {
  const kept = new TcpTracker();
  const transient = new TcpTracker({ transientAnnotations: true });
  let previous: unknown;
  let n = 0;
  readCaptureBytes(bytes, (frame) => {
    const pkt = decodePacket(frame);
    const a = kept.process(pkt);
    const b = transient.process(pkt);
    assert.deepEqual(b === undefined ? undefined : { ...b }, a === undefined ? undefined : { ...a }, `${label} #${frame.number}`);
    if (b !== undefined) {
      if (previous !== undefined) assert.equal(b, previous, `${label}: one object`);
      previous = b;
      n++;
    }
  });
  return n;
}

test('transient TCP annotations equal kept ones on corpus and lab captures', { skip: SKIP_NO_SHARED }, () => {
  const n = sumOverRealCaptures(compare);
  assert.ok(n > 10000, `annotations compared: ${n}`);
});

test('transient TCP annotations equal kept ones on the crafted scenarios', () => {
  for (const s of SCENARIOS) compare(s.timeline.pcap(), s.name);
});

test('the Analyzer reuses its annotations object only with transient annotations and no later stage', () => {
  const s = SCENARIOS[0]!;
  const frames = s.timeline.frames;
  const run = (analyzer: Analyzer) => frames.map((f) => analyzer.process(decodePacket(f)));
  const reused = run(new Analyzer({ tcp: { transientAnnotations: true } }));
  assert.ok(reused.every((a) => a === reused[0]));
  const fresh = run(new Analyzer());
  assert.equal(new Set(fresh).size, fresh.length);
  const staged = run(new Analyzer({ tcp: { transientAnnotations: true }, stages: [{ process() {} }] }));
  assert.equal(new Set(staged).size, staged.length);
});
