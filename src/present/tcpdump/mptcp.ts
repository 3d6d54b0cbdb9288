/**
 * The text tcpdump (master) prints for an MPTCP option after the word
 * `mptcp`: ` <length> <subtype name>` and the subtype's fields. tcpdump only
 * accepts a subtype form in the TCP segment it belongs to (an MP_CAPABLE of 12
 * bytes only on a SYN, a DSS never on a SYN...), and prints `[bad opt]` after
 * whatever it printed so far otherwise: `accept` mirrors those rules.
 */
import type { MptcpOption, TcpOptMptcp } from '../../wire/types.js';
import { hex, hex64, hexBytes, ipv4BytesString, ipv6String } from './addr.js';

const SYN = 0x02;
const ACK = 0x10;

const SUBTYPE_NAMES = ['capable', 'join', 'dss', 'add-addr', 'rem-addr', 'prio', 'fail', 'fast-close', 'tcprst'];

const CAPABLE_FLAG_LETTERS = 'ABCDEFGH';

const TCPRST_REASONS = [
  'Unspecified error',
  'MPTCP-specific error',
  'Lack of resources',
  'Administratively prohibited',
  'Too much outstanding data',
  'Unacceptable performance',
  'Middlebox interference',
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
function flagLetters(value: number, letters: string, topBit: number): string {
  let s = '';
  for (let i = 0, bit = topBit; bit !== 0; i++, bit >>>= 1) if (value & bit) s += letters[i]!;
  return s === '' ? 'none' : s;
}

/** The subtype the option bytes announce, whatever the decoder made of them. */
function subtypeOf(m: MptcpOption): number {
  return m.subtype;
}

/**
 * Formats an MPTCP option. `tcpFlags` are the segment's TCP flags. The
 * returned object is reused by the next call.
 */
export function formatMptcpOption(opt: TcpOptMptcp, tcpFlags: number): MptcpText {
  const len = opt.length;
  if (len < 3) return done('', true);
  const m = opt.mptcp;
  const subtype = subtypeOf(m);
  let s = ' ' + len + ' ' + (subtype < SUBTYPE_NAMES.length ? SUBTYPE_NAMES[subtype]! : 'unknown');
  switch (subtype) {
    case 0: return capable(s, m, len, tcpFlags);
    case 1: return join(s, m, len, tcpFlags);
    case 2: return dss(s, m, len, tcpFlags);
    case 3: return addAddr(s, m, len);
    case 4: {
      if (len < 4) return done(s, true);
      s += ' id';
      if (m.name === 'REMOVE_ADDR') for (const id of m.addrIds) s += ' ' + id;
      else for (let i = 3; i < len && i < opt.raw.length; i++) s += ' ' + opt.raw[i]!;
      return done(s, false);
    }
    case 5: {
      if (len !== 3 && len !== 4) return done(s, true);
      const backup = m.name === 'MP_PRIO' ? m.backup : (opt.raw[2]! & 1) !== 0;
      s += backup ? ' backup' : ' non-backup';
      if (len === 4) s += ' id ' + (m.name === 'MP_PRIO' && m.addrId !== undefined ? m.addrId : opt.raw[3]!);
      return done(s, false);
    }
    case 6:
      if (len !== 12 || m.name !== 'MP_FAIL') return done(s, len !== 12);
      return done(s + ' seq ' + m.dsn.toString(), false);
    case 7:
      if (len !== 12 || m.name !== 'MP_FASTCLOSE') return done(s, len !== 12);
      return done(s + ' key 0x' + hex64(m.receiverKey), false);
    case 8: {
      if (len !== 4) return done(s, true);
      const flags = m.name === 'MP_TCPRST' ? m.flags : opt.raw[2]! & 0x0f;
      const reason = m.name === 'MP_TCPRST' ? m.reason : opt.raw[3]!;
      s += ' flags [' + flagLetters(flags & 0x0f, 'UVWT', 0x08) + '] reason ';
      s += reason < TCPRST_REASONS.length ? TCPRST_REASONS[reason]! : 'unknown (0x' + (reason < 16 ? '0' : '') + reason.toString(16) + ')';
      return done(s, false);
    }
    default:
      return done(s, false);
  }
}

function capable(s: string, m: MptcpOption, len: number, flags: number): MptcpText {
  const onSyn = (len === 12 || len === 4) && (flags & SYN) !== 0;
  const onAck = (len === 20 || len === 22 || len === 24) && (flags & (SYN | ACK)) === ACK;
  if (!(onSyn || onAck) || m.name !== 'MP_CAPABLE') return done(s, !(onSyn || onAck));
  if (m.version !== 0 && m.version !== 1) return done(s + ' Unknown Version (' + m.version + ')', false);
  s += ' v' + m.version + ' flags [' + flagLetters(m.flags, CAPABLE_FLAG_LETTERS, 0x80) + ']';
  const csum = (m.flags & 0x80) !== 0;
  if (csum) s += ' csum';
  if (len === 12 || len >= 20) {
    s += ' {0x' + (m.senderKey !== undefined ? hex64(m.senderKey) : '0');
    if (len >= 20) s += ',0x' + (m.receiverKey !== undefined ? hex64(m.receiverKey) : '0');
    if ((len === 22 && !csum) || len === 24) s += ',data_len=' + (m.dataLength ?? 0);
    s += '}';
  }
  return done(s, false);
}

function join(s: string, m: MptcpOption, len: number, flags: number): MptcpText {
  const ok = (len === 12 && (flags & SYN) !== 0)
    || (len === 16 && (flags & (SYN | ACK)) === (SYN | ACK))
    || (len === 24 && (flags & ACK) !== 0);
  if (!ok || m.name !== 'MP_JOIN') return done(s, !ok);
  if (len !== 24) {
    if (m.backup) s += ' backup';
    s += ' id ' + m.addrId;
  }
  if (len === 12) s += ' token 0x' + hex(m.token ?? 0) + ' nonce 0x' + hex(m.nonce ?? 0);
  else if (len === 16) s += ' hmac 0x' + hex64(m.truncatedHmac ?? 0n) + ' nonce 0x' + hex(m.nonce ?? 0);
  else s += ' hmac 0x' + (m.hmac !== undefined ? hexBytes(m.hmac) : '');
  return done(s, false);
}

function dss(s: string, m: MptcpOption, len: number, flags: number): MptcpText {
  if (len < 4 || (flags & SYN) !== 0 || m.name !== 'DSS') return done(s, true);
  const f = m.flags;
  if (f & 0x10) s += ' fin';
  let left = len - 4;
  if (f & 0x01) {
    s += ' ack ';
    const width = f & 0x02 ? 8 : 4;
    if (left < width) return done(s, true);
    s += (m.dataAck ?? 0n).toString();
    left -= width;
  }
  if (f & 0x04) {
    s += ' seq ';
    const width = f & 0x08 ? 8 : 4;
    if (left < width) return done(s, true);
    s += (m.dsn ?? 0n).toString();
    left -= width;
    if (left < 4) return done(s, true);
    s += ' subseq ' + ((m.ssn ?? 0) >>> 0);
    left -= 4;
    if (left < 2) return done(s, true);
    s += ' len ' + (m.dataLength ?? 0);
    left -= 2;
    if (left >= 2) {
      s += ' csum 0x' + hex(m.checksum ?? 0);
      left -= 2;
    }
  }
  return done(s, left !== 0);
}

function addAddr(s: string, m: MptcpOption, len: number): MptcpText {
  const v4 = len === 8 || len === 10 || len === 16 || len === 18;
  const v6 = len === 20 || len === 22 || len === 28 || len === 30;
  if (!(v4 || v6) || m.name !== 'ADD_ADDR') return done(s, !(v4 || v6));
  if (m.form === 0) s += m.ipVersion === 6 ? ' v0-ip6' : ' v0-ip4';
  else s += m.echo ? ' v1-echo' : ' v1';
  s += ' id ' + m.addrId;
  const a = m.address;
  s += ' ' + (v4 ? (a.length >= 4 ? ipv4BytesString(a, 0) : '') : (a.length >= 16 ? ipv6String(a, 0) : ''));
  if (len === 10 || len === 18 || len === 22 || len === 30) s += ':' + (m.port ?? 0);
  if (len === 16 || len === 18 || len === 28 || len === 30) s += ' hmac 0x' + hex64(m.truncatedHmac ?? 0n);
  return done(s, false);
}
