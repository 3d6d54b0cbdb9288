import { CaptureError } from '../util/errors.js';
import { ChunkWriter, encodeInMemory } from './chunk-writer.js';
import type { ByteSink } from './chunk-writer.js';
import { LinkType } from './linktypes.js';
import type { Frame } from './types.js';

export interface PcapWriterOptions {
  /** Link type of every frame. Omitted: taken from the first frame (Ethernet for a file without frames). */
  linkType?: number | undefined;
  /** Frames longer than this are cut (origLen keeps the real length). Default 262144, as tcpdump. */
  snapLen?: number | undefined;
  /** Nanosecond timestamps (magic a1b23c4d) instead of microseconds. */
  nano?: boolean | undefined;
  /** Write big-endian (files from big-endian hosts); default little-endian. */
  bigEndian?: boolean | undefined;
  /** Bytes of FCS at the end of each frame, recorded in the header's link-type word (multiple of 2, at most 14). */
  fcsLen?: number | undefined;
}

export const DEFAULT_SNAPLEN = 262144;

/**
 * Writes a classic pcap file to a sink. Classic pcap has one link type per
 * file: a frame of another link type is an error (write pcapng instead).
 */
export class PcapWriter {
  private readonly out: ChunkWriter;
  private readonly le: boolean;
  private readonly nano: boolean;
  private readonly snapLen: number;
  private linkType: number | undefined;
  private headerWritten = false;
  frames = 0;

  constructor(
    sink: ByteSink,
    private readonly options: PcapWriterOptions = {},
  ) {
    this.out = new ChunkWriter(sink);
    this.le = !options.bigEndian;
    this.nano = options.nano ?? false;
    this.snapLen = options.snapLen ?? DEFAULT_SNAPLEN;
    this.linkType = options.linkType;
    if (this.linkType !== undefined) this.writeHeader(this.linkType);
  }

  write(frame: Frame): void {
    if (!this.headerWritten) this.writeHeader((this.linkType = frame.linkType));
    if (frame.linkType !== this.linkType) {
      throw new CaptureError(
        'UNSUPPORTED',
        `frame ${frame.number} has link type ${frame.linkType} but this pcap file holds ${this.linkType}; write pcapng to mix link types`,
      );
    }
    if (frame.tsSec < 0 || frame.tsSec > 0xffffffff) {
      throw new CaptureError('UNSUPPORTED', `frame ${frame.number}: timestamp ${frame.tsSec} s does not fit a pcap record`);
    }
    const caplen = Math.min(frame.data.length, this.snapLen);
    const out = this.out;
    const at = out.reserve(16 + caplen);
    const dv = out.dv;
    const le = this.le;
    dv.setUint32(at, frame.tsSec, le);
    dv.setUint32(at + 4, this.nano ? frame.tsNsec : Math.floor(frame.tsNsec / 1000), le);
    dv.setUint32(at + 8, caplen, le);
    dv.setUint32(at + 12, frame.origLen, le);
    out.buf.set(caplen === frame.data.length ? frame.data : frame.data.subarray(0, caplen), at + 16);
    out.advance(16 + caplen);
    this.frames++;
  }

  /** Sends everything written so far to the sink. */
  flush(): void {
    this.out.flush();
  }

  /** Finishes the file (a header-only file when nothing was written). */
  close(): void {
    if (!this.headerWritten) this.writeHeader(this.linkType ?? LinkType.ETHERNET);
    this.out.flush();
  }

  private writeHeader(linkType: number): void {
    const fcs = this.options.fcsLen;
    const fcsBits = fcs === undefined ? 0 : (0x10000000 | ((fcs >>> 1) << 29)) >>> 0;
    const out = this.out;
    const at = out.reserve(24);
    const dv = out.dv;
    const le = this.le;
    dv.setUint32(at, this.nano ? 0xa1b23c4d : 0xa1b2c3d4, le);
    dv.setUint16(at + 4, 2, le);
    dv.setUint16(at + 6, 4, le);
    dv.setUint32(at + 8, 0, le);
    dv.setUint32(at + 12, 0, le);
    dv.setUint32(at + 16, this.snapLen, le);
    dv.setUint32(at + 20, ((linkType & 0x0fffffff) | fcsBits) >>> 0, le);
    out.advance(24);
    this.headerWritten = true;
  }
}

/** A whole pcap file in memory. */
export function encodePcap(frames: Iterable<Frame>, options: PcapWriterOptions = {}): Uint8Array {
  return encodeInMemory(frames, (sink) => new PcapWriter(sink, options));
}
