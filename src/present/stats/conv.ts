/**
 * `-z conv,TYPE[,FILTER]` and `-z endpoints,TYPE[,FILTER]`: tshark's
 * conversation and endpoint tables for eth, ip, ipv6, tcp, udp and sll,
 * printed as tshark 4.0 prints them, plus mpscope's own MPTCP tables (one
 * row per MPTCP connection, or per address and port of its subflows).
 */
import type { FieldContext, TimeValue } from '../../fields/types.js';
import { UsageError } from '../../util/errors.js';
import { ipv4String, ipv6String, macString } from '../tshark/addr.js';
import type { IpRepr } from '../../wire/types.js';
import type { MptcpAnnotation, MptcpSubflow, Endpoint } from '../../analysis/mptcp/types.js';
import { cFixed, left, right, sizeText, tableLength, u64Text } from './conv-format.js';
import { tcpReachesTaps } from './tcp-tap.js';
import type { StatTap, TapEnv, TapFilter, TapMaker } from './types.js';

type Family = 'eth' | 'ip' | 'ipv6' | 'tcp' | 'udp' | 'sll' | 'mptcp';

const TITLES: Readonly<Record<Family, string>> = {
  eth: 'Ethernet',
  ip: 'IPv4',
  ipv6: 'IPv6',
  tcp: 'TCP',
  udp: 'UDP',
  sll: 'SLL',
  mptcp: 'MPTCP',
};

/** Tables whose addresses carry a port, which widens their columns. */
const WITH_PORTS: ReadonlySet<Family> = new Set(['tcp', 'udp', 'mptcp']);

/** The address tshark's SLL tap gives a frame without a 4- or 6-byte source, and every SLL conversation's far end. */
const NONE = 'NONE';
/** ARPHRD_NETLINK: tshark hands such frames to its netlink dissector, never to SLL's. */
const ARPHRD_NETLINK = 824;
/** tshark's tables tell conversations apart by stream only for TCP; the others have none. */
const NO_STREAM = -1;

const RULE = '='.repeat(80);

/** What one frame shows a table: who sent it to whom (ports 0 when the table has none). */
interface Sighting {
  src: string;
  sport: number;
  dst: string;
  dport: number;
  stream: number;
}

/** Fills `s` with what `ctx`'s frame shows the table; false when the table does not see the frame. */
type Sighter = (ctx: FieldContext, s: Sighting) => boolean;

/** The link-layer addresses of an Ethernet frame. */
function sightEth(ctx: FieldContext, s: Sighting): boolean {
  const link = ctx.packet.link;
  if (link?.layer !== 'eth') return false;
  set(s, macString(link.src), 0, macString(link.dst), 0, NO_STREAM);
  return true;
}

/** An SLL frame's source; tshark's SLL tap knows no destination. */
function sightSll(ctx: FieldContext, s: Sighting): boolean {
  const link = ctx.packet.link;
  if (link?.layer !== 'sll' || link.hatype === ARPHRD_NETLINK) return false;
  set(s, sllSource(link.addrLen, link.addr), 0, NONE, 0, NO_STREAM);
  return true;
}

/** tshark reads a 4-byte SLL address as IPv4 and a 6-byte one as Ethernet; any other length gives none. */
function sllSource(len: number, addr: Uint8Array): string {
  if (len === 6 && addr.length >= 6) return macString(addr);
  if (len === 4 && addr.length >= 4) return ipv4String(((addr[0]! << 24) | (addr[1]! << 16) | (addr[2]! << 8) | addr[3]!) >>> 0);
  return NONE;
}

/**
 * Whether tshark's IP tap sees the header: not with a total length shorter
 * than the header (tshark stops there), nor for an IPv6 fragment that more
 * fragments follow (tshark taps the datagram once reassembled, and mpscope
 * does not reassemble).
 */
function ipTapped(ip: IpRepr): boolean {
  if (ip.version === 4) return ip.ihl >= 5 && (ip.totalLength === 0 || ip.totalLength >= ip.ihl * 4);
  for (const ext of ip.extensions) if (ext.moreFragments === true) return false;
  return true;
}

/** The frame's own IP header of the given version (a header quoted in an ICMP error is not tapped by tshark). */
function ipAddresses(ctx: FieldContext, version: 4 | 6, s: Sighting, sport: number, dport: number, stream: number): boolean {
  const ip = ctx.packet.ip;
  if (ip === undefined || ip.version !== version || !ipTapped(ip)) return false;
  if (ip.version === 4) set(s, ipv4String(ip.src), sport, ipv4String(ip.dst), dport, stream);
  else set(s, ipv6String(ip.src), sport, ipv6String(ip.dst), dport, stream);
  return true;
}

