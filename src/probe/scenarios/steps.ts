/**
 * Steps several scenarios share, built on the connection's own: a working
 * connection with data acknowledged at both levels, a second subflow, the
 * way a RST or a DATA_ACK is described in a verdict. A step that finds the
 * peer already answered the scenario's question (it reset, it fell back)
 * ends the scenario by throwing Concluded with that outcome.
 */
import type { JoinResult, MptcpConnection, Sent } from '../engine/connection.js';
import { optionOf } from '../engine/connection.js';
import { hex64 } from '../engine/seq.js';
import type { Segment } from '../engine/subflow.js';
import { tcprstReasonName } from '../../wire/mptcp.js';
import { TcpFlag } from '../../wire/types.js';
import type { Outcome, ScenarioConnectOptions, ScenarioContext } from './types.js';

/** Ends a scenario from inside a step with this outcome. */
export class Concluded extends Error {
  constructor(readonly outcome: Outcome) {
    super(outcome.observed);
  }
}

type FrameSource = number | readonly number[] | Segment | Sent | JoinResult | undefined;

function isFrameList(it: FrameSource): it is readonly number[] {
  return Array.isArray(it);
}

/** Frame numbers of packets, sends and joins, in order, without repeats. */
export function frames(...items: FrameSource[]): number[] {
  const out = new Set<number>();
  for (const it of items) {
    if (it === undefined) continue;
    if (typeof it === 'number') out.add(it);
    else if (isFrameList(it)) for (const f of it) out.add(f);
    else if ('tcp' in it) out.add(it.frame);
    else {
      for (const f of it.frames) out.add(f);
      if ('ack' in it && it.ack) out.add(it.ack.frame);
      if ('reset' in it && it.reset) out.add(it.reset.frame);
    }
  }
  return [...out].sort((a, b) => a - b);
}

export function isReset(s: Segment): boolean {
  return (s.tcp.flags & TcpFlag.RST) !== 0;
}

/** 'a RST with MP_TCPRST reason 1 (MPTCP-specific error)', or 'a RST without MP_TCPRST'. */
export function resetText(s: Segment): string {
  const r = optionOf(s, 'MP_TCPRST');
  return r ? `a RST with MP_TCPRST reason ${r.reason} (${tcprstReasonName(r.reason)})` : 'a RST without MP_TCPRST';
}

/** What the peer did instead of acknowledging at data level. */
function dataLevelFailure(c: MptcpConnection, s: Segment): string | undefined {
  if (isReset(s)) return `the peer reset the subflow (${resetText(s)})`;
  if (c.fallback) return `the peer fell back to TCP (${c.fallback.reason}, frame ${c.fallback.frame})`;
  return undefined;
}

/**
 * Waits for a DATA_ACK covering `end`; a RST or a fallback instead ends the
 * scenario as a failure (`because` says what the data was for).
 */
export async function dataAcked(ctx: ScenarioContext, c: MptcpConnection, end: bigint, because: string): Promise<Segment> {
  const r = await c.waitFor((s): { ack: Segment } | { failure: string; at: Segment } | undefined => {
    const a = c.dataAckOf(s);
    if (a !== undefined && a >= end) return { ack: s };
    const failure = dataLevelFailure(c, s);
    return failure ? { failure, at: s } : undefined;
  }, { what: `a DATA_ACK of ${hex64(end)} (${because})` });
  if ('failure' in r) throw new Concluded(ctx.fail(`${r.failure} instead of acknowledging ${because} at data level`, [r.at.frame]));
  return r.ack;
}

/** Sends data and waits until it is acknowledged at both levels. */
export async function sendAcked(ctx: ScenarioContext, c: MptcpConnection, n: number, because: string, options: Parameters<MptcpConnection['send']>[1] = {}): Promise<{ sent: Sent; ack: Segment }> {
  const sent = await c.send(ctx.data(n), options);
  if (sent.reset) throw new Concluded(ctx.fail(`the peer reset the subflow (${resetText(sent.reset)}) on ${because}`, frames(sent)));
  const ack = await dataAcked(ctx, c, sent.end, because);
  return { sent, ack };
}

/** A connection whose first data is acknowledged at both levels: where most scenarios start. */
export async function establish(ctx: ScenarioContext, options: ScenarioConnectOptions = {}): Promise<{ c: MptcpConnection; sent: Sent; ack: Segment }> {
  const c = await ctx.connect(options);
  const { sent, ack } = await sendAcked(ctx, c, 64, 'the first data');
  return { c, sent, ack };
}

/**
 * A second subflow (MP_JOIN) that the peer accepts, or the scenario ends:
 * skipped when the peer refuses subflows (RFC 8684 §3.2 lets it), failed
 * when its HMAC is wrong.
 */
export async function secondSubflow(ctx: ScenarioContext, c: MptcpConnection, addrId = 2): Promise<JoinResult> {
  const j = await c.join({ addrId });
  if (!j.established) {
    const why = j.reset ? resetText(j.reset) : j.synAck && !j.join ? 'a SYN/ACK without MP_JOIN' : 'no ACK of the third ACK';
    throw new Concluded(ctx.skipped(`the peer accepts no second subflow (${why}): nothing to test`, frames(j)));
  }
  if (j.hmacOk === false) throw new Concluded(ctx.fail('the MP_JOIN SYN/ACK carries a wrong HMAC', frames(j)));
  return j;
}

/** MP_CAPABLE flag letters that are set: 'A H', or 'none'. */
export function capableFlags(flags: number): string {
  const set = 'ABCDEFGH'.split('').filter((_, i) => flags & (0x80 >> i));
  return set.length ? set.join(' ') : 'none';
}

/** How the peer took a mapping: acknowledged it at data level, reset, sent MP_FAIL, or fell back to TCP. */
export interface Reaction {
  kind: 'data-ack' | 'reset' | 'mp-fail' | 'fallback';
  segment: Segment;
}

/**
 * The peer's reaction to the mapping sent last (ending at DSN `end`);
 * StepTimeout when it shows none of them.
 */
export function reaction(c: MptcpConnection, end: bigint, what: string): Promise<Reaction> {
  return c.waitFor((s): Reaction | undefined => {
    if (isReset(s)) return { kind: 'reset', segment: s };
    if (optionOf(s, 'MP_FAIL')) return { kind: 'mp-fail', segment: s };
    const a = c.dataAckOf(s);
    if (a !== undefined && a >= end) return { kind: 'data-ack', segment: s };
    return c.fallback && c.fallback.frame === s.frame ? { kind: 'fallback', segment: s } : undefined;
  }, { what });
}
