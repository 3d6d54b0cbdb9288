/**
 * Runs tshark and mpscope on the same capture and lines up their `-T fields`
 * output field by field, so tests can assert equality and name every allowed
 * difference.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { readCapture } from '../../src/capture/index.js';
import { fields, listFields } from '../../src/fields/index.js';
import { FieldsWriter } from '../../src/present/fields-out.js';
import { decodePacket } from '../../src/wire/index.js';
import type { Packet } from '../../src/wire/types.js';

/**
 * tshark with raw sequence numbers and no TCP or MPTCP analysis (stateful
 * fields are compared by the analysis tests), verifying checksums as mpscope
 * always does.
 */
export const TSHARK_ARGS = [
  '-n',
  '-o', 'tcp.analyze_sequence_numbers:FALSE',
  '-o', 'tcp.relative_sequence_numbers:FALSE',
  '-o', 'mptcp.analyze_mptcp:FALSE',
  '-o', 'ip.check_checksum:TRUE',
  '-o', 'tcp.check_checksum:TRUE',
  '-o', 'udp.check_checksum:TRUE',
];

/**
 * Fields tshark computes from connection state even with its analysis off
 * (it extends 32-bit data ACKs and DSNs from the handshake's keys, numbers
 * TCP streams, scales windows); mpscope gives them only with analysis,
 * whose tests compare them.
 */
export const STATEFUL_IN_TSHARK: ReadonlySet<string> = new Set([
  'mptcp.ack', 'mptcp.dss.dsn',
  // TCP conversation state tshark keeps with its sequence analysis off (test/analysis compares them).
  'tcp.stream', 'tcp.completeness', 'tcp.window_size', 'tcp.window_size_scalefactor', 'tcp.time_relative', 'tcp.time_delta',
]);

export function captureFormat(path: string): 'pcap' | 'pcapng' | undefined {
  const fd = openSync(path, 'r');
  const b = Buffer.alloc(4);
  try {
    readSync(fd, b, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  if (b.readUInt32BE(0) === 0x0a0d0d0a) return 'pcapng';
  return b[0] === 0x1f && b[1] === 0x8b ? undefined : 'pcap';
}

/** Whether tshark's local time zone name is the one we print (tshark uses strftime's, we use Intl's). */
function zoneNamesAgree(): boolean {
  const z = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(new Date(0)).find((p) => p.type === 'timeZoneName');
  return z?.value === 'UTC';
}

/**
 * Every registry field tshark also has, except those whose values come from
 * somewhere tshark and mpscope legitimately differ.
 */
export function comparableFields(): string[] {
  const skip = new Set([
    // tshark hands payloads to application dissectors (ssh, dns, http); mpscope has none.
    'data', 'data.data', 'data.len',
    ...STATEFUL_IN_TSHARK,
  ]);
  if (!zoneNamesAgree()) skip.add('frame.time');
  return listFields()
    .map((f) => f.name)
    .filter((n) => !n.startsWith('mpscope.') && !skip.has(n));
}

export interface Row {
  /** Field values as printed, one per requested field. */
  values: string[];
  packet: Packet;
}

export async function ourRows(path: string, names: readonly string[]): Promise<Row[]> {
  const rows: Row[] = [];
  const writer = new FieldsWriter(() => {}, names, { captureFormat: captureFormat(path) });
  await readCapture(path, (frame) => {
    // The reader reuses its buffer: keep a copy of the packet's bytes.
    const packet = decodePacket({ ...frame, data: frame.data.slice() });
    rows.push({ values: writer.line(packet).split('\t'), packet });
  });
  return rows;
}

export function tsharkRows(path: string, names: readonly string[]): string[][] {
  const args = ['-r', path, ...TSHARK_ARGS, '-T', 'fields', '-E', 'occurrence=a', ...names.flatMap((n) => ['-e', n])];
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  if (r.status !== 0) throw new Error(`tshark failed (${r.status}): ${r.stderr}`);
  return r.stdout.split('\n').filter((l, i, all) => i < all.length - 1 || l !== '').map((l) => l.split('\t'));
}

export interface Mismatch {
  frame: number;
  field: string;
  tshark: string;
  ours: string;
}

/** A reason the difference is expected, or undefined when it is a bug. */
export type Excuse = (m: Mismatch, packet: Packet) => string | undefined;

export interface Comparison {
  packets: number;
  values: number;
  mismatches: Mismatch[];
  excused: Map<string, number>;
}

export async function compareWithTshark(path: string, names: readonly string[], excuse: Excuse): Promise<Comparison> {
  const ours = await ourRows(path, names);
  const theirs = tsharkRows(path, names);
  if (ours.length !== theirs.length) throw new Error(`${path}: ${ours.length} packets from mpscope, ${theirs.length} from tshark`);
  const result: Comparison = { packets: ours.length, values: 0, mismatches: [], excused: new Map() };
  ours.forEach((row, i) => {
    const t = theirs[i]!;
    names.forEach((field, j) => {
      result.values++;
      const m: Mismatch = { frame: i + 1, field, tshark: t[j] ?? '', ours: row.values[j] ?? '' };
      if (m.tshark === m.ours) return;
      const why = excuse(m, row.packet);
      if (why === undefined) result.mismatches.push(m);
      else result.excused.set(why, (result.excused.get(why) ?? 0) + 1);
    });
  });
  return result;
}

/** Field names that exist in this registry: used to check the test's own lists. */
export function known(name: string): boolean {
  return fields.has(name);
}

/** An MPTCP option too short for its subtype, where tshark stops reading the options (mpscope reads on). */
export function hasMalformedMptcp(p: Packet): boolean {
  return p.tcp?.options.some((o) => o.type === 'mptcp' && o.mptcp.name === 'UNKNOWN' && o.mptcp.reason !== undefined) ?? false;
}
