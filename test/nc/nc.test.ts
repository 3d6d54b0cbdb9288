/**
 * `mpscope nc` against the Linux kernel's MPTCP, in two network namespaces
 * joined by two links: data both ways, MPTCP really used (nc's own report,
 * and the kernel's MPTcpExt counters as a second witness), a second subflow
 * through --via, fallback with plain TCP peers on either side, -k, IPv6,
 * and Ctrl-C. Needs root, ip, nstat, python3 and MPTCP; skipped otherwise.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hasCommand } from '../helpers/shared.js';
import { netnsSkipReason, TwoHosts } from '../lab/netns.js';
import { buildCli, bytes, CLI, grew, ncSkipReason, sleep, startNc } from './helpers.js';

function skipReason(): string | false {
  const ns = netnsSkipReason(['nstat', 'python3']);
  if (ns) return ns;
  buildCli();
  return ncSkipReason();
}

const SKIP = skipReason();
const PREFIX = `mpsnc-${process.pid}-`;

/** A plain TCP peer (no MPTCP at all): python3's socket module. */
const PY_ECHO_SERVER = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('10.0.1.2', int(sys.argv[1]))); s.listen(1)
print('ready', flush=True)
c, _ = s.accept()
while True:
    d = c.recv(65536)
    if not d: break
    c.sendall(d)
c.close()
`;
const PY_CLIENT = `
import socket, sys
c = socket.create_connection(('10.0.1.2', int(sys.argv[1])))
c.sendall(b'plain tcp says hi'); c.shutdown(socket.SHUT_WR)
got = b''
while True:
    d = c.recv(65536)
    if not d: break
    got += d
