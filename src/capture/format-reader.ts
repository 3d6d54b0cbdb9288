import { CaptureError } from '../util/errors.js';
import type { CaptureFormat, CaptureInterface, Frame } from './types.js';

/** Called once per frame; returning `false` stops reading. `frame.data` may be a view into a reused chunk. */
export type FrameCallback = (frame: Frame) => void | false;

/** Called when an interface (pcap: the file header; pcapng: an IDB) is first seen, before its frames. */
export type InterfaceCallback = (iface: CaptureInterface, index: number, format: CaptureFormat) => void;

export interface ReaderContext {
  readonly onFrame: FrameCallback;
  readonly onInterface: InterfaceCallback | undefined;
  /** The bytes come out of gunzip: error offsets refer to the decompressed data. */
  readonly gzip: boolean;
  /** One Frame object is refilled for every frame (see CaptureParserOptions.reuseFrames). */
  readonly reuseFrames: boolean;
  /** That Frame makes its data view only when read (see CaptureParserOptions.lazyData). */
  readonly lazyData: boolean;
}

/**
 * One file format's record loop. The parser hands it byte ranges; it consumes
 * whole records, delivers frames, and stops at the first incomplete record,
 * saying in `need` how many bytes that record has in total so the parser can
 * carry exactly those over to the next chunk.
 */
export abstract class FormatReader {
  abstract readonly format: CaptureFormat;
  /** Total length of the record the last `parse` stopped at (from its first byte). */
  need = 0;
  /** What that record is, for the truncation message ("packet record", "block"...). */
  needWhat = 'record';
  frames = 0;
  stopped = false;
  readonly interfaces: CaptureInterface[] = [];

  /** The one Frame handed out when frames are reused with their data views made up front. */
  private readonly reused: Frame | undefined;
  /** The one Frame handed out when frames are reused with lazy data views. */
  protected readonly lazy: LazyFrame | undefined;

  constructor(protected readonly ctx: ReaderContext) {
    this.lazy = ctx.reuseFrames && ctx.lazyData ? new LazyFrame() : undefined;
    this.reused = ctx.reuseFrames && this.lazy === undefined
      ? { number: 0, linkType: 0, tsSec: 0, tsNsec: 0, tsDigits: 0, origLen: 0, data: new Uint8Array(0), ifIndex: 0, ifName: undefined, direction: undefined, comments: undefined }
      : undefined;
  }

  /** Hands the next frame to the callback; false when it asks to stop (then `stopped` is set). */
  protected deliver(
    linkType: number, tsSec: number, tsNsec: number, tsDigits: number, origLen: number, data: Uint8Array,
    ifIndex: number, ifName: string | undefined, direction: number | undefined, comments: string[] | undefined,
  ): boolean {
    const number = ++this.frames;
    let frame = this.reused;
    if (frame === undefined) frame = { number, linkType, tsSec, tsNsec, tsDigits, origLen, data, ifIndex, ifName, direction, comments };
    else {
      frame.data = data;
      stamp(frame, number, linkType, tsSec, tsNsec, tsDigits, origLen, ifIndex, ifName, direction, comments);
    }
    return this.hand(frame);
  }

  /**
   * `deliver` of the frame at `bytes[start, start + capLen)` through the
   * lazy Frame, which must exist. A method of its own: the eager path keeps
   * the code it had, which its callers inline.
   */
  protected deliverLazy(
    frame: LazyFrame, linkType: number, tsSec: number, tsNsec: number, tsDigits: number, origLen: number,
    bytes: Uint8Array, start: number, capLen: number, ifIndex: number, ifName: string | undefined, direction: number | undefined,
    comments: string[] | undefined,
  ): boolean {
    frame.refill(bytes, start, capLen);
    stamp(frame, ++this.frames, linkType, tsSec, tsNsec, tsDigits, origLen, ifIndex, ifName, direction, comments);
    return this.hand(frame);
  }

