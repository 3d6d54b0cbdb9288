/**
 * Running `mpscope nc` as users do (the built bin, in a child process, in a
 * network namespace), feeding its standard input and watching its output.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/shared.js';
import type { Netns } from '../lab/netns.js';

export const CLI = join(ROOT, 'bin/mpscope.js');

/**
 * Builds dist/ when it is missing or older than the nc sources, as the bin
 * runs the compiled code. Test files run in parallel: a lock directory keeps
 * two of them from writing dist/ at once.
 */
export function buildCli(): void {
  const out = join(ROOT, 'dist/cli/nc.js');
  const sources = readdirSync(join(ROOT, 'src/sys')).map((f) => join(ROOT, 'src/sys', f)).concat(join(ROOT, 'src/cli/nc.ts'));
  const stale = (): boolean => !existsSync(out) || sources.some((s) => statSync(s).mtimeMs > statSync(out).mtimeMs);
  const lock = join(tmpdir(), `mpscope-build-lock${ROOT.replace(/\//g, '_')}`);
  for (const deadline = Date.now() + 120_000; stale() && Date.now() < deadline; ) {
    try {
      mkdirSync(lock);
    } catch {
      // Another test file is building; a lock older than any build was left by a crash.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 300_000) rmdirSync(lock);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
      continue;
    }
    try {
      spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
    } finally {
      rmdirSync(lock);
    }
    break;
  }
  assert.ok(!stale(), 'dist/cli/nc.js is missing or stale (npm run build)');
}

/** Why the nc tests cannot run the command, or false (the command table must list nc). */
export function ncSkipReason(): string | false {
  const main = join(ROOT, 'dist/cli/main.js');
  if (existsSync(main) && !readFileSync(main, 'utf8').includes('runNc')) return "'nc' is not registered in src/cli/main.ts yet";
  return false;
}

export interface Nc {
  child: ChildProcessWithoutNullStreams;
  /** Bytes written to standard output so far. */
  stdout(): Buffer;
  stderr(): string;
  /** Resolves when stderr matches `re`; rejects after `ms` with what stderr said. */
  waitFor(re: RegExp, ms?: number): Promise<void>;
  /** Resolves with the exit status (128 + n for a signal) once the process has ended. */
  exited: Promise<number>;
}

/** Starts `mpscope nc ARGS` inside `ns`. */
export function startNc(ns: Netns, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Nc {
  const child = ns.spawn(process.execPath, [CLI, 'nc', ...args], { env });
  const out: Buffer[] = [];
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<number>((resolve) => {
    child.on('close', (code, signal) => {
      for (const w of waiters.splice(0)) w();
      resolve(code ?? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 9));
    });
  });
  let ended = false;
  void exited.then(() => (ended = true));
  const waitFor = (re: RegExp, ms = 10_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re} on nc's stderr:\n${err}`)), ms);
      const check = (): void => {
        if (re.test(err)) {
          clearTimeout(timer);
          resolve();
        } else if (ended) {
          clearTimeout(timer);
          reject(new Error(`nc ended before printing ${re}:\n${err}`));
        } else {
          waiters.push(check);
        }
      };
      check();
    });
  return { child, stdout: () => Buffer.concat(out), stderr: () => err, waitFor, exited };
}

/** Pseudo-random bytes, the same for the same seed (failures can be replayed). */
export function bytes(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/** How much a counter grew between two nstat readings. */
export function grew(before: Map<string, number>, after: Map<string, number>, name: string): number {
  return (after.get(name) ?? 0) - (before.get(name) ?? 0);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
