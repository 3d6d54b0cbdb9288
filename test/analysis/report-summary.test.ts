/**
 * `mpscope summary` computations on real bytes: the lab captures (numbers
 * checked against their MANIFEST and tshark), mptcpanalyzer's client_2
 * capture against its `mptcp_summary` transcript, and crafted traffic for
 * RTTs (Karn's rule, timestamps) and goodput.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CaptureAnalyzer, analyzeCaptureBytes, analyzeFrames } from '../../src/analysis/report/run.js';
import type { CaptureAnalysis } from '../../src/analysis/report/run.js';
import { summarize } from '../../src/analysis/report/summary.js';
import type { ConnectionSummary, DirectionSummary } from '../../src/analysis/report/summary.js';
import { formatJson, formatSummary } from '../../src/present/summary.js';
import { dssChecksum } from '../../src/mptcp/index.js';
import type { MptcpOption } from '../../src/wire/types.js';
import { readCaptureBytes, readCaptureStream } from '../../src/capture/index.js';
import type { Frame } from '../../src/capture/index.js';
import { Talk, Timeline } from './tcp-craft.js';
import { CraftedConnection } from '../helpers/mptcp-craft.js';
import { CORPUS, ROOT, SKIP_NO_SHARED, hasCommand } from '../helpers/shared.js';

const LAB = join(ROOT, 'test/fixtures/lab');
const lab = (name: string): CaptureAnalysis => analyzeCaptureBytes(readFileSync(join(LAB, `${name}.pcapng`)));
const only = (a: CaptureAnalysis): ConnectionSummary => {
  const r = summarize(a);
  assert.equal(r.connections.length, 1);
  return r.connections[0]!;
};
const newData = (d: DirectionSummary): number[] => d.subflows.map((s) => s.dataBytes);
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

test('two subflows: 200 kB each way delivered, split by the subflows that carried it first', () => {
  const c = only(lab('mptcp-v4-2subflows'));
  assert.equal(c.version, 1);
  assert.equal(c.state, 'closed');
  assert.deepEqual(c.subflows.map((s) => [s.stream, s.master, s.firstFrame, s.lastFrame]), [[0, true, 1, 485], [1, false, 6, 487]]);
  const [up, down] = c.directions;
  // The client sends 200,000 bytes then the DATA_FIN (DSN 200,001); the data ACK ends at 200,002.
  assert.equal(up.dataBytes, 200_000);
  assert.equal(up.measuredBy, 'data-ack');
  assert.ok(up.dataFin && up.dataFinAcked);
  assert.deepEqual(newData(up), [199_704, 296]);
  assert.deepEqual(newData(down), [166_328, 33_672]);
  assert.equal(down.dataBytes, 200_000);
  assert.equal(up.subflows[0]!.share, 199_704 / 200_000);
  assert.equal(up.notCaptured, 0);
  // No loss on this run: every payload byte is new data.
  assert.deepEqual(up.subflows.map((s) => s.bytes), [199_704, 296]);
  for (const s of [...up.subflows, ...down.subflows]) assert.equal(s.retransmissions.count, 0);
  // First data segment (frame 9) to the data ACK covering the last byte.
  assert.equal(up.start, 0.056216);
  assert.equal(up.duration, 0.001078);
  assert.equal(Math.round(up.goodputBitsPerSecond!), Math.round((200_000 * 8) / 0.001078));
  assert.equal(c.duration, 0.064691);
});

test('loss: retransmissions on the lossy path, reinjections on the other, new data still adds up to what was delivered', () => {
  const c = only(lab('mptcp-loss'));
  const [up, down] = c.directions;
  assert.equal(up.dataBytes, 200_000);
  assert.equal(down.dataBytes, 200_000);
  assert.deepEqual(newData(up), [70_000, 130_000]);
  assert.deepEqual(newData(down), [199_920, 80]);
  // tshark 4.0 flags 11 retransmissions in the file: 5 client → server and 6 server → client, all on tcp.stream 0.
  assert.deepEqual(up.subflows.map((s) => [s.retransmissions.count, s.retransmissions.bytes]), [[5, 5684], [0, 0]]);
  assert.deepEqual(down.subflows.map((s) => [s.retransmissions.count, s.retransmissions.bytes]), [[6, 8520], [0, 0]]);
  // Frames 382-388 on tcp.stream 1 resend data first sent on tcp.stream 0 (frames 177-183). tshark also lists
  // frame 584: a TCP retransmission on tcp.stream 0 of its own frame 187, which is not a reinjection.
  assert.deepEqual(up.subflows.map((s) => [s.reinjectionsSent.count, s.reinjectionsSent.bytes]), [[0, 0], [7, 8580]]);
  assert.deepEqual(up.subflows.map((s) => [s.reinjectedElsewhere.count, s.reinjectedElsewhere.bytes]), [[7, 8580], [0, 0]]);
  // Bytes sent count every copy: new data + retransmissions + reinjections.
  assert.equal(sum(up.subflows.map((s) => s.bytes)), 200_000 + 5684 + 8580 + 1420);
});

test('interleaved subflows each get their own new data (IPv6, three subflows)', () => {
  const c = only(lab('mptcp-v6'));
  const [up, down] = c.directions;
  assert.deepEqual(newData(up), [195_424, 4576, 0]);
  assert.deepEqual(newData(down), [166_504, 32_728, 768]);
  assert.equal(sum(newData(down)), down.dataBytes);
  assert.equal(c.client?.address, 'fd00:1::1');
});

test('a capture of one interface: delivered bytes include those of the subflow it does not show', () => {
  const c = only(lab('mptcp-v4-csum'));
  const [up, down] = c.directions;
  assert.equal(up.dataBytes, 200_000);
  assert.deepEqual(newData(up), [97_888, 36_656]);
  assert.equal(up.notCaptured, 200_000 - 97_888 - 36_656);
  assert.equal(down.notCaptured, 200_000 - sum(newData(down)));
  assert.equal(c.checksums, true);
});

test('fallback before any data: the TCP payload stands in for data-level bytes', () => {
  const c = only(lab('mptcp-fallback'));
  for (const d of c.directions) {
    assert.equal(d.measuredBy, 'tcp');
    assert.equal(d.dataBytes, 20_000);
    assert.deepEqual(newData(d), [20_000]);
  }
});

test('fastclose: data still in flight is sent but not delivered', () => {
  const c = only(lab('mptcp-backup-fastclose'));
  assert.equal(c.state, 'fastclosed');
  const [up] = c.directions;
  assert.equal(up.dataBytes, 116_000);
  assert.equal(up.dataFin, false);
  assert.deepEqual(newData(up), [116_000, 0, 0]);
  assert.deepEqual(up.subflows[0]!.retransmissions, { count: 1, bytes: 580 });
});

test('client_2 (mptcpanalyzer): connection 0 as its mptcp_summary transcript counts it', { skip: SKIP_NO_SHARED }, () => {
  const a = analyzeCaptureBytes(readFileSync(join(CORPUS, 'pymptcpanalyzer/client_2.pcap')));
  const r = summarize(a);
  // list_mptcp_connections: four connections of four subflows each.
  assert.deepEqual(r.connections.map((c) => c.subflows.map((s) => s.stream)), [[0, 1, 2, 6], [3, 4, 5, 7], [8, 9, 10, 11], [12, 13, 14, 15]]);
  const c0 = r.connections[0]!;
  // "mptcp stream 0 transferred 456.0 Bytes ... towards Server": tcpstream 0 154, 1 0, 2 302, 6 0.
  assert.equal(c0.directions[0].dataBytes, 456);
  assert.deepEqual(newData(c0.directions[0]), [154, 0, 302, 0]);
  // "... 308.0 Bytes ... towards Client": tcpstream 0 2, 1 0, 2 306, 6 0. (Its older `summary 0 Client`
  // says 309: it summed DSS mapping lengths, the DATA_FIN's one DSN included; mpscope never counts the DATA_FIN.)
  assert.equal(c0.directions[1].dataBytes, 308);
  assert.deepEqual(newData(c0.directions[1]), [2, 0, 306, 0]);
  // Durations differ by definition: mptcpanalyzer gives first to last packet of the direction (17.601526 s and
  // 16.561321 s); mpscope, first data segment to the data ACK covering the last byte.
  assert.equal(c0.directions[0].duration, 16.309330996);
  assert.equal(c0.directions[1].duration, 16.028588772);
  assert.deepEqual(r.connections.map((c) => sum(c.directions[0].subflows.map((s) => s.reinjectionsSent.count))), [0, 27, 2, 5]);
});

test('a connection whose handshake was not captured is named by its first subflow in the text (its sides stay unknown in JSON)', { skip: SKIP_NO_SHARED }, () => {
  const r = summarize(analyzeCaptureBytes(readFileSync(join(CORPUS, 'pymptcpanalyzer/server_2.pcap'))));
  const mid = r.connections[1]!;
  assert.deepEqual([mid.client, mid.server, mid.version], [undefined, undefined, undefined]);
  assert.match(formatSummary(r), /\nMPTCP connection 1 \(version unknown\): 11\.0\.0\.1:60453 → 11\.0\.0\.2:5201\n/);
});

test('client_2: reinjections agree with tshark 4.0 except where tshark counts a subflow resending its own data', {
  skip: SKIP_NO_SHARED || (hasCommand('tshark') ? false : 'tshark not installed'),
}, () => {
  const file = join(CORPUS, 'pymptcpanalyzer/client_2.pcap');
  const out = spawnSync('tshark', ['-r', file, '-o', 'mptcp.analyze_mappings:TRUE', '-o', 'mptcp.intersubflows_retransmission:TRUE',
    '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'mptcp.reinjection_of', '-e', 'tcp.analysis.retransmission'], { encoding: 'utf8' });
  const rows = out.stdout.trim().split('\n').map((l) => l.split('\t'));
  const stream = new Map(rows.map((r) => [Number(r[0]), Number(r[1])]));
  const expected: number[] = [];
  for (const [frame, s, of, retx] of rows) {
    if (!of) continue;
    // tshark calls a TCP retransmission of a subflow's own segment a reinjection when another subflow also
    // carried that data; mpscope counts it as a retransmission only.
    if (retx) continue;
    // Frames 2808 and 2810 resend on tcp.stream 13 data first sent there (frames 2407 and 2409), after it went
    // out on tcp.stream 15 too: a data-level retransmission on the same subflow, not a reinjection.
    if (of.split(',').every((o) => stream.get(Number(o)) === Number(s)) || frame === '2808' || frame === '2810') continue;
    expected.push(Number(frame));
  }
  const a = analyzeCaptureBytes(readFileSync(file));
  const total = a.extras.conns.reduce((n, c) => n + c.dirs[0].reinjections + c.dirs[1].reinjections, 0);
  assert.equal(total, expected.length);
  // The report keeps the first frames of each connection direction: all of them are tshark's.
  const ours = a.extras.conns.flatMap((c) => [...c.dirs[0].reinjectionFrames, ...c.dirs[1].reinjectionFrames]);
  assert.equal(ours.length, a.extras.conns.reduce((n, c) => n + Math.min(20, c.dirs[0].reinjections) + Math.min(20, c.dirs[1].reinjections), 0));
  for (const f of ours) assert.ok(expected.includes(f), `frame ${f} is no reinjection for tshark`);
});

const tsOpt = (val: number, ecr: number): string => `0101080a${val.toString(16).padStart(8, '0')}${ecr.toString(16).padStart(8, '0')}`;

test('RTT: ACK samples follow Karn\'s rule, timestamp samples pair each TSval with its first echo', () => {
  const tl = new Timeline();
  const t = new Talk(tl);
  t.a({ seq: 1000, f: 'S', opts: tsOpt(100, 0), dt: 0 });
  t.b({ seq: 5000, ack: 1001, f: 'SA', opts: tsOpt(500, 100), dt: 0.010 });
  t.a({ seq: 1001, ack: 5001, opts: tsOpt(101, 500), dt: 0.001 });
  t.a({ seq: 1001, ack: 5001, len: 100, opts: tsOpt(102, 500), dt: 0.001 });
  t.b({ seq: 5001, ack: 1101, opts: tsOpt(520, 102), dt: 0.020 });
  // Sent twice: the ACK that follows cannot tell which copy it answers, so it gives no ACK sample.
  t.a({ seq: 1101, ack: 5001, len: 100, opts: tsOpt(130, 520), dt: 0.001 });
  t.a({ seq: 1101, ack: 5001, len: 100, opts: tsOpt(330, 520), dt: 0.200 });
  t.b({ seq: 5001, ack: 1201, opts: tsOpt(740, 330), dt: 0.030 });
  t.a({ seq: 1201, ack: 5001, len: 100, opts: tsOpt(340, 520), dt: 0.001 });
  t.b({ seq: 5001, ack: 1301, opts: tsOpt(760, 340), dt: 0.040 });
  const r = summarize(analyzeFrames(tl.frames), { tcp: true });
  assert.equal(r.connections.length, 0);
  const [ab, ba] = r.tcp![0]!.directions;
  assert.deepEqual(ab.retransmissions, { count: 1, bytes: 100 });
  // SYN 10 ms, first data 20 ms, third data 40 ms; the retransmitted range gives none (231 ms or 30 ms otherwise).
  assert.deepEqual([ab.rtt.ack!.count, ab.rtt.ack!.min, ab.rtt.ack!.median, ab.rtt.ack!.max], [3, 0.01, 0.02, 0.04]);
  // TSval 100 → 10 ms, 102 → 20 ms, 330 → 30 ms, 340 → 40 ms; 101 and 130 are overtaken by newer echoes.
  assert.deepEqual([ab.rtt.ts!.count, ab.rtt.ts!.min, ab.rtt.ts!.median, ab.rtt.ts!.p95, ab.rtt.ts!.mean], [4, 0.01, 0.02, 0.04, 0.025]);
  assert.deepEqual([ba.rtt.ack!.count, ba.rtt.ack!.median, ba.rtt.ts!.count, ba.rtt.ts!.median], [1, 0.001, 2, 0.001]);
});

test('crafted v1 connection: delivered bytes, goodput and shares from the DSS mappings and data ACKs', () => {
  const c = new CraftedConnection({ version: 1, clientKey: 0x1111222233334444n, serverKey: 0x5555666677778888n });
  const m = c.master({ ip: '10.0.0.1', port: 40000 }, { ip: '10.0.0.2', port: 80 }).handshake();
  const j = c.join({ ip: '10.0.1.1', port: 40001 }, { ip: '10.0.0.2', port: 80 }).joinHandshake();
  m.data('a', 1000, { dt: 0.1 });
  j.data('a', 3000);
  m.data('a', 1000);
  // DSNs 1-2000 and 3001-5000 wait for 2001-3000 on the join: the data ACK covers all 5000 bytes 50 ms later.
  m.ack('b', { dt: 0.05 });
  const r = summarize(analyzeCaptureBytes(c.pcap()));
  const d = r.connections[0]!.directions[0];
  assert.equal(d.dataBytes, 5000);
  assert.deepEqual(newData(d), [2000, 3000]);
  assert.deepEqual(d.subflows.map((s) => s.share), [0.4, 0.6]);
  assert.equal(d.duration, 0.052);
  assert.equal(d.goodputBitsPerSecond, (5000 * 8) / 0.052);
  assert.equal(r.connections[0]!.directions[1].measuredBy, 'none');
  const text = formatSummary(r);
  assert.match(text, /client → server: 5,000 bytes delivered \(data ACKed\), in 52 ms, goodput 769 kbit\/s/);
  assert.match(text, /server → client: no data/);
});

/** A mapping with a DSS checksum whose second half arrives first: its payload waits, copied aside, for the first. */
function parkedChecksumCapture(): Uint8Array {
  const c = new CraftedConnection({ version: 1, clientKey: 0x0123456789abcdefn, serverKey: 0x0fedcba987654321n, checksums: true });
  const m = c.master({ ip: '10.0.0.1', port: 40000 }, { ip: '10.0.0.2', port: 80 }).handshake();
  const [up, down] = c.dirs;
  const dss: MptcpOption = {
    name: 'DSS', subtype: 2, length: 28, flags: 0x0f, dataFin: false, dataAck: down.raw(1), dataAckWidth: 8, infiniteMapping: false,
    dsn: up.raw(1), dsnWidth: 8, ssn: 1, dataLength: 1000, checksum: dssChecksum(up.raw(1), 1, 1000, new Uint8Array(1000).fill(0x78)),
  };
  // The client's first byte has sequence number 1001 (ISN 1000).
  m.send('a', { seq: 1501, len: 500, mptcp: [dss] });
  m.ack('b').ack('b').ack('b');
  // Timestamps move this segment's payload: a view kept of the first half's bytes would now see header bytes.
  m.send('a', { seq: 1001, len: 500, mptcp: [dss], opts: '0101080a0000000100000002' });
  return c.pcap();
}

