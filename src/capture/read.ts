/**
 * Node entry points that feed CaptureParser: whole buffers, files, stdin and
 * any byte stream, gunzipping transparently when the input starts with the
 * gzip magic (1f 8b).
 */
import { readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { CaptureError } from '../util/errors.js';
import { joinChunks } from './chunk-writer.js';
import { ioError } from './io-error.js';
import { CaptureParser } from './parser.js';
import type { CaptureInfo, CaptureParserOptions, FrameCallback } from './parser.js';

export interface ReadOptions extends Omit<CaptureParserOptions, 'gzip'> {
  /**
   * The caller keeps no frame's bytes past its callback (no view into
   * `frame.data`, none into a packet decoded from it): then a plain capture
   * file is read in chunks into one buffer refilled each time, rather than a
   * new buffer per chunk, with no fresh memory to map and no reads handed to
   * other threads. Gzip input and standard input are read as without it.
   */
  reuseBuffer?: boolean | undefined;
}

/** Read size for files: big enough that per-chunk costs vanish, small enough to keep memory flat. */
export const READ_CHUNK = 1 << 20;

const require = createRequire(import.meta.url);
let zlibModule: typeof import('node:zlib') | undefined;

/** node:zlib, loaded when the first gzip input is seen: most captures are plain, and loading it was a few ms of every run. */
function zlib(): typeof import('node:zlib') {
  return zlibModule ??= require('node:zlib') as typeof import('node:zlib');
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Reads a whole capture held in memory (pcap, pcapng, or either gzipped).
 * Frames are views into `bytes` (or into the decompressed copy). Throws
 * CaptureError after delivering every good frame.
 */
export function readCaptureBytes(bytes: Uint8Array, onFrame: FrameCallback, options: ReadOptions = {}): CaptureInfo {
  if (!isGzip(bytes)) {
    const parser = new CaptureParser(onFrame, options);
    parser.push(bytes);
    return parser.end();
  }
  const parser = new CaptureParser(onFrame, { ...options, gzip: true });
  const { data, error } = gunzipAll(bytes);
  parser.push(data);
  if (error !== undefined && !parser.stopped) throw gzipError(error, parser, data.length);
  return parser.end();
}

/** Decompresses all it can; on damage, also returns the zlib error (the data then is the longest good prefix). */
function gunzipAll(bytes: Uint8Array): { data: Uint8Array; error?: unknown } {
  try {
    return { data: zlib().gunzipSync(bytes) };
  } catch (error) {
    return { data: gunzipPrefix(bytes), error };
  }
}

/**
 * The output of the longest input prefix that decompresses without error.
 * Flushing instead of finishing makes a cut stream legal, which settles the
 * common case (a truncated file) in one pass. For damage inside the data, a
 * prefix fails exactly when it reaches the damage, so a binary search finds it.
 */
function gunzipPrefix(bytes: Uint8Array): Uint8Array {
  const tryPrefix = (n: number): Uint8Array | undefined => {
    try {
      return zlib().gunzipSync(bytes.subarray(0, n), { finishFlush: zlib().constants.Z_SYNC_FLUSH });
    } catch {
      return undefined;
    }
  };
  const whole = tryPrefix(bytes.length);
  if (whole !== undefined) return whole;
  let best: Uint8Array = new Uint8Array(0);
  let lo = 0;
  let hi = bytes.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const out = tryPrefix(mid);
    if (out === undefined) hi = mid - 1;
    else {
      best = out;
      lo = mid;
    }
  }
  return best;
}

/** A zlib failure as a CaptureError, unless the parser has a more precise truncation to report. */
function gzipError(error: unknown, parser: CaptureParser, decompressed: number): unknown {
  const code = (error as { code?: unknown }).code;
  if (code !== 'Z_BUF_ERROR' && code !== 'Z_DATA_ERROR') return error;
  try {
    parser.end();
  } catch (e) {
    // When nothing came out of gunzip, the parser can only say "empty": the damaged gzip data is the news.
    if (decompressed > 0 && (code === 'Z_BUF_ERROR' || !(e instanceof CaptureError && e.code === 'TRUNCATED'))) return e;
  }
  const reason = (error as Error).message;
  return code === 'Z_BUF_ERROR'
    ? new CaptureError(
        'TRUNCATED',
        `truncated gzip data: ${reason} after ${decompressed} decompressed bytes`,
        decompressed,
        'every complete frame before it was read',
      )
    : new CaptureError(
        'CORRUPT_BLOCK',
        `corrupt gzip data: ${reason} after ${decompressed} decompressed bytes`,
        decompressed,
        'every complete frame before it was read',
      );
}

/**
 * Streams a capture from a file path, or from standard input when `source` is
 * '-'. Memory stays flat whatever the file size; `onFrame` returning false
 * stops reading and closes the input.
 */
export async function readCapture(source: string, onFrame: FrameCallback, options: ReadOptions = {}): Promise<CaptureInfo> {
  if (source === '-') return readCaptureStream(process.stdin, onFrame, options);
  let handle;
  try {
    handle = await open(source, 'r');
  } catch (e) {
    throw ioError('read', source, e);
  }
  // Only a regular file: a FIFO cannot be read again from its start (gzip), and a blocking read of one
  // waiting for a live capture's next packet would hold up the event loop (timers, Ctrl-C).
  const reused = options.reuseBuffer === true && (await isRegularFile(handle));
  if (reused) {
    let gzip = false;
    try {
      const info = await readPlainFile(handle, source, onFrame, options);
      if (info !== undefined) return info;
      gzip = true;
    } finally {
      if (!gzip) await handle.close();
    }
  }
  // A gzip file found by readPlainFile is read again from its start.
  const stream = handle.createReadStream({ highWaterMark: READ_CHUNK, ...(reused ? { start: 0 } : {}) });
  try {
    return await readCaptureStream(stream, onFrame, options, source);
  } finally {
    stream.destroy();
  }
}

async function isRegularFile(handle: FileHandle): Promise<boolean> {
  try {
    return (await handle.stat()).isFile();
  } catch {
    return false;
  }
}

/**
 * `readCapture` of a file through one reused buffer (ReadOptions.reuseBuffer);
 * undefined, with nothing delivered, when the file is gzip-compressed (the
 * decompressor may still be reading a chunk when the next one is read).
 * Synchronous reads of a local file, with a turn of the event loop between
 * chunks so that timers still run.
 */
async function readPlainFile(handle: FileHandle, name: string, onFrame: FrameCallback, options: ReadOptions): Promise<CaptureInfo | undefined> {
  const buf = new Uint8Array(READ_CHUNK);
  const fill = (): number => {
    try {
      return readSync(handle.fd, buf, 0, buf.length, null);
    } catch (e) {
      throw ioError('read', name, e);
    }
  };
  let n = fill();
  if (isGzip(buf.subarray(0, n))) return undefined;
  const parser = new CaptureParser(onFrame, options);
  while (n > 0 && parser.push(buf.subarray(0, n))) {
    await new Promise(setImmediate);
    n = fill();
  }
  return parser.end();
}

/**
 * Streams a capture from any source of byte chunks (a Node Readable, an async
 * generator...). `name` only labels I/O errors. The source is closed
 * (`return()`) when reading stops early or fails.
 */
export async function readCaptureStream(
  input: AsyncIterable<Uint8Array>,
  onFrame: FrameCallback,
  options: ReadOptions = {},
  name = 'standard input',
): Promise<CaptureInfo> {
  const it = input[Symbol.asyncIterator]();
  let exhausted = false;
  const next = async (): Promise<Uint8Array | undefined> => {
    if (exhausted) return undefined;
    try {
      const r = await it.next();
      if (!r.done) return r.value;
    } catch (e) {
      throw ioError('read', name, e);
    }
    exhausted = true;
    return undefined;
  };
  try {
    // Sniff the gzip magic, which may in theory arrive one byte at a time.
    const head: Uint8Array[] = [];
    let headLen = 0;
    while (headLen < 2) {
      const chunk = await next();
      if (chunk === undefined) break;
      head.push(chunk);
      headLen += chunk.length;
    }
    const first = head.length === 1 ? head[0]! : joinChunks(head);
    if (isGzip(first)) return await readGunzipped(first, next, onFrame, options);
    const parser = new CaptureParser(onFrame, options);
    for (let chunk: Uint8Array | undefined = first; chunk !== undefined && parser.push(chunk); ) chunk = await next();
    return parser.end();
  } finally {
    if (!exhausted) await it.return?.();
  }
}

async function readGunzipped(
  first: Uint8Array,
  next: () => Promise<Uint8Array | undefined>,
  onFrame: FrameCallback,
  options: ReadOptions,
): Promise<CaptureInfo> {
  async function* compressed(): AsyncGenerator<Uint8Array> {
    yield first;
    for (let chunk = await next(); chunk !== undefined; chunk = await next()) yield chunk;
  }
  const gunzip = zlib().createGunzip({ chunkSize: 256 * 1024 });
  const source = Readable.from(compressed(), { objectMode: false });
  source.on('error', (e) => gunzip.destroy(e));
  source.pipe(gunzip);
  const out = gunzip[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  const parser = new CaptureParser(onFrame, { ...options, gzip: true });
  let decompressed = 0;
  try {
    for (;;) {
      let r: IteratorResult<Uint8Array>;
      try {
        r = await out.next();
      } catch (e) {
        throw e instanceof CaptureError ? e : gzipError(e, parser, decompressed);
      }
      if (r.done) break;
      decompressed += r.value.length;
      if (!parser.push(r.value)) break;
    }
    return parser.end();
  } finally {
    source.destroy();
    gunzip.destroy();
  }
}
