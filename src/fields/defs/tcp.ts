/**
 * `tcp.*`: the TCP header and every TCP option except MPTCP's (defs/mptcp.ts).
 *
 * Sequence and acknowledgment numbers are raw unless the packet comes with
 * TCP analysis, which numbers them relative to the ISNs as tshark does;
 * `tcp.stream`, the scaled window and `tcp.analysis.*` are in
 * tcp-analysis.ts.
 */
import { TcpFlag } from '../../wire/types.js';
import type { TcpOption, TcpRepr } from '../../wire/types.js';
import type { FieldRegistry, ScopedDefiner } from '../registry.js';
import { tcpSegmentLength } from '../../analysis/tcp/segment.js';
import { checksumStatus } from './checksum.js';
import {
  analysedAck, analysedNxtseq, analysedSeq, defineTcpAnalysisFields, defineTcpStreamField, defineTcpWindowFields, isRetransmission, sackBase,
} from './tcp-analysis.js';
import type { FieldContext, FieldResult, Scope } from '../types.js';

const tcp = (c: FieldContext): TcpRepr | undefined => c.packet.tcp;

/** tshark's `tcp.flags.str`: one character per flag bit, high to low, `·` when clear. */
const FLAG_CHARS = ['R', 'R', 'R', 'A', 'C', 'E', 'U', 'A', 'P', 'R', 'S', 'F'];

function flagString(flags: number): string {
  let s = '';
  for (let i = 0; i < 12; i++) s += flags & (0x800 >> i) ? FLAG_CHARS[i]! : '\u00b7';
  return s;
}

function tcpSummary(t: TcpRepr): string {
  const ports = `Transmission Control Protocol, Src Port: ${t.srcPort}, Dst Port: ${t.dstPort}`;
  if (t.length < FULL) return ports;
  const ack = t.flags & TcpFlag.ACK ? `, Ack: ${t.ack}` : '';
  return `${ports}, Seq: ${t.seq}${ack}, Len: ${t.payloadLength}`;
}

/** The sequence number after this segment; SYN or FIN counts as one byte (one in all when both are set, as tshark counts). */
function nextSeq(t: TcpRepr): number {
  const extra = t.flags & (TcpFlag.SYN | TcpFlag.FIN) ? 1 : 0;
  return (t.seq + t.payloadLength + extra) >>> 0;
}

/** RFC 1122 lets a RST carry text saying why; tshark shows it as `tcp.reset_cause` instead of payload. */
export function isResetWithCause(t: TcpRepr): boolean {
  return (t.flags & TcpFlag.RST) !== 0 && t.payloadCaptured > 0;
}

/** Bytes of the fixed header. */
const FULL = 20;

/**
 * The TCP header when its first `bytes` bytes are there. A header quoted in
 * an ICMP error is often cut after 8 bytes: fields past the cut are absent.
 */
function upTo(c: FieldContext, bytes: number): TcpRepr | undefined {
  const t = c.packet.tcp;
  return t && t.length >= bytes ? t : undefined;
}

