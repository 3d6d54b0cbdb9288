/**
 * A wrong DSS checksum after data was acknowledged at data level, on the
 * only subflow: RFC 8684 §3.7 has the receiver send MP_FAIL with the DSN
 * of the failed mapping; the sender then falls back with an infinite
 * mapping, and the connection goes on as TCP. A RST is the other way out.
 */
import { optionOf } from '../engine/connection.js';
import { mpFail } from '../mptcp-options.js';
import { frames, reaction, resetText, sendAcked } from './steps.js';
import type { Scenario } from './types.js';

export const badCsumLater: Scenario = {
  name: 'bad-csum-later',
  title: 'checksums negotiated, data acknowledged, then a mapping with a wrong DSS checksum',
  rfc: { 1: '8684 §3.7', 0: '6824 §3.6' },
  versions: [0, 1],
  expected: 'MP_FAIL with the DSN of the bad mapping, then TCP once we answer with an infinite mapping (or a RST of the subflow)',
  witness: ['MPTcpExtDataCsumErr', 'MPTcpExtMPFailTx', 'MPTcpExtMPFailRx', 'MPTcpExtInfiniteMapRx'],
  async run(ctx) {
    const c = await ctx.connect({ checksum: true });
    const first = await sendAcked(ctx, c, 64, 'the first data');
    const bad = await c.send(ctx.data(100), { form: 'dss', checksum: 'bad' });
    const r = bad.reset ? { kind: 'reset' as const, segment: bad.reset } : await reaction(c, bad.end, 'MP_FAIL (or a RST) after the mapping with a wrong checksum');
    const shown = frames(first.ack, bad, r.segment);
    switch (r.kind) {
      case 'data-ack': return ctx.fail(`the peer acknowledged data with a wrong checksum at data level (DATA_ACK ${c.relative(c.dataAckOf(r.segment)!)})`, shown);
      case 'reset': return ctx.differs(`the peer reset the subflow: ${resetText(r.segment)}`, shown);
      case 'fallback': return ctx.fail(`the peer fell back to TCP without MP_FAIL (${c.fallback!.reason}, frame ${c.fallback!.frame})`, shown);
      case 'mp-fail': break;
    }
    const failDsn = optionOf(r.segment, 'MP_FAIL')!.dsn;
    if (failDsn !== bad.dsn) return ctx.fail(`MP_FAIL carries DSN ${c.relative(failDsn)}, not the bad mapping's ${c.relative(bad.dsn)}`, shown);
    // As the data's sender: answer MP_FAIL and fall back with an infinite mapping.
    const answer = c.signal([mpFail(bad.dsn)]);
    const infinite = await c.send(ctx.data(64), { dataLength: 0 });
    const plain = await c.send(ctx.data(64), { form: 'none' });
    const after = [answer, ...frames(infinite, plain)];
    if (infinite.reset || plain.reset) return ctx.differs(`MP_FAIL with the bad mapping's DSN ${c.relative(failDsn)}, then the peer reset the subflow after our infinite mapping`, [...shown, ...after]);
    const still = c.history.find((s) => s.frame > answer && optionOf(s, 'DSS'));
    if (still) return ctx.fail(`MP_FAIL with the bad mapping's DSN ${c.relative(failDsn)}, but the peer kept sending DSS after our infinite mapping (frame ${still.frame})`, [...shown, ...after, still.frame]);
    return ctx.pass(`MP_FAIL with the bad mapping's DSN ${c.relative(failDsn)}; after our MP_FAIL and infinite mapping, the data went on as plain TCP`, [...shown, ...after]);
  },
};
