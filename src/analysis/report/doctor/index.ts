/**
 * `mpscope doctor`: an expert's reading of the capture, connection by
 * connection, from the analysis model. Each rule module explains one family
 * of problems; this one runs them, lists what was verified, and counts.
 */
import type { MptcpConnection, VerificationKind } from '../../mptcp/types.js';
import type { CaptureAnalysis } from '../run.js';
import { interval, plainConversations } from '../summary.js';
import { addressRules } from './addresses.js';
import { closingRules } from './closing.js';
import { ConnContext } from './context.js';
import type { DoctorOptions } from './context.js';
import { fallbackRules } from './fallback.js';
import { handshakeRules } from './handshake.js';
import { tcpRules } from './tcp.js';
import { trafficRules } from './traffic.js';
import { SEVERITY_ORDER } from './types.js';
import type { DoctorConnection, DoctorFinding, DoctorReport, DoctorSeverity } from './types.js';

export type { DoctorOptions } from './context.js';
export * from './types.js';

const CHECK_NAMES: Record<VerificationKind, string> = {
  key_echo: 'key echo in the third ACK',
  join_token: 'MP_JOIN tokens',
  join_synack_hmac: 'MP_JOIN SYN/ACK HMACs',
  join_ack_hmac: 'MP_JOIN third-ACK HMACs',
  add_addr_hmac: 'ADD_ADDR HMACs',
  add_addr_echo: 'ADD_ADDR echoes',
  fastclose_key: 'MP_FASTCLOSE keys',
};

/** The checks made on a connection, counted by kind and result, in words. */
export function verifiedChecks(conn: MptcpConnection): string[] {
  const counts = new Map<VerificationKind, { good: number; bad: number; unknown: number; why: Set<string> }>();
  for (const v of conn.verifications) {
    const c = counts.get(v.kind) ?? { good: 0, bad: 0, unknown: 0, why: new Set<string>() };
    c[v.status]++;
    if (v.status === 'bad' && v.detail !== undefined) c.why.add(v.detail);
    counts.set(v.kind, c);
  }
  const out: string[] = [];
  for (const [kind, c] of counts) {
    const parts: string[] = [];
    if (c.good > 0) parts.push(`${c.good} good`);
    if (c.bad > 0) parts.push(`${c.bad} bad${c.why.size > 0 ? ` (${[...c.why].join('; ')})` : ''}`);
    if (c.unknown > 0) parts.push(`${c.unknown} not checkable (keys not captured)`);
    out.push(`${CHECK_NAMES[kind]}: ${parts.join(', ')}`);
  }
  const k = conn.dssChecksums;
  if (k.good + k.bad + k.unchecked > 0) {
    const parts = [`${k.good} good`];
    if (k.bad > 0) parts.push(`${k.bad} bad`);
    if (k.unchecked > 0) parts.push(`${k.unchecked} not checkable`);
    out.push(`DSS checksums: ${parts.join(', ')}`);
  }
  return out;
}

function sortFindings(list: DoctorFinding[]): DoctorFinding[] {
  return list.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || (a.frames[0] ?? 0) - (b.frames[0] ?? 0));
}

export function diagnoseConnection(a: CaptureAnalysis, conn: MptcpConnection): DoctorConnection {
  const ctx = new ConnContext(a, conn);
  handshakeRules(ctx);
  fallbackRules(ctx);
  addressRules(ctx);
  trafficRules(ctx);
  closingRules(ctx);
  return {
    index: conn.index,
    version: conn.version,
    client: conn.client,
    server: conn.server,
    firstSubflow: (conn.client === undefined || conn.server === undefined) && conn.subflows[0] !== undefined
      ? { src: conn.subflows[0].src, dst: conn.subflows[0].dst } : undefined,
    state: conn.state,
    ending: conn.ending,
    subflows: conn.subflows.length,
    verified: verifiedChecks(conn),
    findings: sortFindings(ctx.findings),
  };
}

export function diagnose(a: CaptureAnalysis, opts: DoctorOptions = {}): DoctorReport {
  const connections = a.connections.map((c) => diagnoseConnection(a, c));
  const tcp = opts.tcp ? plainConversations(a).map((c) => tcpRules(a, c)).filter((c) => c.findings.length > 0) : undefined;
  const capture: DoctorFinding[] = [];
  if (a.captureError !== undefined) {
    capture.push({
      severity: 'error',
      code: 'capture.damaged',
      title: `the capture file is damaged after frame ${a.packets}: ${a.captureError.message}`,
      frames: a.packets > 0 ? [a.packets] : [],
      meaning: 'Everything before the damage was analysed; what came after is missing, so connections may look unfinished.',
      check: ['how the file was copied or cut (a capture still being written, a truncated download)'],
    });
  }
  const counts: Record<DoctorSeverity, number> = { error: 0, warning: 0, note: 0 };
  const all = [...capture, ...connections.flatMap((c) => c.findings), ...(tcp ?? []).flatMap((c) => c.findings)];
  for (const f of all) counts[f.severity]++;
  return {
    packets: a.packets,
    duration: a.firstTime !== undefined && a.lastTime !== undefined ? interval(a.firstTime, a.lastTime) : 0,
    connections,
    tcp,
    capture,
    counts,
  };
}
