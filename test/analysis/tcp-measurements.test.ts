/**
 * A TCP tracker that does not measure (TcpTrackerOptions.measurements off)
 * annotates every packet as the full one does but for the measured members,
 * which it leaves undefined: same flags, numbers, windows, duplicate-ACK
 * counts and hasAnalysis, on every corpus and lab capture and on the crafted
 * scenarios.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { test } from 'node:test';
import { TcpTracker } from '../../src/analysis/index.js';
import type { TcpAnnotation } from '../../src/analysis/index.js';
import { readCaptureBytes } from '../../src/capture/index.js';
import { decodePacket } from '../../src/wire/index.js';
import { SKIP_NO_SHARED, corpusAndLabCaptures } from '../helpers/shared.js';
import { SCENARIOS } from './tcp-scenarios.js';

const MEASURED = ['acksFrame', 'ackRtt', 'initialRtt', 'bytesInFlight', 'pushBytesSent', 'rto', 'rtoFrame'] as const;

/** Annotations compared, and how many of the full tracker's carried a measurement. */
function compare(bytes: Uint8Array, label: string): { n: number; measured: number } {
  const full = new TcpTracker();
  const lean = new TcpTracker({ measurements: false, transientAnnotations: true });
  let n = 0;
  let measured = 0;
  readCaptureBytes(bytes, (frame) => {
    const pkt = decodePacket(frame);
    const a = full.process(pkt);
    const b = lean.process(pkt);
    if (a === undefined || b === undefined) {
      assert.equal(b, a, `${label} #${frame.number}`);
      return;
    }
    const expected: Partial<TcpAnnotation> = { ...a };
    for (const k of MEASURED) {
      if (expected[k] !== undefined) measured++;
      expected[k] = undefined;
      assert.equal(b[k], undefined, `${label} #${frame.number}: ${k}`);
    }
    assert.deepEqual({ ...b }, expected, `${label} #${frame.number}`);
    n++;
  });
  return { n, measured };
}

test('without measurements the TCP annotations are the full ones less the measured members, on corpus and lab captures', { skip: SKIP_NO_SHARED }, () => {
  const files = corpusAndLabCaptures();
  let n = 0;
  let measured = 0;
  for (const file of files) {
    const r = compare(new Uint8Array(readFileSync(file)), basename(file));
    n += r.n;
    measured += r.measured;
  }
  assert.ok(n > 10000 && measured > 10000, `annotations compared: ${n}, measured members: ${measured}`);
});

test('without measurements the TCP annotations are the full ones less the measured members, on the crafted scenarios', () => {
  for (const s of SCENARIOS) compare(s.timeline.pcap(), s.name);
});
