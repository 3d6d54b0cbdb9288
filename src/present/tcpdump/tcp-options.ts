/**
 * The `options [...]` list of a TCP line, option by option as tcpdump prints
 * them (`mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7,mptcp 4 capable v1 flags [H]`).
 * Malformed lengths print as tcpdump does: `[len N]` after an option whose
 * length byte disagrees with its kind, `[bad opt]` where tcpdump gives up.
 */
import { u16, u32 } from '../../wire/bytes.js';
import type { TcpOptMptcp, TcpOption } from '../../wire/types.js';
import { hexBytes } from './addr.js';
import type { Line } from './line.js';
import { writeMptcpOption } from './mptcp.js';
import type { SeqResult } from './seq.js';

/** Option names by kind (`unknown-N` for the rest). */
const NAMES: string[] = [];
for (let k = 0; k < 256; k++) NAMES.push('unknown-' + k);
for (const [k, n] of Object.entries({
  0: 'eol', 1: 'nop', 2: 'mss', 3: 'wscale', 4: 'sackOK', 5: 'sack', 6: 'echo', 7: 'echoreply', 8: 'TS',
  11: 'cc', 12: 'ccnew', 13: 'ccecho', 19: 'md5', 20: 'scps', 28: 'uto', 29: 'tcp-ao', 30: 'mptcp',
  34: 'tfo', 254: 'exp',
})) NAMES[Number(k)] = n;

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

/**
 * How the option list ended: normally, on `[bad opt]`, or cut by the capture;
 * `Mptcp` is set on top when an MPTCP option was printed (tcpdump then names
 * later truncations `[|mptcp]`, its protocol label staying on the last printer
 * that set it).
 */
export const enum OptEnd { Ok = 0, Bad = 1, Truncated = 2, Mptcp = 4 }


function fastOpen(w: Line, d: Uint8Array, from: number, to: number): void {
  const n = to - from;
  if (n === 0) w.str(' cookiereq');
  else if (n % 2 !== 0 || n < 4 || n > 16) w.str(' (invalid)');
  else w.str(' cookie ' + hexBytes(d, from, to));
}

/** Stand-in Repr for an MPTCP option at a position the decoder did not walk to (see below). */
function looseMptcp(data: Uint8Array, at: number, len: number): TcpOptMptcp {
  const raw = data.subarray(at, at + len);
  return { type: 'mptcp', kind: 30, offset: at, length: len, raw, mptcp: { name: 'UNKNOWN', subtype: raw[2]! >> 4, length: len, data: raw.subarray(2) } };
}

/**
 * Writes `, options [...]` for a header of `hlen` bytes (data offset * 4) at
 * `tcpOffset`. `data` is the frame, `capEnd` where the readable bytes end,
 * `flags` the TCP flags, `sq` the relative sequence state for SACK blocks
 * (undefined: absolute).
 *
 * The walk follows tcpdump's, which steps over the bytes it reads for a kind
 * of fixed size rather than over the length byte: after such an option with a
 * wrong length it no longer meets the decoder's options, and goes on from the
 * bytes. Decoded options are used wherever the two walks agree.
 */
