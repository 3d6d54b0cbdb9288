/** MP_JOIN: a second subflow with both HMACs, then data on it. */
import { frames, resetText, sendAcked } from './steps.js';
import type { Scenario } from './types.js';

export const join: Scenario = {
  name: 'join',
  title: 'MP_JOIN of a second subflow: the SYN/ACK\'s HMAC checked, our third ACK\'s HMAC sent, data on the new subflow',
  rfc: { 1: '8684 §3.2', 0: '6824 §3.2' },
  versions: [0, 1],
  expected: 'a SYN/ACK with MP_JOIN whose HMAC the keys and nonces give, an ACK of the third ACK, data on the subflow acknowledged',
  witness: ['MPTcpExtMPJoinSynRx', 'MPTcpExtMPJoinAckRx'],
  async run(ctx) {
    const c = await ctx.connect();
    const first = await sendAcked(ctx, c, 64, 'the first data');
    const j = await c.join({ addrId: 1 });
    if (!j.synAck) return ctx.differs(`the peer refused the subflow with ${resetText(j.reset!)} (RFC 8684 §3.2 lets a host refuse subflows)`, frames(j));
    if (!j.join) return ctx.fail('the SYN/ACK of the MP_JOIN SYN carries no MP_JOIN', frames(j));
    if (j.hmacOk === false) return ctx.fail('the MP_JOIN SYN/ACK carries a wrong HMAC (not the one the keys and nonces give)', frames(j));
    if (j.reset) return ctx.fail(`the peer reset the subflow after our third ACK (${resetText(j.reset)}) although its HMAC is right`, frames(j));
    if (!j.established) return ctx.fail('the peer never acknowledged our third ACK', frames(j));
    const onJoin = await sendAcked(ctx, c, 200, 'data on the new subflow', { subflow: j.subflow });
    return ctx.pass(
      `SYN/ACK with MP_JOIN (the peer's address id ${j.join.addrId}, HMAC verified), third ACK acknowledged, DATA_ACK ${c.relative(onJoin.sent.end)} of data sent on the new subflow`,
      frames(first.ack, j, onJoin.sent, onJoin.ack),
    );
  },
};
