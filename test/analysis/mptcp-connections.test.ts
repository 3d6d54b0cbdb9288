/**
 * The connection model on real captures: subflows mapped to connections,
 * data-level bytes, handshake checks, events and findings. The
 * mptcpanalyzer captures are checked against its transcripts (connections,
 * subflows, byte counts, reinjections); the lab captures against what their
 * MANIFEST says they show.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { MptcpConnection, MptcpSubflow } from '../../src/analysis/mptcp/index.js';
import { TcpAnalysisFlag } from '../../src/analysis/types.js';
import { CORPUS, ROOT, SKIP_NO_SHARED } from '../helpers/shared.js';
import { analyze } from './mptcp-support.js';
import type { Analysis } from './mptcp-support.js';

const LAB = join(ROOT, 'test/fixtures/lab');
const PYMPTCP = join(CORPUS, 'pymptcpanalyzer');

const endpoint = (s: MptcpSubflow): string => `${s.src.address}:${s.src.port} -> ${s.dst.address}:${s.dst.port}`;
const kinds = (c: MptcpConnection, kind: string): number[] => c.events.filter((e) => e.kind === kind).map((e) => e.frame);
/** Data-level bytes a direction carried: the DSN range sent (DSNs count from 1). */
const dataBytes = (c: MptcpConnection, dir: 0 | 1): number => (c.dirs[dir].endDsn ?? 1) - 1;

function subflow(c: MptcpConnection, stream: number): MptcpSubflow {
  const s = c.subflows.find((x) => x.stream === stream);
  assert.ok(s, `connection ${c.index} has no subflow on tcp.stream ${stream}`);
  return s;
}

function only(a: Analysis): MptcpConnection {
  const conns = a.tracker.connections();
  assert.equal(conns.length, 1);
  return conns[0]!;
}

describe('mptcpanalyzer transcripts (client_2.pcap)', { skip: SKIP_NO_SHARED }, () => {
  const transcript = SKIP_NO_SHARED ? '' : readFileSync(join(PYMPTCP, 'reference/trans_mptcp.txt'), 'utf8');
  const a = SKIP_NO_SHARED ? undefined : analyze(join(PYMPTCP, 'client_2.pcap'));

  it('has the same connections, subflows and endpoints', () => {
    const listing = transcript.slice(transcript.indexOf('list_mptcp_connections'), transcript.indexOf('> list_subflows 0'));
    const expected = new Map<number, string[]>();
    let current = -1;
    for (const line of listing.split('\n')) {
      const head = /^mptcp\.stream (\d+) has/.exec(line);
      if (head) expected.set((current = Number(head[1])), []);
      const sf = /tcp\.stream (\d+): ([\d.]+):(\d+) -> ([\d.]+):(\d+)/.exec(line);
      if (sf) expected.get(current)!.push(`${sf[1]} ${sf[2]}:${Number(sf[3])} -> ${sf[4]}:${Number(sf[5])}`);
    }
    assert.equal(expected.size, 4);
    const ours = new Map(a!.tracker.connections().map((c) => [c.index, c.subflows.map((s) => `${s.stream} ${endpoint(s)}`).sort()]));
    assert.deepEqual(ours, new Map([...expected].map(([k, v]) => [k, v.sort()])));
  });

  it('counts the same data-level bytes per direction and per subflow (mptcp_summary 0)', () => {
    const c = a!.tracker.connections()[0]!;
    const summary = transcript.slice(transcript.indexOf('> mptcp_summary 0'), transcript.indexOf('> list_reinjections'));
    for (const [towards, dir] of [['Client', 1], ['Server', 0]] as const) {
      const block = summary.slice(summary.indexOf(`towards ${towards}`) - 80);
      const total = Number(/transferred ([\d.]+) Bytes over [\d.]+ sec\([\d.]+ Bytes per second\) towards/.exec(block)![1]);
      assert.equal(dataBytes(c, dir), total, `towards ${towards}`);
      for (const m of block.slice(block.indexOf(`towards ${towards}`)).matchAll(/tcpstream (\d+) transferred ([\d.]+) Bytes out of/g)) {
        if (m.index! > 400) break;
        assert.equal(subflow(c, Number(m[1])).stats[dir].dataBytes, Number(m[2]), `tcp.stream ${m[1]} towards ${towards}`);
      }
    }
  });

  it('finds the same reinjections, except TCP retransmissions on the data\'s own subflow', () => {
    // packetid counts TCP packets only (corpus README).
    const frameOf: number[] = [];
    for (const p of a!.packets) if (p.tcp) frameOf.push(p.number);
    let matched = 0;
    let retransmissions = 0;
    for (const m of transcript.matchAll(/packetid=(\d+) \(tcp\.stream \d+\) is a reinjection of \d+ packet\(s\):\n((?:- packet \d+ \(tcp\.stream \d+\)\n)+)/g)) {
      const frame = frameOf[Number(m[1]) - 1]!;
      const originals = [...m[2]!.matchAll(/- packet (\d+)/g)].map((x) => frameOf[Number(x[1]) - 1]!);
      const ours = a!.mptcp[frame - 1]?.reinjectionOf;
      const tcpFlags = a!.tcp[frame - 1]?.flags ?? 0;
      const resent = TcpAnalysisFlag.RETRANSMISSION | TcpAnalysisFlag.FAST_RETRANSMISSION | TcpAnalysisFlag.SPURIOUS_RETRANSMISSION | TcpAnalysisFlag.OUT_OF_ORDER;
      if (ours === undefined && (tcpFlags & resent)) {
        retransmissions++;
        continue;
      }
      assert.deepEqual(ours, originals, `frame ${frame}`);
      matched++;
    }
    assert.equal(matched, 31);
    assert.equal(retransmissions, 10);
    // Four more that tshark marks too (mptcp-tshark.test.ts agrees with it there) and mptcpanalyzer leaves out.
    const listed = new Set([...transcript.matchAll(/packetid=(\d+)/g)].map((m) => frameOf[Number(m[1]) - 1]));
    const extra = a!.mptcp.flatMap((m, i) => (m?.reinjectionOf !== undefined && !listed.has(i + 1) ? [i + 1] : []));
    assert.deepEqual(extra, [2253, 2257, 2778, 2779]);
  });

  it('closes connections 0 and 2 with DATA_FIN both ways, 1 and 3 with MP_FASTCLOSE', () => {
    const conns = a!.tracker.connections();
    assert.deepEqual(conns.map((c) => c.state), ['closed', 'fastclosed', 'closed', 'fastclosed']);
    for (const c of conns) {
      assert.equal(c.version, 0);
      assert.equal(c.keyEcho, 'good');
      assert.ok(c.verifications.every((v) => v.status === 'good'), `connection ${c.index}: ${JSON.stringify(c.verifications)}`);
    }
  });
});

