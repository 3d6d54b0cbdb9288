/**
 * Agreement with tshark 4.0: for filters covering every feature of the
 * language, the frames mpscope's compiled filter accepts are exactly those
 * `tshark -r F -Y FILTER -T fields -e frame.number` prints.
 *
 * tshark spends most of a run starting up, so the filters run over one file
 * that concatenates every corpus capture and the hand-built packets of the
 * fields tests (mergecap -a keeps each frame's link type); filters whose
 * meaning depends on where a capture starts (`frame.number`,
 * `frame.time_relative`) also run over each corpus capture on its own.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Analyzer } from '../../src/analysis/index.js';
import { encodePcapng, readCaptureBytes } from '../../src/capture/index.js';
import type { Frame } from '../../src/capture/index.js';
import { ContextBuilder, getField } from '../../src/fields/index.js';
import type { FieldContext } from '../../src/fields/index.js';
import { compileFilter } from '../../src/filter/index.js';
import { decodePacket } from '../../src/wire/index.js';
import type { Packet } from '../../src/wire/types.js';
import { SYNTHETIC, syntheticFrames } from '../fields/synthetic.js';
import { SKIP_NO_SHARED, corpusCaptures, hasCommand } from '../helpers/shared.js';

const SKIP = SKIP_NO_SHARED || (hasCommand('tshark') && hasCommand('mergecap') ? false : 'tshark and mergecap are not installed');

/**
 * Raw sequence numbers, no TCP analysis: these filters read single-packet
 * fields only. Checksums are verified, as mpscope always does.
 */
const TSHARK_ARGS = [
  '-n',
  '-o', 'tcp.analyze_sequence_numbers:FALSE',
  '-o', 'tcp.relative_sequence_numbers:FALSE',
  '-o', 'ip.check_checksum:TRUE',
  '-o', 'tcp.check_checksum:TRUE',
  '-o', 'udp.check_checksum:TRUE',
];

interface Case {
  filter: string;
  /** The filter reads stateful analysis fields: both sides run TCP analysis. */
  analysis?: boolean;
  /** tshark's spelling, where mpscope accepts more (Wireshark 3's whitespace-separated sets). */
  tshark?: string;
  /** Why a frame may be accepted by one side only: field values known to differ, with the reason. */
  excuse?: (p: Packet) => string | undefined;
}

/** tshark gives TCP payloads to application dissectors or holds them for reassembly; mpscope calls them `data`. */
const payloadProtocols = (p: Packet): string | undefined =>
  p.payloadLength > 0 ? 'frame.protocols: tshark does not end it with "data" when it dissects or reassembles the payload' : undefined;

