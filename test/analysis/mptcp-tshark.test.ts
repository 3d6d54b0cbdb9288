/**
 * MPTCP analysis fields against tshark 4.0 (mappings and cross-subflow
 * retransmission analysis on, relative DSNs), field by field on every MPTCP
 * capture of the corpus, every lab capture and the crafted hard cases. Every
 * difference must have one of the reasons below, each a place where tshark
 * is wrong or knows less; anything else fails the test.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { MptcpAnnotation, MptcpConnection } from '../../src/analysis/mptcp/index.js';
import type { MptcpDss, Packet } from '../../src/wire/types.js';
import { TcpFlag } from '../../src/wire/types.js';
import { CORPUS, ROOT, SKIP_NO_SHARED, hasCommand } from '../helpers/shared.js';
import * as scenarios from './mptcp-scenarios.js';
import { analyze, compareFields, tsharkFields } from './mptcp-support.js';
import type { Analysis, FieldDiff } from './mptcp-support.js';

const SKIP_NO_TSHARK = hasCommand('tshark') ? false : 'tshark is not installed';

export const COMPARED = [
  'mptcp.stream', 'mptcp.analysis.subflows', 'mptcp.master', 'mptcp.dsn', 'mptcp.rawdsn64', 'mptcp.dss.dsn', 'mptcp.ack',
  'mptcp.related_mapping', 'mptcp.reinjection_of',
];

/** Where mpscope and tshark differ, and why tshark is the one that is wrong or knows less. */
export const REASONS = {
  noOption: 'packet without an MPTCP option on an MPTCP subflow (plain RST, last ACK, fallen-back data): tshark attaches MPTCP analysis only to packets carrying an option, mpscope keeps every packet of the subflow in its connection',
  v1Syn: 'v1 MP_CAPABLE SYN: it carries no key, and tshark opens the connection only at the first key (the SYN/ACK); mpscope opens it at the SYN',
  numbering: 'mptcp.stream: tshark numbers connections in the order their first key appears and opens none for an MP_CAPABLE SYN answered without MP_CAPABLE; mpscope numbers them by their first MPTCP packet',
  midstream: 'subflow whose handshake was not captured: tshark lists only subflows whose handshake it saw in mptcp.analysis.subflows',
  zeroLength: 'segment without payload: tshark gives it the DSN its sequence number would map to (even through another subflow\'s or no mapping: see mptcp-v0 frame 12); it carries no data, so mpscope gives it no DSN',
  noKeys: 'keys not captured: tshark shows raw DSNs and data ACKs and maps no DSN; mpscope counts them from the first DSN seen (relative 1), as the issue asks',
  tcpRetransmission: 'TCP retransmission on the subflow that first carried the data: tshark calls it a reinjection of the copy another subflow sent meanwhile; it is the subflow resending its own bytes, not a reinjection',
  carry: 'a 32-bit DSN or data ACK past 2^32 from the base: tshark ORs the base\'s high half in instead of carrying into it',
  ackWidth: 'a 32-bit DSN with a 64-bit data ACK: tshark takes the DSN width from the data ACK flag and reads the 32-bit DSN as a full 64-bit one',
  afterReset: 'segments whose DSS mapping was announced after the peer\'s RSTs on the subflow: tshark stops mapping them (server_2.pcap stream 14)',
  infinite: 'data after an infinite mapping: tshark maps none of it; mpscope maps it from the infinite mapping',
} as const;

type Reason = keyof typeof REASONS;

function hasMptcpOption(p: Packet): boolean {
  return p.tcp?.options.some((o) => o.type === 'mptcp') ?? false;
}

function dssOf(p: Packet | undefined): MptcpDss | undefined {
  for (const o of p?.tcp?.options ?? []) if (o.type === 'mptcp' && o.mptcp.name === 'DSS') return o.mptcp;
  return undefined;
}

/** The frame where tshark creates its MPTCP analysis of a connection (its first key), or undefined when it never does. */
function tsharkOpening(c: MptcpConnection): number | undefined {
  const master = c.subflows.find((s) => s.master);
  if (master === undefined || c.origin === 'ack') return c.firstFrame;
  if (c.version === 0) return master.synFrame ?? master.synAckFrame ?? c.firstFrame;
  return c.keys[1] !== undefined ? (master.synAckFrame ?? master.ackFrame) : undefined;
}

function tsharkNumbering(a: Analysis): Map<number, number> {
  const opened = a.tracker.connections()
    .map((c) => ({ index: c.index, at: tsharkOpening(c) }))
    .filter((x): x is { index: number; at: number } => x.at !== undefined)
    .sort((x, y) => x.at - y.at);
  return new Map(opened.map((x, i) => [x.index, i]));
}