describe('both ends of one run (client_2.pcap, server_2.pcap)', { skip: SKIP_NO_SHARED }, () => {
  it('agree on each connection\'s data-level bytes', () => {
    const byPort = (a: Analysis): Map<number, [number, number]> => new Map(a.tracker.connections()
      .filter((c) => c.client !== undefined)
      .map((c) => [c.client!.port, [dataBytes(c, 0), dataBytes(c, 1)]]));
    const client = byPort(analyze(join(PYMPTCP, 'client_2.pcap')));
    const server = byPort(analyze(join(PYMPTCP, 'server_2.pcap')));
    assert.equal(client.size, 4);
    assert.deepEqual(server, client);
  });
});

describe('corpus MPTCP captures', { skip: SKIP_NO_SHARED }, () => {
  const file = (name: string): Analysis => analyze(join(CORPUS, name));

  it('mptcp-v0: a v0 connection with checksums, a join, REMOVE_ADDR and DATA_FIN both ways', () => {
    const c = only(file('tcpdump/mptcp-v0.pcap'));
    assert.equal(c.version, 0);
    assert.equal(c.checksums, true);
    assert.deepEqual(c.subflows.map((s) => [s.stream, s.master, s.initiatorAddrId, s.listenerAddrId]), [[0, true, undefined, undefined], [1, false, 0, 1]]);
    assert.equal(subflow(c, 1).synAckHmac, 'good');
    assert.equal(subflow(c, 1).ackHmac, 'good');
    assert.deepEqual(c.dssChecksums, { good: 153, bad: 0, unchecked: 0, badFrames: [], uncheckedFrames: [] });
    assert.deepEqual(c.addresses.map((x) => [x.frame, x.address, x.joinAttempts]), [[4, '10.1.2.2', [8]]]);
    assert.deepEqual(kinds(c, 'remove_addr'), [210]);
    assert.equal(c.state, 'closed');
    assert.equal(c.ending, 'DATA_FIN both ways');
    assert.deepEqual([dataBytes(c, 0), dataBytes(c, 1)], [5121, 8561]);
  });

  it('mptcp-v1 and ptcpdump: v1 data in the MP_CAPABLE (implicit mapping at IDSN + 1)', () => {
    for (const [name, frame, bytes] of [['tcpdump/mptcp-v1.pcap', 4, 10268], ['ptcpdump/mptcp.pcap', 4, 9], ['ptcpdump/tfo.pcap', 4, 4308]] as const) {
      const a = file(name);
      const c = only(a);
      assert.equal(c.version, 1, name);
      assert.equal(c.keyEcho, 'good', name);
      assert.equal(a.mptcp[frame - 1]?.dsn, 1, name);
      assert.equal(a.mptcp[frame - 1]?.relatedMapping, frame, name);
      assert.equal(dataBytes(c, 0), bytes, name);
    }
  });

  it('mptcp-fclose: MP_FASTCLOSE with the receiver\'s key, checksums good', () => {
    const a = file('tcpdump/mptcp-fclose.pcap');
    const c = only(a);
    assert.equal(c.state, 'fastclosed');
    assert.equal(a.mptcp[9]?.fastcloseKey, 'good');
    assert.equal(c.dssChecksums.good, 2);
  });

  it('mptcp-aa-v1: an ADD_ADDR HMAC from Linux before May 2020 (leftmost 64 bits)', () => {
    const a = file('tcpdump/mptcp-aa-v1.pcap');
    const c = only(a);
    assert.equal(a.mptcp[12]?.addAddrHmac, 'bad');
    assert.deepEqual(c.findings.map((f) => f.code), ['mptcp.add_addr.hmac_leftmost']);
  });

  it('mptcp-tcprst and mptcp-aa-echo: mid-stream packets make connections without keys', () => {
    const rst = only(file('tcpdump/mptcp-tcprst.pcap'));
    assert.equal(rst.origin, 'midstream');
    assert.deepEqual(rst.events.filter((e) => e.kind === 'tcprst').map((e) => e.reasonName), ['Unspecified error', 'MPTCP-specific error']);
    assert.equal(rst.state, 'reset');
    const echo = file('tcpdump/mptcp-aa-echo.pcap');
    assert.equal(echo.tracker.connections().length, 2);
    assert.equal(echo.mptcp[0]?.addAddrHmac, 'unknown');
    assert.equal(echo.mptcp[1]?.addAddrEchoOf, undefined);
  });

  it('iperf-mptcp-0-0: every DSS checksum good, two joins never answered', () => {
    const c = only(file('pymptcpanalyzer/iperf-mptcp-0-0.pcap'));
    assert.deepEqual([c.dssChecksums.good, c.dssChecksums.bad, c.dssChecksums.unchecked], [1659, 0, 0]);
    assert.deepEqual(c.subflows.map((s) => s.state), ['closed', 'syn-sent', 'closed', 'syn-sent']);
    assert.equal(dataBytes(c, 0), 2359320);
  });

  it('client_1_tcp_only: plain TCP has no MPTCP connection', () => {
    const a = file('pymptcpanalyzer/client_1_tcp_only.pcap');
    assert.equal(a.tracker.connections().length, 0);
    assert.ok(a.mptcp.every((m) => m === undefined));
  });
});

