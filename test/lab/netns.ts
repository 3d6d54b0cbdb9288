/**
 * Network namespaces for tests that talk to the real kernel: create them,
 * wire them with veth pairs, run commands inside, read their counters, and
 * always remove them (with whatever still runs inside). Names carry the
 * test process's pid so parallel test files never collide, and every address
 * lives only inside the namespaces.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams, SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hasCommand } from '../helpers/shared.js';

/** Why namespace tests cannot run here, or false when they can (root, Linux, ip, MPTCP on). */
export function netnsSkipReason(needs: readonly string[] = []): string | false {
  if (process.platform !== 'linux') return 'needs Linux network namespaces';
  if (process.getuid?.() !== 0) return 'needs root (network namespaces): run the tests as root';
  for (const cmd of ['ip', ...needs]) if (!hasCommand(cmd)) return `${cmd} is not installed`;
  let enabled: string;
  try {
    enabled = readFileSync('/proc/sys/net/mptcp/enabled', 'utf8').trim();
  } catch {
    return 'this kernel has no MPTCP (/proc/sys/net/mptcp/enabled is missing)';
  }
  return enabled === '1' ? false : 'MPTCP is disabled: sysctl -w net.mptcp.enabled=1';
}

export class Netns {
  private constructor(readonly name: string) {}

  /** A fresh namespace with loopback up and IPv6 duplicate address detection off. */
  static create(name: string): Netns {
    execFileSync('ip', ['netns', 'add', name]);
    const ns = new Netns(name);
    try {
      ns.ip(['link', 'set', 'lo', 'up']);
      ns.sysctl({ 'net.ipv6.conf.all.accept_dad': '0', 'net.ipv6.conf.default.accept_dad': '0' });
    } catch (e) {
      ns.destroy();
      throw e;
    }
    return ns;
  }

  /** `ip -n NAME ARGS`; throws with ip's message on failure. */
  ip(args: readonly string[]): string {
    return execFileSync('ip', ['-n', this.name, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  sysctl(values: Record<string, string>): void {
    this.run('sysctl', ['-q', '-w', ...Object.entries(values).map(([k, v]) => `${k}=${v}`)], { check: true });
  }

  /** Runs a command inside, to completion. */
  run(cmd: string, args: readonly string[], opts: { input?: Uint8Array | string; timeout?: number; check?: boolean; env?: NodeJS.ProcessEnv } = {}) {
    const r = spawnSync('ip', ['netns', 'exec', this.name, cmd, ...args], {
      input: opts.input,
      timeout: opts.timeout ?? 20_000,
      env: opts.env ?? process.env,
      maxBuffer: 1 << 26,
    });
    if (opts.check && r.status !== 0) {
      throw new Error(`${cmd} ${args.join(' ')} in ${this.name}: status ${r.status}: ${r.stderr?.toString() ?? ''}`);
    }
    return r;
  }

  /** Starts a command inside and returns at once; the child is ip's exec, so its pid is the command's. */
  spawn(cmd: string, args: readonly string[], opts: SpawnOptions = {}): ChildProcessWithoutNullStreams {
    return spawn('ip', ['netns', 'exec', this.name, cmd, ...args], { ...opts, stdio: 'pipe' }) as ChildProcessWithoutNullStreams;
  }

  /** The kernel's absolute counters inside (nstat -az), e.g. MPTcpExtMPJoinAckRx. */
  counters(): Map<string, number> {
    const out = this.run('nstat', ['-a', '-z', '-s', '--json'], { check: true }).stdout.toString();
    const parsed = JSON.parse(out) as { kernel?: Record<string, number> };
    return new Map(Object.entries(parsed.kernel ?? {}));
  }

  /** Kills what still runs inside, then removes the namespace; never throws. */
  destroy(): void {
    const pids = spawnSync('ip', ['netns', 'pids', this.name], { encoding: 'utf8' }).stdout ?? '';
    for (const pid of pids.split('\n').filter((p) => /^\d+$/.test(p))) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    spawnSync('ip', ['netns', 'del', this.name]);
  }
}

/** A veth pair between two namespaces, created in place (each end gets its namespace's defaults). */
export function veth(a: Netns, ifA: string, b: Netns, ifB: string): void {
  a.ip(['link', 'add', 'name', ifA, 'type', 'veth', 'peer', 'name', ifB, 'netns', b.name]);
}

/** Adds an address (IPv6 without duplicate address detection) and sets the link up. */
export function address(ns: Netns, dev: string, cidr: string): void {
  ns.ip(cidr.includes(':') ? ['-6', 'addr', 'add', cidr, 'dev', dev, 'nodad'] : ['addr', 'add', cidr, 'dev', dev]);
  ns.ip(['link', 'set', dev, 'up']);
}

/** Namespaces whose names start with `prefix` (to check that none was left behind). */
export function namespacesNamed(prefix: string): string[] {
  const list = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return list.split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith(prefix));
}

/**
 * Two hosts joined by two links, no router:
 *
 *   cli eth0 10.0.1.1 fd00:1::1 ---- 10.0.1.2 fd00:1::2 eth0 srv
 *   cli eth1 10.0.2.1 fd00:2::1 ---- 10.0.2.2 fd00:2::2 eth1 srv
 *
 * Each host's second address has its own routing table pointing out of eth1,
 * so a subflow from 10.0.2.1 to 10.0.1.2 crosses the second link (the server
 * accepts it there: a host's addresses belong to the host, not to a link).
 */
export class TwoHosts {
  readonly cli: Netns;
  readonly srv: Netns;

  constructor(prefix: string) {
    const made: Netns[] = [];
    try {
      this.cli = Netns.create(`${prefix}cli`);
      made.push(this.cli);
      this.srv = Netns.create(`${prefix}srv`);
      made.push(this.srv);
      for (const n of [1, 2]) {
        const dev = `eth${n - 1}`;
        veth(this.cli, dev, this.srv, dev);
        address(this.cli, dev, `10.0.${n}.1/24`);
        address(this.cli, dev, `fd00:${n}::1/64`);
        address(this.srv, dev, `10.0.${n}.2/24`);
        address(this.srv, dev, `fd00:${n}::2/64`);
      }
      for (const [ns, host] of [[this.cli, 1], [this.srv, 2]] as const) {
        ns.ip(['rule', 'add', 'from', `10.0.2.${host}`, 'table', '2']);
        ns.ip(['route', 'add', 'default', 'dev', 'eth1', 'table', '2']);
        ns.ip(['-6', 'rule', 'add', 'from', `fd00:2::${host}`, 'table', '2']);
        ns.ip(['-6', 'route', 'add', 'default', 'dev', 'eth1', 'table', '2']);
      }
    } catch (e) {
      for (const ns of made) ns.destroy();
      throw e;
    }
  }

  destroy(): void {
    this.cli.destroy();
    this.srv.destroy();
  }
}
