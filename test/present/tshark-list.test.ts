import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { decodePacket } from '../../src/wire/index.js';
import type { Packet } from '../../src/wire/index.js';
import { ListFormatter, type TimeFormat } from '../../src/present/list.js';
import { deltaString, fraction } from '../../src/present/tshark/time.js';
import { ipv6String } from '../../src/present/tshark/addr.js';
import { encodePcap } from '../../src/capture/index.js';
import { CORPUS, ROOT, SKIP_NO_SHARED, corpusCaptures, hasCommand } from '../helpers/shared.js';
import { mpscope } from '../helpers/stats.js';
import { NO_REASSEMBLY, readFrames, tshark } from './tshark-helpers.js';

// The clock formats print local time; compare in the zone tshark runs in.
process.env.TZ = 'UTC';

const SKIP_NO_TSHARK = hasCommand('tshark') ? false : 'tshark not installed';

function decodeAll(file: string): Packet[] {
  return readFrames(file).map((f) => decodePacket(f));
}

function tsharkLines(file: string, extra: string[] = []): string[] {
  return tshark([...NO_REASSEMBLY, ...extra, '-r', file]).split('\n').filter((l) => l !== '');
}

test('time texts: fractions truncate to the file precision, deltas keep their sign', () => {
  assert.equal(fraction(123456789, 9), '.123456789');
  assert.equal(fraction(123456789, 6), '.123456');
  assert.equal(fraction(5, 0), '');
  assert.equal(deltaString(10, 500, 10, 0, 9), '0.000000500');
  assert.equal(deltaString(10, 0, 10, 500, 6), '-0.000000');
  assert.equal(deltaString(9, 999_000_000, 11, 0, 6), '-1.001000');
  assert.equal(deltaString(1578930666, 676888000, 1578930666, 676845000, 6), '0.000043');
});

test('IPv6 addresses are written in RFC 5952 form', () => {
  const a = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g)!.map((x) => parseInt(x, 16)));
  assert.equal(ipv6String(a('fe800000000000000200000000000001'.replace('0200000000000001', '020000fffe000001'))), 'fe80::200:ff:fe00:1');
  assert.equal(ipv6String(a('ff020000000000000000000000000002')), 'ff02::2');
  assert.equal(ipv6String(a('00000000000000000000000000000000')), '::');
  assert.equal(ipv6String(a('20010db8000000010000000000000001')), '2001:db8:0:1::1');
  assert.equal(ipv6String(a('20010db8000000000001000000000001')), '2001:db8::1:0:0:1');
  assert.equal(ipv6String(a('00000000000000000000ffffc0000201')), '::ffff:192.0.2.1');
});

for (const file of corpusCaptures()) {
  const name = `${basename(dirname(file))}/${basename(file)}`;
  test(`list lines equal tshark's for every TCP/MPTCP frame: ${name}`, { skip: SKIP_NO_SHARED || SKIP_NO_TSHARK }, (t) => {
    const lines = tsharkLines(file);
    const pkts = decodeAll(file);
    assert.equal(pkts.length, lines.length);
    const lf = new ListFormatter();
    let tcp = 0;
    let other = 0;
    let otherSame = 0;
    const mismatches: string[] = [];
    pkts.forEach((pkt, i) => {
      const ours = lf.format(pkt);
      const theirs = lines[i]!;
      if (/ (TCP|MPTCP) \d+ /.test(theirs)) {
        tcp++;
        if (ours !== theirs) mismatches.push(`tshark: ${theirs}\nours:   ${ours}`);
      } else {
        other++;
        if (ours === theirs) otherSame++;
      }
    });
    t.diagnostic(`${tcp} TCP/MPTCP lines; other lines ${otherSame}/${other} identical (best effort)`);
    assert.deepEqual(mismatches.slice(0, 5), []);
  });
}

const TIME_FORMATS: TimeFormat[] = ['r', 'a', 'ad', 'd', 'dd', 'e', 'u', 'ud'];

for (const name of ['tcpdump/mptcp-v1.pcap', 'tcpdump/tcp-handshake-nano.pcap', 'pymptcpanalyzer/iperf-mptcp-0-0.pcap']) {
  test(`time column formats (-t) equal tshark's on ${name}`, { skip: SKIP_NO_SHARED || SKIP_NO_TSHARK }, () => {
    const file = join(CORPUS, name);
    const pkts = decodeAll(file).slice(0, 50);
    for (const tf of TIME_FORMATS) {
      const lines = tsharkLines(file, ['-t', tf, '-c', String(pkts.length)]);
      const lf = new ListFormatter({ timeFormat: tf });
      pkts.forEach((pkt, i) => {
        const ours = lf.format(pkt);
        const theirs = lines[i]!;
        if (/ (TCP|MPTCP) \d+ /.test(theirs)) assert.equal(ours, theirs, `-t ${tf}`);
      });
    }
  });
}

test('skipped packets still count as first and previous captured', { skip: SKIP_NO_SHARED }, () => {
  const pkts = decodeAll(join(CORPUS, 'tcpdump/mptcp-v1.pcap'));
  const d = new ListFormatter({ timeFormat: 'd' });
  const dd = new ListFormatter({ timeFormat: 'dd' });
  const r = new ListFormatter({ timeFormat: 'r' });
  for (const f of [d, dd, r]) f.skip(pkts[0]!);
  for (const f of [d, dd, r]) f.skip(pkts[1]!);
  // Frame 3 is 70 us after frame 2 and 113 us after frame 1; it is the first displayed.
  assert.match(d.format(pkts[2]!), /^ {4}3 {3}0\.000070 /);
  assert.match(dd.format(pkts[2]!), /^ {4}3 {3}0\.000000 /);
  assert.match(r.format(pkts[2]!), /^ {4}3 {3}0\.000113 /);
  d.skip(pkts[3]!);
  dd.skip(pkts[3]!);
  assert.match(d.format(pkts[4]!), /^ {4}5 {3}0\.000014 /);
  assert.match(dd.format(pkts[4]!), /^ {4}5 {3}0\.000155 /);
});

test('`mpscope read` lists segments with bad IPv4 header checksums as tshark does (neither checks them by default)', { skip: SKIP_NO_TSHARK }, () => {
  const frames = readFrames(join(ROOT, 'test/fixtures/lab/mptcp-v4-csum.pcapng'))
    .filter((f) => f.linkType === 1 && f.data[12] === 0x08 && f.data[13] === 0x00)
    .slice(0, 80);
  // Every other header's checksum is wrong.
  frames.forEach((f, i) => {
    if (i % 2 === 0) f.data[14 + 10] = f.data[14 + 10]! ^ 0x81;
  });
  assert.ok(decodePacket(frames[0]!).findings.some((x) => x.code === 'ip.checksum.bad'), 'the file holds bad checksums');
  const dir = mkdtempSync(join(tmpdir(), 'mpscope-ipsum-'));
  try {
    const file = join(dir, 'bad-ip-checksums.pcap');
    writeFileSync(file, encodePcap(frames, { linkType: 1 }));
    const ours = mpscope(['-r', file]);
    assert.equal(ours.status, 0, ours.stderr);
    assert.deepEqual(ours.stdout.split('\n'), tshark(['-r', file]).split('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
