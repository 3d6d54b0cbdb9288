/**
 * The README's library example, run as written: its `mpscope/...` imports
 * resolved through package.json's exports map (to the sources the built
 * files come from), so a renamed export, a wrong entry point or a changed
 * callback contract fails here rather than in a user's first script.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { analyzeCapture } from '../../src/analysis/report/run.js';

const ROOT = resolve(import.meta.dirname, '../..');

interface PackageJson {
  exports: Record<string, { default: string; types: string }>;
}

/** The README's TypeScript block (there is one: the library example). */
function readmeExample(): string {
  const m = /^```ts\n([\s\S]*?)^```$/m.exec(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  assert.ok(m, 'the README has a ```ts example');
  return m[1]!;
}

/** `mpscope/sub` -> the source file behind the export's built file. */
function sourceOf(pkg: PackageJson, specifier: string): string {
  const key = specifier === 'mpscope' ? '.' : `./${specifier.slice('mpscope/'.length)}`;
  const entry = pkg.exports[key];
  assert.ok(entry, `package.json exports ${key}`);
  assert.match(entry.default, /^\.\/dist\/.*\.js$/);
  return pathToFileURL(join(ROOT, entry.default.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'))).href;
}

describe('README: the library API example', () => {
  it('runs as written on the bundled capture: a list line per packet, the tokens of both keys, the format and frame count', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
    const imports: string[] = [];
    const code = readmeExample().replace(/from '(mpscope(?:\/[a-z]+)?)'/g, (_m, spec: string) => {
      imports.push(spec);
      return `from '${sourceOf(pkg, spec)}'`;
    });
    assert.ok(imports.length >= 4, `the example imports from the entry points (${imports.join(', ')})`);
    const dir = mkdtempSync(join(tmpdir(), 'mpscope-readme-'));
    try {
      const file = join(dir, 'example.mjs');
      writeFileSync(file, code);
      const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.trimEnd().split('\n');
      const listed = lines.filter((l) => /^ +\d+ +\d+\.\d{6} /.test(l));
      assert.equal(listed.length, 487);
      assert.equal(lines.at(-1), 'pcapng 487');
      const tokens = lines.flatMap((l) => /^\d+ token ([0-9a-f]+)$/.exec(l)?.[1] ?? []);
      const analysis = await analyzeCapture(join(ROOT, 'examples/mptcp-lab.pcapng'));
      const expected = analysis.connections[0]!.tokens.map((t) => t!.toString(16));
      assert.deepEqual(new Set(tokens), new Set(expected), 'the tokens the example computes are those of the connection');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
