/**
 * The analysis a field's values come from: `read` runs the MPTCP tracker and
 * the TCP measurements only for fields that read them, so a field missing
 * here reads empty.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readsMeasurements, readsMptcpAnalysis } from '../../src/fields/analysis-needs.js';
import { ROOT } from '../helpers/shared.js';
import { mpscope } from '../helpers/stats.js';

test('MPTCP analysis for mptcp.* and mpscope.mptcp.* fields, measurements for the ACK measurements only', () => {
  assert.equal(readsMptcpAnalysis(['mptcp.stream']), true);
  assert.equal(readsMptcpAnalysis(['ip.src', 'mpscope.mptcp.fallback']), true);
  assert.equal(readsMptcpAnalysis(['tcp.options.mptcp.subtype', 'tcp.stream']), false);
  assert.equal(readsMeasurements(['tcp.analysis.ack_rtt']), true);
  assert.equal(readsMeasurements(['tcp.analysis.retransmission', 'frame.len']), false);
});

test('a filter or column on an mpscope.mptcp analysis field alone runs the MPTCP analysis', () => {
  const capture = join(ROOT, 'test/fixtures/lab/mptcp-fallback.pcapng');
  // With an mptcp.* field beside it the analysis ran before too: the reference.
  const withStream = mpscope(['-r', capture, '-Y', 'mpscope.mptcp.fallback || mptcp.stream == 99999']);
  const alone = mpscope(['-r', capture, '-Y', 'mpscope.mptcp.fallback']);
  assert.equal(alone.status, 0, alone.stderr);
  assert.ok(withStream.stdout.length > 0, 'the fallback capture has a packet where mpscope.mptcp.fallback is set');
  assert.equal(alone.stdout, withStream.stdout);
  const example = join(ROOT, 'examples/mptcp-lab.pcapng');
  const column = mpscope(['-r', example, '-T', 'fields', '-e', 'mpscope.mptcp.rawack64']).stdout.trimEnd().split('\n');
  const reference = mpscope(['-r', example, '-T', 'fields', '-e', 'mpscope.mptcp.rawack64', '-e', 'mptcp.stream']).stdout.trimEnd().split('\n');
  assert.ok(column.some((v) => v !== ''), 'data ACKs as 64-bit numbers are listed');
  assert.deepEqual(column, reference.map((l) => l.split('\t')[0]));
});
