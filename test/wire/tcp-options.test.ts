import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodePcap } from '../../src/capture/index.js';
import { decodePacket } from '../../src/wire/packet.js';
import { decodeTcpOptions, encodeTcpOptions, tcpOptionName, tcpOptionsLength } from '../../src/wire/tcp-options.js';
import type { Finding, TcpOption } from '../../src/wire/types.js';
import { hasCommand } from '../helpers/shared.js';
import { hex, ipv4Packet, tcpSegment, toHex } from './bytes.js';

/** Decodes an options area given as hex and checks that it re-encodes to the same bytes. */
function area(h: string): { options: TcpOption[]; findings: Finding[] } {
  const bytes = hex(h);
  const findings: Finding[] = [];
  const options = decodeTcpOptions(bytes, 0, bytes.length, bytes.length, findings, []);
  assert.equal(tcpOptionsLength(options), bytes.length, `${h}: encoding length`);
  assert.equal(toHex(encodeTcpOptions(options)), toHex(bytes), `${h}: re-encoded`);
  const big = new Uint8Array(bytes.length + 6).fill(0xee);
  encodeTcpOptions(options, big, 3);
  assert.equal(toHex(big.subarray(3, 3 + bytes.length)), toHex(bytes), `${h}: at an offset`);
  assert.equal(big[2], 0xee);
  assert.equal(big[3 + bytes.length], 0xee);
  return { options, findings };
}

function one<T extends TcpOption['type']>(h: string, type: T): Extract<TcpOption, { type: T }> {
  const { options, findings } = area(h);
  assert.equal(options.length, 1, h);
  assert.deepEqual(findings, [], h);
  const o = options[0]!;
  assert.equal(o.type, type, h);
  assert.equal(toHex(o.raw), h.replace(/\s/g, ''));
  return o as Extract<TcpOption, { type: T }>;
}

test('every option kind decodes to its fields', () => {
  assert.equal(one('020405b4', 'mss').mss, 1460);
  assert.equal(one('030307', 'wscale').shift, 7);
  one('0402', 'sackPerm');
  assert.deepEqual(one('050a 00000001 00000002', 'sack').blocks, [[1, 2]]);
  assert.deepEqual(one('0522 00000001 00000002 00000003 00000004 fffffffe ffffffff 80000000 80000001', 'sack').blocks,
    [[1, 2], [3, 4], [0xfffffffe, 0xffffffff], [0x80000000, 0x80000001]]);
  const ts = one('080a 00228d1d 80000000', 'timestamps');
  assert.deepEqual([ts.tsval, ts.tsecr], [0x00228d1d, 0x80000000]);
  assert.equal(toHex(one('1312 000102030405060708090a0b0c0d0e0f', 'md5').digest), '000102030405060708090a0b0c0d0e0f');
  const ut = one('1c04 800a', 'userTimeout');
  assert.deepEqual([ut.granularityMinutes, ut.timeout], [true, 10]);
  assert.deepEqual([one('1c04 7fff', 'userTimeout').granularityMinutes, one('1c04 7fff', 'userTimeout').timeout], [false, 0x7fff]);
  const ao = one('1d08 0102 aabbccdd', 'tcpAo');
  assert.deepEqual([ao.keyId, ao.rnextKeyId, toHex(ao.mac)], [1, 2, 'aabbccdd']);
  const req = one('2202', 'fastOpen');
  assert.deepEqual([req.experimental, req.cookie.length], [false, 0]);
  assert.equal(toHex(one('220a 0102030405060708', 'fastOpen').cookie), '0102030405060708');
  const exp = one('fe0c f989 0102030405060708', 'fastOpen');
  assert.deepEqual([exp.kind, exp.experimental, toHex(exp.cookie)], [254, true, '0102030405060708']);
  assert.equal(toHex(one('fe06 f988 0102', 'unknown').data), 'f9880102');
  assert.equal(toHex(one('6304 abcd', 'unknown').data), 'abcd');
  const mp = one('1e0c 0081 877cfcac977e4b88', 'mptcp').mptcp;
  assert.equal(mp.name, 'MP_CAPABLE');
  const dss = one('1e08 2001 0000abcd', 'mptcp').mptcp;
  assert.equal(dss.name, 'DSS');
});

