/**
 * Fallback to plain TCP and what leads to it: a handshake without
 * MP_CAPABLE, options removed mid-stream, DSS checksum failures, MP_FAIL,
 * infinite mappings.
 */
import type { FallbackCause, MptcpSubflow } from '../../mptcp/types.js';
import type { ConnContext } from './context.js';
import { endpoint, plural, subflowName } from './context.js';

interface FallbackWords {
  code: string;
  title: string;
  meaning: string;
  check: string[];
}

const STRIP_CHECKS = [
  'compare with a capture at the other end: an option present there but missing here was stripped on the way',
  'middleboxes between the two ends (firewalls with TCP normalisation, proxies, NATs, WAN optimisers); tracebox-style probes find the hop that strips options',
];

function words(cause: FallbackCause, sub: MptcpSubflow): FallbackWords {
  switch (cause) {
    case 'synack-without-mp-capable':
      return {
        code: 'fallback.synack_without_mp_capable',
        title: `fallback to TCP: the SYN/ACK from ${endpoint(sub.dst)} carries no MP_CAPABLE`,
        meaning: 'The client offered MPTCP and the server answered as plain TCP: the server does not speak MPTCP (not enabled, or the application opened a plain TCP socket), or a middlebox removed the option from the SYN or the SYN/ACK.',
        check: [
          'on a Linux server: sysctl net.mptcp.enabled, and that the application listens with IPPROTO_MPTCP (ss -ltnM lists MPTCP listeners; mptcpize run wraps a TCP program)',
          ...STRIP_CHECKS,
        ],
      };
    case 'ack-without-mp-capable':
      return {
        code: 'fallback.ack_without_mp_capable',
        title: 'fallback to TCP: the ACK completing the handshake carries no MP_CAPABLE',
        meaning: 'The server accepted MPTCP but the client\'s third ACK has no MP_CAPABLE: the client gave up MPTCP (it found the SYN/ACK\'s option invalid) or a middlebox removed the option from the ACK.',
        check: ['the client\'s MPTCP counters (nstat -az | grep -i mptcp)', ...STRIP_CHECKS],
      };
    case 'data-without-dss':
      return {
        code: 'fallback.options_removed',
        title: `fallback to TCP on ${subflowName(sub)}: data without any MPTCP option after the handshake`,
        meaning: 'MPTCP was negotiated, then data segments came without DSS options: something on the path removes TCP options it does not know from data segments (or re-segments the stream), which forces MPTCP back to plain TCP.',
        check: [...STRIP_CHECKS, 'segmentation offloads on a box that rewrites TCP (TSO/GRO on a proxy or a NAT that rebuilds segments)'],
      };
    case 'infinite-mapping':
      return {
        code: 'fallback.infinite_mapping',
        title: `fallback to TCP on ${subflowName(sub)}: infinite DSS mapping`,
        meaning: 'The sender switched the connection to an infinite mapping: it no longer maps data, usually after MP_FAIL reported a checksum failure (the payload was changed on the way) or after options were lost.',
        check: ['the MP_FAIL or checksum findings of this connection', 'application-level gateways that rewrite payloads (FTP/SIP helpers, transparent proxies)'],
      };
  }
}

export function fallbackRules(ctx: ConnContext): void {
  const c = ctx.conn;
  const seen = new Set<string>();
  for (const sub of c.subflows) {
    const fb = sub.fallback ?? (c.fallback !== undefined && c.fallback.stream === sub.stream ? c.fallback : undefined);
    if (fb === undefined) continue;
    const key = `${sub.stream}/${fb.cause}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const w = words(fb.cause, sub);
    const frames = fb.cause === 'synack-without-mp-capable' ? [sub.synFrame, sub.synAckFrame, fb.frame] : [fb.frame];
    ctx.add({ severity: 'warning', code: w.code, stream: sub.stream, title: w.title, frames, meaning: w.meaning, check: w.check, facts: { cause: fb.cause } });
  }
  mpFail(ctx);
  checksums(ctx);
}

function mpFail(ctx: ConnContext): void {
  const fails = ctx.conn.events.filter((e) => e.kind === 'mp_fail');
  if (fails.length === 0) return;
  ctx.add({
    severity: 'error',
    code: 'mptcp.mp_fail',
    stream: fails[0]!.stream,
    title: `MP_FAIL: a receiver found data that fails its DSS checksum (${plural(fails.length, 'MP_FAIL option')})`,
    frames: fails.map((e) => e.frame),
    meaning: 'The payload was changed between the two ends while MPTCP was mapping it. The subflow is reset, or the connection falls back to plain TCP when it has a single subflow.',
    check: ['application-level gateways and proxies that rewrite payloads (NAT helpers for FTP/SIP, content filters)', 'the DSS checksum findings: the frames whose mapping fails'],
    facts: { count: fails.length },
  });
}

function checksums(ctx: ConnContext): void {
  const k = ctx.conn.dssChecksums;
  if (k.bad > 0) {
    ctx.add({
      severity: 'error',
      code: 'dss.checksum_bad',
      title: `${plural(k.bad, 'DSS checksum')} of ${k.good + k.bad + k.unchecked} ${k.bad === 1 ? 'does' : 'do'} not match ${k.bad === 1 ? 'its' : 'their'} mapping and payload`,
      frames: k.badFrames,
      meaning: 'The payload or the mapping a checksum covers was changed after the sender computed it (or the capture holds bytes other than those sent, e.g. checksum offload quirks on the capturing host). The receiver answers with MP_FAIL.',
      check: ['payload-rewriting middleboxes between the two ends', 'capture at the sender: if the checksum is good there, the change happens on the way'],
      facts: { bad: k.bad, good: k.good, unchecked: k.unchecked },
    });
  }
  if (k.unchecked > 0) {
    ctx.add({
      severity: 'note',
      code: 'dss.checksum_unchecked',
      title: `${plural(k.unchecked, 'DSS checksum')} could not be checked: their payload is not all in the capture`,
      frames: k.uncheckedFrames,
      meaning: 'A checksum covers its whole mapping (often many segments); segments cut by the snap length or missing from the capture leave it unverifiable. This says nothing bad about the connection.',
      check: ['capture whole packets (tcpdump -s 0) on an interface that sees every segment to check them all'],
      facts: { unchecked: k.unchecked, good: k.good },
    });
  }
}
