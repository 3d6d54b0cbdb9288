/**
 * ADD_ADDR both ways (v1): the peer's announcements carry the HMAC its key
 * gives (and we echo them); ours is echoed with the E bit, and one with a
 * wrong HMAC is ignored.
 */
import { addressText, sameAddress } from '../address.js';
import { optionOf } from '../engine/connection.js';
import type { Segment } from '../engine/subflow.js';
import { frames, sendAcked } from './steps.js';
import type { Scenario } from './types.js';

const OURS = 10;
const FORGED = 11;

function echoOf(addrId: number): (s: Segment) => Segment | undefined {
  return (s) => {
    const a = optionOf(s, 'ADD_ADDR');
    return a?.echo && a.addrId === addrId ? s : undefined;
  };
}

export const addAddr: Scenario = {
  name: 'add-addr',
  title: 'ADD_ADDR with its HMAC (echo expected), one with a wrong HMAC (ignored); the peer\'s own ADD_ADDR checked and echoed',
  rfc: { 1: '8684 §3.4.1' },
  versions: [1],
  expected: 'our ADD_ADDR echoed (E bit, same id and address); the forged one not; any ADD_ADDR of the peer\'s with a right HMAC',
  witness: ['MPTcpExtAddAddr', 'MPTcpExtEchoAddTx'],
  async run(ctx) {
    const c = await ctx.connect();
    const first = await sendAcked(ctx, c, 64, 'the first data');
    // The peer's path manager announces its addresses once the connection is up.
    if (c.peerAddresses.length === 0) await c.maybe((s) => (optionOf(s, 'ADD_ADDR')?.echo === false ? s : undefined));
    const ours = c.addAddr({ addrId: OURS });
    const echo = await c.waitFor(echoOf(OURS), { what: `the echo of our ADD_ADDR (id ${OURS})` });
    const echoed = optionOf(echo, 'ADD_ADDR')!;
    const forged = c.addAddr({ addrId: FORGED, hmac: 'bad' });
    const forgedEcho = await c.maybe(echoOf(FORGED));
    const peer = c.peerAddresses;
    const shown = frames(first.ack, ours, echo, forged, forgedEcho, peer.map((p) => p.frame));
    const bad = peer.find((p) => p.hmacOk === false);
    if (bad) return ctx.fail(`the peer's ADD_ADDR for ${bad.address} (id ${bad.addrId}) has a wrong HMAC`, shown);
    if (forgedEcho) return ctx.fail(`the peer echoed an ADD_ADDR whose HMAC is wrong (id ${FORGED})`, shown);
    if (!sameAddress(echoed.address, c.host.source)) return ctx.fail(`the echo carries address ${addressText(echoed.address)}, not the announced ${c.host.source}`, shown);
    const theirs = peer.length ? `; the peer announced ${peer.map((p) => `${p.address}${p.port ? ` port ${p.port}` : ''} (id ${p.addrId})`).join(', ')} with right HMACs, echoed` : '; the peer announced no address';
    return ctx.pass(`our ADD_ADDR echoed, the forged one ignored${theirs}`, shown);
  },
};
