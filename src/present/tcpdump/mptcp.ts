/**
 * The text tcpdump (master) prints for an MPTCP option after the word
 * `mptcp`: ` <length> <subtype name>` and the subtype's fields. tcpdump only
 * accepts a subtype form in the TCP segment it belongs to (a 12-byte
 * MP_CAPABLE only on a SYN, a DSS never on a SYN...) and prints `[bad opt]`
 * after whatever it printed so far otherwise; those rules are mirrored here.
 *
 * Fields come from the decoded option where it has them. Where the decoder
 * rejected a form that tcpdump still prints (a v0 MP_CAPABLE with a v1
 * length, a DSS whose length disagrees with its flags...), and for fixed-size
 * numbers printed faster from their words than from BigInts, they are read
 * from the option bytes the Repr keeps, at the offsets tcpdump reads them from.
 */
import type { TcpOptMptcp } from '../../wire/types.js';
import { ipv4BytesString, ipv6String } from './addr.js';
import type { Line } from './line.js';

const SYN = 0x02;
const ACK = 0x10;

const SUBTYPE_NAMES = [' capable', ' join', ' dss', ' add-addr', ' rem-addr', ' prio', ' fail', ' fast-close', ' tcprst'];

const TCPRST_REASONS = [
  'Unspecified error', 'MPTCP-specific error', 'Lack of resources', 'Administratively prohibited',
  'Too much outstanding data', 'Unacceptable performance', 'Middlebox interference',
];

/** Letters of the set bits, most significant first (tcpdump's `bittok2str_nosep`), or `none`. */
function flagLetters(value: number, letters: string): string {
  let s = '';
  const top = 1 << (letters.length - 1);
  for (let i = 0, bit = top; bit !== 0; i++, bit >>>= 1) if (value & bit) s += letters[i]!;
  return s === '' ? 'none' : s;
}

function u16(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
}

function u32(b: Uint8Array, o: number): number {
  return (u16(b, o) * 65536 + u16(b, o + 2)) >>> 0;
}

/** Hex of the 64-bit value at `o` (`0x%llx` without the prefix). */
function hex64At(w: Line, b: Uint8Array, o: number): void {
  w.hex64(u32(b, o), u32(b, o + 4));
}

/** Hex of a 64-bit BigInt field. */
function hex64Big(w: Line, v: bigint): void {
  w.hex64(Number(v >> 32n), Number(v & 0xffffffffn));
}

/**
 * Writes an MPTCP option of a segment with TCP flags `tcpFlags`: everything
 * after the word `mptcp`. Returns false when tcpdump would print `[bad opt]`
 * after what was written.
 */
export function writeMptcpOption(w: Line, opt: TcpOptMptcp, tcpFlags: number): boolean {
  const len = opt.length;
  if (len < 3) return false;
  const raw = opt.raw;
  const subtype = raw[2]! >> 4;
  w.ch(32);
  w.u(len);
  w.str(subtype < SUBTYPE_NAMES.length ? SUBTYPE_NAMES[subtype]! : ' unknown');
  switch (subtype) {
    case 0: return capable(w, opt, len, tcpFlags);
    case 1: return join(w, opt, len, tcpFlags);
    case 2: return dss(w, raw, len, tcpFlags);
    case 3: return addAddr(w, opt, len);
    case 4: return removeAddr(w, opt, len);
    case 5: {
      if (len !== 3 && len !== 4) return false;
      const m = opt.mptcp;
      const backup = m.name === 'MP_PRIO' ? m.backup : (raw[2]! & 1) !== 0;
      w.str(backup ? ' backup' : ' non-backup');
      if (len === 4) {
        w.str(' id ');
        w.u(m.name === 'MP_PRIO' && m.addrId !== undefined ? m.addrId : raw[3]!);
      }
      return true;
    }
    case 6: {
      if (len !== 12) return false;
      w.str(' seq ');
      w.u64(u32(raw, 4), u32(raw, 8));
      return true;
    }
    case 7: {
      if (len !== 12) return false;
      const m = opt.mptcp;
      w.str(' key 0x');
      if (m.name === 'MP_FASTCLOSE') hex64Big(w, m.receiverKey);
      else hex64At(w, raw, 4);
      return true;
    }
    case 8: {
      if (len !== 4) return false;
      const m = opt.mptcp;
      const flags = m.name === 'MP_TCPRST' ? m.flags : raw[2]! & 0x0f;
      const reason = m.name === 'MP_TCPRST' ? m.reason : raw[3]!;
      w.str(' flags [' + flagLetters(flags, 'UVWT') + '] reason ');
      if (reason < TCPRST_REASONS.length) {
        w.str(TCPRST_REASONS[reason]!);
      } else {
        w.str('unknown (0x');
        w.hex2(reason);
        w.ch(41);
      }
      return true;
    }
    default:
      return true;
  }
}

