/**
 * Runs an mpscope command from the sources in a child process (commands
 * write to file descriptor 1), with the exit statuses and one-line errors of
 * `mpscope` itself: 1 for usage errors, 2 for input errors.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './shared.js';

const COMMANDS = { summary: 'runSummary', doctor: 'runDoctor', read: 'runRead' } as const;

/** Runs `mpscope <command> ...args` from the sources, with mpscope's exit statuses (1 usage, 2 input). */
export function runCommand(command: keyof typeof COMMANDS, args: string[], input?: Uint8Array): { status: number | null; stdout: string; stderr: string } {
  const module = join(ROOT, 'src/cli', `${command}.ts`);
  const fn = COMMANDS[command];
  const script = `
    import { ${fn} as run } from ${JSON.stringify(module)};
    import { isMpscopeError, UsageError } from ${JSON.stringify(join(ROOT, 'src/util/errors.ts'))};
    try { process.exitCode = await run(process.argv.slice(1)); }
    catch (e) {
      if (!isMpscopeError(e)) throw e;
      process.stderr.write('mpscope: ' + e.message + '\\n' + (e.hint ? 'hint: ' + e.hint + '\\n' : ''));
      process.exitCode = e instanceof UsageError ? 1 : 2;
    }`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, '--', ...args], { input, maxBuffer: 1 << 26, cwd: ROOT });
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}
