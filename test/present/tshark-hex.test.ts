import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { formatHex } from '../../src/present/hex.js';
import { CORPUS, SKIP_NO_SHARED, hasCommand } from '../helpers/shared.js';
import { readFrames, tshark } from './tshark-helpers.js';

const SKIP_NO_TSHARK = hasCommand('tshark') ? false : 'tshark not installed';

test('formatHex: layout of a short and a partial line', () => {
  const bytes = new Uint8Array([...'GET / HTTP/1.1\r\n'].map((c) => c.charCodeAt(0)).concat([0x00, 0x7f, 0x80, 0x20]));
  assert.equal(
    formatHex(bytes),
    '0000  47 45 54 20 2f 20 48 54 54 50 2f 31 2e 31 0d 0a   GET / HTTP/1.1..\n' +
    '0010  00 7f 80 20                                       ... ',
  );
  assert.equal(formatHex(new Uint8Array(0)), '');
});

test('formatHex: offsets widen past 64 KiB', () => {
  const lines = formatHex(new Uint8Array(0x10001)).split('\n');
  assert.equal(lines.length, 0x1001);
  assert.ok(lines[0]!.startsWith('00000  00 '));
  assert.ok(lines.at(-1)!.startsWith('10000  00 '));
});

for (const name of ['tcpdump/mptcp-v1.pcap', 'tcpdump/mptcp-fclose.pcap', 'ptcpdump/tfo.pcap', 'tcpdump/mptcp-dss-oobr.pcap']) {
  test(`formatHex equals tshark -x on ${name}`, { skip: SKIP_NO_SHARED || SKIP_NO_TSHARK }, () => {
    const file = join(CORPUS, name);
    const frames = readFrames(file);
    // tshark -x prints each packet's dump followed by an empty line.
    const dumps = tshark(['-x', '-r', file]).split('\n\n').filter((s) => s.trim() !== '');
    assert.equal(dumps.length, frames.length);
    frames.forEach((f, i) => assert.equal(formatHex(f.data), dumps[i]!.replace(/\n$/, ''), `frame ${f.number}`));
  });
}
