/** An infinite mapping (data-level length 0): the peer falls back to TCP and takes no further subflow. */
import { optionOf } from '../engine/connection.js';
import { frames, resetText, sendAcked } from './steps.js';
import type { Scenario } from './types.js';

export const infiniteMapping: Scenario = {
  name: 'infinite-mapping',
  title: 'data with an infinite mapping (data-level length 0), then plain TCP data, then an MP_JOIN',
  rfc: { 1: '8684 §3.7', 0: '6824 §3.6' },
  versions: [0, 1],
  expected: 'the peer falls back: the data is acknowledged as plain TCP, and no new subflow is accepted',
  witness: ['MPTcpExtInfiniteMapRx', 'MPTcpExtDssFallback'],
  async run(ctx) {
    const c = await ctx.connect();
    const first = await sendAcked(ctx, c, 64, 'the first data');
    const infinite = await c.send(ctx.data(100), { form: 'dss', dataLength: 0 });
    if (infinite.reset) return ctx.fail(`the peer reset the subflow on an infinite mapping (${resetText(infinite.reset)})`, frames(infinite));
    const plain = await c.send(ctx.data(100), { form: 'none' });
    if (plain.reset) return ctx.fail(`the peer reset the subflow on plain data after the infinite mapping (${resetText(plain.reset)})`, frames(infinite, plain));
    const dss = c.history.find((s) => s.frame > infinite.frames[0]! && optionOf(s, 'DSS'));
    const j = await c.join({});
    const shown = frames(first.ack, infinite, plain, j);
    if (j.established) return ctx.fail('the peer accepted a new subflow after the fallback', shown);
    const refusal = j.reset ? `${resetText(j.reset)} ${j.synAck ? 'after the third ACK' : 'to the SYN'}` : 'no ACK of the third ACK';
    if (dss) return ctx.fail(`the peer went on sending DSS after the infinite mapping (frame ${dss.frame}); the join got ${refusal}`, [...shown, dss.frame]);
    return ctx.pass(`the data after the infinite mapping was acknowledged as plain TCP; the MP_JOIN got ${refusal}`, shown);
  },
};
