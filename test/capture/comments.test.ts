/**
 * pcapng packet comments (opt_comment): read, written back by -w, shown as
 * tshark shows them (-V, -z expert, frame.comment in fields, filters and
 * JSON). Commented captures come from our writer and from Wireshark's
 * editcap, and tshark reads both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePcapng, readCaptureBytes } from '../../src/capture/index.js';
import type { Frame } from '../../src/capture/index.js';
import { ROOT, hasCommand } from '../helpers/shared.js';

const SKIP_NO_TSHARK = hasCommand('tshark') && hasCommand('editcap') ? false : 'tshark and editcap not installed';
const LAB = join(ROOT, 'examples/mptcp-lab.pcapng');
const CLI = join(ROOT, 'bin/mpscope.js');

function frames(bytes: Uint8Array, reuseFrames = false): Frame[] {
  const out: Frame[] = [];
  readCaptureBytes(bytes, (f) => { out.push({ ...f, data: f.data.slice(), ...(f.comments ? { comments: [...f.comments] } : {}) }); }, { reuseFrames });
  return out;
}

/** Comments for some frames of the lab capture: several on one frame, UTF-8, an empty one, commas. */
const COMMENTS = new Map<number, string[]>([
  [1, ['first comment']],
  [3, ['two on one frame', 'the second, with a comma']],
  [7, ['ünïcødé → ✓']],
  [12, ['']],
]);

function commented(): Uint8Array {
  const all = frames(new Uint8Array(readFileSync(LAB)));
  return encodePcapng(all.map((f) => (COMMENTS.has(f.number) ? { ...f, comments: COMMENTS.get(f.number)! } : f)));
}

test('packet comments are read back as written, fresh or reused frames alike, and only where written', () => {
  const bytes = commented();
  for (const reuse of [false, true]) {
    const back = frames(bytes, reuse);
    assert.ok(back.length > 400);
    for (const f of back) assert.deepEqual(f.comments, COMMENTS.get(f.number), `frame ${f.number}, reused ${reuse}`);
  }
});

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { maxBuffer: 1 << 28, env: { ...process.env, TZ: 'UTC', LC_ALL: 'C.UTF-8' }, stdio: ['ignore', 'pipe', 'ignore'] }).toString('utf8');
}

function mpscope(args: string[]): string {
  return run(process.execPath, [CLI, ...args]);
}

/** The "Packet comments" node of each frame in a -V text (empty when the frame has none). */
function commentNodes(text: string): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let inNode = false;
  for (const line of text.split('\n')) {
    if (line === 'Packet comments') {
      inNode = true;
      current = [line];
      continue;
    }
    if (line.startsWith('Frame ')) {
      out.push(inNode ? current : []);
      inNode = false;
      continue;
    }
    if (inNode) current.push(line);
  }
  return out;
}

test('comments as tshark shows them: -V, -z expert, -T fields, -Y, JSON, and -w keeps them', { skip: SKIP_NO_TSHARK }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'mpscope-comments-'));
  try {
    const ours = join(dir, 'ours.pcapng');
    writeFileSync(ours, commented());
    // editcap's own writing of comments, on the plain lab capture.
    const theirs = join(dir, 'editcap.pcapng');
    const e = spawnSync('editcap', ['-a', '2:from editcap', '-a', '5:another, from editcap', LAB, theirs]);
    assert.equal(e.status, 0, e.stderr.toString());
    for (const file of [ours, theirs]) {
      const vOurs = commentNodes(mpscope(['read', '-V', '-r', file]));
      const vTheirs = commentNodes(run('tshark', ['-n', '-V', '-r', file]));
      assert.deepEqual(vOurs, vTheirs, `${file}: Packet comments nodes`);
      assert.ok(vOurs.filter((n) => n.length > 0).length >= 2, 'commented frames');
      const section = (s: string): string => {
        assert.ok(s.includes('Comments ('), 'a Comments section');
        return s.slice(s.indexOf('Comments ('));
      };
      assert.equal(section(mpscope(['read', '-q', '-z', 'expert', '-r', file])), section(run('tshark', ['-n', '-q', '-z', 'expert', '-r', file])), `${file}: expert Comments`);
      const fields = ['-T', 'fields', '-e', 'frame.number', '-e', 'frame.comment'];
      assert.equal(mpscope(['read', '-r', file, ...fields]), run('tshark', ['-n', '-r', file, ...fields]), `${file}: frame.comment`);
      const selected = ['-Y', 'frame.comment', '-T', 'fields', '-e', 'frame.number'];
      assert.equal(mpscope(['read', '-r', file, ...selected]), run('tshark', ['-n', '-r', file, ...selected]), `${file}: -Y frame.comment`);
      const layer = (json: string): unknown[] => (JSON.parse(json) as Array<{ _source: { layers: Record<string, unknown> } }>)
        .map((p) => p._source.layers['pkt_comment']);
      assert.deepEqual(layer(mpscope(['read', '-r', file, '-T', 'json'])), layer(run('tshark', ['-n', '-r', file, '-T', 'json', '--no-duplicate-keys'])),
        `${file}: JSON pkt_comment`);
    }
    // -w writes the comments of the frames it keeps; tshark reads them there.
    const subset = join(dir, 'subset.pcapng');
    mpscope(['read', '-r', ours, '-Y', 'frame.number <= 7', '-w', subset]);
    const fields = ['-T', 'fields', '-e', 'frame.number', '-e', 'frame.comment'];
    assert.equal(run('tshark', ['-n', '-r', subset, ...fields]), run('tshark', ['-n', '-r', ours, '-c', '7', ...fields]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
