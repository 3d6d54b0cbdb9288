/**
 * pcapng: a sequence of blocks (type, total length, body, total length again).
 * Each Section Header Block sets the byte order for its section and starts a
 * fresh list of interfaces; packets name their interface by its position in
 * that list. Blocks we have no use for are skipped by their length.
 */
import { CaptureError } from '../util/errors.js';
import { dataView, FormatReader, gzipNote, MAX_RECORD } from './format-reader.js';
import { BlockType, BYTE_ORDER_MAGIC, EPB_FLAGS, IF_FCSLEN, IF_NAME, IF_TSOFFSET, IF_TSRESOL, OPT_COMMENT, OPT_END } from './pcapng-format.js';
import { MICROSECONDS, tsResolution, unitsToSecNsec } from './timestamp.js';
import type { SecNsec, TsResolution } from './timestamp.js';

/** Enough for any block's type and length, and for the SHB's byte-order magic. */
const BLOCK_PREFIX = 12;

interface Iface {
  /** Position in the reader's (whole-file) interface list: Frame.ifIndex. */
  readonly global: number;
  readonly linkType: number;
  readonly snapLen: number;
  readonly res: TsResolution;
  /** if_tsoffset: seconds to add to every timestamp. */
  readonly tsOffset: number;
  readonly name: string | undefined;
}

const utf8 = new TextDecoder('utf-8');

export class PcapngReader extends FormatReader {
  readonly format = 'pcapng' as const;
  private le = true;
  private section: Iface[] = [];
  sections = 0;
  private readonly ts: SecNsec = { sec: 0, nsec: 0 };
  /** The options of the packet block being read. A block's comments are a new array: the frame keeps it. */
  private readonly packetOptions: PacketOptions = { direction: undefined, comments: undefined };

  parse(buf: Uint8Array, start: number, end: number, streamOffset: number): number {
    const dv = dataView(buf);
    let p = start;
    for (;;) {
      if (end - p < BLOCK_PREFIX) {
        this.need = BLOCK_PREFIX;
        this.needWhat = 'block header';
        return p;
      }
      const type = dv.getUint32(p, this.le);
      const at = streamOffset + (p - start);
      if (type === BlockType.SHB) this.le = this.sectionByteOrder(dv, p, at);
      const le = this.le;
      const len = dv.getUint32(p + 4, le);
      if (len < 12 || len % 4 !== 0 || len > MAX_RECORD) {
        throw this.corrupt(at, `block type ${hex(type)} has an impossible total length ${len}`);
      }
      if (end - p < len) {
        this.need = len;
        this.needWhat = 'block';
        return p;
      }
      const trailer = dv.getUint32(p + len - 4, le);
      if (trailer !== len) {
        throw this.corrupt(at, `block type ${hex(type)} says length ${len} at its start but ${trailer} at its end`);
      }
      switch (type) {
        case BlockType.EPB:
          if (!this.timedPacket(buf, dv, p, len, at, 'enhanced packet block', dv.getUint32(p + 8, le))) return p + len;
          break;
        case BlockType.SPB:
          if (!this.simplePacket(buf, dv, p, len, at)) return p + len;
          break;
        case BlockType.PB:
          // The obsolete Packet Block: an EPB whose interface id is 16 bits, followed by a drop count.
          if (!this.timedPacket(buf, dv, p, len, at, 'packet block', dv.getUint16(p + 8, le))) return p + len;
          break;
        case BlockType.IDB:
          this.interfaceDescription(dv, p, len, at);
          break;
        case BlockType.SHB:
          this.sectionHeader(dv, p, len, at);
          break;
        default:
          // NRB, ISB, DSB, custom and future blocks: nothing a Frame needs.
          break;
      }
      p += len;
    }
  }

  private sectionByteOrder(dv: DataView, p: number, at: number): boolean {
    if (dv.getUint32(p + 8, true) === BYTE_ORDER_MAGIC) return true;
    if (dv.getUint32(p + 8, false) === BYTE_ORDER_MAGIC) return false;
    throw this.corrupt(at, `section header has byte-order magic ${hex(dv.getUint32(p + 8, false))}, expected 1a2b3c4d`);
  }

  private sectionHeader(dv: DataView, p: number, len: number, at: number): void {
    if (len < 28) throw this.corrupt(at, `section header block is ${len} bytes, shorter than its 28-byte minimum`);
    const major = dv.getUint16(p + 12, this.le);
    if (major !== 1) {
      throw new CaptureError(
        'UNSUPPORTED',
        `pcapng section at offset ${at}${gzipNote(this.ctx.gzip)} has version ${major}.${dv.getUint16(p + 14, this.le)}; only 1.x is known`,
        at,
      );
    }
    this.section = [];
    this.sections++;
  }

