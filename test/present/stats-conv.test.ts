/**
 * `-z conv,TYPE` and `-z endpoints,TYPE` against tshark 4.0 on every real
 * capture and on crafted ones (sizes around each unit, ICMP errors, SLL
 * address forms), and the MPTCP tables by their content.
 *
 * Known differences, none of them in these captures: tshark reassembles IP
 * fragments and taps TCP/UDP on the reassembled datagram (mpscope does not
 * reassemble); tshark's TCP tap follows an IPv6 routing header's final
 * destination; frames where tshark's dissection throws but mpscope's decoder
 * sees nothing wrong (a 4-byte SACK option, some malformed MPTCP options)
 * are not in tshark's TCP tables but are in mpscope's. `-z conv,tcp,` (an
 * empty filter) prints `Filter:` in tshark and `Filter:<No Filter>` here.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { cFixed, sizeText, tableLength, u64Text } from '../../src/present/stats/conv-format.js';
import { makeConvTap, makeEndpointsTap } from '../../src/present/stats/conv.js';
import type { TapEnv } from '../../src/present/stats/types.js';
import { UsageError } from '../../src/util/errors.js';
import { ensureBuilt, mpscope, SKIP_NO_TSHARK, tshark } from '../helpers/stats.js';
import { corpusAndLabCaptures, labCaptures, ROOT, SKIP_NO_SHARED } from '../helpers/shared.js';

const FAMILIES = ['eth', 'ip', 'ipv6', 'tcp', 'udp', 'sll'];
/** Every table of both kinds in one run of each tool (tshark prints them last first, as mpscope does). */
const ALL_SPECS = FAMILIES.flatMap((f) => [`conv,${f}`, `endpoints,${f}`]);

/** Standard output of a command, run without blocking so that both tools can run at once. */
function output(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 1 << 28, env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' } }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

/** What `bothStats` gives, for several -z at once, the two tools running side by side. */
async function bothAsync(capture: string, specs: readonly string[]): Promise<{ ours: string; theirs: string }> {
  const z = specs.flatMap((s) => ['-z', s]);
  const [ours, theirs] = await Promise.all([
    output(process.execPath, [join(ROOT, 'bin/mpscope.js'), 'read', '-q', '-r', capture, ...z]),
    output('tshark', ['-n', '-q', '-r', capture, ...z]),
  ]);
  return { ours, theirs };
}

/** Runs `f` over `items`, `n` at a time. */
async function eachLimited<T>(items: readonly T[], n: number, f: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await f(items[next++]!);
  };
  await Promise.all(Array.from({ length: n }, worker));
}

/** Tables of one report, counted by their title lines. */
function tableCount(report: string): number {
  return report.split('\n').filter((l) => / (Conversations|Endpoints)$/.test(l)).length;
}

describe('conv and endpoints against tshark on real captures', { skip: SKIP_NO_TSHARK || SKIP_NO_SHARED }, () => {
  /** Filtered tables, run with the unfiltered ones of the same capture. */
  const FILTERED: Readonly<Record<string, readonly string[]>> = {
    'mptcp-v4-2subflows.pcapng': ['conv,tcp,tcp.port==5201', 'endpoints,tcp,tcp.srcport==36819'],
    'mptcp-backup-fastclose.pcapng': ['conv,ip,tcp.stream==1'],
    'mptcp-v6.pcapng': ['endpoints,ipv6,tcp.len > 0'],
    'mptcp-v4-csum.pcapng': ['conv,eth,tcp.flags.syn == 1'],
    'mptcp-fallback.pcapng': ['conv,tcp,tcp.port==80'],
    'client_2.pcap': ['conv,udp,udp.port==67', 'endpoints,sll,tcp'],
  };

  it('prints every table of every corpus and lab capture byte for byte as tshark, filtered ones too', async () => {
    ensureBuilt();
    const captures = [...corpusAndLabCaptures(), join(ROOT, 'examples/mptcp-lab.pcapng')];
    assert.ok(captures.length >= 30);
    let rows = 0;
    let filtered = 0;
    await eachLimited(captures, 2, async (capture) => {
      const extra = FILTERED[basename(capture)] ?? [];
      const { ours, theirs } = await bothAsync(capture, [...ALL_SPECS, ...extra]);
      assert.equal(tableCount(theirs), ALL_SPECS.length + extra.length, basename(capture));
      assert.equal(ours, theirs, basename(capture));
      rows += ours.split('\n').filter((l) => l.includes(' <-> ')).length;
      filtered += theirs.split('\n').filter((l) => l.startsWith('Filter:') && l !== 'Filter:<No Filter>').length;
    });
    // Not vacuous: the captures have hundreds of conversations between them, and every filtered table was there.
    assert.ok(rows > 100, `${rows} conversation rows`);
    assert.equal(filtered, Object.values(FILTERED).flat().length);
  });
});

