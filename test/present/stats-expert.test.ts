/**
 * `read -z expert[,LEVEL][,FILTER]` against tshark 4.0 on every corpus and
 * lab capture, byte for byte, with the deliberate differences listed below.
 *
 * The command's own run is compared twice: through the CLI (mpscope's TCP
 * analysis, which does not call an ACK that only moves MPTCP state a
 * duplicate ACK) and in process with tshark's duplicate-ACK rule
 * (`mptcpAwareDupAck: false`), which must then equal tshark exactly: the
 * duplicate-ACK rows are the whole of the difference on MPTCP captures.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { before, describe, it } from 'node:test';
import { Analyzer } from '../../src/analysis/index.js';
import { readCaptureBytes } from '../../src/capture/index.js';
import type { Frame } from '../../src/capture/index.js';
import { ContextBuilder } from '../../src/fields/index.js';
import { compileFilter, isFilterError } from '../../src/filter/index.js';
import { expertTap, parseExpertArgs } from '../../src/present/stats/expert.js';
import type { TapEnv } from '../../src/present/stats/types.js';
import { UsageError } from '../../src/util/errors.js';
import { decodePacket } from '../../src/wire/index.js';
import { ensureBuilt, mpscope, SKIP_NO_TSHARK } from '../helpers/stats.js';
import { CORPUS, corpusAndLabCaptures, ROOT, SKIP_NO_SHARED } from '../helpers/shared.js';

const SKIP = SKIP_NO_SHARED || SKIP_NO_TSHARK;
const CLI = join(ROOT, 'bin/mpscope.js');
const run = promisify(execFile);

/** Rows of tshark's report that come from protocols mpscope does not dissect. */
const NOT_DISSECTED: Readonly<Record<string, { rows: string[]; reason: string }>> = {
  'ipv4_tcp_http_xml.pcap': {
    rows: ['           1   Sequence               HTTP  HTTP/1.1 200 OK\\r\\n'],
    reason: "tshark's HTTP dissector notes each request and status line; mpscope names HTTP in the Info column only",
  },
  'ssh.pcap': {
    rows: ['           1   Protocol                SSH  Decoded 20 bytes, but packet legnth is 276 bytes'],
    reason: "tshark's SSH dissector checks its key exchange lengths; mpscope does not dissect SSH",
  },
  'ssh-dups.pcap': {
    rows: ['           1   Protocol                SSH  Decoded 27 bytes, but packet legnth is 100 bytes'],
    reason: "tshark's SSH dissector checks its key exchange lengths; mpscope does not dissect SSH",
  },
};

/**
 * MPTCP captures where tshark counts duplicate ACKs that mpscope does not:
 * an ACK whose only news is MPTCP state (a data ACK, an ADD_ADDR...) is not a
 * duplicate of the previous one. Only the "Duplicate ACK (#n)" rows differ.
 */
const MPTCP_DUP_ACKS: ReadonlySet<string> = new Set([
  'mptcp-fclose.pcap', 'mptcp-v0.pcap', 'mptcp.pcap', 'client_2.pcap', 'iperf-mptcp-0-0.pcap', 'server_2.pcap',
  'mptcp-backup-fastclose.pcapng', 'mptcp-loss.pcapng', 'mptcp-v4-2subflows.pcapng', 'mptcp-v4-csum.pcapng', 'mptcp-v6.pcapng',
]);

interface Section {
  title: string;
  rows: string[];
}

/** A report's sections with their row lines, as tshark prints them. */
function parseReport(text: string): Section[] {
  const sections: Section[] = [];
  for (const line of text.split('\n')) {
    const head = /^(\w+) \((\d+)\)$/.exec(line);
    if (head) sections.push({ title: head[1]!, rows: [] });
    else if (/^ +\d+ /.test(line)) sections.at(-1)!.rows.push(line);
  }
  return sections;
}

/** The report of `sections`, totals recounted, empty sections left out. */
function renderReport(sections: readonly Section[]): string {
  let s = '';
  for (const sec of sections) {
    if (sec.rows.length === 0) continue;
    const total = sec.rows.reduce((n, r) => n + Number(r.slice(0, 12)), 0);
    s += `\n${sec.title} (${total})\n=============\n   Frequency      Group           Protocol  Summary\n${sec.rows.map((r) => r + '\n').join('')}`;
  }
  return s;
}

/** tshark's report without the rows of protocols mpscope does not dissect. */
function expectedOf(capture: string, theirs: string): string {
  const skip = NOT_DISSECTED[basename(capture)];
  if (skip === undefined) return theirs;
  const sections = parseReport(theirs);
  for (const row of skip.rows) {
    const sec = sections.find((s) => s.rows.includes(row));
    assert.ok(sec, `${basename(capture)}: tshark no longer reports ${row.trim()}: update NOT_DISSECTED`);
    sec.rows.splice(sec.rows.indexOf(row), 1);
  }
  return renderReport(sections);
}

