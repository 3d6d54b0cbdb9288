/**
 * The path manager's endpoints and limits as --via uses them, in a private
 * network namespace: what is added, what is left alone, what is undone, and
 * that the undoing happens however the process ends. Needs root and ip.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  addEndpoint, addViaEndpoints, deleteEndpoint, getLimits, interfaceAddresses, IpCommand, listEndpoints, setLimits, SysError,
} from '../../src/sys/index.js';
import { ROOT } from '../helpers/shared.js';
import { address, Netns, netnsSkipReason } from '../lab/netns.js';

const SKIP = netnsSkipReason();

describe('--via endpoints and limits', { skip: SKIP, timeout: 60_000 }, () => {
  let ns: Netns;
  let ip: IpCommand;
  before(() => {
    ns = Netns.create(`mpsep-${process.pid}-`);
    ip = new IpCommand(ns.name);
    ns.ip(['link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth1p']);
    address(ns, 'eth1', '10.0.2.1/24');
    address(ns, 'eth1', 'fd00:2::1/64');
    ns.ip(['link', 'add', 'eth2', 'type', 'veth', 'peer', 'name', 'eth2p']);
    ns.ip(['link', 'set', 'eth2', 'up']);
  });
  after(() => ns?.destroy());
  beforeEach(() => {
    for (const e of listEndpoints(ip)) deleteEndpoint(e.id, ip);
    setLimits({ subflows: 2, addAddrAccepted: 0 }, ip);
  });

  it('reads interface addresses (global ones only), endpoints and limits', () => {
    assert.deepEqual(interfaceAddresses('eth1', ip), [
      { family: 4, address: '10.0.2.1', prefixLength: 24 },
      { family: 6, address: 'fd00:2::1', prefixLength: 64 },
    ]);
    assert.deepEqual(interfaceAddresses('eth2', ip), [], 'a link-local address does not count');
    const ep = addEndpoint('10.0.2.1', 'eth1', ['subflow', 'backup'], ip);
    assert.deepEqual(listEndpoints(ip), [{ id: ep.id, address: '10.0.2.1', dev: 'eth1', flags: ['subflow', 'backup'] }]);
    assert.deepEqual(getLimits(ip), { subflows: 2, addAddrAccepted: 0 });
  });

  it('adds an endpoint per address, raises the limit, and restore() undoes both', () => {
    setLimits({ subflows: 1, addAddrAccepted: 3 }, ip);
    const via = addViaEndpoints(['eth1'], { ip });
    assert.deepEqual(via.added.map((e) => [e.address, e.dev, e.flags]), [['10.0.2.1', 'eth1', ['subflow']], ['fd00:2::1', 'eth1', ['subflow']]]);
    assert.deepEqual(via.limitsBefore, { subflows: 1, addAddrAccepted: 3 });
    assert.deepEqual(getLimits(ip), { subflows: 2, addAddrAccepted: 3 });
    via.restore();
    assert.deepEqual(listEndpoints(ip), []);
    assert.deepEqual(getLimits(ip), { subflows: 1, addAddrAccepted: 3 });
    via.restore();
  });

  it('one family only, signal flags, and an endpoint that already existed is left alone', () => {
    const mine = addEndpoint('10.0.2.1', undefined, ['signal'], ip);
    const via = addViaEndpoints(['eth1'], { ip, family: 4, flags: ['signal'] });
    assert.deepEqual(via.added, []);
    assert.deepEqual(via.existing.map((e) => e.id), [mine.id]);
    via.restore();
    assert.deepEqual(listEndpoints(ip).map((e) => e.id), [mine.id]);
  });

  it('bad interfaces are INTERFACE errors and leave nothing behind', () => {
    assert.throws(() => addViaEndpoints(['eth1', 'nope0'], { ip }), (e: unknown) => e instanceof SysError && e.code === 'INTERFACE' && e.message === "no interface named 'nope0'");
    assert.throws(() => addViaEndpoints(['eth2'], { ip }), (e: unknown) => e instanceof SysError && e.code === 'INTERFACE' && /has no global address/.test(e.message));
    assert.throws(() => addViaEndpoints(['eth1'], { ip, family: 6, flags: ['subflow', 'signal', 'fullmesh'] }), SysError, 'fullmesh and signal exclude each other');
    assert.deepEqual(listEndpoints(ip), []);
    assert.deepEqual(getLimits(ip), { subflows: 2, addAddrAccepted: 0 });
  });

  it('the limit never goes past the kernel\'s 8', () => {
    setLimits({ subflows: 8, addAddrAccepted: 0 }, ip);
    const via = addViaEndpoints(['eth1'], { ip });
    assert.equal(via.limitsNow?.subflows, 8);
    via.restore();
  });

  for (const how of ['SIGTERM', 'SIGINT', 'throw', 'reject', 'exit'] as const) {
    it(`a process that ends by ${how} still removes its endpoints and limits`, async () => {
      setLimits({ subflows: 0, addAddrAccepted: 0 }, ip);
      const mode = how.startsWith('SIG') ? 'signal' : how;
      const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/sys/fixtures/via-then-die.ts'), ns.name, mode], { stdio: 'pipe' });
      let out = '';
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve();
        });
        child.on('close', () => (out.includes('\n') ? resolve() : reject(new Error(`child ended early: ${err}`))));
      });
      assert.match(out, /^ready 10\.0\.2\.1 fd00:2::1 limits 2\n/);
      if (how === 'SIGTERM' || how === 'SIGINT') child.kill(how);
      const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on('close', (c, s) => r([c, s])));
      if (mode === 'signal') assert.equal(signal, how, 'it still dies by the signal, as the parent expects');
      else assert.notEqual(code, 0);
      assert.deepEqual(listEndpoints(ip), [], err);
      assert.deepEqual(getLimits(ip), { subflows: 0, addAddrAccepted: 0 });
    });
  }
});
