/** Data with DSS mappings, no checksum: acknowledged at TCP and data level, DATA_ACKs cumulative. */
import { frames, sendAcked } from './steps.js';
import type { Scenario } from './types.js';

export const dataDss: Scenario = {
  name: 'data-dss',
  title: 'data mapped by DSS (v1: the first in MP_CAPABLE), no checksum: DATA_ACK after each mapping',
  rfc: { 1: '8684 §3.3.1', 0: '6824 §3.3.1' },
  versions: [0, 1],
  expected: 'each mapping acknowledged at TCP level and by a DATA_ACK of the DSN after it',
  async run(ctx) {
    const c = await ctx.connect();
    const first = await sendAcked(ctx, c, 64, 'the first data');
    const second = await sendAcked(ctx, c, 300, 'the data of the DSS mapping', { form: 'dss' });
    const how = ctx.version === 1 ? 'in MP_CAPABLE' : 'in a DSS';
    return ctx.pass(
      `DATA_ACK ${c.relative(first.sent.end)} after 64 bytes mapped ${how}, ${c.relative(second.sent.end)} after 300 more in a DSS mapping (8-byte DSN)`,
      frames(first.sent, first.ack, second.sent, second.ack),
    );
  },
};