// ------------------------------------------------------------ crafted captures

function u16(v: number): number[] { return [(v >>> 8) & 0xff, v & 0xff]; }
function u32(v: number): number[] { return [...u16(v >>> 16), ...u16(v & 0xffff)]; }

function checksum(b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

function withChecksum(b: number[], at: number): number[] {
  const c = checksum(b);
  b[at] = c >>> 8;
  b[at + 1] = c & 0xff;
  return b;
}

function ipv4(src: number[], dst: number[], proto: number, payload: number[]): number[] {
  const h = withChecksum([0x45, 0, ...u16(20 + payload.length), 0, 1, 0, 0, 64, proto, 0, 0, ...src, ...dst], 10);
  return [...h, ...payload];
}

function tcp(sport: number, dport: number, flags = 0x02): number[] {
  return [...u16(sport), ...u16(dport), ...u32(1), ...u32(0), 0x50, flags, ...u16(1000), 0, 0, 0, 0];
}

function udp(sport: number, dport: number, data: number[]): number[] {
  return [...u16(sport), ...u16(dport), ...u16(8 + data.length), 0, 0, ...data];
}

function icmpError(type: number, code: number, quoted: number[]): number[] {
  return withChecksum([type, code, 0, 0, 0, 0, 0, 0, ...quoted.slice(0, 28)], 2);
}

function ethernet(src: number[], dst: number[], payload: number[]): number[] {
  return [...dst, ...src, 0x08, 0x00, ...payload];
}

function sll(halen: number, addr: number[], protocol: number, payload: number[], hatype = 1, pkttype = 0): number[] {
  return [...u16(pkttype), ...u16(hatype), ...u16(halen), ...addr, ...new Array<number>(8 - addr.length).fill(0), ...u16(protocol), ...payload];
}

interface CraftedFrame { t: number; data: number[]; origLen?: number }

/** A microsecond pcap of `link` type; a frame's `origLen` may claim more bytes than it holds. */
function pcap(link: number, frames: readonly CraftedFrame[]): Uint8Array {
  const out: number[] = [];
  const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
  out.push(...le32(0xa1b2c3d4), 2, 0, 4, 0, ...le32(0), ...le32(0), ...le32(65535), ...le32(link));
  for (const f of frames) {
    const sec = Math.floor(f.t);
    out.push(...le32(sec), ...le32(Math.round((f.t - sec) * 1e6)), ...le32(f.data.length), ...le32(f.origLen ?? f.data.length), ...f.data);
  }
  return new Uint8Array(out);
}

const A = [10, 0, 0, 1];
const B = [10, 0, 0, 2];
const MAC1 = [2, 0, 0, 0, 0, 1];
const MAC2 = [2, 0, 0, 0, 0, 2];
const MAC3 = [2, 0, 0, 0, 0, 3];

/**
 * One conversation per size, around each unit (999, 1000, 9999, 10000...,
 * 2^31 and above, which tshark counts as negative C ints), 1/32 s apart so
 * durations fall on exact rounding ties.
 */
function sizesCapture(): Uint8Array {
  const sizes = [[999], [1000], [9999], [10000], [10001], [99999], [999999], [1000000], [9999999], [10000000], [10000001],
    [999999999], new Array<number>(5).fill(2e9), new Array<number>(6).fill(2e9), new Array<number>(50).fill(2e9),
    [2147483647], [2147483648], [4000000000]];
  const frames: CraftedFrame[] = [];
  let t = 1000;
  sizes.forEach((group, i) => {
    for (const origLen of group) {
      frames.push({ t, data: ipv4([10, 1, 0, i], B, 6, tcp(1000 + i, 80)), origLen });
      t += 0.03125;
    }
  });
  return pcap(101, frames);
}

/**
 * ICMP errors quoting TCP and UDP (tshark's tables count the error, never
 * the quoted packet), a self-connection, equal ports both ways, and a frame
 * older than the first (a negative relative start).
 */
function icmpCapture(): Uint8Array {
  const syn = ipv4(A, B, 6, tcp(40000, 80));
  const dgram = ipv4(A, B, 17, udp(5353, 53, [1, 2, 3, 4]));
  const lateUdp = ipv4(A, B, 17, udp(9000, 9000, [0x79]));
  return pcap(1, [
    { t: 1.0, data: ethernet(MAC1, MAC2, syn) },
    { t: 1.1, data: ethernet(MAC3, MAC1, ipv4([10, 0, 0, 254], A, 1, icmpError(3, 1, syn))) },
    { t: 1.2, data: ethernet(MAC1, MAC2, dgram) },
    { t: 1.3, data: ethernet(MAC2, MAC1, ipv4(B, A, 1, icmpError(3, 3, dgram))) },
    { t: 1.4, data: ethernet(MAC1, MAC1, ipv4(A, A, 6, tcp(5000, 5000))) },
    { t: 1.5, data: ethernet(MAC2, MAC1, ipv4(B, A, 6, tcp(7000, 7000))) },
    { t: 1.6, data: ethernet(MAC1, MAC2, ipv4(A, B, 6, tcp(7000, 7000, 0x12))) },
    { t: 1.7, data: ethernet(MAC2, MAC1, ipv4(B, A, 17, udp(9000, 9000, [0x78]))) },
    { t: 1.8, data: ethernet(MAC1, MAC2, lateUdp) },
    { t: 0.5, data: ethernet(MAC1, MAC2, lateUdp) },
  ]);
}

/** SLL sources of every length (none, IPv4, Ethernet, 8 and 2 bytes), a netlink frame and a cut IP header. */
function sllCapture(): Uint8Array {
  const syn = ipv4(A, B, 6, tcp(40000, 80));
  return pcap(113, [
    { t: 1.0, data: sll(0, [], 0x800, syn) },
    { t: 1.1, data: sll(4, [192, 168, 1, 1], 0x800, syn) },
    { t: 1.2, data: sll(6, MAC1, 0x800, syn, 1, 4) },
    { t: 1.3, data: sll(8, [1, 2, 3, 4, 5, 6, 7, 8], 0x800, syn) },
    { t: 1.4, data: sll(6, MAC1, 0, [0x10, 0, 0, 0, ...new Array<number>(12).fill(0)], 824) },
    { t: 1.5, data: sll(2, [1, 2], 0x800, syn) },
    { t: 1.6, data: sll(6, MAC2, 0x800, syn.slice(0, 10)) },
  ]);
}

describe('conv and endpoints against tshark on crafted captures', { skip: SKIP_NO_TSHARK }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'mpscope-conv-'));
  const crafted: Array<[string, () => Uint8Array, string[]]> = [
    ['sizes.pcap', sizesCapture, ['conv,ip', 'endpoints,ip', 'conv,tcp']],
    ['icmp.pcap', icmpCapture, ALL_SPECS],
    ['sll.pcap', sllCapture, ALL_SPECS],
  ];
  const reports = new Map<string, string>();
  for (const [name, make, specs] of crafted) {
    it(`${name}: ${specs.join(' ')}`, async () => {
      ensureBuilt();
      const file = join(dir, name);
      writeFileSync(file, make());
      const { ours, theirs } = await bothAsync(file, specs);
      assert.equal(tableCount(theirs), specs.length);
      assert.equal(ours, theirs);
      reports.set(name, ours);
    });
  }

  it('sizes.pcap shows each unit boundary, the C int wrap and the tie rounding', () => {
    const out = reports.get('sizes.pcap') ?? '';
    for (const text of ['9999 bytes', '10 kB', '999 kB', '1000 kB', '9999 kB', '10 MB', '999 MB', '2147 MB', '10 GB', '12 GB', '100 GB', '-2147483648 bytes']) {
      assert.ok(out.includes(` ${text} `), text);
    }
    // 50 frames 1/32 s apart: 1.53125 s, printed with ties to even.
    assert.match(out, / 1\.5312\n/);
    assert.match(out, /18446744071562067968/);
  });
});

