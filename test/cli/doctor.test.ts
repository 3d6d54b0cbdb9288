/**
 * `mpscope doctor` as a command: exit status 1 exactly when a finding is an
 * error (for scripts), text and JSON, --tcp, --stall, --conn, usage errors.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runDoctor } from '../../src/cli/doctor.js';
import { UsageError } from '../../src/util/errors.js';
import { CraftedConnection } from '../helpers/mptcp-craft.js';
import { runCommand } from '../helpers/run-command.js';
import { ROOT } from '../helpers/shared.js';

const LAB = join(ROOT, 'test/fixtures/lab');
let dir = '';
before(() => { dir = mkdtempSync(join(tmpdir(), 'mpscope-doctor-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

/** A v1 connection whose join gets a SYN/ACK with a wrong HMAC, reset by the client; plus a stall. */
function brokenJoin(): string {
  const c = new CraftedConnection({ version: 1, clientKey: 0x0102030405060708n, serverKey: 0x1112131415161718n });
  const m = c.master({ ip: '10.0.0.1', port: 40000 }, { ip: '10.0.0.2', port: 80 }).handshake();
  m.data('a', 100);
  m.ack('b', { dt: 1.5 });
  const j = c.join({ ip: '10.0.1.1', port: 40001 }, { ip: '10.0.0.2', port: 80 });
  j.joinSyn().joinSynAck({ badHmac: true }).rst('a', 1);
  const file = join(dir, 'broken-join.pcap');
  writeFileSync(file, c.pcap());
  return file;
}

test('exit status 0 without errors, even with warnings and notes', () => {
  const fallback = runCommand('doctor', ['-r', join(LAB, 'mptcp-fallback.pcapng')]);
  assert.equal(fallback.status, 0, fallback.stderr);
  assert.match(fallback.stdout, /^62 packets, 826 µs; 1 MPTCP connection; 0 errors, 1 warning, 0 notes\n/);
  assert.match(fallback.stdout, /\n {2}\[warning\] fallback to TCP: the SYN\/ACK from 10\.0\.3\.1:5201 carries no MP_CAPABLE\n {6}seen in frames 1, 2\n {6}means: /);
  const healthy = runCommand('doctor', ['-r', join(LAB, 'mptcp-v4-csum.pcapng')]);
  assert.equal(healthy.status, 0);
  assert.match(healthy.stdout, /\n {2}verified: key echo in the third ACK: 1 good\n/);
  assert.match(healthy.stdout, /\n {12}DSS checksums: 19 good\n {2}no problems found\n?$/);
});

test('exit status 1 when a finding is an error; JSON for scripts', () => {
  const file = brokenJoin();
  const text = runCommand('doctor', ['-r', file]);
  assert.equal(text.status, 1);
  assert.match(text.stdout, /; 1 error, 1 warning, 0 notes\n/);
  assert.match(text.stdout, /\[error\] join 10\.0\.1\.1:40001 → 10\.0\.0\.2:80 \(tcp\.stream 1\): the MP_JOIN HMAC in the SYN\/ACK/);
  const json = runCommand('doctor', ['-r', file, '--json']);
  assert.equal(json.status, 1);
  const report = JSON.parse(json.stdout);
  assert.deepEqual(report.counts, { error: 1, warning: 1, note: 0 });
  const [hmac, stall] = report.connections[0].findings;
  assert.deepEqual([hmac.severity, hmac.code, hmac.connection, hmac.stream, hmac.frames], ['error', 'join.hmac_bad', 0, 1, [6, 7]]);
  assert.deepEqual(Object.keys(hmac), ['severity', 'code', 'connection', 'stream', 'title', 'frames', 'meaning', 'check']);
  assert.equal(stall.code, 'data.stall');
  // A longer stall threshold drops the warning; --conn of another connection drops everything.
  const lenient = JSON.parse(runCommand('doctor', ['-r', file, '--json', '--stall', '2']).stdout);
  assert.deepEqual(lenient.counts, { error: 1, warning: 0, note: 0 });
  // A connection the capture lacks: the (empty) report, then an error naming what exists.
  const other = runCommand('doctor', ['-r', file, '--conn', '7']);
  assert.equal(other.status, 1);
  assert.match(other.stdout, /; 0 errors, 0 warnings, 0 notes\n?$/);
  assert.match(other.stderr, /^mpscope: no MPTCP connection 7 in this capture \(it has connection 0 only\)\nhint: /);
});

test('--tcp: a short section for plain TCP conversations', () => {
  const c = new CraftedConnection({ version: 1, clientKey: 1n, serverKey: 2n });
  const t = c.master({ ip: '10.0.0.1', port: 50000 }, { ip: '10.0.0.3', port: 443 });
  t.send('a', { flags: 'S' });
  t.resendSyn('a', [], 1);
  const file = join(dir, 'plain.pcap');
  writeFileSync(file, c.pcap());
  const without = runCommand('doctor', ['-r', file]);
  assert.equal(without.status, 0);
  assert.doesNotMatch(without.stdout, /TCP conversation/);
  const r = runCommand('doctor', ['-r', file, '--tcp']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /\nplain TCP conversations with findings: 1\n\nTCP conversation tcp\.stream 0: 10\.0\.0\.1:50000 → 10\.0\.0\.3:443, open\n {2}\[warning\] 10\.0\.0\.1:50000 → 10\.0\.0\.3:443: 2 SYNs got no answer\n/);
});

test('usage errors', async () => {
  await assert.rejects(runDoctor([]), (e: unknown) => e instanceof UsageError && /no capture given/.test(e.message));
  await assert.rejects(runDoctor(['-r', 'x', '--stall', '0']), (e: unknown) => e instanceof UsageError && /--stall/.test(e.message));
  await assert.rejects(runDoctor(['-r', 'x', '--stall', 'soon']), UsageError);
  const help = runCommand('doctor', ['-h']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /exit status: 0 no errors found, 1 at least one finding of severity error/);
});
