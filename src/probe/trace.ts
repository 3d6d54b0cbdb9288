/**
 * Path tracing for MPTCP, Tracebox's method: SYNs carrying MP_CAPABLE (with
 * MSS, SACK permitted, timestamps and window scale, as Linux sends them)
 * leave with TTL or hop limit 1, 2, 3...; each router where one expires
 * quotes it back in an ICMP Time Exceeded, and comparing the quote with the
 * probe as sent shows what the path had done to it by then. The last probe
 * reaches the target, whose answer (SYN/ACK with or without MP_CAPABLE, RST,
 * ICMP unreachable, or nothing) ends the trace.
 *
 * The engine only crafts, matches and compares; sending and receiving go
 * through a TraceTransport (raw sockets for the real network, anything for
 * tests), so it runs the same against a simulated path.
 */
import { IcmpType, Icmpv6Type } from '../wire/icmp.js';
import type { Finding, IcmpRepr, Packet, QuotedPacket } from '../wire/types.js';
import { TcpFlag } from '../wire/types.js';
import { addressBytes, addressFamily, addressText, sameAddress } from './address.js';
import { decodeCrafted } from './capture.js';
import { tcpSegment } from './craft.js';
import { describeOption, flagsText } from './describe.js';
import { ProbeError } from './errors.js';
import { mpCapable } from './mptcp-options.js';
import { mss, nop, sackPerm, ts, wscale } from './options.js';
import { quoteChanges, quoteShowsOptions } from './trace-diff.js';
import type { PathChange, SentProbe } from './trace-diff.js';

/** Sends crafted IP packets and hands back what arrives, IP header included. */
export interface TraceTransport {
  send(packet: Uint8Array): void;
  /** Starts delivering received packets (TCP and ICMP, whole IP packets). */
  start(onPacket: (packet: Uint8Array) => void): void;
  /** Delivers at once what already waits (see ProbeTransport.poll): called before a hop is given up. */
  poll?(): void;
  close(): void;
}

export interface TraceOptions {
  target: string;
  port: number;
  /** The local address the probes come from. */
  source: string;
  /** Default: a random port from 32768 to 60999. */
  sourcePort?: number;
  /** MP_CAPABLE version; default 1. */
  version?: 0 | 1;
  /** Default 1. */
  firstHop?: number;
  /** Default 30. */
  maxHops?: number;
  /** How long to wait for each probe's answer; default 2000 ms. */
  timeoutMs?: number;
  /** v0: the key in the SYN's MP_CAPABLE (random by default). */
  key?: bigint;
  /** MSS option value; default 1460. */
  mss?: number;
  /** Window scale shift; default 7. */
  wscale?: number;
  /** Window field; default 64240. */
  window?: number;
  /** Every packet sent and received, with its time in seconds since the epoch (for a capture file). */
  onPacket?: (direction: 'out' | 'in', packet: Uint8Array, time: number) => void;
  /** What the trace is about to do, before the first probe leaves. */
  onStart?: (start: TraceStart) => void;
  /** Each hop once its probe is answered or has waited its time (with the target's answer when this hop drew it). */
  onHop?: (hop: TraceHop, answer: TraceAnswer | undefined) => void;
  /** Stops the trace early; the result says so. */
  signal?: AbortSignal;
}

export type HopReply = 'none' | 'time-exceeded' | 'synack' | 'rst' | 'unreachable' | 'icmp';

export interface IcmpSummary {
  type: number;
  code: number;
  /** 'time exceeded', 'port unreachable', 'administratively prohibited'... */
  name: string;
}

export interface QuoteSummary {
  /** Bytes of the quoted packet (IP header included). */
  bytes: number;
  /** Bytes of the quoted TCP header and beyond. */
  transportBytes: number;
  /** Only the first 8 bytes of TCP (RFC 792): the options are out of sight. */
  partial: boolean;
  /** The whole TCP header, options included, is in the quote. */
  showsOptions: boolean;
  /** The ICMP message carried an RFC 4884 original-datagram length. */
  rfc4884: boolean;
}

/** A change with whether it shows for the first time at this hop. */
export interface HopChange extends PathChange {
  new: boolean;
}

