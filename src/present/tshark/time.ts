/**
 * Time column texts of tshark's `-t` formats. Every computation stays in
 * integer seconds and nanoseconds so that deltas of epoch timestamps keep all
 * nine digits.
 */
import { decimalDigits, putNineDigits, putU } from '../digits.js';
import { ascii, MAX_NUM_BYTES, putBytes, putSpaces } from './line.js';

export type TimeFormat = 'r' | 'a' | 'ad' | 'd' | 'dd' | 'e' | 'u' | 'ud';

export const TIME_FORMATS: readonly TimeFormat[] = ['r', 'a', 'ad', 'd', 'dd', 'e', 'u', 'ud'];

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];

/** ".ffffff" with `digits` digits of `nsec` (truncated), or "" for whole seconds. */
const ZEROS = ['', '0', '00', '000', '0000', '00000', '000000', '0000000', '00000000', '000000000'];

export function fraction(nsec: number, digits: number): string {
  if (digits <= 0) return '';
  const d = digits > 9 ? 9 : digits;
  const v = String(Math.floor(nsec / POW10[9 - d]!));
  return '.' + ZEROS[d - v.length] + v;
}

/** Signed difference a - b as "[-]S.fff". */
export function deltaString(aSec: number, aNsec: number, bSec: number, bNsec: number, digits: number): string {
  let sec = aSec - bSec;
  let nsec = aNsec - bNsec;
  if (nsec < 0) { sec -= 1; nsec += 1e9; }
  let sign = '';
  if (sec < 0) {
    sign = '-';
    if (nsec > 0) { sec = -sec - 1; nsec = 1e9 - nsec; } else sec = -sec;
  }
  return sign + sec + fraction(nsec, digits);
}

/** Bytes `putDelta` writes at most beyond its padding width. */
export const MAX_DELTA_BYTES = 1 + MAX_NUM_BYTES + 1 + 9;

/**
 * `deltaString` written at `p` of a buffer with room for `width` +
 * MAX_DELTA_BYTES bytes, right-aligned in `width` characters: the packet
 * list's time column without an intermediate string. Returns the next position.
 */
export function putDelta(b: Uint8Array, v: DataView, p: number, aSec: number, aNsec: number, bSec: number, bNsec: number, digits: number, width: number): number {
  // The borrow without a branch: one first taken at a capture's first whole second threw away the compiled list code.
  const borrow = aNsec < bNsec ? 1 : 0;
  let sec = aSec - bSec - borrow;
  let nsec = aNsec - bNsec + borrow * 1e9;
  let negative = false;
  if (sec < 0) {
    negative = true;
    if (nsec > 0) { sec = -sec - 1; nsec = 1e9 - nsec; } else sec = -sec;
  }
  if (!Number.isSafeInteger(sec)) {
    // Not a capture's timestamps (those are whole seconds): the string path, at the cost of a string.
    const text = deltaString(aSec, aNsec, bSec, bNsec, digits);
    return putBytes(b, putSpaces(b, p, width - text.length), ascii(text));
  }
  const d = digits <= 0 ? 0 : digits > 9 ? 9 : digits;
  p = putSpaces(b, p, width - (negative ? 1 : 0) - decimalDigits(sec) - (d === 0 ? 0 : d + 1));
  if (negative) b[p++] = 45;
  p = putU(v, p, sec);
  if (d === 0) return p;
  b[p] = 46;
  // All nine digits of the fraction, of which the first d stay (the room above holds nine).
  putNineDigits(v, p + 1, nsec);
  return p + 1 + d;
}

function two(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Calendar text of whole seconds, cached for the last second seen: packets
 * arrive in bursts within one second, so most calls are a string compare.
 */
export class ClockText {
  private lastSec = NaN;
  private lastText = '';
  constructor(private readonly utc: boolean, private readonly withDate: boolean) {}

  format(sec: number): string {
    if (sec === this.lastSec) return this.lastText;
    const d = new Date(sec * 1000);
    const hms = this.utc
      ? `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`
      : `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
    let text = hms;
    if (this.withDate) {
      const y = this.utc ? d.getUTCFullYear() : d.getFullYear();
      const m = (this.utc ? d.getUTCMonth() : d.getMonth()) + 1;
      const day = this.utc ? d.getUTCDate() : d.getDate();
      text = `${y}-${two(m)}-${two(day)} ${hms}`;
    }
    this.lastSec = sec;
    this.lastText = text;
    return text;
  }
}

/** "Jan 13, 2020 15:51:06.676845000 UTC", as the Arrival Time of tshark's frame tree. */
export function arrivalTimeString(sec: number, nsec: number): string {
  const d = new Date(sec * 1000);
  const day = d.getDate();
  return `${MONTHS[d.getMonth()]} ${day < 10 ? ' ' + day : day}, ${d.getFullYear()} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}${fraction(nsec, 9)} ${zoneName(d)}`;
}

let zoneFormat: Intl.DateTimeFormat | undefined;
let zoneHour = NaN;
let zoneText = 'UTC';

/** The zone abbreviation at a time; zones change on the hour at most, so it is kept per hour. */
function zoneName(d: Date): string {
  const hour = Math.floor(d.getTime() / 3_600_000);
  if (hour !== zoneHour) {
    zoneFormat ??= new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' });
    zoneText = zoneFormat.formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? 'UTC';
    zoneHour = hour;
  }
  return zoneText;
}