  /** `deliver` or `deliverLazy`, as the options say, of the frame at `bytes[start, start + capLen)`. */
  protected deliverAt(
    linkType: number, tsSec: number, tsNsec: number, tsDigits: number, origLen: number, bytes: Uint8Array, start: number, capLen: number,
    ifIndex: number, ifName: string | undefined, direction: number | undefined, comments: string[] | undefined,
  ): boolean {
    const lazy = this.lazy;
    if (lazy !== undefined) return this.deliverLazy(lazy, linkType, tsSec, tsNsec, tsDigits, origLen, bytes, start, capLen, ifIndex, ifName, direction, comments);
    return this.deliver(linkType, tsSec, tsNsec, tsDigits, origLen, bytes.subarray(start, start + capLen), ifIndex, ifName, direction, comments);
  }

  private hand(frame: Frame): boolean {
    if (this.ctx.onFrame(frame) !== false) return true;
    this.stopped = true;
    return false;
  }

  /**
   * Consumes whole records of `buf[start, end)`, whose first byte is at
   * `streamOffset` in the (decompressed) capture stream. Returns where it
   * stopped: at `end`, at an incomplete record, or after the frame whose
   * callback returned `false`.
   */
  abstract parse(buf: Uint8Array, start: number, end: number, streamOffset: number): number;

  protected addInterface(iface: CaptureInterface): number {
    const index = this.interfaces.push(iface) - 1;
    this.ctx.onInterface?.(iface, index, this.format);
    return index;
  }

  protected corrupt(offset: number, what: string): CaptureError {
    return new CaptureError(
      'CORRUPT_BLOCK',
      `corrupt ${this.format} file: ${what} (${this.format === 'pcap' ? 'record' : 'block'} at offset ${offset}${gzipNote(this.ctx.gzip)})`,
      offset,
      'every frame before this point was read; the file is damaged from here on',
    );
  }
}

/** Refills what a reused frame says besides its bytes. */
function stamp(
  frame: Frame, number: number, linkType: number, tsSec: number, tsNsec: number, tsDigits: number, origLen: number,
  ifIndex: number, ifName: string | undefined, direction: number | undefined, comments: string[] | undefined,
): void {
  frame.number = number;
  frame.linkType = linkType;
  frame.tsSec = tsSec;
  frame.tsNsec = tsNsec;
  frame.tsDigits = tsDigits;
  frame.origLen = origLen;
  frame.ifIndex = ifIndex;
  frame.ifName = ifName;
  frame.direction = direction;
  frame.comments = comments;
}

/**
 * The Frame of reuseFrames with lazyData. Its `data` view is made when first read: a
 * decoder that reads `bytes` in place never makes one, which on a packet
 * list is a view and its garbage per frame saved. Where the bytes lie is
 * behind getters, so that a spread copy (`{ ...frame, data: other }`)
 * carries no `bytes` disagreeing with its data.
 */
export class LazyFrame implements Frame {
  number = 0;
  linkType = 0;
  tsSec = 0;
  tsNsec = 0;
  tsDigits = 0;
  origLen = 0;
  ifIndex = 0;
  ifName: string | undefined = undefined;
  direction: number | undefined = undefined;
  comments: string[] | undefined = undefined;
  #bytes: Uint8Array = EMPTY;
  #start = 0;
  #capLen = 0;
  #view: Uint8Array | undefined = undefined;

  refill(bytes: Uint8Array, start: number, capLen: number): void {
    this.#bytes = bytes;
    this.#start = start;
    this.#capLen = capLen;
    this.#view = undefined;
  }

  get bytes(): Uint8Array {
    return this.#bytes;
  }

  get start(): number {
    return this.#start;
  }

  get capLen(): number {
    return this.#capLen;
  }

  get data(): Uint8Array {
    return this.#view ??= new Uint8Array(this.#bytes.buffer, this.#bytes.byteOffset + this.#start, this.#capLen);
  }

  set data(data: Uint8Array) {
    this.refill(data, 0, data.length);
    this.#view = data;
  }
}

const EMPTY = new Uint8Array(0);

export function gzipNote(gzip: boolean): string {
  return gzip ? ' of the decompressed data' : '';
}

export function dataView(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Records larger than this are damage, not packets (both formats). */
export const MAX_RECORD = 256 * 1024 * 1024;
