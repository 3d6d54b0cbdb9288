/**
 * `mpscope nc` arguments and the failures that need no network: usage
 * mistakes (status 1) and a missing native addon (one line, a hint, status 2).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, describe, it } from 'node:test';
import { buildCli, CLI, ncSkipReason } from './helpers.js';

function nc(args: string[], env: NodeJS.ProcessEnv = process.env): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'nc', ...args], { env, encoding: 'utf8', input: '' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('mpscope nc command line', () => {
  let skip: string | false = false;
  before(() => {
    buildCli();
    skip = ncSkipReason();
  });

  it('--help lists the options', (t) => {
    if (skip) return t.skip(skip);
    const r = nc(['--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^usage: mpscope nc \[options\] HOST PORT \| -l \[options\] \[HOST\] PORT\n/);
    for (const opt of ['-l', '-k', '-4', '-6', '-s ADDR', '-p PORT', '-v', '--via IF[,IF...]']) assert.ok(r.stdout.includes(`  ${opt} `), opt);
  });

  it('usage mistakes: one line, a hint, status 1', (t) => {
    if (skip) return t.skip(skip);
    const cases: Array<[string[], string]> = [
      [[], 'mpscope: nc needs HOST and PORT\nhint: mpscope nc HOST PORT, or mpscope nc -l PORT to listen\n'],
      [['-l'], 'mpscope: nc -l needs a PORT to listen on\nhint: mpscope nc -l [HOST] PORT\n'],
      [['host', '0'], "mpscope: invalid port: '0'\nhint: a port is a number from 1 to 65535\n"],
      [['-k', 'host', '1'], 'mpscope: -k needs -l\nhint: mpscope nc -l -k PORT\n'],
      [['-4', '-6', 'host', '1'], 'mpscope: -4 and -6 exclude each other\nhint: try: mpscope nc --help\n'],
      [['-n', 'example.com', '1'], "mpscope: -n: 'example.com' is not an IP address\nhint: try: mpscope nc --help\n"],
      [['-l', '-s', '10.0.0.1', '10.0.0.2', '5'], 'mpscope: give the listen address either as HOST or with -s, not both\nhint: try: mpscope nc --help\n'],
      [['-l', 'localhost', '5'], "mpscope: the listen address must be an IP address: 'localhost'\nhint: try: mpscope nc --help\n"],
      [['-s', 'my.host', '10.0.0.1', '5'], "mpscope: -s must be an IP address: 'my.host'\nhint: try: mpscope nc --help\n"],
    ];
    for (const [args, stderr] of cases) {
      const r = nc(args);
      assert.equal(r.stderr, stderr, args.join(' '));
      assert.equal(r.status, 1, args.join(' '));
    }
  });

  it('without the native addon: what is missing and how to build it, status 2', (t) => {
    if (skip) return t.skip(skip);
    const r = nc(['10.0.0.1', '5201'], { ...process.env, MPSCOPE_NATIVE: '/nonexistent/mpscope.node' });
    assert.equal(r.status, 2);
    assert.equal(r.stderr,
      'mpscope: the native addon is not built (no /nonexistent/mpscope.node)\n' +
      "hint: build it with 'npm rebuild mpscope' (in a source checkout: 'npm run install'); it needs python3, make and g++\n");
  });
});
