/**
 * `mpscope probe` against the real thing: the Linux kernel's MPTCP behind
 * `mpscope nc -l -k` in a server namespace, probed from a client namespace
 * through both transports, IPv4 and IPv6, v1 and v0. Every verdict is
 * checked against what this kernel does, with its MPTcpExt counters
 * (nstat, read by the probe itself with --netns) as a second witness; the
 * capture decodes; and neither a finished run nor one stopped by Ctrl-C
 * (or killed outright) leaves a TUN device, firewall rule or namespace
 * behind. All addresses live inside the namespaces:
 *
 *   cli eth0 10.89.1.1 fd89:1::1 ---- 10.89.1.2 (+ .3 announced) fd89:1::2 eth0 srv
 *   cli: TUN devices (198.18.0.0/15, 2001:2::/48) routed back to it from srv
 */
import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readCaptureBytes } from '../../src/capture/index.js';
import type { ProbeResult } from '../../src/probe/probe.js';
import { nativeAvailable } from '../../src/sys/index.js';
import { decodePacket } from '../../src/wire/packet.js';
import { hasCommand, ROOT } from '../helpers/shared.js';
import { address, namespacesNamed, Netns, netnsSkipReason, veth } from '../lab/netns.js';
import { buildCli, ncSkipReason, startNc } from '../nc/helpers.js';
import type { Nc } from '../nc/helpers.js';

function skipReason(): string | false {
  const ns = netnsSkipReason(['nft', 'nstat']);
  if (ns) return ns;
  if (!nativeAvailable()) return 'the native addon is not built (npm run install): TUN devices and raw sockets need it';
  buildCli();
  return ncSkipReason();
}

const SKIP = skipReason();
const PREFIX = `mpsprb-${process.pid}-`;
const PORT = 5201;
const FIXTURE = join(ROOT, 'test/probe/probe-fixtures/probe-cli.ts');

/** What Linux 6.x does in each scenario (v1). */
const LINUX_V1: Record<string, string> = {
  'mp-capable': 'pass', 'data-dss': 'pass', 'data-dss-csum': 'pass', 'data-ack': 'pass', 'data-fin': 'pass', join: 'pass',
  'join-bad-token': 'pass', 'join-bad-hmac': 'pass', 'wrong-key-echo': 'differs', 'csum-missing': 'fail', 'bad-csum-first': 'differs',
  'bad-csum-later': 'pass', 'infinite-mapping': 'pass', 'add-addr': 'pass', 'remove-addr': 'pass', 'mp-prio': 'pass', 'mp-fastclose': 'pass',
};

/** The server's counters that must have moved in each scenario (and those that must not: 0). */
const WITNESS: Record<string, Record<string, number>> = {
  'mp-capable': { MPTcpExtMPCapableSYNRX: 1, MPTcpExtMPCapableACKRX: 1 },
  'data-dss-csum': { MPTcpExtDataCsumErr: 0 },
  'data-ack': { MPTcpExtOFOQueue: 1 },
  join: { MPTcpExtMPJoinSynRx: 1, MPTcpExtMPJoinAckRx: 1 },
  'join-bad-token': { MPTcpExtMPJoinNoTokenFound: 1 },
  'join-bad-hmac': { MPTcpExtMPJoinAckHMacFailure: 1 },
  'csum-missing': { MPTcpExtDssFallback: 1, MPTcpExtMPRstTx: 0 },
  'bad-csum-first': { MPTcpExtDataCsumErr: 1, MPTcpExtDssFallback: 1, MPTcpExtMPFailTx: 0 },
  'bad-csum-later': { MPTcpExtDataCsumErr: 1, MPTcpExtMPFailTx: 1, MPTcpExtMPFailRx: 1, MPTcpExtInfiniteMapRx: 1 },
  'infinite-mapping': { MPTcpExtInfiniteMapRx: 1 },
  'add-addr': { MPTcpExtAddAddr: 1, MPTcpExtEchoAddTx: 1 },
  'remove-addr': { MPTcpExtRmAddr: 1 },
  'mp-prio': { MPTcpExtMPPrioRx: 1 },
  'mp-fastclose': { MPTcpExtMPFastcloseRx: 1, MPTcpExtMPRstTx: 2 },
};

