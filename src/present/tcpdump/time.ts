/**
 * tcpdump's timestamp column: `-t` none, default `HH:MM:SS.frac` local time,
 * `-tt` epoch seconds, `-ttt` delta since the previous packet, `-tttt` date and
 * local time, `-ttttt` delta since the first packet. The fraction has 6 digits,
 * or 9 with `--nano` (microsecond stamps are then padded with zeros, nanosecond
 * ones truncated without it, as libpcap does when it scales them).
 */

import type { Line } from './line.js';

export type TsStyle = 'default' | 't' | 'tt' | 'ttt' | 'tttt' | 'ttttt';

const PAD2: string[] = [];
for (let i = 0; i < 100; i++) PAD2.push(i < 10 ? '0' + i : String(i));

export class TimestampPrinter {
  private readonly style: TsStyle;
  private readonly nano: boolean;
  private readonly utc: boolean;
  private readonly unitsPerSec: number;
  private readonly width: number;
  // Reference of the delta styles, in (seconds, fraction units). tcpdump
  // treats a zero reference as "not set yet", so a capture starting at the
  // epoch re-anchors on its second packet; we keep that behaviour.
  private refSec = 0;
  private refFrac = 0;
  // The calendar part of the last stamp, valid for one UTC minute.
  private minuteKey = NaN;
  private minutePrefix = '';

  constructor(style: TsStyle, nano: boolean, utc: boolean) {
    this.style = style;
    this.nano = nano;
    this.utc = utc;
    this.unitsPerSec = nano ? 1_000_000_000 : 1_000_000;
    this.width = nano ? 9 : 6;
  }

  /** Writes the column including its trailing space (nothing for `-t`). */
  write(w: Line, sec: number, nsec: number): void {
    const frac = this.nano ? nsec : Math.floor(nsec / 1000);
    switch (this.style) {
      case 't':
        return;
      case 'default':
        this.wallClock(w, sec, frac, false);
        break;
      case 'tttt':
        this.wallClock(w, sec, frac, true);
        break;
      case 'tt':
        if (sec < 0) {
          w.str('[timestamp overflow]');
        } else {
          w.u(sec);
          w.ch(46);
          w.uPad(frac, this.width);
        }
        break;
      case 'ttt':
      case 'ttttt':
        this.delta(w, sec, frac);
        break;
    }
    w.ch(32);
  }

  private wallClock(w: Line, sec: number, frac: number, withDate: boolean): void {
    if (sec < 0) {
      w.str('[timestamp overflow]');
      return;
    }
    const minute = Math.floor(sec / 60);
    const key = withDate ? minute * 2 + 1 : minute * 2;
    let s: number;
    if (key === this.minuteKey) {
      s = sec - minute * 60;
    } else {
      const d = new Date(sec * 1000);
      const utc = this.utc;
      const hh = utc ? d.getUTCHours() : d.getHours();
      const mm = utc ? d.getUTCMinutes() : d.getMinutes();
      s = utc ? d.getUTCSeconds() : d.getSeconds();
      let prefix = PAD2[hh]! + ':' + PAD2[mm]! + ':';
      if (withDate) {
        const y = utc ? d.getUTCFullYear() : d.getFullYear();
        const mo = utc ? d.getUTCMonth() : d.getMonth();
        const day = utc ? d.getUTCDate() : d.getDate();
        prefix = String(y).padStart(4, '0') + '-' + PAD2[mo + 1]! + '-' + PAD2[day]! + ' ' + prefix;
      }
      this.minutePrefix = prefix;
      // Reusable for the rest of the UTC minute only when the zone offset is
      // whole minutes (old local mean times are not).
      this.minuteKey = s === sec - minute * 60 ? key : NaN;
    }
    w.str(this.minutePrefix);
    w.uPad(s, 2);
    w.ch(46);
    w.uPad(frac, this.width);
  }

  private delta(w: Line, sec: number, frac: number): void {
    if (this.refSec === 0 && this.refFrac === 0) {
      this.refSec = sec;
      this.refFrac = frac;
    }
    const negative = sec < this.refSec || (sec === this.refSec && frac < this.refFrac);
    let ds: number;
    let df: number;
    if (negative) {
      ds = this.refSec - sec;
      df = this.refFrac - frac;
    } else {
      ds = sec - this.refSec;
      df = frac - this.refFrac;
    }
    if (df < 0) {
      ds -= 1;
      df += this.unitsPerSec;
    }
    if (this.style === 'ttt') {
      this.refSec = sec;
      this.refFrac = frac;
    }
    // The delta is printed as a time of day (gmtime), so whole days wrap.
    const day = ((ds % 86400) + 86400) % 86400;
    w.ch(negative ? 45 : 32);
    w.uPad(Math.floor(day / 3600), 2);
    w.ch(58);
    w.uPad(Math.floor(day / 60) % 60, 2);
    w.ch(58);
    w.uPad(day % 60, 2);
    w.ch(46);
    w.uPad(df, this.width);
  }
}