function sightIp(version: 4 | 6): Sighter {
  return (ctx, s) => ipAddresses(ctx, version, s, 0, 0, NO_STREAM);
}

function ipVersion(ctx: FieldContext): 4 | 6 | undefined {
  return ctx.packet.ip?.version;
}

/** A TCP segment of the frame's own (not a quoted header), in its tcp.stream. */
function sightTcp(ctx: FieldContext, s: Sighting): boolean {
  const tcp = ctx.packet.tcp;
  const a = ctx.analysis?.tcp;
  const v = ipVersion(ctx);
  if (tcp === undefined || a === undefined || a.quoted || v === undefined || !tcpReachesTaps(ctx.packet, tcp)) return false;
  return ipAddresses(ctx, v, s, tcp.srcPort, tcp.dstPort, a.stream);
}

function sightUdp(ctx: FieldContext, s: Sighting): boolean {
  const udp = ctx.packet.udp;
  const v = ipVersion(ctx);
  if (udp === undefined || v === undefined) return false;
  return ipAddresses(ctx, v, s, udp.srcPort, udp.dstPort, NO_STREAM);
}

/** A segment of an MPTCP subflow, seen as its TCP endpoints. */
function sightMptcpSubflow(ctx: FieldContext, s: Sighting): boolean {
  return ctx.analysis?.mptcp !== undefined && sightTcp(ctx, s);
}

function set(s: Sighting, src: string, sport: number, dst: string, dport: number, stream: number): void {
  s.src = src;
  s.sport = sport;
  s.dst = dst;
  s.dport = dport;
  s.stream = stream;
}

const SIGHTERS: Readonly<Record<Exclude<Family, 'mptcp'>, Sighter>> = {
  eth: sightEth,
  ip: sightIp(4),
  ipv6: sightIp(6),
  tcp: sightTcp,
  udp: sightUdp,
  sll: sightSll,
};

// ------------------------------------------------------------------ time

/** A frame's time since the capture's first frame, with both parts of one sign as Wireshark's nstime_delta gives them. */
interface RelTime {
  sec: number;
  nsec: number;
}

function relativeTime(ctx: FieldContext, first: TimeValue): RelTime {
  let sec = ctx.packet.tsSec - first.sec;
  let nsec = ctx.packet.tsNsec - first.nsec;
  if (sec > 0 && nsec < 0) { nsec += 1e9; sec--; }
  else if (sec < 0 && nsec > 0) { nsec -= 1e9; sec++; }
  return { sec, nsec };
}

function compareTime(a: RelTime, b: RelTime): number {
  return a.sec !== b.sec ? a.sec - b.sec : a.nsec - b.nsec;
}

/** Wireshark's nstime_to_sec: the double the columns print. */
function seconds(t: RelTime): number {
  return t.sec + t.nsec / 1e9;
}

// ----------------------------------------------------------- the tables

/** Frames and bytes from A to B ("->", tx) and from B to A ("<-", rx). */
interface ConvRow extends Counts {
  /** Side A: the sender of the first frame seen; B the receiver. */
  a: string;
  b: string;
  start: RelTime;
  stop: RelTime;
}

/**
 * Rows in order of creation, found again by their key either way round,
 * as tshark's conversation hash does.
 */
class ConversationTable {
  readonly rows: ConvRow[] = [];
  private readonly index = new Map<string, ConvRow>();

  /** Counts a frame sent from `src` to `dst` (keys name the row in that direction and the other). */
  add(fwdKey: string, revKey: string, src: string, dst: string, len: number, t: RelTime): void {
    let row = this.index.get(fwdKey);
    let fwd = true;
    if (row === undefined) {
      row = this.index.get(revKey);
      fwd = false;
    }
    if (row === undefined) {
      row = { a: src, b: dst, txFrames: 0, txBytes: 0, rxFrames: 0, rxBytes: 0, start: t, stop: t };
      this.rows.push(row);
      this.index.set(fwdKey, row);
      fwd = true;
    }
    countFrame(row, fwd, len, t);
  }
}

/** Frames and bytes a row counts each way. */
interface Counts {
  txFrames: number;
  txBytes: number;
  rxFrames: number;
  rxBytes: number;
}

function countBytes(row: Counts, sent: boolean, len: number): void {
  const bytes = tableLength(len);
  if (sent) { row.txFrames++; row.txBytes += bytes; }
  else { row.rxFrames++; row.rxBytes += bytes; }
}

