/**
 * MPTCP sockets through Node's net, on this host's loopback (nothing leaves
 * the machine): a server and a client on MPTCP fds, MPTCP_INFO from both
 * ends, the subflow list, and the three fallback cases. Needs the native
 * addon and MPTCP enabled; no root.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import {
  connectMptcp, createMptcpServer, isMptcpEnabled, mptcpInfo, mptcpState, MptcpMonitor, nativeAvailable, subflowAddrs, subflows, SysError,
} from '../../src/sys/index.js';
import type { MonitorEvent } from '../../src/sys/index.js';

const SKIP = !nativeAvailable()
  ? "the native addon is not built (npm run install)"
  : isMptcpEnabled() !== true
    ? 'MPTCP is not enabled on this host (net.mptcp.enabled)'
    : false;

/** Echo server; resolves with it and its port. */
async function echoServer(host: string, mptcp: boolean, seen: net.Socket[] = []): Promise<{ server: net.Server; port: number }> {
  const onConnection = (s: net.Socket): void => {
    seen.push(s);
    s.pipe(s);
  };
  const server = mptcp ? await createMptcpServer({ host, port: 0 }, onConnection) : net.createServer({ allowHalfOpen: true }, onConnection);
  if (!mptcp) await new Promise<void>((r) => server.listen(0, host, r));
  return { server, port: (server.address() as net.AddressInfo).port };
}

async function roundTrip(s: net.Socket, data: Buffer): Promise<Buffer> {
  const chunks: Buffer[] = [];
  s.on('data', (d: Buffer) => chunks.push(d));
  s.end(data);
  await once(s, 'close');
  return Buffer.concat(chunks);
}

describe('MPTCP sockets on loopback', { skip: SKIP }, () => {
  const servers: net.Server[] = [];
  after(() => {
    for (const s of servers) s.close();
  });

  for (const host of ['127.0.0.1', '::1']) {
    it(`MPTCP both ends over ${host}: info, subflows, data`, async () => {
      const accepted: net.Socket[] = [];
      const { server, port } = await echoServer(host, true, accepted);
      servers.push(server);
      const s = await connectMptcp(host, port);
      const st = mptcpState(s);
      assert.equal(st.kind, 'mptcp');
      assert.ok(st.kind === 'mptcp' && st.info.remoteKeyReceived, 'the peer\'s key arrived with the SYN/ACK');
      assert.equal(st.kind === 'mptcp' && st.info.fallback, false);

      const list = subflows(s)!;
      assert.equal(list.length, 1);
      assert.equal(list[0]!.id, 1, 'MPTCP_FULL_INFO numbers the initial subflow 1');
      assert.deepEqual(list[0]!.local, { family: host.includes(':') ? 6 : 4, address: host, port: s.localPort });
      assert.deepEqual(list[0]!.remote, { family: host.includes(':') ? 6 : 4, address: host, port });
      assert.ok(list[0]!.tcp && list[0]!.tcp.state === 1, 'tcp_info of an established subflow');
      assert.deepEqual(subflowAddrs(s), [{ local: list[0]!.local, remote: list[0]!.remote }]);

      const data = Buffer.alloc(100_000, 7);
      const echoed = await roundTrip(s, data);
      assert.ok(echoed.equals(data));
      assert.equal(accepted.length, 1);
    });
  }

  it('the two ends see the same data sequence numbers', async () => {
    let serverSide: net.Socket | undefined;
    const server = await createMptcpServer({ host: '127.0.0.1', port: 0 }, (c) => {
      serverSide = c;
      c.on('data', () => undefined);
    });
    servers.push(server);
    const s = await connectMptcp('127.0.0.1', (server.address() as net.AddressInfo).port);
    s.write(Buffer.alloc(1000, 1));
    await new Promise((r) => setTimeout(r, 100));
    const cli = mptcpInfo(s)!;
    const srv = mptcpInfo(serverSide!)!;
    assert.equal(cli.sndUna, srv.rcvNxt, "the client's oldest unacknowledged DSN is the server's next expected one");
    assert.equal(cli.writeSeq, cli.sndUna, 'all sent data was acknowledged');
    assert.notEqual(cli.token, srv.token, 'each side reports its own token');
    s.destroy();
  });

  it('an MPTCP client against a plain TCP server falls back', async () => {
    const { server, port } = await echoServer('127.0.0.1', false);
    servers.push(server);
    const s = await connectMptcp('127.0.0.1', port);
    assert.deepEqual(mptcpState(s), { kind: 'fallback' });
    assert.equal(mptcpInfo(s), undefined);
    assert.equal(subflows(s), undefined);
    assert.ok((await roundTrip(s, Buffer.from('still works'))).equals(Buffer.from('still works')));
  });

  it('a plain TCP client of an MPTCP server: the accepted socket is a fallback', async () => {
    const accepted: net.Socket[] = [];
    const { server, port } = await echoServer('::', true, accepted);
    servers.push(server);
    const s = net.connect(port, '127.0.0.1');
    await once(s, 'connect');
    assert.deepEqual(mptcpState(s), { kind: 'tcp' }, "the client's own socket is plain TCP");
    while (accepted.length === 0) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(mptcpState(accepted[0]!), { kind: 'fallback' });
    s.destroy();
  });

  it('the monitor reports MPTCP and the first subflow, then stops', async () => {
    const { server, port } = await echoServer('127.0.0.1', true);
    servers.push(server);
    const s = await connectMptcp('127.0.0.1', port);
    const events: MonitorEvent['type'][] = [];
    const m = new MptcpMonitor(s, { interval: 10, onEvent: (e) => events.push(e.type) });
    await new Promise((r) => setTimeout(r, 50));
    const report = m.stop();
    assert.deepEqual(events, ['mptcp', 'subflow-up']);
    assert.equal(report.state, 'mptcp');
    assert.equal(report.subflows.length, 1);
    assert.equal(report.subflows[0]!.closed, false);
    s.destroy();
  });

  it('a plain TCP socket says tcp', async () => {
    const server = net.createServer((c) => c.destroy());
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const s = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    await once(s, 'connect');
    assert.deepEqual(mptcpState(s), { kind: 'tcp' });
    s.destroy();
  });

  it('connection refused and a listen clash are SysErrors with errno names', async () => {
    const { server, port } = await echoServer('127.0.0.1', true);
    await new Promise((r) => server.close(r));
    await assert.rejects(connectMptcp('127.0.0.1', port), (e: unknown) => e instanceof SysError && e.code === 'SYSCALL' && e.errno === 'ECONNREFUSED');
    const busy = await echoServer('127.0.0.1', true);
    servers.push(busy.server);
    await assert.rejects(createMptcpServer({ host: '127.0.0.1', port: busy.port }), (e: unknown) => e instanceof SysError && e.errno === 'EADDRINUSE');
    await assert.rejects(connectMptcp('fd00::1', 1, { family: 4 }), (e: unknown) => e instanceof SysError && e.errno === 'EAFNOSUPPORT');
  });
});
