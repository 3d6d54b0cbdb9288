/** Running TCP and MPTCP analysis over a capture in tests, and tshark beside it. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Analyzer, MptcpTracker, mptcpStage } from '../../src/analysis/index.js';
import type { MptcpAnnotation } from '../../src/analysis/mptcp/index.js';
import type { TcpAnnotation } from '../../src/analysis/types.js';
import { readCaptureBytes } from '../../src/capture/index.js';
import { FieldsWriter } from '../../src/present/fields-out.js';
import { decodePacket } from '../../src/wire/index.js';
import type { Packet } from '../../src/wire/types.js';

export interface Analysis {
  packets: Packet[];
  tcp: Array<TcpAnnotation | undefined>;
  mptcp: Array<MptcpAnnotation | undefined>;
  tracker: MptcpTracker;
}

/** Decodes and analyses a whole capture (bytes or a file path) in one pass, then finishes the tracker. */
export function analyze(input: Uint8Array | string): Analysis {
  const bytes = typeof input === 'string' ? new Uint8Array(readFileSync(input)) : input;
  const tracker = new MptcpTracker();
  const analyzer = new Analyzer({ stages: [mptcpStage(tracker)] });
  const out: Analysis = { packets: [], tcp: [], mptcp: [], tracker };
  readCaptureBytes(bytes, (frame) => {
    const p = decodePacket({ ...frame, data: frame.data.slice() });
    const a = analyzer.process(p);
    out.packets.push(p);
    out.tcp.push(a.tcp);
    out.mptcp.push(a.mptcp);
  });
  tracker.finish();
  return out;
}

/** tshark's MPTCP analysis as the issue asks to compare with: mappings and cross-subflow retransmissions on. */
export const TSHARK_MPTCP = [
  '-n',
  '-o', 'mptcp.analyze_mappings:TRUE',
  '-o', 'mptcp.intersubflows_retransmission:TRUE',
  '-o', 'mptcp.relative_sequence_numbers:TRUE',
];

/** tshark -T fields rows (all occurrences, comma-joined); `twoPass` adds -2, which fills mptcp.reinjected_in. */
export function tsharkFields(path: string, names: readonly string[], twoPass = false): string[][] {
  const args = ['-r', path, ...TSHARK_MPTCP, ...(twoPass ? ['-2'] : []), '-T', 'fields', '-E', 'occurrence=a', ...names.flatMap((n) => ['-e', n])];
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  if (r.status !== 0) throw new Error(`tshark failed (${r.status}): ${r.stderr}`);
  return r.stdout.split('\n').filter((l, i, all) => i < all.length - 1 || l !== '').map((l) => l.split('\t'));
}

/** Our -T fields rows for the same names, from the analysed packets. */
export function ourFields(a: Analysis, names: readonly string[]): string[][] {
  const w = new FieldsWriter(() => {}, names, {});
  return a.packets.map((p, i) => w.line(p, { mptcp: a.mptcp[i] }).split('\t'));
}

export interface FieldDiff {
  frame: number;
  field: string;
  tshark: string;
  ours: string;
}

/**
 * Field-by-field differences with tshark. `excuse` names the reason a
 * difference is expected (tshark is wrong there), or returns undefined for a
 * real mismatch. Returns the unexcused ones and a count per reason.
 */
export function compareFields(
  a: Analysis,
  theirs: string[][],
  names: readonly string[],
  excuse: (d: FieldDiff, i: number) => string | undefined,
): { mismatches: FieldDiff[]; reasons: Map<string, number>; values: number } {
  const ours = ourFields(a, names);
  if (ours.length !== theirs.length) throw new Error(`${ours.length} packets from mpscope, ${theirs.length} from tshark`);
  const mismatches: FieldDiff[] = [];
  const reasons = new Map<string, number>();
  let values = 0;
  ours.forEach((row, i) => {
    names.forEach((field, j) => {
      values++;
      const d: FieldDiff = { frame: i + 1, field, tshark: theirs[i]![j] ?? '', ours: row[j] ?? '' };
      if (d.tshark === d.ours) return;
      const why = excuse(d, i);
      if (why === undefined) mismatches.push(d);
      else reasons.set(why, (reasons.get(why) ?? 0) + 1);
    });
  });
  return { mismatches, reasons, values };
}
