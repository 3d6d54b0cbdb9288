/** DSS checksums asked for with flag A in our SYN: the peer must use them; data with right checksums is accepted. */
import { MpCapableFlag } from '../../wire/mptcp.js';
import { frames, sendAcked } from './steps.js';
import type { Scenario } from './types.js';

export const dataDssCsum: Scenario = {
  name: 'data-dss-csum',
  title: 'checksums asked for (flag A in our SYN): data with right DSS checksums, DATA_ACK after each mapping',
  rfc: { 1: '8684 §3.1, §3.3.1', 0: '6824 §3.1, §3.3.1' },
  versions: [0, 1],
  expected: 'checksums in use since either side set A; data with right checksums acknowledged at data level',
  witness: ['MPTcpExtDataCsumErr'],
  async run(ctx) {
    const c = await ctx.connect({ checksum: true });
    const first = await sendAcked(ctx, c, 64, 'the first data');
    const second = await sendAcked(ctx, c, 300, 'the data of the DSS mapping', { form: 'dss' });
    const peerA = (c.peerFlags & MpCapableFlag.A) !== 0 ? 'the peer set A too' : 'the peer did not set A (ours is enough)';
    const shown = frames(first.sent, first.ack, second.sent, second.ack);
    const missing = c.findings.find((f) => f.code === 'probe.dss.checksum_missing' || f.code === 'probe.dss.checksum_bad');
    if (missing) return ctx.fail(`${missing.message} (frame ${missing.frame})`, [...shown, missing.frame]);
    return ctx.pass(`${peerA}; DATA_ACK ${c.relative(first.sent.end)} and ${c.relative(second.sent.end)} after mappings with right checksums`, shown);
  },
};
