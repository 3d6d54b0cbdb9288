/**
 * The text tcpdump (master) prints for an MPTCP option after the word
 * `mptcp`: ` <length> <subtype name>` and the subtype's fields. tcpdump only
 * accepts a subtype form in the TCP segment it belongs to (a 12-byte
 * MP_CAPABLE only on a SYN, a DSS never on a SYN...) and prints `[bad opt]`
 * after whatever it printed so far otherwise; those rules are mirrored here.
 *
 * Fields come from the decoded option. Where the decoder rejected a form that
 * tcpdump still prints (a v0 MP_CAPABLE with a v1 length, a DSS whose length
 * disagrees with its flags...), they are read from the option bytes the Repr
 * keeps, at the offsets tcpdump reads them from.
 */
import type { TcpOptMptcp } from '../../wire/types.js';
import { hex, hex64, hexBytes, ipv4BytesString, ipv6String } from './addr.js';

const SYN = 0x02;
const ACK = 0x10;

const SUBTYPE_NAMES = ['capable', 'join', 'dss', 'add-addr', 'rem-addr', 'prio', 'fail', 'fast-close', 'tcprst'];

const TCPRST_REASONS = [
  'Unspecified error', 'MPTCP-specific error', 'Lack of resources', 'Administratively prohibited',
  'Too much outstanding data', 'Unacceptable performance', 'Middlebox interference',
];

/** Result of formatting one MPTCP option; `bad` asks the caller for `[bad opt]`. */
export interface MptcpText {
  text: string;
  bad: boolean;
}

const result: MptcpText = { text: '', bad: false };

function done(text: string, bad: boolean): MptcpText {
  result.text = text;
  result.bad = bad;
  return result;
}

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

function u64(b: Uint8Array, o: number): bigint {
  return (BigInt(u32(b, o)) << 32n) | BigInt(u32(b, o + 4));
}

/**
 * Formats an MPTCP option of a segment with TCP flags `tcpFlags`. The
 * returned object is reused by the next call.
 */
export function formatMptcpOption(opt: TcpOptMptcp, tcpFlags: number): MptcpText {
  const len = opt.length;
  if (len < 3) return done('', true);
  const raw = opt.raw;
  const subtype = raw[2]! >> 4;
  const s = ' ' + len + ' ' + (subtype < SUBTYPE_NAMES.length ? SUBTYPE_NAMES[subtype]! : 'unknown');
  switch (subtype) {
    case 0: return capable(s, opt, len, tcpFlags);
    case 1: return join(s, opt, len, tcpFlags);
    case 2: return dss(s, opt, len, tcpFlags);
    case 3: return addAddr(s, opt, len);
    case 4: return removeAddr(s, opt, len);
    case 5: {
      if (len !== 3 && len !== 4) return done(s, true);
      const m = opt.mptcp;
      const backup = m.name === 'MP_PRIO' ? m.backup : (raw[2]! & 1) !== 0;
      const id = m.name === 'MP_PRIO' && m.addrId !== undefined ? m.addrId : raw[3]!;
      return done(s + (backup ? ' backup' : ' non-backup') + (len === 4 ? ' id ' + id : ''), false);
    }
    case 6: {
      if (len !== 12) return done(s, true);
      const m = opt.mptcp;
      return done(s + ' seq ' + (m.name === 'MP_FAIL' ? m.dsn : u64(raw, 4)).toString(), false);
    }
    case 7: {
      if (len !== 12) return done(s, true);
      const m = opt.mptcp;
      return done(s + ' key 0x' + hex64(m.name === 'MP_FASTCLOSE' ? m.receiverKey : u64(raw, 4)), false);
    }
    case 8: {
      if (len !== 4) return done(s, true);
      const m = opt.mptcp;
      const flags = m.name === 'MP_TCPRST' ? m.flags : raw[2]! & 0x0f;
      const reason = m.name === 'MP_TCPRST' ? m.reason : raw[3]!;
      return done(s + ' flags [' + flagLetters(flags, 'UVWT') + '] reason '
        + (TCPRST_REASONS[reason] ?? 'unknown (0x' + (reason < 16 ? '0' : '') + hex(reason) + ')'), false);
    }
    default:
      return done(s, false);
  }
}

function capable(s: string, opt: TcpOptMptcp, len: number, flags: number): MptcpText {
  const onSyn = (len === 12 || len === 4) && (flags & SYN) !== 0;
  const onAck = (len === 20 || len === 22 || len === 24) && (flags & (SYN | ACK)) === ACK;
  if (!onSyn && !onAck) return done(s, true);
  const m = opt.mptcp;
  const raw = opt.raw;
  const typed = m.name === 'MP_CAPABLE';
  const version = typed ? m.version : raw[2]! & 0x0f;
  if (version > 1) return done(s + ' Unknown Version (' + version + ')', false);
  const f = typed ? m.flags : raw[3]!;
  s += ' v' + version + ' flags [' + flagLetters(f, 'ABCDEFGH') + ']';
  const csum = (f & 0x80) !== 0;
  if (csum) s += ' csum';
  if (len === 12 || len >= 20) {
    s += ' {0x' + hex64(typed && m.senderKey !== undefined ? m.senderKey : u64(raw, 4));
    if (len >= 20) s += ',0x' + hex64(typed && m.receiverKey !== undefined ? m.receiverKey : u64(raw, 12));
    if ((len === 22 && !csum) || len === 24) s += ',data_len=' + (typed && m.dataLength !== undefined ? m.dataLength : u16(raw, 20));
    s += '}';
  }
  return done(s, false);
}

