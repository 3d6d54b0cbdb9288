/**
 * Classic libpcap files: a 24-byte file header, then records of a 16-byte
 * header (seconds, fraction, caplen, origlen) and the captured bytes.
 */
import { dataView, FormatReader, MAX_RECORD } from './format-reader.js';
import type { ReaderContext } from './format-reader.js';

export const PCAP_FILE_HEADER = 24;

/** Magic numbers as read big-endian from the first four bytes. */
const MAGICS: ReadonlyMap<number, { le: boolean; nano: boolean; recordHeader: number }> = new Map([
  [0xa1b2c3d4, { le: false, nano: false, recordHeader: 16 }],
  [0xd4c3b2a1, { le: true, nano: false, recordHeader: 16 }],
  [0xa1b23c4d, { le: false, nano: true, recordHeader: 16 }],
  [0x4d3cb2a1, { le: true, nano: true, recordHeader: 16 }],
  // Kuznetsov's patched libpcap: 8 more bytes per record (ifindex, protocol, pkt_type) that we skip.
  [0xa1b2cd34, { le: false, nano: false, recordHeader: 24 }],
  [0x34cdb2a1, { le: true, nano: false, recordHeader: 24 }],
]);

export function isPcapMagic(bigEndianWord: number): boolean {
  return MAGICS.has(bigEndianWord);
}

/**
 * Caplen above which a record is damage rather than a packet: the snaplen, but
 * never less than 256 KiB, because writers do exceed their own snaplen a little
 * (tcpdump's mptcp-dss-oobr.pcap has caplen 74 with snaplen 73).
 */
function caplenLimit(snapLen: number): number {
  return Math.min(MAX_RECORD, Math.max(snapLen, 262144));
}

export class PcapReader extends FormatReader {
  readonly format = 'pcap' as const;
  private readonly le: boolean;
  private readonly nano: boolean;
  private readonly recordHeader: number;
  private headerDone = false;
  private linkType = 0;
  private snapLen = 0;
  private maxCaplen = 0;

  constructor(ctx: ReaderContext, magic: number) {
    super(ctx);
    const m = MAGICS.get(magic);
    if (!m) throw new Error(`not a pcap magic: ${magic.toString(16)}`);
    this.le = m.le;
    this.nano = m.nano;
    this.recordHeader = m.recordHeader;
  }

  parse(buf: Uint8Array, start: number, end: number, streamOffset: number): number {
    const dv = dataView(buf);
    let p = start;
    if (!this.headerDone) {
      if (end - p < PCAP_FILE_HEADER) return this.short(PCAP_FILE_HEADER, 'file header', p);
      this.readFileHeader(dv, p);
      p += PCAP_FILE_HEADER;
    }
    p = this.records(buf, dv, p, end, streamOffset - start);
    if (this.stopped) return p;
    // The record at `p` is incomplete: say how long it is for the next chunk.
    const hdr = this.recordHeader;
    if (end - p < hdr) return this.short(hdr, 'packet record header', p);
    return this.short(hdr + dv.getUint32(p + 8, this.le), 'packet record', p);
  }

  /**
   * Delivers the whole records from `p`; returns where it stopped (the first
   * incomplete record, or after the frame whose callback said stop). The loop
   * has a function of its own so that its way out needs nothing it has not
   * run before: an exit to a method first taken at the end of the first
   * chunk threw away the loop's compiled code there.
   */
  private records(buf: Uint8Array, dv: DataView, p: number, end: number, bufToStream: number): number {
    const le = this.le;
    const hdr = this.recordHeader;
    const maxCaplen = this.maxCaplen;
    const linkType = this.linkType;
    const nano = this.nano;
    const tsDigits = nano ? 9 : 6;
    const fracLimit = nano ? 1e9 : 1e6;
    const lazy = this.lazy;
    // Views made by the constructor rather than subarray(), which costs twice as much per record.
    const bytes = buf.buffer;
    const origin = buf.byteOffset;
    for (;;) {
      if (end - p < hdr) return p;
      const caplen = dv.getUint32(p + 8, le);
      if (caplen > maxCaplen) {
        throw this.corrupt(bufToStream + p, `packet record has caplen ${caplen}, more than the snaplen ${this.snapLen} allows`);
      }
      if (end - p - hdr < caplen) return p;
      let tsSec = dv.getUint32(p, le);
      let frac = dv.getUint32(p + 4, le);
      if (frac >= fracLimit) {
        // Out-of-range fractions exist in the wild; carry them into the seconds.
        tsSec += Math.floor(frac / fracLimit);
        frac %= fracLimit;
      }
      const origLen = dv.getUint32(p + 12, le);
      const start = p + hdr;
      p = start + caplen;
      const nsec = nano ? frac : frac * 1000;
      if (lazy !== undefined) {
        if (!this.deliverLazy(lazy, linkType, tsSec, nsec, tsDigits, origLen, buf, start, caplen, 0, undefined, undefined, undefined)) return p;
      } else if (!this.deliver(linkType, tsSec, nsec, tsDigits, origLen, new Uint8Array(bytes, origin + start, caplen), 0, undefined, undefined, undefined)) {
        return p;
      }
    }
  }

  private short(need: number, what: string, p: number): number {
    this.need = need;
    this.needWhat = what;
    return p;
  }

  private readFileHeader(dv: DataView, p: number): void {
    const le = this.le;
    this.snapLen = dv.getUint32(p + 16, le);
    this.maxCaplen = caplenLimit(this.snapLen);
    const word = dv.getUint32(p + 20, le);
    // Upper bits: FCS length present (bit 28) and its length in 16-bit words (bits 29-31).
    this.linkType = word & 0x0fffffff;
    const fcsLen = word & 0x10000000 ? (word >>> 29) * 2 : undefined;
    this.headerDone = true;
    this.addInterface({
      linkType: this.linkType,
      snapLen: this.snapLen,
      tsDigits: this.nano ? 9 : 6,
      ...(fcsLen === undefined ? {} : { fcsLen }),
    });
  }
}
