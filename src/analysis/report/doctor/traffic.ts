/**
 * How the data went: subflows left idle while others carry everything,
 * heavy reinjection, and data-level stalls (the data ACK standing still
 * while data is outstanding).
 */
import type { DataDir, MptcpSubflow } from '../../mptcp/types.js';
import { deliveredBytes, newDataBytes } from '../summary.js';
import type { ConnContext } from './context.js';
import { plural, subflowName } from './context.js';

/** A direction must deliver this much before an unused subflow is worth a word. */
const IDLE_MIN_BYTES = 64 * 1024;
/** A subflow carrying less than this share of a direction's new data counts as idle. */
const IDLE_MAX_SHARE = 0.01;
/** ... when it was up for at least this part of the transfer. */
const IDLE_MIN_OVERLAP = 0.5;
/** Reinjected bytes over delivered bytes from which reinjection is heavy. */
const HEAVY_REINJECTION = 0.05;

const DIR_NAMES = ['client → server', 'server → client'] as const;

export function trafficRules(ctx: ConnContext): void {
  idleSubflows(ctx);
  for (const dir of [0, 1] as const) {
    reinjection(ctx, dir);
    stalls(ctx, dir);
  }
}

function wasBackup(ctx: ConnContext, sub: MptcpSubflow): boolean {
  return sub.backup || ctx.stream(sub)?.joinedAsBackup === true
    || ctx.conn.events.some((e) => e.kind === 'mp_prio' && e.stream === sub.stream && e.backup === true);
}

interface IdleDirection {
  dir: DataDir;
  share: number;
  busy: number[];
}

/** Whether `sub` sat nearly unused in direction `dir` while the others carried a real transfer. */
function idleIn(ctx: ConnContext, sub: MptcpSubflow, dir: DataDir): IdleDirection | undefined {
  const c = ctx.conn;
  const extra = ctx.extra?.dirs[dir];
  const st = ctx.stream(sub);
  if (extra === undefined || st === undefined || Number.isNaN(extra.firstDataNs)) return undefined;
  if (deliveredBytes(c, dir, extra).bytes < IDLE_MIN_BYTES) return undefined;
  const a = ctx.analysis;
  let total = 0;
  for (const s of c.subflows) total += newDataBytes(a, s, dir);
  const share = total > 0 ? newDataBytes(a, sub, dir) / total : 0;
  if (total === 0 || share >= IDLE_MAX_SHARE) return undefined;
  const span = Math.max(extra.lastDataNs - extra.firstDataNs, 1);
  // An idle subflow sends nothing: unless it closed, it lived as long as its connection.
  const open = sub.state !== 'closed' && sub.state !== 'reset';
  const end = open ? ctx.extra?.lastNs ?? st.lastNs : st.lastNs;
  const overlap = Math.min(end, extra.lastDataNs) - Math.max(st.firstNs, extra.firstDataNs);
  if (overlap / span < IDLE_MIN_OVERLAP) return undefined;
  const busy = c.subflows.filter((s) => newDataBytes(a, s, dir) / total >= IDLE_MAX_SHARE).map((s) => s.stream);
  return { dir, share, busy };
}

function idleSubflows(ctx: ConnContext): void {
  for (const sub of ctx.conn.subflows) {
    if (sub.establishedFrame === undefined || sub.state === 'failed' || wasBackup(ctx, sub)) continue;
    const idle = [idleIn(ctx, sub, 0), idleIn(ctx, sub, 1)].filter((d): d is IdleDirection => d !== undefined);
    if (idle.length === 0) continue;
    const carried = newDataBytes(ctx.analysis, sub, 0) + newDataBytes(ctx.analysis, sub, 1);
    const retransmitted = ctx.stream(sub)!.flows.reduce((n, f) => n + f.retransmissions, 0);
    const parts = idle.map((d) => `${(d.share * 100).toFixed(2)}% of the new data ${DIR_NAMES[d.dir]} (tcp.stream ${d.busy.join(', ')} carried the rest)`);
    ctx.add({
      severity: carried > 0 ? 'note' : 'warning',
      code: 'subflow.idle',
      stream: sub.stream,
      title: `${subflowName(sub)} was nearly unused: it carried ${parts.join(' and ')}`,
      frames: [sub.establishedFrame],
      meaning: carried > 0
        ? 'The subflow works (it carried some data), but the scheduler preferred the others: they had lower round-trip times or room in their congestion windows. Normal for a path much slower than the others.'
        : `The subflow was up during the transfer but carried no data at all${retransmitted > 0 ? `, and ${plural(retransmitted, 'segment')} sent on it were retransmitted` : ''}: its path may be much slower, lossy or broken, or the scheduler does not spread data (a redundant or first-subflow scheduler, or a backup flag set by the peer).`,
      check: ['the RTTs and retransmissions of each subflow (mpscope summary)', 'the path of this subflow: ping with its source address', 'the scheduler and endpoint flags (sysctl net.mptcp.scheduler; ip mptcp endpoint show)'],
      facts: Object.fromEntries(idle.map((d) => [`share${d.dir === 0 ? 'ClientToServer' : 'ServerToClient'}`, d.share])),
    });
  }
}