const CASES: Case[] = [
  // Addresses: any-of semantics, != as "none equal", CIDR, IPv6 prefixes.
  { filter: 'ip.addr == 10.0.0.2' },
  { filter: 'ip.addr != 10.0.0.2' },
  { filter: 'ip.addr ~= 10.0.0.2' },
  { filter: 'ip.addr === 10.0.0.0/8' },
  { filter: 'ip.src == 10.0.0.0/8' },
  { filter: 'ip.addr eq 10.0.0.0/8 and not ip.addr == 10.0.0.0/16' },
  { filter: 'ip.dst in {10.0.0.1..10.0.0.9, 192.168.0.0/16}' },
  { filter: 'ipv6.addr == fe80::/10' },
  { filter: 'ipv6.src == fe80::/64 || ipv6.dst == ff02::1 || ipv6.dst == ff02::1:ff00:0/104' },
  { filter: 'ip.src > ip.dst' },
  // Ports and sets.
  { filter: 'tcp.port in {22 80 443}', tshark: 'tcp.port in {22, 80, 443}' },
  { filter: 'tcp.port in {1000..5000, 80}' },
  { filter: 'tcp.port not in {22, 80}' },
  { filter: 'tcp.srcport == 0x16 or tcp.dstport == 026' },
  { filter: 'tcp.srcport > tcp.dstport' },
  { filter: 'all tcp.port > 1024' },
  // Flags, booleans, bitwise AND.
  { filter: 'tcp.flags.syn == 1 && !tcp.flags.ack' },
  { filter: 'tcp.flags.syn == 1 && tcp.flags.ack == 0' },
  { filter: 'tcp.flags.syn == True and tcp.flags.ack eq FALSE or tcp.flags.fin == 1' },
  { filter: 'tcp.flags & 0x12 == 0x12' },
  { filter: 'tcp.flags & 0x04' },
  { filter: 'tcp.flags.str contains "R"' },
  { filter: 'tcp.flags.str == "\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7\u00b7A\u00b7\u00b7S\u00b7"' },
  { filter: 'ip.flags.df == 0 and ip.ttl < 64' },
  // Protocols and MPTCP.
  { filter: 'mptcp' },
  { filter: 'not tcp' },
  { filter: 'udp or icmp or icmpv6' },
  { filter: 'tcp.options.mptcp.subtype == 2' },
  { filter: 'tcp.options.mptcp.subtype in {0 1}', tshark: 'tcp.options.mptcp.subtype in {0, 1}' },
  { filter: 'tcp.options.mptcp.subtype >= 3 or tcp.options.mptcp.subtype eq 0x1' },
  { filter: 'tcp.options.mptcp.rawdataack > 0x7fffffffffffffff' },
  { filter: 'tcp.options.mptcp.rawdataack == 11713449205243392242' },
  { filter: 'tcp.options.mptcp.rawdataseqno == 12148165319181844542 or tcp.options.mptcp.rawdataseqno == 4057885679' },
  { filter: 'mptcp.expected_token' },
  // Lengths, counts, functions.
  { filter: 'frame.len > 1000' },
  { filter: 'tcp.len >= 100 and tcp.len <= 200' },
  { filter: 'len(tcp.payload) > 1000' },
  { filter: 'count(tcp.options.sack_le) >= 2' },
  { filter: 'tcp.options.mss_val in {1360..1460}' },
  { filter: 'tcp.window_size_value == 0' },
  { filter: 'string(frame.number) matches "[13579]$"' },
  // Bytes, strings and regular expressions.
  { filter: 'eth.src contains 00' },
  { filter: 'eth.addr == ff:ff:ff:ff:ff:ff or eth.dst[0] & 0x01' },
  { filter: 'eth.src[0:3] == 38-f9-d3 or eth.src == 000c.2914.16a3' },
  { filter: 'tcp.payload contains "SSH"' },
  { filter: 'tcp.payload[0:4] == "SSH-" or tcp.payload[0:4] == 53:53:48:2d' },
  { filter: 'tcp.payload matches r"(?-i)^SSH-2\.0" or tcp.payload matches "\\x00\\x00\\x00\\x0c\\x0a"' },
  { filter: 'frame.protocols matches "mptcp$"', excuse: payloadProtocols },
  { filter: 'frame.protocols contains "udp" or upper(frame.protocols) contains "SLL:"' },
  // Times.
  { filter: 'frame.time >= "2020-01-13 15:51:06" and frame.time < "2020-01-14"' },
  { filter: 'frame.time_delta < 0.0001 and frame.time_delta > 0' },
  // Checksums.
  { filter: 'ip.checksum.status == 0 or tcp.checksum.status == 0' },
];

/**
 * Filters on TCP analysis fields, with tshark's analysis on (its defaults)
 * and mpscope's tracker following tshark's own MPTCP duplicate-ACK rule.
 */
