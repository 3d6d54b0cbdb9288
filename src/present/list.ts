/**
 * One line per packet in the layout of `tshark -r FILE` (tshark 4.0):
 *
 *     No. Time Source → Destination Protocol Length Info
 *
 * tshark pads per packet, not per file: the number is right-aligned in at
 * least 5 characters, the time in at least 10, the source right-aligned and
 * the destination left-aligned in at least 12, joined by " → ".
 */
import type { TcpAnnotation } from '../analysis/types.js';
import type { Packet } from '../wire/types.js';
import { hasMptcpOption, summarize, tcpAppSummary, writeTcpInfo } from './info.js';
import { ipv4String, ipv6String } from './tshark/addr.js';
import { linkAddresses, type Summary } from './tshark/app.js';
import { decimalDigits, MAX_U_BYTES, putU } from './digits.js';
import { MAX_IPV4_BYTES, MAX_NUM_BYTES, putArrow, putNum, putSpaces, putText, TextLine, wordText } from './tshark/line.js';
import { Ipv4Text } from './tshark/ipv4-text.js';
import { ClockText, fraction, MAX_DELTA_BYTES, putDelta, type TimeFormat } from './tshark/time.js';
import { WindowScaleTracker, WSCALE_UNKNOWN } from './tshark/winscale.js';

export type { TimeFormat } from './tshark/time.js';

export interface ListOptions {
  /** tshark `-t`: r relative to the first packet (default), a/ad local clock, u/ud UTC, e epoch, d/dd delta to the previous captured/displayed packet. */
  timeFormat?: TimeFormat;
  /**
   * Every TCP segment written or skipped comes with its TCP analysis (the
   * caller runs it on every packet): the analysis has the scaled windows, so
   * the list keeps no window scales of its own. Default false.
   */
  analysed?: boolean;
}

/** Source and destination address columns of a packet. */
export function addressColumns(pkt: Packet): [string, string] {
  const ip = pkt.ip;
  if (ip) {
    if (ip.version === 4) return [ipv4String(ip.src), ipv4String(ip.dst)];
    return [ipv6String(ip.src), ipv6String(ip.dst)];
  }
  return linkAddresses(pkt);
}

export class ListFormatter {
  private readonly timeFormat: TimeFormat;
  private readonly clock: ClockText | undefined;
  /** The window scales the Info column needs without TCP analysis; undefined when every segment comes analysed. */
  private readonly winScale: WindowScaleTracker | undefined;
  private readonly summary: Summary = { protocol: '', info: '' };
  private readonly line = new TextLine(512);
  private readonly quads = new Ipv4Text();
  private haveFirst = false;
  private firstSec = 0;
  private firstNsec = 0;
  private prevCapSec = 0;
  private prevCapNsec = 0;
  private haveDisplayed = false;
  private prevDispSec = 0;
  private prevDispNsec = 0;

  constructor(opts: ListOptions = {}) {
    this.timeFormat = opts.timeFormat ?? 'r';
    this.winScale = opts.analysed === true ? undefined : new WindowScaleTracker();
    const f = this.timeFormat;
    if (f === 'a' || f === 'ad' || f === 'u' || f === 'ud') this.clock = new ClockText(f === 'u' || f === 'ud', f === 'ad' || f === 'ud');
  }

  /**
   * Records a packet that was read but is not shown (filtered out): it still
   * counts as the first or previous captured packet, and its SYN options
   * still set the window scale of its connection.
   */
  skip(pkt: Packet): void {
    this.winScale?.learn(pkt);
    this.noteCaptured(pkt);
  }

  /**
   * The list line of a packet (no newline). Call for every displayed packet,
   * in capture order. With the packet's TCP analysis the Info column is
   * tshark's with sequence analysis on.
   */
  format(pkt: Packet, analysis?: TcpAnnotation): string {
    const w = this.line;
    w.pos = 0;
    this.write(w, pkt, analysis);
    return w.decoded();
  }

  /**
   * The list line followed by a newline, as UTF-8 bytes: the fast path for
   * writing many packets. The view is only valid until the next call.
   */
  formatBytes(pkt: Packet, analysis?: TcpAnnotation): Uint8Array {
    const w = this.line;
    w.pos = 0;
    this.write(w, pkt, analysis);
    w.ch(10);
    return w.buf.subarray(0, w.pos);
  }