function defineHeader(r: FieldRegistry): void {
  const d = r.definer('tcp', { alsoQuoted: true });
  d.protocol('tcp', 'Transmission Control Protocol', (c) => {
    const t = tcp(c);
    return t && tcpSummary(t);
  });
  d.field('tcp.srcport', 'uint16', 'Source Port', (c) => tcp(c)?.srcPort);
  d.field('tcp.dstport', 'uint16', 'Destination Port', (c) => tcp(c)?.dstPort);
  d.field('tcp.port', 'uint16', 'Source or Destination Port', (c) => {
    const t = tcp(c);
    return t && [t.srcPort, t.dstPort];
  });
  defineTcpStreamField(d);
  // tshark knows no segment length for a header quoted in an ICMP error: no length, no next sequence number there.
  const own = r.definer('tcp');
  own.field('tcp.len', 'uint32', 'TCP Segment Len', (c) => {
    const t = upTo(c, FULL);
    const n = t && tcpSegmentLength(c.packet, t);
    return n === undefined || n < 0 ? undefined : n;
  });
  d.field('tcp.seq', 'uint32', 'Sequence Number', (c) => analysedSeq(c) ?? upTo(c, 8)?.seq);
  d.field('tcp.seq_raw', 'uint32', 'Sequence Number (raw)', (c) => upTo(c, FULL)?.seq);
  own.field('tcp.nxtseq', 'uint32', 'Next Sequence Number', (c) => {
    const n = analysedNxtseq(c);
    if (n !== undefined) return n ?? undefined;
    const t = upTo(c, FULL);
    return t && nextSeq(t);
  });
  // With a header length field below 20, tshark stops after the sequence number.
  d.field('tcp.ack', 'uint32', 'Acknowledgment Number', (c) => {
    const t = upTo(c, FULL);
    return t === undefined || t.dataOffset < 5 ? undefined : analysedAck(c) ?? t.ack;
  });
  d.field('tcp.ack_raw', 'uint32', 'Acknowledgment number (raw)', (c) => upTo(c, FULL)?.ack);
  d.field('tcp.hdr_len', 'uint8', 'Header Length', (c) => {
    const t = upTo(c, FULL);
    return t && t.dataOffset * 4;
  });
  d.field('tcp.flags', 'uint16', 'Flags', (c) => upTo(c, FULL)?.flags, { base: 'hex' });
  const bit = (mask: number) => (c: FieldContext) => {
    const t = upTo(c, FULL);
    return t && (t.flags & mask) !== 0;
  };
  const under = { parent: 'tcp.flags' };
  d.field('tcp.flags.res', 'bool', 'Reserved', bit(TcpFlag.RES), under);
  d.field('tcp.flags.ae', 'bool', 'Accurate ECN', bit(TcpFlag.AE), under);
  d.field('tcp.flags.cwr', 'bool', 'Congestion Window Reduced', bit(TcpFlag.CWR), under);
  d.field('tcp.flags.ece', 'bool', 'ECN-Echo', bit(TcpFlag.ECE), under);
  d.field('tcp.flags.urg', 'bool', 'Urgent', bit(TcpFlag.URG), under);
  d.field('tcp.flags.ack', 'bool', 'Acknowledgment', bit(TcpFlag.ACK), under);
  d.field('tcp.flags.push', 'bool', 'Push', bit(TcpFlag.PSH), under);
  d.field('tcp.flags.reset', 'bool', 'Reset', bit(TcpFlag.RST), under);
  d.field('tcp.flags.syn', 'bool', 'Syn', bit(TcpFlag.SYN), under);
  d.field('tcp.flags.fin', 'bool', 'Fin', bit(TcpFlag.FIN), under);
  d.field('tcp.flags.str', 'string', 'TCP Flags', (c) => {
    const t = upTo(c, FULL);
    return t && flagString(t.flags);
  }, under);
  d.field('tcp.window_size_value', 'uint16', 'Window', (c) => upTo(c, FULL)?.window);
  defineTcpWindowFields(d);
  d.field('tcp.checksum', 'uint16', 'Checksum', (c) => upTo(c, FULL)?.checksum, { base: 'hex' });
  d.field('tcp.checksum.status', 'uint8', 'Checksum Status (0 bad, 1 good, 2 unverified)', (c) => {
    const t = upTo(c, FULL);
    return t && checksumStatus(t.checksumOk);
  });
  d.field('tcp.urgent_pointer', 'uint16', 'Urgent Pointer', (c) => upTo(c, FULL)?.urgentPointer);
  d.field('tcp.options', 'bytes', 'TCP Options', (c) => {
    const t = tcp(c);
    if (!t || t.length <= FULL) return undefined;
    return c.packet.data.subarray(t.offset + FULL, t.offset + t.length);
  });
}

const EXPERIMENTAL_KINDS = new Set([253, 254]);

/** tshark's subtree name for each option. */
function optionNode(o: TcpOption): string {
  switch (o.type) {
    case 'eol': return 'tcp.options.eol';
    case 'nop': return 'tcp.options.nop';
    case 'mss': return 'tcp.options.mss';
    case 'wscale': return 'tcp.options.wscale';
    case 'sackPerm': return 'tcp.options.sack_perm';
    case 'sack': return 'tcp.options.sack';
    case 'timestamps': return 'tcp.options.timestamp';
    case 'md5': return 'tcp.options.md5';
    case 'userTimeout': return 'tcp.options.user_to';
    case 'tcpAo': return 'tcp.options.ao';
    case 'fastOpen': return o.experimental ? 'tcp.options.experimental' : 'tcp.options.tfo';
    case 'mptcp': return 'mptcp';
    case 'unknown': return EXPERIMENTAL_KINDS.has(o.kind) ? 'tcp.options.experimental' : 'tcp.options.unknown';
  }
}

/**
 * tshark lists each zero byte after an EOL as one more EOL (and stops at the
 * first non-zero one); mpscope's decoder keeps that padding inside the EOL.
 */
function splitEol(options: readonly TcpOption[]): readonly TcpOption[] {
  const last = options[options.length - 1];
  if (last?.type !== 'eol' || last.raw.length <= 1) return options;
  const out = options.slice(0, -1);
  for (let i = 0; i < last.raw.length && (i === 0 || last.raw[i] === 0); i++) {
    out.push({ type: 'eol', kind: 0, offset: last.offset + i, length: 1, raw: last.raw.subarray(i, i + 1) });
  }
  return out;
}

