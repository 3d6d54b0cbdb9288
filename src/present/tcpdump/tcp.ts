/**
 * The TCP part of a tcpdump line: `a.p > b.q: Flags [P.], seq 1:42, ack 1,
 * win 447, options [...], length 41` and what tcpdump prints of the payload
 * for a few well-known ports.
 */
import type { IpRepr, TcpRepr } from '../../wire/types.js';
import { ipv6String } from './addr.js';
import { tcpChecksumText, transportSum } from './cksum.js';
import type { PrintContext } from './context.js';
import { formatDns } from './dns.js';
import type { Line } from './line.js';
import { OptEnd, writeTcpOptions } from './tcp-options.js';
import type { SeqResult } from './seq.js';
import { HTTP_COMMANDS, RTSP_COMMANDS, escapedChars, sshBanner, textProtocol, type TextResult } from './text.js';

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;
const URG = 0x20;

const FLAG_LETTERS: Array<[number, string]> = [
  [0x01, 'F'], [0x02, 'S'], [0x04, 'R'], [0x08, 'P'], [0x10, '.'], [0x20, 'U'], [0x40, 'E'], [0x80, 'W'], [0x100, 'e'],
];

/** `Flags [...]` for every 9-bit flag combination (the reserved bits print nothing). */
const FLAG_TEXT: string[] = [];
for (let f = 0; f < 512; f++) {
  let s = '';
  for (const [bit, letter] of FLAG_LETTERS) if (f & bit) s += letter;
  FLAG_TEXT.push('Flags [' + (s === '' ? 'none' : s) + ']');
}

/** Reason codes of the TCP RST diagnostic payload (draft-ietf-tcpm-rst-diagnostic-payload). */
const FAILURE_CAUSES = [
  'Reserved', 'Illegal option length', 'Desynchronized state', 'New data is received after CLOSE is called',
  'ABORT process', 'Unexpected ACK received by non-synchronized state connection', 'Unexpected SYN in the window',
  'Unexpected security compartment', 'Malformed message', 'Not authorized', 'Resource exceeded', 'Network failure',
  'Reset received from the peer', 'Destination unreachable', 'Connection timeout', 'Too much outstanding data',
  'Unacceptable performance', 'Middlebox interference',
];

const textResult: TextResult = { text: '' };

/** Writes `a.p > b.q: ` for TCP or UDP, or `p > q: ` when the IP header does not name the protocol (IPv6 extension headers). */
export function writePortPair(w: Line, ip: IpRepr, proto: number, sport: number, dport: number): void {
  if (ip.version === 4 ? ip.protocol !== proto : ip.nextHeader !== proto) {
    w.u(sport);
    w.str(' > ');
    w.u(dport);
    w.str(': ');
    return;
  }
  if (ip.version === 4) w.ipv4(ip.src);
  else w.str(ipv6String(ip.src));
  w.ch(46);
  w.u(sport);
  w.str(' > ');
  if (ip.version === 4) w.ipv4(ip.dst);
  else w.str(ipv6String(ip.dst));
  w.ch(46);
  w.u(dport);
  w.str(': ');
}

/** `[bad hdr length N - too long, > L] (invalid)` */
function tooLong(w: Line, hlen: number, length: number): void {
  w.str(' [bad hdr length ');
  w.u(hlen);
  w.str(' - too long, > ');
  w.u(length);
  w.str('] (invalid)');
}

/**
 * Writes a TCP segment. `length` is the segment length tcpdump works with (IP
 * payload length, bounded by the wire length), `capEnd` the end of the
 * readable bytes, `fragmented` whether the IP packet is a fragment (no
 * checksum check then).
 */
export function writeTcp(ctx: PrintContext, w: Line, data: Uint8Array, ip: IpRepr, tcp: TcpRepr, length: number, capEnd: number, fragmented: boolean): void {
  const sport = tcp.srcPort;
  const dport = tcp.dstPort;
  writePortPair(w, ip, 6, sport, dport);
  const hlen = tcp.dataOffset * 4;
  if (hlen < 20) {
    w.str(' tcp ');
    w.u((length - hlen) >>> 0);
    w.str(' [bad hdr length ');
    w.u(hlen);
    w.str(' - too short, < 20] (invalid)');
    return;
  }
  if (ctx.quiet) {
    w.str('tcp ');
    w.u((length - hlen) >>> 0);
    if (hlen > length) tooLong(w, hlen, length);
    return;
  }
  const flags = tcp.flags;
  w.str(FLAG_TEXT[flags & 0x1ff]!);
  let seq = tcp.seq;
  let ack = tcp.ack;
  let sq: SeqResult | undefined;
  if (!ctx.absoluteSeq && (flags & ACK) !== 0) {
    const syn = (flags & SYN) !== 0;
    sq = ip.version === 4
      ? ctx.seq.lookup4(ip.src, ip.dst, sport, dport, seq, ack, syn)
      : ctx.seq.lookup6(data, ip.offset + 8, ip.offset + 24, sport, dport, seq, ack, syn);
    seq = sq.seq;
    ack = sq.ack;
  }
  if (hlen > length) {
    tooLong(w, hlen, length);
    return;
  }
  if (ctx.verbose && !fragmented && tcp.offset + length <= capEnd) {
    w.str(', ' + tcpChecksumText(tcp.checksum, transportSum(data, ip, tcp.offset, 6, length)));
  }
  const payload = length - hlen;
  if (ctx.verbose > 1 || payload > 0 || (flags & (SYN | FIN | RST)) !== 0) {
    w.str(', seq ');
    w.u(seq);
    if (payload > 0) {
      w.ch(58);
      w.u((seq + payload) >>> 0);
    }
  }
  if (flags & ACK) {
    w.str(', ack ');
    w.u(ack);
  } else if (ctx.verbose > 1 && ack !== 0) {
    w.str(', [ack ');
    w.u(ack);
    w.str(' != 0 while ACK flag not set]');
  }
  w.str(', win ');
  w.u(tcp.window);
  if (flags & URG) {
    w.str(', urg ');
    w.u(tcp.urgentPointer);
  } else if (ctx.verbose > 1 && tcp.urgentPointer !== 0) {
    w.str(', [urg ');
    w.u(tcp.urgentPointer);
    w.str(' != 0 while URG flag not set]');
  }
  let label = 'tcp';
  if (hlen > 20) {
    const end = writeTcpOptions(w, tcp.options, tcp.offset, hlen, data, capEnd, flags, sq);
    if ((end & 3) !== OptEnd.Ok) return;
    if (end & OptEnd.Mptcp) label = 'mptcp';
  }
  w.str(', length ');
  w.u(payload);
  if (payload === 0) return;
  if (tcp.offset + hlen > capEnd) {
    w.str(' [remaining caplen(' + Math.max(0, capEnd - tcp.offset) + ') < header length(' + hlen + ')] [|' + label + ']');
    return;
  }
  const text = payloadText(ctx, data, tcp, payload, capEnd, flags, label);
  if (text !== '') w.str(text);
}

