/**
 * The probe engine and its scenarios against a simulated MPTCP server
 * (probe-sim/peer.ts), in both versions: verdicts for a peer that does what
 * the RFCs say and for peers that do not (wrong HMACs, forged ADD_ADDR,
 * subflows after a fallback, no MPTCP, silence, malformed options), the
 * capture of a run, interruption, and a scenario written outside the
 * registry. No privilege needed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readCaptureBytes } from '../../src/capture/index.js';
import type { Frame } from '../../src/capture/index.js';
import { craftedCapture } from '../../src/probe/index.js';
import { MptcpConnection } from '../../src/probe/engine/connection.js';
import { ProbeHost } from '../../src/probe/engine/host.js';
import { expandDsn } from '../../src/probe/engine/seq.js';
import { PacketLog } from '../../src/probe/engine/transport.js';
import type { RecordedPacket } from '../../src/probe/engine/transport.js';
import { probe } from '../../src/probe/probe.js';
import type { ProbeOptions, ProbeResult } from '../../src/probe/probe.js';
import { frames, SCENARIOS, scenariosNamed, sendAcked } from '../../src/probe/scenarios/index.js';
import type { Scenario } from '../../src/probe/scenarios/index.js';
import { decodePacket } from '../../src/wire/packet.js';
import { SimMptcpPeer } from './probe-sim/peer.js';
import type { PeerBehaviour } from './probe-sim/peer.js';

const FAST = { timeoutMs: 300, quietMs: 100 };

async function run(behaviour: PeerBehaviour, extra: Partial<ProbeOptions> = {}): Promise<{ r: ProbeResult; peer: SimMptcpPeer }> {
  const peer = new SimMptcpPeer(behaviour);
  const r = await probe({ target: peer.target, port: 443, timing: FAST, ...extra }, peer);
  return { r, peer };
}

function verdicts(r: ProbeResult): Record<string, string> {
  return Object.fromEntries(r.results.map((x) => [x.name, x.verdict]));
}

function result(r: ProbeResult, name: string) {
  const x = r.results.find((s) => s.name === name);
  assert.ok(x, `no result for ${name}`);
  return x;
}

describe('probe scenarios against a simulated peer', () => {
  it('a v1 peer that does what RFC 8684 says passes every scenario but the two where the RFC leaves a choice', async () => {
    const { r, peer } = await run({ announce: { address: '10.9.0.7' } });
    assert.deepEqual(verdicts(r), {
      'mp-capable': 'pass', 'data-dss': 'pass', 'data-dss-csum': 'pass', 'data-ack': 'pass', 'data-fin': 'pass', join: 'pass',
      'join-bad-token': 'pass', 'join-bad-hmac': 'pass', 'wrong-key-echo': 'differs', 'csum-missing': 'pass', 'bad-csum-first': 'differs',
      'bad-csum-later': 'pass', 'infinite-mapping': 'pass', 'add-addr': 'pass', 'remove-addr': 'pass', 'mp-prio': 'pass', 'mp-fastclose': 'pass',
    });
    assert.equal(peer.closed, true, 'the transport is closed at the end');
    assert.equal(r.interrupted, false);
    assert.deepEqual(r.summary, { pass: 15, fail: 0, differs: 2, skipped: 0, timeout: 0, error: 0 });
    assert.ok(r.packets > peer.received.length, 'both directions recorded');
    for (const x of r.results) {
      assert.ok(x.frames.length > 0, `${x.name} cites frames`);
      assert.ok(x.frames.every((f) => f >= x.firstFrame! && f <= x.lastFrame!), `${x.name}: its frames are its own`);
      assert.match(x.rfc, /^RFC 8684 §3\.\d/);
      assert.deepEqual(x.findings, [], `${x.name}: nothing malformed`);
    }
    assert.match(result(r, 'add-addr').observed, /the peer announced 10\.9\.0\.7 \(id 1\) with right HMACs, echoed/);
    assert.match(result(r, 'join-bad-token').observed, /^a RST with MP_TCPRST reason 1 \(MPTCP-specific error\) to the SYN$/);
    assert.match(result(r, 'bad-csum-later').observed, /^MP_FAIL with the bad mapping's DSN 65;/);
    assert.match(result(r, 'data-ack').observed, /DATA_ACK stayed at 65 while DSN 65\.\.164 was missing, then 265/);
  });

  it('v1 keeps its forms: MP_CAPABLE 4 bytes in the SYN, 20 in the third ACK, 22 with the first data (24 with checksum), then DSS with 8-byte data ACK and DSN and the checksum', async () => {
    const { r, peer } = await run({}, { scenarios: ['data-dss-csum'] });
    assert.equal(r.results[0]!.verdict, 'pass');
    const mptcp = peer.received.map((p) => p.tcp!.options.flatMap((o) => (o.type === 'mptcp' ? [`${o.mptcp.name}/${o.mptcp.length}`] : [])).join(' '));
    assert.deepEqual(mptcp.slice(0, 4), ['MP_CAPABLE/4', 'MP_CAPABLE/20', 'MP_CAPABLE/24', 'DSS/28']);
  });

  it('v0 against a v0 peer: the RFC 6824 forms (key in the SYN, SHA-1 tokens and HMACs, DSS from the first data)', async () => {
    const { r, peer } = await run({ versions: [0] }, { version: 0 });
    const v = verdicts(r);
    assert.equal(v['add-addr'], 'skipped', 'ADD_ADDR echo and HMAC are v1');
    for (const name of ['mp-capable', 'data-dss', 'data-dss-csum', 'data-ack', 'data-fin', 'join', 'join-bad-token', 'join-bad-hmac', 'csum-missing', 'bad-csum-later', 'infinite-mapping', 'remove-addr', 'mp-prio', 'mp-fastclose']) {
      assert.equal(v[name], 'pass', `${name}: ${result(r, name).observed}`);
    }
    assert.match(result(r, 'join-bad-token').observed, /^a RST without MP_TCPRST to the SYN$/);
    assert.match(result(r, 'mp-capable').rfc, /^RFC 6824 §3\.1$/);
    const first = peer.received[0]!.tcp!.options.find((o) => o.type === 'mptcp');
    assert.ok(first?.type === 'mptcp' && first.mptcp.name === 'MP_CAPABLE' && first.mptcp.version === 0 && first.mptcp.length === 12, 'v0 SYN carries the key');
  });

  it('v0 against a v1-only peer: plain TCP, which RFC 8684 §3.1 allows; nothing else to test', async () => {
    const { r } = await run({ versions: [1] }, { version: 0 });
    const mpc = result(r, 'mp-capable');
    assert.equal(mpc.verdict, 'differs');
    assert.match(mpc.observed, /^plain TCP \(the SYN\/ACK carries no MP_CAPABLE\): the peer does not speak MPTCP v0, and RFC 8684 §3\.1 lets it answer so$/);
    for (const x of r.results.filter((s) => s.name !== 'mp-capable')) {
      assert.equal(x.verdict, 'skipped', x.name);
      assert.match(x.observed, x.name === 'add-addr' ? /^defined for MPTCP v1 only$/ : /^nothing to test: the peer answered as plain TCP/);
    }
  });

  it('a peer that never answers: a timeout verdict saying what was awaited, after the SYN was sent three times', async () => {
    const { r, peer } = await run({ silent: true }, { scenarios: ['mp-capable', 'join'] });
    for (const x of r.results) {
      assert.equal(x.verdict, 'timeout');
      assert.equal(x.observed, 'no answer: waited 300 ms for a SYN/ACK');
      assert.equal(x.frames.length, 3, 'the SYN and two retransmissions');
    }
    assert.equal(peer.received.length, 6);
    assert.ok(peer.received.every((p) => p.tcp!.flags === 0x002));
  });

  it('a malformed option in a reply becomes a finding of the scenario, and decoding goes on', async () => {
    const { r } = await run({ malformedSynAck: true }, { scenarios: ['mp-capable'] });
    const x = r.results[0]!;
    assert.equal(x.verdict, 'pass', x.observed);
    assert.equal(x.findings.length, 1);
    assert.deepEqual([x.findings[0]!.code, x.findings[0]!.layer, x.findings[0]!.frame], ['malformed', 'mptcp', 2]);
    assert.match(x.findings[0]!.message, /MP_CAPABLE length 5 is invalid/);
  });

  it('peers that break the rules fail: a wrong SYN/ACK HMAC, a forged ADD_ADDR, an echo of a forged one, a subflow after fallback', async () => {
    assert.match((await run({ badJoinHmac: true }, { scenarios: ['join'] })).r.results[0]!.observed, /^the MP_JOIN SYN\/ACK carries a wrong HMAC/);
    assert.equal((await run({ badJoinHmac: true }, { scenarios: ['join'] })).r.results[0]!.verdict, 'fail');
    const forged = (await run({ announce: { address: '10.9.0.7', badHmac: true } }, { scenarios: ['add-addr'] })).r.results[0]!;
    assert.equal(forged.verdict, 'fail');
    assert.match(forged.observed, /the peer's ADD_ADDR for 10\.9\.0\.7 \(id 1\) has a wrong HMAC/);
    assert.ok(forged.findings.some((f) => f.code === 'probe.add_addr.hmac'));
    const echoed = (await run({ echoForged: true }, { scenarios: ['add-addr'] })).r.results[0]!;
    assert.deepEqual([echoed.verdict, echoed.observed], ['fail', 'the peer echoed an ADD_ADDR whose HMAC is wrong (id 11)']);
    const after = (await run({ joinAfterFallback: true }, { scenarios: ['infinite-mapping'] })).r.results[0]!;
    assert.deepEqual([after.verdict, after.observed], ['fail', 'the peer accepted a new subflow after the fallback']);
  });

  it('a peer that refuses subflows: join differs (allowed), the scenarios that need a second subflow are skipped', async () => {
    const { r } = await run({ refuseJoins: true }, { scenarios: ['join', 'remove-addr', 'mp-prio', 'mp-fastclose'] });
    assert.deepEqual(verdicts(r), { join: 'differs', 'remove-addr': 'skipped', 'mp-prio': 'skipped', 'mp-fastclose': 'pass' });
    assert.match(result(r, 'remove-addr').observed, /^the peer accepts no second subflow \(a RST with MP_TCPRST reason 3 \(Administratively prohibited\)\): nothing to test$/);
    assert.match(result(r, 'mp-fastclose').observed, /a RST on the only subflow$/);
  });

  it('a peer without MPTCP at all: mp-capable differs, the rest skipped; exit-worthy verdicts none', async () => {
    const { r } = await run({ versions: [] }, { scenarios: ['mp-capable', 'data-dss'] });
    assert.deepEqual(verdicts(r), { 'mp-capable': 'differs', 'data-dss': 'skipped' });
  });

  it('the capture of a run decodes, numbered as the verdicts cite it, with the MPTCP options sent and received', async () => {
    const packets: RecordedPacket[] = [];
    const { r } = await run({}, { scenarios: ['mp-capable', 'join'], onPacket: (p) => packets.push(p) });
    assert.equal(packets.length, r.packets);
    assert.deepEqual(packets.map((p) => p.frame), packets.map((_, i) => i + 1));
    const file = craftedCapture(packets.map((p) => ({ data: p.data, time: p.time })), { format: 'pcapng' });
    const read: Frame[] = [];
    readCaptureBytes(file, (f) => {
      read.push({ ...f, data: f.data.slice() });
    });
    assert.equal(read.length, packets.length);
    const decoded = read.map((f) => decodePacket(f));
    assert.ok(decoded.every((p) => p.tcp && p.findings.length === 0));
    const subtypes = new Set<string>(decoded.flatMap((p) => p.tcp!.options.flatMap((o) => (o.type === 'mptcp' ? [o.mptcp.name] : []))));
    for (const name of ['MP_CAPABLE', 'DSS', 'MP_JOIN', 'MP_FASTCLOSE']) assert.ok(subtypes.has(name), `${name} in the capture`);
    const join = result(r, 'join');
    const joinFrames = join.frames.map((f) => decoded[f - 1]!);
    assert.ok(joinFrames.some((p) => p.tcp!.options.some((o) => o.type === 'mptcp' && o.mptcp.name === 'MP_JOIN' && o.mptcp.phase === 'synack')), 'the cited frames hold the SYN/ACK with MP_JOIN');
  });

  it('an abort stops the run after the scenario in progress, which is reported as interrupted', async () => {
    const abort = new AbortController();
    const { r, peer } = await run({ silent: true }, {
      signal: abort.signal, onScenarioStart: () => setTimeout(() => abort.abort(), 50),
    });
    assert.equal(r.interrupted, true);
    assert.equal(r.results.length, 1);
    assert.deepEqual([r.results[0]!.verdict, r.results[0]!.observed], ['error', 'interrupted before the scenario ended']);
    assert.equal(peer.closed, true);
  });

  it('a scenario written outside the registry runs like the built-in ones', async () => {
    const custom: Scenario = {
      name: 'two-chunks', title: 'two chunks of data', rfc: { 1: '8684 §3.3.2' }, versions: [1],
      expected: 'two DATA_ACKs',
      async run(ctx) {
        const c = await ctx.connect();
        const a = await sendAcked(ctx, c, 10, 'chunk one');
        const b = await sendAcked(ctx, c, 10, 'chunk two');
        return ctx.pass(`DATA_ACK ${c.relative(b.sent.end)}`, frames(a.sent, a.ack, b.sent, b.ack));
      },
    };
    const { r } = await run({}, { scenarios: [custom, 'mp-capable'] });
    assert.deepEqual(r.scenarios, ['two-chunks', 'mp-capable']);
    assert.deepEqual([r.results[0]!.verdict, r.results[0]!.observed, r.results[0]!.rfc], ['pass', 'DATA_ACK 21', 'RFC 8684 §3.3.2']);
  });

  it('the registry: unique names, every scenario says its RFC section, expectation and versions', () => {
    assert.equal(new Set(SCENARIOS.map((s) => s.name)).size, SCENARIOS.length);
    for (const s of SCENARIOS) {
      assert.match(s.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.ok(s.versions.length > 0);
      for (const v of s.versions) assert.match(s.rfc[v] ?? '', /^(8684|6824) §3\.\d/, `${s.name} v${v}`);
    }
    assert.deepEqual(scenariosNamed(['join', 'mp-capable']).map((s) => s.name), ['join', 'mp-capable']);
    assert.throws(() => scenariosNamed(['nope']), /no scenario 'nope'/);
  });
});

describe('probe endpoint details', () => {
  it('64-bit DSNs from their low 32 bits, nearest the expected value, across the wrap', () => {
    assert.equal(expandDsn(0x0000_0010n, 4, 0x1_ffff_fff0n), 0x2_0000_0010n);
    assert.equal(expandDsn(0xffff_fff0n, 4, 0x2_0000_0010n), 0x1_ffff_fff0n);
    assert.equal(expandDsn(0x1234n, 4, 0x5_0000_1000n), 0x5_0000_1234n);
    assert.equal(expandDsn(0xdead_beef_0000_0001n, 8, 5n), 0xdead_beef_0000_0001n);
  });

  it('packets for ports outside the run\'s block are neither recorded nor delivered', async () => {
    const peer = new SimMptcpPeer();
    const log = new PacketLog();
    const host = new ProbeHost(peer, { target: peer.target, port: 443, log, portBase: 40000, portCount: 16 });
    host.start();
    const c = new MptcpConnection(host, { version: 1 }, FAST);
    await c.connect();
    const before = log.packets.length;
    const { tcpSegment } = await import('../../src/probe/index.js');
    const stray = tcpSegment({ src: peer.target, dst: peer.source, sport: 443, dport: 50000, flags: 'A' });
    (peer as unknown as { deliver: (p: Uint8Array) => void }).deliver(stray);
    assert.equal(log.packets.length, before);
    c.abort();
    host.close();
    assert.deepEqual(host.ports, [40000, 40015]);
  });
});