// ------------------------------------------------------------ MPTCP tables

interface MptcpFrame { stream: number; len: number; src: string; dst: string }

/**
 * The MPTCP frames as `-T fields` shows them: mptcp.stream, frame length and
 * subflow endpoints. (tshark's own mptcp.stream is not the reference here:
 * its analysis leaves out frames mpscope's keeps, such as a fallback
 * connection's.)
 */
function mptcpFrames(fieldLines: readonly string[]): MptcpFrame[] {
  return fieldLines.map((l) => {
    const [stream, len, s4, s6, sp, d4, d6, dp] = l.split('\t');
    return { stream: Number(stream), len: Number(len), src: `${s4 || s6}:${sp}`, dst: `${d4 || d6}:${dp}` };
  });
}

/** One run: the MPTCP frames' fields (the -Y applies to them only), then both MPTCP tables (taps see every frame). */
function mptcpRun(capture: string): { frames: MptcpFrame[]; endpoints: string; conv: string } {
  const r = mpscope(['-r', capture, '-Y', 'mptcp.stream', '-T', 'fields',
    '-e', 'mptcp.stream', '-e', 'frame.len', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport', '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', 'tcp.dstport',
    '-z', 'conv,mptcp', '-z', 'endpoints,mptcp']);
  assert.equal(r.status, 0, r.stderr);
  const rule = r.stdout.indexOf('='.repeat(80));
  const tables = r.stdout.slice(rule);
  const split = tables.indexOf('MPTCP Conversations') - 81;
  return {
    frames: mptcpFrames(r.stdout.slice(0, rule).split('\n').filter((l) => l !== '')),
    endpoints: tables.slice(0, split),
    conv: tables.slice(split),
  };
}