export function writeTcpOptions(
  w: Line, options: readonly TcpOption[], tcpOffset: number, hlen: number, data: Uint8Array, capEnd: number,
  flags: number, sq: SeqResult | undefined,
): number {
  w.str(', options [');
  let first = true;
  let left = hlen - 20;
  let at = tcpOffset + 20;
  let next = 0;
  let mptcp = 0;
  while (left !== 0) {
    if (!first) w.ch(44);
    if (at >= capEnd) return trunc(w, mptcp);
    const kind = data[at]!;
    let len = 1;
    if (kind > 1) {
      if (at + 1 >= capEnd) return trunc(w, mptcp);
      len = data[at + 1]!;
      if (len < 2 || len > left) return bad(w, first, mptcp);
      left--;
    }
    left--;
    w.str(NAMES[kind]!);
    const fixed = fixedData(kind);
    let datalen = fixed >= 0 ? fixed : len - 2;
    if (datalen > left) return bad(w, first, mptcp);
    const p = at + (kind > 1 ? 2 : 1);
    // Whatever tcpdump reads must have been captured; the kinds it prints byte
    // by byte show what was there first.
    if (p + datalen > capEnd && kind !== 5) {
      if (kind === 29 && datalen >= 2) {
        if (p + 1 > capEnd) return trunc(w, mptcp);
        w.str(' keyid ');
        w.u(data[p]!);
        if (p + 2 > capEnd) return trunc(w, mptcp);
        w.str(' rnextkeyid ');
        w.u(data[p + 1]!);
        if (datalen > 2) w.str(' mac 0x' + hexBytes(data, p + 2, Math.max(p + 2, capEnd)));
      } else if (fixed < 0 && kind !== 30 && kind !== 34 && kind !== 254 && datalen > 0) {
        w.str(' 0x' + hexBytes(data, p, Math.max(p, capEnd)));
      }
      return trunc(w, mptcp);
    }
    switch (kind) {
      case 2:
        w.ch(32);
        w.u(u16(data, p));
        break;
      case 20:
        w.str(' cap ');
        w.hex2(data[p]!);
        w.str(' id ');
        w.u(data[p + 1]!);
        break;
      case 28: {
        const v = u16(data, p);
        w.str(' 0x');
        w.hex(v);
        w.ch(32);
        w.u(v & 1 ? (v >>> 1) * 60 : v >>> 1);
        break;
      }
      case 3:
        w.ch(32);
        w.u(data[p]!);
        break;
      case 5: {
        if (datalen % 8 !== 0) {
          w.str(' invalid sack');
          break;
        }
        w.ch(32);
        w.u(datalen / 8);
        w.ch(32);
        const base = sq === undefined ? 0 : sq.rev ? sq.thSeq : sq.thAck;
        for (let b = 0; b < datalen; b += 8) {
          if (p + b + 8 > capEnd) return trunc(w, mptcp);
          w.ch(123);
          w.u((u32(data, p + b) - base) >>> 0);
          w.ch(58);
          w.u((u32(data, p + b + 4) - base) >>> 0);
          w.ch(125);
        }
        break;
      }
      case 6: case 7: case 11: case 12: case 13:
        w.ch(32);
        w.u(u32(data, p));
        break;
      case 8:
        w.str(' val ');
        w.u(u32(data, p));
        w.str(' ecr ');
        w.u(u32(data, p + 4));
        break;
      case 19:
        w.str(" shared secret not supplied with -M, can't check - " + hexBytes(data, p, p + 16));
        break;
      case 29:
        if (datalen < 2) {
          w.str(' (invalid)');
        } else {
          w.str(' keyid ');
          w.u(data[p]!);
          w.str(' rnextkeyid ');
          w.u(data[p + 1]!);
          if (datalen > 2) w.str(' mac 0x' + hexBytes(data, p + 2, p + datalen));
        }
        break;
      case 30: {
        while (next < options.length && options[next]!.offset < at) next++;
        const o = options[next];
        mptcp = OptEnd.Mptcp;
        if (!writeMptcpOption(w, o !== undefined && o.offset === at && o.type === 'mptcp' ? o : looseMptcp(data, at, len), flags)) {
          return bad(w, first, mptcp);
        }
        break;
      }
      case 34:
        w.ch(32);
        fastOpen(w, data, p, p + datalen);
        break;
      case 254: {
        if (datalen < 2) return bad(w, first, mptcp);
        const magic = u16(data, p);
        w.ch(45);
        if (magic === 0xf989) {
          w.str('tfo');
          fastOpen(w, data, p + 2, p + datalen);
        } else {
          w.hex2(magic >>> 8);
          w.hex2(magic & 0xff);
        }
        break;
      }
      default:
        if (datalen > 0) w.str(' 0x' + hexBytes(data, p, p + datalen));
        break;
    }
    left -= datalen;
    at = p + datalen;
    datalen += kind > 1 ? 2 : 1;
    if (datalen !== len) {
      w.str('[len ');
      w.u(len);
      w.ch(93);
    }
    first = false;
    if (kind === 0) break;
  }
  w.ch(93);
  return OptEnd.Ok | mptcp;
}

function bad(w: Line, first: boolean, mptcp: number): number {
  w.str(first ? '[bad opt]' : '[bad opt]]');
  return OptEnd.Bad | mptcp;
}

function trunc(w: Line, mptcp: number): number {
  w.str(mptcp ? ' [|mptcp]' : ' [|tcp]');
  return OptEnd.Truncated | mptcp;
}