const ANALYSIS_CASES: Case[] = [
  { filter: 'tcp.analysis.flags' },
  { filter: 'tcp.analysis.retransmission or tcp.analysis.fast_retransmission' },
  { filter: 'tcp.analysis.duplicate_ack_num >= 2 && !tcp.analysis.window_update' },
  { filter: 'tcp.analysis.lost_segment || tcp.analysis.ack_lost_segment || tcp.analysis.out_of_order' },
  { filter: 'tcp.stream in {0..3, 10} and tcp.seq == 1 and tcp.ack == 1' },
  { filter: 'tcp.window_size > 65535 and tcp.analysis.bytes_in_flight >= 1000' },
  { filter: 'tcp.analysis.ack_rtt > 0.01 or tcp.analysis.initial_rtt < 0.0005' },
  { filter: 'not tcp.analysis.flags and tcp.len > 0 and tcp.nxtseq > 100000' },
].map((c) => ({ ...c, analysis: true }));

/**
 * Hand-built packets (by description) whose field values differ from
 * tshark's on purpose, as the fields tests document: a filter reading the
 * fields named may disagree on them.
 */
const SYNTHETIC_EXCUSES: ReadonlyArray<{ why: string; fields: RegExp; reason: string }> = [
  {
    why: 'raw IP, truncated TCP header',
    fields: /^tcp\b/,
    reason: 'mpscope does not decode a TCP header cut inside its first 20 bytes; tshark shows its ports',
  },
  {
    why: 'MP_CAPABLE version 2',
    fields: /^mptcp\.expected_/,
    reason: 'no key hash is defined for MPTCP version 2: tshark shows 0, mpscope leaves the token out',
  },
];

/** Why analysis filters are not held to tshark's answer on the hand-built packets. */
const HAND_BUILT_CONVERSATION =
  'the hand-built packets test single-packet fields: they reuse one address and port pair across link types, which is no conversation to analyse';

/** Filters whose meaning depends on the capture they run on. */
const PER_CAPTURE = ['frame.number in {1..10}', 'frame.time_relative > 0.5 or ip.addr == 10.0.0.2'];

function tsharkFrames(path: string, filter: string, analysis = false): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const options = analysis ? ['-n'] : TSHARK_ARGS;
    const child = spawn('tshark', ['-r', path, ...options, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], {
      env: { ...process.env, LC_ALL: 'C.UTF-8' },
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`tshark -Y '${filter}' on ${path} failed (${code}): ${err}`));
      else resolve(out.split('\n').filter(Boolean).map(Number));
    });
  });
}

/** Runs `work` over `items`, `n` at a time. */
async function pooled<T, R>(items: readonly T[], n: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  });
  await Promise.all(lanes);
  return results;
}

function contextsOf(path: string, analysis = false): FieldContext[] {
  const packets: Packet[] = [];
  const info = readCaptureBytes(readFileSync(path), (f: Frame) => {
    packets.push(decodePacket({ ...f, data: f.data.slice() }));
  });
  const b = new ContextBuilder(info.format);
  const analyzer = analysis ? new Analyzer({ tcp: { mptcpAwareDupAck: false } }) : undefined;
  return packets.map((p) => b.next(p, analyzer?.process(p)));
}

interface Outcome {
  missing: number[];
  extra: number[];
  excused: Map<string, number>;
  total: number;
}

/** Frame number in the merged file of each hand-built packet's description. */
type Origins = ReadonlyMap<number, string>;

function syntheticExcuse(origins: Origins, frame: number, fieldsRead: readonly string[]): string | undefined {
  const why = origins.get(frame);
  const e = why === undefined ? undefined : SYNTHETIC_EXCUSES.find((x) => x.why === why);
  return e && fieldsRead.some((f) => e.fields.test(f)) ? e.reason : undefined;
}

function compare(ctxs: readonly FieldContext[], c: Case, theirs: readonly number[], origins: Origins = new Map()): Outcome {
  const f = compileFilter(c.filter);
  const expected = new Set(theirs);
  const outcome: Outcome = { missing: [], extra: [], excused: new Map(), total: 0 };
  for (const ctx of ctxs) {
    const n = ctx.packet.number;
    const ours = f.test(ctx);
    if (ours) outcome.total++;
    if (ours === expected.has(n)) continue;
    const why = c.excuse?.(ctx.packet) ?? (c.analysis && origins.has(n) ? HAND_BUILT_CONVERSATION : syntheticExcuse(origins, n, f.fields));
    if (why !== undefined) outcome.excused.set(why, (outcome.excused.get(why) ?? 0) + 1);
    else (ours ? outcome.extra : outcome.missing).push(n);
  }
  return outcome;
}