export interface TraceHop {
  /** The probe's TTL (IPv6: hop limit). */
  ttl: number;
  reply: HopReply;
  /** Who answered. */
  address?: string | undefined;
  rttMs?: number | undefined;
  icmp?: IcmpSummary | undefined;
  quote?: QuoteSummary | undefined;
  /** Differences between the probe as sent and as quoted back. */
  changes: HopChange[];
  /** Problems with the reply (malformed, truncated, bad checksum, not matching a probe...). */
  findings: Finding[];
}

export type AnswerKind = 'synack' | 'rst' | 'unreachable' | 'icmp' | 'silence' | 'interrupted';

export interface TraceAnswer {
  kind: AnswerKind;
  /** The TTL of the probe that drew it. */
  ttl?: number | undefined;
  address?: string | undefined;
  rttMs?: number | undefined;
  /** TCP flags of a SYN/ACK or RST, tcpdump style. */
  flags?: string | undefined;
  /** A SYN/ACK's MP_CAPABLE, when it has one. */
  mpCapable?: { version: number; flags: number; key?: string | undefined } | undefined;
  /** A SYN/ACK's options, tcpdump style. */
  options?: string[] | undefined;
  icmp?: IcmpSummary | undefined;
}

export type VerdictCode = 'mptcp' | 'mptcp-stripped' | 'no-mptcp' | 'rst' | 'unreachable' | 'silence' | 'interrupted';

export interface TraceResult {
  target: string;
  port: number;
  family: 4 | 6;
  source: string;
  sourcePort: number;
  version: 0 | 1;
  firstHop: number;
  maxHops: number;
  timeoutMs: number;
  /** The probe's options, tcpdump style. */
  probe: { options: string[]; bytes: number };
  hops: TraceHop[];
  answer: TraceAnswer;
  verdict: { code: VerdictCode; text: string };
}

/** The parameters of a trace, known before the first probe. */
export type TraceStart = Pick<TraceResult, 'target' | 'port' | 'family' | 'source' | 'sourcePort' | 'version' | 'firstHop' | 'maxHops' | 'timeoutMs' | 'probe'>;

interface Probe {
  ttl: number;
  seq: number;
  id: number;
  sentAt: number;
  sent: SentProbe;
  hop: TraceHop;
}

const ICMP4_UNREACH = ['net unreachable', 'host unreachable', 'protocol unreachable', 'port unreachable', 'fragmentation needed',
  'source route failed', 'destination network unknown', 'destination host unknown', 'source host isolated', 'network administratively prohibited',
  'host administratively prohibited', 'network unreachable for TOS', 'host unreachable for TOS', 'administratively prohibited',
  'host precedence violation', 'precedence cutoff in effect'];
const ICMP6_UNREACH = ['no route to destination', 'administratively prohibited', 'beyond scope of source address', 'address unreachable',
  'port unreachable', 'source address failed ingress/egress policy', 'reject route to destination'];

function icmpSummary(icmp: IcmpRepr): IcmpSummary {
  const v6 = icmp.layer === 'icmpv6';
  const { type, code } = icmp;
  let name: string;
  if (v6 ? type === Icmpv6Type.TIME_EXCEEDED : type === IcmpType.TIME_EXCEEDED) name = code === 0 ? 'time exceeded in transit' : 'fragment reassembly time exceeded';
  else if (v6 ? type === Icmpv6Type.DEST_UNREACHABLE : type === IcmpType.DEST_UNREACHABLE) name = (v6 ? ICMP6_UNREACH : ICMP4_UNREACH)[code] ?? `destination unreachable (code ${code})`;
  else if (v6 && type === Icmpv6Type.PACKET_TOO_BIG) name = 'packet too big';
  else if (v6 ? type === Icmpv6Type.PARAMETER_PROBLEM : type === IcmpType.PARAMETER_PROBLEM) name = 'parameter problem';
  else name = `ICMP${v6 ? 'v6' : ''} type ${type} code ${code}`;
  return { type, code, name };
}

function randomU32(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]!;
}

function randomKey(): bigint {
  const w = crypto.getRandomValues(new Uint32Array(2));
  return (BigInt(w[0]!) << 32n) | BigInt(w[1]!);
}

function finding(code: string, message: string, severity: Finding['severity'] = 'warning'): Finding {
  return { severity, code, message, layer: 'trace' };
}

/** Probes far apart in sequence space, so a quote whose number a middlebox shifted a little still matches none by accident. */
const SEQ_STRIDE = 0x01000193;

