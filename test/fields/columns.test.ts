/**
 * tshark's column fields (`-T fields -e _ws.col.Info`...): the words of the
 * packet list, compared with the list lines and with tshark 4.0 on every
 * corpus and lab capture.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { Analyzer } from '../../src/analysis/index.js';
import type { PacketAnnotations } from '../../src/analysis/index.js';
import { compileFilter } from '../../src/filter/index.js';
import { FieldsWriter, resolveFields } from '../../src/present/fields-out.js';
import { ListFormatter, type TimeFormat } from '../../src/present/list.js';
import { UsageError } from '../../src/util/errors.js';
import { decodePacket } from '../../src/wire/index.js';
import type { Packet } from '../../src/wire/types.js';
import { CORPUS, ROOT, SKIP_NO_SHARED, corpusCaptures, hasCommand } from '../helpers/shared.js';
import { NO_REASSEMBLY, readFrames, tshark } from '../present/tshark-helpers.js';
import { captureFormat } from './tshark-compare.js';

process.env.TZ = 'UTC';

const SKIP_NO_TSHARK = hasCommand('tshark') ? false : 'tshark is not installed';

const COLUMNS = ['_ws.col.No.', '_ws.col.Time', '_ws.col.Source', '_ws.col.Destination', '_ws.col.Protocol', '_ws.col.Length', '_ws.col.Info'];

interface Run {
  packets: Packet[];
  analysis: Array<PacketAnnotations | undefined>;
  rows: string[][];
}

/** Our column rows, with TCP analysis as `read` runs it (or without), and each packet kept for the checks. */
function ourRows(file: string, withAnalysis: boolean, timeFormat: TimeFormat = 'r'): Run {
  const analyzer = withAnalysis ? new Analyzer({ tcp: { summaries: false } }) : undefined;
  const w = new FieldsWriter(() => {}, COLUMNS, { captureFormat: captureFormat(file), timeFormat });
  const run: Run = { packets: [], analysis: [], rows: [] };
  for (const f of readFrames(file)) {
    const p = decodePacket(f);
    const a = analyzer?.process(p);
    run.packets.push(p);
    run.analysis.push(a);
    run.rows.push(w.line(p, a).split('\t'));
  }
  return run;
}

function tsharkRows(file: string, args: string[]): string[][] {
  const out = tshark([...args, '-r', file, '-T', 'fields', ...COLUMNS.flatMap((c) => ['-e', c])]);
  return out.split('\n').filter((l, i, all) => i < all.length - 1 || l !== '').map((l) => l.split('\t'));
}

const isTcp = (p: Packet): boolean => p.tcp !== undefined;

const LAB = join(ROOT, 'test/fixtures/lab');
const labCaptures = (): string[] => readdirSync(LAB).filter((n) => n.endsWith('.pcapng')).sort().map((n) => join(LAB, n));

describe('column fields are the words of the packet list', { skip: SKIP_NO_SHARED }, () => {
  for (const file of [...corpusCaptures(), ...labCaptures()]) {
    it(basename(file), () => {
      const run = ourRows(file, true);
      const list = new ListFormatter();
      run.packets.forEach((p, i) => {
        const [no, time, src, dst, proto, len, info] = run.rows[i]!;
        // tshark's list layout: number and time right-aligned, the addresses around the arrow.
        const line = `${no!.padStart(5)} ${time!.padStart(10)} ${src!.padStart(12)} → ${dst!.padEnd(12)} ${proto} ${len} ${info}`;
        assert.equal(line, list.format(p, run.analysis[i]?.tcp), `frame ${i + 1}`);
      });
    });
  }
});

describe('column fields equal tshark on the corpus (stateless preferences, frames tshark calls TCP or MPTCP)', { skip: SKIP_NO_SHARED || SKIP_NO_TSHARK }, () => {
  for (const file of corpusCaptures()) {
    it(file.slice(CORPUS.length + 1), (t) => {
      const run = ourRows(file, false);
      const theirs = tsharkRows(file, NO_REASSEMBLY);
      assert.equal(run.rows.length, theirs.length);
      let compared = 0;
      run.packets.forEach((p, i) => {
        // As the list test: frames tshark names after an application protocol are best effort.
        if (!isTcp(p) || !/^(TCP|MPTCP)$/.test(theirs[i]![4]!)) return;
        compared++;
        assert.deepEqual(run.rows[i], theirs[i], `frame ${i + 1}`);
      });
      t.diagnostic(`${compared} TCP/MPTCP frames of ${run.rows.length}`);
    });
  }
});

/**
 * With analysis, the one difference is mpscope's deliberate one: an ACK whose
 * only change is at the MPTCP level is no duplicate ACK (and later duplicates
 * are numbered without it).
 */
describe('column fields equal tshark with TCP analysis on the lab captures', { skip: SKIP_NO_TSHARK }, () => {
  for (const file of labCaptures()) {
    it(basename(file), (t) => {
      const run = ourRows(file, true);
      const theirs = tsharkRows(file, ['-o', 'tcp.desegment_tcp_streams:FALSE']);
      const renumbered = new Set<string>();
      let excused = 0;
      run.packets.forEach((p, i) => {
        const a = run.analysis[i]?.tcp;
        const key = a === undefined ? '' : `${a.stream}/${a.dir}`;
        const ours = run.rows[i]!;
        const tsharks = theirs[i]!;
        if (ours.join('\t') !== tsharks.join('\t')) {
          const dupAck = /\[TCP Dup ACK \d+#\d+\]/.test(tsharks[6]!) && (a?.mptcpNotDupAck === true || renumbered.has(key));
          assert.ok(dupAck, `frame ${i + 1}:\n tshark  ${tsharks.join(' | ')}\n mpscope ${ours.join(' | ')}`);
          excused++;
        }
        if (a?.mptcpNotDupAck === true) renumbered.add(key);
      });
      t.diagnostic(`${run.rows.length} frames; ${excused} Info columns differ by an MPTCP-level ACK tshark calls a duplicate`);
    });
  }
});

describe('_ws.col.Time follows -t as tshark does', { skip: SKIP_NO_SHARED || SKIP_NO_TSHARK }, () => {
  const file = join(CORPUS, 'tcpdump/mptcp-v1.pcap');
  for (const tf of ['r', 'a', 'ad', 'd', 'dd', 'e', 'u', 'ud'] as const) {
    it(`-t ${tf}`, () => {
      const ours = ourRows(file, false, tf).rows.map((r) => r[1]);
      const theirs = tsharkRows(file, [...NO_REASSEMBLY, '-t', tf]).map((r) => r[1]);
      assert.deepEqual(ours, theirs);
    });
  }
});

describe('column names', () => {
  it('are tshark 4.0 column titles, case and all; others are refused with the list', () => {
    assert.deepEqual(resolveFields(['frame.number', '_ws.col.Info']).map((d) => d.name), ['frame.number']);
    assert.throws(() => resolveFields(['_ws.col.info']), (e: unknown) => e instanceof UsageError && /_ws\.col\.Info/.test(e.hint ?? ''));
  });
  it('are not display filter fields, as in tshark 4.0', () => {
    assert.throws(() => compileFilter('_ws.col.Info contains "Dup ACK"'));
  });
});