/** What differs, in one line, or undefined when the two sides agree; excused differences go to `diag`. */
function disagreement(where: string, c: Case, o: Outcome, diag: (s: string) => void): string | undefined {
  for (const [why, n] of o.excused) diag(`${where}: ${c.filter}: ${n} frames differ because ${why}`);
  if (o.missing.length === 0 && o.extra.length === 0) return undefined;
  const some = (l: number[]) => l.slice(0, 8).join(',') + (l.length > 8 ? '...' : '');
  return `${where}: ${c.filter}: tshark only: ${o.missing.length} [${some(o.missing)}], mpscope only: ${o.extra.length} [${some(o.extra)}]`;
}

describe('display filters agree with tshark', { skip: SKIP }, () => {
  let dir = '';
  let merged = '';
  let ctxs: FieldContext[] = [];
  let analysed: FieldContext[] = [];
  const origins = new Map<number, string>();
  const lanes = Math.max(2, availableParallelism());

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mpscope-filter-'));
    const synthetic = join(dir, 'synthetic.pcapng');
    writeFileSync(synthetic, encodePcapng(syntheticFrames()));
    merged = join(dir, 'merged.pcapng');
    const r = spawnSync('mergecap', ['-a', '-F', 'pcapng', '-w', merged, ...corpusCaptures(), synthetic], { encoding: 'utf8' });
    assert.equal(r.status, 0, `mergecap: ${r.stderr}`);
    ctxs = contextsOf(merged);
    analysed = contextsOf(merged, true);
    const first = ctxs.length - SYNTHETIC.length + 1;
    SYNTHETIC.forEach((s, i) => origins.set(first + i, s.why));
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the filter list reads only registered fields', () => {
    for (const c of [...CASES, ...ANALYSIS_CASES]) for (const name of compileFilter(c.filter).fields) assert.ok(getField(name), `${c.filter}: ${name}`);
  });

  it(`${CASES.length + ANALYSIS_CASES.length} filters over every corpus capture and the hand-built packets`, async (t) => {
    const cases = [...CASES, ...ANALYSIS_CASES];
    const theirs = await pooled(cases, lanes, (c) => tsharkFrames(merged, c.tshark ?? c.filter, c.analysis));
    let accepted = 0;
    const problems: string[] = [];
    cases.forEach((c, i) => {
      const o = compare(c.analysis ? analysed : ctxs, c, theirs[i]!, origins);
      accepted += o.total;
      // A filter that accepts nothing or everything proves little: say so.
      if (o.total === 0 || o.total === ctxs.length) t.diagnostic(`${c.filter}: accepts ${o.total} of ${ctxs.length} frames`);
      const d = disagreement(basename(merged), c, o, (s) => t.diagnostic(s));
      if (d !== undefined) problems.push(d);
    });
    assert.deepEqual(problems, []);
    t.diagnostic(`${cases.length} filters, ${ctxs.length} frames, ${accepted} acceptances in agreement`);
  });

  it('frame-number and relative-time filters over each corpus capture', async () => {
    const jobs = corpusCaptures().flatMap((path) => PER_CAPTURE.map((filter) => ({ path, filter })));
    const theirs = await pooled(jobs, lanes, (j) => tsharkFrames(j.path, j.filter));
    const byPath = new Map<string, FieldContext[]>();
    const problems: string[] = [];
    jobs.forEach((j, i) => {
      let c = byPath.get(j.path);
      if (c === undefined) byPath.set(j.path, (c = contextsOf(j.path)));
      const d = disagreement(basename(j.path), { filter: j.filter }, compare(c, { filter: j.filter }, theirs[i]!), () => {});
      if (d !== undefined) problems.push(d);
    });
    assert.deepEqual(problems, []);
  });
});