sys.stdout.write(got.decode())
`;

describe('mpscope nc with the kernel as peer', { skip: SKIP, timeout: 120_000 }, () => {
  let lab: TwoHosts;

  before(() => {
    lab = new TwoHosts(PREFIX);
  });
  after(() => lab?.destroy());

  it('moves data both ways over MPTCP and says so', { timeout: 30_000 }, async () => {
    const up = bytes(300_000, 1);
    const down = bytes(200_000, 2);
    const srvBefore = lab.srv.counters();
    const cliBefore = lab.cli.counters();
    const server = startNc(lab.srv, ['-v', '-l', '5201']);
    await server.waitFor(/listening on/);
    const client = startNc(lab.cli, ['-v', '10.0.1.2', '5201']);
    client.child.stdin.end(up);
    server.child.stdin.end(down);
    assert.equal(await client.exited, 0, client.stderr());
    assert.equal(await server.exited, 0, server.stderr());
    assert.ok(server.stdout().equals(up), 'the server received what the client sent');
    assert.ok(client.stdout().equals(down), 'the client received what the server sent');

    assert.match(client.stderr(), /connection to 10\.0\.1\.2 port 5201 used MPTCP \(local token 0x[0-9a-f]{8}\), 1 subflow:/);
    assert.match(client.stderr(), /subflow 1: 10\.0\.1\.1:\d+ -> 10\.0\.1\.2:5201/);
    assert.match(server.stderr(), /connection from 10\.0\.1\.1 port \d+ used MPTCP/);
    assert.match(client.stderr(), /sent 300000 bytes, received 200000 bytes/);
    assert.match(server.stderr(), /sent 200000 bytes, received 300000 bytes/);

    // The kernel's own account: an MP_CAPABLE handshake on each side.
    const srvAfter = lab.srv.counters();
    const cliAfter = lab.cli.counters();
    assert.equal(grew(srvBefore, srvAfter, 'MPTcpExtMPCapableSYNRX'), 1);
    assert.equal(grew(srvBefore, srvAfter, 'MPTcpExtMPCapableACKRX'), 1);
    assert.equal(grew(cliBefore, cliAfter, 'MPTcpExtMPCapableSYNACKRX'), 1);
    assert.equal(grew(cliBefore, cliAfter, 'MPTcpExtMPCapableFallbackSYNACK'), 0);
  });

  it('--via opens a second subflow by the other link, then removes its endpoint', { timeout: 30_000 }, async () => {
    const limitsBefore = lab.cli.ip(['mptcp', 'limits', 'show']);
    const srvBefore = lab.srv.counters();
    const server = startNc(lab.srv, ['-v', '-l', '5202']);
    await server.waitFor(/listening on/);
    const client = startNc(lab.cli, ['-v', '--via', 'eth1', '10.0.1.2', '5202']);
    await client.waitFor(/connected to/);
    assert.match(client.stderr(), /added endpoint 10\.0\.2\.1 dev eth1 subflow \(id \d+\)/);
    assert.doesNotMatch(client.stderr(), /fd00:/, 'only endpoints of the connection\'s family');
    assert.match(lab.cli.ip(['mptcp', 'endpoint', 'show']), /^10\.0\.2\.1 id \d+ subflow dev eth1/m);
    // The kernel opens subflows once the connection is fully established,
    // which takes data: send some, keep both sides open until the join.
    const first = bytes(50_000, 3);
    client.child.stdin.write(first);
    await client.waitFor(/subflow 2 up: 10\.0\.2\.1:\d+ -> 10\.0\.1\.2:5202/);
    const rest = bytes(400_000, 4);
    client.child.stdin.end(rest);
    // The server ends last, so both ends see the subflows before they close.
    await server.waitFor(/the peer finished sending/);
    server.child.stdin.end();
    assert.equal(await client.exited, 0, client.stderr());
    assert.equal(await server.exited, 0, server.stderr());
    assert.ok(server.stdout().equals(Buffer.concat([first, rest])));

    assert.match(client.stderr(), /used MPTCP \(local token 0x[0-9a-f]{8}\), 2 subflows:/);
    assert.match(client.stderr(), /subflow 2: 10\.0\.2\.1:\d+ -> 10\.0\.1\.2:5202/);
    assert.match(server.stderr(), /subflow 2: 10\.0\.1\.2:5202 -> 10\.0\.2\.1:\d+/);
    const srvAfter = lab.srv.counters();
    assert.equal(grew(srvBefore, srvAfter, 'MPTcpExtMPJoinSynRx'), 1);
    assert.equal(grew(srvBefore, srvAfter, 'MPTcpExtMPJoinAckRx'), 1);

    assert.equal(lab.cli.ip(['mptcp', 'endpoint', 'show']).trim(), '', 'the endpoint is gone after the run');
    assert.equal(lab.cli.ip(['mptcp', 'limits', 'show']), limitsBefore);
  });

  it('falls back to TCP against a plain TCP server, and says so', { timeout: 30_000 }, async () => {
    const cliBefore = lab.cli.counters();
    const server = lab.srv.spawn('python3', ['-c', PY_ECHO_SERVER, '5203']);
    await new Promise<void>((resolve) => server.stdout.once('data', () => resolve()));
    const client = startNc(lab.cli, ['-v', '10.0.1.2', '5203']);
    const data = bytes(100_000, 5);
    client.child.stdin.end(data);
    assert.equal(await client.exited, 0, client.stderr());
    assert.ok(client.stdout().equals(data), 'the echo came back whole');
    assert.match(client.stderr(), /connection to 10\.0\.1\.2 port 5203 fell back to plain TCP: the peer did not answer MP_CAPABLE/);
    assert.doesNotMatch(client.stderr(), /used MPTCP/);
    assert.equal(grew(cliBefore, lab.cli.counters(), 'MPTcpExtMPCapableFallbackSYNACK'), 1);
  });

  it('reports a fallback when a plain TCP client connects to nc -l', { timeout: 30_000 }, async () => {
    const srvBefore = lab.srv.counters();
    const server = startNc(lab.srv, ['-v', '-l', '5204']);
    await server.waitFor(/listening on/);
    server.child.stdin.end('hello from nc');
    const client = lab.cli.spawn('python3', ['-c', PY_CLIENT, '5204']);
    let got = '';
    client.stdout.on('data', (d: Buffer) => (got += d.toString()));
    assert.equal(await new Promise((resolve) => client.on('close', resolve)), 0);
    assert.equal(got, 'hello from nc');
    assert.equal(await server.exited, 0, server.stderr());
    assert.equal(server.stdout().toString(), 'plain tcp says hi');
    assert.match(server.stderr(), /connection from 10\.0\.1\.1 port \d+ fell back to plain TCP: the client did not offer MP_CAPABLE/);
    assert.equal(grew(srvBefore, lab.srv.counters(), 'MPTcpExtMPCapableSYNRX'), 0);
  });

  it('-k serves connections one after the other, IPv4 (from -s/-p) and IPv6', { timeout: 30_000 }, async () => {
    const server = startNc(lab.srv, ['-v', '-l', '-k', '5205']);
    server.child.stdin.end();
    await server.waitFor(/listening on \[::\]:5205/);
    for (const [args, text] of [[['-s', '10.0.2.1', '-p', '40123', '10.0.1.2'], 'one,'], [['fd00:1::2'], 'two.']] as const) {
      const client = startNc(lab.cli, [...args, '5205']);
      client.child.stdin.end(text);
      assert.equal(await client.exited, 0, client.stderr());
      assert.match(client.stderr(), /used MPTCP/);
    }
    await server.waitFor(/connection from fd00:1::1 port \d+ used MPTCP[\s\S]*sent 0 bytes, received 4 bytes/);
    assert.equal(server.stdout().toString(), 'one,two.');
    assert.match(server.stderr(), /connection from 10\.0\.2\.1 port 40123 used MPTCP/, '-s and -p chose the source');
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 143, server.stderr());
  });

  it('Ctrl-C still reports, and takes the --via endpoint and raised limit away', { timeout: 30_000 }, async () => {
    lab.cli.ip(['mptcp', 'limits', 'set', 'subflows', '0', 'add_addr_accepted', '0']);
    const server = startNc(lab.srv, ['-l', '5206']);
    await sleep(300);
    const client = startNc(lab.cli, ['-v', '--via', 'eth1', '10.0.1.2', '5206']);
    await client.waitFor(/MPTCP established/);
    assert.match(client.stderr(), /subflow limit raised from 0 to 1 for this run/);
    assert.match(lab.cli.ip(['mptcp', 'limits', 'show']), /subflows 1/);
    client.child.kill('SIGINT');
    assert.equal(await client.exited, 130, client.stderr());
    assert.match(client.stderr(), /connection to 10\.0\.1\.2 port 5206 used MPTCP/);
    assert.equal(lab.cli.ip(['mptcp', 'endpoint', 'show']).trim(), '');
    assert.match(lab.cli.ip(['mptcp', 'limits', 'show']), /add_addr_accepted 0 subflows 0/);
    server.child.kill('SIGTERM');
    await server.exited;
    lab.cli.ip(['mptcp', 'limits', 'set', 'subflows', '2', 'add_addr_accepted', '0']);
  });

  it('without privilege, --via says so in one line with a hint, status 2', { skip: hasCommand('setpriv') ? false : 'setpriv is not installed', timeout: 30_000 }, () => {
    const r = lab.cli.run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'nc', '--via', 'eth1', '10.0.1.2', '5208']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr.toString(),
      'mpscope: ip mptcp endpoint add 10.0.2.1 dev eth1 subflow: RTNETLINK answers: Operation not permitted\n' +
      'hint: run as root, or give node CAP_NET_ADMIN and CAP_NET_RAW (setcap cap_net_admin,cap_net_raw+ep $(command -v node))\n');
  });

  it('says it cannot connect, with status 1', { timeout: 30_000 }, async () => {
    const client = startNc(lab.cli, ['10.0.1.2', '5299']);
    client.child.stdin.end();
    assert.equal(await client.exited, 1);
    assert.equal(client.stderr(), 'mpscope nc: connect to 10.0.1.2 port 5299 failed: connection refused (connect: ECONNREFUSED)\n');
  });

  it('--via an interface that does not exist: one line, a hint, status 2, nothing left behind', { timeout: 30_000 }, async () => {
    const client = startNc(lab.cli, ['--via', 'eth1,nope0', '10.0.1.2', '5207']);
    client.child.stdin.end();
    assert.equal(await client.exited, 2);
    assert.equal(client.stderr(), "mpscope: no interface named 'nope0'\nhint: list them with 'ip link'\n");
    assert.equal(lab.cli.ip(['mptcp', 'endpoint', 'show']).trim(), '');
  });
});
