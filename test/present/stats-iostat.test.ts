/**
 * `-z io,stat`: mpscope's table against tshark 4.0's, byte for byte, on every
 * corpus and lab capture, with the deliberate differences listed and checked.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { makeIoStatTap } from '../../src/present/stats/iostat.js';
import { ContextBuilder } from '../../src/fields/index.js';
import type { TapEnv } from '../../src/present/stats/types.js';
import { UsageError } from '../../src/util/errors.js';
import { decodePacket } from '../../src/wire/index.js';
import { corpusAndLabCaptures, labCaptures, ROOT, SKIP_NO_SHARED } from '../helpers/shared.js';
import { ensureBuilt, SKIP_NO_TSHARK } from '../helpers/stats.js';

interface Run {
  status: number | null;
  signal: string | null;
  stdout: string;
}

function run(cmd: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { maxBuffer: 1 << 28, env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' } }, (err, stdout) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string; signal?: string }) | null;
      resolve({ status: e === null ? 0 : typeof e.code === 'number' ? e.code : null, signal: e?.signal ?? null, stdout });
    });
  });
}

const ours = (args: string[]): Promise<Run> => run(process.execPath, [join(ROOT, 'bin/mpscope.js'), 'read', '-q', ...args]);
const theirs = (args: string[]): Promise<Run> => run('tshark', ['-n', '-q', ...args]);

/** Each -z table of a run's output, in the order of the -z options (both tools print the last one first). */
function tables(out: string, specs: readonly string[]): Map<string, string> {
  const parts = out.split(/(?=\n=+\n\| IO Statistics)/).filter((p) => p !== '');
  assert.equal(parts.length, specs.length, `expected ${specs.length} tables in:\n${out}`);
  return new Map(specs.map((s, i) => [s, parts[specs.length - 1 - i]!]));
}

const zs = (specs: readonly string[]): string[] => specs.flatMap((s) => ['-z', s]);

/** Runs `job` over the items, a few at a time (each spawns both tools). */
async function eachLimited<T>(items: readonly T[], job: (item: T) => Promise<void>, limit = 6): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: limit }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await job(item);
  }));
}

/** Specs whose calculated fields are named in their own filters, which is what makes tshark 4.0 see the fields' values. */
const PLAIN = [
  'io,stat,0',
  'io,stat,0.01',
  'io,stat,1,tcp,udp',
  'io,stat,1.00,tcp,,ip.len > 1000,FRAMES,BYTES()tcp',
  'io,stat,0.05,COUNT(tcp.analysis.retransmission)tcp.analysis.retransmission',
  'io,stat,0.1,SUM(frame.len)frame.len,MIN(frame.len)frame.len,MAX(frame.len)frame.len,AVG(frame.len)frame.len',
  'io,stat,2,SUM(tcp.len)tcp.len,MIN(tcp.len)tcp.len,MAX(tcp.len)tcp.len,AVG(tcp.len)tcp.len,COUNT(tcp.len)tcp.len',
  'io,stat,0,AVG(tcp.analysis.ack_rtt)tcp.analysis.ack_rtt,MIN(tcp.analysis.ack_rtt)tcp.analysis.ack_rtt,MAX(tcp.analysis.ack_rtt)tcp.analysis.ack_rtt,SUM(tcp.analysis.ack_rtt)tcp.analysis.ack_rtt',
  'io,stat,0.5,AVG(frame.time_delta)frame.time_delta,MAX(tcp.time_delta)tcp.time_delta',
  'io,stat,3,COUNT(tcp.analysis.duplicate_ack)tcp.analysis.duplicate_ack',
];
const DUP_ACKS = 'io,stat,3,COUNT(tcp.analysis.duplicate_ack)tcp.analysis.duplicate_ack';

/**
 * Deliberate difference: on MPTCP subflows mpscope does not call an ACK that
 * only moves MPTCP state (a DSS Data ACK, an ADD_ADDR...) a duplicate ACK,
 * where tshark does. These captures have such ACKs; no other capture may differ.
 */
const MPTCP_DUP_ACKS = new Set([
  'mptcp-fclose.pcap', 'mptcp-v0.pcap', 'mptcp.pcap', 'client_2.pcap', 'iperf-mptcp-0-0.pcap', 'server_2.pcap',
  'mptcp-backup-fastclose.pcapng', 'mptcp-loss.pcapng', 'mptcp-v4-2subflows.pcapng', 'mptcp-v4-csum.pcapng', 'mptcp-v6.pcapng',
]);