function rowsOf(report: string): string[][] {
  return report.split('\n').filter((l) => l.includes(' <-> ')).map((l) => l.trim().split(/\s+/));
}

describe('conv,mptcp and endpoints,mptcp on the lab captures', () => {
  for (const capture of labCaptures()) {
    it(basename(capture), () => {
      const { frames, endpoints, conv } = mptcpRun(capture);
      assert.match(conv, /^={80}\nMPTCP Conversations\nFilter:<No Filter>\n/);
      assert.match(endpoints, /^={80}\nMPTCP Endpoints\nFilter:<No Filter>\n/);
      assert.ok(frames.length > 0);
      const rows = rowsOf(conv);
      const streams = new Set(frames.map((f) => f.stream));
      assert.equal(rows.length, streams.size, 'one row per MPTCP connection');
      // Columns: A <-> B, then frames and a size (a number and a unit) three times, start, duration.
      const totals = rows.map((r) => Number(r[r.length - 5]));
      assert.deepEqual([...totals].sort((x, y) => y - x), totals, 'most frames first');
      const perStream = [...streams].map((s) => frames.filter((f) => f.stream === s).length).sort((x, y) => y - x);
      assert.deepEqual(totals, perStream, 'frames per connection, over all its subflows');

      const lines = endpoints.split('\n').slice(4, -2).map((l) => l.trim().split(/\s+/));
      const seen = new Set(frames.flatMap((f) => [f.src, f.dst]));
      assert.deepEqual(new Set(lines.map((l) => `${l[0]}:${l[1]}`)), seen, 'every address and port of a subflow');
      const bytes = frames.reduce((x, f) => x + f.len, 0);
      assert.equal(lines.reduce((x, l) => x + Number(l[5]), 0), bytes, 'Tx bytes sum to the MPTCP frames');
      assert.equal(lines.reduce((x, l) => x + Number(l[7]), 0), bytes, 'Rx bytes sum to the MPTCP frames');
    });
  }

  it('A is the client of the initial subflow, -> what it sent', () => {
    const capture = join(ROOT, 'test/fixtures/lab/mptcp-v4-2subflows.pcapng');
    assert.deepEqual(rowsOf(mptcpRun(capture).conv),
      [['10.0.1.1:36764', '<->', '10.0.3.1:5201', '231', '220', 'kB', '256', '222', 'kB', '487', '443', 'kB', '0.000000000', '0.0647']]);
  });
});

