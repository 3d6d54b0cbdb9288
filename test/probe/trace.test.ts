/**
 * `mpscope trace` against the real thing: the Linux kernel's MPTCP listener
 * behind two routers, the first of which plays the middlebox with nftables
 * rules (`reset tcp option mptcp`, an MSS clamp, a drop). Four network
 * namespaces, created here and always removed:
 *
 *   cli 10.88.1.1 ── 10.88.1.2 mb 10.88.2.1 ── 10.88.2.2 r2 10.88.3.1 ── 10.88.3.2 srv
 *       fd88:1::1    fd88:1::2    fd88:2::1    fd88:2::2    fd88:3::1    fd88:3::2
 *
 * nftables rules in mb's forward hook act after the TTL check, so mb itself
 * quotes a probe as it arrived; r2 (hop 2) quotes it as mb let it through.
 * The kernel's MPTCP listener in srv answers the probes that reach it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TraceResult } from '../../src/probe/index.js';
import { nativeAvailable } from '../../src/sys/index.js';
import { hasCommand, ROOT } from '../helpers/shared.js';
import { address, namespacesNamed, Netns, netnsSkipReason, veth } from '../lab/netns.js';

const SKIP = netnsSkipReason(['nft', 'python3']) || (nativeAvailable() ? false : 'the native addon is not built (npm run install): raw sockets need it');
const PREFIX = `mpstr-${process.pid}-`;
const PORT = 5201;
const FIXTURE = join(ROOT, 'test/probe/fixtures/trace-cli.ts');

/** An MPTCP listener that never accepts: the kernel answers SYNs by itself. */
const LISTENER = `
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM, 262)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('::', ${PORT}))
s.listen(64)
print('ready', flush=True)
time.sleep(120)
`;

