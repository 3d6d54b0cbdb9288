/**
 * DATA_ACK is cumulative at the data level: two mappings sent in subflow
 * order but in reverse data order. After the first (which leaves a gap
 * before it) the DATA_ACK must not move; after the second it covers both.
 */
import { dataAcked, frames, resetText, sendAcked } from './steps.js';
import type { Scenario } from './types.js';

export const dataAck: Scenario = {
  name: 'data-ack',
  title: 'two mappings in reverse data order on one subflow: DATA_ACK waits for the gap, then covers both',
  rfc: { 1: '8684 §3.3.2', 0: '6824 §3.3.2' },
  versions: [0, 1],
  expected: 'the DATA_ACK stays before the gap while it is open, then acknowledges both mappings at once',
  witness: ['MPTcpExtOFOQueue'],
  async run(ctx) {
    const c = await ctx.connect();
    const first = await sendAcked(ctx, c, 64, 'the first data');
    const base = c.sndDsn;
    const later = await c.send(ctx.data(100), { form: 'dss', dsn: base + 100n });
    if (later.reset) return ctx.fail(`the peer reset the subflow (${resetText(later.reset)}) on a mapping after a gap`, frames(later));
    const early = await c.maybe((s) => {
      const a = c.dataAckOf(s);
      return a !== undefined && a > base ? { s, a } : undefined;
    });
    if (early) return ctx.fail(`DATA_ACK ${c.relative(early.a)} acknowledges data after a gap it never received`, frames(later, early.s));
    const gap = await c.send(ctx.data(100), { form: 'dss', dsn: base });
    if (gap.reset) return ctx.fail(`the peer reset the subflow (${resetText(gap.reset)}) on the mapping that fills the gap`, frames(later, gap));
    const both = await dataAcked(ctx, c, base + 200n, 'both mappings');
    return ctx.pass(
      `DATA_ACK stayed at ${c.relative(base)} while DSN ${c.relative(base)}..${c.relative(base + 99n)} was missing, then ${c.relative(base + 200n)} once it came`,
      frames(first.ack, later, gap, both),
    );
  },
};