test('NOPs, EOL and the padding after EOL are kept so the area re-encodes identically', () => {
  const { options } = area('0101080a0000000100000002 00 000000');
  assert.deepEqual(options.map((o) => [o.type, o.offset, o.length, o.raw.length]), [
    ['nop', 0, 1, 1], ['nop', 1, 1, 1], ['timestamps', 2, 10, 10], ['eol', 12, 1, 4],
  ]);
  // Non-zero bytes after EOL are not options, but they are kept.
  const junk = area('00 ff0102');
  assert.deepEqual(junk.options.map((o) => o.type), ['eol']);
  assert.deepEqual(junk.findings, []);
});

test('window scale shift above 14 is a warning like tshark', () => {
  const { options, findings } = area('01 03030f');
  assert.equal(options[1]?.type, 'wscale');
  assert.deepEqual(findings.map((f) => [f.code, f.severity, f.message, f.offset]), [['tcp.option.wscale_shift_invalid', 'warning', 'Window scale shift exceeds 14', 3]]);
});

test('bad lengths: too short or past the end stop the walk, the rest kept as one malformed option', () => {
  const cases: Array<[string, string, number]> = [
    ['02010101', 'Maximum segment size (with too-short option length = 1 byte)', 0],
    ['02000000', 'Maximum segment size (with too-short option length = 0 bytes)', 0],
    ['0208ff00', 'Maximum segment size (option length = 8 bytes says option goes past end of options)', 0],
    ['0a04020405b4 0000', 'SACK (option length = 180 bytes says option goes past end of options)', 4],
    ['01010102', 'Maximum segment size (length byte past end of options)', 3],
    ['0101011e', 'MPTCP (length byte past end of options)', 3],
  ];
  for (const [h, message, at] of cases) {
    const { options, findings } = area(h);
    const last = options[options.length - 1]!;
    assert.equal(last.type, 'unknown', h);
    assert.equal(last.malformed, message, h);
    assert.equal(last.offset, at, h);
    assert.equal(last.offset + last.raw.length, hex(h).length, `${h}: malformed option keeps the rest`);
    assert.deepEqual(findings.map((f) => [f.code, f.severity, f.message, f.offset]), [['tcp.option.bad_length', 'error', message, at]], h);
  }
});

test('a known kind with the wrong fixed length is malformed and the walk goes on after its length (as tshark)', () => {
  const { options, findings } = area('020305 0601 0101');
  assert.deepEqual(options.map((o) => [o.kind, o.offset, o.malformed]), [
    [2, 0, 'option length should be 4'],
    [6, 3, 'Echo (with too-short option length = 1 byte)'],
  ]);
  assert.deepEqual(findings.map((f) => f.message), ['option length should be 4', 'Echo (with too-short option length = 1 byte)']);
  const ts = area('080900000001000000020101');
  assert.deepEqual(ts.findings.map((f) => f.message), ['option length should be 10', 'Maximum segment size (with too-short option length = 1 byte)']);
  const sack = area('0101050b0000000100000002000000 00');
  assert.deepEqual(sack.options.map((o) => o.type), ['nop', 'nop', 'unknown', 'eol']);
  assert.deepEqual(sack.findings.map((f) => f.message), ['suboption would go past end of option']);
  for (const h of ['0303', '0403ff', '1311' + '00'.repeat(15), '1c03ff', '1d03ff']) {
    const r = area(h);
    assert.equal(r.options[0]?.malformed !== undefined, true, h);
    assert.equal(r.findings[0]?.code, 'tcp.option.bad_length', h);
  }
});

