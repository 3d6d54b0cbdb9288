/**
 * `-z` statistics side by side: mpscope's built CLI and tshark 4.0 on the
 * same capture with the same arguments, standard output only.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hasCommand, ROOT } from './shared.js';

const CLI = join(ROOT, 'bin/mpscope.js');

/** Value for node:test's `skip` option: false when tshark is installed. */
export const SKIP_NO_TSHARK: string | false = hasCommand('tshark') ? false : 'tshark is not installed';

/** The bin runs the compiled dist/: built once when a test run starts from a fresh checkout. */
export function ensureBuilt(): void {
  if (existsSync(join(ROOT, 'dist/cli/main.js'))) return;
  const b = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  assert.equal(b.status, 0, 'build failed');
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `mpscope read ...args`. */
export function mpscope(args: string[], input?: Uint8Array): Run {
  ensureBuilt();
  const r = spawnSync(process.execPath, [CLI, 'read', ...args], { input, maxBuffer: 1 << 28 });
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** `tshark ...args`, with tshark's own preferences and name resolution out of the way. */
export function tshark(args: string[]): Run {
  const r = spawnSync('tshark', ['-n', ...args], { maxBuffer: 1 << 28, env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' } });
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** The report of `-q -z spec` on `capture` from both tools (mpscope's must succeed). */
export function bothStats(capture: string, spec: string, extra: string[] = []): { ours: string; theirs: string } {
  const ours = mpscope(['-q', '-r', capture, '-z', spec, ...extra]);
  assert.equal(ours.status, 0, `mpscope -z ${spec} on ${capture}: ${ours.stderr}`);
  const theirs = tshark(['-q', '-r', capture, '-z', spec, ...extra]);
  return { ours: ours.stdout, theirs: theirs.stdout };
}
