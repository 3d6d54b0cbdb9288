/**
 * The third ACK (and v1's first data) echo a receiver key that is not the
 * peer's. RFC 8684 §3.1 has the keys echoed so a listener may keep no
 * state; it says nothing of one that kept its own: report what it does.
 */
import { randomU64 } from '../engine/seq.js';
import { frames, isReset, resetText } from './steps.js';
import type { Scenario } from './types.js';

export const wrongKeyEcho: Scenario = {
  name: 'wrong-key-echo',
  title: 'third ACK (and first data) echoing a wrong key for the peer',
  rfc: { 1: '8684 §3.1', 0: '6824 §3.1' },
  versions: [0, 1],
  expected: 'not specified: a listener that kept its key may ignore the echo, a stateless one would take the wrong key; either way, report it',
  witness: ['MPTcpExtMPCapableACKRX'],
  async run(ctx) {
    const c = await ctx.connect({ echoKey: randomU64() });
    const sent = await c.send(ctx.data(64));
    if (sent.reset) return ctx.differs(`the peer reset the connection (${resetText(sent.reset)}) on the first data`, frames(sent));
    const r = await c.waitFor((s) => {
      const a = c.dataAckOf(s);
      if (a !== undefined && a >= sent.end) return { how: 'ack', s } as const;
      if (isReset(s)) return { how: 'reset', s } as const;
      return c.fallback ? ({ how: 'fallback', s } as const) : undefined;
    }, { what: 'a DATA_ACK, a RST or a fallback after the first data' });
    const shown = frames(sent, r.s);
    if (r.how === 'ack') return ctx.differs('the peer ignored the wrong echo: the first data got its DATA_ACK (it kept its own key)', shown);
    if (r.how === 'reset') return ctx.differs(`the peer refused the wrong echo: ${resetText(r.s)}`, shown);
    return ctx.differs(`the peer fell back to TCP (${c.fallback!.reason}, frame ${c.fallback!.frame})`, shown);
  },
};