function countFrame(row: ConvRow, fwd: boolean, len: number, t: RelTime): void {
  countBytes(row, fwd, len);
  // tshark moves the start back only when the frame did not move the stop forward.
  if (compareTime(t, row.stop) > 0) row.stop = t;
  else if (compareTime(t, row.start) < 0) row.start = t;
}

interface EndpointRow extends Counts {
  address: string;
  port: number;
}

class EndpointTable {
  readonly rows: EndpointRow[] = [];
  private readonly index = new Map<string, EndpointRow>();

  add(address: string, port: number, sender: boolean, len: number): void {
    const key = `${address} ${port}`;
    let row = this.index.get(key);
    if (row === undefined) {
      row = { address, port, txFrames: 0, txBytes: 0, rxFrames: 0, rxBytes: 0 };
      this.rows.push(row);
      this.index.set(key, row);
    }
    countBytes(row, sender, len);
  }
}

/**
 * tshark's order: by total frames, most first; rows with as many frames in
 * the order they appeared.
 */
function byFrames<T extends Counts>(rows: readonly T[]): T[] {
  return rows
    .map((row, i) => ({ row, i }))
    .sort((x, y) => y.row.txFrames + y.row.rxFrames - (x.row.txFrames + x.row.rxFrames) || x.i - y.i)
    .map((e) => e.row);
}

// ------------------------------------------------------------ drawing

function banner(what: string, filter: string | undefined): string {
  return `${RULE}\n${what}\nFilter:${filter ?? '<No Filter>'}\n`;
}

function drawConversations(family: Family, filter: string | undefined, rows: readonly ConvRow[]): string {
  const ports = WITH_PORTS.has(family);
  const indent = ports ? ' '.repeat(12) : '';
  const width = ports ? 26 : 20;
  let out = banner(`${TITLES[family]} Conversations`, filter);
  out += `${indent}                                               |       <-      | |       ->      | |     Total     |    Relative    |   Duration   |\n`;
  out += `${indent}                                               | Frames  Bytes | | Frames  Bytes | | Frames  Bytes |      Start     |              |\n`;
  for (const r of byFrames(rows)) {
    out += `${left(r.a, width)} <-> ${left(r.b, width)}`
      + `  ${right(r.rxFrames, 6)} ${left(sizeText(r.rxBytes), 9)}`
      + `  ${right(r.txFrames, 6)} ${left(sizeText(r.txBytes), 9)}`
      + `  ${right(r.rxFrames + r.txFrames, 6)} ${left(sizeText(r.rxBytes + r.txBytes), 9)}  `
      + `${right(cFixed(seconds(r.start), 9), 14)}   ${right(cFixed(seconds(r.stop) - seconds(r.start), 4), 12)}\n`;
  }
  return `${out}${RULE}\n`;
}

function drawEndpoints(family: Family, filter: string | undefined, rows: readonly EndpointRow[]): string {
  const ports = WITH_PORTS.has(family);
  let out = banner(`${TITLES[family]} Endpoints`, filter);
  out += `                       |  ${ports ? 'Port  ||  ' : ''}Packets  | |  Bytes  | | Tx Packets | | Tx Bytes | | Rx Packets | | Rx Bytes |\n`;
  for (const r of byFrames(rows)) {
    out += left(r.address, 20) + (ports ? `      ${right(r.port, 5)}     ` : '      ')
      + `${right(r.txFrames + r.rxFrames, 6)}     ${right(u64Text(r.txBytes + r.rxBytes), 9)}`
      + `     ${right(r.txFrames, 6)}       ${right(u64Text(r.txBytes), 9)}`
      + `      ${right(r.rxFrames, 6)}       ${right(u64Text(r.rxBytes), 9)}   \n`;
  }
  return `${out}${RULE}\n`;
}

// -------------------------------------------------------------- MPTCP

function endpointText(e: Endpoint): string {
  return `${e.address}:${e.port}`;
}

/** The client's and the server's end of a subflow. */
function clientServer(sf: MptcpSubflow): [Endpoint, Endpoint] {
  return sf.initiator === 0 ? [sf.src, sf.dst] : [sf.dst, sf.src];
}

/**
 * One row per MPTCP connection: A is the client's end of the initial
 * subflow and B the server's (those of the first subflow seen until the
 * initial one is), "->" what the client sent, over every subflow.
 */
class MptcpConversations {
  readonly rows: ConvRow[] = [];
  private readonly byConnection = new Map<number, { row: ConvRow; fromInitial: boolean }>();

