import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readCapture, readCaptureStream } from '../../src/capture/index.js';
import { CaptureError } from '../../src/util/errors.js';
import { ROOT } from '../helpers/shared.js';
import { PcapngBuilder, pcapFile, payload } from './build.js';
import { rng } from '../helpers/rng.js';
import { keep, readAll } from './collect.js';
import type { KeptFrame } from './collect.js';

// Enough frames that gunzip output and file reads come in several chunks.
const big = pcapFile(
  { le: true, nano: false, linkType: 1 },
  Array.from({ length: 4000 }, (_, i) => ({ sec: i, frac: i, data: payload(i, 40 + ((i * 131) % 1400)) })),
);
const ng = new PcapngBuilder().section(false).idb(113, { name: 'any', tsresol: 9 }).epb(0, 5n, payload(1, 70), { flags: 2 }).bytes();

/** Yields `bytes` in pseudo-random chunk sizes; records whether the consumer closed it. */
function source(bytes: Uint8Array, seed = 1): { chunks: AsyncGenerator<Uint8Array>; state: { closed: boolean; served: number } } {
  const state = { closed: false, served: 0 };
  const rand = rng(seed);
  async function* gen(): AsyncGenerator<Uint8Array> {
    try {
      for (let off = 0; off < bytes.length; ) {
        const n = 1 + Math.floor(rand() * 70000);
        yield bytes.subarray(off, off + n);
        state.served++;
        off += n;
      }
    } finally {
      state.closed = true;
    }
  }
  return { chunks: gen(), state };
}

async function collect(input: AsyncIterable<Uint8Array>): Promise<{ frames: KeptFrame[]; error?: unknown }> {
  const frames: KeptFrame[] = [];
  try {
    await readCaptureStream(input, (f) => void frames.push(keep(f)));
    return { frames };
  } catch (error) {
    return { frames, error };
  }
}

describe('readCaptureStream', () => {
  const expected = readAll(big).frames;

  it('plain and gzip streams in odd chunk sizes give the frames of the whole buffer', async () => {
    for (const bytes of [big, gzipSync(big)]) {
      for (const seed of [1, 2, 3]) {
        const { frames, error } = await collect(source(bytes, seed).chunks);
        assert.equal(error, undefined);
        assert.deepEqual(frames, expected);
      }
    }
  });

  it('the gzip magic split over two one-byte chunks is still recognised', async () => {
    const gz = gzipSync(ng);
    async function* bytewise(): AsyncGenerator<Uint8Array> {
      yield gz.subarray(0, 1);
      yield gz.subarray(1, 2);
      yield gz.subarray(2);
    }
    const frames: KeptFrame[] = [];
    const info = await readCaptureStream(bytewise(), (f) => void frames.push(keep(f)));
    assert.equal(info.gzip, true);
    assert.deepEqual(frames, readAll(ng).frames);
  });

  it('stopping early closes the source and does not read it to the end', async () => {
    for (const bytes of [big, gzipSync(big)]) {
      const { chunks, state } = source(bytes);
      const info = await readCaptureStream(chunks, (f) => (f.number === 10 ? false : undefined));
      assert.equal(info.frames, 10);
      assert.equal(info.stopped, true);
      assert.equal(state.closed, true);
      assert.ok(state.served < 5, `served ${state.served} chunks`);
    }
  });

  it('truncated gzip stream: complete frames, then TRUNCATED', async () => {
    const gz = gzipSync(big);
    const { frames, error } = await collect(source(gz.subarray(0, Math.floor(gz.length * 0.7))).chunks);
    assert.ok(frames.length > 100 && frames.length < expected.length);
    assert.deepEqual(frames, expected.slice(0, frames.length));
    assert.ok(error instanceof CaptureError);
    assert.equal(error.code, 'TRUNCATED');
    assert.match(error.message, /decompressed data/);
  });

  it('a failing source becomes CaptureError IO', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield big.subarray(0, 1000);
      throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    }
    const { frames, error } = await collect(failing());
    assert.ok(frames.length > 0);
    assert.ok(error instanceof CaptureError);
    assert.equal(error.code, 'IO');
  });
});

