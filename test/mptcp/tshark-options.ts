import { execFileSync } from 'node:child_process';

/** One TCP segment carrying MPTCP options, as tshark 4.x dissects it. */
export interface TsharkMptcpFrame {
  frame: number;
  /** The whole TCP options area as captured. */
  options: Uint8Array;
  /** tshark's subtree of each kind-30 option, in option order. */
  mptcp: Array<Record<string, unknown>>;
  /** TCP payload bytes as captured. */
  payload: Uint8Array;
  /** TCP payload length on the wire (tcp.len). */
  tcpLen: number;
}

/**
 * Runs tshark over a capture and returns every frame with a kind-30 option:
 * the raw options bytes and tshark's fields per MPTCP option (JSON output
 * with duplicate keys merged into arrays, so several options per segment
 * stay apart).
 */
export function tsharkMptcpFrames(file: string): TsharkMptcpFrame[] {
  let frames = cache.get(file);
  if (!frames) cache.set(file, frames = runTshark(file));
  return frames;
}

/** Several tests read the same captures: run tshark once per file. */
const cache = new Map<string, TsharkMptcpFrame[]>();

function runTshark(file: string): TsharkMptcpFrame[] {
  const out = execFileSync('tshark', [
    '-n', '-r', file, '-Y', 'tcp.option_kind == 30', '-T', 'json', '--no-duplicate-keys', '-J', 'frame tcp',
  ], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).toString('utf8');
  const packets = JSON.parse(out) as Array<{ _source: { layers: Record<string, Record<string, unknown>> } }>;
  return packets.map((p) => {
    const { frame, tcp } = p._source.layers;
    if (!frame || !tcp) throw new Error(`${file}: tshark JSON without frame or tcp layer`);
    const tree = (tcp['tcp.options_tree'] ?? {}) as Record<string, unknown>;
    const m = tree['mptcp'];
    return {
      frame: Number(frame['frame.number']),
      options: fromColonHex(String(tcp['tcp.options'] ?? '')),
      mptcp: (Array.isArray(m) ? m : m === undefined ? [] : [m]) as Array<Record<string, unknown>>,
      payload: fromColonHex(String(tcp['tcp.payload'] ?? '')),
      tcpLen: Number(tcp['tcp.len'] ?? 0),
    };
  });
}

/** tshark's fields of one option with the `*_tree` subtrees merged in (their keys do not collide). */
export function flattenTree(tree: Record<string, unknown>, out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(tree)) {
    if (k.endsWith('_tree') && v !== null && typeof v === 'object' && !Array.isArray(v)) flattenTree(v as Record<string, unknown>, out);
    else out[k] = v;
  }
  return out;
}

export function fromColonHex(s: string): Uint8Array {
  return s === '' ? new Uint8Array(0) : Uint8Array.from(s.split(':'), (h) => parseInt(h, 16));
}

/** Offsets and lengths of the kind-30 options in a TCP options area (a plain kind/length walk). */
export function mptcpOptionSpans(options: Uint8Array): Array<{ offset: number; length: number }> {
  const spans: Array<{ offset: number; length: number }> = [];
  let i = 0;
  while (i < options.length) {
    const kind = options[i]!;
    if (kind === 0) break;
    if (kind === 1) { i++; continue; }
    const len = options[i + 1];
    if (len === undefined || len < 2 || i + len > options.length) break;
    if (kind === 30) spans.push({ offset: i, length: len });
    i += len;
  }
  return spans;
}
