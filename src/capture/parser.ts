/**
 * The one capture-parsing implementation: push chunks of bytes as they come
 * (any sizes, records may straddle chunks), get frames through a callback.
 * Memory is the current chunk plus one partial record carried over, whatever
 * the file size. Synchronous and free of Node APIs; `read.ts` feeds it from
 * files, stdin and gunzip.
 */
import { CaptureError } from '../util/errors.js';
import { gzipNote } from './format-reader.js';
import type { FormatReader, FrameCallback, InterfaceCallback, ReaderContext } from './format-reader.js';
import { isPcapMagic, PcapReader } from './pcap-reader.js';
import { BlockType } from './pcapng-format.js';
import { PcapngReader } from './pcapng-reader.js';
import type { CaptureFormat, CaptureInterface } from './types.js';

export type { FrameCallback, InterfaceCallback } from './format-reader.js';

/** What a finished (or stopped) read saw. */
export interface CaptureInfo {
  format: CaptureFormat;
  /** The input was gzip-compressed. */
  gzip: boolean;
  /** Frames delivered. */
  frames: number;
  /** pcap: the one interface of the file header; pcapng: every IDB of every section, in file order (Frame.ifIndex indexes this). */
  interfaces: CaptureInterface[];
  /** Bytes of capture data consumed (after decompression). */
  bytes: number;
  /** Reading stopped because the frame callback returned `false`. */
  stopped: boolean;
}

export interface CaptureParserOptions {
  /** The bytes are gunzip output: error messages then say offsets are in the decompressed data. */
  gzip?: boolean | undefined;
  /** Told about each interface when it is first seen, before any of its frames. */
  onInterface?: InterfaceCallback | undefined;
  /**
   * One Frame object is refilled for every frame rather than a new one
   * made: a frame is then only valid during its callback (its bytes already
   * were). For callers that keep nothing of a frame.
   */
  reuseFrames?: boolean | undefined;
  /**
   * With reuseFrames: the frame's `data` view is made only when read, and
   * the frame says where its bytes lie (`bytes`, `start`, `capLen`), for a
   * decoder that reads them in place (PacketDecoder's `inPlace`). A consumer
   * that reads `data` of every frame is better off without it.
   */
  lazyData?: boolean | undefined;
}

/** Enough to recognise any format, and to show a stranger's first bytes. */
const SNIFF = 8;

export class CaptureParser {
  private readonly ctx: ReaderContext;
  private reader: FormatReader | undefined;
  /** Bytes of an incomplete record (or of the file start) waiting for the next chunk. */
  private carry = new Uint8Array(0);
  private carryLen = 0;
  /** Total bytes the record at the start of `carry` needs. */
  private need = SNIFF;
  /** Stream offset of the first byte not yet consumed (the start of `carry` when it holds anything). */
  private offset = 0;
  private failed: unknown;

  constructor(onFrame: FrameCallback, options: CaptureParserOptions = {}) {
    this.ctx = { onFrame, onInterface: options.onInterface, gzip: options.gzip ?? false, reuseFrames: options.reuseFrames ?? false, lazyData: options.lazyData ?? false };
  }

  /** True once the frame callback returned `false`: push ignores further input. */
  get stopped(): boolean {
    return this.reader?.stopped ?? false;
  }

  get format(): CaptureFormat | undefined {
    return this.reader?.format;
  }

  /**
   * Parses what it can of `chunk`. Frames may be views into `chunk` (or into
   * the carry buffer) that are only valid during the callback. Returns false
   * when no more input is wanted (stopped). Throws CaptureError on damage,
   * after delivering every frame before it, and passes on whatever the frame
   * callback throws; the parser is unusable after either.
   */
  push(chunk: Uint8Array): boolean {
    if (this.failed !== undefined) throw this.failed;
    if (this.stopped) return false;
    // Hand out plain Uint8Array views even when fed Node Buffers.
    const bytes = chunk.constructor === Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    try {
      return this.consume(bytes);
    } catch (e) {
      // Damage, or an exception from the frame callback: either way the position is lost.
      this.failed = e;
      throw e;
    }
  }