describe('readCapture (files and stdin)', () => {
  it('files: plain and .gz; missing file and directory -> CaptureError IO', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpscope-read-'));
    try {
      writeFileSync(join(dir, 'a.pcap'), big);
      writeFileSync(join(dir, 'a.pcap.gz'), gzipSync(big));
      for (const name of ['a.pcap', 'a.pcap.gz']) {
        const frames: KeptFrame[] = [];
        const info = await readCapture(join(dir, name), (f) => void frames.push(keep(f)));
        assert.equal(info.gzip, name.endsWith('.gz'));
        assert.equal(info.bytes, big.length);
        assert.deepEqual(frames, readAll(big).frames);
      }
      await assert.rejects(readCapture(join(dir, 'missing.pcap'), () => {}), (e) => {
        assert.ok(e instanceof CaptureError);
        assert.equal(e.code, 'IO');
        assert.match(e.message, /^cannot read .*missing\.pcap: no such file or directory$/);
        return true;
      });
      await assert.rejects(readCapture(dir, () => {}), (e) => e instanceof CaptureError && e.code === 'IO' && /is a directory/.test(e.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reuseBuffer: a plain file read through one buffer gives the same frames; gzip, damage and stopping as without it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpscope-reuse-'));
    try {
      const expected = readAll(big).frames;
      writeFileSync(join(dir, 'a.pcap'), big);
      writeFileSync(join(dir, 'a.pcap.gz'), gzipSync(big));
      writeFileSync(join(dir, 'cut.pcap'), big.subarray(0, big.length - 7));
      for (const name of ['a.pcap', 'a.pcap.gz']) {
        const frames: KeptFrame[] = [];
        const buffers = new Set<ArrayBufferLike>();
        const info = await readCapture(join(dir, name), (f) => {
          frames.push(keep(f));
          buffers.add(f.data.buffer);
        }, { reuseBuffer: true });
        assert.equal(info.gzip, name.endsWith('.gz'));
        assert.equal(info.bytes, big.length);
        assert.deepEqual(frames, expected, name);
        // The file spans several chunks: a plain one comes through one buffer (and the parser's carry for straddling records).
        if (name === 'a.pcap') assert.ok(buffers.size <= 3, `${buffers.size} buffers`);
      }
      const got: KeptFrame[] = [];
      await assert.rejects(readCapture(join(dir, 'cut.pcap'), (f) => void got.push(keep(f)), { reuseBuffer: true }), (e) => e instanceof CaptureError && e.code === 'TRUNCATED');
      assert.deepEqual(got, expected.slice(0, -1));
      let n = 0;
      const info = await readCapture(join(dir, 'a.pcap'), () => (++n === 1234 ? false : undefined), { reuseBuffer: true });
      assert.equal(info.stopped, true);
      assert.equal(n, 1234);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reuseBuffer on a named pipe: plain and gzip read as streams, and waiting for a writer keeps timers running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpscope-fifo-'));
    const fifo = join(dir, 'live');
    try {
      execFileSync('mkfifo', [fifo]);
      const expected = readAll(big).frames;
      for (const bytes of [big, gzipSync(big)]) {
        const source = join(dir, 'source');
        writeFileSync(source, bytes);
        // The writer opens the pipe at once but writes only after a while, as a live capture does:
        // the read waits for the bytes without blocking the event loop.
        const copy = `const fs = require('fs'); const fd = fs.openSync(${JSON.stringify(fifo)}, 'w');
          setTimeout(() => { fs.writeSync(fd, fs.readFileSync(${JSON.stringify(source)})); fs.closeSync(fd); }, 400)`;
        const writer = spawn(process.execPath, ['-e', copy]);
        let ticks = 0;
        const timer = setInterval(() => ticks++, 20);
        const frames: KeptFrame[] = [];
        try {
          const info = await readCapture(fifo, (f) => void frames.push(keep(f)), { reuseBuffer: true });
          assert.equal(info.gzip, bytes !== big);
        } finally {
          clearInterval(timer);
          writer.kill();
        }
        assert.deepEqual(frames, expected);
        assert.ok(ticks >= 10, `timers ran while waiting: ${ticks}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("'-' reads standard input (piped into a child process)", async () => {
    const script = `
      import { readCapture } from './src/capture/index.ts';
      let n = 0, bytes = 0;
      const info = await readCapture('-', (f) => { n++; bytes += f.data.length; });
      console.log(JSON.stringify({ n, bytes, gzip: info.gzip, format: info.format }));
    `;
    for (const input of [big, gzipSync(big)]) {
      const out = await new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`exit ${code}: ${stderr}`))));
        child.stdin.end(input);
      });
      const expected = readAll(big).frames;
      assert.deepEqual(JSON.parse(out), {
        n: expected.length,
        bytes: expected.reduce((n, f) => n + f.data.length / 2, 0),
        gzip: input !== big,
        format: 'pcap',
      });
    }
  });
});
