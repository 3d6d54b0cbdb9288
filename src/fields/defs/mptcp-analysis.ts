/**
 * Fields of MPTCP connection analysis (`analysis/mptcp`), read from the
 * packet's MPTCP annotation: tshark's stateful `mptcp.*` names, and
 * mpscope's own for what tshark lacks (the checks it makes, fallback,
 * findings), all under `mpscope.mptcp.*`. Without the analysis they are
 * absent.
 *
 * Layout follows tshark's tree: `mptcp.ack` and `mptcp.dss.dsn` sit in the
 * DSS option; the rest in the `mptcp.analysis` subtree of TCP.
 */
import type { MptcpAnnotation, MptcpFinding } from '../../analysis/mptcp/types.js';
import type { TcpOption } from '../../wire/types.js';
import type { FieldRegistry, Getter, ScopedDefiner } from '../registry.js';
import type { FieldContext, FieldResult, Scope } from '../types.js';

declare module '../types.js' {
  interface PacketAnnotations {
    mptcp?: MptcpAnnotation | undefined;
  }
}

const TWO_64 = 1n << 64n;

const ann = (c: FieldContext): MptcpAnnotation | undefined => c.analysis?.mptcp;

/** A relative sequence number as tshark's unsigned 64-bit field (negative ones wrap, as they would on the wire). */
export function mptcpRelative64(rel: number): bigint {
  const v = BigInt(rel);
  return v < 0n ? v + TWO_64 : v;
}

/** The raw 64-bit DSN of relative `rel` in direction `dir`, when the base's high half is known. */
export function mptcpRawDsn(a: MptcpAnnotation, dir: 0 | 1, rel: number | undefined): bigint | undefined {
  const base = a.connection.dirs[dir].baseDsn;
  return rel === undefined || base === undefined ? undefined : BigInt.asUintN(64, base + BigInt(rel));
}

function frames(list: readonly number[] | undefined): FieldResult {
  return list === undefined || list.length === 0 ? undefined : list.length === 1 ? list[0] : list;
}

/** Accessor of one annotation member, absent when the packet has no annotation or no such member. */
function member<T>(get: (a: MptcpAnnotation) => T | undefined): Getter {
  return (c) => {
    const a = ann(c);
    return a === undefined ? undefined : (get(a) as FieldResult);
  };
}

/** For fields of the DSS option node: the packet's annotation, when the option is a DSS. */
function dssItem(get: (a: MptcpAnnotation) => FieldResult): (o: TcpOption, c: FieldContext) => FieldResult {
  return (o, c) => {
    if (o.type !== 'mptcp' || o.mptcp.name !== 'DSS') return undefined;
    const a = ann(c);
    return a === undefined ? undefined : get(a);
  };
}

/** Fields inside the DSS option node, beside the raw values they interpret. */
export function defineMptcpAnalysisOptionFields(s: ScopedDefiner<TcpOption>): void {
  const layer = { layer: 'mptcp' };
  s.field('mptcp.ack', 'uint64', 'Multipath TCP Data ACK', dssItem((a) => (a.dataAck === undefined ? undefined : mptcpRelative64(a.dataAck))), layer);
  s.field('mptcp.dss.dsn', 'uint64', 'DSS Data Sequence Number', dssItem((a) => (a.dssDsn === undefined ? undefined : mptcpRelative64(a.dssDsn))), layer);
  s.field('mpscope.mptcp.rawack64', 'uint64', 'Data ACK as a 64-bit number (a 32-bit one extended from the connection position)',
    dssItem((a) => mptcpRawDsn(a, a.dir === 0 ? 1 : 0, a.dataAck)), layer);
  s.field('mpscope.mptcp.dss.rawdsn64', 'uint64', 'DSS mapping DSN as a 64-bit number (a 32-bit one extended from the connection position)',
    dssItem((a) => mptcpRawDsn(a, a.dir, a.dssDsn)), layer);
}

/** tshark's list of the subflows known at this packet: newest first, each followed by a space. */
export function mptcpSubflowList(a: MptcpAnnotation): string {
  let s = '';
  for (let i = a.subflowCount - 1; i >= 0; i--) s += `${a.connection.subflows[i]!.stream} `;
  return s;
}

const findings: Scope<MptcpFinding> = {
  name: 'mpscope.mptcp.finding',
  within: 'mptcp.analysis',
  items: (c) => ann(c)?.findings,
  node: () => 'mpscope.mptcp.finding',
};