/** Runs a trace; resolves with every hop, the final answer and a verdict. Closes the transport. */
export async function trace(options: TraceOptions, transport: TraceTransport): Promise<TraceResult> {
  const family = addressFamily(options.target);
  if (addressFamily(options.source) !== family) {
    throw new ProbeError('TRACE', `source ${options.source} and target ${options.target} are of different IP versions`);
  }
  const version = options.version ?? 1;
  const firstHop = options.firstHop ?? 1;
  const maxHops = options.maxHops ?? 30;
  const timeoutMs = options.timeoutMs ?? 2000;
  if (firstHop < 1 || maxHops > 255 || firstHop > maxHops) throw new ProbeError('TRACE', `hops ${firstHop} to ${maxHops} are not a range within 1..255`);
  const sourcePort = options.sourcePort ?? 32768 + (randomU32() % 28232);
  const key = options.key ?? randomKey();
  const isnBase = randomU32();
  const idBase = randomU32() & 0xffff;
  const tsBase = randomU32();
  const target = addressBytes(options.target);
  const synOptions = [
    mss(options.mss ?? 1460), sackPerm(), ts(tsBase, 0), nop(), wscale(options.wscale ?? 7),
    version === 0 ? mpCapable({ version: 0, flags: 'AH', senderKey: key }) : mpCapable({ version: 1, flags: 'H' }),
  ];
  const build = (ttl: number): Uint8Array => tcpSegment({
    src: options.source, dst: options.target, sport: sourcePort, dport: options.port,
    seq: (isnBase + ttl * SEQ_STRIDE) >>> 0, flags: 'S', window: options.window ?? 64240,
    ttl, id: (idBase + ttl) & 0xffff, options: synOptions,
  });

  const probes: Probe[] = [];
  const hops: TraceHop[] = [];
  let answer: TraceAnswer | undefined;
  let current: Probe | undefined;
  let wake: (() => void) | undefined;
  const epoch = (): number => Date.now() / 1000;
  // Replies arrive in callbacks; read the answer through this so its type is not narrowed away by the loop test.
  const answerNow = (): TraceAnswer | undefined => answer;

  const onPacket = (data: Uint8Array): void => {
    const now = performance.now();
    options.onPacket?.('in', data, epoch());
    const p = decodeCrafted(data);
    if (p.icmp) onIcmp(p, p.icmp, now);
    else if (p.tcp && p.ip) onTcp(p, now);
    wake?.();
  };

  const probeBySeq = (seq: number): Probe | undefined => probes.find((x) => x.seq === seq);

  const onTcp = (p: Packet, now: number): void => {
    const t = p.tcp!;
    if (!sameAddress(p.ip!.src, target) || t.srcPort !== options.port || t.dstPort !== sourcePort) return;
    const synAck = (t.flags & (TcpFlag.SYN | TcpFlag.ACK)) === (TcpFlag.SYN | TcpFlag.ACK);
    const rst = (t.flags & TcpFlag.RST) !== 0;
    if (!synAck && !rst) return;
    const probe = probeBySeq((t.ack - 1) >>> 0) ?? current;
    if (!probe || answer) return;
    const hop = probe.hop;
    hop.reply = synAck ? 'synack' : 'rst';
    hop.address = addressText(p.ip!.src);
    hop.rttMs = rtt(now, probe);
    hop.findings.push(...p.findings);
    const mpc = t.options.find((o) => o.type === 'mptcp' && o.mptcp.name === 'MP_CAPABLE');
    const m = mpc?.type === 'mptcp' && mpc.mptcp.name === 'MP_CAPABLE' ? mpc.mptcp : undefined;
    answer = {
      kind: hop.reply, ttl: probe.ttl, address: hop.address, rttMs: hop.rttMs, flags: flagsText(t.flags),
      mpCapable: m ? { version: m.version, flags: m.flags, key: m.senderKey === undefined ? undefined : `0x${m.senderKey.toString(16).padStart(16, '0')}` } : undefined,
      options: synAck ? t.options.map(describeOption) : undefined,
    };
  };

  const onIcmp = (p: Packet, icmp: IcmpRepr, now: number): void => {
    const q = icmp.quote;
    if (!q || !p.ip) return;
    // Advice about the route, not news of the probe's fate.
    if (icmp.layer === 'icmp' && (icmp.type === IcmpType.SOURCE_QUENCH || icmp.type === IcmpType.REDIRECT)) return;
    const summary = icmpSummary(icmp);
    const findings: Finding[] = [...p.findings, ...q.findings];
    let probe: Probe | undefined;
    const qip = q.ip;
    if (qip && (!sameAddress(qip.dst, target) || qip.protocol !== 6)) return;
    if (qip && q.tcp) {
      if (q.tcp.srcPort !== sourcePort || q.tcp.dstPort !== options.port) return;
      probe = probeBySeq(q.tcp.seq) ?? (qip.layer === 'ip' ? probes.find((x) => x.id === qip.id) : undefined);
      if (!probe) {
        probe = current;
        findings.push(finding('trace.quote.unmatched', 'the quoted sequence number and IP ID match no probe; taken as the answer to the probe in flight'));
      }
    } else {
      probe = current;
      findings.push(finding('trace.quote.short', `the ${summary.name} message quotes ${qip ? 'no TCP header' : 'not even an IP header'}; taken as the answer to the probe in flight`));
    }
    if (!probe || probe.hop.reply !== 'none') return;
    const hop = probe.hop;
    const expired = icmp.layer === 'icmp' ? icmp.type === IcmpType.TIME_EXCEEDED : icmp.type === Icmpv6Type.TIME_EXCEEDED;
    const unreachable = icmp.layer === 'icmp' ? icmp.type === IcmpType.DEST_UNREACHABLE : icmp.type === Icmpv6Type.DEST_UNREACHABLE;
    hop.reply = expired ? 'time-exceeded' : unreachable ? 'unreachable' : 'icmp';
    hop.address = addressText(p.ip.src);
    hop.rttMs = rtt(now, probe);
    hop.icmp = summary;
    hop.quote = quoteSummary(q, icmp);
    hop.changes = quoteChanges(probe.sent, q).map((c) => ({ ...c, new: true }));
    hop.findings.push(...findings);
    if (!expired && !answer) answer = { kind: hop.reply === 'unreachable' ? 'unreachable' : 'icmp', ttl: probe.ttl, address: hop.address, rttMs: hop.rttMs, icmp: summary };
  };

  const waitForReply = (hop: TraceHop): Promise<void> => new Promise((resolve) => {
    const signal = options.signal;
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      wake = undefined;
      resolve();
    };
    // A reply the transport holds after a stalled event loop wakes the wait through onPacket first.
    const timer = setTimeout(() => {
      transport.poll?.();
      done();
    }, timeoutMs);
    signal?.addEventListener('abort', done, { once: true });
    wake = () => {
      if (hop.reply !== 'none' || answer) done();
    };
  });

  const start: TraceStart = {
    target: addressText(options.target), port: options.port, family, source: addressText(options.source), sourcePort, version,
    firstHop, maxHops, timeoutMs, probe: { options: synOptions.map(describeOption), bytes: build(firstHop).length },
  };
  options.onStart?.(start);
  transport.start(onPacket);
  try {
    for (let ttl = firstHop; ttl <= maxHops && !answer && !options.signal?.aborted; ttl++) {
      const bytes = build(ttl);
      const p = decodeCrafted(bytes);
      // Every key up front, so JSON output lists them in one order.
      const hop: TraceHop = { ttl, reply: 'none', address: undefined, rttMs: undefined, icmp: undefined, quote: undefined, changes: [], findings: [] };
      const probe: Probe = { ttl, seq: p.tcp!.seq, id: p.ip!.layer === 'ip' ? p.ip!.id : -1, sentAt: performance.now(), sent: { ip: p.ip!, tcp: p.tcp! }, hop };
      probes.push(probe);
      hops.push(hop);
      current = probe;
      transport.send(bytes);
      options.onPacket?.('out', bytes, epoch());
      await waitForReply(hop);
      markNew(hops);
      const drawn = answerNow();
      options.onHop?.(hop, drawn && drawn.ttl === ttl ? drawn : undefined);
    }
  } finally {
    transport.close();
  }
  markNew(hops);
  const final: TraceAnswer = answer ?? { kind: options.signal?.aborted ? 'interrupted' : 'silence' };
  const result: TraceResult = { ...start, hops, answer: final, verdict: { code: 'silence', text: '' } };
  result.verdict = traceVerdict(result);
  return result;
}

