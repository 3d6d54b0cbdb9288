/** MP_FASTCLOSE: ignored with a wrong key; with the peer's key, every subflow is reset. */
import { randomU64 } from '../engine/seq.js';
import { TcpFlag } from '../../wire/types.js';
import { frames, sendAcked } from './steps.js';
import type { Scenario } from './types.js';

export const mpFastclose: Scenario = {
  name: 'mp-fastclose',
  title: 'MP_FASTCLOSE in an ACK with a wrong key, then with the peer\'s key (two subflows when the peer takes a second)',
  rfc: { 1: '8684 §3.5', 0: '6824 §3.5' },
  versions: [0, 1],
  expected: 'the wrong key ignored; the right one answered with a RST on every subflow',
  witness: ['MPTcpExtMPFastcloseRx', 'MPTcpExtMPRstTx'],
  async run(ctx) {
    const c = await ctx.connect();
    const first = await sendAcked(ctx, c, 64, 'the first data');
    const j = await c.join({ addrId: 2 });
    const live = c.subflows.filter((sf) => sf.alive);
    const wrong = c.fastclose({ key: randomU64() });
    const early = await c.maybe((s) => (s.tcp.flags & TcpFlag.RST ? s : undefined));
    if (early) return ctx.fail('the peer reset a subflow on an MP_FASTCLOSE carrying a wrong key', frames(wrong, early));
    const right = c.fastclose();
    const resets = [];
    for (const sf of live) {
      resets.push(await c.waitFor((s) => (s.subflow === sf && s.tcp.flags & TcpFlag.RST ? s : undefined), {
        what: `a RST on subflow ${live.indexOf(sf) + 1} after MP_FASTCLOSE`, after: wrong,
      }));
    }
    const n = live.length === 1 ? 'the only subflow' : `all ${live.length} subflows`;
    return ctx.pass(`the wrong key ignored; the right one answered with a RST on ${n}`, frames(first.ack, j, wrong, right, ...resets));
  },
};
