/**
 * `mpscope probe` as a command, where no network is needed: --list and
 * --help, usage mistakes and what keeps the probe from running (exit status
 * 2 with a one-line message and a hint), and the table people read.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { SpawnSyncOptions } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { formatProbe, formatScenarioList, frameText, ProbeTable, wrap } from '../../src/probe/probe-format.js';
import type { ProbeResult } from '../../src/probe/probe.js';
import { SCENARIOS } from '../../src/probe/scenarios/index.js';
import type { ScenarioResult } from '../../src/probe/scenarios/index.js';
import { nativeAvailable } from '../../src/sys/index.js';
import { ROOT } from '../helpers/shared.js';

const FIXTURE = join(ROOT, 'test/probe/probe-fixtures/probe-cli.ts');

function probe(args: string[], extra: SpawnSyncOptions = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE, ...args], { encoding: 'utf8', timeout: 20_000, ...extra });
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Runs the command in this process (for what fails before touching the network), capturing what it says on stderr. */
async function inProcess(args: string[]): Promise<{ status: number; stderr: string }> {
  let stderr = '';
  const err = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  try {
    return { status: await main(['probe', ...args]), stderr };
  } finally {
    process.stderr.write = err;
  }
}

describe('mpscope probe command line', () => {
  it('--list: every scenario with its RFC section, what it does and what the RFC expects', () => {
    const r = probe(['--list']);
    assert.equal(r.status, 0, r.stderr);
    for (const s of SCENARIOS) assert.match(r.stdout, new RegExp(`^${s.name} +RFC ${s.rfc[1]!.replace(/[§.]/g, '\\$&')} +${s.title.slice(0, 20).replace(/[()[\]/.]/g, '\\$&')}`, 'm'));
    assert.match(r.stdout, /^ +expected: a RST, like an unknown port, with MP_TCPRST reason 1 \(MPTCP-specific error\)$/m);
    const v0 = probe(['--list', '--version', '0']);
    assert.match(v0.stdout, /^mp-capable +RFC 6824 §3\.1 /m);
    assert.match(v0.stdout, /^add-addr +RFC 8684 §3\.4\.1 .*\[v1 only\]$/m);
  });

  it('--help lists the options', () => {
    const r = probe(['--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^usage: mpscope probe \[options\] HOST PORT \| --list$/m);
    for (const o of ['--version', '--scenario', '--json', '-w', '--transport', '--timeout', '--netns', '--tun-net']) assert.ok(r.stdout.includes(o), o);
  });

  it('usage mistakes: one line, a hint, exit status 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['10.0.0.1'], /^mpscope: probe needs HOST and PORT\nhint: mpscope probe HOST PORT/],
      [['10.0.0.1', '0'], /^mpscope: invalid port: '0'/],
      [['--version', '2', '10.0.0.1', '80'], /^mpscope: invalid value for version: '2'\nhint: expected one of: 0, 1/],
      [['--scenario', 'join,nope', '10.0.0.1', '80'], /^mpscope: no scenario 'nope'\nhint: scenarios: mp-capable, data-dss/],
      [['--transport', 'udp', '10.0.0.1', '80'], /^mpscope: invalid value for transport: 'udp'/],
      [['--timeout', 'soon', '10.0.0.1', '80'], /^mpscope: invalid number for timeout: 'soon'/],
      [['--transport', 'tun', '-s', '10.0.0.2', '10.0.0.1', '80'], /^mpscope: -s and -i are for the raw transport/],
      [['-4', '-6', '10.0.0.1', '80'], /^mpscope: -4 and -6 exclude each other/],
      [['-6', '10.0.0.1', '80'], /^mpscope: 10\.0\.0\.1 is not an IPv6 address/],
      [['--bogus', '10.0.0.1', '80'], /^mpscope: unknown option --bogus/],
      [['--tun-net', 'bogus', '10.0.0.1', '80'], /^mpscope: invalid --tun-net 'bogus'\nhint: a prefix such as 198\.18\.0\.0\/30/],
      [['--transport', 'raw', '--tun-net', '198.18.0.0/30', '10.0.0.1', '80'], /^mpscope: --tun-net is for the TUN transport/],
    ];
    for (const [args, re] of cases) {
      const r = await inProcess(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re, args.join(' '));
    }
  });

  it('options of the transport the target did not choose are refused, not ignored', { skip: !nativeAvailable() ? 'needs the addon' : false }, async () => {
    // Only the routing table is asked which transport fits: nothing is sent.
    const remote = await inProcess(['--tun-net', '198.18.0.0/30', '192.0.2.1', '80']);
    assert.equal(remote.status, 2);
    assert.match(remote.stderr, /^mpscope: --tun-net is for the TUN transport\nhint: 192\.0\.2\.1 is not an address of this host, so the probe uses raw sockets; add --transport tun/);
    const local = await inProcess(['-s', '127.0.0.1', '127.0.0.1', '80']);
    assert.equal(local.status, 2);
    assert.match(local.stderr, /^mpscope: -s and -i are for the raw transport\nhint: 127\.0\.0\.1 is an address of this host, so the probe uses a TUN device; add --transport raw/);
  });

  it('without the addon: says how to build it, exit status 2', () => {
    const r = probe(['10.0.0.1', '80'], { env: { ...process.env, MPSCOPE_NATIVE: '/nonexistent/mpscope.node' } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^mpscope: the native addon is not built \(no \/nonexistent\/mpscope\.node\)\nhint: build it with/);
  });

  it('without privilege: says to run as root, exit status 2, for either transport', { skip: process.getuid?.() !== 0 || !nativeAvailable() ? 'needs root to drop privilege, and the addon' : false }, () => {
    const nobody = { uid: 65534, gid: 65534, env: { ...process.env, HOME: '/tmp' } };
    const tun = probe(['--transport', 'tun', '10.0.0.1', '80'], nobody);
    assert.equal(tun.status, 2, tun.stderr);
    assert.match(tun.stderr, /^mpscope: creating TUN device mpsp%d: permission denied \(ioctl\(TUNSETIFF\): EACCES\)\nhint: run as root/);
    const raw = probe(['--transport', 'raw', '-s', '10.0.0.2', '10.0.0.1', '80'], nobody);
    assert.equal(raw.status, 2, raw.stderr);
    assert.match(raw.stderr, /^mpscope: opening a raw IPv4 socket: permission denied \(socket: EPERM\)\nhint: run as root/);
  });
});

function result(over: Partial<ScenarioResult>): ScenarioResult {
  return {
    name: 'join', title: 't', version: 1, rfc: 'RFC 8684 §3.2', expected: 'a SYN/ACK with MP_JOIN whose HMAC the keys and nonces give',
    verdict: 'pass', observed: 'SYN/ACK with MP_JOIN (HMAC verified), third ACK acknowledged', frames: [5, 6, 7, 9],
    firstFrame: 5, lastFrame: 9, findings: [], witness: ['MPTcpExtMPJoinSynRx'], counters: { MPTcpExtMPJoinSynRx: 1, MPTcpExtAddAddrTx: 1 },
    durationMs: 12, ...over,
  };
}

describe('the probe table', () => {
  it('wraps words to the width, frame lists as ranges', () => {
    assert.deepEqual(wrap('one two three four', 9), ['one two', 'three', 'four']);
    assert.deepEqual(wrap('a\nb c', 10), ['a', 'b c']);
    assert.deepEqual(wrap('unbreakablewordhere x', 5), ['unbreakablewordhere', 'x']);
    assert.equal(frameText([1, 2, 3, 5, 7, 8]), '1-3, 5, 7-8');
    assert.equal(frameText([]), '');
  });

  it('one row per scenario: verdict, expected with its RFC section, observed with frames, findings and the witness counters', () => {
    const t = new ProbeTable(100);
    assert.match(t.header(), /^SCENARIO {10}VERDICT {2}EXPECTED +OBSERVED$/);
    const row = t.row(result({ findings: [{ severity: 'error', code: 'malformed', message: 'MP_CAPABLE length 5 is invalid', layer: 'mptcp', frame: 6 }] })).split('\n');
    assert.match(row[0]!, /^join {14}pass {5}a SYN\/ACK with MP_JOIN whose +SYN\/ACK with MP_JOIN \(HMAC verified\),$/);
    assert.ok(row.every((l) => l.length <= 100), 'fits the width');
    const text = row.join('\n');
    assert.match(text, /\(RFC 8684 §3\.2\)/);
    assert.match(text, /frames 5-7, 9/);
    assert.match(text, /finding \(frame 6\): MP_CAPABLE length 5/);
    assert.match(text, /nstat: MPJoinSynRx \+1/);
    assert.doesNotMatch(text, /AddAddrTx/, 'only the witness counters in the table (all of them in JSON)');
  });

  it('the whole run: header, rows, and a count of the verdicts', () => {
    const r: ProbeResult = {
      target: '10.0.0.2', port: 80, family: 4, source: '10.0.0.1', transport: 'raw', version: 1, sourcePorts: [40000, 40255],
      timing: { timeoutMs: 2000, tries: 3, quietMs: 500 }, scenarios: ['join', 'csum-missing'], witness: false,
      results: [result({}), result({ name: 'csum-missing', verdict: 'fail', counters: undefined })],
      summary: { pass: 1, fail: 1, differs: 0, skipped: 0, timeout: 0, error: 0 }, interrupted: false, packets: 20,
    };
    const text = formatProbe(r, 120);
    const lines = text.split('\n');
    assert.equal(lines[0], 'mpscope probe 10.0.0.2 port 80 from 10.0.0.1 (raw transport, ports 40000-40255): MPTCP v1, 2 scenarios, 2000 ms per answer');
    assert.match(text, /^csum-missing +fail /m);
    assert.equal(lines.at(-1), '2 scenarios: 1 pass, 1 fail');
    assert.equal(formatProbe({ ...r, interrupted: true }).split('\n').at(-1), '2 scenarios: 1 pass, 1 fail (interrupted)');
  });

  it('--list text names every scenario once', () => {
    const text = formatScenarioList(SCENARIOS);
    for (const s of SCENARIOS) assert.equal(text.split('\n').filter((l) => l.startsWith(`${s.name} `)).length, 1, s.name);
  });
});
