/**
 * What the README promises, command by command, run as users run them (the
 * `mpscope` command line from the sources, in child processes): the examples
 * of each section with the content they should print, the exit statuses, and
 * bad input of every kind (mistyped options, missing or odd files, damaged
 * captures, empty standard input) answered by one line and a hint, never a
 * stack trace or a hang.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { build } from 'esbuild';
import { readCaptureBytes } from '../../src/capture/index.js';
import { hasCommand, ROOT } from '../helpers/shared.js';

const LAB = 'examples/mptcp-lab.pcapng';
const LOSS = 'test/fixtures/lab/mptcp-loss.pcapng';
const V6 = 'test/fixtures/lab/mptcp-v6.pcapng';
const FALLBACK = 'test/fixtures/lab/mptcp-fallback.pcapng';
const NO_TSHARK = hasCommand('tshark') ? false : 'tshark is not installed (apt-get install tshark)';
/** Far above any run here: a command still running then is hung. */
const HANG_MS = 60_000;
/** Child processes at once: enough to overlap start-up, few enough for a 2-core machine running other tests. */
const PARALLEL = 4;

interface Run { status: number | null; signal: string | null; stdout: string; stderr: string }

let dir = '';
let cli = '';
let labBytes = new Uint8Array();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mpscope-qa-'));
  labBytes = readFileSync(join(ROOT, LAB));
  // The command from the sources as they are now, compiled once the way the test runner compiles them
  // (esbuild, under tsx): a hundred-odd runs start three times faster than through the loader each time.
  // Commands stay in chunks of their own and load when run, as in dist/; package.json and the addon
  // are where the compiled command looks for them.
  const out = join(dir, 'cli');
  await build({ entryPoints: [join(ROOT, 'src/cli/main.ts')], bundle: true, splitting: true, platform: 'node', format: 'esm', target: 'node20', outdir: out, logLevel: 'error' });
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  cli = join(dir, 'cli/run.mjs');
  writeFileSync(cli, "import { main } from './main.js';\nprocess.exitCode = await main(process.argv.slice(2));\n");
});
after(() => rmSync(dir, { recursive: true, force: true }));

let running = 0;
const waiting: Array<() => void> = [];

