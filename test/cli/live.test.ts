/**
 * Live input: `tcpdump -U -w - | mpscope read -r -` must print packets as
 * they arrive, not when the pipe closes, and an interrupt must not lose what
 * was already read.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT } from '../helpers/shared.js';

const CLI = join(ROOT, 'bin/mpscope.js');
const EXAMPLE = join(ROOT, 'examples/mptcp-lab.pcapng');

before(() => {
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) {
    const b = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
    assert.equal(b.status, 0, 'build failed');
  }
});

/** Waits until `ready()` holds, checking as output arrives; fails after a minute (a hang, not a slow machine). */
async function until(ready: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!ready()) {
    if (Date.now() > deadline) assert.fail(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const format of [[], ['-T', 'tcpdump'], ['-T', 'fields', '-e', 'frame.number']]) {
  test(`read -r - ${format.join(' ')}: packets print while the input stays open, SIGINT keeps them`, async () => {
    const bytes = readFileSync(EXAMPLE);
    const full = spawnSync(process.execPath, [CLI, 'read', '-r', EXAMPLE, ...format]).stdout.toString().split('\n');
    const child = spawn(process.execPath, [CLI, 'read', '-r', '-', ...format], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => { out += s; });
    // The section header, the interface and the first packets; the pipe stays open.
    child.stdin.write(bytes.subarray(0, 4000));
    await until(() => out.split('\n').length > 3, 'the first packets');
    const early = out.split('\n').filter((l) => l !== '');
    assert.ok(early.length >= 3 && early.length < full.length - 1, `${early.length} lines before the input ended`);
    assert.deepEqual(early, full.slice(0, early.length));
    const exit = once(child, 'exit');
    child.kill('SIGINT');
    const [code] = await exit;
    assert.equal(code, 130);
    assert.deepEqual(out.split('\n').filter((l) => l !== ''), early);
    child.stdin.destroy();
  });
}
