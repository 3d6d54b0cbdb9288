/** MP_CAPABLE: does the peer speak MPTCP in this version, with a key and HMAC flag, and carry data? */
import { optionOf } from '../engine/connection.js';
import { hex64 } from '../engine/seq.js';
import { MpCapableFlag } from '../../wire/mptcp.js';
import { capableFlags, frames, sendAcked } from './steps.js';
import type { Scenario } from './types.js';

export const mpCapable: Scenario = {
  name: 'mp-capable',
  title: 'MP_CAPABLE handshake: the SYN/ACK carries the peer\'s key, the first data is acknowledged at data level',
  rfc: { 1: '8684 §3.1', 0: '6824 §3.1' },
  versions: [0, 1],
  expected: (v) => `a SYN/ACK with MP_CAPABLE v${v}, the peer's key and flag H; then a DATA_ACK of the first data`,
  witness: ['MPTcpExtMPCapableSYNRX', 'MPTcpExtMPCapableACKRX'],
  async run(ctx) {
    const c = await ctx.connect({ allowFallback: true });
    const synAck = c.synAck!;
    if (!c.mptcp) {
      return ctx.differs(`plain TCP (${c.fallback?.reason ?? 'no MP_CAPABLE'}): the peer does not speak MPTCP v${ctx.version}, and RFC 8684 §3.1 lets it answer so`, frames(synAck));
    }
    const m = optionOf(synAck, 'MP_CAPABLE')!;
    const { sent, ack } = await sendAcked(ctx, c, 64, 'the first data');
    const seen = `SYN/ACK with MP_CAPABLE v${m.version} (key ${hex64(m.senderKey!)}, flags ${capableFlags(m.flags)}); DATA_ACK ${c.relative(sent.end)} of the first data`;
    const shown = frames(synAck, sent, ack);
    if (!(m.flags & MpCapableFlag.H)) return ctx.fail(`${seen}, but flag H (the HMAC algorithm) is not set`, shown);
    if (m.length !== 12) return ctx.fail(`${seen}, but the option is ${m.length} bytes long (12 expected)`, shown);
    return ctx.pass(seen, shown);
  },
};