function capable(w: Line, opt: TcpOptMptcp, len: number, flags: number): boolean {
  const onSyn = (len === 12 || len === 4) && (flags & SYN) !== 0;
  const onAck = (len === 20 || len === 22 || len === 24) && (flags & (SYN | ACK)) === ACK;
  if (!onSyn && !onAck) return false;
  const m = opt.mptcp;
  const raw = opt.raw;
  const typed = m.name === 'MP_CAPABLE';
  const version = typed ? m.version : raw[2]! & 0x0f;
  if (version > 1) {
    w.str(' Unknown Version (');
    w.u(version);
    w.ch(41);
    return true;
  }
  const f = typed ? m.flags : raw[3]!;
  w.str(' v');
  w.u(version);
  w.str(' flags [' + flagLetters(f, 'ABCDEFGH') + ']');
  const csum = (f & 0x80) !== 0;
  if (csum) w.str(' csum');
  if (len === 12 || len >= 20) {
    w.str(' {0x');
    if (typed && m.senderKey !== undefined) hex64Big(w, m.senderKey);
    else hex64At(w, raw, 4);
    if (len >= 20) {
      w.str(',0x');
      if (typed && m.receiverKey !== undefined) hex64Big(w, m.receiverKey);
      else hex64At(w, raw, 12);
    }
    if ((len === 22 && !csum) || len === 24) {
      w.str(',data_len=');
      w.u(typed && m.dataLength !== undefined ? m.dataLength : u16(raw, 20));
    }
    w.ch(125);
  }
  return true;
}

function join(w: Line, opt: TcpOptMptcp, len: number, flags: number): boolean {
  const ok = (len === 12 && (flags & SYN) !== 0)
    || (len === 16 && (flags & (SYN | ACK)) === (SYN | ACK))
    || (len === 24 && (flags & ACK) !== 0);
  if (!ok) return false;
  const raw = opt.raw;
  if (len !== 24) {
    if (raw[2]! & 1) w.str(' backup');
    w.str(' id ');
    w.u(raw[3]!);
  }
  if (len === 12) {
    w.str(' token 0x');
    w.hex(u32(raw, 4));
    w.str(' nonce 0x');
    w.hex(u32(raw, 8));
  } else if (len === 16) {
    w.str(' hmac 0x');
    hex64At(w, raw, 4);
    w.str(' nonce 0x');
    w.hex(u32(raw, 12));
  } else {
    w.str(' hmac 0x');
    for (let i = 4; i < 24; i++) w.hex2(raw[i]!);
  }
  return true;
}

/** DSS: its numbers are read from the option bytes, as hi/lo words rather than BigInt. */
function dss(w: Line, raw: Uint8Array, len: number, flags: number): boolean {
  if (len < 4 || (flags & SYN) !== 0) return false;
  const f = raw[3]!;
  if (f & 0x10) w.str(' fin');
  let p = 4;
  if (f & 0x01) {
    w.str(' ack ');
    const width = f & 0x02 ? 8 : 4;
    if (len - p < width) return false;
    if (width === 8) w.u64(u32(raw, p), u32(raw, p + 4));
    else w.u(u32(raw, p));
    p += width;
  }
  if (f & 0x04) {
    w.str(' seq ');
    const width = f & 0x08 ? 8 : 4;
    if (len - p < width) return false;
    if (width === 8) w.u64(u32(raw, p), u32(raw, p + 4));
    else w.u(u32(raw, p));
    p += width;
    if (len - p < 4) return false;
    w.str(' subseq ');
    w.u(u32(raw, p));
    p += 4;
    if (len - p < 2) return false;
    w.str(' len ');
    w.u(u16(raw, p));
    p += 2;
    if (len - p >= 2) {
      w.str(' csum 0x');
      w.hex(u16(raw, p));
      p += 2;
    }
  }
  return p === len;
}

const ADD_ADDR_KINDS: Record<number, string> = { 6: ' v0-ip6', 4: ' v0-ip4', 1: ' v1-echo', 0: ' v1' };

function addAddr(w: Line, opt: TcpOptMptcp, len: number): boolean {
  const v4 = len === 8 || len === 10 || len === 16 || len === 18;
  const v6 = len === 20 || len === 22 || len === 28 || len === 30;
  if (!v4 && !v6) return false;
  const raw = opt.raw;
  // The low nibble mixes the v0 IP version and the v1 echo bit; tcpdump names the four legal values.
  w.str(ADD_ADDR_KINDS[raw[2]! & 0x0f] ?? ' [bad version/echo]');
  w.str(' id ');
  w.u(raw[3]!);
  w.ch(32);
  w.str(v4 ? ipv4BytesString(raw, 4) : ipv6String(raw, 4));
  const end = v4 ? 8 : 20;
  const withPort = len === end + 2 || len === end + 10;
  if (withPort) {
    w.ch(58);
    w.u(u16(raw, end));
  }
  if (len >= end + 8) {
    w.str(' hmac 0x');
    hex64At(w, raw, withPort ? end + 2 : end);
  }
  return true;
}

function removeAddr(w: Line, opt: TcpOptMptcp, len: number): boolean {
  if (len < 4) return false;
  w.str(' id');
  const m = opt.mptcp;
  if (m.name === 'REMOVE_ADDR') {
    for (const id of m.addrIds) {
      w.ch(32);
      w.u(id);
    }
  } else {
    for (let i = 3; i < len; i++) {
      w.ch(32);
      w.u(opt.raw[i]!);
    }
  }
  return true;
}
