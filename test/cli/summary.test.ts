/**
 * `mpscope summary` as a command: text and JSON on real captures, --conn,
 * --tcp, standard input, usage errors, a damaged file. Commands run in a
 * child process (they write to file descriptor 1), through the same error
 * handling as `mpscope` itself.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runSummary } from '../../src/cli/summary.js';
import { UsageError } from '../../src/util/errors.js';
import { runCommand } from '../helpers/run-command.js';
import { CORPUS, ROOT, SKIP_NO_SHARED } from '../helpers/shared.js';

const LAB = join(ROOT, 'test/fixtures/lab');
let dir = '';
before(() => { dir = mkdtempSync(join(tmpdir(), 'mpscope-summary-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

test('text: one block per connection, subflow table, one table per direction', () => {
  const r = runCommand('summary', ['-r', join(LAB, 'mptcp-v4-2subflows.pcapng')]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], '487 packets, 64.7 ms; 1 MPTCP connection');
  assert.ok(lines.includes('MPTCP connection 0 (v1): 10.0.1.1:36764 → 10.0.3.1:5201'));
  assert.ok(lines.includes('  closed (DATA_FIN both ways), frames 1-487, start 0.000000 s, duration 64.7 ms, DSS checksums off'));
  assert.ok(lines.includes('  client → server: 200,000 bytes delivered (data ACKed), in 1.08 ms, goodput 1.48 Gbit/s, DATA_FIN acknowledged'));
  // Aligned columns: every row of the direction table is as wide as its header up to the RTT columns.
  const header = lines.findIndex((l) => l.startsWith('    stream  segments'));
  assert.ok(header > 0);
  const row0 = lines[header + 1]!;
  assert.match(row0, /^ {9}0 {7}224 {3}195\.0 KiB {2}195\.0 KiB {2}99\.9%/);
  assert.equal(lines[header]!.indexOf('share') + 'share'.length, row0.indexOf('%') + 1);
});

test('JSON: the whole report, numbers for programs', () => {
  const r = runCommand('summary', ['-r', join(LAB, 'mptcp-loss.pcapng'), '--json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.packets, 593);
  const c = report.connections[0];
  assert.equal(c.version, 1);
  assert.deepEqual(c.directions.map((d: { dataBytes: number }) => d.dataBytes), [200_000, 200_000]);
  assert.deepEqual(c.directions[0].subflows[1].reinjectionsSent, { count: 7, bytes: 8580 });
  assert.equal(typeof c.directions[0].subflows[0].rtt.ack.median, 'number');
  assert.equal(report.tcp, undefined);
});

test('--conn keeps the connections asked for; --tcp adds plain TCP conversations; -r - reads standard input', { skip: SKIP_NO_SHARED }, () => {
  const file = join(CORPUS, 'pymptcpanalyzer/client_2.pcap');
  const some = JSON.parse(runCommand('summary', ['-r', file, '--json', '--conn', '1', '--conn', '3']).stdout);
  assert.deepEqual(some.connections.map((c: { index: number }) => c.index), [1, 3]);
  const tcpOnly = runCommand('summary', ['-r', '-', '--tcp'], readFileSync(join(CORPUS, 'pymptcpanalyzer/client_1_tcp_only.pcap')));
  assert.equal(tcpOnly.status, 0, tcpOnly.stderr);
  assert.match(tcpOnly.stdout, /; 0 MPTCP connections\n/);
  assert.match(tcpOnly.stdout, /\nTCP conversations that are not MPTCP subflows: \d+\n/);
  assert.match(tcpOnly.stdout, /\n {2}stream {2}A → B/);
});

test('usage errors before reading anything', async () => {
  await assert.rejects(runSummary([]), (e: unknown) => e instanceof UsageError && /no capture given/.test(e.message));
  await assert.rejects(runSummary(['-r', 'x.pcap', '--conn', 'two']), (e: unknown) => e instanceof UsageError && /invalid connection number 'two'/.test(e.message));
  await assert.rejects(runSummary(['-r', 'x.pcap', 'extra']), UsageError);
  await assert.rejects(runSummary(['--frobnicate']), (e: unknown) => e instanceof UsageError && /unknown option --frobnicate/.test(e.message));
  const help = runCommand('summary', ['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^usage: mpscope summary -r FILE/);
});

test('a damaged capture: the report covers every good frame, then the error and status 2', () => {
  const bytes = readFileSync(join(LAB, 'mptcp-v4-2subflows.pcapng'));
  const cut = join(dir, 'cut.pcapng');
  writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
  const r = runCommand('summary', ['-r', cut]);
  assert.equal(r.status, 2);
  assert.match(r.stdout, /^486 packets/);
  assert.match(r.stderr, /^mpscope: /);
  const missing = runCommand('summary', ['-r', join(dir, 'nope.pcap')]);
  assert.equal(missing.status, 2);
  assert.equal(missing.stdout, '');
});
