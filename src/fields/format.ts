/**
 * Canonical spellings of field values, as tshark writes them in `-T fields`
 * and JSON output: decimal integers, `0x`-padded hex to the type's width,
 * dotted quads, compressed IPv6, colon-separated MACs, bare or
 * colon-separated hex bytes, seconds with nine decimals, booleans as 1/0.
 */
import { ipv4ToString } from '../wire/ipv4.js';
import type { FieldBase, FieldType, FieldValue, TimeValue } from './types.js';

const HEX2: string[] = [];
for (let i = 0; i < 256; i++) HEX2.push((i < 16 ? '0' : '') + i.toString(16));

/** Lowercase hex of every byte, joined by `sep`. */
export function bytesHex(b: Uint8Array, sep = ''): string {
  if (b.length === 0) return '';
  let s = HEX2[b[0]!]!;
  for (let i = 1; i < b.length; i++) s += sep + HEX2[b[i]!]!;
  return s;
}

/** A dotted quad: the wire module's spelling, which is tshark's. */
export { ipv4ToString as ipv4Text };

export function etherText(b: Uint8Array): string {
  return bytesHex(b, ':');
}

/**
 * Text of the 16-byte IPv6 address at `off`, as inet_ntop writes it (tshark
 * and tcpdump alike): the first longest run of two or more zero words
 * becomes `::`, and IPv4-mapped (`::ffff:a.b.c.d`) and IPv4-compatible
 * (`::a.b.c.d`) addresses end in a dotted quad. The wire module's
 * ipv6ToString follows RFC 5952 strictly and writes the latter in hex words.
 */
export function ipv6Text(b: Uint8Array, off = 0): string {
  // Longest run of zero words (the first one on ties), only when two or more long.
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    const w = (b[off + 2 * i]! << 8) | b[off + 2 * i + 1]!;
    if (w === 0) {
      if (curBase === -1) { curBase = i; curLen = 1; } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) { bestBase = curBase; bestLen = curLen; }
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) { bestBase = curBase; bestLen = curLen; }
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;

  let s = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) s += ':';
      continue;
    }
    if (i !== 0) s += ':';
    const w5 = (b[off + 10]! << 8) | b[off + 11]!;
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w5 === 0xffff))) {
      return s + b[off + 12]! + '.' + b[off + 13]! + '.' + b[off + 14]! + '.' + b[off + 15]!;
    }
    s += ((b[off + 2 * i]! << 8) | b[off + 2 * i + 1]!).toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) s += ':';
  return s;
}

const NS_DIGITS = 9;

/** Seconds with nine decimals, `-` for negative spans (`-0.000123000`). */
export function timeText(t: TimeValue): string {
  let sec = t.sec;
  let nsec = t.nsec;
  let sign = '';
  if (sec < 0) {
    sign = '-';
    if (nsec > 0) {
      sec = -sec - 1;
      nsec = 1_000_000_000 - nsec;
    } else sec = -sec;
  }
  return `${sign}${sec}.${String(nsec).padStart(NS_DIGITS, '0')}`;
}

/** A span held as seconds (as analysis annotations hold them), to the nearest nanosecond. */
export function secondsToTime(seconds: number): TimeValue {
  const ns = Math.round(seconds * 1e9);
  const sec = Math.floor(ns / 1e9);
  return { sec, nsec: ns - sec * 1e9 };
}

/** `a - b`, normalised so that 0 <= nsec < 1e9. */
export function timeDiff(a: TimeValue, b: TimeValue): TimeValue {
  let sec = a.sec - b.sec;
  let nsec = a.nsec - b.nsec;
  if (nsec < 0) {
    nsec += 1_000_000_000;
    sec -= 1;
  }
  return { sec, nsec };
}

const HEX_WIDTH: Partial<Record<FieldType, number>> = { uint8: 2, uint16: 4, uint24: 6, uint32: 8, uint64: 16, int32: 8 };

function isTime(v: FieldValue): v is TimeValue {
  return typeof v === 'object' && !(v instanceof Uint8Array);
}

/** How bytes are joined: tshark's `-T fields` writes them bare, its JSON colon-separated. */
export type BytesStyle = 'plain' | 'colon';

/**
 * One value as tshark writes it. `type` and `base` decide the spelling of
 * numbers (an ipv4 field holds a number, a hex field pads to its width).
 */
export function formatValue(v: FieldValue, type: FieldType, base: FieldBase, bytes: BytesStyle = 'plain'): string {
  switch (typeof v) {
    case 'boolean':
      return v ? '1' : '0';
    case 'string':
      return v;
    case 'number':
      if (type === 'ipv4') return ipv4ToString(v);
      if (base === 'hex' || base === 'hex_dec') {
        const n = type === 'int32' ? v >>> 0 : v;
        return '0x' + n.toString(16).padStart(HEX_WIDTH[type] ?? 0, '0');
      }
      return String(v);
    case 'bigint':
      if (base === 'hex' || base === 'hex_dec') return '0x' + v.toString(16).padStart(HEX_WIDTH[type] ?? 0, '0');
      return v.toString();
    default:
      if (isTime(v)) return type === 'abstime' ? absTimeText(v) : timeText(v);
      if (type === 'ipv6') return ipv6Text(v);
      if (type === 'ether') return etherText(v);
      return bytesHex(v, bytes === 'colon' ? ':' : '');
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
let zoneName: string | undefined;

function localZoneName(at: Date): string {
  if (zoneName === undefined) {
    const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(at).find((p) => p.type === 'timeZoneName');
    zoneName = part?.value ?? 'UTC';
  }
  return zoneName;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * An absolute time in local time as tshark's `frame.time` writes it:
 * `Jan 13, 2020 15:51:06.676845000 UTC` (day padded with a space). The zone
 * is the runtime's short name for it, which is tshark's when TZ is UTC.
 */
export function absTimeText(t: TimeValue): string {
  const d = new Date(t.sec * 1000);
  const day = String(d.getDate()).padStart(2, ' ');
  const clock = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
  return `${MONTHS[d.getMonth()]} ${day}, ${d.getFullYear()} ${clock}.${String(t.nsec).padStart(NS_DIGITS, '0')} ${localZoneName(d)}`;
}
