/** REMOVE_ADDR for the address id of our second subflow: the peer closes that subflow and keeps the connection. */
import { TcpFlag } from '../../wire/types.js';
import { frames, secondSubflow, sendAcked } from './steps.js';
import type { Scenario } from './types.js';

const REMOVED = 2;

export const removeAddr: Scenario = {
  name: 'remove-addr',
  title: 'a second subflow with address id 2, then REMOVE_ADDR of id 2 on the first',
  rfc: { 1: '8684 §3.4.2', 0: '6824 §3.4.2' },
  versions: [0, 1],
  expected: 'the peer closes the subflow of the removed address (FIN or RST) and the connection goes on',
  witness: ['MPTcpExtRmAddr', 'MPTcpExtRmSubflow'],
  async run(ctx) {
    const c = await ctx.connect();
    const first = await sendAcked(ctx, c, 64, 'the first data');
    const j = await secondSubflow(ctx, c, REMOVED);
    const remove = c.removeAddr([REMOVED]);
    const closed = await c.maybe((s) => (s.subflow === j.subflow && s.tcp.flags & (TcpFlag.FIN | TcpFlag.RST) ? s : undefined), { ms: ctx.timing.timeoutMs });
    if (!closed) return ctx.fail(`the subflow of address id ${REMOVED} stayed open`, frames(j, remove));
    const how = closed.tcp.flags & TcpFlag.RST ? 'a RST' : 'a FIN';
    const goOn = await sendAcked(ctx, c, 64, 'data on the first subflow after the removal');
    return ctx.pass(`the peer closed the subflow of address id ${REMOVED} with ${how}; data on the first subflow still acknowledged`, frames(first.ack, j, remove, closed, goOn.sent, goOn.ack));
  },
};