/** A TUN device of the probe in `ip link show` output. */
const TUN_DEVICE = /^\d+: mpsp\d+:/m;
const ROW = /^(\S+) +(pass|fail|differs|skipped|timeout|error) /gm;

describe('mpscope probe against the Linux kernel', { skip: SKIP, timeout: 90_000 }, () => {
  const made: Netns[] = [];
  let cli: Netns;
  let srv: Netns;
  let server: Nc | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'mpscope-probe-'));

  const destroy = (): void => {
    server?.child.kill('SIGKILL');
    for (const ns of made.splice(0)) ns.destroy();
    rmSync(dir, { recursive: true, force: true });
  };

  before(async () => {
    try {
      for (const name of ['cli', 'srv']) made.push(Netns.create(`${PREFIX}${name}`));
      [cli, srv] = made as [Netns, Netns];
      veth(cli, 'eth0', srv, 'eth0');
      address(cli, 'eth0', '10.89.1.1/24');
      address(cli, 'eth0', 'fd89:1::1/64');
      address(srv, 'eth0', '10.89.1.2/24');
      address(srv, 'eth0', '10.89.1.3/24');
      address(srv, 'eth0', 'fd89:1::2/64');
      // The TUN transport's addresses sit behind the client, which forwards for them.
      srv.ip(['route', 'add', '198.18.0.0/15', 'via', '10.89.1.1']);
      srv.ip(['-6', 'route', 'add', '2001:2::/48', 'via', 'fd89:1::1']);
      cli.sysctl({ 'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.forwarding': '1' });
      // The server announces a second address on every connection (the add-addr scenario checks its HMAC).
      srv.ip(['mptcp', 'endpoint', 'add', '10.89.1.3', 'dev', 'eth0', 'signal']);
      server = startNc(srv, ['-l', '-k', '-v', String(PORT)]);
      await server.waitFor(/listening on/);
    } catch (e) {
      destroy();
      throw e;
    }
  });
  after(destroy);

  const probe = (args: string[], timeout = 30_000): { status: number | null; stdout: string; stderr: string } => {
    const r = cli.run(process.execPath, ['--import', 'tsx', FIXTURE, ...args], { timeout });
    return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
  };
  const probeJson = (args: string[]): ProbeResult => {
    const r = probe(['--json', '--timeout', '1000', '--quiet', '400', '--netns', srv.name, ...args]);
    assert.equal(r.stderr, '');
    return JSON.parse(r.stdout) as ProbeResult;
  };
  const verdicts = (r: ProbeResult): Record<string, string> => Object.fromEntries(r.results.map((x) => [x.name, x.verdict]));
  /** What each scenario whose verdict is not `expected` saw: an assertion's message, for a verdict that differs. */
  const unexpected = (r: ProbeResult, expected: Record<string, string>): string =>
    r.results.filter((x) => expected[x.name] !== x.verdict).map((x) => `${x.name}: ${x.observed}`).join('; ');
  const leftovers = (): { tables: string; tun: string } => ({
    tables: cli.run('nft', ['list', 'tables']).stdout.toString(),
    tun: cli.ip(['link', 'show']),
  });

  it('raw sockets, IPv4, every scenario: the verdicts and the counters of Linux, the capture decodes, the firewall rule is gone', () => {
    const file = join(dir, 'raw4.pcapng');
    const r = probeJson(['-w', file, '10.89.1.2', String(PORT)]);
    assert.equal(r.transport, 'raw', 'raw sockets are the default for another host');
    assert.equal(r.source, '10.89.1.1');
    assert.deepEqual(verdicts(r), LINUX_V1, unexpected(r, LINUX_V1));
    for (const x of r.results) {
      for (const [counter, delta] of Object.entries(WITNESS[x.name] ?? {})) {
        assert.equal(x.counters?.[counter], delta, `${x.name}: ${counter} (${JSON.stringify(x.counters)})`);
      }
      assert.deepEqual(x.findings, [], `${x.name}: no malformed reply`);
    }
    assert.match(r.results.find((x) => x.name === 'add-addr')!.observed, /the peer announced 10\.89\.1\.3 \(id 1\) with right HMACs, echoed/);
    assert.match(r.results.find((x) => x.name === 'infinite-mapping')!.observed, /MP_JOIN got a RST with MP_TCPRST reason 3 \(Administratively prohibited\)/);
    // The capture: every frame decodes and the options of both sides are there, numbered as the verdicts cite them.
    const frames: Array<ReturnType<typeof decodePacket>> = [];
    readCaptureBytes(new Uint8Array(readFileSync(file)), (f) => {
      frames.push(decodePacket({ ...f, data: f.data.slice() }));
    });
    assert.equal(frames.length, r.packets);
    assert.ok(frames.every((p) => p.tcp && p.findings.length === 0));
    const names = new Set(frames.flatMap((p) => p.tcp!.options.flatMap((o) => (o.type === 'mptcp' ? [o.mptcp.name as string] : []))));
    for (const n of ['MP_CAPABLE', 'MP_JOIN', 'DSS', 'ADD_ADDR', 'REMOVE_ADDR', 'MP_PRIO', 'MP_FAIL', 'MP_FASTCLOSE', 'MP_TCPRST']) assert.ok(names.has(n), `${n} in the capture`);
    const fail = r.results.find((x) => x.name === 'bad-csum-later')!;
    assert.ok(fail.frames.some((f) => frames[f - 1]!.tcp!.options.some((o) => o.type === 'mptcp' && o.mptcp.name === 'MP_FAIL')), 'bad-csum-later cites the MP_FAIL');
    if (hasCommand('tshark')) {
      const t = cli.run('tshark', ['-r', file, '-Y', 'tcp.options.mptcp.rst_reason', '-T', 'fields', '-e', 'tcp.options.mptcp.rst_reason']);
      assert.equal(t.status, 0, t.stderr.toString());
      assert.ok(t.stdout.toString().trim().split('\n').length >= 2, 'tshark reads the MP_TCPRSTs');
    }
    assert.doesNotMatch(leftovers().tables, /mpscope_probe/);
  });

  it('a TUN device, IPv4, as a table: the same verdicts, exit status 1 for the failed scenario, no device left', () => {
    const r = probe(['--transport', 'tun', '--timeout', '1000', '--quiet', '400', '10.89.1.2', String(PORT)]);
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, /^mpscope probe 10\.89\.1\.2 port 5201 from 198\.1[89]\.\d+\.\d+ \(tun transport, ports \d+-\d+\): MPTCP v1, 17 scenarios, 1000 ms per answer$/);
    assert.match(lines[2]!, /^SCENARIO +VERDICT +EXPECTED +OBSERVED$/);
    const rows = Object.fromEntries([...r.stdout.matchAll(ROW)].map((m) => [m[1], m[2]]));
    assert.deepEqual(rows, LINUX_V1);
    assert.match(r.stdout, /\n17 scenarios: 14 pass, 1 fail, 2 differs\n$/);
    assert.doesNotMatch(leftovers().tun, TUN_DEVICE);
  });

  it('IPv6 through both transports', () => {
    const names = ['mp-capable', 'join', 'add-addr', 'bad-csum-later', 'remove-addr', 'mp-fastclose'];
    for (const transport of ['raw', 'tun']) {
      const r = probeJson(['--transport', transport, '--scenario', names.join(','), 'fd89:1::2', String(PORT)]);
      assert.equal(r.family, 6);
      assert.deepEqual(verdicts(r), Object.fromEntries(names.map((n) => [n, 'pass'])), `${transport}: ${JSON.stringify(r.results.map((x) => x.observed))}`);
      assert.equal(r.results.find((x) => x.name === 'join')!.counters?.MPTcpExtMPJoinAckRx, 1);
    }
    assert.doesNotMatch(leftovers().tables, /mpscope_probe/);
  });

  it('the local kernel through a TUN, packetdrill\'s way: the default for an address of this host, no forwarding needed; forwarding off and a remote target is refused with the way out', async () => {
    const local = startNc(cli, ['-l', '-k', '-v', String(PORT + 1)]);
    try {
      await local.waitFor(/listening on/);
      cli.sysctl({ 'net.ipv4.ip_forward': '0' });
      const names = ['mp-capable', 'join', 'add-addr', 'bad-csum-later', 'mp-fastclose'];
      const r = probeJson(['--netns', cli.name, '--scenario', names.join(','), '10.89.1.1', String(PORT + 1)]);
      assert.equal(r.transport, 'tun');
      assert.match(r.source, /^198\.1[89]\./);
      const passes = Object.fromEntries(names.map((n) => [n, 'pass']));
      assert.deepEqual(verdicts(r), passes, unexpected(r, passes));
      assert.match(r.results.find((x) => x.name === 'add-addr')!.observed, /the peer announced no address$/);
      const refused = probe(['--transport', 'tun', '10.89.1.2', String(PORT)]);
      assert.equal(refused.status, 2);
      assert.match(refused.stderr, /^mpscope: the TUN transport needs this host to forward packets to 10\.89\.1\.2, and it does not\nhint: enable it \(sysctl -w net\.ipv4\.ip_forward=1\) and route 198\.1[89]\.[\d.]+ back to this host on the target's side, or use --transport raw\n$/);
      assert.doesNotMatch(leftovers().tun, TUN_DEVICE);
    } finally {
      cli.sysctl({ 'net.ipv4.ip_forward': '1' });
      local.child.kill('SIGKILL');
    }
  });

  it('v0: Linux speaks only v1, so MP_CAPABLE v0 gets plain TCP (RFC 8684 §3.1) and the rest has nothing to test', () => {
    const r = probeJson(['--version', '0', '10.89.1.2', String(PORT)]);
    const mpc = r.results.find((x) => x.name === 'mp-capable')!;
    assert.equal(mpc.verdict, 'differs');
    assert.match(mpc.observed, /^plain TCP \(the SYN\/ACK carries no MP_CAPABLE\): the peer does not speak MPTCP v0/);
    assert.deepEqual(mpc.counters?.MPTcpExtMPCapableSYNRX, 0, 'the kernel did not take the v0 SYN as MPTCP');
    assert.ok(r.results.filter((x) => x.name !== 'mp-capable').every((x) => x.verdict === 'skipped'));
    assert.equal(probe(['--version', '0', '--scenario', 'mp-capable', '10.89.1.2', String(PORT)]).status, 0, 'differs and skipped are no failure');
  });

  it('a target that drops the SYNs: a timeout verdict saying what was awaited', () => {
    srv.run('nft', ['-f', '-'], { input: `table inet probe_test {\n chain in {\n  type filter hook input priority 0; policy accept;\n  tcp dport ${PORT} drop\n }\n}\n`, check: true });
    let r: ReturnType<typeof probe>;
    try {
      r = probe(['--scenario', 'mp-capable,join', '--timeout', '300', '10.89.1.2', String(PORT)]);
    } finally {
      srv.run('nft', ['delete', 'table', 'inet', 'probe_test'], { check: true });
    }
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^mp-capable +timeout .* no answer: waited 300 ms for a SYN\/ACK$/m);
    assert.match(r.stdout, /^join +timeout /m);
    assert.doesNotMatch(leftovers().tables, /mpscope_probe/);
  });

  it('a target that refuses with ICMP: both transports name the error instead of a bare timeout', () => {
    srv.run('nft', ['-f', '-'], { input: `table inet probe_test {\n chain in {\n  type filter hook input priority 0; policy accept;\n  tcp dport ${PORT} reject with icmpx type admin-prohibited\n }\n}\n`, check: true });
    const runs: Array<[string, ReturnType<typeof probe>]> = [];
    try {
      for (const transport of ['raw', 'tun']) runs.push([transport, probe(['--json', '--transport', transport, '--scenario', 'mp-capable', '--timeout', '300', '10.89.1.2', String(PORT)])]);
    } finally {
      srv.run('nft', ['delete', 'table', 'inet', 'probe_test'], { check: true });
    }
    for (const [transport, r] of runs) {
      assert.equal(r.status, 1, `${transport}: ${r.stderr}`);
      const [x] = (JSON.parse(r.stdout) as ProbeResult).results;
      assert.equal(x?.verdict, 'timeout', transport);
      assert.equal(x?.observed, 'no answer: waited 300 ms for a SYN/ACK (an ICMP type 3 code 13 error came instead, frame 2)', transport);
    }
    assert.doesNotMatch(leftovers().tables, /mpscope_probe/);
  });

  /** Starts a probe in the client namespace; resolves with the process once its table has a first row. */
  const startProbe = async (args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; exited: Promise<number | null>; out: () => string }> => {
    const child = cli.spawn(process.execPath, ['--import', 'tsx', FIXTURE, '--timeout', '2000', ...args]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    for (const deadline = Date.now() + 15_000; !/^mp-capable +pass/m.test(out); ) {
      if (Date.now() > deadline) throw new Error(`the probe did not get going:\n${out}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return { child, exited, out: () => out };
  };

  it('Ctrl-C in the middle of a run: exit status 130, the rule removed, the TUN device gone', async () => {
    for (const transport of ['raw', 'tun']) {
      const p = await startProbe(['--transport', transport, '10.89.1.2', String(PORT)]);
      if (transport === 'raw') assert.match(leftovers().tables, new RegExp(`mpscope_probe_${p.child.pid}_`), 'the rule is there while the run goes');
      else assert.match(leftovers().tun, TUN_DEVICE, 'the device is there while the run goes');
      p.child.kill('SIGINT');
      assert.equal(await p.exited, 130, p.out());
      assert.match(p.out(), /\(interrupted\)\n$/);
      const left = leftovers();
      assert.doesNotMatch(left.tables, /mpscope_probe/, `${transport}: no rule left`);
      assert.doesNotMatch(left.tun, TUN_DEVICE, `${transport}: no device left`);
    }
  });

  it('a reader that goes away (| head): the run stops with exit status 141, the rule removed', async () => {
    const file = join(dir, 'head.pcapng');
    const p = await startProbe(['--transport', 'raw', '-w', file, '10.89.1.2', String(PORT)]);
    p.child.stdout.destroy();
    assert.equal(await p.exited, 141, p.out());
    assert.doesNotMatch(p.out(), /mpscope: |Error/, 'nothing said about the closed pipe');
    assert.doesNotMatch(leftovers().tables, /mpscope_probe/);
    // Stopped early: a whole run opens a subflow (a SYN of ours) per scenario at least.
    let syns = 0;
    readCaptureBytes(new Uint8Array(readFileSync(file)), (f) => {
      const tcp = decodePacket(f).tcp;
      if (tcp !== undefined && tcp.flags === 0x02) syns++;
    });
    assert.ok(syns >= 1 && syns < 8, `${syns} SYNs sent`);
  });

  it('a run killed outright leaves its rule behind, and the next run removes it', async () => {
    const p = await startProbe(['--transport', 'raw', '10.89.1.2', String(PORT)]);
    p.child.kill('SIGKILL');
    await p.exited;
    assert.match(leftovers().tables, new RegExp(`mpscope_probe_${p.child.pid}_`));
    assert.equal(probe(['--scenario', 'mp-capable', '10.89.1.2', String(PORT)]).status, 0);
    assert.doesNotMatch(leftovers().tables, /mpscope_probe/);
    assert.doesNotMatch(leftovers().tun, TUN_DEVICE, 'a TUN device goes with its process');
  });

  it('leaves no namespace behind', () => {
    destroy();
    assert.deepEqual(namespacesNamed(PREFIX), []);
  });
});
