// Builds the native addon at install time (npm's "install" script).
// Only `mpscope nc`, `probe` and `trace` need it, so a failed build must not
// fail the installation: it prints one line saying what is missing and exits 0.
// The full compiler output is kept in build/native-build.log.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const say = (msg) => process.stderr.write(`mpscope: ${msg}\n`);

if (process.env.MPSCOPE_SKIP_NATIVE) {
  say('native addon not built (MPSCOPE_SKIP_NATIVE is set)');
  process.exit(0);
}
if (process.platform !== 'linux') {
  say(`native addon not built: MPTCP sockets, raw sockets and TUN need Linux (this is ${process.platform})`);
  process.exit(0);
}

/** node-gyp: npm hands its bundled copy to scripts; otherwise look beside npm or in node_modules. */
function findNodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  if (process.env.npm_execpath) candidates.push(join(dirname(process.env.npm_execpath), '../node_modules/node-gyp/bin/node-gyp.js'));
  candidates.push(join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'));
  try {
    candidates.push(createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed locally
  }
  return candidates.find((c) => c && existsSync(c));
}

/** Node's own headers next to the running node, so node-gyp needs no download (CI machines have no internet). */
function localNodeDir() {
  if (process.env.npm_config_nodedir) return undefined;
  const prefix = resolve(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include/node/node_api.h')) ? prefix : undefined;
}

const gyp = findNodeGyp();
if (!gyp) {
  say('native addon not built: node-gyp not found (it comes with npm); nc, probe and trace will be unavailable');
  process.exit(0);
}
const args = [gyp, 'rebuild'];
const nodedir = localNodeDir();
if (nodedir) args.push(`--nodedir=${nodedir}`);
const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
const log = `$ node ${args.join(' ')}\n${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}\n`;
mkdirSync(join(root, 'build'), { recursive: true });
writeFileSync(join(root, 'build/native-build.log'), log);

if (r.status === 0 && existsSync(join(root, 'build/Release/mpscope.node'))) process.exit(0);
const missing = ['python3', 'make', 'g++'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
const why = missing.length > 0 ? `${missing.join(', ')} not found` : `the build failed (see ${join(root, 'build/native-build.log')})`;
say(`native addon not built: ${why}; nc, probe and trace will be unavailable until 'npm rebuild mpscope' succeeds (needs python3, make, g++)`);
process.exit(0);