test('MPTCP options too short for a subtype are kept and reported by the MPTCP decoder', () => {
  const { options, findings } = area('1e02 0101');
  assert.equal(options[0]?.type, 'mptcp');
  const mp = options[0]!.type === 'mptcp' ? options[0]!.mptcp : undefined;
  assert.equal(mp?.name, 'UNKNOWN');
  assert.deepEqual(findings.map((f) => [f.code, f.layer]), [['malformed', 'mptcp']]);
  assert.deepEqual(options.slice(1).map((o) => o.type), ['nop', 'nop']);
});

test('options cut by the capture are truncated, not malformed lengths', () => {
  const bytes = hex('0101080a0000000100000002');
  const findings: Finding[] = [];
  const options = decodeTcpOptions(bytes, 0, 12, 7, findings, []);
  assert.deepEqual(options.map((o) => o.type), ['nop', 'nop', 'unknown']);
  assert.equal(options[2]!.raw.length, 5);
  assert.deepEqual(findings.map((f) => f.code), ['truncated']);
  const f2: Finding[] = [];
  decodeTcpOptions(bytes, 0, 12, 3, f2, []);
  assert.deepEqual(f2.map((f) => f.code), ['truncated']);
});

test('encoders follow the typed fields, so options can be changed or built', () => {
  const { options } = area('020405b4 01 030307 0101 080a0000000100000002');
  const mss = options[0]!;
  assert.equal(mss.type, 'mss');
  if (mss.type === 'mss') mss.mss = 1400;
  const ts = options[5]!;
  if (ts.type === 'timestamps') ts.tsval = 0xdeadbeef;
  assert.equal(toHex(encodeTcpOptions(options)), '02040578010303070101080adeadbeef00000002');
  // A deliberately wrong length byte is written as given.
  if (mss.type === 'mss') mss.length = 5;
  assert.equal(toHex(encodeTcpOptions([mss])), '02050578');
});

test('decoded option objects expose raw as a view and accept a replacement', () => {
  const { options } = area('020405b4');
  const o = options[0]!;
  assert.equal(o.raw.length, 4);
  o.raw = hex('0204ffff');
  assert.equal(toHex(o.raw), '0204ffff');
});

test('option names follow tshark', () => {
  assert.equal(tcpOptionName(2), 'Maximum segment size');
  assert.equal(tcpOptionName(30), 'MPTCP');
  assert.equal(tcpOptionName(9), 'Unknown (0x09)');
});

const tsharkSkip = hasCommand('tshark') ? false : 'tshark not installed';

test('bad-length findings read like tshark\'s expert messages on the same packets', { skip: tsharkSkip }, () => {
  const areas = [
    '0203050601010101', '02010101', '0103030f', '0208ff00', '02000000', '0101050b0000000100000002000000',
    '080900000001000000020101', '0a04020405b4', '01010102', '0101011e', '1c0400ff', '030f0000',
  ];
  const frames = areas.map((h, i) => {
    const data = ipv4Packet(6, tcpSegment({ options: hex(h) }));
    return { number: i + 1, linkType: 101, tsSec: i, tsNsec: 0, tsDigits: 6, origLen: data.length, data, ifIndex: 0 };
  });
  const dir = mkdtempSync(join(tmpdir(), 'mpscope-wire-'));
  try {
    const file = join(dir, 'options.pcap');
    writeFileSync(file, encodePcap(frames, { linkType: 101 }));
    const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', '_ws.expert.message', '-E', 'occurrence=a', '-E', 'aggregator=|'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const rows = out.trimEnd().split('\n');
    for (const f of frames) {
      const theirs = rows[f.number - 1]!.split('|').filter((m) => /option|Window scale/.test(m) && !/does not contain/.test(m));
      const ours = decodePacket(f).findings.filter((x) => x.layer === 'tcp').map((x) => x.message);
      assert.deepEqual(ours, theirs, `frame ${f.number}: ${areas[f.number - 1]}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