/** The `mptcp.analysis` subtree of TCP. */
export function defineMptcpAnalysisFields(r: FieldRegistry): void {
  const d = r.definer('mptcp');
  d.field('mptcp.analysis', 'none', 'MPTCP analysis', member(() => true), { parent: 'tcp' });
  const under = { parent: 'mptcp.analysis' };
  d.field('mptcp.master', 'bool', 'Master flow', member((a) => a.subflow.master), under);
  d.field('mptcp.stream', 'uint32', 'Stream index', member((a) => a.connection.index), under);
  d.field('mptcp.analysis.subflows', 'string', 'TCP subflow stream id(s)', member(mptcpSubflowList), under);
  d.field('mptcp.related_mapping', 'framenum', 'Related mapping', member((a) => a.relatedMapping), under);
  d.field('mptcp.rawdsn64', 'uint64', 'Raw Data Sequence Number', member((a) => mptcpRawDsn(a, a.dir, a.dsn)), under);
  d.field('mptcp.dsn', 'uint64', 'Data Sequence Number', member((a) => (a.dsn === undefined ? undefined : mptcpRelative64(a.dsn))), under);
  d.field('mptcp.reinjection_of', 'framenum', 'Reinjection of', (c) => frames(ann(c)?.reinjectionOf), under);
  d.field('mptcp.reinjected_in', 'framenum', 'Data reinjected in', (c) => frames(ann(c)?.reinjectedIn), under);

  d.field('mpscope.mptcp.sender', 'string', 'Side of the MPTCP connection that sent the packet (client, server)',
    member((a) => (a.dir === 0 ? 'client' : 'server')), under);
  d.field('mpscope.mptcp.data_retransmission_of', 'framenum', 'Earlier frames of this subflow whose DSN range this segment resends under new subflow sequence numbers',
    (c) => frames(ann(c)?.dataRetransmissionOf), under);
  d.field('mpscope.mptcp.key_echo_status', 'string', 'Keys echoed by MP_CAPABLE after the SYN/ACK: good, bad (differ from the SYN and SYN/ACK), unknown', member((a) => a.keyEcho), under);
  d.field('mpscope.mptcp.join_token_status', 'string', 'MP_JOIN SYN token: good (names a captured connection), bad (matches none)', member((a) => a.joinToken), under);
  d.field('mpscope.mptcp.join_hmac_status', 'string', 'MP_JOIN HMAC (SYN/ACK truncated, third ACK full): good, bad, unknown (keys or nonces not captured)', member((a) => a.joinHmac), under);
  d.field('mpscope.mptcp.add_addr_hmac_status', 'string', 'ADD_ADDR v1 HMAC: good, bad, unknown (keys not captured)', member((a) => a.addAddrHmac), under);
  d.field('mpscope.mptcp.add_addr_echo_of', 'framenum', 'ADD_ADDR echo: frame of the advertisement it echoes', member((a) => a.addAddrEchoOf), under);
  d.field('mpscope.mptcp.fastclose_key_status', 'string', "MP_FASTCLOSE key: good (the receiver's), bad, unknown", member((a) => a.fastcloseKey), under);
  d.field('mpscope.mptcp.dss_checksum_status', 'string', 'DSS checksum of the mapping this packet completed: good, bad, unchecked', member((a) => a.dssChecksum), under);
  d.field('mpscope.mptcp.dss_checksum_mapping', 'framenum', 'Frame announcing the mapping whose DSS checksum this packet completed', member((a) => a.dssChecksumMapping), under);
  d.field('mpscope.mptcp.fallback', 'string', 'Fallback to TCP detected at this packet: synack-without-mp-capable, ack-without-mp-capable, data-without-dss, infinite-mapping',
    member((a) => a.fallback), under);

  const f = d.scoped(findings);
  f.node('mpscope.mptcp.finding', 'protocol', 'MPTCP analysis finding', (x) => x.message);
  f.field('mpscope.mptcp.finding.code', 'string', 'Finding code (mptcp.fallback, mptcp.join.hmac_bad, mptcp.dss.checksum_bad...)', (x) => x.code);
  f.field('mpscope.mptcp.finding.severity', 'string', 'Finding severity (error, warning, note, chat)', (x) => x.severity);
  f.field('mpscope.mptcp.finding.message', 'string', 'Finding text', (x) => x.message);
}
