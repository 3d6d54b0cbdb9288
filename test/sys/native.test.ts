/**
 * The native addon and its install-time build: the functions it exports and
 * how they fail (negative errno, TypeError on wrong arguments), the typed
 * error when it is missing, and the install script that must never fail an
 * installation. No root needed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AF_INET, IPPROTO_MPTCP, IPPROTO_TCP, SOCK_STREAM, SOL_SOCKET, SO_PROTOCOL, native, nativeAvailable } from '../../src/sys/index.js';
import { getIntOption } from '../../src/sys/socket-options.js';
import { ROOT, hasCommand } from '../helpers/shared.js';

const SKIP_NO_ADDON = nativeAvailable() ? false : 'the native addon is not built (npm run install)';

test('the addon stays small', () => {
  const lines = readFileSync(join(ROOT, 'native/mpscope.cc'), 'utf8').split('\n').length;
  assert.ok(lines < 200, `native/mpscope.cc has ${lines} lines; logic belongs in src/sys`);
});

test('exports, results and errno values', { skip: SKIP_NO_ADDON }, () => {
  const n = native();
  assert.deepEqual(Object.keys(n).sort(), ['bind', 'connect', 'getsockopt', 'mptcpFullInfo', 'openTun', 'recvfrom', 'sendto', 'setsockopt', 'socket', 'unwatch', 'watch']);
  const fd = n.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  assert.ok(fd > 2);
  assert.equal(getIntOption(fd, SOL_SOCKET, SO_PROTOCOL, 'test'), IPPROTO_TCP);
  assert.equal(n.socket(AF_INET, SOCK_STREAM, 200), -93, 'EPROTONOSUPPORT as a negative number');
  assert.equal(n.bind(fd, new Uint8Array(2)), -22, 'EINVAL for a short sockaddr');
  assert.equal(n.getsockopt(-1, SOL_SOCKET, SO_PROTOCOL, new Uint8Array(4)), -9, 'EBADF');
  assert.equal(n.watch(-1, 1, () => undefined), -9, 'EBADF from libuv too');
  assert.equal(n.openTun(new Uint8Array(3), 1), -22, 'the name buffer must be IFNAMSIZ bytes');
  closeSync(fd);
});

test('wrong argument types are TypeErrors, not crashes', { skip: SKIP_NO_ADDON }, () => {
  const n = native() as unknown as Record<string, (...a: unknown[]) => unknown>;
  assert.throws(() => n.socket!('2', 1, 6), { name: 'TypeError', message: 'socket: bad argument 0' });
  assert.throws(() => n.getsockopt!(1, 1, 1, new Uint16Array(2)), { name: 'TypeError', message: 'getsockopt: bad argument 3' });
  assert.throws(() => n.watch!(1, 1), { name: 'TypeError', message: 'watch: bad argument 2' });
  assert.throws(() => n.unwatch!({}), { name: 'TypeError', message: 'unwatch: bad argument 0' });
});

test('an MPTCP socket is an MPTCP socket', { skip: SKIP_NO_ADDON }, (t) => {
  const fd = native().socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP);
  if (fd === -92 || fd === -93) return t.skip('MPTCP is off or missing here');
  assert.equal(getIntOption(fd, SOL_SOCKET, SO_PROTOCOL, 'test'), IPPROTO_MPTCP);
  closeSync(fd);
});

test('a missing addon is a NATIVE_UNAVAILABLE error saying how to build it', () => {
  const script = `import('./src/sys/native.ts').then((m) => { try { m.native(); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message, hint: e.hint })); } })`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, env: { ...process.env, MPSCOPE_NATIVE: '/nonexistent/mpscope.node' }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    code: 'NATIVE_UNAVAILABLE',
    message: 'the native addon is not built (no /nonexistent/mpscope.node)',
    hint: "build it with 'npm rebuild mpscope' (in a source checkout: 'npm run install'); it needs python3, make and g++",
  });
});

/** A copy of the package's build inputs in a temporary directory, so a failed build cannot touch ours. */
function buildCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mpscope-native-'));
  cpSync(join(ROOT, 'binding.gyp'), join(dir, 'binding.gyp'));
  cpSync(join(ROOT, 'native'), join(dir, 'native'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(join(ROOT, 'node_modules/node-addon-api'), join(dir, 'node_modules/node-addon-api'));
  return dir;
}

const SKIP_NO_TOOLCHAIN = ['python3', 'make', 'g++'].find((c) => !hasCommand(c));

test('the install script builds the addon', { skip: SKIP_NO_TOOLCHAIN ? `${SKIP_NO_TOOLCHAIN} is not installed` : false, timeout: 120_000 }, () => {
  const dir = buildCopy();
  try {
    const r = spawnSync(process.execPath, ['native/build.mjs'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.equal(r.stderr, '');
    assert.ok(existsSync(join(dir, 'build/Release/mpscope.node')));
    assert.match(readFileSync(join(dir, 'build/native-build.log'), 'utf8'), /gyp info ok/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failed build prints one line and does not fail the installation', { skip: SKIP_NO_TOOLCHAIN ? `${SKIP_NO_TOOLCHAIN} is not installed` : false, timeout: 120_000 }, () => {
  const dir = buildCopy();
  try {
    const r = spawnSync(process.execPath, ['native/build.mjs'], { cwd: dir, encoding: 'utf8', env: { ...process.env, CXX: '/bin/false' } });
    assert.equal(r.status, 0);
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
    assert.match(r.stderr, /^mpscope: native addon not built: the build failed \(see .*native-build\.log\); nc, probe and trace will be unavailable until 'npm rebuild mpscope' succeeds \(needs python3, make, g\+\+\)\n$/);
    const skipped = spawnSync(process.execPath, ['native/build.mjs'], { cwd: dir, encoding: 'utf8', env: { ...process.env, MPSCOPE_SKIP_NATIVE: '1' } });
    assert.equal(skipped.status, 0);
    assert.equal(skipped.stderr, 'mpscope: native addon not built (MPSCOPE_SKIP_NATIVE is set)\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
