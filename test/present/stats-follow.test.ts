/**
 * `-z follow,tcp|udp`: mpscope's report against tshark 4.0's, byte for
 * byte, on every real capture's streams that carry payload and on crafted
 * captures that put reassembly on the spot (segments out of order,
 * retransmitted with other bytes or with more, overlapping, lost, cut by the
 * snapshot length), plus tshark's argument errors.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TcpTracker } from '../../src/analysis/index.js';
import { readCaptureBytes } from '../../src/capture/index.js';
import { parseFollowArgs } from '../../src/present/stats/follow-args.js';
import { makeTap } from '../../src/present/stats/index.js';
import { UsageError } from '../../src/util/errors.js';
import { decodePacket } from '../../src/wire/index.js';
import { ipFrame, Timeline, type Endpoint } from '../analysis/tcp-craft.js';
import { concat, hex, sum16 } from '../helpers/bytes.js';
import { rng } from '../helpers/rng.js';
import { corpusAndLabCaptures, corpusCaptures, ROOT, SKIP_NO_SHARED } from '../helpers/shared.js';
import { ensureBuilt, mpscope, SKIP_NO_TSHARK } from '../helpers/stats.js';

const CLI = join(ROOT, 'bin/mpscope.js');

/** Streams asked for per capture: the first ones with payload (client_2/server_2 have 16). */
const STREAMS_PER_CAPTURE = 6;

interface Done {
  status: number;
  stdout: string;
  stderr: string;
}

