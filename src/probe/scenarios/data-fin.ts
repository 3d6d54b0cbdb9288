/** DATA_FIN closes our sending side: the peer acknowledges it with a DATA_ACK one past it. */
import { optionOf } from '../engine/connection.js';
import { frames, sendAcked } from './steps.js';
import type { Scenario } from './types.js';

export const dataFin: Scenario = {
  name: 'data-fin',
  title: 'DATA_FIN alone after data (subflow sequence 0, length 1): acknowledged at data level',
  rfc: { 1: '8684 §3.3.3', 0: '6824 §3.3.3' },
  versions: [0, 1],
  expected: 'a DATA_ACK one past the DATA_FIN; the peer may then send its own DATA_FIN when its application closes',
  async run(ctx) {
    const c = await ctx.connect();
    const first = await sendAcked(ctx, c, 64, 'the data before the DATA_FIN');
    const fin = await c.dataFin();
    const acked = c.dataAckOf(fin.ack)!;
    const shown = frames(first.sent, fin.frames, fin.ack);
    if (acked !== fin.dsn + 1n) return ctx.fail(`DATA_ACK ${c.relative(acked)} for a DATA_FIN at ${c.relative(fin.dsn)} (${c.relative(fin.dsn + 1n)} expected)`, shown);
    const theirs = c.dataFinReceived ?? await c.maybe((s) => (c.dataFinReceived === s || optionOf(s, 'DSS')?.dataFin ? s : undefined));
    const after = theirs ? `; the peer closed its side too (DATA_FIN, frame ${theirs.frame})` : '; the peer keeps its side open (its application has not closed)';
    return ctx.pass(`DATA_ACK ${c.relative(acked)} acknowledges the DATA_FIN${after}`, theirs ? [...shown, theirs.frame] : shown);
  },
};
