/**
 * A wrong DSS checksum on the very first data: nothing of the connection
 * has been acknowledged at data level yet, so RFC 8684 §3.7 lets the peer
 * fall back to TCP (acknowledging the data without a DSS, or with MP_FAIL),
 * or reset the subflow; it must not take the data as MPTCP data.
 */
import { optionOf } from '../engine/connection.js';
import { frames, reaction, resetText } from './steps.js';
import type { Scenario } from './types.js';

export const badCsumFirst: Scenario = {
  name: 'bad-csum-first',
  title: 'checksums negotiated, the first data with a wrong DSS checksum',
  rfc: { 1: '8684 §3.7', 0: '6824 §3.6' },
  versions: [0, 1],
  expected: 'no DATA_ACK of it; a fallback to TCP (data acknowledged without DSS, or MP_FAIL) or a RST',
  witness: ['MPTcpExtDataCsumErr', 'MPTcpExtDssFallback', 'MPTcpExtMPFailTx'],
  async run(ctx) {
    const c = await ctx.connect({ checksum: true });
    const sent = await c.send(ctx.data(64), { checksum: 'bad' });
    const r = sent.reset ? { kind: 'reset' as const, segment: sent.reset } : await reaction(c, sent.end, 'a reaction to the data with a wrong checksum');
    const shown = frames(sent, r.segment);
    switch (r.kind) {
      case 'data-ack': return ctx.fail(`the peer acknowledged data with a wrong checksum at data level (DATA_ACK ${c.relative(c.dataAckOf(r.segment)!)})`, shown);
      case 'fallback': return ctx.differs('the peer fell back to TCP: it acknowledged the data with a plain TCP ACK, no DSS', shown);
      case 'mp-fail': return ctx.differs(`the peer sent MP_FAIL (DSN ${c.relative(optionOf(r.segment, 'MP_FAIL')!.dsn)}) to fall back`, shown);
      case 'reset': return ctx.differs(`the peer reset the subflow: ${resetText(r.segment)}`, shown);
    }
  },
};