function reinjection(ctx: ConnContext, dir: DataDir): void {
  const c = ctx.conn;
  const extra = ctx.extra?.dirs[dir];
  let count = 0;
  let bytes = 0;
  for (const s of c.subflows) {
    count += s.stats[dir].reinjections;
    bytes += s.stats[dir].reinjectedBytes;
  }
  if (count === 0) return;
  const delivered = deliveredBytes(c, dir, extra).bytes;
  const ratio = delivered > 0 ? bytes / delivered : 1;
  const heavy = ratio >= HEAVY_REINJECTION;
  const sources = c.subflows.filter((s) => s.stats[dir].reinjectedElsewhere > 0).map((s) => s.stream);
  ctx.add({
    severity: heavy ? 'warning' : 'note',
    code: heavy ? 'reinjection.heavy' : 'reinjection',
    title: `${DIR_NAMES[dir]}: ${plural(count, 'reinjection')} (${bytes} bytes, ${(ratio * 100).toFixed(1)}% of the ${delivered} bytes delivered)${sources.length > 0 ? ` of data first sent on tcp.stream ${sources.join(', ')}` : ''}`,
    frames: extra?.reinjectionFrames ?? [],
    meaning: heavy
      ? 'Much data was sent twice on different subflows: the sender gave up on subflows (retransmission timeouts, losses) and resent their data elsewhere. That costs capacity, and the data ACK waits for the lost data meanwhile.'
      : 'Some data was resent on another subflow after its first subflow stalled (a retransmission timeout or a lost segment); a little of this is how MPTCP survives losses.',
    check: ['loss and RTT on the subflows the data was first sent on (mpscope summary: retransmissions)', 'whether those paths are congested, policed or broken'],
    facts: { direction: DIR_NAMES[dir], reinjections: count, reinjectedBytes: bytes, deliveredBytes: delivered },
  });
}

function stalls(ctx: ConnContext, dir: DataDir): void {
  const extra = ctx.extra?.dirs[dir];
  if (extra === undefined || extra.stallCount === 0) return;
  const abrupt = ctx.conn.state === 'fastclosed' || ctx.conn.state === 'reset';
  const list = extra.stalls.filter((s) => s.toFrame !== undefined || !abrupt);
  if (list.length === 0) return;
  const longest = list.reduce((a, b) => (b.seconds > a.seconds ? b : a));
  const open = list.some((s) => s.toFrame === undefined);
  ctx.add({
    severity: 'warning',
    code: 'data.stall',
    title: `${DIR_NAMES[dir]}: the data ACK stood still ${plural(extra.stallCount, 'time')} while data was outstanding, longest ${longest.seconds.toFixed(3)} s${open ? ' (still outstanding at the connection\'s last packet)' : ''}`,
    frames: list.flatMap((s) => [s.fromFrame, s.toFrame]),
    meaning: 'No data was acknowledged at the connection level for a long time although data was in flight: data lost on one subflow blocks everything behind it (head-of-line blocking) until a retransmission or a reinjection on another subflow fills the hole; or the receiver stopped reading (zero window).',
    check: ['the subflows\' retransmissions and reinjections around those frames', 'zero windows from the receiver (its application not reading)', 'a subflow whose path broke without being closed: its data waits for a retransmission timeout before reinjection'],
    facts: { direction: DIR_NAMES[dir], stalls: extra.stallCount, longestSeconds: longest.seconds, dataAck: longest.dataAck },
  });
}