test('the pass over reused frames, one reused packet and overwritten read chunks gives what separate frames give', { skip: SKIP_NO_SHARED }, async () => {
  const captures: Array<[string, Uint8Array]> = [
    ...['mptcp-v4-2subflows', 'mptcp-v4-csum', 'mptcp-loss', 'mptcp-v6', 'mptcp-backup-fastclose', 'mptcp-fallback']
      .map((n): [string, Uint8Array] => [n, readFileSync(join(LAB, `${n}.pcapng`))]),
    ['client_2', readFileSync(join(CORPUS, 'pymptcpanalyzer/client_2.pcap'))],
    ['mptcp-v1', readFileSync(join(CORPUS, 'tcpdump/mptcp-v1.pcap'))],
    ['parked checksum payload', parkedChecksumCapture()],
  ];
  for (const [name, bytes] of captures) {
    // Each frame with bytes of its own, kept until the end.
    const frames: Frame[] = [];
    readCaptureBytes(bytes, (f) => { frames.push({ ...f, data: f.data.slice() }); });
    const separate = analyzeFrames(frames);
    // The capture read through one small buffer refilled for every chunk: whatever kept a view of packet bytes would see them change.
    const streamed = new CaptureAnalyzer();
    const buf = new Uint8Array(700);
    const chunks = async function* (): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < bytes.length; at += buf.length) {
        const n = Math.min(buf.length, bytes.length - at);
        buf.set(bytes.subarray(at, at + n));
        yield buf.subarray(0, n);
      }
    };
    await readCaptureStream(chunks(), (f) => { streamed.frame(f); }, { reuseFrames: true });
    for (const reused of [analyzeCaptureBytes(bytes), streamed.finish()]) {
      assert.equal(formatJson(summarize(reused, { tcp: true })), formatJson(summarize(separate, { tcp: true })), name);
      assert.equal(formatJson(reused.connections), formatJson(separate.connections), name);
    }
    if (name === 'parked checksum payload') assert.equal(separate.connections[0]!.dssChecksums.good, 1);
  }
});