/** The TCP options, in header order; MPTCP fields (defs/mptcp.ts) are read from the same items. */
export const tcpOptions: Scope<TcpOption> = {
  name: 'tcp.option',
  within: 'tcp.options',
  items: (c) => {
    const o = c.packet.tcp?.options;
    return o && splitEol(o);
  },
  node: optionNode,
};

type Narrow<K extends TcpOption['type']> = Extract<TcpOption, { type: K }>;

/** An item getter that only answers for options of one type. */
function when<K extends TcpOption['type']>(type: K, get: (o: Narrow<K>) => FieldResult): (o: TcpOption) => FieldResult {
  return (o) => (o.type === type ? get(o as Narrow<K>) : undefined);
}

/** Sequence-space a < b (RFC 1982 serial arithmetic on 32 bits). */
const seqLess = (a: number, b: number) => ((a - b) | 0) < 0;

/**
 * RFC 2883 D-SACK: the first block reports duplicate data when it lies below
 * the cumulative ACK or inside the second block.
 */
function dsack(o: TcpOption, c: FieldContext): readonly [number, number] | undefined {
  if (o.type !== 'sack' || o.blocks.length === 0) return undefined;
  const [le, re] = o.blocks[0]!;
  const ack = c.packet.tcp?.ack ?? 0;
  const second = o.blocks[1];
  const inSecond = second !== undefined && !seqLess(le, second[0]) && !seqLess(second[1], re);
  return seqLess(le, ack) || inSecond ? [le, re] : undefined;
}

const relativeTo = (v: number | undefined, base: number) => (v === undefined ? undefined : (v - base) >>> 0);
const edges = (blocks: ReadonlyArray<[number, number]>, side: 0 | 1, base: number) => blocks.map((b) => (b[side] - base) >>> 0);

const nodeRaw = (o: TcpOption, name: string) => (optionNode(o) === name ? o.raw : undefined);

function defineOptionNodes(s: ScopedDefiner<TcpOption>): void {
  const nodes: Array<[string, string]> = [
    ['tcp.options.nop', 'No-Operation (NOP)'],
    ['tcp.options.eol', 'End of Option List (EOL)'],
    ['tcp.options.timestamp', 'Timestamps'],
    ['tcp.options.mss', 'Maximum segment size'],
    ['tcp.options.wscale', 'Window scale'],
    ['tcp.options.sack_perm', 'SACK permitted'],
    ['tcp.options.sack', 'SACK'],
    ['tcp.options.ao', 'TCP AO'],
    ['tcp.options.md5', 'TCP MD5 signature'],
    ['tcp.options.user_to', 'User Timeout'],
    ['tcp.options.tfo', 'TCP Fast Open'],
    ['tcp.options.experimental', 'Experimental'],
    ['tcp.options.unknown', 'Unknown'],
  ];
  for (const [name, what] of nodes) s.node(name, 'protocol', `TCP Option - ${what}`, (o) => nodeRaw(o, name));
}

