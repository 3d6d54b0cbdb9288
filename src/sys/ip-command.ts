import { spawnSync } from 'node:child_process';
import { PRIVILEGE_HINT, SysError } from './errors.js';

/**
 * Runs iproute2's `ip`, synchronously (cleanup actions must be able to run
 * from the 'exit' event), optionally in another network namespace (`ip -n`).
 */
export class IpCommand {
  constructor(readonly netns?: string) {}

  /** Output of `ip ARGS`; throws SysError PERMISSION or COMMAND with ip's own message. */
  run(args: readonly string[]): string {
    const full = this.netns === undefined ? [...args] : ['-n', this.netns, ...args];
    const r = spawnSync('ip', full, { encoding: 'utf8', timeout: 10_000 });
    if (r.error) {
      const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new SysError('COMMAND', missing ? "the 'ip' command is not installed" : `ip ${full.join(' ')}: ${r.error.message}`,
        missing ? 'install iproute2 (Debian: apt-get install iproute2)' : undefined);
    }
    if (r.status !== 0) {
      const msg = (r.stderr || r.stdout).trim().split('\n')[0] ?? '';
      const denied = /not permitted|permission denied/i.test(msg);
      throw new SysError(denied ? 'PERMISSION' : 'COMMAND', `ip ${full.join(' ')}: ${msg || `exit status ${r.status}`}`,
        denied ? PRIVILEGE_HINT : undefined);
    }
    return r.stdout;
  }

  /** Parsed `ip -j ARGS` output. */
  json<T>(args: readonly string[]): T {
    const out = this.run(['-j', ...args]).trim();
    return (out === '' ? [] : JSON.parse(out)) as T;
  }
}
