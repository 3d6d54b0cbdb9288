/**
 * TUN devices and raw sockets in a private network namespace: the kernel's
 * MPTCP answers a SYN a userspace peer writes into a TUN, a raw socket sees
 * incoming TCP, a crafted packet sent by a raw socket leaves through the TUN
 * byte for byte, and the TUN device disappears with its process. Needs root.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { nativeAvailable } from '../../src/sys/index.js';
import { ROOT } from '../helpers/shared.js';
import { Netns, netnsSkipReason } from '../lab/netns.js';

const SKIP = netnsSkipReason() || (nativeAvailable() ? false : 'the native addon is not built (npm run install)');

describe('TUN and raw sockets', { skip: SKIP, timeout: 30_000 }, () => {
  let ns: Netns;
  before(() => {
    ns = Netns.create(`mpstun-${process.pid}-`);
  });
  after(() => ns?.destroy());

  it('a userspace peer behind a TUN gets the kernel\'s MP_CAPABLE SYN/ACK; raw sockets see and send', () => {
    const r = ns.run(process.execPath, ['--import', 'tsx', join(ROOT, 'test/sys/fixtures/tun-raw-peer.ts')], { check: true });
    const seen = JSON.parse(r.stdout.toString()) as Record<string, unknown>;
    assert.match(String(seen.tun), /^mpst\d+$/);
    assert.equal(seen.synAckFlags, 0x12, 'SYN+ACK');
    const options = seen.synAckOptions as number[][];
    assert.deepEqual(options[0], [2, 4], 'MSS first');
    assert.ok(options.some(([kind, len]) => kind === 30 && len === 12), "MP_CAPABLE with the server's key");
    assert.equal(seen.rawSawSyn, true, 'the raw socket received the SYN written into the TUN');
    assert.equal(seen.craftedLeftByTun, true, 'the crafted packet left through the TUN unchanged');
    assert.doesNotMatch(ns.ip(['link', 'show']), /mpst/, 'the TUN device went away with its process');
  });
});
