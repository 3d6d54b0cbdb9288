/**
 * The detail tree with analysis against `tshark -V` (4.0), line by line in
 * the TCP section (MPTCP options and the SEQ/ACK and MPTCP analysis subtrees
 * included) of every frame of the lab captures and of the public corpus,
 * under three sets of preferences. mpscope's own lines (checks and computed
 * values tshark does not have) are left out; every other line that differs
 * must have one of the reasons below, each a place where mpscope's analysis
 * differs from tshark's on purpose (the same ones its fields have).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { TcpAnalysisFlag as F } from '../../src/analysis/types.js';
import { TcpFlag } from '../../src/wire/types.js';
import { CORPUS, ROOT, SKIP_NO_SHARED, corpusCaptures, hasCommand } from '../helpers/shared.js';
import {
  MODES, diffLines, ourFrames, tcpLines, tsharkTrees, withPaths, withoutOurs, withoutTsharkBugs,
} from './tshark-detail-compare.js';
import type { LineDiff, Mode, OurFrame } from './tshark-detail-compare.js';

process.env.TZ = 'UTC';

const SKIP_NO_TSHARK = hasCommand('tshark') ? false : 'tshark is not installed';

/** Why a line differs, each a deliberate difference of mpscope's analysis (see README and test/analysis/mptcp-tshark.test.ts). */
const REASONS = {
  mptcpDupAck: 'an ACK whose only change is at the MPTCP level (a new data ACK, ADD_ADDR, DATA_FIN...) is not a TCP duplicate ACK; tshark counts it, and numbers the later duplicates from it',
  zeroLength: 'a segment without payload: tshark gives it the DSN its sequence number would map to, or warns that no mapping covers it; it carries no data, so mpscope gives it no DSN',
  noOption: 'a packet of an MPTCP subflow without an MPTCP option (plain RST, fallen-back data): tshark attaches MPTCP analysis only to packets carrying one; mpscope shows the connection of every packet of the subflow, as its mptcp.* fields do',
  v1Syn: 'v1 MP_CAPABLE SYN: tshark opens the connection at the first key (the SYN/ACK); mpscope opens it at the SYN',
  midstream: 'a subflow whose handshake was not captured: tshark lists only subflows whose handshake it saw',
  noKeys: 'keys not captured: tshark has no relative data ACK or DSN; mpscope counts them from the first one seen',
  tcpRetransmission: 'a segment resent on the subflow that first carried its data (retransmission, keep-alive): tshark calls it a reinjection of the copy another subflow sent meanwhile',
  afterReset: 'data whose DSS mapping was announced after the peer reset the subflow: tshark stops mapping it',
  application: 'tshark hands the payload to an application dissector (SSH, DNS over TCP) that reassembles its PDUs through TCP (and so marks resent PDU data even without sequence analysis); mpscope has no such dissectors and shows the payload as data',
} as const;

type Reason = keyof typeof REASONS;

