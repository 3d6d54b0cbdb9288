/** tcpdump's -x / -X / -xx / -XX dumps, compared with the installed tcpdump on every corpus capture. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { test } from 'node:test';
import { readCaptureBytes } from '../../src/capture/index.js';
import { formatTcpdumpHex } from '../../src/present/index.js';
import { decodePacket } from '../../src/wire/index.js';
import { SKIP_NO_SHARED, corpusCaptures, hasCommand } from '../helpers/shared.js';

const skip = SKIP_NO_SHARED || (hasCommand('tcpdump') ? false : 'tcpdump not installed');

const FLAGS = [['-x', 1, false], ['-X', 1, true], ['-xx', 2, false], ['-XX', 2, true]] as const;

test('hex dumps equal tcpdump -x/-X/-xx/-XX on every corpus capture', { skip }, () => {
  let lines = 0;
  for (const path of corpusCaptures()) {
    const bytes = new Uint8Array(readFileSync(path));
    for (const [flag, level, ascii] of FLAGS) {
      const r = spawnSync('tcpdump', ['-n', flag, '-r', path], { maxBuffer: 1 << 28 });
      const want = r.stdout.toString().split('\n').filter((l) => l.startsWith('\t'));
      const got: string[] = [];
      let snapLen = Infinity;
      readCaptureBytes(bytes, (f) => {
        const dump = formatTcpdumpHex(decodePacket(f), level, ascii, snapLen);
        if (dump !== '') got.push(...dump.split('\n'));
      }, { onInterface: (iface) => { snapLen = iface.snapLen > 0 ? iface.snapLen : Infinity; } });
      assert.deepEqual(got, want, `${basename(path)} ${flag}`);
      lines += got.length;
    }
  }
  assert.ok(lines > 10_000);
});
