/**
 * What a path did to a probe: the probe as sent against the copy an ICMP
 * error quotes back (Tracebox's method). Only the bytes a quote holds are
 * compared: an RFC 792 quote has 8 bytes of TCP (ports and sequence number),
 * so the options and the rest of the header are out of sight there. TTL and
 * the IPv4 checksum change at every hop and are not reported.
 */
import { addressText } from './address.js';
import { describeOption, flagsText, optionKey, optionName } from './describe.js';
import type { IpRepr, MptcpOption, QuotedPacket, TcpOption, TcpRepr } from '../wire/types.js';

export interface PathChange {
  /** The field, by tshark's name where tshark has one ('tcp.options.mss_val', 'ip.dsfield.ecn'). */
  field: string;
  kind: 'changed' | 'removed' | 'added';
  /** The value as sent and as seen, in words. */
  sent?: string | undefined;
  seen?: string | undefined;
  /** One line for people: 'MSS 1460 → 1200', 'MP_CAPABLE stripped'. */
  text: string;
}

/** The probe as it left, decoded. */
export interface SentProbe {
  ip: IpRepr;
  tcp: TcpRepr;
}

const ECN_NAMES = ['Not-ECT', 'ECT(1)', 'ECT(0)', 'CE'];
const hex = (v: number, digits: number): string => `0x${v.toString(16).padStart(digits, '0')}`;

class Changes {
  readonly list: PathChange[] = [];

  changed(field: string, what: string, sent: string | number, seen: string | number, extra = ''): void {
    if (sent === seen) return;
    this.list.push({ field, kind: 'changed', sent: String(sent), seen: String(seen), text: `${what} ${sent} → ${seen}${extra}` });
  }

  removed(field: string, sent: string, text: string): void {
    this.list.push({ field, kind: 'removed', sent, text });
  }

  added(field: string, seen: string, text: string): void {
    this.list.push({ field, kind: 'added', seen, text });
  }
}

/** Every difference between the probe and the quote that the quote lets us see. */
export function quoteChanges(sent: SentProbe, quote: QuotedPacket): PathChange[] {
  const c = new Changes();
  if (quote.ip) compareIp(c, sent.ip, quote.ip);
  if (quote.tcp) compareTcp(c, sent, quote.tcp, quote.transportBytes);
  return c.list;
}

/** Whether the quote holds the whole TCP header, options included. */
export function quoteShowsOptions(quote: QuotedPacket): boolean {
  const t = quote.tcp;
  return t !== undefined && !quote.partial && quote.transportBytes >= Math.max(20, t.dataOffset * 4);
}

function compareIp(c: Changes, s: IpRepr, q: IpRepr): void {
  if (s.layer === 'ip' && q.layer === 'ip') {
    c.changed('ip.dsfield.dscp', 'DSCP', s.dscp, q.dscp);
    c.changed('ip.dsfield.ecn', 'ECN', ECN_NAMES[s.ecn]!, ECN_NAMES[q.ecn]!);
    c.changed('ip.id', 'IP ID', hex(s.id, 4), hex(q.id, 4));
    const df = (f: number): string => (f & 2 ? 'set' : 'clear');
    c.changed('ip.flags.df', 'DF', df(s.flags), df(q.flags));
    c.changed('ip.len', 'IP total length', s.totalLength, q.totalLength);
    c.changed('ip.src', 'source address', addressText(s.src), addressText(q.src));
    c.changed('ip.dst', 'destination address', addressText(s.dst), addressText(q.dst));
    const opts = (r: typeof s): string => r.options.map((o) => Array.from(o.raw, (b) => b.toString(16).padStart(2, '0')).join('')).join(' ') || 'none';
    c.changed('ip.options', 'IP options', opts(s), opts(q));
    return;
  }
  if (s.layer === 'ipv6' && q.layer === 'ipv6') {
    c.changed('ipv6.tclass.dscp', 'DSCP', s.trafficClass >> 2, q.trafficClass >> 2);
    c.changed('ipv6.tclass.ecn', 'ECN', ECN_NAMES[s.trafficClass & 3]!, ECN_NAMES[q.trafficClass & 3]!);
    c.changed('ipv6.flow', 'flow label', hex(s.flowLabel, 5), hex(q.flowLabel, 5));
    c.changed('ipv6.plen', 'IPv6 payload length', s.payloadLength, q.payloadLength);
    c.changed('ipv6.src', 'source address', addressText(s.src), addressText(q.src));
    c.changed('ipv6.dst', 'destination address', addressText(s.dst), addressText(q.dst));
    const chain = (r: typeof s): string => [...r.extensions.map((e) => e.type), r.protocol].join(',');
    c.changed('ipv6.nxt', 'next header chain', chain(s), chain(q));
    return;
  }
  c.changed('ip.version', 'IP version', s.version, q.version);
}