const DUP_ACK_ROW = /Duplicate ACK \(#\d+\)$/;

function withoutDupAcks(report: string): Section[] {
  return parseReport(report)
    .map((s) => ({ title: s.title, rows: s.rows.filter((r) => !DUP_ACK_ROW.test(r)) }))
    .filter((s) => s.rows.length > 0);
}

function dupAckCount(report: string): number {
  return parseReport(report).flatMap((s) => s.rows).filter((r) => DUP_ACK_ROW.test(r)).reduce((n, r) => n + Number(r.slice(0, 12)), 0);
}

const env: TapEnv = {
  compileFilter(text) {
    try {
      const f = compileFilter(text);
      return (ctx) => f.test(ctx);
    } catch (e) {
      if (isFilterError(e)) throw new UsageError(e.render(text));
      throw e;
    }
  },
};

/** The tap run in process over a capture, with tshark's or mpscope's duplicate-ACK rule. */
function inProcess(capture: string, args: string, opts: { mptcpAwareDupAck: boolean; everyTree?: boolean }): string {
  const tap = expertTap(args, env, opts.everyTree ?? false);
  const analyzer = new Analyzer({ tcp: { mptcpAwareDupAck: opts.mptcpAwareDupAck } });
  let contexts: ContextBuilder | undefined;
  const info = readCaptureBytes(new Uint8Array(readFileSync(capture)), (f: Frame) => {
    const pkt = decodePacket({ ...f, data: f.data.slice() });
    contexts ??= new ContextBuilder();
    tap.packet(contexts.next(pkt, analyzer.process(pkt)));
  });
  assert.ok(info);
  return tap.draw();
}

/** `items` mapped by `work`, two at a time (tshark and node runs are mostly start-up). */
async function inLanes<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  };
  await Promise.all([lane(), lane(), lane()]);
  return out;
}

interface Pair {
  capture: string;
  spec: string;
  ours: string;
  theirs: string;
}

