/** MP_PRIO marking a subflow as backup: nothing to answer, and the subflow keeps working. */
import { frames, secondSubflow, sendAcked } from './steps.js';
import type { Scenario } from './types.js';

export const mpPrio: Scenario = {
  name: 'mp-prio',
  title: 'MP_PRIO (backup) on a second subflow, then data on it',
  rfc: { 1: '8684 §3.3.8', 0: '6824 §3.3.8' },
  versions: [0, 1],
  expected: 'no reply required; the peer treats the subflow as backup, and data on it is still acknowledged',
  witness: ['MPTcpExtMPPrioRx'],
  async run(ctx) {
    const c = await ctx.connect();
    const first = await sendAcked(ctx, c, 64, 'the first data');
    const j = await secondSubflow(ctx, c);
    const prio = c.prio(true, { subflow: j.subflow });
    const onBackup = await sendAcked(ctx, c, 100, 'data on the backup subflow', { subflow: j.subflow });
    return ctx.pass('the subflow marked backup kept working: its data acknowledged at both levels', frames(first.ack, j, prio, onBackup.sent, onBackup.ack));
  },
};
