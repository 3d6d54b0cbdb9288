/**
 * Runs tshark (single pass, default preferences) and mpscope's TCP analysis
 * on the same capture and lines up, frame by frame, the values both give for
 * the TCP analysis fields and the Protocol and Info columns.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Analyzer } from '../../src/analysis/index.js';
import type { TcpTrackerOptions } from '../../src/analysis/index.js';
import { readCaptureBytes } from '../../src/capture/index.js';
import { FieldsWriter } from '../../src/present/fields-out.js';
import { summarize, WindowScaleTracker } from '../../src/present/info.js';
import { decodePacket } from '../../src/wire/index.js';
import type { Packet } from '../../src/wire/types.js';

/** Every `tcp.analysis.*` flag field. */
export const FLAG_FIELDS = [
  'tcp.analysis.retransmission', 'tcp.analysis.fast_retransmission', 'tcp.analysis.spurious_retransmission',
  'tcp.analysis.out_of_order', 'tcp.analysis.lost_segment', 'tcp.analysis.ack_lost_segment',
  'tcp.analysis.duplicate_ack', 'tcp.analysis.window_update', 'tcp.analysis.window_full',
  'tcp.analysis.zero_window', 'tcp.analysis.zero_window_probe', 'tcp.analysis.zero_window_probe_ack',
  'tcp.analysis.keep_alive', 'tcp.analysis.keep_alive_ack', 'tcp.analysis.reused_ports',
];

/** The fields compared on every frame. */
export const COMPARED_FIELDS = [
  'tcp.stream', 'tcp.completeness', 'tcp.seq', 'tcp.ack', 'tcp.len', 'tcp.nxtseq', 'tcp.window_size', 'tcp.window_size_scalefactor',
  'tcp.analysis', 'tcp.analysis.flags', ...FLAG_FIELDS,
  'tcp.analysis.duplicate_ack_num', 'tcp.analysis.duplicate_ack_frame', 'tcp.analysis.acks_frame', 'tcp.analysis.ack_rtt',
  'tcp.analysis.initial_rtt', 'tcp.analysis.bytes_in_flight', 'tcp.analysis.push_bytes_sent', 'tcp.analysis.rto',
  'tcp.analysis.rto_frame', 'tcp.time_relative', 'tcp.time_delta',
];

const PROTOCOL = '_ws.col.Protocol';
const INFO = '_ws.col.Info';

export interface FrameValues {
  frame: number;
  protocol: string;
  info: string;
  values: string[];
}

/** tshark's values: `-T fields` with every occurrence, single pass, no name resolution. */
export function tsharkValues(path: string, extra: readonly string[] = []): FrameValues[] {
  const names = ['frame.number', PROTOCOL, ...COMPARED_FIELDS, INFO];
  const args = ['-n', '-r', path, ...extra, '-T', 'fields', '-E', 'occurrence=a', ...names.flatMap((n) => ['-e', n])];
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, LC_ALL: 'C.UTF-8', TZ: 'UTC' } });
  if (r.status !== 0) throw new Error(`tshark failed (${r.status}): ${r.stderr}`);
  const lines = r.stdout.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((l) => {
    const v = l.split('\t');
    return { frame: Number(v[0]), protocol: v[1] ?? '', info: v.at(-1) ?? '', values: v.slice(2, 2 + COMPARED_FIELDS.length) };
  });
}

export interface OurFrame extends FrameValues {
  packet: Packet;
  mptcpNotDupAck: boolean;
}

/** mpscope's values for the same fields, with the analysis run over the whole capture (a path or its bytes) in order. */
export function ourValues(capture: string | Uint8Array, opts: TcpTrackerOptions = {}): OurFrame[] {
  const analyzer = new Analyzer({ tcp: opts });
  const writer = new FieldsWriter(() => {}, COMPARED_FIELDS, { occurrence: 'a' });
  const scales = new WindowScaleTracker();
  const summary = { protocol: '', info: '' };
  const out: OurFrame[] = [];
  const bytes = typeof capture === 'string' ? new Uint8Array(readFileSync(capture)) : capture;
  readCaptureBytes(bytes, (frame) => {
    const packet = decodePacket({ ...frame, data: frame.data.slice() });
    const ann = analyzer.process(packet);
    const values = writer.line(packet, ann).split('\t');
    summarize(packet, scales.observe(packet), summary, ann.tcp);
    out.push({ frame: frame.number, protocol: summary.protocol, info: summary.info, values, packet, mptcpNotDupAck: ann.tcp?.mptcpNotDupAck === true });
  });
  return out;
}

export interface Difference {
  frame: number;
  field: string;
  tshark: string;
  ours: string;
}

/**
 * Field-by-field differences: the analysis fields on every frame, the
 * Protocol and Info columns on frames tshark calls TCP or MPTCP. For the
 * other frames (application protocols tshark recognises) the columns are
 * only counted: `other` frames, `otherAgree` of them with equal columns.
 */
export function differences(theirs: readonly FrameValues[], ours: readonly FrameValues[]): { frames: number; other: number; otherAgree: number; diffs: Difference[] } {
  if (theirs.length !== ours.length) throw new Error(`${theirs.length} frames from tshark, ${ours.length} from mpscope`);
  const diffs: Difference[] = [];
  let frames = 0;
  let other = 0;
  let otherAgree = 0;
  theirs.forEach((t, i) => {
    const o = ours[i]!;
    COMPARED_FIELDS.forEach((field, j) => {
      const a = t.values[j] ?? '';
      const b = o.values[j] ?? '';
      if (a !== b) diffs.push({ frame: t.frame, field, tshark: a, ours: b });
    });
    if (t.protocol !== 'TCP' && t.protocol !== 'MPTCP') {
      other++;
      if (t.protocol === o.protocol && t.info === o.info) otherAgree++;
      return;
    }
    frames++;
    if (t.protocol !== o.protocol) diffs.push({ frame: t.frame, field: PROTOCOL, tshark: t.protocol, ours: o.protocol });
    if (t.info !== o.info) diffs.push({ frame: t.frame, field: INFO, tshark: t.info, ours: o.info });
  });
  return { frames, other, otherAgree, diffs };
}
