/**
 * The kernel's SNMP counters (what `nstat` prints: TcpExt, MPTcpExt...), of
 * this network namespace or of a named one (`ip netns exec NAME nstat`).
 * Read with `nstat -s` so the user's own nstat history is left alone.
 */
import { spawnSync } from 'node:child_process';
import { PRIVILEGE_HINT, SysError } from './errors.js';

/** Absolute counter values by name, e.g. MPTcpExtMPJoinSynRx. */
export function kernelCounters(netns?: string): Map<string, number> {
  const args = ['-a', '-z', '-s', '--json'];
  const r = netns === undefined
    ? spawnSync('nstat', args, { encoding: 'utf8', timeout: 10_000 })
    : spawnSync('ip', ['netns', 'exec', netns, 'nstat', ...args], { encoding: 'utf8', timeout: 10_000 });
  const where = netns === undefined ? '' : ` in network namespace ${netns}`;
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new SysError('COMMAND', missing ? 'the nstat command is not installed' : `nstat${where}: ${r.error.message}`,
      missing ? 'install iproute2 (Debian: apt-get install iproute2)' : undefined);
  }
  if (r.status !== 0) {
    const msg = (r.stderr || r.stdout).trim().split('\n')[0] ?? '';
    const denied = /not permitted|permission denied/i.test(msg);
    throw new SysError(denied ? 'PERMISSION' : 'COMMAND', `nstat${where}: ${msg || `exit status ${r.status}`}`, denied ? PRIVILEGE_HINT : undefined);
  }
  let parsed: { kernel?: Record<string, number> };
  try {
    parsed = JSON.parse(r.stdout) as { kernel?: Record<string, number> };
  } catch {
    throw new SysError('COMMAND', `nstat${where} printed something that is not JSON`);
  }
  return new Map(Object.entries(parsed.kernel ?? {}));
}