function compareTcp(c: Changes, sent: SentProbe, q: TcpRepr, quoted: number): void {
  const s = sent.tcp;
  const sees = (end: number): boolean => quoted >= end;
  if (sees(2)) c.changed('tcp.srcport', 'source port', s.srcPort, q.srcPort);
  if (sees(4)) c.changed('tcp.dstport', 'destination port', s.dstPort, q.dstPort);
  if (sees(8)) {
    const delta = (q.seq - s.seq) | 0;
    c.changed('tcp.seq_raw', 'sequence number', s.seq, q.seq, ` (${delta >= 0 ? '+' : ''}${delta})`);
  }
  if (sees(12)) c.changed('tcp.ack_raw', 'acknowledgment number', s.ack, q.ack);
  if (sees(13)) c.changed('tcp.hdr_len', 'TCP header length', s.dataOffset * 4, q.dataOffset * 4);
  if (sees(14)) c.changed('tcp.flags', 'TCP flags', `[${flagsText(s.flags)}]`, `[${flagsText(q.flags)}]`);
  if (sees(16)) c.changed('tcp.window_size_value', 'window', s.window, q.window);
  if (sees(20)) c.changed('tcp.urgent_pointer', 'urgent pointer', s.urgentPointer, q.urgentPointer);
  const optionsSeen = quoted >= Math.max(20, q.dataOffset * 4);
  if (optionsSeen) compareOptions(c, s.options, q.options);
  // A checksum that moved while nothing it covers did: the payload, or the checksum alone, was rewritten.
  if (sees(18) && optionsSeen && c.list.length === 0 && s.checksum !== q.checksum) {
    c.changed('tcp.checksum', 'TCP checksum', hex(s.checksum, 4), hex(q.checksum, 4), ' with no other change');
  }
}

function isPadding(o: TcpOption): boolean {
  return o.type === 'nop' || o.type === 'eol';
}

/** The option's field name in tshark's vocabulary. */
function optionField(o: TcpOption): string {
  switch (o.type) {
    case 'mss': return 'tcp.options.mss_val';
    case 'wscale': return 'tcp.options.wscale.shift';
    case 'sackPerm': return 'tcp.options.sack_perm';
    case 'sack': return 'tcp.options.sack';
    case 'timestamps': return 'tcp.options.timestamp.tsval';
    case 'mptcp': return 'tcp.options.mptcp';
    default: return 'tcp.options';
  }
}

const rawHex = (o: TcpOption): string => Array.from(o.raw, (b) => b.toString(16).padStart(2, '0')).join('');

function compareOptions(c: Changes, sent: readonly TcpOption[], seen: readonly TcpOption[]): void {
  const s = sent.filter((o) => !isPadding(o));
  const q = seen.filter((o) => !isPadding(o));
  const taken = new Set<number>();
  const pairs: Array<[TcpOption, TcpOption]> = [];
  for (const o of s) {
    const i = q.findIndex((x, j) => !taken.has(j) && optionKey(x) === optionKey(o));
    if (i < 0) {
      c.removed(optionField(o), describeOption(o), `${optionName(o)} stripped`);
      continue;
    }
    taken.add(i);
    pairs.push([o, q[i]!]);
    compareOption(c, o, q[i]!);
  }
  q.forEach((o, j) => {
    if (!taken.has(j)) c.added(optionField(o), describeOption(o), `${optionName(o)} added (${describeOption(o)})`);
  });
  const order = (list: TcpOption[]): string => list.map(optionKey).join(',');
  const kept = q.filter((_, j) => taken.has(j));
  if (order(pairs.map(([a]) => a)) !== order(kept)) {
    c.changed('tcp.options', 'option order', s.map(optionName).join(', '), q.map(optionName).join(', '));
  }
}

function compareOption(c: Changes, s: TcpOption, q: TcpOption): void {
  if (rawHex(s) === rawHex(q)) return;
  const field = optionField(s);
  if (s.type === 'mss' && q.type === 'mss') return c.changed(field, 'MSS', s.mss, q.mss);
  if (s.type === 'wscale' && q.type === 'wscale') return c.changed(field, 'window scale', s.shift, q.shift);
  if (s.type === 'timestamps' && q.type === 'timestamps') {
    c.changed(field, 'TSval', s.tsval, q.tsval);
    c.changed('tcp.options.timestamp.tsecr', 'TSecr', s.tsecr, q.tsecr);
    return;
  }
  if (s.type === 'mptcp' && q.type === 'mptcp') {
    const before = c.list.length;
    compareMptcp(c, s.mptcp, q.mptcp);
    if (c.list.length > before) return;
  }
  c.changed(field, `${optionName(s)} rewritten:`, rawHex(s), rawHex(q));
}

function compareMptcp(c: Changes, s: MptcpOption, q: MptcpOption): void {
  const name = s.name === 'UNKNOWN' ? `MPTCP subtype ${s.subtype}` : s.name;
  c.changed('tcp.options.mptcp.length', `${name} length`, s.length, q.length);
  if (s.name === 'MP_CAPABLE' && q.name === 'MP_CAPABLE') {
    c.changed('tcp.options.mptcp.version', `${name} version`, s.version, q.version);
    c.changed('tcp.options.mptcp.flags', `${name} flags`, hex(s.flags, 2), hex(q.flags, 2));
    const key = (k: bigint | undefined): string => (k === undefined ? 'none' : `0x${k.toString(16).padStart(16, '0')}`);
    c.changed('tcp.options.mptcp.sendkey', `${name} sender key`, key(s.senderKey), key(q.senderKey));
    c.changed('tcp.options.mptcp.recvkey', `${name} receiver key`, key(s.receiverKey), key(q.receiverKey));
  }
}