/** Milliseconds since the probe left, to the microsecond. */
function rtt(now: number, probe: Probe): number {
  return Math.round((now - probe.sentAt) * 1000) / 1000;
}

function quoteSummary(q: QuotedPacket, icmp: IcmpRepr): QuoteSummary {
  const ipHeader = q.ip ? (q.ip.layer === 'ip' ? q.ip.ihl * 4 : q.ip.length) : 0;
  return {
    bytes: ipHeader + q.transportBytes, transportBytes: q.transportBytes, partial: q.partial,
    showsOptions: quoteShowsOptions(q), rfc4884: icmp.originalLength > 0,
  };
}

/** Marks each hop's changes new unless an earlier hop already showed the same one. */
function markNew(hops: readonly TraceHop[]): void {
  const seen = new Set<string>();
  for (const hop of hops) {
    for (const c of hop.changes) {
      const k = `${c.field}|${c.kind}|${c.seen ?? ''}`;
      c.new = !seen.has(k);
    }
    for (const c of hop.changes) seen.add(`${c.field}|${c.kind}|${c.seen ?? ''}`);
  }
}

// ------------------------------------------------------------------ verdict

/** Where MP_CAPABLE was last seen intact and first seen stripped or rewritten, from the quotes. */
function mpCapableFate(hops: readonly TraceHop[]): { intact?: TraceHop | undefined; hit?: TraceHop | undefined; change?: HopChange | undefined } {
  let intact: TraceHop | undefined;
  for (const hop of hops) {
    if (!hop.quote?.showsOptions) continue;
    const change = hop.changes.find((c) => c.field.startsWith('tcp.options.mptcp'));
    if (change) return { intact, hit: hop, change };
    intact = hop;
  }
  return { intact };
}

