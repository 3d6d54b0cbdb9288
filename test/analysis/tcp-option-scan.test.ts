/**
 * The TCP analysis reads a segment's options in a plain loop when the
 * decoder found them all sound (TcpRepr.optionKinds), and with the checking
 * walk otherwise: both must read the same, on every corpus and lab capture
 * and on the crafted scenarios.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OptionScan } from '../../src/analysis/tcp/options.js';
import { readCaptureBytes } from '../../src/capture/index.js';
import { decodePacket } from '../../src/wire/index.js';
import { SKIP_NO_SHARED, sumOverRealCaptures } from '../helpers/shared.js';
import { SCENARIOS } from './tcp-scenarios.js';

function reading(s: OptionScan): unknown {
  return {
    wscale: s.wscale, sacked: s.sacked, mpKinds: s.mpKinds, hasDataAck: s.hasDataAck, dataAck: [s.dataAckHi, s.dataAckLo],
    stopAt: s.stopAt, capable: s.capable, join: s.join,
  };
}

/** Segments whose options were known sound, compared. */
function compare(bytes: Uint8Array, label: string): number {
  const fast = new OptionScan();
  const walked = new OptionScan();
  let sound = 0;
  readCaptureBytes(bytes, (frame) => {
    const pkt = decodePacket(frame);
    const tcp = pkt.tcp;
    if (tcp === undefined) return;
    if ((tcp.optionKinds ?? -1) >= 0) sound++;
    assert.deepEqual(reading(fast.scan(pkt.data, tcp)), reading(walked.scan(pkt.data, { ...tcp, optionKinds: -1 })), `${label} #${frame.number}`);
  });
  return sound;
}

test('the option scan reads sound options as the checking walk does, on corpus and lab captures', { skip: SKIP_NO_SHARED }, () => {
  const n = sumOverRealCaptures(compare);
  assert.ok(n > 10000, `segments with sound options: ${n}`);
});

test('the option scan reads sound options as the checking walk does, on the crafted scenarios', () => {
  for (const s of SCENARIOS) compare(s.timeline.pcap(), s.name);
});