  add(m: MptcpAnnotation, len: number, t: RelTime): void {
    let entry = this.byConnection.get(m.connectionIndex);
    if (entry === undefined) {
      const [a, b] = clientServer(m.subflow);
      const row: ConvRow = { a: endpointText(a), b: endpointText(b), txFrames: 0, txBytes: 0, rxFrames: 0, rxBytes: 0, start: t, stop: t };
      entry = { row, fromInitial: m.subflow.master };
      this.rows.push(row);
      this.byConnection.set(m.connectionIndex, entry);
    } else if (!entry.fromInitial && m.subflow.master) {
      const [a, b] = clientServer(m.subflow);
      entry.row.a = endpointText(a);
      entry.row.b = endpointText(b);
      entry.fromInitial = true;
    }
    countFrame(entry.row, m.dir === 0, len, t);
  }
}

// --------------------------------------------------------------- taps

interface Parsed {
  family: Family;
  filterText: string | undefined;
  filter: TapFilter | undefined;
}

function parse(kind: 'conv' | 'endpoints', name: string, args: string, env: TapEnv): Parsed {
  const family = name.slice(kind.length + 1);
  if (!(family in TITLES)) {
    throw new UsageError(`-z ${name}: unknown ${kind === 'conv' ? 'conversation' : 'endpoint'} type '${family}'`,
      `-z ${kind},eth|ip|ipv6|tcp|udp|sll|mptcp[,FILTER]`);
  }
  if (args === '') return { family: family as Family, filterText: undefined, filter: undefined };
  return { family: family as Family, filterText: args, filter: env.compileFilter(args) };
}

/** Feeds a frame to `see` with its relative time, once it passes the tap's filter. */
abstract class TableTap implements StatTap {
  readonly needs;
  private first: TimeValue | undefined;
  protected readonly sighting: Sighting = { src: '', sport: 0, dst: '', dport: 0, stream: NO_STREAM };

  constructor(protected readonly spec: Parsed) {
    this.needs = spec.family === 'mptcp' ? { mptcp: true } : undefined;
  }

  packet(ctx: FieldContext): void {
    this.first ??= ctx.firstTs ?? { sec: ctx.packet.tsSec, nsec: ctx.packet.tsNsec };
    if (this.spec.filter !== undefined && !this.spec.filter(ctx)) return;
    this.see(ctx, relativeTime(ctx, ctx.firstTs ?? this.first));
  }

  protected abstract see(ctx: FieldContext, t: RelTime): void;
  abstract draw(): string;
}

class ConvTap extends TableTap {
  private readonly table = new ConversationTable();
  private readonly mptcp = new MptcpConversations();

  protected see(ctx: FieldContext, t: RelTime): void {
    if (this.spec.family === 'mptcp') {
      const m = ctx.analysis?.mptcp;
      if (m !== undefined && sightTcp(ctx, this.sighting)) this.mptcp.add(m, ctx.packet.origLen, t);
      return;
    }
    const s = this.sighting;
    if (!SIGHTERS[this.spec.family](ctx, s)) return;
    const fwd = `${s.src} ${s.sport} ${s.dst} ${s.dport} ${s.stream}`;
    const rev = `${s.dst} ${s.dport} ${s.src} ${s.sport} ${s.stream}`;
    const ports = WITH_PORTS.has(this.spec.family);
    this.table.add(fwd, rev, ports ? `${s.src}:${s.sport}` : s.src, ports ? `${s.dst}:${s.dport}` : s.dst, ctx.packet.origLen, t);
  }

  draw(): string {
    const rows = this.spec.family === 'mptcp' ? this.mptcp.rows : this.table.rows;
    return drawConversations(this.spec.family, this.spec.filterText, rows);
  }
}

class EndpointsTap extends TableTap {
  private readonly table = new EndpointTable();

  protected see(ctx: FieldContext, _t: RelTime): void {
    const family = this.spec.family;
    const s = this.sighting;
    const seen = family === 'mptcp' ? sightMptcpSubflow(ctx, s) : SIGHTERS[family](ctx, s);
    if (!seen) return;
    const len = ctx.packet.origLen;
    this.table.add(s.src, s.sport, true, len);
    // tshark's SLL endpoints are the senders alone.
    if (family !== 'sll') this.table.add(s.dst, s.dport, false, len);
  }

  draw(): string {
    return drawEndpoints(this.spec.family, this.spec.filterText, this.table.rows);
  }
}

export const makeConvTap: TapMaker = (name, args, env) => new ConvTap(parse('conv', name, args, env));

export const makeEndpointsTap: TapMaker = (name, args, env) => new EndpointsTap(parse('endpoints', name, args, env));
