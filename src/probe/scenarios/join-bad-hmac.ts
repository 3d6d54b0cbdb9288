/** MP_JOIN whose third ACK carries a wrong HMAC: the subflow must be reset. */
import { optionOf } from '../engine/connection.js';
import { frames, resetText, sendAcked } from './steps.js';
import type { Scenario } from './types.js';

export const joinBadHmac: Scenario = {
  name: 'join-bad-hmac',
  title: 'MP_JOIN whose third ACK carries a wrong HMAC',
  rfc: { 1: '8684 §3.2', 0: '6824 §3.2' },
  versions: [0, 1],
  expected: (v) => (v === 1 ? 'a RST of the new subflow, with MP_TCPRST reason 1 (MPTCP-specific error)' : 'a RST of the new subflow'),
  witness: ['MPTcpExtMPJoinAckHMacFailure'],
  async run(ctx) {
    const c = await ctx.connect();
    const first = await sendAcked(ctx, c, 64, 'the first data');
    const j = await c.join({ hmac: 'bad' });
    if (!j.synAck) return ctx.skipped(`the peer refused the SYN already (${resetText(j.reset!)}): no third ACK to send`, frames(j));
    if (j.established) return ctx.fail('the peer acknowledged a third ACK whose HMAC is wrong and kept the subflow', frames(j));
    if (!j.reset) return ctx.fail('no RST: the peer neither acknowledged nor reset the subflow', frames(j));
    const reason = optionOf(j.reset, 'MP_TCPRST')?.reason;
    const seen = `${resetText(j.reset)} after the third ACK`;
    if (ctx.version === 0 || reason === 1) return ctx.pass(seen, frames(first.ack, j));
    return ctx.differs(`${seen} (reason 1, MPTCP-specific error, is the one for a bad HMAC)`, frames(first.ack, j));
  },
};
