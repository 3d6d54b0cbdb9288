/** MP_JOIN with a token no connection has: refused with a RST (v1: MP_TCPRST "MPTCP-specific error"). */
import { optionOf } from '../engine/connection.js';
import { frames, resetText, sendAcked } from './steps.js';
import type { Scenario } from './types.js';

export const joinBadToken: Scenario = {
  name: 'join-bad-token',
  title: 'MP_JOIN SYN with a token of no connection',
  rfc: { 1: '8684 §3.2, §3.6', 0: '6824 §3.2' },
  versions: [0, 1],
  expected: (v) => (v === 1 ? 'a RST, like an unknown port, with MP_TCPRST reason 1 (MPTCP-specific error)' : 'a RST, like an unknown port'),
  witness: ['MPTcpExtMPJoinNoTokenFound'],
  async run(ctx) {
    const c = await ctx.connect();
    const first = await sendAcked(ctx, c, 64, 'the first data');
    const j = await c.join({ token: (c.remoteToken ^ 0x5a5a5a5a) >>> 0 });
    if (j.synAck) return ctx.fail(`the peer answered a join with an unknown token with a SYN/ACK${j.established ? ' and accepted the subflow' : ''}`, frames(j));
    const rst = j.reset!;
    const reason = optionOf(rst, 'MP_TCPRST')?.reason;
    const seen = `${resetText(rst)} to the SYN`;
    if (ctx.version === 0 || reason === 1) return ctx.pass(seen, frames(first.ack, j));
    return ctx.differs(`${seen} (reason 1, MPTCP-specific error, is what RFC 8684 §3.2 names)`, frames(first.ack, j));
  },
};