const MAPPING_LINE = /^\s+(\[Related mapping: |Raw Data Sequence Number: |\[Data Sequence Number: |\[Expert Info \(Warning\/Protocol\): No mapping available\])/;

function under(d: LineDiff, node: string): boolean {
  return d.line.text.trim() === node || d.line.path.includes(node);
}

/** Per frame: the segment starts below what its direction had sent before (resent on its own subflow). */
function resent(frames: readonly OurFrame[]): boolean[] {
  const high = new Map<string, number>();
  return frames.map((f) => {
    const t = f.tcp;
    const tcp = f.packet.tcp;
    if (t === undefined || tcp === undefined || tcp.payloadLength === 0) return false;
    const key = `${t.stream}/${t.dir}`;
    const h = high.get(key);
    const end = (tcp.seq + tcp.payloadLength) >>> 0;
    if (h === undefined || ((end - h) | 0) > 0) high.set(key, end);
    return h !== undefined && ((tcp.seq - h) | 0) < 0;
  });
}

/** Per frame: its direction sent an ACK before that mpscope did not count as a duplicate for its MPTCP-level change. */
function afterMptcpNotDupAck(frames: readonly OurFrame[]): boolean[] {
  const seen = new Set<string>();
  return frames.map((f) => {
    const t = f.tcp;
    if (t === undefined) return false;
    const key = `${t.stream}/${t.dir}`;
    const before = seen.has(key);
    if (t.mptcpNotDupAck === true) seen.add(key);
    return before;
  });
}

/** Per frame: an RST was seen earlier on its TCP stream. */
function afterRst(frames: readonly OurFrame[]): boolean[] {
  const reset = new Set<number>();
  return frames.map((f) => {
    const s = f.tcp?.stream;
    const before = s !== undefined && reset.has(s);
    if (s !== undefined && (f.packet.tcp?.flags ?? 0) & TcpFlag.RST) reset.add(s);
    return before;
  });
}

function hasMptcpOption(f: OurFrame): boolean {
  return f.packet.tcp?.options.some((o) => o.type === 'mptcp') ?? false;
}

function isV1Syn(f: OurFrame): boolean {
  const tcp = f.packet.tcp;
  if (tcp === undefined || (tcp.flags & (TcpFlag.SYN | TcpFlag.ACK)) !== TcpFlag.SYN) return false;
  return tcp.options.some((o) => o.type === 'mptcp' && o.mptcp.name === 'MP_CAPABLE' && o.mptcp.version === 1);
}

const DUP_ACK_LINE = /^\s+\[(Duplicate ACK #: |Duplicate to the ACK in frame: |Duplicate ACK \(#|Expert Info \(Note\/Sequence\): Duplicate ACK \(#)/;

function classifier(frames: readonly OurFrame[], mode: Mode): (d: LineDiff, f: OurFrame, i: number) => Reason | undefined {
  const resends = resent(frames);
  const reset = afterRst(frames);
  const renumbered = afterMptcpNotDupAck(frames);
  return (d, f, i) => {
    const m = f.mptcp;
    const text = d.line.text;
    if (d.side === 'tshark' && /^\s+(TCP segment data \(|\[PDU Size: )/.test(text)) return 'application';
    if (d.side === 'tshark' && mode.prefs.seq === false && /^\s+Retransmitted TCP segment data \(/.test(text)) return 'application';
    if (d.side === 'tshark' && under(d, '[SEQ/ACK analysis]') && f.tcp?.mptcpNotDupAck === true) return 'mptcpDupAck';
    if (DUP_ACK_LINE.test(text) && renumbered[i]) return 'mptcpDupAck';
    if (m === undefined) return undefined;
    const inAnalysis = under(d, '[MPTCP analysis]');
    if (inAnalysis && d.side === 'ours' && !hasMptcpOption(f)) return 'noOption';
    if (inAnalysis && d.side === 'ours' && isV1Syn(f)) return 'v1Syn';
    const mapping = MAPPING_LINE.test(text) || d.line.path.some((p) => p.endsWith('No mapping available]'));
    if (inAnalysis && mapping && d.side === 'tshark' && f.packet.tcp!.payloadLength === 0) return 'zeroLength';
    if (text.trim().startsWith('[TCP subflow stream id(s): ')) {
      const listed = m.connection.subflows.slice(0, m.subflowCount);
      if (listed.some((s) => s.synFrame === undefined && s.synAckFrame === undefined)) return 'midstream';
    }
    const relativeDss = /^\s+\[(Multipath TCP Data ACK|DSS Data Sequence Number): /.test(text);
    if ((relativeDss || mapping) && m.connection.keys[0] === undefined && m.connection.keys[1] === undefined) return 'noKeys';
    if (text.trim().startsWith('[Reinjection of: ') && d.side === 'tshark' && resends[i]) return 'tcpRetransmission';
    if (inAnalysis && mapping && m.relatedMapping !== undefined && reset[m.relatedMapping - 1]) return 'afterReset';
    return undefined;
  };
}

interface Outcome {
  frames: number;
  lines: number;
  reasons: Map<Reason, number>;
  unexplained: string[];
}

function compare(file: string, mode: Mode): Outcome {
  const ours = ourFrames(file, mode);
  const theirs = tsharkTrees(file, mode);
  assert.equal(ours.length, theirs.size, 'frame count');
  const why = classifier(ours, mode);
  const out: Outcome = { frames: 0, lines: 0, reasons: new Map(), unexplained: [] };
  ours.forEach((f, i) => {
    const expected = withoutTsharkBugs(withPaths(tcpLines(theirs.get(i + 1)!)));
    const got = withoutOurs(withPaths(tcpLines(f.tree)));
    if (expected.length === 0 && got.length === 0) return;
    out.frames++;
    out.lines += expected.length;
    for (const d of diffLines(expected, got)) {
      const r = why(d, f, i);
      if (r === undefined) out.unexplained.push(`frame ${i + 1} ${d.side === 'tshark' ? 'tshark only' : 'mpscope only'}: ${d.line.text.trim()}`);
      else out.reasons.set(r, (out.reasons.get(r) ?? 0) + 1);
    }
  });
  return out;
}

/** Every reason some comparison needed, for the check that none is left unused. */
const used = new Set<Reason>();

function check(name: string, o: Outcome, t: { diagnostic(s: string): void }): void {
  for (const r of o.reasons.keys()) used.add(r);
  const reasons = [...o.reasons].map(([r, n]) => `${r} ${n}`).join(', ');
  t.diagnostic(`${name}: ${o.frames} TCP sections, ${o.lines} tshark lines; differing lines by reason: ${reasons || 'none'}`);
  assert.deepEqual(o.unexplained.slice(0, 20), [], `${o.unexplained.length} lines differ without a known reason`);
  assert.ok(o.frames > 0, 'no TCP frames');
}

const LAB = join(ROOT, 'test/fixtures/lab');
const labCaptures = (): string[] => readdirSync(LAB).filter((n) => n.endsWith('.pcapng')).sort().map((n) => join(LAB, n));
const TCP_IN_CORPUS = (): string[] => corpusCaptures().filter((p) => !p.endsWith('.gz'));

for (const mode of [MODES.mappings, MODES.noAnalysis]) {
  describe(`-V TCP sections equal tshark's on the lab captures (${mode.name})`, { skip: SKIP_NO_TSHARK }, () => {
    for (const file of labCaptures()) it(basename(file), (t) => check(basename(file), compare(file, mode), t));
  });
  describe(`-V TCP sections equal tshark's on the corpus (${mode.name})`, { skip: SKIP_NO_SHARED || SKIP_NO_TSHARK }, () => {
    for (const file of TCP_IN_CORPUS()) {
      const name = file.slice(CORPUS.length + 1);
      it(name, (t) => check(name, compare(file, mode), t));
    }
  });
}

describe("-V TCP sections equal tshark's with its default preferences", { skip: SKIP_NO_TSHARK }, () => {
  for (const file of labCaptures()) it(basename(file), (t) => check(basename(file), compare(file, MODES.defaults), t));
});

it('each reason explains some line of the lab and corpus captures', { skip: SKIP_NO_SHARED || SKIP_NO_TSHARK }, () => {
  assert.deepEqual([...used].sort(), Object.keys(REASONS).sort());
});

// ------------------------------------------------------------------ read -V

/** `mpscope read` run from the sources in a child process. */
function mpscopeRead(args: string[]): string {
  const main = pathToFileURL(join(ROOT, 'src/cli/main.ts')).href;
  const code = `import { main } from ${JSON.stringify(main)}; process.exitCode = await main(${JSON.stringify(['read', ...args])});`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, maxBuffer: 1 << 28, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

describe('read -V prints these trees', () => {
  const file = join(LAB, 'mptcp-loss.pcapng');
  for (const mode of [MODES.defaults, MODES.mappings, MODES.noAnalysis]) {
    it(`with ${mode.name}`, () => {
      const expected = ourFrames(file, mode, 'verify').map((f) => f.tree.join('\n') + '\n\n').join('');
      assert.equal(mpscopeRead(['-r', file, '-V', ...mode.tsharkArgs]), expected);
    });
  }
});
