import { CaptureError } from '../util/errors.js';
import { ChunkWriter, encodeInMemory } from './chunk-writer.js';
import type { ByteSink } from './chunk-writer.js';
import { BlockType, BYTE_ORDER_MAGIC, EPB_FLAGS, IF_FCSLEN, IF_NAME, IF_TSRESOL, OPT_COMMENT, SHB_USERAPPL } from './pcapng-format.js';
import { secNsecToUnits } from './timestamp.js';
import type { HiLo } from './timestamp.js';
import type { Frame } from './types.js';

export interface PcapngInterfaceOptions {
  linkType: number;
  /** 0 (the default) means no limit. */
  snapLen?: number | undefined;
  /** if_name, e.g. "eth0" (tcpdump prints it for SLL2 captures). */
  name?: string | undefined;
  /** Timestamp unit 10^-tsDigits s, 0..9. Default 9: nanoseconds are kept. */
  tsDigits?: number | undefined;
  /** if_fcslen: bytes of FCS at the end of each frame. */
  fcsLen?: number | undefined;
}

export interface PcapngWriterOptions {
  /**
   * Interfaces to declare up front; a frame goes to `interfaces[frame.ifIndex]`
   * when the link types agree. Frames of any other (ifIndex, linkType) get an
   * interface added on first sight, named after frame.ifName.
   */
  interfaces?: readonly PcapngInterfaceOptions[] | undefined;
  /** shb_userappl; default "mpscope". Empty string: no option. */
  userAppl?: string | undefined;
  /** Write a big-endian section; default little-endian. */
  bigEndian?: boolean | undefined;
}

/** EPB without options: type, length, interface, ts high, ts low, caplen, origlen ... length. */
const EPB_FIXED = 32;
/** epb_flags: code, length, 4-byte value. */
const EPB_FLAGS_OPTION = 8;

interface WriterIface {
  readonly digits: number;
  readonly snapLen: number;
}

type Option = readonly [code: number, value: Uint8Array];

const utf8 = new TextEncoder();
const pad4 = (n: number): number => (n + 3) & ~3;

/** Writes one pcapng section (SHB, IDBs as needed, EPBs) to a sink. */
export class PcapngWriter {
  private readonly out: ChunkWriter;
  private readonly le: boolean;
  private readonly ifaces: WriterIface[] = [];
  /** (ifIndex, linkType) of frames -> interface id in this file. */
  private readonly ids = new Map<number, number>();
  private lastKey = -1;
  private lastId = 0;
  private readonly ts: HiLo = { hi: 0, lo: 0 };
  frames = 0;

  constructor(sink: ByteSink, options: PcapngWriterOptions = {}) {
    this.out = new ChunkWriter(sink);
    this.le = !options.bigEndian;
    const appl = options.userAppl ?? 'mpscope';
    this.writeBlock(BlockType.SHB, sectionHeaderBody(this.le), appl ? [[SHB_USERAPPL, utf8.encode(appl)]] : []);
    options.interfaces?.forEach((iface, i) => this.ids.set(ifaceKey(i, iface.linkType), this.addInterface(iface)));
  }