describe('lab captures', () => {
  const lab = (name: string): Analysis => analyze(join(LAB, name));
  const goodHandshake = (c: MptcpConnection): void => {
    assert.equal(c.version, 1);
    assert.equal(c.keyEcho, 'good');
    assert.ok(c.verifications.every((v) => v.status === 'good'), JSON.stringify(c.verifications.filter((v) => v.status !== 'good')));
  };

  it('mptcp-v4-2subflows: ADD_ADDR with HMAC and echo, a join with good HMACs, 200 KB each way, DATA_FIN both ways', () => {
    const a = lab('mptcp-v4-2subflows.pcapng');
    const c = only(a);
    goodHandshake(c);
    assert.deepEqual(c.addresses.map((x) => [x.frame, x.addrId, x.address, x.hmac, x.echoFrame]), [[4, 4, '10.0.4.1', 'good', 5]]);
    const join1 = subflow(c, 1);
    assert.deepEqual([join1.synFrame, join1.synAckFrame, join1.ackFrame, join1.synAckHmac, join1.ackHmac, join1.initiatorAddrId, join1.backup], [6, 7, 8, 'good', 'good', 2, false]);
    assert.deepEqual([dataBytes(c, 0), dataBytes(c, 1)], [200000, 200000]);
    assert.equal(c.subflows.reduce((n, s) => n + s.stats[0].dataBytes, 0), 200000);
    assert.equal(c.state, 'closed');
    assert.ok(c.dirs.every((d) => d.dataFin?.ackFrame !== undefined));
  });

  it('mptcp-v4-csum: checksums negotiated and every complete mapping verifies', () => {
    const c = only(lab('mptcp-v4-csum.pcapng'));
    goodHandshake(c);
    assert.equal(c.checksums, true);
    assert.ok(c.dssChecksums.good > 10, `${c.dssChecksums.good} good`);
    assert.equal(c.dssChecksums.bad, 0);
    assert.deepEqual(c.addresses[0]?.joinAttempts, [6]);
  });

  it('mptcp-fallback: SYN/ACK without MP_CAPABLE, then plain TCP', () => {
    const a = lab('mptcp-fallback.pcapng');
    const c = only(a);
    assert.deepEqual(c.fallback, { cause: 'synack-without-mp-capable', frame: 2, stream: 0 });
    assert.equal(c.state, 'fallback');
    assert.equal(a.mptcp[1]?.fallback, 'synack-without-mp-capable');
    assert.deepEqual(c.findings.map((f) => [f.code, f.frames]), [['mptcp.fallback', [2]]]);
    assert.ok(a.mptcp.slice(3).every((m) => m?.dsn === undefined), 'fallen-back data gets no DSN');
  });

  it('mptcp-v6: IPv6 subflows, one to the announced address, one from the second client address', () => {
    const c = only(lab('mptcp-v6.pcapng'));
    goodHandshake(c);
    assert.deepEqual(c.subflows.map(endpoint).map((e) => e.replace(/:\d+ ->/, ' ->')), [
      'fd00:1::1 -> fd00:3::1:5201', 'fd00:1::1 -> fd00:4::1:5201', 'fd00:2::1 -> fd00:3::1:5201',
    ]);
    assert.deepEqual(c.addresses.map((x) => [x.address, x.hmac, x.echoFrame, x.joinAttempts]), [['fd00:4::1', 'good', 5, [6]]]);
    assert.deepEqual([dataBytes(c, 0), dataBytes(c, 1)], [200000, 200000]);
  });

  it('mptcp-loss: reinjections counted on both subflows', () => {
    const a = lab('mptcp-loss.pcapng');
    const c = only(a);
    const [first, second] = c.subflows;
    assert.equal(second!.stats[0].reinjections, 7);
    assert.equal(first!.stats[0].reinjectedElsewhere, 7);
    assert.deepEqual(a.mptcp[382]?.reinjectionOf, [178]);
    assert.deepEqual(a.mptcp[177]?.reinjectedIn, [383]);
    assert.deepEqual([dataBytes(c, 0), dataBytes(c, 1)], [200000, 200000]);
  });

  it('mptcp-backup-fastclose: backup join, MP_PRIO, REMOVE_ADDR, MP_FASTCLOSE with MP_TCPRST', () => {
    const a = lab('mptcp-backup-fastclose.pcapng');
    const c = only(a);
    goodHandshake(c);
    const backup = c.subflows.find((s) => s.synFrame === 10)!;
    assert.equal(backup.src.address, '10.0.2.1');
    assert.deepEqual(c.events.filter((e) => e.kind === 'mp_prio').map((e) => [e.frame, e.backup]), [[94, false]]);
    assert.equal(backup.backup, false, 'MP_PRIO cleared the backup flag');
    assert.deepEqual(kinds(c, 'remove_addr'), [185]);
    assert.equal(c.addresses[0]?.removedFrame, 185);
    assert.deepEqual(kinds(c, 'fastclose'), [372, 373]);
    assert.deepEqual(c.events.filter((e) => e.kind === 'tcprst').map((e) => [e.frame, e.reason]), [[372, 0], [373, 0]]);
    assert.equal(a.mptcp[371]?.fastcloseKey, 'good');
    assert.equal(c.state, 'fastclosed');
  });
});