  private interfaceDescription(dv: DataView, p: number, len: number, at: number): void {
    if (len < 20) throw this.corrupt(at, `interface description block is ${len} bytes, shorter than its 20-byte minimum`);
    const le = this.le;
    const linkType = dv.getUint16(p + 8, le);
    const snapLen = dv.getUint32(p + 12, le);
    let res = MICROSECONDS;
    let tsOffset = 0;
    let name: string | undefined;
    let fcsLen: number | undefined;
    forEachOption(dv, p + 16, p + len - 4, le, (code, off, olen) => {
      if (code === IF_NAME) name = utf8.decode(new Uint8Array(dv.buffer, dv.byteOffset + off, olen)).replace(/\0+$/, '');
      else if (code === IF_TSRESOL && olen >= 1) res = tsResolution(dv.getUint8(off));
      else if (code === IF_FCSLEN && olen >= 1) fcsLen = dv.getUint8(off);
      else if (code === IF_TSOFFSET && olen >= 8) {
        const hi = dv.getInt32(off + (le ? 4 : 0), le);
        tsOffset = hi * 4294967296 + dv.getUint32(off + (le ? 0 : 4), le);
      }
    });
    const global = this.addInterface({
      linkType,
      snapLen,
      tsDigits: res.digits,
      ...(name === undefined ? {} : { name }),
      ...(fcsLen === undefined ? {} : { fcsLen }),
    });
    this.section.push({ global, linkType, snapLen, res, tsOffset, name });
  }

  private iface(id: number, at: number): Iface {
    const iface = this.section[id];
    if (iface === undefined) {
      throw this.corrupt(at, `packet refers to interface ${id}, but the section has defined ${this.section.length} so far`);
    }
    return iface;
  }

  /** An Enhanced Packet Block or the obsolete Packet Block (`what` names it in errors). */
  private timedPacket(buf: Uint8Array, dv: DataView, p: number, len: number, at: number, what: string, ifaceId: number): boolean {
    if (len < 32) throw this.corrupt(at, `${what} is ${len} bytes, shorter than its 32-byte minimum`);
    const le = this.le;
    const caplen = dv.getUint32(p + 20, le);
    if (caplen > len - 32) throw this.corrupt(at, `${what} of ${len} bytes cannot hold its caplen ${caplen}`);
    const optStart = p + 28 + ((caplen + 3) & ~3);
    const opts = this.packetOptions;
    opts.direction = undefined;
    opts.comments = undefined;
    if (optStart < p + len - 4) readPacketOptions(buf, dv, optStart, p + len - 4, le, opts);
    return this.emit(
      this.iface(ifaceId, at),
      dv.getUint32(p + 12, le),
      dv.getUint32(p + 16, le),
      dv.getUint32(p + 24, le),
      buf,
      p + 28,
      caplen,
      opts,
    );
  }

  /** No timestamp and no caplen: the bytes present are min(original length, snaplen, what the block holds). */
  private simplePacket(buf: Uint8Array, dv: DataView, p: number, len: number, at: number): boolean {
    if (len < 16) throw this.corrupt(at, `simple packet block is ${len} bytes, shorter than its 16-byte minimum`);
    const iface = this.iface(0, at);
    const origLen = dv.getUint32(p + 8, this.le);
    let caplen = Math.min(origLen, len - 16);
    if (iface.snapLen > 0) caplen = Math.min(caplen, iface.snapLen);
    return this.emitAt(iface, 0, 0, origLen, buf, p + 12, caplen, NO_OPTIONS);
  }

  private emit(iface: Iface, hi: number, lo: number, origLen: number, buf: Uint8Array, start: number, capLen: number, opts: PacketOptions): boolean {
    const ts = this.ts;
    unitsToSecNsec(hi, lo, iface.res, ts);
    return this.emitAt(iface, ts.sec + iface.tsOffset, ts.nsec, origLen, buf, start, capLen, opts);
  }

  private emitAt(
    iface: Iface, tsSec: number, tsNsec: number, origLen: number, buf: Uint8Array, start: number, capLen: number, opts: PacketOptions,
  ): boolean {
    return this.deliverAt(
      iface.linkType, tsSec, tsNsec, iface.res.digits, origLen, buf, start, capLen, iface.global, iface.name, opts.direction, opts.comments,
    );
  }
}

/** What a packet block's options say: refilled for each block. */
interface PacketOptions {
  direction: number | undefined;
  comments: string[] | undefined;
}

const NO_OPTIONS: PacketOptions = { direction: undefined, comments: undefined };

/** The direction bits of epb_flags and the opt_comment texts of the options in [start, end). */
function readPacketOptions(buf: Uint8Array, dv: DataView, start: number, end: number, le: boolean, out: PacketOptions): void {
  forEachOption(dv, start, end, le, (code, off, olen) => {
    if (code === EPB_FLAGS && olen >= 4) out.direction = dv.getUint32(off, le) & 3;
    else if (code === OPT_COMMENT) (out.comments ??= []).push(utf8.decode(buf.subarray(off, off + olen)));
  });
}

/**
 * Walks the options in [start, end). Options that run past the end stop the
 * walk quietly: option damage should not cost the packet.
 */
function forEachOption(
  dv: DataView,
  start: number,
  end: number,
  le: boolean,
  visit: (code: number, valueOffset: number, valueLength: number) => void,
): void {
  let p = start;
  while (end - p >= 4) {
    const code = dv.getUint16(p, le);
    const olen = dv.getUint16(p + 2, le);
    if (code === OPT_END || p + 4 + olen > end) return;
    visit(code, p + 4, olen);
    p += 4 + ((olen + 3) & ~3);
  }
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