  write(frame: Frame): void {
    const key = ifaceKey(frame.ifIndex, frame.linkType);
    let id = key === this.lastKey ? this.lastId : this.ids.get(key);
    if (id === undefined) {
      id = this.addInterface({ linkType: frame.linkType, name: frame.ifName });
      this.ids.set(key, id);
    }
    this.lastKey = key;
    this.lastId = id;
    const iface = this.ifaces[id]!;
    const data = frame.data;
    const caplen = iface.snapLen > 0 ? Math.min(data.length, iface.snapLen) : data.length;
    const withFlags = frame.direction !== undefined;
    const comments = frame.comments === undefined || frame.comments.length === 0 ? undefined : frame.comments.map((c) => utf8.encode(c));
    let optionsLength = withFlags ? EPB_FLAGS_OPTION : 0;
    if (comments !== undefined) for (const c of comments) optionsLength += 4 + pad4(c.length);
    // opt_endofopt closes a non-empty list.
    if (optionsLength > 0) optionsLength += 4;
    const len = EPB_FIXED + pad4(caplen) + optionsLength;
    const ts = this.ts;
    if (frame.tsSec < 0) {
      throw new CaptureError('UNSUPPORTED', `frame ${frame.number}: timestamps before 1970 cannot be written to pcapng`);
    }
    secNsecToUnits(frame.tsSec, frame.tsNsec, iface.digits, ts);

    const out = this.out;
    const at = out.reserve(len);
    const dv = out.dv;
    const le = this.le;
    dv.setUint32(at, BlockType.EPB, le);
    dv.setUint32(at + 4, len, le);
    dv.setUint32(at + 8, id, le);
    dv.setUint32(at + 12, ts.hi, le);
    dv.setUint32(at + 16, ts.lo, le);
    dv.setUint32(at + 20, caplen, le);
    dv.setUint32(at + 24, frame.origLen, le);
    // Padding after the data is left as the zeroes the reserved space starts with.
    out.buf.set(caplen === data.length ? data : data.subarray(0, caplen), at + 28);
    let p = at + 28 + pad4(caplen);
    if (withFlags) {
      dv.setUint16(p, EPB_FLAGS, le);
      dv.setUint16(p + 2, 4, le);
      dv.setUint32(p + 4, (frame.direction ?? 0) & 3, le);
      p += EPB_FLAGS_OPTION;
    }
    if (comments !== undefined) {
      for (const c of comments) {
        dv.setUint16(p, OPT_COMMENT, le);
        dv.setUint16(p + 2, c.length, le);
        out.buf.set(c, p + 4);
        p += 4 + pad4(c.length);
      }
    }
    // opt_endofopt and the padding are the zeroes the reserved space starts with.
    if (optionsLength > 0) p += 4;
    dv.setUint32(p, len, le);
    out.advance(len);
    this.frames++;
  }

  /** Sends everything written so far to the sink. */
  flush(): void {
    this.out.flush();
  }

  close(): void {
    this.out.flush();
  }

  private addInterface(spec: PcapngInterfaceOptions): number {
    const digits = spec.tsDigits ?? 9;
    if (!Number.isInteger(digits) || digits < 0 || digits > 9) {
      throw new CaptureError('UNSUPPORTED', `pcapng writer: tsDigits must be 0..9, got ${digits}`);
    }
    const snapLen = spec.snapLen ?? 0;
    const body = new Uint8Array(8);
    const dv = new DataView(body.buffer);
    dv.setUint16(0, spec.linkType, this.le);
    dv.setUint32(4, snapLen, this.le);
    const options: Option[] = [];
    if (spec.name) options.push([IF_NAME, utf8.encode(spec.name)]);
    // Microseconds are the default resolution and need no option.
    if (digits !== 6) options.push([IF_TSRESOL, Uint8Array.of(digits)]);
    if (spec.fcsLen !== undefined) options.push([IF_FCSLEN, Uint8Array.of(spec.fcsLen)]);
    this.writeBlock(BlockType.IDB, body, options);
    return this.ifaces.push({ digits, snapLen }) - 1;
  }

  /** A non-packet block: fixed body, then options closed by opt_endofopt. */
  private writeBlock(type: number, body: Uint8Array, options: readonly Option[]): void {
    const optLen = options.length ? options.reduce((n, [, v]) => n + 4 + pad4(v.length), 4) : 0;
    const len = 12 + body.length + optLen;
    const out = this.out;
    const at = out.reserve(len);
    const dv = out.dv;
    const le = this.le;
    dv.setUint32(at, type, le);
    dv.setUint32(at + 4, len, le);
    out.buf.set(body, at + 8);
    let p = at + 8 + body.length;
    for (const [code, value] of options) {
      dv.setUint16(p, code, le);
      dv.setUint16(p + 2, value.length, le);
      out.buf.set(value, p + 4);
      p += 4 + pad4(value.length);
    }
    // Padding and opt_endofopt are the zeroes the reserved space starts with.
    dv.setUint32(at + len - 4, len, le);
    out.advance(len);
  }
}

/** Byte-order magic, version 1.0, section length unknown (-1). */
function sectionHeaderBody(le: boolean): Uint8Array {
  const body = new Uint8Array(16);
  const dv = new DataView(body.buffer);
  dv.setUint32(0, BYTE_ORDER_MAGIC, le);
  dv.setUint16(4, 1, le);
  dv.setUint16(6, 0, le);
  dv.setInt32(8, -1, le);
  dv.setInt32(12, -1, le);
  return body;
}

function ifaceKey(ifIndex: number, linkType: number): number {
  return ifIndex * 65536 + (linkType & 0xffff);
}

/** A whole pcapng file in memory. */
export function encodePcapng(frames: Iterable<Frame>, options: PcapngWriterOptions = {}): Uint8Array {
  return encodeInMemory(frames, (sink) => new PcapngWriter(sink, options));
}