// ------------------------------------------------------------ in process

const env: TapEnv = {
  compileFilter: () => () => true,
};

describe('conv module', () => {
  it('rejects an unknown table type with a usage hint', () => {
    assert.throws(() => makeConvTap('conv,ipx', '', env), (e: unknown) => e instanceof UsageError && /ipx/.test(e.message) && /conv,eth\|ip/.test(e.hint ?? ''));
    assert.throws(() => makeEndpointsTap('endpoints,fc', '', env), UsageError);
  });

  it('asks for the MPTCP analysis only for the MPTCP tables', () => {
    assert.equal(makeConvTap('conv,mptcp', '', env).needs?.mptcp, true);
    assert.equal(makeEndpointsTap('endpoints,tcp', '', env).needs?.mptcp, undefined);
  });

  it('prints empty tables before any frame', () => {
    assert.equal(makeEndpointsTap('endpoints,udp', 'udp.port==53', env).draw(),
      `${'='.repeat(80)}\nUDP Endpoints\nFilter:udp.port==53\n                       |  Port  ||  Packets  | |  Bytes  | | Tx Packets | | Tx Bytes | | Rx Packets | | Rx Bytes |\n${'='.repeat(80)}\n`);
  });

  it('formats as C printf and tshark format_size do', () => {
    assert.equal(cFixed(0.03125, 4), '0.0312');
    assert.equal(cFixed(0.09375, 4), '0.0938');
    assert.equal(cFixed(-0.5, 9), '-0.500000000');
    assert.equal(cFixed(0, 4), '0.0000');
    assert.equal(cFixed(24.294943847, 9), '24.294943847');
    assert.equal(sizeText(9999), '9999 bytes');
    assert.equal(sizeText(10999), '10 kB');
    assert.equal(sizeText(99_999_999_999_999), '99 TB');
    assert.equal(tableLength(2 ** 31), -(2 ** 31));
    assert.equal(u64Text(-1), '18446744073709551615');
  });
});

describe('conv through the command', { skip: SKIP_NO_TSHARK }, () => {
  it('stops on a bad filter as tshark does', () => {
    const capture = join(ROOT, 'test/fixtures/lab/mptcp-fallback.pcapng');
    const ours = mpscope(['-q', '-r', capture, '-z', 'conv,tcp,tcp.port==']);
    const theirs = tshark(['-q', '-r', capture, '-z', 'conv,tcp,tcp.port==']);
    assert.notEqual(theirs.status, 0);
    assert.notEqual(ours.status, 0);
    assert.equal(ours.stdout, '');
    assert.match(ours.stderr, /tcp\.port==/);
  });
});