/**
 * Calculations over fields their column's filter does not name. tshark 4.0
 * only sees the values of fields some filter names (it never asks its
 * dissectors for the others), so `SUM(frame.len)tcp` is 0 in every row:
 * mpscope counts the values. tshark is given a -Y naming the fields, which
 * makes its taps see them (a -Y does not change what taps count).
 */
const UNNAMED = [
  'io,stat,0.2,SUM(frame.len)tcp,MIN(tcp.len)tcp,MAX(tcp.len)tcp,AVG(tcp.len)tcp,COUNT(tcp.len)',
  'io,stat,1,AVG(tcp.analysis.ack_rtt)tcp,MAX(tcp.analysis.ack_rtt),SUM(tcp.analysis.ack_rtt)tcp.flags.ack == 1',
];
const NAMING_FILTER = 'frame.len || tcp.len || tcp.analysis.ack_rtt';
const ALL = [...PLAIN, ...UNNAMED];

/** LOAD (time spent per time elapsed): tshark dies of a division by zero on a capture that lasts no time at all. */
const LOAD_RTT = 'io,stat,0.01,LOAD(tcp.analysis.ack_rtt)tcp.analysis.ack_rtt';
/** Time deltas go backwards in some corpus captures, where tshark spreads 2^64 microseconds (for hours): the lab captures' do not. */
const LOAD_DELTA = 'io,stat,0.005,LOAD(frame.time_delta)frame.time_delta,LOAD(tcp.time_delta)tcp.time_delta';

describe('-z io,stat against tshark 4.0', { skip: SKIP_NO_TSHARK || SKIP_NO_SHARED }, () => {
  // tshark is given a -Y naming the fields of UNNAMED (see there); mpscope is not, its taps need no such help.
  it('prints the same tables on every corpus and lab capture (MPTCP duplicate ACKs aside)', async () => {
    ensureBuilt();
    const captures = corpusAndLabCaptures();
    assert.ok(captures.length >= 30, `only ${captures.length} captures`);
    let equal = 0;
    const dupAckDiffs = new Set<string>();
    await eachLimited(captures, async (file) => {
      const [a, b] = await Promise.all([ours(['-r', file, ...zs(ALL)]), theirs(['-r', file, '-Y', NAMING_FILTER, ...zs(ALL)])]);
      assert.equal(a.status, 0, file);
      assert.equal(b.status, 0, file);
      const mine = tables(a.stdout, ALL);
      const ref = tables(b.stdout, ALL);
      for (const spec of ALL) {
        if (spec === DUP_ACKS && mine.get(spec) !== ref.get(spec)) {
          dupAckDiffs.add(basename(file));
          continue;
        }
        assert.equal(mine.get(spec), ref.get(spec), `${basename(file)} -z ${spec}`);
        equal++;
      }
    });
    assert.deepEqual([...dupAckDiffs].sort(), [...MPTCP_DUP_ACKS].sort());
    assert.equal(equal, captures.length * ALL.length - MPTCP_DUP_ACKS.size);
  });

  it('counts the values of fields no filter names, where tshark 4.0 shows zeros unless a filter names them', async () => {
    await eachLimited(labCaptures(), async (file) => {
      const [a, plain] = await Promise.all([ours(['-r', file, ...zs(UNNAMED)]), theirs(['-r', file, ...zs(UNNAMED)])]);
      const mine = tables(a.stdout, UNNAMED);
      const ref = tables(plain.stdout, UNNAMED);
      // tshark's first table: SUM, MIN, MAX and AVG all 0 (its COUNT column counts the unnamed field as 0 too).
      assert.match(ref.get(UNNAMED[0]!)!, / \|   0 \|   0 \|   0 \|   0 \|     0 \|\n/, basename(file));
      assert.notEqual(mine.get(UNNAMED[0]!), ref.get(UNNAMED[0]!), basename(file));
      assert.doesNotMatch(mine.get(UNNAMED[0]!)!, /\|   0 \|   0 \|   0 \|   0 \|     0 \|\n=/, basename(file));
    });
  });

  it('spreads LOAD over the intervals as tshark does (which fails on captures of no duration)', async () => {
    let compared = 0;
    let crashed = 0;
    const jobs = [...corpusAndLabCaptures().map((f) => [f, LOAD_RTT] as const), ...labCaptures().map((f) => [f, LOAD_DELTA] as const)];
    await eachLimited(jobs, async ([file, spec]) => {
      const [a, b] = await Promise.all([ours(['-r', file, '-z', spec]), theirs(['-r', file, '-z', spec])]);
      assert.equal(a.status, 0, file);
      if (b.signal === 'SIGFPE') {
        crashed++;
        // mpscope draws the table of a capture that lasts no time: the header, no rows.
        assert.match(a.stdout, /Duration: 0\.000 secs[\s\S]*\| Interval +\|[^\n]*\n\|-+\|[^\n]*\n=+\n$/, basename(file));
        return;
      }
      assert.equal(a.stdout, b.stdout, `${basename(file)} -z ${spec}`);
      compared++;
    });
    assert.equal(crashed, 4);
    assert.equal(compared, jobs.length - crashed);
  });

  it('counts no load for a negative time delta (timestamps going backwards), where tshark takes hours', async () => {
    const file = corpusAndLabCaptures().find((f) => f.endsWith('/mptcp-v0.pcap'))!;
    const a = await ours(['-r', file, '-z', 'io,stat,0.01,LOAD(frame.time_delta)frame.time_delta']);
    assert.equal(a.status, 0);
    assert.match(a.stdout, /\| 9\.06 <> 9\.07 \| 0\.946600 \|/);
  });
});