describe('mpscope trace through a router namespace playing the middlebox', { skip: SKIP, timeout: 60_000 }, () => {
  const made: Netns[] = [];
  let cli: Netns;
  let mb: Netns;
  let r2: Netns;
  let srv: Netns;
  let listener: ChildProcessWithoutNullStreams | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'mpscope-trace-'));

  const destroy = (): void => {
    listener?.kill('SIGKILL');
    for (const ns of made.splice(0)) ns.destroy();
    rmSync(dir, { recursive: true, force: true });
  };

  before(async () => {
    try {
      for (const name of ['cli', 'mb', 'r2', 'srv']) made.push(Netns.create(`${PREFIX}${name}`));
      [cli, mb, r2, srv] = made as [Netns, Netns, Netns, Netns];
      veth(cli, 'eth0', mb, 'eth0');
      veth(mb, 'eth1', r2, 'eth0');
      veth(r2, 'eth1', srv, 'eth0');
      const links: Array<[Netns, string, number, number]> = [[cli, 'eth0', 1, 1], [mb, 'eth0', 1, 2], [mb, 'eth1', 2, 1], [r2, 'eth0', 2, 2], [r2, 'eth1', 3, 1], [srv, 'eth0', 3, 2]];
      for (const [ns, dev, net, host] of links) {
        address(ns, dev, `10.88.${net}.${host}/24`);
        address(ns, dev, `fd88:${net}::${host}/64`);
      }
      const route = (ns: Netns, to: string, via: string): void => {
        ns.ip([...(via.includes(':') ? ['-6'] : []), 'route', 'add', to, 'via', via]);
      };
      route(cli, 'default', '10.88.1.2');
      route(cli, 'default', 'fd88:1::2');
      route(srv, 'default', '10.88.3.1');
      route(srv, 'default', 'fd88:3::1');
      route(mb, '10.88.3.0/24', '10.88.2.2');
      route(mb, 'fd88:3::/64', 'fd88:2::2');
      route(r2, '10.88.1.0/24', '10.88.2.1');
      route(r2, 'fd88:1::/64', 'fd88:2::1');
      for (const router of [mb, r2]) {
        // No ICMP rate limit: every probe that expires gets its answer.
        router.sysctl({ 'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.forwarding': '1', 'net.ipv4.icmp_ratelimit': '0', 'net.ipv6.icmp.ratelimit': '0' });
      }
      listener = srv.spawn('python3', ['-c', LISTENER]);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the MPTCP listener did not start')), 10_000);
        listener!.stdout.on('data', (d: Buffer) => {
          if (d.toString().includes('ready')) {
            clearTimeout(timer);
            resolve();
          }
        });
        listener!.on('exit', (code) => reject(new Error(`the MPTCP listener exited (${code})`)));
      });
    } catch (e) {
      destroy();
      throw e;
    }
  });
  after(destroy);

  /** nftables rules for one hook of a namespace, replacing whatever it had. */
  const rules = (ns: Netns, hook: 'forward' | 'input', list: string[]): void => {
    ns.run('nft', ['flush', 'ruleset'], { check: true });
    if (list.length === 0) return;
    const ruleset = `table inet mpscope_test {\n chain c {\n  type filter hook ${hook} priority 0; policy accept;\n${list.map((r) => `  ${r}\n`).join('')} }\n}\n`;
    ns.run('nft', ['-f', '-'], { input: ruleset, check: true });
  };
  /** The middlebox's rules for the next trace (none: plain forwarding). */
  const middlebox = (list: string[]): void => rules(mb, 'forward', list);

  const runTrace = (args: string[]): { status: number | null; stdout: string; stderr: string } => {
    const r = cli.run(process.execPath, ['--import', 'tsx', FIXTURE, ...args], { timeout: 20_000 });
    return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
  };

  const traceJson = (args: string[]): TraceResult => {
    const r = runTrace(['--json', '-w', '1', '-m', '6', ...args]);
    assert.equal(r.stderr, '');
    return JSON.parse(r.stdout) as TraceResult;
  };

  it('a clean path: both routers listed with no change, the kernel answers with MP_CAPABLE v1', () => {
    middlebox([]);
    const file = join(dir, 'clean.pcapng');
    const r = traceJson(['-W', file, '10.88.3.2', String(PORT)]);
    assert.deepEqual(r.hops.map((h) => [h.ttl, h.reply, h.address]), [[1, 'time-exceeded', '10.88.1.2'], [2, 'time-exceeded', '10.88.2.2'], [3, 'synack', '10.88.3.2']]);
    for (const h of r.hops.slice(0, 2)) {
      assert.equal(h.quote?.showsOptions, true, `hop ${h.ttl}: Linux quotes the whole probe`);
      assert.deepEqual(h.changes, [], `hop ${h.ttl}: no change`);
      assert.deepEqual(h.findings, []);
    }
    assert.equal(r.answer.kind, 'synack');
    assert.equal(r.answer.mpCapable?.version, 1);
    assert.equal(r.verdict.code, 'mptcp');
    if (hasCommand('tshark')) {
      // The capture holds the three probes, two ICMP quotes and the SYN/ACK; every MP_CAPABLE is seen by tshark.
      const t = spawnSync('tshark', ['-r', file, '-T', 'fields', '-E', 'occurrence=f', '-e', 'ip.proto', '-e', 'tcp.options.mptcp.subtype'], { encoding: 'utf8' });
      assert.equal(t.status, 0, t.stderr);
      const rows = t.stdout.trim().split('\n').map((l) => l.split('\t'));
      assert.deepEqual(rows.map((row) => row[0]), ['6', '1', '6', '1', '6', '6']);
      assert.deepEqual(rows.map((row) => row[1]), ['0', '0', '0', '0', '0', '0']);
    }
  });

  it("with 'reset tcp option mptcp', the hop after the router shows MP_CAPABLE stripped and the SYN/ACK lacks it", () => {
    middlebox(['reset tcp option mptcp']);
    const r = traceJson(['10.88.3.2', String(PORT)]);
    assert.deepEqual(r.hops[0]!.changes, [], 'the router quotes the probe as it arrived');
    assert.deepEqual(r.hops[1]!.changes.map((c) => c.text), ['MP_CAPABLE stripped']);
    assert.equal(r.answer.kind, 'synack');
    assert.equal(r.answer.mpCapable, undefined);
    assert.equal(r.verdict.code, 'mptcp-stripped');
    assert.match(r.verdict.text, /between hop 1 \(10\.88\.1\.2\) and hop 2 \(10\.88\.2\.2\)/);
  });

  it('with an MSS clamp, hop 2 shows MSS 1460 → 1200 and MPTCP still works', () => {
    middlebox(['tcp flags syn tcp option maxseg size set 1200']);
    const r = traceJson(['10.88.3.2', String(PORT)]);
    assert.deepEqual(r.hops[0]!.changes, []);
    assert.deepEqual(r.hops[1]!.changes.map((c) => c.text), ['MSS 1460 → 1200']);
    assert.equal(r.answer.mpCapable?.version, 1);
    assert.equal(r.verdict.code, 'mptcp');
  });

  it('IPv6, both rules, as text for people', () => {
    middlebox(['reset tcp option mptcp', 'tcp flags syn tcp option maxseg size set 1200']);
    const r = runTrace(['-6', '-w', '1', '-m', '6', 'fd88:3::2', String(PORT)]);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0]!, /^mpscope trace to fd88:3::2 port 5201 from fd88:1::1 port \d+: SYNs with MP_CAPABLE v1, hops 1 to 6, 1 s per probe$/);
    assert.match(lines[1]!, /^probe options: mss 1460,sackOK,TS val \d+ ecr 0,nop,wscale 7,mptcp capable v1$/);
    assert.match(lines[2]!, /^ 1 {2}fd88:1::2 {2}[\d.]+ ms {2}84-byte quote, no change$/);
    assert.match(lines[3]!, /^ 2 {2}fd88:2::2 {2}[\d.]+ ms {2}84-byte quote, 2 changes:$/);
    assert.deepEqual(lines.slice(4, 6).map((l) => l.trim()).sort(), ['MP_CAPABLE stripped', 'MSS 1460 → 1200']);
    assert.match(lines[6]!, /^ 3 {2}fd88:3::2 {2}[\d.]+ ms {2}SYN\/ACK \[S\.\] without MP_CAPABLE, options \[mss 1200,/);
    assert.match(lines[7]!, /^verdict: fd88:3::2 port 5201 answered with a SYN\/ACK without MP_CAPABLE: the option was stripped between hop 1/);
  });

  it('a target that drops the SYNs: every probe after the routers times out, exit status 1', () => {
    middlebox([]);
    rules(srv, 'input', [`tcp dport ${PORT} drop`]);
    let r: ReturnType<typeof runTrace>;
    try {
      r = runTrace(['-w', '0.3', '-m', '4', '10.88.3.2', String(PORT)]);
    } finally {
      rules(srv, 'input', []);
    }
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^ 2 {2}10\.88\.2\.2 .*no change$/m, 'the routers still answer');
    assert.match(r.stdout, /^ 3 {2}\* {2}no reply$/m);
    assert.match(r.stdout, /^verdict: no answer from 10\.88\.3\.2 port 5201 within 4 hops \(each probe waited 0\.3 s\)$/m);
  });

  it('a closed port answers with a RST; v0 probes get a SYN/ACK without MP_CAPABLE from this v1 kernel', () => {
    middlebox([]);
    const rst = traceJson(['10.88.3.2', String(PORT + 1)]);
    assert.equal(rst.answer.kind, 'rst');
    assert.equal(rst.verdict.code, 'rst');
    const v0 = traceJson(['--version', '0', '10.88.3.2', String(PORT)]);
    assert.match(v0.probe.options.at(-1)!, /^mptcp capable v0 csum \{0x[0-9a-f]{16}\}$/);
    assert.equal(v0.answer.kind, 'synack');
    assert.equal(v0.answer.mpCapable, undefined);
    assert.equal(v0.verdict.code, 'no-mptcp', 'the quotes show MP_CAPABLE intact up to the last router');
    assert.match(v0.verdict.text, /intact up to hop 2/);
  });

  it('leaves no namespace behind', () => {
    destroy();
    assert.deepEqual(namespacesNamed(PREFIX), []);
  });
});
