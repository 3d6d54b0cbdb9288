/**
 * The `mpscope` command as users run it: the built CLI in a child process,
 * exit statuses, one-line errors with hints, -c, --frames, -w, stdin.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readCaptureBytes } from '../../src/capture/index.js';
import { CORPUS, ROOT, SKIP_NO_SHARED } from '../helpers/shared.js';

const CLI = join(ROOT, 'bin/mpscope.js');
const V1 = join(CORPUS, 'tcpdump/mptcp-v1.pcap');
let dir = '';

before(() => {
  // The bin runs the compiled dist/; build it when a test run starts from a fresh checkout.
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) {
    const b = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
    assert.equal(b.status, 0, 'build failed');
  }
  dir = mkdtempSync(join(tmpdir(), 'mpscope-cli-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], input?: Uint8Array): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, maxBuffer: 1 << 28 });
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

function frameCount(bytes: Uint8Array): number {
  let n = 0;
  readCaptureBytes(bytes, () => { n++; });
  return n;
}

test('read prints one line per packet, -c stops early, --frames selects', { skip: SKIP_NO_SHARED }, () => {
  const all = run(['read', '-r', V1]);
  assert.equal(all.status, 0, all.stderr);
  const lines = all.stdout.trimEnd().split('\n');
  assert.equal(lines.length, frameCount(readFileSync(V1)));
  assert.match(lines[0]!, /^\s+1\s+0\.000000\s+10\.0\.1\.1 → 10\.0\.2\.1\s+MPTCP 80 33306 → 10004 \[SYN\]/);

  const three = run(['read', '-r', V1, '-c', '3']);
  assert.deepEqual(three.stdout.trimEnd().split('\n'), lines.slice(0, 3));

  const some = run(['read', '-r', V1, '--frames', '2,5-6']);
  assert.deepEqual(some.stdout.trimEnd().split('\n'), [lines[1], lines[4], lines[5]]);
});

test('tshark habits: a leading option means read, and -r - reads standard input', { skip: SKIP_NO_SHARED }, () => {
  const bytes = readFileSync(V1);
  const viaStdin = run(['read', '-r', '-', '-c', '2'], bytes);
  assert.equal(viaStdin.status, 0, viaStdin.stderr);
  const direct = run(['-r', V1, '-c', '2']);
  assert.equal(direct.stdout, viaStdin.stdout);
});

test('-T tcpdump with tcpdump flags', { skip: SKIP_NO_SHARED }, () => {
  const r = run(['read', '-r', V1, '-T', 'tcpdump', '-#', '-tttt', '-c', '1'], undefined);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ {4}1 {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} IP 10\.0\.1\.1\.33306 > 10\.0\.2\.1\.10004: Flags \[S\], seq 2180756989, .*mptcp 4 capable v1 flags \[H\]\], length 0\n$/);
});

test('-T fields, -T ndjson and -V', { skip: SKIP_NO_SHARED }, () => {
  const f = run(['read', '-r', V1, '-c', '3', '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.options.mptcp.subtype', '-E', 'header=y']);
  assert.equal(f.status, 0, f.stderr);
  assert.deepEqual(f.stdout.trimEnd().split('\n'), ['frame.number\ttcp.options.mptcp.subtype', '1\t0', '2\t0', '3\t0']);

  const j = run(['read', '-r', V1, '-c', '2', '-T', 'ndjson']);
  const objs = j.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { _source: { layers: Record<string, Record<string, unknown>> } });
  assert.equal(objs.length, 2);
  assert.equal(objs[0]!._source.layers.tcp!['tcp.srcport'], '33306');

  const v = run(['read', '-r', V1, '-c', '1', '-V']);
  assert.match(v.stdout, /^Frame 1: 80 bytes on wire/);
  assert.match(v.stdout, /Multipath Transmission Control Protocol/);
});

test('-w writes the selected packets as pcapng or pcap', { skip: SKIP_NO_SHARED }, () => {
  for (const fmt of ['pcapng', 'pcap']) {
    const out = join(dir, `subset.${fmt}`);
    const r = run(['read', '-r', V1, '--frames', '3-7', '-w', out, '-F', fmt]);
    assert.equal(r.status, 0, r.stderr);
    const bytes = readFileSync(out);
    assert.equal(frameCount(bytes), 5);
    // Same packets and timestamps (frame numbers restart at 1 in the new file).
    const fields = ['-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'tcp.seq_raw', '-e', 'tcp.options.mptcp.subtype'];
    const again = run(['read', '-r', out, ...fields]);
    const orig = run(['read', '-r', V1, '--frames', '3-7', ...fields]);
    assert.equal(again.stdout, orig.stdout);
    assert.equal(again.stdout.trimEnd().split('\n').length, 5);
  }
});

test('not a capture: exit 2, one line naming the first bytes, no stack trace', () => {
  const p = join(dir, 'hello.txt');
  writeFileSync(p, 'Hello world, this is text\n');
  const r = run(['read', '-r', p]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^mpscope: .*not a pcap or pcapng file.*48 65 6c 6c 6f/m);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('truncated capture: every complete packet is printed, then the offset of the cut', { skip: SKIP_NO_SHARED }, () => {
  const bytes = readFileSync(V1);
  const p = join(dir, 'cut.pcap');
  writeFileSync(p, bytes.subarray(0, bytes.length - 100));
  const full = run(['read', '-r', V1]).stdout.trimEnd().split('\n');
  const r = run(['read', '-r', p]);
  assert.equal(r.status, 2);
  const got = r.stdout.trimEnd().split('\n');
  assert.ok(got.length >= full.length - 2 && got.length < full.length);
  assert.deepEqual(got, full.slice(0, got.length));
  assert.match(r.stderr, /offset \d+/);
});

test('missing file, bad options and bad values: usage hints and exit status', () => {
  const missing = run(['read', '-r', join(dir, 'nope.pcap')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /nope\.pcap/);

  const unknown = run(['read', '-r', V1, '--fram', '1']);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /unknown option --fram\nhint: did you mean --frames/);

  const badT = run(['read', '-r', V1, '-T', 'xml']);
  assert.equal(badT.status, 1);
  assert.match(badT.stderr, /expected one of: text, tcpdump, json, ndjson, fields/);

  const noFile = run(['read']);
  assert.equal(noFile.status, 1);
  assert.match(noFile.stderr, /hint: mpscope read -r FILE/);

  const cmd = run(['raed']);
  assert.equal(cmd.status, 1);
  assert.match(cmd.stderr, /unknown command 'raed'/);

  const range = run(['read', '-r', V1, '--frames', '5-2']);
  assert.equal(range.status, 1);

  const field = run(['read', '-r', V1, '-T', 'fields', '-e', 'tcp.srcprot']);
  assert.notEqual(field.status, 0);
  assert.match(field.stderr, /tcp\.srcport/);
});

test('mpscope fields lists the registry', () => {
  const r = run(['fields', 'tcp.options.mptcp.']);
  assert.equal(r.status, 0);
  const names = r.stdout.trimEnd().split('\n').map((l) => l.split('\t')[0]);
  for (const n of ['tcp.options.mptcp.subtype', 'tcp.options.mptcp.sendkey', 'tcp.options.mptcp.rawdataseqno']) assert.ok(names.includes(n), n);
});

test('TCP analysis by default (relative numbers, analysis notes), -o turns it off as in tshark', { skip: SKIP_NO_SHARED }, () => {
  const rel = run(['read', '-r', V1, '-c', '3']).stdout.trimEnd().split('\n');
  assert.match(rel[2]!, /\[ACK\] Seq=1 Ack=1 Win=65536/);
  const abs = run(['read', '-r', V1, '-c', '3', '-o', 'tcp.relative_sequence_numbers:FALSE']).stdout.trimEnd().split('\n');
  assert.match(abs[2]!, /\[ACK\] Seq=2180756990 Ack=791415662 Win=65536/);
  const bad = run(['read', '-r', V1, '-o', 'tcp.nonsense:TRUE']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /unsupported preference 'tcp\.nonsense:TRUE'/);
});

test('-Y display filters: selection, analysis fields, errors with a caret before reading', { skip: SKIP_NO_SHARED }, () => {
  const zeek = join(CORPUS, 'zeek/retransmit-fast009.pcap');
  const flagged = run(['read', '-r', zeek, '-Y', 'tcp.analysis.flags', '-T', 'fields', '-e', 'frame.number']);
  assert.equal(flagged.status, 0, flagged.stderr);
  const frames = flagged.stdout.trimEnd().split('\n').map(Number);
  assert.ok(frames.includes(32), 'the fast retransmission (frame 32) is selected');
  const fast = run(['read', '-r', zeek, '-Y', 'tcp.analysis.fast_retransmission']);
  assert.match(fast.stdout, /^\s+32 .*\[TCP Fast Retransmission\]/);

  // The list and a filter on the flags go without the ACK measurements; a filter or column reading them brings them back.
  const rtt = run(['read', '-r', zeek, '-Y', 'tcp.analysis.ack_rtt > 0', '-T', 'fields', '-e', 'frame.number']);
  assert.equal(rtt.stdout.trimEnd().split('\n').filter((l) => /^\d+$/.test(l)).length, 4, rtt.stderr);
  const columns = run(['read', '-r', zeek, '-T', 'fields', '-e', 'tcp.analysis.bytes_in_flight', '-e', 'tcp.analysis.acks_frame']);
  assert.match(columns.stdout, /^\d+\t\n/m);
  assert.match(columns.stdout, /^\t\d+\n/m);

  const seed = run(['read', '-r', V1, '-Y', 'ip.addr == 10.0.2.1 && tcp.options.mptcp.subtype == 0', '-T', 'fields', '-e', 'frame.number']);
  assert.deepEqual(seed.stdout.trimEnd().split('\n'), ['1', '2', '3', '4']);

  const err = run(['read', '-r', V1, '-Y', 'tcp.prot == 1']);
  assert.equal(err.status, 1);
  assert.equal(err.stdout, '');
  assert.match(err.stderr, /"tcp\.prot" is not a valid protocol or field name\.\n {4}tcp\.prot == 1\n {4}\^~~~~~~~\n/);
  assert.match(err.stderr, /tcp\.port/);
});