function isPort(tcp: TcpRepr, port: number): boolean {
  return tcp.srcPort === port || tcp.dstPort === port;
}

/** What tcpdump prints after `length N` for the segment's payload. */
function payloadText(ctx: PrintContext, data: Uint8Array, tcp: TcpRepr, length: number, capEnd: number, flags: number, label: string): string {
  const start = tcp.payloadOffset;
  if (flags & RST) {
    if (ctx.verbose) return rstData(data, start, length, capEnd, ctx.verbose > 1, label);
    return start + length > capEnd ? ' [|' + label + ']' : '';
  }
  // tcpdump's port table, in its order; ports whose printers we do not have print nothing.
  if (isPort(tcp, 21)) return text(': ', 'ftp', data, start, length, capEnd, null, ctx.verbose > 0);
  if (isPort(tcp, 22)) {
    textResult.text = '';
    sshBanner(textResult, data, start, length, capEnd);
    return textResult.text;
  }
  // Telnet commands are not decoded; tcpdump reads the first byte either way.
  if (isPort(tcp, 23)) return start >= capEnd ? ' [|telnet]' : '';
  if (isPort(tcp, 25)) return text(': ', 'smtp', data, start, length, capEnd, null, ctx.verbose > 0);
  if (isPort(tcp, 43)) return text(': ', 'whois', data, start, length, capEnd, null, ctx.verbose > 0);
  if (isPort(tcp, 53)) return formatDns(data, start, length, capEnd, true, ctx.verbose);
  if (isPort(tcp, 80)) return text(': ', 'http', data, start, length, capEnd, HTTP_COMMANDS, ctx.verbose > 0);
  if (isPort(tcp, 139) || isPort(tcp, 179) || isPort(tcp, 323) || isPort(tcp, 445)) return '';
  if (isPort(tcp, 554)) return text(': ', 'rtsp', data, start, length, capEnd, RTSP_COMMANDS, ctx.verbose > 0);
  if (isPort(tcp, 639) || isPort(tcp, 646) || isPort(tcp, 1723) || isPort(tcp, 6379) || isPort(tcp, 10288)
    || isPort(tcp, 6633) || isPort(tcp, 6653)) return '';
  if (isPort(tcp, 8080)) return text(': ', 'http', data, start, length, capEnd, HTTP_COMMANDS, ctx.verbose > 0);
  if (isPort(tcp, 8554)) return text(': ', 'rtsp', data, start, length, capEnd, RTSP_COMMANDS, ctx.verbose > 0);
  return '';
}

function text(lead: string, name: string, data: Uint8Array, start: number, len: number, capEnd: number, cmds: Set<string> | null, verbose: boolean): string {
  textResult.text = lead;
  textProtocol(textResult, name, data, start, len, capEnd, cmds, verbose);
  return textResult.text;
}

/** `-v` text of data carried by a RST (RFC 1122 allows a reason there). */
function rstData(data: Uint8Array, start: number, length: number, capEnd: number, causes: boolean, label: string): string {
  let s = ' [RST';
  if (length > 30) s += '+';
  if (length === 8) {
    if (start + 2 > capEnd) return s + ' [|' + label + ']';
    if (((data[start]! << 8) | data[start + 1]!) === 0x33aa) {
      if (start + 8 > capEnd) return s + ':  [|' + label + ']';
      const code = (data[start + 2]! << 8) | data[start + 3]!;
      const pen = ((data[start + 4]! << 24) | (data[start + 5]! << 16) | (data[start + 6]! << 8) | data[start + 7]!) >>> 0;
      if (causes && pen === 0) return s + ': ' + (FAILURE_CAUSES[code] ?? 'code ' + code + ', pen 0') + ']';
      return s + ': code ' + code + ', pen ' + pen + ']';
    }
  }
  const n = Math.min(length, 30);
  if (start + n > capEnd) return s + ' ' + escapedChars(data, start, Math.max(start, capEnd)) + ' [|' + label + ']';
  s += ' ' + escapedChars(data, start, start + n) + ']';
  return start + length > capEnd ? s + ' [|' + label + ']' : s;
}