function crossesHigh(base: bigint | undefined, rel: number | undefined): boolean {
  if (base === undefined || rel === undefined) return false;
  return BigInt.asUintN(64, base + BigInt(rel)) >> 32n !== base >> 32n;
}

/** Per packet: whether it starts below the highest sequence number its subflow direction had sent (a TCP retransmission). */
function tcpRetransmissions(a: Analysis): boolean[] {
  const high = new Map<string, number>();
  return a.packets.map((p, i) => {
    const t = a.tcp[i];
    if (t === undefined || p.tcp === undefined || p.tcp.payloadLength === 0) return false;
    const key = `${t.stream}/${t.dir}`;
    const h = high.get(key);
    const end = (p.tcp.seq + p.tcp.payloadLength) >>> 0;
    const retrans = h !== undefined && ((p.tcp.seq - h) | 0) < 0;
    if (h === undefined || ((end - h) | 0) > 0) high.set(key, end);
    return retrans;
  });
}

function excuser(a: Analysis, theirs: string[][]): (d: FieldDiff, i: number) => Reason | undefined {
  const numbering = tsharkNumbering(a);
  const retrans = tcpRetransmissions(a);
  const resetStreams = new Set<number>();
  const afterReset = a.packets.map((p, i) => {
    const stream = a.tcp[i]?.stream;
    const before = stream !== undefined && resetStreams.has(stream);
    if (stream !== undefined && p.tcp && p.tcp.flags & TcpFlag.RST) resetStreams.add(stream);
    return before;
  });
  const DSN_FIELDS = new Set(['mptcp.dsn', 'mptcp.rawdsn64', 'mptcp.related_mapping']);
  return (d, i) => {
    const p = a.packets[i]!;
    const ann: MptcpAnnotation | undefined = a.mptcp[i];
    if (ann === undefined) return undefined;
    const c = ann.connection;
    const tsharkHasAnalysis = theirs[i]![0] !== '';
    if (!hasMptcpOption(p)) return d.tshark === '' ? 'noOption' : undefined;
    const synOnly = (p.tcp!.flags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN;
    if (!tsharkHasAnalysis && ann.subflow.master && synOnly && c.version === 1 && d.tshark === '') return 'v1Syn';
    if (d.field === 'mptcp.stream' && numbering.get(c.index) === Number(d.tshark)) return 'numbering';
    if (d.field === 'mptcp.analysis.subflows' && d.tshark === '' && ann.subflow.synFrame === undefined && ann.subflow.synAckFrame === undefined) return 'midstream';
    if ((d.field === 'mptcp.dsn' || d.field === 'mptcp.rawdsn64') && d.ours === '' && p.tcp!.payloadLength === 0) return 'zeroLength';
    if (c.keys[0] === undefined && c.keys[1] === undefined && c.dirs.some((x) => x.base === 'first-seen')) {
      if (d.field === 'mptcp.ack' || d.field === 'mptcp.dss.dsn' || DSN_FIELDS.has(d.field)) return 'noKeys';
    }
    if (d.field === 'mptcp.reinjection_of' && d.ours === '' && retrans[i]) return 'tcpRetransmission';
    const peer = ann.dir === 0 ? 1 : 0;
    if ((d.field === 'mptcp.dsn' || d.field === 'mptcp.rawdsn64') && crossesHigh(c.dirs[ann.dir].baseDsn, ann.dsn)) return 'carry';
    if (d.field === 'mptcp.dss.dsn' && crossesHigh(c.dirs[ann.dir].baseDsn, ann.dssDsn)) return 'carry';
    if (d.field === 'mptcp.ack' && crossesHigh(c.dirs[peer].baseDsn, ann.dataAck)) return 'carry';
    const announcing = dssOf(ann.relatedMapping === undefined ? p : a.packets[ann.relatedMapping - 1]);
    if ((d.field === 'mptcp.dss.dsn' || d.field === 'mptcp.dsn' || d.field === 'mptcp.rawdsn64')
      && announcing?.dsnWidth === 4 && announcing.dataAckWidth === 8) return 'ackWidth';
    const mappingFrame = ann.relatedMapping;
    if (DSN_FIELDS.has(d.field) && d.tshark === '' && mappingFrame !== undefined && afterReset[mappingFrame - 1]) return 'afterReset';
    if (DSN_FIELDS.has(d.field) && d.tshark === '' && c.fallback?.cause === 'infinite-mapping' && p.number >= c.fallback.frame) return 'infinite';
    return undefined;
  };
}

interface Outcome {
  reasons: Map<Reason, number>;
  values: number;
}

function compareWithTshark(path: string, a: Analysis): Outcome {
  const theirs = tsharkFields(path, COMPARED);
  const r = compareFields(a, theirs, COMPARED, excuser(a, theirs));
  const shown = r.mismatches.slice(0, 15).map((m) => `frame ${m.frame} ${m.field}: tshark=${JSON.stringify(m.tshark)} mpscope=${JSON.stringify(m.ours)}`);
  assert.equal(r.mismatches.length, 0, `${r.mismatches.length} of ${r.values} values differ from tshark without a known reason:\n${shown.join('\n')}`);
  return { reasons: r.reasons as Map<Reason, number>, values: r.values };
}

/** mptcp.reinjected_in is exactly the reverse of mptcp.reinjection_of. */
function assertReinjectionLinks(a: Analysis): number {
  const forward = new Set<string>();
  const backward = new Set<string>();
  a.mptcp.forEach((m, i) => {
    for (const f of m?.reinjectionOf ?? []) forward.add(`${f}->${i + 1}`);
    for (const f of m?.reinjectedIn ?? []) backward.add(`${i + 1}->${f}`);
  });
  assert.deepEqual([...backward].sort(), [...forward].sort());
  return forward.size;
}

function report(t: { diagnostic(s: string): void }, name: string, o: Outcome, links: number): void {
  const why = [...o.reasons].map(([k, n]) => `${k} ${n}`).join(', ');
  t.diagnostic(`${name}: ${o.values} values compared, ${links} reinjection links; differences: ${why || 'none'}`);
}

const CORPUS_FILES = [
  'tcpdump/mptcp-v0.pcap', 'tcpdump/mptcp-v1.pcap', 'tcpdump/mptcp-fclose.pcap', 'tcpdump/mptcp-aa-v1.pcap',
  'tcpdump/mptcp-aa-echo.pcap', 'tcpdump/mptcp-tcprst.pcap', 'tcpdump/mptcp-dss-oobr.pcap', 'ptcpdump/mptcp.pcap',
  'ptcpdump/tfo.pcap', 'pymptcpanalyzer/client_2.pcap', 'pymptcpanalyzer/server_2.pcap', 'pymptcpanalyzer/iperf-mptcp-0-0.pcap',
  'pymptcpanalyzer/client_1_tcp_only.pcap',
];

describe('MPTCP analysis fields equal tshark on the corpus', { skip: SKIP_NO_SHARED || SKIP_NO_TSHARK }, () => {
  for (const name of CORPUS_FILES) {
    it(name, (t) => {
      const path = join(CORPUS, name);
      const a = analyze(path);
      report(t, name, compareWithTshark(path, a), assertReinjectionLinks(a));
    });
  }
});

const LAB = join(ROOT, 'test/fixtures/lab');

describe('MPTCP analysis fields equal tshark on the lab captures', { skip: SKIP_NO_TSHARK }, () => {
  for (const name of readdirSync(LAB).filter((n) => n.endsWith('.pcapng')).sort()) {
    it(name, (t) => {
      const path = join(LAB, name);
      const a = analyze(path);
      report(t, name, compareWithTshark(path, a), assertReinjectionLinks(a));
    });
  }
});

describe('MPTCP analysis fields against tshark on crafted captures', { skip: SKIP_NO_TSHARK }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'mpscope-mptcp-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  /** Each crafted case, and the tshark errors it must show (the reason the capture exists). */
  const cases: Array<[keyof typeof scenarios, Reason[]]> = [
    ['wrap32', ['carry']],
    ['mixedWidths', ['ackWidth', 'carry']],
    ['checksums', ['carry']],
    ['midConnection', ['noKeys']],
    ['fallbacks', ['numbering', 'infinite']],
    ['twoSubflows', ['tcpRetransmission']],
    ['badJoin', []],
    ['wrongEcho', []],
    ['cFlag', []],
    ['v1LostThirdAck', []],
  ];
  for (const [name, expected] of cases) {
    it(name, (t) => {
      const build = scenarios[name] as () => { bytes(): Uint8Array };
      const bytes = build().bytes();
      const path = join(dir, `${name}.pcap`);
      writeFileSync(path, bytes);
      const a = analyze(bytes);
      const o = compareWithTshark(path, a);
      for (const r of expected) assert.ok((o.reasons.get(r) ?? 0) > 0, `tshark shows no '${r}' difference on ${name}`);
      report(t, name, o, assertReinjectionLinks(a));
    });
  }
});
