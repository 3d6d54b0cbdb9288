/**
 * A temporary firewall rule for userspace TCP endpoints that speak from this
 * host's own address over raw sockets: the local kernel, which knows nothing
 * of their connections, answers every segment the peer sends them with a RST.
 * The rule drops those RSTs (towards one peer address and port, from a range
 * of source ports), and lets through packets carrying a mark, which the
 * endpoint sets on its own raw socket (SO_MARK) so its deliberate RSTs still
 * leave. nftables when `nft` is installed, else iptables/ip6tables.
 *
 * The rule is removed by remove(), or, if the process ends first (exit,
 * uncaught error, SIGINT/SIGTERM/SIGHUP), by the cleanup hooks.
 */
import { spawnSync } from 'node:child_process';
import { onCleanup } from './cleanup.js';
import { PRIVILEGE_HINT, SysError } from './errors.js';
import type { IpFamily } from './ip-address.js';

/** setsockopt(SOL_SOCKET, SO_MARK): the mark the rule lets through. */
export const SO_MARK = 36;

export interface RstGuardOptions {
  family: IpFamily;
  /** The peer: its address and port. */
  peer: string;
  peerPort: number;
  /** Our source ports, first and last (inclusive). */
  ports: readonly [number, number];
  /** Packets with this mark pass (the endpoint's own). */
  mark: number;
}

type Backend = 'nft' | 'iptables';

/** Tables (nft) and rule comments (iptables) start with this, then the owner's pid. */
const PREFIX = 'mpscope_probe_';

let serial = 0;

function run(cmd: string, args: readonly string[], input?: string): { ok: boolean; message: string; missing: boolean } {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', timeout: 10_000 });
  if (r.error) return { ok: false, message: r.error.message, missing: (r.error as NodeJS.ErrnoException).code === 'ENOENT' };
  return { ok: r.status === 0, message: (r.stderr || r.stdout || '').trim().split('\n')[0] ?? '', missing: false };
}

function failure(what: string, message: string): SysError {
  const denied = /not permitted|permission denied|must be root/i.test(message);
  return new SysError(denied ? 'PERMISSION' : 'COMMAND', `${what}: ${message || 'failed'}`, denied ? PRIVILEGE_HINT : undefined);
}

export class RstGuard {
  private undo: (() => void) | undefined;

  private constructor(readonly backend: Backend, readonly description: string, undo: () => void) {
    this.undo = onCleanup(undo);
  }

  /** Installs the rule; throws SysError (PERMISSION, COMMAND) when neither nft nor iptables can. */
  static install(opts: RstGuardOptions): RstGuard {
    removeStale();
    const [first, last] = opts.ports;
    const mark = `0x${opts.mark.toString(16)}`;
    const ipWord = opts.family === 4 ? 'ip' : 'ip6';
    const table = `${PREFIX}${process.pid}_${++serial}`;
    const rule = `${ipWord} daddr ${opts.peer} tcp dport ${opts.peerPort} tcp sport ${first}-${last} tcp flags & rst == rst meta mark != ${mark} drop`;
    const ruleset = `table inet ${table} {\n  chain output {\n    type filter hook output priority 0; policy accept;\n    ${rule}\n  }\n}\n`;
    const nft = run('nft', ['-f', '-'], ruleset);
    if (nft.ok) {
      return new RstGuard('nft', `nft table inet ${table}: ${rule}`, () => {
        const r = run('nft', ['delete', 'table', 'inet', table]);
        if (!r.ok) throw failure(`removing nft table ${table}`, r.message);
      });
    }
    if (!nft.missing) throw failure('adding an nftables rule that drops the kernel\'s RSTs', nft.message);
    const cmd = opts.family === 4 ? 'iptables' : 'ip6tables';
    const spec = ['OUTPUT', '-p', 'tcp', '-d', opts.peer, '--dport', String(opts.peerPort), '--sport', `${first}:${last}`,
      '--tcp-flags', 'RST', 'RST', '-m', 'mark', '!', '--mark', mark, '-m', 'comment', '--comment', table, '-j', 'DROP'];
    const ipt = run(cmd, ['-w', '-I', ...spec]);
    if (!ipt.ok) {
      throw ipt.missing
        ? new SysError('COMMAND', 'neither nft nor iptables is installed: the kernel\'s RSTs cannot be held back', 'install nftables (Debian: apt-get install nftables), or use the TUN transport')
        : failure(`adding an ${cmd} rule that drops the kernel's RSTs`, ipt.message);
    }
    return new RstGuard('iptables', `${cmd} -I ${spec.join(' ')}`, () => {
      const r = run(cmd, ['-w', '-D', ...spec]);
      if (!r.ok) throw failure(`removing the ${cmd} rule`, r.message);
    });
  }

  /** Removes the rule now; safe to call twice. */
  remove(): void {
    const undo = this.undo;
    this.undo = undefined;
    undo?.();
  }
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes the rules of runs whose process is gone: one killed outright
 * (SIGKILL leaves no chance to clean up) must not drop RSTs forever.
 */
function removeStale(): void {
  const stale = (name: string): boolean => {
    const m = new RegExp(`^${PREFIX}(\\d+)_\\d+$`).exec(name);
    return m !== null && processGone(Number(m[1]));
  };
  const tables = spawnSync('nft', ['list', 'tables', 'inet'], { encoding: 'utf8' });
  if (tables.status === 0) {
    for (const name of tables.stdout.split('\n').map((l) => l.trim().split(' ')[2] ?? '')) if (stale(name)) run('nft', ['delete', 'table', 'inet', name]);
  }
  for (const cmd of ['iptables', 'ip6tables']) {
    const r = spawnSync(cmd, ['-w', '-S', 'OUTPUT'], { encoding: 'utf8' });
    if (r.status !== 0) continue;
    for (const line of r.stdout.split('\n')) {
      const comment = /--comment "?([\w]+)"?/.exec(line)?.[1];
      if (comment && stale(comment) && line.startsWith('-A ')) run(cmd, ['-w', '-D', ...line.slice(3).split(' ').map((w) => w.replace(/^"|"$/g, ''))]);
    }
  }
}