  private consume(chunk: Uint8Array): boolean {
    let off = 0;
    // First finish the record that straddles the previous chunk, copying only its own bytes.
    while (this.carryLen > 0) {
      const take = Math.min(this.need - this.carryLen, chunk.length - off);
      this.appendCarry(chunk, off, take);
      off += take;
      if (this.carryLen < this.need) return true;
      const used = this.run(this.carry, 0, this.carryLen);
      if (this.stopped) return false;
      this.carry.copyWithin(0, used, this.carryLen);
      this.carryLen -= used;
    }
    const used = this.run(chunk, off, chunk.length);
    if (this.stopped) return false;
    if (used < chunk.length) this.appendCarry(chunk, used, chunk.length - used);
    return true;
  }

  /** Parses buf[start, end) and returns the first byte not consumed. */
  private run(buf: Uint8Array, start: number, end: number): number {
    if (this.reader === undefined) {
      if (end - start < SNIFF) return start;
      this.reader = this.detect(buf, start);
    }
    const used = this.reader.parse(buf, start, end, this.offset);
    this.offset += used - start;
    this.need = this.reader.need;
    return used;
  }

  private appendCarry(src: Uint8Array, from: number, n: number): void {
    if (this.carryLen + n > this.carry.length) {
      const grown = new Uint8Array(Math.max(this.carryLen + n, this.carry.length * 2, 4096));
      grown.set(this.carry.subarray(0, this.carryLen));
      this.carry = grown;
    }
    this.carry.set(src.subarray(from, from + n), this.carryLen);
    this.carryLen += n;
  }

  private detect(buf: Uint8Array, start: number): FormatReader {
    const word = ((buf[start]! << 24) | (buf[start + 1]! << 16) | (buf[start + 2]! << 8) | buf[start + 3]!) >>> 0;
    if (word === BlockType.SHB) return new PcapngReader(this.ctx);
    if (isPcapMagic(word)) return new PcapReader(this.ctx, word);
    throw this.notACapture(buf.subarray(start, start + SNIFF));
  }

  private notACapture(head: Uint8Array): CaptureError {
    const bytes = Array.from(head, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const what = this.ctx.gzip ? 'gzip-compressed data that is not' : 'not';
    return new CaptureError(
      'NOT_A_CAPTURE',
      `${what} a pcap or pcapng file (starts with ${bytes})`,
      0,
      'mpscope reads pcap and pcapng captures, optionally gzip-compressed',
    );
  }

  /**
   * Ends the input. Returns the summary, or throws TRUNCATED if the input ended
   * inside a record (every complete frame has been delivered by then),
   * NOT_A_CAPTURE for empty or unrecognisable input.
   */
  end(): CaptureInfo {
    if (this.failed !== undefined) throw this.failed;
    const reader = this.reader;
    if (reader === undefined) throw this.failAtEnd(this.shortInput());
    if (!reader.stopped && this.carryLen > 0) {
      const missing = this.need - this.carryLen;
      throw this.failAtEnd(
        new CaptureError(
          'TRUNCATED',
          `truncated ${reader.format} file: the ${reader.needWhat} at offset ${this.offset}${gzipNote(this.ctx.gzip)} is cut short, ${missing} of its ${this.need} bytes missing`,
          this.offset,
          'every complete frame before it was read; the file was probably still being written or was copied partially',
        ),
      );
    }
    return {
      format: reader.format,
      gzip: this.ctx.gzip,
      frames: reader.frames,
      interfaces: reader.interfaces,
      bytes: this.offset,
      stopped: reader.stopped,
    };
  }

  private failAtEnd(e: CaptureError): CaptureError {
    this.failed = e;
    return e;
  }

  /** The input ended before SNIFF bytes: empty, a cut header, or something else. */
  private shortInput(): CaptureError {
    const head = this.carry.subarray(0, this.carryLen);
    if (head.length === 0) {
      return new CaptureError('NOT_A_CAPTURE', this.ctx.gzip ? 'empty file (gzip data decompresses to nothing)' : 'empty file', 0);
    }
    const looksLikeHeader = [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, BlockType.SHB].some((magic) =>
      head.every((b, i) => i >= 4 || b === ((magic >>> (24 - 8 * i)) & 0xff)),
    );
    if (!looksLikeHeader) return this.notACapture(head);
    return new CaptureError(
      'TRUNCATED',
      `truncated capture file: only ${head.length} bytes${gzipNote(this.ctx.gzip)}, the file header is cut short`,
      0,
    );
  }
}