  /** Appends the list line of a packet (no newline) to `w`; `format` and `formatBytes` in one. */
  write(w: TextLine, pkt: Packet, analysis?: TcpAnnotation): void {
    // The analysis has the scaled window; without it the Info column needs the scale learnt here.
    let scale = WSCALE_UNKNOWN;
    const winScale = this.winScale;
    // Without one (every segment analysed), a packet lacking its own analysis has no TCP header to scale.
    if (winScale !== undefined) {
      if (analysis === undefined || analysis.quoted === true) scale = winScale.observe(pkt);
      else winScale.learn(pkt);
    }
    if (!this.haveFirst) this.noteFirst(pkt);
    this.writeLead(w, pkt);
    this.noteCaptured(pkt);
    this.haveDisplayed = true;
    this.prevDispSec = pkt.tsSec;
    this.prevDispNsec = pkt.tsNsec;

    const tcp = pkt.tcp;
    if (tcp !== undefined && !tcpAppSummary(pkt, tcp, this.summary, analysis)) {
      // The common case, written without strings: a segment whose columns are TCP's own.
      w.room(PROTOCOL_BYTES);
      const b = w.buf;
      let p = putText(w.view, w.pos, hasMptcpOption(tcp, pkt) ? MPTCP : TCP);
      p = putNum(w.view, p, pkt.origLen);
      b[p++] = 32;
      w.pos = p;
      writeTcpInfo(w, pkt, tcp, scale, analysis);
      return;
    }
    const s = tcp !== undefined ? this.summary : summarize(pkt, scale, this.summary, analysis);
    w.utf8(s.protocol);
    w.ch(32);
    w.num(pkt.origLen);
    w.ch(32);
    w.utf8(s.info);
  }

  /** Number, time, source and destination columns, each followed by a space. */
  private writeLead(w: TextLine, pkt: Packet): void {
    w.room(LEAD_BYTES);
    let b = w.buf;
    let p = w.pos;
    const n = pkt.number;
    if ((n >>> 0) === n) {
      p = putU(w.view, putSpaces(b, p, NUMBER_WIDTH - decimalDigits(n)), n);
      b[p++] = 32;
    } else {
      w.right(String(n), NUMBER_WIDTH);
      w.ch(32);
      w.room(LEAD_BYTES);
      b = w.buf;
      p = w.pos;
    }
    const digits = pkt.tsDigits;
    switch (this.timeFormat) {
      case 'r': p = putDelta(b, w.view, p, pkt.tsSec, pkt.tsNsec, this.firstSec, this.firstNsec, digits, TIME_WIDTH); break;
      case 'd': p = putDelta(b, w.view, p, pkt.tsSec, pkt.tsNsec, this.prevCapSec, this.prevCapNsec, digits, TIME_WIDTH); break;
      case 'dd':
        p = this.haveDisplayed
          ? putDelta(b, w.view, p, pkt.tsSec, pkt.tsNsec, this.prevDispSec, this.prevDispNsec, digits, TIME_WIDTH)
          : putDelta(b, w.view, p, 0, 0, 0, 0, digits, TIME_WIDTH);
        break;
      default:
        w.pos = p;
        w.right(this.clockTime(pkt), TIME_WIDTH);
        w.room(LEAD_BYTES);
        b = w.buf;
        p = w.pos;
    }
    b[p++] = 32;
    const ip = pkt.ip;
    if (ip?.version === 4) {
      const v = w.view;
      const quads = this.quads;
      p = quads.left(v, putArrow(b, quads.right(v, p, ip.src, ADDRESS_WIDTH)), ip.dst, ADDRESS_WIDTH);
      b[p++] = 32;
      w.pos = p;
      return;
    }
    w.pos = p;
    const [src, dst] = addressColumns(pkt);
    w.right(src, ADDRESS_WIDTH);
    w.arrow();
    w.left(dst, ADDRESS_WIDTH);
    w.ch(32);
  }

  /** The time column of the -t styles that are not deltas: epoch and clock times. */
  private clockTime(pkt: Packet): string {
    const fraction9 = fraction(pkt.tsNsec, pkt.tsDigits);
    return this.timeFormat === 'e' ? pkt.tsSec + fraction9 : this.clock!.format(pkt.tsSec) + fraction9;
  }

  private noteFirst(pkt: Packet): void {
    this.haveFirst = true;
    this.firstSec = this.prevCapSec = pkt.tsSec;
    this.firstNsec = this.prevCapNsec = pkt.tsNsec;
  }

  private noteCaptured(pkt: Packet): void {
    if (!this.haveFirst) this.noteFirst(pkt);
    this.prevCapSec = pkt.tsSec;
    this.prevCapNsec = pkt.tsNsec;
  }
}

const NUMBER_WIDTH = 5;
const TIME_WIDTH = 10;
const ADDRESS_WIDTH = 12;
/** Room for the lead columns when the addresses are IPv4: number, delta time, two addresses, the arrow, spaces. */
const LEAD_BYTES = NUMBER_WIDTH + MAX_U_BYTES + TIME_WIDTH + MAX_DELTA_BYTES + 2 * (ADDRESS_WIDTH + MAX_IPV4_BYTES) + 5 + 4;
const MPTCP = wordText('MPTCP ');
const TCP = wordText('TCP ');
/** Room for the protocol and length columns. */
const PROTOCOL_BYTES = 6 + MAX_NUM_BYTES + 1;