function join(s: string, opt: TcpOptMptcp, len: number, flags: number): MptcpText {
  const ok = (len === 12 && (flags & SYN) !== 0)
    || (len === 16 && (flags & (SYN | ACK)) === (SYN | ACK))
    || (len === 24 && (flags & ACK) !== 0);
  if (!ok) return done(s, true);
  const m = opt.mptcp;
  const raw = opt.raw;
  // Lengths 12, 16 and 24 always decode, so the typed fields are there.
  if (m.name !== 'MP_JOIN') return done(s, true);
  if (len !== 24) {
    if (m.backup) s += ' backup';
    s += ' id ' + m.addrId;
  }
  if (len === 12) s += ' token 0x' + hex(m.token ?? u32(raw, 4)) + ' nonce 0x' + hex(m.nonce ?? u32(raw, 8));
  else if (len === 16) s += ' hmac 0x' + hex64(m.truncatedHmac ?? u64(raw, 4)) + ' nonce 0x' + hex(m.nonce ?? u32(raw, 12));
  else s += ' hmac 0x' + hexBytes(m.hmac ?? raw.subarray(4, 24));
  return done(s, false);
}

function dss(s: string, opt: TcpOptMptcp, len: number, flags: number): MptcpText {
  if (len < 4 || (flags & SYN) !== 0) return done(s, true);
  const m = opt.mptcp;
  const raw = opt.raw;
  const typed = m.name === 'DSS';
  const f = raw[3]!;
  if (f & 0x10) s += ' fin';
  let p = 4;
  if (f & 0x01) {
    s += ' ack ';
    const width = f & 0x02 ? 8 : 4;
    if (len - p < width) return done(s, true);
    s += (typed && m.dataAck !== undefined ? m.dataAck : width === 8 ? u64(raw, p) : u32(raw, p)).toString();
    p += width;
  }
  if (f & 0x04) {
    s += ' seq ';
    const width = f & 0x08 ? 8 : 4;
    if (len - p < width) return done(s, true);
    s += (typed && m.dsn !== undefined ? m.dsn : width === 8 ? u64(raw, p) : u32(raw, p)).toString();
    p += width;
    if (len - p < 4) return done(s, true);
    s += ' subseq ' + (typed && m.ssn !== undefined ? m.ssn : u32(raw, p));
    p += 4;
    if (len - p < 2) return done(s, true);
    s += ' len ' + (typed && m.dataLength !== undefined ? m.dataLength : u16(raw, p));
    p += 2;
    if (len - p >= 2) {
      s += ' csum 0x' + hex(typed && m.checksum !== undefined ? m.checksum : u16(raw, p));
      p += 2;
    }
  }
  return done(s, p !== len);
}

const ADD_ADDR_KINDS: Record<number, string> = { 6: 'v0-ip6', 4: 'v0-ip4', 1: 'v1-echo', 0: 'v1' };

function addAddr(s: string, opt: TcpOptMptcp, len: number): MptcpText {
  const v4 = len === 8 || len === 10 || len === 16 || len === 18;
  const v6 = len === 20 || len === 22 || len === 28 || len === 30;
  if (!v4 && !v6) return done(s, true);
  const raw = opt.raw;
  // The low nibble mixes the v0 IP version and the v1 echo bit; tcpdump names the four legal values.
  s += ' ' + (ADD_ADDR_KINDS[raw[2]! & 0x0f] ?? '[bad version/echo]') + ' id ' + raw[3]!;
  const m = opt.mptcp;
  const typed = m.name === 'ADD_ADDR' && m.address.length === (v4 ? 4 : 16);
  s += ' ' + (v4 ? ipv4BytesString(typed ? m.address : raw, typed ? 0 : 4) : ipv6String(typed ? m.address : raw, typed ? 0 : 4));
  const end = v4 ? 8 : 20;
  const withPort = len === end + 2 || len === end + 10;
  if (withPort) s += ':' + (typed && m.port !== undefined ? m.port : u16(raw, end));
  if (len >= end + 8) {
    const at = withPort ? end + 2 : end;
    s += ' hmac 0x' + hex64(typed && m.truncatedHmac !== undefined ? m.truncatedHmac : u64(raw, at));
  }
  return done(s, false);
}

function removeAddr(s: string, opt: TcpOptMptcp, len: number): MptcpText {
  if (len < 4) return done(s, true);
  s += ' id';
  const m = opt.mptcp;
  if (m.name === 'REMOVE_ADDR') for (const id of m.addrIds) s += ' ' + id;
  else for (let i = 3; i < len; i++) s += ' ' + opt.raw[i]!;
  return done(s, false);
}