/** A command without waiting for it, so that the two tools' runs overlap. */
function run(cmd: string, args: string[]): Promise<Done> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' }, maxBuffer: 1 << 28 }, (err, stdout, stderr) => {
      resolve({ status: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

const tsharkAsync = (args: string[]): Promise<Done> => run('tshark', ['-n', ...args]);

/** Every report of the -z list from both tools, run side by side (tshark prints them in reverse order, and so does mpscope); mpscope's output. */
async function compareReports(capture: string, specs: readonly string[]): Promise<string> {
  const z = specs.flatMap((s) => ['-z', s]);
  ensureBuilt();
  const [ours, theirs] = await Promise.all([run(process.execPath, [CLI, 'read', '-q', '-r', capture, ...z]), tsharkAsync(['-q', '-r', capture, ...z])]);
  assert.equal(ours.status, 0, `mpscope on ${capture}: ${ours.stderr}`);
  assert.equal(theirs.status, 0, `tshark on ${capture}: ${theirs.stderr}`);
  assert.ok(theirs.stdout.includes('Follow: ') || theirs.stdout.includes('peers:'), `tshark printed no report for ${capture}`);
  assert.equal(ours.stdout, theirs.stdout, `${basename(capture)}: ${specs.join(' ')}`);
  return ours.stdout;
}

/** tcp.stream indexes whose packets carry payload, and udp.stream-like pairs with payload, by mpscope's own decoding. */
function streamsWithPayload(file: string): { tcp: number[]; udp: number } {
  const tracker = new TcpTracker();
  const tcp = new Set<number>();
  const udpPairs = new Set<string>();
  readCaptureBytes(new Uint8Array(readFileSync(file)), (frame) => {
    const pkt = decodePacket({ ...frame, data: frame.data.slice() });
    const a = tracker.process(pkt);
    if (a !== undefined && !a.quoted && pkt.tcp !== undefined && pkt.tcp.payloadCaptured > 0) tcp.add(a.stream);
    if (pkt.udp !== undefined && pkt.udp.payloadLength > 0) udpPairs.add(`${pkt.udp.srcPort}-${pkt.udp.dstPort}`);
  });
  return { tcp: [...tcp].sort((x, y) => x - y), udp: udpPairs.size };
}

// ------------------------------------------------------------ crafted captures

const te = new TextEncoder();

interface Seg {
  seq: number;
  ack?: number;
  f?: string;
  data?: string | Uint8Array;
  /** Bytes of the segment kept in the capture (snapshot length), counted from the TCP header. */
  snap?: number;
  /** Raw TCP option bytes, hex. */
  opts?: string;
}

const FLAGS: Record<string, number> = { F: 1, S: 2, R: 4, P: 8, A: 16 };

/** A TCP segment with `data` as its payload, checksum filled. */
function segment(src: Endpoint, dst: Endpoint, s: Seg): Uint8Array {
  const opts = hex(s.opts ?? '');
  const payload = typeof s.data === 'string' || s.data === undefined ? te.encode(s.data ?? '') : s.data;
  const seg = new Uint8Array(20 + opts.length + payload.length);
  const v = new DataView(seg.buffer);
  v.setUint16(0, src.port);
  v.setUint16(2, dst.port);
  v.setUint32(4, s.seq >>> 0);
  v.setUint32(8, (s.ack ?? 0) >>> 0);
  let flags = 0;
  for (const c of s.f ?? 'A') flags |= FLAGS[c]!;
  v.setUint16(12, (((20 + opts.length) / 4) << 12) | flags);
  v.setUint16(14, 65535);
  seg.set(opts, 20);
  seg.set(payload, 20 + opts.length);
  const ip = (t: string) => new Uint8Array(t.split('.').map(Number));
  const pseudo = concat(ip(src.ip), ip(dst.ip), new Uint8Array([0, 6, seg.length >> 8, seg.length & 0xff]));
  v.setUint16(16, ~sum16(seg, sum16(pseudo)) & 0xffff);
  return seg;
}

/** A conversation between a client `c` and server `s`, frames on a timeline. */
class Convo {
  constructor(readonly tl = new Timeline(), readonly c: Endpoint = { ip: '10.0.0.1', port: 40000 }, readonly s: Endpoint = { ip: '10.0.0.2', port: 80 }) {}

  private push(from: Endpoint, to: Endpoint, x: Seg): this {
    const frame = ipFrame(from.ip, to.ip, 6, segment(from, to, x));
    this.tl.push(x.snap === undefined ? frame : frame.subarray(0, 14 + 20 + x.snap));
    const last = this.tl.frames[this.tl.frames.length - 1]!;
    this.tl.frames[this.tl.frames.length - 1] = { ...last, origLen: frame.length };
    return this;
  }

  cs(x: Seg): this { return this.push(this.c, this.s, x); }
  sc(x: Seg): this { return this.push(this.s, this.c, x); }
}

/** ISNs: the client's near the top of sequence space, so the raw numbers wrap. */
const CI = 0xfffffff0;
const SI = 5000;
const c = (n: number) => (CI + n) >>> 0;
const s = (n: number) => (SI + n) >>> 0;

function handshake(v: Convo): Convo {
  return v.cs({ seq: CI, f: 'S' }).sc({ seq: SI, ack: c(1), f: 'SA' }).cs({ seq: c(1), ack: s(1) });
}

/** Each case on its own client port of one capture: case i is tcp.stream i. */
const CRAFTED: Record<string, (v: Convo) => Convo> = {
  /** Out of order, a retransmission with other bytes (the first copy wins), one with more bytes (only the new ones count). */
  reorder: (v) => handshake(v)
    .cs({ seq: c(1), ack: s(1), f: 'PA', data: 'abcd' })
    .cs({ seq: c(9), ack: s(1), f: 'PA', data: 'ij' })
    .cs({ seq: c(5), ack: s(1), f: 'PA', data: 'efgh' })
    .sc({ seq: s(1), ack: c(11), f: 'PA', data: 'hello\r\n' })
    .cs({ seq: c(1), ack: s(8), f: 'PA', data: 'ABCD' })
    .cs({ seq: c(3), ack: s(8), f: 'PA', data: 'CDEFGHIJKL' })
    .sc({ seq: s(8), ack: c(13), f: 'PA', data: 'world' })
    .sc({ seq: s(3), ack: c(13), f: 'PA', data: 'LLO\r\nWOR' }),
  /** Kept segments released in list order, a stale one dropped. */
  pending: (v) => handshake(v)
    .cs({ seq: c(1), ack: s(1), f: 'PA', data: 'aaaa' })
    .cs({ seq: c(9), ack: s(1), f: 'PA', data: 'cc' })
    .cs({ seq: c(7), ack: s(1), f: 'PA', data: 'XXXXXX' })
    .cs({ seq: c(5), ack: s(1), f: 'PA', data: 'bb' })
    .sc({ seq: s(1), ack: c(13), f: 'PA', data: 'ok' }),
  /** A hole the receiver acknowledged: tshark writes a marker for the missing bytes; a kept segment never acknowledged stays out. */
  loss: (v) => handshake(v)
    .cs({ seq: c(1), ack: s(1), f: 'PA', data: 'first ' })
    .cs({ seq: c(13), ack: s(1), f: 'PA', data: 'third ' })
    .sc({ seq: s(1), ack: c(19), f: 'PA', data: 'got it' })
    .cs({ seq: c(19), ack: s(7), f: 'PA', data: 'fourth' })
    .sc({ seq: s(13), ack: c(25), f: 'PA', data: 'late' })
    .cs({ seq: c(25), ack: s(7), f: 'FA' }),
  /** Payload cut by the snapshot length: what was captured is shown, and the cut bytes still count as received. */
  snaplen: (v) => handshake(v)
    .cs({ seq: c(1), ack: s(1), f: 'PA', data: '0123456789', snap: 24 })
    .cs({ seq: c(11), ack: s(1), f: 'PA', data: 'abcdef' })
    .cs({ seq: c(17), ack: s(1), f: 'PA', data: 'nothing captured', snap: 20 })
    .cs({ seq: c(33), ack: s(1), f: 'PA', data: 'after' })
    .sc({ seq: s(1), ack: c(38), f: 'A' }),
  /** Data on the SYN (Fast Open), the server speaking first after it, a segment with an MPTCP DSS too short for its flags (tshark stops there). */
  synData: (v) => v
    .cs({ seq: CI, f: 'S', data: 'GET / HTTP/1.0\r\n' })
    .sc({ seq: SI, ack: c(17), f: 'SA', data: 'HTTP/1.0 200 OK\r\n' })
    .cs({ seq: c(17), ack: s(18), f: 'PA', data: 'Host: x\r\n\r\n' })
    .sc({ seq: s(18), ack: c(28), f: 'PA', data: 'dropped', opts: '1e042005' })
    .sc({ seq: s(25), ack: c(28), f: 'PA', data: '\x00\x01\x7f\x80\xff bytes\tend ' })
    .cs({ seq: c(28), ack: s(46), f: 'A' }),
  /** An option of a wrong length does not end tshark's options: an MPTCP DSS after it that is too short still drops the segment. */
  badOptionThenShortDss: (v) => handshake(v)
    .cs({ seq: c(1), ack: s(1), f: 'PA', data: 'kept ' })
    .cs({ seq: c(6), ack: s(1), f: 'PA', data: 'dropped', opts: '0203051e04200501' })
    .sc({ seq: s(1), ack: c(13), f: 'A' }),
  /** No handshake and the server's segment first: it names node 0. */
  serverFirst: (v) => v
    .sc({ seq: s(1), ack: c(1), f: 'PA', data: 'banner\n' })
    .cs({ seq: c(1), ack: s(8), f: 'PA', data: 'x'.repeat(40) })
    .sc({ seq: s(8), ack: c(41), f: 'PA', data: 'y'.repeat(8) }),
};

function craftedTcp(): Timeline {
  const tl = new Timeline();
  Object.values(CRAFTED).forEach((make, i) => make(new Convo(tl, { ip: '10.0.0.1', port: 40000 + i })));
  return tl;
}

/**
 * Streams of random segments: pieces of each side's text at random places
 * (so out of order, overlapping, repeated, some with a changed first byte,
 * some cut by the snapshot length), random acknowledgements (so holes
 * acknowledged or not), random ISNs, with or without a handshake.
 */
function randomTcp(seed: number, streams: number): Timeline {
  const r = rng(seed);
  const tl = new Timeline();
  const text = (base: number): Uint8Array => Uint8Array.from({ length: 200 }, (_, i) => base + ((i + Math.floor(r() * 3)) % 26));
  for (let k = 0; k < streams; k++) {
    const v = new Convo(tl, { ip: '10.0.0.1', port: 30000 + k });
    const isn = [Math.floor(r() * 2 ** 32), Math.floor(r() * 2 ** 32)] as const;
    const data = [text(0x61), text(0x41)] as const;
    if (r() < 0.8) v.cs({ seq: isn[0], f: 'S' }).sc({ seq: isn[1], ack: isn[0] + 1, f: 'SA' });
    for (let i = 0; i < 25; i++) {
      const side = r() < 0.5 ? 0 : 1;
      const start = Math.floor(r() * 180);
      const piece = data[side].slice(start, start + 1 + Math.floor(r() * 30));
      if (r() < 0.15) piece[0] = 0x30;
      const x: Seg = { seq: isn[side] + 1 + start, ack: isn[1 - side]! + 1 + Math.floor(r() * 200), f: r() < 0.1 ? 'P' : 'PA', data: piece };
      if (r() < 0.05) x.snap = Math.floor(r() * piece.length);
      if (side === 0) v.cs(x);
      else v.sc(x);
    }
  }
  return tl;
}

function udpDatagram(sp: number, dp: number, payload: string, lengthField?: number): Uint8Array {
  const p = te.encode(payload);
  const h = new Uint8Array(8);
  const v = new DataView(h.buffer);
  v.setUint16(0, sp);
  v.setUint16(2, dp);
  v.setUint16(4, lengthField ?? 8 + p.length);
  return concat(h, p);
}

/** Streams of datagrams: an empty one first, a length field shorter and longer than the payload, a bad one, an ICMP quote, IPv6. */
function udpCapture(): Timeline {
  const tl = new Timeline();
  const v6a = 'fd000000000000000000000000000001';
  const v6b = 'fd000000000000000000000000000002';
  tl.push(ipFrame('10.0.0.2', '10.0.0.1', 17, udpDatagram(53, 1000, '')));
  tl.push(ipFrame('10.0.0.1', '10.0.0.2', 17, udpDatagram(1000, 53, 'hello')));
  tl.push(ipFrame('10.0.0.2', '10.0.0.1', 17, udpDatagram(53, 1000, 'world!')));
  tl.push(ipFrame('10.0.0.3', '10.0.0.2', 17, udpDatagram(1001, 53, 'other')));
  tl.push(ipFrame('10.0.0.1', '10.0.0.2', 17, udpDatagram(1000, 53, 'short', 10)));
  tl.push(ipFrame('10.0.0.1', '10.0.0.2', 17, udpDatagram(1000, 53, 'bad', 4)));
  tl.push(ipFrame('10.0.0.1', '10.0.0.2', 17, udpDatagram(1000, 53, 'long', 40)));
  tl.push(ipFrame('10.0.0.4', '10.0.0.2', 17, udpDatagram(1002, 53, 'bad2', 4)));
  const quote = (from: string, sp: number, text: string) => ipFrame(from, '10.0.0.2', 17, udpDatagram(sp, 53, text)).subarray(14);
  tl.push(ipFrame('10.0.0.2', '10.0.0.1', 1, concat(hex('03030000 00000000'), quote('10.0.0.1', 1000, 'quoted!'))));
  tl.push(ipFrame('10.0.0.2', '10.0.0.9', 1, concat(hex('03030000 00000000'), quote('10.0.0.9', 1009, 'new'))));
  tl.push(ipFrame('10.0.0.9', '10.0.0.2', 17, udpDatagram(1009, 53, 'after the quote')));
  tl.push(ipFrame(v6a, v6b, 17, udpDatagram(5000, 6000, 'six')));
  tl.push(ipFrame(v6b, v6a, 17, udpDatagram(6000, 5000, 'x'.repeat(70))));
  return tl;
}

const dir = mkdtempSync(join(tmpdir(), 'mpscope-follow-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function craftedFile(name: string, tl: Timeline): string {
  const file = join(dir, `${name}.pcap`);
  writeFileSync(file, tl.pcap());
  return file;
}

const MODES = ['ascii', 'hex', 'raw', 'yaml', 'ebcdic'];

/** Arguments tshark 4.0 refuses, and what it says (after "tshark: follow - "). */
const BAD: Record<string, string> = {
  'follow,tcp': 'Invalid display mode.',
  'follow,tcp,ascii': 'Invalid address.',
  'follow,tcp,ascii,0 ': 'Invalid address.',
  'follow,udp,hexdump,0': 'Invalid address.',
  'follow,tcp,ascii,2147483648': 'Error registering tap listener.',
  'follow,tcp,ascii,0,0': 'Invalid range value.',
  'follow,tcp,ascii,0,4294967296': 'Invalid range value.',
  'follow,tcp,ascii,0,a': 'Invalid range.',
  'follow,tcp,ascii,0,3-': 'Invalid parameter.',
  'follow,tcp,ascii,1.2.3.4:70000,1.2.3.5:6': 'Invalid port.',
  'follow,tcp,ascii,1.2.3.04:5,1.2.3.5:6': "Can't get IPv4 address",
  'follow,tcp,ascii,[1::2::3]:5,[::1]:6': "Can't get IPv6 address",
  'follow,tcp,ascii,[::1]:5,1.2.3.5:6': 'Mismatched IP address types.',
};

describe('-z follow against tshark', () => {
  it('follow,tcp (ascii/hex/raw, every stream with payload) and follow,udp on every real capture', { skip: SKIP_NO_TSHARK || SKIP_NO_SHARED }, async () => {
    let tcpReports = 0;
    let udpCaptures = 0;
    for (const file of corpusAndLabCaptures()) {
      const found = streamsWithPayload(file);
      const streams = found.tcp.slice(0, STREAMS_PER_CAPTURE);
      const specs = streams.flatMap((n) => ['ascii', 'hex', 'raw'].map((m) => `follow,tcp,${m},${n}`));
      // yaml and ebcdic once per capture, on its first stream.
      if (streams.length > 0) specs.push(`follow,tcp,yaml,${streams[0]}`, `follow,tcp,ebcdic,${streams[0]}`);
      tcpReports += specs.length;
      // The corpus's UDP: DHCP in the pymptcpanalyzer captures, DNS in tcpdump's mptcp-aa-v1.
      if (found.udp > 0) {
        specs.push(...MODES.map((m) => `follow,udp,${m},0`));
        udpCaptures++;
      }
      if (specs.length > 0) await compareReports(file, specs);
    }
    // 23 corpus and lab captures carry TCP payload (43 streams asked for), 4 UDP payload: a vacuous loop would compare nothing.
    assert.ok(tcpReports >= 150, `only ${tcpReports} TCP reports compared`);
    assert.ok(udpCaptures >= 4, `UDP compared in ${udpCaptures} captures`);
  });

  it('follow,tcp on crafted streams: order, retransmissions, overlaps, losses, snapshot length', { skip: SKIP_NO_TSHARK }, async () => {
    const file = craftedFile('tcp', craftedTcp());
    const names = Object.keys(CRAFTED);
    const specs = names.flatMap((_, i) => [...MODES.map((m) => `follow,tcp,${m},${i}`), `follow,tcp,hex,${i},2-3`, `follow,tcp,ascii,${i},2`]);
    const ours = await compareReports(file, specs);
    // Not only equal: each case does what it was made for.
    const ascii = (name: string): string => {
      // The full report: the range's comes before it (tshark prints the last -z first).
      const from = ours.lastIndexOf(`Follow: tcp,ascii\nFilter: tcp.stream eq ${names.indexOf(name)}\n`);
      return ours.slice(from, ours.indexOf('='.repeat(67), from));
    };
    assert.ok(ascii('reorder').endsWith('\n4\nabcd\n4\nefgh\n2\nij\n\t7\nhello\r\n\n2\nKL\n\t5\nworld\n'), ascii('reorder'));
    assert.ok(ascii('pending').endsWith('\n4\naaaa\n2\nbb\n6\nXXXXXX\n\t2\nok\n'), ascii('pending'));
    const loss = ascii('loss');
    assert.ok(loss.includes('\n6\nfirst \n34\n[6 bytes missing in capture file].\n6\nthird \n'), loss);
    assert.ok(!loss.includes('late'), 'the segment never acknowledged stays out');
    assert.ok(ascii('snaplen').includes('\n4\n0123\n6\nabcdef\n35\n[16 bytes missing in capture file].\n5\nafter\n'), ascii('snaplen'));
    assert.ok(ascii('synData').includes('\t34\n[7 bytes missing in capture file].\n'), ascii('synData'));
    assert.ok(ascii('serverFirst').includes('Node 0: 10.0.0.2:80\n'), ascii('serverFirst'));
  });

  it('follow,tcp on random streams (seeded)', { skip: SKIP_NO_TSHARK }, async () => {
    const file = craftedFile('random', randomTcp(7, 30));
    const ours = await compareReports(file, Array.from({ length: 30 }, (_, i) => [`follow,tcp,ascii,${i}`, `follow,tcp,hex,${i}`]).flat());
    // The streams have holes the receiver acknowledged: markers are part of what was compared.
    assert.ok((ours.match(/bytes missing in capture file/g) ?? []).length >= 20);
  });

  it('follow,udp on crafted datagrams: streams, lengths, quotes, IPv6', { skip: SKIP_NO_TSHARK }, async () => {
    const file = craftedFile('udp', udpCapture());
    await compareReports(file, [0, 1, 2, 3, 4].flatMap((n) => MODES.map((m) => `follow,udp,${m},${n}`)));
  });

  it('endpoint filters in either order, IPv6 endpoints, chunk ranges', { skip: SKIP_NO_TSHARK }, async () => {
    const tcp = craftedFile('tcp-addr', craftedTcp());
    await compareReports(tcp, [
      'follow,tcp,ascii,10.0.0.2:80,10.0.0.1:40000',
      'follow,tcp,raw,10.0.0.1:40000,10.0.0.2:80,3',
      'follow,tcp,hex,10.0.0.1:40000,10.0.0.2:81',
      'follow,tcp,raw,0,4-99',
      'follow,tcp,raw,0,-1',
      'follow,tcp,raw, +0,1- 2',
      'follow,tcp,ascii,4294967296',
      'follow,tcp,ascii,7',
    ]);
    const udp = craftedFile('udp-addr', udpCapture());
    await compareReports(udp, [
      'follow,udp,ascii,[fd00::2]:6000,[fd00::1]:5000',
      'follow,udp,yaml,10.0.0.2:53,10.0.0.1:1000',
      'follow,udp,hex,[fd00::2]:6000,[fd00::1]:5000,2',
    ]);
  });

  it("refuses what tshark refuses, with tshark's words", { skip: SKIP_NO_TSHARK }, async () => {
    const file = craftedFile('args', craftedTcp());
    // One tshark start-up per argument, run side by side.
    const theirs = await Promise.all(Object.keys(BAD).map((spec) => tsharkAsync(['-q', '-r', file, '-z', spec])));
    const env = { compileFilter: (): never => assert.fail('follow compiles no filter') };
    Object.entries(BAD).forEach(([spec, words], i) => {
      assert.equal(theirs[i]!.status, 1, `tshark accepted ${spec}`);
      assert.ok(theirs[i]!.stderr.includes(`tshark: follow - ${words}\n`), `${spec}: tshark says ${theirs[i]!.stderr}`);
    });
    for (const [spec, words] of Object.entries(BAD)) {
      await assert.rejects(makeTap(spec, env), (e) => e instanceof UsageError && e.message === `follow - ${words}`, spec);
    }
    // Through the command: exit status 1, the words on standard error, nothing on standard output.
    const ours = mpscope(['-q', '-r', file, '-z', 'follow,tcp,ascii,0,2-1']);
    assert.equal(ours.status, 1);
    assert.equal(ours.stdout, '');
    assert.match(ours.stderr, /follow - Invalid range value\./);
  });
});

describe('-z follow arguments (no tshark needed)', () => {
  it("reads numbers as tshark's scanf does: blanks, signs, 32-bit wrap-around", () => {
    const spec = parseFollowArgs('tcp', 'raw, +0,1- 2');
    assert.deepEqual([spec.mode, spec.stream, spec.chunkMin, spec.chunkMax, spec.filterText], ['raw', 0, 1, 2, 'tcp.stream eq 0']);
    assert.equal(parseFollowArgs('udp', 'hex,4294967297').filterText, 'udp.stream eq 1');
    assert.equal(parseFollowArgs('tcp', 'ascii,99999999999').stream, 1215752191);
    // "-1" as an unsigned chunk number is the largest one: a range that shows nothing.
    assert.deepEqual([parseFollowArgs('tcp', 'ascii,0,-1').chunkMin, parseFollowArgs('tcp', 'ascii,0,-1').chunkMax], [0xffffffff, 0xffffffff]);
    assert.equal(parseFollowArgs('tcp', 'yaml,1.2.3.4:4294967301,1.2.3.4:6').endpoints?.[0].port, 5);
  });

  it('writes the endpoint filter as tshark does, addresses in their canonical text', () => {
    assert.equal(
      parseFollowArgs('tcp', 'ascii,[FD00:0::1]:5,[::ffff:1.2.3.4]:6').filterText,
      '((ipv6.src eq fd00::1 and tcp.srcport eq 5) and (ipv6.dst eq ::ffff:1.2.3.4 and tcp.dstport eq 6)) or ((ipv6.src eq ::ffff:1.2.3.4 and tcp.srcport eq 6) and (ipv6.dst eq fd00::1 and tcp.dstport eq 5))',
    );
    assert.equal(
      parseFollowArgs('udp', 'raw,10.0.0.1:53,10.0.0.2:1000,2-3').filterText,
      '((ip.src eq 10.0.0.1 and udp.srcport eq 53) and (ip.dst eq 10.0.0.2 and udp.dstport eq 1000)) or ((ip.src eq 10.0.0.2 and udp.srcport eq 1000) and (ip.dst eq 10.0.0.1 and udp.dstport eq 53))',
    );
  });

  it("refuses bad arguments with tshark's words", () => {
    for (const [spec, words] of Object.entries(BAD)) {
      const [, proto, args] = /^follow,(tcp|udp),?(.*)$/.exec(spec)!;
      assert.throws(() => parseFollowArgs(proto as 'tcp' | 'udp', args!), (e) => e instanceof UsageError && e.message === `follow - ${words}`, spec);
    }
  });
});