function hopName(hop: TraceHop): string {
  return `hop ${hop.ttl} (${hop.address ?? '?'})`;
}

/** The one-line conclusion of a trace. */
export function traceVerdict(r: TraceResult): { code: VerdictCode; text: string } {
  const who = `${r.target} port ${r.port}`;
  const a = r.answer;
  const fate = mpCapableFate(r.hops);
  const where = fate.hit
    ? `${fate.change!.kind === 'removed' ? 'stripped' : 'rewritten'} ${fate.intact ? `between ${hopName(fate.intact)} and ${hopName(fate.hit)}` : `before ${hopName(fate.hit)}`}`
    : undefined;
  const others = r.hops.flatMap((h) => h.changes.filter((c) => c.new && !c.field.startsWith('tcp.options.mptcp')).map((c) => `${c.text} at hop ${h.ttl}`));
  const alsoChanged = others.length ? `; the path also changed: ${others.join(', ')}` : '';
  switch (a.kind) {
    case 'synack': {
      if (a.mpCapable) {
        const v = a.mpCapable.version === r.version ? `v${a.mpCapable.version}` : `v${a.mpCapable.version} (the probe offered v${r.version})`;
        return { code: 'mptcp', text: `${who} answered with a SYN/ACK carrying MP_CAPABLE ${v}: MPTCP can be used on this path${where ? `, although MP_CAPABLE was ${where}` : ''}${alsoChanged}` };
      }
      if (where) return { code: 'mptcp-stripped', text: `${who} answered with a SYN/ACK without MP_CAPABLE: the option was ${where}${alsoChanged}` };
      const lastSeen = fate.intact ? ` (the quotes show it intact up to ${hopName(fate.intact)})` : ' (no quote showed the options on the way)';
      return { code: 'no-mptcp', text: `${who} answered with a SYN/ACK without MP_CAPABLE: it does not speak MPTCP v${r.version}, or something after the last quoting hop removed the option${lastSeen}${alsoChanged}` };
    }
    case 'rst':
      return { code: 'rst', text: `${who} answered with a RST: nothing listens there, or a firewall resets the connection${where ? `; MP_CAPABLE was ${where}` : ''}${alsoChanged}` };
    case 'unreachable':
    case 'icmp':
      return { code: 'unreachable', text: `${a.address ?? '?'} (hop ${a.ttl}) answered ${a.icmp?.name ?? 'with an ICMP error'}: the probes do not reach ${who}${alsoChanged}` };
    case 'interrupted':
      return { code: 'interrupted', text: `interrupted after ${r.hops.length} probe${r.hops.length === 1 ? '' : 's'}, before ${who} answered` };
    case 'silence': {
      const seconds = r.timeoutMs / 1000;
      return { code: 'silence', text: `no answer from ${who} within ${r.maxHops} hops (each probe waited ${seconds} s)${where ? `; MP_CAPABLE was ${where}` : ''}${alsoChanged}` };
    }
  }
}
