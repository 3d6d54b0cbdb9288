import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MpCapableFlag, decodeMptcpOption } from '../../src/wire/mptcp.js';
import { hasCommand } from '../helpers/shared.js';
import { tcpSegment, writeRawPcap } from './craft.js';
import { FORMS, fromHex } from './forms.js';
import { OPTION_FIELDS, compareWithTshark } from './tshark-compare.js';
import { tcpdumpDssTexts, tcpdumpExpectedDss } from './tcpdump-dss.js';
import { flattenTree, mptcpOptionSpans, tsharkMptcpFrames } from './tshark-options.js';

/**
 * Option forms the public captures never show, crafted one per segment and
 * dissected by tshark: both decoders must agree field by field, and ours must
 * re-encode every option identically.
 */

const SKIP = hasCommand('tshark') ? false : 'tshark not installed: cannot compare with its MPTCP fields';
const SKIP_TCPDUMP = SKIP || (hasCommand('tcpdump') ? false : 'tcpdump not installed: cannot compare with its DSS texts');

const dir = mkdtempSync(join(tmpdir(), 'mpscope-mptcp-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function formsCapture(): string {
  const file = join(dir, 'forms.pcap');
  // One TCP stream per form, so tshark's per-connection analysis does not mix them.
  writeRawPcap(file, FORMS.map(([, hex], i) => tcpSegment({ options: [fromHex(hex)], srcPort: 40000 + i })));
  return file;
}

test('crafted MPTCP option forms agree with tshark 4.0', { skip: SKIP }, () => {
  const frames = tsharkMptcpFrames(formsCapture());
  assert.equal(frames.length, FORMS.length);
  const notes = new Map<string, number>();
  for (const f of frames) {
    const [label] = FORMS[f.frame - 1]!;
    const [opt] = compareWithTshark(label, f, notes, OPTION_FIELDS);
    assert.ok(opt);
    assert.equal(opt.name === 'UNKNOWN' && opt.reason !== undefined, label.startsWith('malformed'), `${label}: malformed or not`);
    if (opt.name === 'MP_CAPABLE' && opt.version === 1 && opt.flags & MpCapableFlag.C) {
      // tshark 4.0 takes the C bit for an unknown crypto algorithm: a v1 MP_CAPABLE with C set
      // and H set negotiates HMAC-SHA256 as any other (RFC 8684 section 3.1).
      assert.ok(opt.flags & MpCapableFlag.H);
      const expert = JSON.stringify(flattenTree(f.mptcp[0]!)['_ws.expert'] ?? '');
      assert.match(expert, /unsupported_algorithm/, `${label}: tshark's C-flag behaviour changed, revisit this note`);
      const why = 'tshark 4.0 calls a v1 MP_CAPABLE with the C flag "Unsupported algorithm"';
      notes.set(why, (notes.get(why) ?? 0) + 1);
    }
  }
  for (const [why, n] of notes) console.log(`# crafted: ${n} x ${why}`);
});

test('crafted DSS forms print as tcpdump 4.99 prints them', { skip: SKIP_TCPDUMP }, () => {
  const file = formsCapture();
  const texts = tcpdumpDssTexts(file);
  for (const f of tsharkMptcpFrames(file)) {
    const [label] = FORMS[f.frame - 1]!;
    const expected = tcpdumpExpectedDss(mptcpOptionSpans(f.options).map(({ offset, length }) => decodeMptcpOption(f.options, offset, length)));
    const got = texts.get(f.frame) ?? [];
    if (label.startsWith('malformed dss')) {
      // tcpdump prints the fields it could read before "[bad opt]"; we keep such an option raw.
      assert.equal(got.length, 1, label);
      assert.ok(got[0]!.startsWith(expected[0]!.replace('[bad opt', '')) && got[0]!.endsWith('[bad opt'), `${label}: ${got[0]}`);
    } else {
      assert.deepEqual(got, expected, label);
    }
  }
});