async function bothAsync(capture: string, spec: string): Promise<Pair> {
  const [ours, theirs] = await Promise.all([
    run(process.execPath, [CLI, 'read', '-q', '-r', capture, '-z', spec], { maxBuffer: 1 << 26 }),
    run('tshark', ['-n', '-q', '-r', capture, '-z', spec], { maxBuffer: 1 << 26, env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' } }),
  ]);
  return { capture, spec, ours: ours.stdout, theirs: theirs.stdout };
}

describe('-z expert argument reading (as tshark reads it)', () => {
  it('takes a severity by its first letters, whatever the case and what follows, then a filter after a comma', () => {
    assert.deepEqual(parseExpertArgs(''), { lowest: 'comment', filter: undefined });
    assert.deepEqual(parseExpertArgs('warn'), { lowest: 'warn', filter: undefined });
    assert.deepEqual(parseExpertArgs('Warning'), { lowest: 'warn', filter: undefined });
    assert.deepEqual(parseExpertArgs('notes'), { lowest: 'note', filter: undefined });
    assert.deepEqual(parseExpertArgs('ERROR,tcp.port == 80'), { lowest: 'error', filter: 'tcp.port == 80' });
    assert.deepEqual(parseExpertArgs('chat,'), { lowest: 'chat', filter: undefined });
    assert.deepEqual(parseExpertArgs('tcp'), { lowest: 'comment', filter: 'tcp' });
    assert.deepEqual(parseExpertArgs(',tcp'), { lowest: 'comment', filter: ',tcp' });
    assert.deepEqual(parseExpertArgs('comment,ip.ttl < 5'), { lowest: 'comment', filter: 'ip.ttl < 5' });
  });

  it('refuses a bad filter with a usage error, as tshark stops', { skip: SKIP_NO_SHARED }, () => {
    assert.throws(() => expertTap('note,tcp.nosuchfield', env), UsageError);
    assert.throws(() => expertTap(',tcp', env), UsageError);
    const capture = join(CORPUS, 'tcpdump/dns_tcp.pcap');
    const r = mpscope(['-q', '-r', capture, '-z', 'expert,warn,tcp.port==']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /tcp\.port==/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });
});

describe('-z expert against tshark 4.0', { skip: SKIP }, () => {
  const captures = corpusAndLabCaptures();
  let pairs: Pair[] = [];
  before(async () => {
    ensureBuilt();
    pairs = await inLanes(captures, (c) => bothAsync(c, 'expert'));
  });

  it('every corpus and lab capture: equal, but for the listed protocols and MPTCP duplicate ACKs', () => {
    assert.ok(captures.length >= 30, `only ${captures.length} captures`);
    const differing: string[] = [];
    let rows = 0;
    for (const { capture, ours, theirs } of pairs) {
      const name = basename(capture);
      const expected = expectedOf(capture, theirs);
      rows += parseReport(expected).reduce((n, s) => n + s.rows.length, 0);
      if (ours === expected) continue;
      differing.push(name);
      assert.ok(MPTCP_DUP_ACKS.has(name), `${name}: differs from tshark\n--- tshark\n${expected}\n--- mpscope\n${ours}`);
      // Every other row equal, in the same order, with the same counts.
      assert.deepEqual(withoutDupAcks(ours), withoutDupAcks(expected), `${name}: rows other than duplicate ACKs differ`);
      assert.ok(dupAckCount(ours) < dupAckCount(expected), `${name}: mpscope should count fewer duplicate ACKs`);
    }
    assert.deepEqual(differing.sort(), [...MPTCP_DUP_ACKS].sort(), 'MPTCP_DUP_ACKS lists exactly the captures that differ');
    assert.ok(rows > 600, `only ${rows} rows compared`);
  });

  it("with tshark's duplicate-ACK rule the report equals tshark's on every capture", () => {
    for (const { capture, theirs } of pairs) {
      const ours = inProcess(capture, '', { mptcpAwareDupAck: false });
      assert.equal(ours, expectedOf(capture, theirs), basename(capture));
    }
  });

  it('segments told quiet without their tree change nothing', () => {
    for (const capture of captures) {
      const fast = inProcess(capture, '', { mptcpAwareDupAck: true });
      assert.equal(fast, inProcess(capture, '', { mptcpAwareDupAck: true, everyTree: true }), basename(capture));
    }
  });

  it('holds errors, warnings, notes and chats of IPv4, TCP and MPTCP (the comparison is not vacuous)', () => {
    const all = pairs.map((p) => p.ours).join('');
    for (const row of [
      /Malformed {14}MPTCP {2}Malformed Packet \(Exception occurred\)/,
      /Protocol {15}IPv4 {2}IPv4 total length exceeds packet length \(1492 bytes\)/,
      /Sequence {15}IPv4 {2}"Time To Live" only 0/,
      /Protocol {16}TCP {2}The SYN packet does not contain a MSS option/,
      /Protocol {16}TCP {2}The acknowledgment number field is nonzero while the ACK flag is not set/,
      /Sequence {16}TCP {2}Previous segment\(s\) not captured \(common at capture start\)/,
      /Sequence {16}TCP {2}This frame undergoes the connection closing/,
      /Sequence {16}TCP {2}Connection establish acknowledge \(SYN\+ACK\): server port 5201/,
    ]) assert.match(all, row);
    for (const title of ['Errors', 'Warns', 'Notes', 'Chats']) assert.match(all, new RegExp(`\\n${title} \\(\\d+\\)\\n=============\\n`));
  });

  it('LEVEL and FILTER as tshark: severities kept, filtered frames, tree-only items once a filter builds the tree', async () => {
    const cases: Array<[string, string]> = [
      ['zeek/reassembly.pcap', 'expert,error'],
      ['zeek/reassembly.pcap', 'expert,Warning'],
      ['zeek/reassembly.pcap', 'expert,note,tcp.stream == 0'],
      ['pymptcpanalyzer/client_1_tcp_only.pcap', 'expert,warn,tcp.flags.reset == 1'],
      ['tcpdump/mptcp-v1.pcap', 'expert,tcp'],
      ['tcpdump/mptcp-aa-v1.pcap', 'expert,notes'],
      ['tcpdump/mptcp-aa-v1.pcap', 'expert,comment,ip.src == 10.0.0.1'],
      ['tcpdump/mptcp-dss-oobr.pcap', 'expert,error,mptcp'],
    ];
    const results = await inLanes(cases, ([c, spec]) => bothAsync(join(CORPUS, c), spec));
    let nonEmpty = 0;
    for (const { capture, spec, ours, theirs } of results) {
      assert.equal(ours, theirs, `${basename(capture)} -z ${spec}`);
      if (theirs.trim() !== '') nonEmpty++;
    }
    assert.ok(nonEmpty >= 7, `only ${nonEmpty} non-empty reports`);
    // A tap filter makes tshark build its tree, whose option loop reports runs of 4 NOPs.
    const nops = results.find((r) => r.spec === 'expert,tcp')!;
    assert.match(nops.ours, /Protocol {16}TCP {2}4 NOP in a row/);
  });
});
