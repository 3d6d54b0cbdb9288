/**
 * The `options [...]` list of a TCP line, option by option as tcpdump prints
 * them (`mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7,mptcp 4 capable v1 flags [H]`).
 * Malformed lengths print as tcpdump does: `[len N]` after an option whose
 * length byte disagrees with its kind, `[bad opt]` where tcpdump gives up.
 */
import type { TcpOptMptcp, TcpOption } from '../../wire/types.js';
import { hex, hex2, hex4, hexBytes } from './addr.js';
import { formatMptcpOption } from './mptcp.js';
import type { SeqResult } from './seq.js';

const NAMES: Record<number, string> = {
  0: 'eol', 1: 'nop', 2: 'mss', 3: 'wscale', 4: 'sackOK', 5: 'sack', 6: 'echo', 7: 'echoreply', 8: 'TS',
  11: 'cc', 12: 'ccnew', 13: 'ccecho', 19: 'md5', 20: 'scps', 28: 'uto', 29: 'tcp-ao', 30: 'mptcp',
  34: 'tfo', 254: 'exp',
};

/** Data bytes tcpdump reads for the kinds that have a fixed size, whatever the length byte says. */
function fixedData(kind: number): number {
  switch (kind) {
    case 2: return 2;
    case 3: return 1;
    case 6: case 7: case 11: case 12: case 13: return 4;
    case 8: return 8;
    case 19: return 16;
    case 20: return 2;
    case 28: return 2;
    case 0: case 1: case 4: return 0;
    default: return -1;
  }
}

/** How the option list ended: normally, on `[bad opt]`, or cut by the capture. */
export const enum OptEnd { Ok, Bad, Truncated }

export interface OptionsText {
  text: string;
  end: OptEnd;
  /**
   * An MPTCP option was printed. tcpdump then names later truncations
   * `[|mptcp]`, its protocol label staying on the last printer that set it.
   */
  mptcp: boolean;
}

const out: OptionsText = { text: '', end: OptEnd.Ok, mptcp: false };

function u16(d: Uint8Array, p: number): number { return (d[p]! << 8) | d[p + 1]!; }
function u32(d: Uint8Array, p: number): number { return ((d[p]! << 24) | (d[p + 1]! << 16) | (d[p + 2]! << 8) | d[p + 3]!) >>> 0; }

function fastOpen(cookie: Uint8Array): string {
  const n = cookie.length;
  if (n === 0) return ' cookiereq';
  if (n % 2 !== 0 || n < 4 || n > 16) return ' (invalid)';
  return ' cookie ' + hexBytes(cookie);
}

/** Stand-in Repr for an MPTCP option at a position the decoder did not walk to (see below). */
function looseMptcp(data: Uint8Array, at: number, len: number): TcpOptMptcp {
  const raw = data.subarray(at, at + len);
  return { type: 'mptcp', kind: 30, offset: at, length: len, raw, mptcp: { name: 'UNKNOWN', subtype: raw[2]! >> 4, length: len, data: raw.subarray(2) } };
}

/**
 * Formats the options of a header of `hlen` bytes (data offset * 4) at
 * `tcpOffset`. `data` is the frame, `capEnd` where the readable bytes end,
 * `flags` the TCP flags, `sq` the relative sequence state for SACK blocks
 * (undefined: absolute). The result is reused by the next call.
 *
 * The walk follows tcpdump's, which steps over the bytes it reads for a kind
 * of fixed size rather than over the length byte: after such an option with a
 * wrong length it no longer meets the decoder's options, and goes on from the
 * bytes. Decoded options are used wherever the two walks agree.
 */