function defineOptionFields(s: ScopedDefiner<TcpOption>): void {
  s.field('tcp.option_kind', 'uint8', "This TCP option's kind", (o) => o.kind);
  s.field('tcp.option_len', 'uint8', 'Length of this TCP option in bytes (including kind and length fields)', (o) =>
    o.type === 'eol' || o.type === 'nop' ? undefined : o.length,
  );
  s.field('tcp.options.mss_val', 'uint16', 'MSS Value', when('mss', (o) => o.mss));
  s.field('tcp.options.wscale.shift', 'uint8', 'Shift count', when('wscale', (o) => o.shift));
  s.field('tcp.options.wscale.multiplier', 'uint16', 'Multiplier', when('wscale', (o) => 2 ** Math.min(o.shift, 14)));
  // With analysis the edges are relative to the acknowledged side's ISN, as tshark shows them.
  s.field('tcp.options.sack_le', 'uint32', 'TCP SACK Left Edge', (o, c) => (o.type === 'sack' ? edges(o.blocks, 0, sackBase(c)) : undefined));
  s.field('tcp.options.sack_re', 'uint32', 'TCP SACK Right Edge', (o, c) => (o.type === 'sack' ? edges(o.blocks, 1, sackBase(c)) : undefined));
  s.field('tcp.options.sack.count', 'uint8', 'TCP SACK Count', when('sack', (o) => o.blocks.length));
  s.field('tcp.options.sack.dsack_le', 'uint32', 'TCP D-SACK Left Edge', (o, c) => relativeTo(dsack(o, c)?.[0], sackBase(c)));
  s.field('tcp.options.sack.dsack_re', 'uint32', 'TCP D-SACK Right Edge', (o, c) => relativeTo(dsack(o, c)?.[1], sackBase(c)));
  s.field('tcp.options.timestamp.tsval', 'uint32', 'Timestamp value', when('timestamps', (o) => o.tsval));
  s.field('tcp.options.timestamp.tsecr', 'uint32', 'Timestamp echo reply', when('timestamps', (o) => o.tsecr));
  s.field('tcp.options.md5.digest', 'bytes', 'MD5 digest', when('md5', (o) => o.digest));
  s.field('tcp.options.ao.keyid', 'uint8', 'AO KeyID', when('tcpAo', (o) => o.keyId));
  s.field('tcp.options.ao.rnextkeyid', 'uint8', 'AO RNextKeyID', when('tcpAo', (o) => o.rnextKeyId));
  s.field('tcp.options.ao.mac', 'bytes', 'AO MAC', when('tcpAo', (o) => o.mac));
  s.field('tcp.options.user_to_granularity', 'bool', 'Granularity', when('userTimeout', (o) => o.granularityMinutes));
  s.field('tcp.options.user_to_val', 'uint16', 'User Timeout', when('userTimeout', (o) => o.timeout));
  s.field('tcp.options.experimental.exid', 'uint16', 'Experiment Identifier', (o) => {
    if (!EXPERIMENTAL_KINDS.has(o.kind) || o.raw.length < 4) return undefined;
    return (o.raw[2]! << 8) | o.raw[3]!;
  }, { base: 'hex' });
  s.field('tcp.options.tfo.request', 'none', 'Fast Open Cookie Request', when('fastOpen', (o) => (o.cookie.length === 0 ? true : undefined)));
  s.field('tcp.options.tfo.cookie', 'bytes', 'Fast Open Cookie', when('fastOpen', (o) => (o.cookie.length > 0 ? o.cookie : undefined)));
  s.field('tcp.options.experimental.data', 'bytes', 'Data', (o) =>
    o.type === 'unknown' && EXPERIMENTAL_KINDS.has(o.kind) && o.raw.length > 4 ? o.raw.subarray(4) : undefined,
  );
  s.field('tcp.options.unknown.payload', 'bytes', 'Payload', (o) =>
    o.type === 'unknown' && !EXPERIMENTAL_KINDS.has(o.kind) && o.data.length > 0 ? o.data : undefined,
  );
}

const payloadBytes = (c: FieldContext, t: TcpRepr) => c.packet.data.subarray(t.payloadOffset, t.payloadOffset + t.payloadCaptured);

/** Bytes as text, printable ASCII kept and the rest escaped as `\xNN`. */
function asText(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x >= 0x20 && x < 0x7f && x !== 0x5c ? String.fromCharCode(x) : `\\x${x.toString(16).padStart(2, '0')}`;
  return s;
}

/** Payload bytes present in the capture. */
function defineTcpPayload(r: FieldRegistry): void {
  const d = r.definer('tcp');
  d.field('tcp.reset_cause', 'string', 'Reset cause', (c) => {
    const t = tcp(c);
    return t && isResetWithCause(t) ? asText(payloadBytes(c, t)) : undefined;
  });
  d.field('tcp.payload', 'bytes', 'TCP payload', (c) => {
    const t = tcp(c);
    return t && t.payloadCaptured > 0 && !isResetWithCause(t) ? payloadBytes(c, t) : undefined;
  });
  // tshark's reassembly (on by default) names a retransmission's payload again.
  d.field('tcp.segment_data', 'bytes', 'TCP segment data', (c) => {
    const t = tcp(c);
    return t && t.payloadCaptured > 0 && !isResetWithCause(t) && isRetransmission(c) ? payloadBytes(c, t) : undefined;
  });
}

/**
 * TCP's fields in tshark's tree order: `defineMore` adds option fields,
 * `defineAfterAnalysis` the subtrees tshark puts after the SEQ/ACK analysis
 * and before the payload (MPTCP analysis).
 */
export function defineTcpFields(
  r: FieldRegistry, defineMore: (s: ScopedDefiner<TcpOption>) => void, defineAfterAnalysis: () => void = () => {},
): void {
  defineHeader(r);
  const s = r.definer('tcp').scoped(tcpOptions);
  defineOptionNodes(s);
  defineOptionFields(s);
  defineMore(s);
  defineTcpAnalysisFields(r);
  defineAfterAnalysis();
  defineTcpPayload(r);
}
