/** `mpscope conns` (runConns) in a child process: text for people, --json, --tcp, --conn, errors. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CORPUS, ROOT, SKIP_NO_SHARED } from '../helpers/shared.js';

const LAB = join(ROOT, 'test/fixtures/lab');

function conns(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const script = `import { runConns } from ${JSON.stringify(join(ROOT, 'src/cli/conns.ts'))};
runConns(${JSON.stringify(args)}).then((code) => { process.exitCode = code; }, (e) => { process.stderr.write(String(e.message) + '\\n'); process.exitCode = 2; });`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, maxBuffer: 1 << 26 });
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

describe('mpscope conns', () => {
  it('lists a connection, its keys, state, data and subflows', () => {
    const r = conns(['-r', join(LAB, 'mptcp-v4-2subflows.pcapng')]);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], '487 packets; 1 MPTCP connection');
    assert.equal(lines[2], 'MPTCP connection 0: 10.0.1.1:36764 → 10.0.3.1:5201, v1, checksums off');
    assert.match(r.stdout, /^ {2}client {4}0x[0-9a-f]{16} \(token 0x[0-9a-f]{8}\)$/m);
    assert.match(r.stdout, /^ {2}state {5}closed: DATA_FIN both ways$/m);
    assert.match(r.stdout, /^ {2}data {6}client → server 200,000 bytes, server → client 200,000 bytes$/m);
    assert.match(r.stdout, /^ +0 {2}10\.0\.1\.1:36764 → 10\.0\.3\.1:5201 {2}- +no +initial, frame 3 +closed, frame 484 +199,704 +166,328/m);
    assert.match(r.stdout, /^ +1 {2}10\.0\.2\.1:36819 → 10\.0\.3\.1:5201 {2}2\/0 +no +joined, frame 8 +closed, frame 486 +296 +33,672/m);
  });

  it('shows fallback, failed joins and findings', () => {
    const fb = conns(['-r', join(LAB, 'mptcp-fallback.pcapng')]);
    assert.match(fb.stdout, /^ {2}state {5}fallback: fallback to TCP \(synack-without-mp-capable\)$/m);
    assert.match(fb.stdout, /^ {2}fallback {2}synack-without-mp-capable at frame 2$/m);
    assert.match(fb.stdout, /client → server 20,000 bytes of TCP payload, no DSN/);
    assert.match(fb.stdout, /^ {2}findings {2}1 warning: mptcp\.fallback/m);
  });

  it('--json gives the connection model, keys as hex', { skip: SKIP_NO_SHARED }, () => {
    const r = conns(['-r', join(CORPUS, 'pymptcpanalyzer/client_2.pcap'), '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { packets: number; connections: Array<{ index: number; keys: string[]; subflows: Array<{ stream: number }>; state: string }> };
    assert.equal(j.packets, 2884);
    assert.deepEqual(j.connections.map((c) => c.subflows.map((s) => s.stream)), [[0, 1, 2, 6], [3, 4, 5, 7], [8, 9, 10, 11], [12, 13, 14, 15]]);
    assert.deepEqual(j.connections[0]!.keys, ['0xca2f07947b1bfd2b', '0xa78213619e4beafc']);
    assert.deepEqual(j.connections.map((c) => c.state), ['closed', 'fastclosed', 'closed', 'fastclosed']);
  });

  it('--conn keeps the connections asked for, --tcp adds plain TCP conversations', { skip: SKIP_NO_SHARED }, () => {
    const one = conns(['-r', join(CORPUS, 'pymptcpanalyzer/client_2.pcap'), '--conn', '2']);
    assert.match(one.stdout, /^2,884 packets; 1 MPTCP connection$/m);
    assert.match(one.stdout, /^MPTCP connection 2:/m);
    const tcp = conns(['-r', join(CORPUS, 'pymptcpanalyzer/client_1_tcp_only.pcap'), '--tcp']);
    assert.match(tcp.stdout, /; 0 MPTCP connections\n\nTCP conversations that are not MPTCP subflows: \d+\n/);
    assert.match(tcp.stdout, /^ +stream {2}A → B/m);
  });

  it('refuses a missing capture and bad arguments', () => {
    assert.match(conns([]).stderr, /no capture given/);
    assert.match(conns(['-r', join(LAB, 'mptcp-v6.pcapng'), '--conn', 'x']).stderr, /invalid connection number/);
    const help = conns(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /usage: mpscope conns -r FILE/);
  });
});
