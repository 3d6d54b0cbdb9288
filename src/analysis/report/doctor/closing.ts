/**
 * Keys, closing and the model's remaining findings: key echo, MP_FASTCLOSE,
 * subflow resets with their MP_TCPRST reasons, and whatever else the
 * analysis flagged that no dedicated rule explains.
 */
import { tcprstReasonName } from '../../../wire/index.js';
import { FINDING_CODES } from '../../mptcp/findings.js';
import type { ConnContext } from './context.js';
import { joinCompleted } from './handshake.js';
import { plural, side } from './context.js';
import type { DoctorSeverity } from './types.js';

/** Model finding codes that handshake, fallback, address and closing rules explain in their own words. */
const EXPLAINED = new Set<string>([
  'mptcp.fallback', 'mptcp.key_echo.bad', 'mptcp.join.unknown_token', 'mptcp.join.hmac_bad', 'mptcp.join.failed',
  'mptcp.add_addr.hmac_bad', 'mptcp.add_addr.hmac_leftmost', 'mptcp.dss.checksum_bad', 'mptcp.dss.checksum_unchecked', 'mptcp.fastclose',
  'mptcp.fastclose.key_bad', 'mptcp.mp_fail', 'mptcp.tcprst',
]);

/** Words for the other model findings: what it means and what to check. */
const OTHER_WORDS: Record<string, { meaning: string; check: string[] }> = {
  'mptcp.capable.version_mismatch': {
    meaning: 'The two ends disagree on the MPTCP version after the handshake settled it: one stack is buggy, or options were rewritten on the way.',
    check: ['the kernel or stack versions of both ends', 'middleboxes rewriting options'],
  },
  'mptcp.capable.no_algorithm': {
    meaning: 'MP_CAPABLE must propose HMAC-SHA1 (v0) or HMAC-SHA256 (v1) with its H flag; without it, the peer falls back to TCP.',
    check: ['the stack that sent it (a test tool or an old implementation)'],
  },
  'mptcp.add_addr.echo_mismatch': {
    meaning: 'The echo of an ADD_ADDR should repeat the advertised address; a different one means the option was altered on the way (typically a NAT rewriting one copy).',
    check: ['NATs between the two ends'],
  },
  'mptcp.dss.no_mapping': {
    meaning: 'Some data segments are not covered by any DSS mapping in the capture: the segment announcing the mapping was not captured (loss at the capture point, or a capture started mid-mapping). Their data-level position is unknown.',
    check: ['packet drops at the capture point (tcpdump reports "packets dropped by kernel")'],
  },
};

export function closingRules(ctx: ConnContext): void {
  keyEcho(ctx);
  fastclose(ctx);
  resets(ctx);
  otherFindings(ctx);
}

function keyEcho(ctx: ConnContext): void {
  const bad = ctx.conn.verifications.filter((v) => v.kind === 'key_echo' && v.status === 'bad');
  if (bad.length === 0) return;
  ctx.add({
    severity: 'error',
    code: 'handshake.key_echo_bad',
    stream: bad[0]!.stream,
    title: 'the third ACK echoes keys other than those of the SYN and SYN/ACK',
    frames: bad.map((v) => v.frame),
    meaning: 'In MP_CAPABLE\'s third ACK the client repeats both keys; a different key there means the option was altered on the way or a stack is broken. The peers will disagree on tokens and HMACs, so joins fail.',
    check: ['middleboxes that rewrite TCP options', 'compare with a capture at the other end'],
  });
}

function fastclose(ctx: ConnContext): void {
  const events = ctx.conn.events.filter((e) => e.kind === 'fastclose');
  if (events.length === 0) return;
  const first = events[0]!;
  const badKey = events.filter((e) => e.key === 'bad');
  if (badKey.length > 0) {
    ctx.add({
      severity: 'error',
      code: 'fastclose.key_bad',
      stream: badKey[0]!.stream,
      title: 'MP_FASTCLOSE carries a key other than the receiver\'s',
      frames: badKey.map((e) => e.frame),
      meaning: 'The receiver must ignore an MP_FASTCLOSE whose key is not its own: this close was forged, altered, or aimed at another connection.',
      check: ['who sent it (the addresses and TTL of those frames)', 'middleboxes rewriting options'],
    });
  }
  ctx.add({
    severity: 'note',
    code: 'connection.fastclose',
    stream: first.stream,
    title: `the ${side(first.dir)} closed the connection abruptly with MP_FASTCLOSE`,
    frames: events.map((e) => e.frame),
    meaning: 'MP_FASTCLOSE is MPTCP\'s abortive close (like a TCP RST for the whole connection): the application aborted (SO_LINGER 0, a killed process) or the stack gave up. Data not yet acknowledged is lost.',
    check: ['the application on that side, if the close was not expected'],
  });
}

function resets(ctx: ConnContext): void {
  if (ctx.conn.state === 'fastclosed') return;
  const byReason = new Map<string, number[]>();
  for (const e of ctx.conn.events) {
    if (e.kind !== 'subflow_reset') continue;
    const sub = ctx.conn.subflows.find((s) => s.stream === e.stream);
    // Joins that never completed are explained by the handshake rules.
    if (sub === undefined || (!sub.master && !joinCompleted(sub))) continue;
    const key = `${side(e.dir)}|${e.reason === undefined ? '' : tcprstReasonName(e.reason)}`;
    const list = byReason.get(key) ?? [];
    list.push(e.frame);
    byReason.set(key, list);
  }
  for (const [key, frames] of byReason) {
    const [who, reason] = key.split('|') as [string, string];
    ctx.add({
      severity: 'note',
      code: 'subflow.reset',
      title: `the ${who} reset ${plural(frames.length, 'subflow')}${reason ? ` (MP_TCPRST: ${reason})` : ' (no MP_TCPRST reason)'}`,
      frames,
      meaning: reason
        ? 'A subflow was closed abruptly; the MP_TCPRST option gives the sender\'s reason. The connection goes on over its other subflows if it has any.'
        : 'A subflow was closed abruptly without saying why: an application abort, a path-manager decision, or an error on the subflow.',
      check: ['whether the connection continued on other subflows', 'the MPTCP counters of the resetting host (nstat -az | grep -i mptcp)'],
    });
  }
}

function otherFindings(ctx: ConnContext): void {
  for (const f of ctx.conn.findings) {
    if (EXPLAINED.has(f.code)) continue;
    const words = OTHER_WORDS[f.code];
    const about = (FINDING_CODES as Record<string, { about: string } | undefined>)[f.code]?.about;
    ctx.add({
      severity: toDoctorSeverity(f.severity),
      code: f.code.replace(/^mptcp\./, ''),
      title: f.message,
      frames: f.frames,
      meaning: words?.meaning ?? (about === undefined ? f.message : `${about[0]!.toUpperCase()}${about.slice(1)}.`),
      check: words?.check ?? ['the frames listed (mpscope read -V --frames ...)'],
    });
  }
}

function toDoctorSeverity(s: string): DoctorSeverity {
  return s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note';
}