/** A tap made directly, its filters compiled by nothing (these specs have none). */
const NO_FILTERS: TapEnv = {
  compileFilter(text) {
    throw new UsageError(`unexpected filter ${text}`);
  },
};

function usageError(args: string, message: RegExp): void {
  assert.throws(() => makeIoStatTap('io,stat', args, NO_FILTERS), (e: unknown) => e instanceof UsageError && message.test(e.message), args);
}

describe('-z io,stat arguments', () => {
  it('refuses what tshark refuses, with its messages', () => {
    usageError('', /invalid "-z io,stat,<interval>/);
    usageError('x', /invalid "-z io,stat,<interval>/);
    usageError('1x', /invalid "-z io,stat,<interval>/);
    usageError('1,', /invalid "-z io,stat,<interval>/);
    usageError('0.0000001', /interval must be >=0.000001 seconds/);
    usageError('1,SUM(frame.len', /Closing parenthesis missing/);
    usageError('1,SUM()', /You didn't specify a field name for SUM/);
    usageError('1,FRAMES(frame.len)', /FRAMES does not require or allow a field name/);
    usageError('1,SUM(nope.nothing)', /There is no field named 'nope.nothing'/);
    usageError('1,SUM(ip.src)', /ip.src doesn't have integral values, so SUM/);
    usageError('1,AVG(tcp.flags.syn)', /tcp.flags.syn doesn't have integral values/);
  });

  it('refuses what tshark takes wrongly: a negative interval (tshark: the whole capture) and LOAD of a non-time field (tshark: only once a value is seen)', () => {
    usageError('-1', /must be positive/);
    usageError('1,LOAD(tcp.len)', /LOAD\(\) is only supported for relative-time fields/);
  });

  it('asks for the analysis its fields need', () => {
    assert.deepEqual(makeIoStatTap('io,stat', '1,AVG(tcp.analysis.ack_rtt)', NO_FILTERS).needs, { mptcp: false, measurements: true });
    assert.deepEqual(makeIoStatTap('io,stat', '1,MAX(mptcp.dsn)', NO_FILTERS).needs, { mptcp: true, measurements: false });
    assert.deepEqual(makeIoStatTap('io,stat', '1,COUNT(ip.src)', NO_FILTERS).needs, { mptcp: false, measurements: false });
  });

  it('labels an interval written "1.0" with one decimal (tshark 4.0 prints no table for it without a column)', async () => {
    const file = labCaptures().find((f) => f.endsWith('mptcp-backup-fastclose.pcapng'))!;
    ensureBuilt();
    const a = await ours(['-r', file, '-z', 'io,stat,1.0']);
    assert.match(a.stdout, /\| Interval: 1\.0 secs/);
    assert.match(a.stdout, /\| 0\.0 <> 1\.0 \|/);
    assert.match(a.stdout, /\| 1\.0 <> 1\.2 \|/);
  });

  it('counts frames of a tap fed in-process', () => {
    const tap = makeIoStatTap('io,stat', '0,FRAMES,COUNT(frame.len)', NO_FILTERS);
    const contexts = new ContextBuilder();
    const frame = (number: number, sec: number) => decodePacket({
      number, linkType: 1, tsSec: sec, tsNsec: 0, tsDigits: 6, origLen: 60, ifIndex: 0, data: new Uint8Array(60),
    });
    for (const [n, s] of [[1, 100], [2, 101], [3, 103]] as const) {
      const p = frame(n, s);
      tap.packet(contexts.peekTransient(p, undefined));
      contexts.advance(p, true);
    }
    const out = tap.draw();
    assert.match(out, /\| Duration: 3\.000 secs/);
    assert.match(out, /\| 0\.000 <> 3\.000 \|      3 \|     3 \|/);
  });
});
