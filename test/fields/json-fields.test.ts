/**
 * `-T json -e F -e G` and `-T ndjson -e ...`: as tshark, `layers` holds only
 * the chosen fields, in their order, each as the list of its occurrences'
 * texts, with no key for a field a packet lacks. Compared with tshark 4.0 on
 * the MPTCP captures of the corpus, and with `-T fields` (the same texts).
 */
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, it } from 'node:test';
import { JsonWriter } from '../../src/present/json.js';
import type { JsonPacket } from '../../src/present/json.js';
import { FieldsWriter } from '../../src/present/fields-out.js';
import { UsageError } from '../../src/util/errors.js';
import { decodePacket } from '../../src/wire/index.js';
import { SKIP_NO_SHARED, corpusCaptures, hasCommand } from '../helpers/shared.js';
import { readFrames, tshark } from '../present/tshark-helpers.js';
import { captureFormat, hasMalformedMptcp, TSHARK_ARGS } from './tshark-compare.js';

process.env.TZ = 'UTC';

const SKIP_NO_TSHARK = hasCommand('tshark') ? false : 'tshark is not installed';

/** Stateless fields (tshark's analysis is off in TSHARK_ARGS), several of them repeated within a packet. */
const FIELDS = [
  'frame.number', 'ip.src', 'ip.dst', 'tcp.srcport', 'tcp.flags', 'tcp.option_kind', 'tcp.options.mptcp.subtype',
  'tcp.options.mptcp.sendkey', 'tcp.options.mptcp.recvkey', 'tcp.options.mptcp.rawdataseqno', 'tcp.options.mptcp.rawdataack', 'frame.len',
];

function ours(file: string, names: readonly string[], ndjson = false): string {
  let out = '';
  const w = new JsonWriter((s) => (out += s), { fields: names, ndjson, captureFormat: captureFormat(file) });
  for (const f of readFrames(file)) w.write(decodePacket(f));
  w.end();
  return out;
}

const mptcpCaptures = (): string[] => corpusCaptures().filter((f) => /mptcp|client_2|iperf/.test(basename(f)));

describe('-T json -e: the chosen fields only, as tshark', { skip: SKIP_NO_SHARED || SKIP_NO_TSHARK }, () => {
  for (const file of mptcpCaptures()) {
    it(basename(file), () => {
      const expected = JSON.parse(tshark([...TSHARK_ARGS, '-r', file, '-T', 'json', ...FIELDS.flatMap((f) => ['-e', f])])) as JsonPacket[];
      const mine = JSON.parse(ours(file, FIELDS)) as JsonPacket[];
      const frames = readFrames(file);
      assert.equal(mine.length, expected.length);
      let cut = 0;
      mine.forEach((p, i) => {
        const [a, b] = [p._source.layers, expected[i]!._source.layers];
        // Key order too: tshark keeps the order of -e.
        assert.deepEqual(Object.keys(a), Object.keys(b), `frame ${i + 1}`);
        if (hasMalformedMptcp(decodePacket(frames[i]!)) && !isDeepStrictEqual(a['tcp.option_kind'], b['tcp.option_kind'])) {
          // tshark stops reading options at an MPTCP option too short for its subtype; mpscope reads on.
          const theirs = b['tcp.option_kind'] as string[];
          assert.deepEqual((a['tcp.option_kind'] as string[]).slice(0, theirs.length), theirs, `frame ${i + 1}`);
          a['tcp.option_kind'] = theirs;
          cut++;
        }
        assert.deepEqual(a, b, `frame ${i + 1}`);
      });
      if (basename(file) === 'mptcp-dss-oobr.pcap') assert.ok(cut > 0, 'the malformed option is there');
    });
  }
});

describe('-T json -e and -T fields -e give the same texts', { skip: SKIP_NO_SHARED }, () => {
  it('every occurrence, packet by packet, and ndjson holds the same objects one per line', () => {
    const file = mptcpCaptures().find((f) => basename(f) === 'client_2.pcap')!;
    const json = JSON.parse(ours(file, FIELDS)) as JsonPacket[];
    const lines: string[] = [];
    const fw = new FieldsWriter((s) => lines.push(s), FIELDS, { aggregator: '|', captureFormat: captureFormat(file) });
    const frames = readFrames(file);
    for (const f of frames) fw.write(decodePacket(f));
    assert.equal(json.length, frames.length);
    let repeated = 0;
    json.forEach((p, i) => {
      const cells = lines[i]!.replace(/\n$/, '').split('\t');
      FIELDS.forEach((name, k) => {
        const values = p._source.layers[name] as string[] | undefined;
        assert.equal(values === undefined ? '' : values.join('|'), cells[k], `frame ${i + 1} ${name}`);
        if (values !== undefined && values.length > 1) repeated++;
      });
    });
    assert.ok(repeated > 1000, `fields with several occurrences: ${repeated}`);
    const nd = ours(file, FIELDS, true).trimEnd().split('\n').map((l) => JSON.parse(l) as JsonPacket);
    assert.deepEqual(nd, json);
  });

  it('an unknown field is refused before any output, with suggestions', () => {
    assert.throws(() => new JsonWriter(() => {}, { fields: ['tcp.srcprot'] }), (e: unknown) => e instanceof UsageError && /unknown field: tcp\.srcprot/.test(e.message) && /tcp\.srcport/.test(e.hint ?? ''));
  });
});
