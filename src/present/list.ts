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
import { summarize } from './info.js';
import { AddressCache, ipv4String, ipv6String } from './tshark/addr.js';
import { linkAddresses, type Summary } from './tshark/app.js';
import { ClockText, deltaString, fraction, type TimeFormat } from './tshark/time.js';
import { WindowScaleTracker } from './tshark/winscale.js';

export type { TimeFormat } from './tshark/time.js';

export interface ListOptions {
  /** tshark `-t`: r relative to the first packet (default), a/ad local clock, u/ud UTC, e epoch, d/dd delta to the previous captured/displayed packet. */
  timeFormat?: TimeFormat;
}

/** Runs of spaces for the column padding, shared by every line. */
const SPACES: readonly string[] = Array.from({ length: 13 }, (_, i) => ' '.repeat(i));

function padStart(s: string, width: number): string {
  return s.length >= width ? s : SPACES[width - s.length] + s;
}

function padEnd(s: string, width: number): string {
  return s.length >= width ? s : s + SPACES[width - s.length];
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
  private readonly winScale = new WindowScaleTracker();
  private readonly summary: Summary = { protocol: '', info: '' };
  private readonly addresses = new AddressCache();
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
    const f = this.timeFormat;
    if (f === 'a' || f === 'ad' || f === 'u' || f === 'ud') this.clock = new ClockText(f === 'u' || f === 'ud', f === 'ad' || f === 'ud');
  }

  /**
   * Records a packet that was read but is not shown (filtered out): it still
   * counts as the first or previous captured packet, and its SYN options
   * still set the window scale of its connection.
   */
  skip(pkt: Packet): void {
    this.winScale.observe(pkt);
    this.noteCaptured(pkt);
  }

  /**
   * The list line of a packet (no newline). Call for every displayed packet,
   * in capture order. With the packet's TCP analysis the Info column is
   * tshark's with sequence analysis on.
   */
  format(pkt: Packet, analysis?: TcpAnnotation): string {
    const scale = this.winScale.observe(pkt);
    if (!this.haveFirst) this.noteFirst(pkt);
    const time = this.timeText(pkt);
    this.noteCaptured(pkt);
    this.haveDisplayed = true;
    this.prevDispSec = pkt.tsSec;
    this.prevDispNsec = pkt.tsNsec;

    const s = summarize(pkt, scale, this.summary, analysis);
    const ip = pkt.ip;
    let src: string;
    let dst: string;
    if (ip?.version === 4) {
      src = this.addresses.ipv4(ip.src);
      dst = this.addresses.ipv4(ip.dst);
    } else {
      [src, dst] = addressColumns(pkt);
    }
    return padStart(String(pkt.number), 5) + ' ' + padStart(time, 10) + ' ' + padStart(src, 12) + ' → ' + padEnd(dst, 12) +
      ' ' + s.protocol + ' ' + pkt.origLen + ' ' + s.info;
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

  private timeText(pkt: Packet): string {
    const digits = pkt.tsDigits;
    switch (this.timeFormat) {
      case 'r': return deltaString(pkt.tsSec, pkt.tsNsec, this.firstSec, this.firstNsec, digits);
      case 'd': return deltaString(pkt.tsSec, pkt.tsNsec, this.prevCapSec, this.prevCapNsec, digits);
      case 'dd':
        return this.haveDisplayed
          ? deltaString(pkt.tsSec, pkt.tsNsec, this.prevDispSec, this.prevDispNsec, digits)
          : deltaString(0, 0, 0, 0, digits);
      case 'e': return pkt.tsSec + fraction(pkt.tsNsec, digits);
      default: return this.clock!.format(pkt.tsSec) + fraction(pkt.tsNsec, digits);
    }
  }
}
