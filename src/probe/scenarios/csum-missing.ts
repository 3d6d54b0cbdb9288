/** Checksums negotiated, then a DSS mapping without one: RFC 8684 §3.3 says the subflow MUST be reset. */
import { optionOf } from '../engine/connection.js';
import { frames, reaction, resetText, sendAcked } from './steps.js';
import type { Scenario } from './types.js';

export const csumMissing: Scenario = {
  name: 'csum-missing',
  title: 'checksums negotiated (flag A), then a DSS mapping without its checksum',
  rfc: { 1: '8684 §3.3', 0: '6824 §3.3' },
  versions: [0, 1],
  expected: (v) => `a RST of the subflow${v === 1 ? ', with MP_TCPRST reason 1 (MPTCP-specific error)' : ''}: a mapping without its checksum is broken`,
  witness: ['MPTcpExtDssFallback', 'MPTcpExtMPRstTx'],
  async run(ctx) {
    const c = await ctx.connect({ checksum: true });
    const first = await sendAcked(ctx, c, 64, 'the first data (with its checksum)');
    const sent = await c.send(ctx.data(100), { form: 'dss', checksum: 'omit' });
    const r = sent.reset ? { kind: 'reset' as const, segment: sent.reset } : await reaction(c, sent.end, 'a RST (or any reaction) after the mapping without checksum');
    const shown = frames(first.ack, sent, r.segment);
    switch (r.kind) {
      case 'reset': {
        const reason = optionOf(r.segment, 'MP_TCPRST')?.reason;
        const seen = `the peer reset the subflow: ${resetText(r.segment)}`;
        return ctx.version === 0 || reason === 1 ? ctx.pass(seen, shown) : ctx.differs(`${seen} (reason 1 is the SHOULD)`, shown);
      }
      case 'fallback': return ctx.fail(`no RST: the peer fell back to TCP instead (${c.fallback!.reason}, frame ${c.fallback!.frame})`, shown);
      case 'mp-fail': return ctx.fail('no RST: the peer sent MP_FAIL as if the checksum were wrong, not missing', shown);
      case 'data-ack': return ctx.fail(`no RST: the peer accepted the mapping without its checksum (DATA_ACK ${c.relative(c.dataAckOf(r.segment)!)})`, shown);
    }
  },
};