export function formatTcpOptions(
  options: readonly TcpOption[], tcpOffset: number, hlen: number, data: Uint8Array, capEnd: number, flags: number, sq: SeqResult | undefined,
): OptionsText {
  let s = ', options [';
  let ch = '';
  let left = hlen - 20;
  let at = tcpOffset + 20;
  let next = 0;
  out.end = OptEnd.Ok;
  out.mptcp = false;
  while (left !== 0) {
    s += ch;
    if (at >= capEnd) return trunc(s);
    const kind = data[at]!;
    let len = 1;
    if (kind > 1) {
      if (at + 1 >= capEnd) return trunc(s);
      len = data[at + 1]!;
      if (len < 2 || len > left) return bad(s, ch);
      left--;
    }
    left--;
    s += NAMES[kind] ?? 'unknown-' + kind;
    const fixed = fixedData(kind);
    let datalen = fixed >= 0 ? fixed : len - 2;
    if (datalen > left) return bad(s, ch);
    const p = at + (kind > 1 ? 2 : 1);
    // Whatever tcpdump reads must have been captured; the kinds it prints byte
    // by byte show what was there first.
    if (p + datalen > capEnd && kind !== 5) {
      if (kind === 29 && datalen >= 2) {
        if (p + 1 > capEnd) return trunc(s);
        s += ' keyid ' + data[p]!;
        if (p + 2 > capEnd) return trunc(s);
        s += ' rnextkeyid ' + data[p + 1]!;
        if (datalen > 2) s += ' mac 0x' + hexBytes(data, p + 2, Math.max(p + 2, capEnd));
      } else if (fixed < 0 && kind !== 30 && kind !== 34 && kind !== 254 && datalen > 0) {
        s += ' 0x' + hexBytes(data, p, Math.max(p, capEnd));
      }
      return trunc(s);
    }
    switch (kind) {
      case 2: case 20: case 28: {
        const v = u16(data, p);
        if (kind === 2) s += ' ' + v;
        else if (kind === 20) s += ' cap ' + hex2(data[p]!) + ' id ' + data[p + 1]!;
        else s += ' 0x' + hex(v) + ' ' + (v & 1 ? (v >>> 1) * 60 : v >>> 1);
        break;
      }
      case 3:
        s += ' ' + data[p]!;
        break;
      case 5: {
        if (datalen % 8 !== 0) {
          s += ' invalid sack';
          break;
        }
        s += ' ' + datalen / 8 + ' ';
        for (let b = 0; b < datalen; b += 8) {
          if (p + b + 8 > capEnd) return trunc(s);
          let l = u32(data, p + b);
          let r = u32(data, p + b + 4);
          if (sq !== undefined) {
            const base = sq.rev ? sq.thSeq : sq.thAck;
            l = (l - base) >>> 0;
            r = (r - base) >>> 0;
          }
          s += '{' + l + ':' + r + '}';
        }
        break;
      }
      case 6: case 7: case 11: case 12: case 13:
        s += ' ' + u32(data, p);
        break;
      case 8:
        s += ' val ' + u32(data, p) + ' ecr ' + u32(data, p + 4);
        break;
      case 19:
        s += " shared secret not supplied with -M, can't check - " + hexBytes(data, p, p + 16);
        break;
      case 29:
        if (datalen < 2) {
          s += ' (invalid)';
        } else {
          s += ' keyid ' + data[p]! + ' rnextkeyid ' + data[p + 1]!;
          if (datalen > 2) s += ' mac 0x' + hexBytes(data, p + 2, p + datalen);
        }
        break;
      case 30: {
        while (next < options.length && options[next]!.offset < at) next++;
        const o = options[next];
        const m = formatMptcpOption(o !== undefined && o.offset === at && o.type === 'mptcp' ? o : looseMptcp(data, at, len), flags);
        s += m.text;
        out.mptcp = true;
        if (m.bad) return bad(s, ch);
        break;
      }
      case 34:
        s += ' ' + fastOpen(data.subarray(p, p + datalen));
        break;
      case 254: {
        if (datalen < 2) return bad(s, ch);
        const magic = u16(data, p);
        s += '-';
        s += magic === 0xf989 ? 'tfo' + fastOpen(data.subarray(p + 2, p + datalen)) : hex4(magic);
        break;
      }
      default:
        if (datalen > 0) s += ' 0x' + hexBytes(data, p, p + datalen);
        break;
    }
    left -= datalen;
    at = p + datalen;
    datalen += kind > 1 ? 2 : 1;
    if (datalen !== len) s += '[len ' + len + ']';
    ch = ',';
    if (kind === 0) break;
  }
  out.text = s + ']';
  return out;
}

function bad(s: string, ch: string): OptionsText {
  out.text = s + '[bad opt]' + (ch !== '' ? ']' : '');
  out.end = OptEnd.Bad;
  return out;
}

function trunc(s: string): OptionsText {
  out.text = s + (out.mptcp ? ' [|mptcp]' : ' [|tcp]');
  out.end = OptEnd.Truncated;
  return out;
}
