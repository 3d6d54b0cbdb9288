/**
 * The "[MPTCP analysis]" subtree of the TCP section, from the MPTCP
 * annotation of `analysis/mptcp`: tshark's lines (master subflow, connection
 * index, subflows, and with its mapping preferences the segment's mapping,
 * DSN and the frames it reinjects), then what mpscope checks and tshark does
 * not (DSS checksums over whole mappings, fallback, findings).
 */
import type { CheckStatus, MptcpAnnotation } from '../../analysis/mptcp/types.js';
import { mptcpRawDsn, mptcpRelative64, mptcpSubflowList } from '../../fields/index.js';
import type { Packet } from '../../wire/types.js';
import { TcpFlag } from '../../wire/types.js';
import type { ResolvedPrefs } from './detail-analysis.js';
import { findingGroup, type Tree } from './tree.js';

const FALLBACK_TEXT: Readonly<Record<string, string>> = {
  'synack-without-mp-capable': 'the SYN/ACK carries no MP_CAPABLE',
  'ack-without-mp-capable': 'the ACK completing the handshake carries no MPTCP option',
  'data-without-dss': 'data without any MPTCP option after the handshake',
  'infinite-mapping': 'infinite DSS mapping',
};

/** A check's result in the words of tshark's checksum statuses. */
export function checkText(s: CheckStatus, unknown: string): string {
  return s === 'good' ? 'Good' : s === 'bad' ? 'Bad' : unknown;
}

/** A DSN as tshark shows it: relative to the IDSN with " (Relative)", or the raw 64-bit value. */
export function dsnText(a: MptcpAnnotation, dir: 0 | 1, rel: number | undefined, relative: boolean): string | undefined {
  if (rel === undefined) return undefined;
  if (relative) return `${mptcpRelative64(rel)} (Relative)`;
  const raw = mptcpRawDsn(a, dir, rel);
  return raw === undefined ? undefined : `${raw}`;
}

/** The subflow had fallen back to TCP by this packet: its data needs no mapping. */
function fellBack(a: MptcpAnnotation): boolean {
  const f = a.subflow.fallback ?? a.connection.fallback;
  return f !== undefined && f.frame <= a.frame;
}

/**
 * tshark looks a segment's mapping up only on a subflow whose handshake it
 * saw, and not on a SYN; without one it warns.
 */
function mappingLines(t: Tree, d: number, a: MptcpAnnotation, pkt: Packet, prefs: ResolvedPrefs): void {
  if (a.subflow.synFrame === undefined && a.subflow.synAckFrame === undefined) return;
  if (a.relatedMapping !== undefined) {
    t.add(d, `[Related mapping: ${a.relatedMapping}]`);
  } else if ((pkt.tcp!.flags & TcpFlag.SYN) === 0 && pkt.tcp!.payloadLength > 0 && !fellBack(a)) {
    t.expert(d, 'Warning', 'Protocol', 'No mapping available');
    return;
  }
  const raw = mptcpRawDsn(a, a.dir, a.dsn);
  if (raw === undefined) return;
  t.add(d, `Raw Data Sequence Number: ${raw}`);
  if (prefs.mptcpRelative) t.add(d, `[Data Sequence Number: ${mptcpRelative64(a.dsn!)} (Relative)]`);
  if (prefs.mptcpReinjections) for (const f of a.reinjectionOf ?? []) t.add(d, `[Reinjection of: ${f}]`);
}

/** mpscope's own lines: what the segment resends on its own subflow, checks completed here, fallback and findings. */
function ownLines(t: Tree, d: number, a: MptcpAnnotation): void {
  for (const f of a.dataRetransmissionOf ?? []) t.add(d, `[Data retransmission of: ${f}]`);
  // A mapping announced in this same packet has its status in the DSS option already.
  if (a.dssChecksum !== undefined && a.dssChecksumMapping !== a.frame) {
    const s = a.dssChecksum === 'good' ? 'Good' : a.dssChecksum === 'bad' ? 'Bad' : 'not checkable: payload not all captured';
    t.add(d, `[DSS checksum of the mapping in frame ${a.dssChecksumMapping}: ${s}]`);
  }
  if (a.fallback !== undefined) t.add(d, `[Fallback to TCP: ${FALLBACK_TEXT[a.fallback] ?? a.fallback}]`);
  for (const f of a.findings ?? []) t.expert(d, f.severity, findingGroup(f.code), f.message);
}

/** The subtree at depth `d` (1 in the TCP section). */
export function mptcpAnalysisSubtree(t: Tree, d: number, a: MptcpAnnotation, pkt: Packet, prefs: ResolvedPrefs): void {
  t.add(d, '[MPTCP analysis]');
  const e = d + 1;
  const master = a.connection.subflows.find((s) => s.master);
  t.add(e, master ? `[Master flow: Master is tcp stream ${master.stream}]` : '[Master flow: False]');
  t.add(e, `[Stream index: ${a.connectionIndex}]`);
  t.add(e, `[TCP subflow stream id(s): ${mptcpSubflowList(a)}]`);
  if (prefs.mptcpMappings) mappingLines(t, e, a, pkt, prefs);
  ownLines(t, e, a);
}