/** `mpscope ...args` from the sources, in the repository (the README's relative paths), with standard input given or empty. */
async function mpscope(args: string[], input?: Uint8Array): Promise<Run> {
  if (running >= PARALLEL) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await new Promise<Run>((resolve, reject) => {
      const env = { ...process.env, MPSCOPE_NATIVE: process.env.MPSCOPE_NATIVE ?? join(ROOT, 'build/Release/mpscope.node') };
      const child = spawn(process.execPath, [cli, ...args], { cwd: ROOT, env, timeout: HANG_MS });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', reject);
      child.stdin.on('error', () => {}); // a command that fails before reading its input
      child.stdin.end(input);
      child.on('close', (status, signal) => resolve({ status, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    });
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function lines(text: string): string[] {
  return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}

function frameCount(bytes: Uint8Array): number {
  let n = 0;
  readCaptureBytes(bytes, () => { n++; });
  return n;
}

/** A failure the way the README describes it: the exit status, a first line `mpscope: ...` matching, a hint line, no stack. */
function assertFails(r: Run, status: number, message: RegExp, what: string): void {
  assert.equal(r.signal, null, `${what}: killed (hung?)`);
  assert.equal(r.status, status, `${what}: ${r.stderr}`);
  const err = lines(r.stderr);
  assert.match(err[0] ?? '', /^mpscope: /, `${what}: ${r.stderr}`);
  assert.match(err[0]!, message, what);
  assert.doesNotMatch(r.stderr, /^\s+at |node:internal|internal error/m, `${what}: ${r.stderr}`);
}

/** Usage mistakes: exit status 1, the message, then `hint: ...` on the next line. */
function assertUsage(r: Run, message: RegExp, what: string): void {
  assertFails(r, 1, message, what);
  assert.match(lines(r.stderr)[1] ?? '', /^hint: \S/, `${what}: no hint in ${r.stderr}`);
}

describe('README: mpscope read examples', () => {
  test('the list, filters, fields, tcpdump lines, detail, hex, JSON, -w and standard input', async () => {
    const [list, joins, retrans, mptcpFields, tcpdump, detail, detail54, cols, hex, fields, json, ndjson, stdin, write] = await Promise.all([
      mpscope(['read', '-r', LAB]),
      mpscope(['read', '-r', LAB, '-Y', 'ip.addr == 10.0.2.1 && tcp.options.mptcp.subtype == 1']),
      mpscope(['read', '-r', LOSS, '-Y', 'tcp.analysis.retransmission']),
      mpscope(['read', '-r', LAB, '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'mptcp.stream', '-e', 'mptcp.dsn', '-e', 'mptcp.related_mapping', '-Y', 'tcp.len > 0']),
      mpscope(['read', '-r', LAB, '-T', 'tcpdump', '-#', '-tttt']),
      mpscope(['read', '-r', LAB, '-V', '-c', '3']),
      mpscope(['read', '-r', LOSS, '-V', '-o', 'mptcp.analyze_mappings:TRUE', '-o', 'mptcp.intersubflows_retransmission:TRUE', '--frames', '54']),
      mpscope(['read', '-r', LAB, '-T', 'fields', '-e', '_ws.col.No.', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info']),
      mpscope(['read', '-r', LAB, '-x', '-c', '2']),
      mpscope(['read', '-r', LAB, '-T', 'fields', '-E', 'header=y', '-e', 'frame.number', '-e', 'ip.src', '-e', 'tcp.srcport', '-e', 'tcp.options.mptcp.subtype', '-e', 'tcp.options.mptcp.rawdataseqno']),
      mpscope(['read', '-r', LAB, '-T', 'json', '-c', '1']),
      mpscope(['read', '-r', LAB, '-T', 'ndjson']),
      mpscope(['read', '-r', '-'], labBytes),
      mpscope(['read', '-r', LAB, '--frames', '1-100', '-w', join(dir, 'first100.pcapng')]),
    ]);
    for (const [name, r] of Object.entries({ list, joins, retrans, mptcpFields, tcpdump, detail, detail54, cols, hex, fields, json, ndjson, stdin, write })) {
      assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    }

    const rows = lines(list.stdout);
    assert.equal(rows.length, frameCount(labBytes));
    assert.match(rows[0]!, /^ +1 +0\.000000 +10\.0\.1\.1 → 10\.0\.3\.1 +MPTCP 80 36764 → 5201 \[SYN\] Seq=0 Win=64240 Len=0 MSS=1460/);
    assert.equal(stdin.stdout, list.stdout, '-r - reads the same capture from standard input');

    // The MP_JOIN handshake of the second subflow, and nothing else.
    assert.deepEqual(lines(joins.stdout).map((l) => Number(l.trim().split(/\s+/)[0])), [6, 7, 8]);
    assert.deepEqual(lines(retrans.stdout).map((l) => Number(l.trim().split(/\s+/)[0])), [53, 54, 87, 120, 132, 153, 174, 187, 489, 581, 584]);
    for (const l of lines(retrans.stdout)) assert.match(l, /\[TCP (Fast )?Retransmission\]/);

    const dsn = lines(mptcpFields.stdout).map((l) => l.split('\t'));
    assert.deepEqual(dsn[0], ['10', '0', '0', '1', '10'], 'the first data segment: DSN 1, its own mapping');
    assert.ok(dsn.every((c) => c.length === 5 && c[2] === '0'), 'one MPTCP connection');
    assert.deepEqual([...new Set(dsn.map((c) => c[1]))].sort(), ['0', '1'], 'data on both subflows');

    assert.match(tcpdump.stderr, /^reading from file examples\/mptcp-lab\.pcapng, link-type LINUX_SLL/);
    assert.match(lines(tcpdump.stdout)[0]!, /^ +1 +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} IP 10\.0\.1\.1\.36764 > 10\.0\.3\.1\.5201: Flags \[S\], seq \d+, .*mptcp 4 capable v1/);
    assert.equal(lines(tcpdump.stdout).length, rows.length);

    assert.equal(detail.stdout.match(/^Frame \d+: /gm)?.length, 3);
    // The token and IDSN computed from each key (frame 2 carries the server's key, frame 3 both).
    assert.match(detail.stdout, /\[Sender's key token: 0xd488295e\]/);
    assert.match(detail.stdout, /\[Sender's key token: 0x2625f24c\]/);
    assert.match(detail.stdout, /\[Sender's key IDSN: \d+\]/);
    assert.match(detail.stdout, /\[Key Echo Status: Good\]/);

    assert.equal(detail54.stdout.match(/^Frame \d+: /gm)?.join(), 'Frame 54: ');
    assert.match(detail54.stdout, /^ {4}\[SEQ\/ACK analysis\]$/m);
    assert.match(detail54.stdout, /^ {4}\[MPTCP analysis\]$/m);
    assert.match(detail54.stdout, /^ {8}\[Related mapping: 54\]$/m);
    assert.match(detail54.stdout, /^ {8}\[Data Sequence Number: 8541 \(Relative\)\]$/m);

    const colRows = lines(cols.stdout).map((l) => l.split('\t'));
    assert.equal(colRows.length, rows.length);
    assert.deepEqual(colRows[0]!.slice(0, 2), ['1', 'MPTCP']);
    assert.ok(rows[0]!.endsWith(colRows[0]![2]!), 'the Info column of the list');

    assert.equal(hex.stdout.match(/^0000  /gm)?.length, 2, 'two packets dumped');
    assert.match(hex.stdout, /^0000  00 04 00 01 00 06 12 38 1d df bf ad 00 00 08 00   \.{6}\.8\.{8}$/m);

    const table = lines(fields.stdout);
    assert.equal(table[0], 'frame.number\tip.src\ttcp.srcport\ttcp.options.mptcp.subtype\ttcp.options.mptcp.rawdataseqno');
    assert.equal(table[1], '1\t10.0.1.1\t36764\t0\t');
    assert.equal(table.length, rows.length + 1);

    const doc = JSON.parse(json.stdout) as Array<{ _source: { layers: Record<string, unknown> } }>;
    assert.equal(doc.length, 1);
    assert.ok(['frame', 'sll', 'ip', 'tcp'].every((k) => k in doc[0]!._source.layers), Object.keys(doc[0]!._source.layers).join());
    const objects = lines(ndjson.stdout).map((l) => JSON.parse(l) as { _source: { layers: { frame: Record<string, string> } } });
    assert.equal(objects.length, rows.length);
    assert.equal(objects[99]!._source.layers.frame['frame.number'], '100');

    assert.equal(frameCount(readFileSync(join(dir, 'first100.pcapng'))), 100);
  });

  test('the MPTCP fields example prints what tshark prints with its mapping analysis', { skip: NO_TSHARK }, async () => {
    const args = ['-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'mptcp.stream', '-e', 'mptcp.dsn', '-e', 'mptcp.related_mapping', '-Y', 'tcp.len > 0'];
    const ours = await mpscope(['read', '-r', LAB, ...args]);
    const theirs = spawnSync('tshark', ['-r', LAB, '-o', 'mptcp.analyze_mappings:TRUE', ...args], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(theirs.status, 0, theirs.stderr);
    assert.equal(ours.stdout, theirs.stdout);
  });
});

describe('README: conns, summary, doctor, fields', () => {
  test('conns: the connections and subflows the capture has, as tshark counts them', async () => {
    const [text, lab, v6, tcp] = await Promise.all([
      mpscope(['conns', '-r', LAB]),
      mpscope(['conns', '-r', LAB, '--json']),
      mpscope(['conns', '-r', V6, '--json']),
      mpscope(['conns', '-r', FALLBACK, '--tcp']),
    ]);
    for (const r of [text, lab, v6, tcp]) assert.equal(r.status, 0, r.stderr);
    assert.match(text.stdout, /^487 packets; 1 MPTCP connection$/m);
    assert.match(text.stdout, /^MPTCP connection 0: 10\.0\.1\.1:36764 → 10\.0\.3\.1:5201, v1, checksums off$/m);
    assert.match(text.stdout, /^ {2}client {4}0xa3694d841d2bab7f \(token 0x2625f24c\)$/m);
    assert.match(text.stdout, /^ {2}server {4}0xc977492a40539508 \(token 0xd488295e\)$/m);
    assert.match(text.stdout, /^ +1 +10\.0\.2\.1:36819 → 10\.0\.3\.1:5201 +2\/0 +no +joined, frame 8 /m);

    const streams = (r: Run): string[] => {
      const doc = JSON.parse(r.stdout) as { connections: Array<{ index: number; subflows: Array<{ stream: number }> }> };
      return doc.connections.flatMap((c) => c.subflows.map((s) => `${c.index}\t${s.stream}`)).sort();
    };
    assert.deepEqual(streams(lab), ['0\t0', '0\t1']);
    assert.deepEqual(streams(v6), ['0\t0', '0\t1', '0\t2']);
    const v6doc = JSON.parse(v6.stdout) as { connections: Array<{ keys: string[]; tokens: number[] }> };
    assert.equal(v6doc.connections[0]!.keys.length, 2);
    assert.equal(v6doc.connections[0]!.tokens.length, 2);

    assert.match(tcp.stdout, /^ {2}state {5}fallback: fallback to TCP \(synack-without-mp-capable\)$/m);
    assert.match(tcp.stdout, /^TCP conversations that are not MPTCP subflows: 0$/m);

    if (NO_TSHARK) return;
    for (const [file, r] of [[LAB, lab], [V6, v6]] as const) {
      const t = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'mptcp.stream', '-e', 'tcp.stream', '-o', 'mptcp.analyze_mappings:TRUE'], { cwd: ROOT, encoding: 'utf8' });
      const pairs = [...new Set(lines(t.stdout).filter((l) => !l.startsWith('\t')))].sort();
      assert.deepEqual(streams(r), pairs, file);
    }
  });

  test('summary: delivered bytes per direction, subflows; --json', async () => {
    const [text, json] = await Promise.all([mpscope(['summary', '-r', LAB]), mpscope(['summary', '-r', LOSS, '--json'])]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^487 packets, 64\.7 ms; 1 MPTCP connection$/m);
    assert.match(text.stdout, /^ {2}subflows \(2\):$/m);
    assert.match(text.stdout, /^ {2}client → server: 200,000 bytes delivered \(data ACKed\), .*DATA_FIN acknowledged$/m);
    assert.match(text.stdout, /^ {2}server → client: 200,000 bytes delivered \(data ACKed\), .*DATA_FIN acknowledged$/m);
    assert.equal(json.status, 0, json.stderr);
    const doc = JSON.parse(json.stdout) as { packets: number; connections: Array<{ index: number; version: number; state: string }> };
    assert.equal(doc.packets, 593);
    assert.deepEqual(doc.connections.map((c) => [c.index, c.version, c.state]), [[0, 1, 'closed']]);
  });

  test('doctor: exit status 0 without errors, 1 with one; what it verified', async () => {
    // The MP_JOIN SYN/ACK's HMAC (frame 7) altered: a finding of severity error.
    const hmac = Buffer.from('5a7a945ecfce6876', 'hex');
    const bad = Buffer.from(labBytes);
    const at = bad.indexOf(hmac);
    assert.ok(at > 0 && bad.indexOf(hmac, at + 1) < 0);
    bad[at] = bad[at]! ^ 0xff;
    const badFile = join(dir, 'bad-join-hmac.pcapng');
    writeFileSync(badFile, bad);
    const [ok, fallback, broken, brokenJson] = await Promise.all([
      mpscope(['doctor', '-r', LAB]),
      mpscope(['doctor', '-r', FALLBACK, '--json']),
      mpscope(['doctor', '-r', badFile]),
      mpscope(['doctor', '-r', badFile, '--json']),
    ]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^487 packets, 64\.7 ms; 1 MPTCP connection; 0 errors, 0 warnings, 2 notes$/m);
    for (const v of ['key echo in the third ACK: 1 good', 'ADD_ADDR HMACs: 1 good', 'MP_JOIN SYN/ACK HMACs: 1 good', 'MP_JOIN third-ACK HMACs: 1 good']) assert.ok(ok.stdout.includes(v), v);

    assert.equal(fallback.status, 0, 'a fallback is a warning');
    const fb = JSON.parse(fallback.stdout) as { connections: Array<{ state: string; findings: Array<{ severity: string }> }> };
    assert.equal(fb.connections[0]!.state, 'fallback');
    assert.deepEqual(fb.connections[0]!.findings.map((f) => f.severity), ['warning']);

    assert.equal(broken.status, 1, broken.stderr);
    assert.match(broken.stdout, /; 1 error, 0 warnings, 2 notes$/m);
    assert.match(broken.stdout, /^ {2}\[error\] join 10\.0\.2\.1:36819 → 10\.0\.3\.1:5201 \(tcp\.stream 1\): the MP_JOIN HMAC in the SYN\/ACK does$/m);
    assert.ok(broken.stdout.includes('MP_JOIN SYN/ACK HMACs: 1 bad'));
    assert.equal(brokenJson.status, 1);
    assert.equal(broken.stderr, '');
  });

  test('fields: every field, a prefix, JSON; a prefix nothing starts with is a mistake', async () => {
    const [all, prefix, json, none, two] = await Promise.all([
      mpscope(['fields']),
      mpscope(['fields', 'tcp.options.mptcp.']),
      mpscope(['fields', '--json']),
      mpscope(['fields', 'tcp.options.mtpcp.']),
      mpscope(['fields', 'tcp.', 'ip.']),
    ]);
    for (const r of [all, prefix, json]) assert.equal(r.status, 0, r.stderr);
    const rows = lines(all.stdout).map((l) => l.split('\t'));
    assert.ok(rows.length > 300);
    assert.ok(rows.every((r) => r.length === 4), 'name, type, layer, description');
    assert.deepEqual(rows.find((r) => r[0] === 'mptcp.dsn')?.slice(0, 3), ['mptcp.dsn', 'uint64', 'mptcp']);
    const names = lines(prefix.stdout).map((l) => l.split('\t')[0]!);
    assert.ok(names.length > 30 && names.every((n) => n.startsWith('tcp.options.mptcp.')));
    assert.deepEqual(names, rows.map((r) => r[0]!).filter((n) => n.startsWith('tcp.options.mptcp.')));
    const objects = lines(json.stdout).map((l) => JSON.parse(l) as { name: string; type: string; layer: string; description: string });
    assert.deepEqual(objects.map((o) => o.name), rows.map((r) => r[0]));
    assertUsage(none, /^mpscope: no field name starts with 'tcp\.options\.mtpcp\.'$/, 'misspelt prefix');
    assertUsage(two, /^mpscope: unexpected argument 'ip\.'$/, 'two prefixes');
  });
});

describe('bad input never crashes nor hangs', () => {
  const CAPTURE_COMMANDS = ['read', 'conns', 'summary', 'doctor'] as const;

  test('bad command lines: exit status 1, one line and a hint', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['bogus'], /^mpscope: unknown command 'bogus'$/],
      [['constructor'], /^mpscope: unknown command 'constructor'$/],
      [['read', '-r', LAB, '-c', '0'], /^mpscope: invalid number for c: '0'$/],
      [['read', '-r', LAB, '-c', 'ten'], /^mpscope: invalid number for c: 'ten'$/],
      [['read', '-r', LAB, '--frames', '5-2'], /^mpscope: bad frame range '5-2'/],
      [['read', '-r', LAB, '-T', 'xml'], /^mpscope: invalid value for T: 'xml'$/],
      [['read', '-r', LAB, '-o', 'tcp.no_such_pref:TRUE'], /^mpscope: unsupported preference 'tcp\.no_such_pref:TRUE'$/],
      [['read', '-r', LAB, '-T', 'fields'], /^mpscope: -T fields needs at least one -e FIELD$/],
      [['read', '-r', LAB, '-T', 'fields', '-e', 'tcp.prot'], /^mpscope: unknown field: tcp\.prot$/],
      [['read', '-r', LAB, '-T', 'fields', '-e', 'tcp.port', '-E', 'occurrence=x'], /^mpscope: -E occurrence=x: expected f, l or a$/],
      [['read', '-r', LAB, '-w', join(dir, 'x.pcap'), '-F', 'erf'], /^mpscope: invalid value for F: 'erf'$/],
      [['-r', LAB, '--count'], /^mpscope: option --count needs a value$/],
      [['read', '-r', LAB, '-t', 'adoy'], /^mpscope: time format 'adoy' \(day of year\) is not supported$/],
      // Options one output format reads are refused with the others, not ignored (-v is tshark's version; -q is tshark's silence, see stats.test.ts).
      [['read', '-r', LAB, '-e', 'tcp.port'], /^mpscope: output fields were given with -e, but not -T fields, json or ndjson$/],
      [['read', '-r', LAB, '-v'], /^mpscope: -v is an option of the tcpdump format$/],
      [['read', '-r', LAB, '-#'], /^mpscope: -# is an option of the tcpdump format$/],
      [['read', '-r', LAB, '-z', 'conv'], /^mpscope: unknown statistic '-z conv'$/],
      [['read', '-r', LAB, '-z', 'io,stat,x'], /^mpscope: /],
      [['read', '-r', LAB, '-X'], /^mpscope: -X is an option of the tcpdump format$/],
      [['read', '-r', LAB, '--nano', '-T', 'json'], /^mpscope: --nano is an option of the tcpdump format$/],
      [['read', '-r', LAB, '-T', 'json', '-e', 'tcp.prot'], /^mpscope: unknown field: tcp\.prot$/],
    ];
    for (const c of CAPTURE_COMMANDS) {
      cases.push(
        [[c, '--bogus', '-r', LAB], /^mpscope: unknown option --bogus$/],
        [[c, '-r'], /^mpscope: option -r needs a value$/],
        [[c], /^mpscope: no capture given$/],
      );
      if (c !== 'read') {
        cases.push(
          [[c, '-r', LAB, 'extra'], /^mpscope: unexpected argument 'extra'$/],
          [[c, '-r', LAB, '--conn', 'x'], /^mpscope: invalid connection number 'x'$/],
          [[c, '-r', LAB, '--json=yes'], /^mpscope: option --json takes no value$/],
        );
      }
    }
    cases.push(
      [['doctor', '-r', LAB, '--stall', '0'], /^mpscope: invalid value for --stall: '0'$/],
      [['doctor', '-r', LAB, '--stall', '1e999'], /^mpscope: invalid value for --stall: '1e999'$/],
      [['fields', '--bogus'], /^mpscope: unknown option --bogus$/],
      [['nc'], /^mpscope: nc needs HOST and PORT$/],
      [['nc', '-l', '99999'], /^mpscope: invalid port: '99999'$/],
      [['nc', '-k', '127.0.0.1', '9'], /^mpscope: -k needs -l$/],
      [['nc', '-4', '-6', '127.0.0.1', '9'], /^mpscope: -4 and -6 exclude each other$/],
      [['nc', '--via'], /^mpscope: option --via needs a value$/],
      [['trace'], /^mpscope: trace needs HOST and PORT$/],
      [['trace', '192.0.2.10', '443', 'extra'], /^mpscope: unexpected argument 'extra'$/],
      [['trace', '--version', '7', '192.0.2.10', '443'], /^mpscope: invalid value for version: '7'$/],
      [['trace', '-6', '192.0.2.10', '443'], /^mpscope: 192\.0\.2\.10 is not an IPv6 address$/],
      [['trace', '-f', '9', '-m', '3', '192.0.2.10', '443'], /^mpscope: the first hop \(9\) is beyond the last \(3\)$/],
    );
    const runs = await Promise.all(cases.map(([args]) => mpscope(args)));
    runs.forEach((r, i) => {
      const [args, message] = cases[i]!;
      assertUsage(r, message, args.join(' '));
      assert.equal(r.stdout, '', args.join(' '));
    });
  });

  test('an empty display filter shows every packet, as in tshark; -T json -e keeps the chosen fields', async () => {
    const [all, empty, blank, json] = await Promise.all([
      mpscope(['read', '-r', LAB, '-c', '5']),
      mpscope(['read', '-r', LAB, '-c', '5', '-Y', '']),
      mpscope(['read', '-r', LAB, '-c', '5', '-Y', '  ']),
      mpscope(['read', '-r', LAB, '-c', '3', '-T', 'ndjson', '-e', 'frame.number', '-e', 'tcp.options.mptcp.sendkey']),
    ]);
    assert.equal(all!.status, 0);
    assert.equal(lines(all!.stdout).length, 5);
    assert.equal(empty!.stdout, all!.stdout);
    assert.equal(blank!.stdout, all!.stdout);
    assert.deepEqual(lines(json!.stdout).map((l) => JSON.parse(l)._source.layers), [
      { 'frame.number': ['1'] },
      { 'frame.number': ['2'], 'tcp.options.mptcp.sendkey': ['14517152369668756744'] },
      { 'frame.number': ['3'], 'tcp.options.mptcp.sendkey': ['11775027930557295487'] },
    ]);
  });

  test('--conn N of a connection the capture lacks: the report of the rest, then an error, exit 1', async () => {
    const commands = ['conns', 'doctor', 'summary'];
    const runs = await Promise.all(commands.map((c) => mpscope([c, '-r', LAB, '--conn', '0', '--conn', '9', '--conn', '4'])));
    runs.forEach((r, i) => {
      const c = commands[i]!;
      assertFails(r, 1, /^mpscope: no MPTCP connections 4, 9 in this capture \(it has connection 0 only\)$/, c);
      assert.match(r.stdout, /10\.0\.1\.1:\d+ → 10\.0\.3\.1:5201/, c);
    });
  });

  test('probe: usage mistakes exit 2 (1 is for failed scenarios), with a hint', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /^mpscope: probe needs HOST and PORT$/],
      [['--bogus'], /^mpscope: unknown option --bogus$/],
      [['--version', '3', '10.0.1.2', '5201'], /^mpscope: invalid value for version: '3'$/],
      [['--scenario', 'nosuch', '10.0.1.2', '5201'], /^mpscope: no scenario 'nosuch'$/],
      [['--timeout', 'soon', '10.0.1.2', '5201'], /^mpscope: invalid number for timeout: 'soon'$/],
    ];
    const runs = await Promise.all(cases.map(([args]) => mpscope(['probe', ...args])));
    runs.forEach((r, i) => {
      const [args, message] = cases[i]!;
      assertFails(r, 2, message, `probe ${args.join(' ')}`);
      assert.match(lines(r.stderr)[1] ?? '', /^hint: \S/, `probe ${args.join(' ')}`);
    });
  });

  test('--help of every command: its usage on standard output, exit status 0', async () => {
    const commands = ['read', 'conns', 'summary', 'doctor', 'fields', 'nc', 'probe', 'trace'];
    const runs = await Promise.all([...commands.map((c) => mpscope([c, '--help'])), mpscope(['--help']), mpscope([])]);
    commands.forEach((c, i) => {
      assert.equal(runs[i]!.status, 0, c);
      assert.match(runs[i]!.stdout, new RegExp(`^usage: mpscope ${c} `), c);
    });
    const [top, bare] = runs.slice(commands.length);
    assert.equal(top!.status, 0);
    for (const c of commands) assert.match(top!.stdout, new RegExp(`^ {2}${c} +\\S`, 'm'), c);
    assert.equal(bare!.status, 1, 'no command at all is a mistake, with the usage');
    assert.equal(bare!.stdout, top!.stdout);
  });

  test('files that are not captures: exit status 2, one line, for every command reading captures', async () => {
    const empty = join(dir, 'empty.pcap');
    const text = join(dir, 'notes.txt');
    const folder = join(dir, 'folder');
    writeFileSync(empty, '');
    writeFileSync(text, 'not a capture, just a few words\n');
    mkdirSync(folder, { recursive: true });
    // A gzip header, then bytes no deflate stream starts with (a stored block whose length check fails).
    const badGzip = join(dir, 'bad.pcap.gz');
    writeFileSync(badGzip, Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0x00, 0x05, 0x00, 0x05, 0x00, 1, 2, 3, 4, 5]));
    const cases: Array<[string[], RegExp, Uint8Array?]> = [];
    for (const c of CAPTURE_COMMANDS) {
      cases.push(
        [[c, '-r', join(dir, 'missing.pcap')], /^mpscope: cannot read .*missing\.pcap: no such file or directory$/],
        [[c, '-r', folder], /^mpscope: cannot read .*folder: is a directory$/],
        [[c, '-r', empty], /^mpscope: empty file$/],
        [[c, '-r', text], /^mpscope: not a pcap or pcapng file \(starts with 6e 6f 74 20 61 20 63 61\)$/],
        [[c, '-r', '-'], /^mpscope: empty file$/, new Uint8Array()],
        [[c, '-r', '-'], /^mpscope: not a pcap or pcapng file/, new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n')],
        // Nothing decompresses: the damage is named, not an "empty file".
        [[c, '-r', badGzip], /^mpscope: corrupt gzip data: invalid stored block lengths after 0 decompressed bytes$/],
      );
    }
    const runs = await Promise.all(cases.map(([args, , input]) => mpscope(args, input)));
    runs.forEach((r, i) => {
      const [args, message] = cases[i]!;
      assertFails(r, 2, message, args.join(' '));
      assert.equal(r.stdout, '', args.join(' '));
    });
  });

  test('an output file that cannot be created: exit status 2 and one line, not an unhandled error', async () => {
    const r = await mpscope(['read', '-r', LAB, '-w', join(dir, 'no-such-dir', 'out.pcapng')]);
    assertFails(r, 2, /^mpscope: cannot .*out\.pcapng: no such file or directory$/, '-w into a missing directory');
  });

  test('a reader that goes away (| head -c): the capture written to standard output stops quietly', async () => {
    const r = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const env = { ...process.env, MPSCOPE_NATIVE: join(ROOT, 'build/Release/mpscope.node') };
      const child = spawn(process.execPath, [cli, 'read', '-r', LAB, '-w', '-'], { cwd: ROOT, env, timeout: HANG_MS });
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
      child.stdout.once('data', () => child.stdout.destroy());
      child.on('close', (status) => resolve({ status, stderr }));
    });
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
  });

  test('damaged captures: every good packet first, then one line with the byte offset, for read, conns, summary and doctor', async () => {
    // examples/mptcp-lab.pcapng: a 400-byte section header, a 40-byte interface block, then packets from offset 440.
    const blocks = pcapngBlocks(labBytes);
    const firstPacket = blocks.findIndex((b) => b.type === 6);
    assert.equal(blocks[firstPacket]!.offset, 440);
    const packetsBefore = (offset: number): number => blocks.filter((b) => b.type === 6 && b.offset + b.length <= offset).length;
    const cutInside = (k: number): number => blocks[firstPacket + k]!.offset + 30;

    const damaged: Array<{ name: string; bytes: Uint8Array; message: RegExp; good: number }> = [
      { name: 'cut in the file header', bytes: labBytes.subarray(0, 6), message: /^mpscope: truncated capture file: only 6 bytes, the file header is cut short$/, good: 0 },
      { name: 'cut in the section header', bytes: labBytes.subarray(0, 100), message: /^mpscope: truncated pcapng file: the block at offset 0 is cut short, 300 of its 400 bytes missing$/, good: 0 },
      ...[3, 57, 300].map((k) => ({
        name: `cut inside packet ${k + 1}`,
        bytes: labBytes.subarray(0, cutInside(k)),
        message: new RegExp(`^mpscope: truncated pcapng file: the block at offset ${blocks[firstPacket + k]!.offset} is cut short, \\d+ of its ${blocks[firstPacket + k]!.length} bytes missing$`),
        good: k,
      })),
      (() => {
        // Packet 50's block length overwritten: the reader cannot find the next block.
        const b = Uint8Array.from(labBytes);
        const at = blocks[firstPacket + 49]!.offset;
        new DataView(b.buffer).setUint32(at + 4, 7, true);
        return { name: 'impossible block length', bytes: b, message: new RegExp(`^mpscope: corrupt pcapng file: block type 0x00000006 has an impossible total length 7 \\(block at offset ${at}\\)$`), good: 49 };
      })(),
    ];
    assert.equal(packetsBefore(cutInside(57)), 57);

    const jobs: Array<Promise<void>> = [];
    for (const d of damaged) {
      const file = join(dir, `${d.name.replace(/\W+/g, '-')}.pcapng`);
      writeFileSync(file, d.bytes);
      for (const c of CAPTURE_COMMANDS) {
        jobs.push(mpscope([c, '-r', file]).then((r) => {
          const what = `${c}: ${d.name}`;
          assertFails(r, 2, d.message, what);
          if (d.good > 0) assert.match(lines(r.stderr)[1] ?? '', /^hint: every (complete )?frame before/, what);
          assert.ok(lines(r.stderr).length <= 2, `${what}: ${r.stderr}`);
          if (c === 'read') {
            assert.equal(lines(r.stdout).length, d.good, `${what}: the good packets are printed`);
          } else if (d.good > 0) {
            assert.match(r.stdout, new RegExp(`^${d.good} packets[,;]`, 'm'), `${what}: the report covers the good packets`);
          }
        }));
      }
      // The same damage through standard input.
      jobs.push(mpscope(['read', '-r', '-'], d.bytes).then((r) => {
        assertFails(r, 2, d.message, `read -r -: ${d.name}`);
        assert.equal(lines(r.stdout).length, d.good);
      }));
    }
    await Promise.all(jobs);
  });
});

/** The blocks of a little-endian pcapng file: type, offset and total length. */
function pcapngBlocks(bytes: Uint8Array): Array<{ type: number; offset: number; length: number }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Array<{ type: number; offset: number; length: number }> = [];
  for (let off = 0; off + 8 <= bytes.length; ) {
    const length = view.getUint32(off + 4, true);
    out.push({ type: view.getUint32(off, true), offset: off, length });
    off += length;
  }
  return out;
}

test('read -o: names that are properties of every object are not preferences', () => {
  for (const pref of ['constructor:TRUE', '__proto__:TRUE', 'toString:1']) {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/mpscope.js'), 'read', '-r', join(ROOT, 'examples/mptcp-lab.pcapng'), '-o', pref]);
    assert.equal(r.status, 1, pref);
    assert.match(r.stderr.toString(), /unsupported preference/);
  }
});
