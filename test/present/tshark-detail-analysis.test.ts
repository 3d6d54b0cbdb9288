/**
 * The detail tree with analysis against `tshark -V` (4.0), line by line in
 * the TCP section (MPTCP options and the SEQ/ACK and MPTCP analysis subtrees
 * included, and the frame's protocol chain, which says whether the payload is
 * shown as data) of every frame of the lab captures and of the public corpus,
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
import { CORPUS, ROOT, SKIP_NO_SHARED, corpusCaptures, hasCommand } from '../helpers/shared.js';
import {
  MODES, REASONS, diffLines, frameFacts, hasMptcpOption, isV1Syn, keysUnknown, listsMidstreamSubflow, ourFrames, protocolsLine,
  tcpLines, tsharkTrees, withPaths, withoutOurs, withoutTsharkBugs,
} from './tshark-detail-compare.js';
import type { LineDiff, Mode, OurFrame, Reason } from './tshark-detail-compare.js';

const MAPPING_LINE = /^\s+(\[Related mapping: |Raw Data Sequence Number: |\[Data Sequence Number: |\[Expert Info \(Warning\/Protocol\): No mapping available\])/;

function under(d: LineDiff, node: string): boolean {
  return d.line.text.trim() === node || d.line.path.includes(node);
}


process.env.TZ = 'UTC';

const SKIP_NO_TSHARK = hasCommand('tshark') ? false : 'tshark is not installed';

const DUP_ACK_LINE = /^\s+\[(Duplicate ACK #: |Duplicate to the ACK in frame: |Duplicate ACK \(#|Expert Info \(Note\/Sequence\): Duplicate ACK \(#)/;

/**
 * tshark handed the segment to an application dissector, or kept it for
 * one's reassembly (which, without sequence analysis, is what marks resent
 * data).
 */
function applicationIn(tree: readonly string[], mode: Mode): boolean {
  const chain = /\[Protocols in frame: (.*)\]/.exec(protocolsLine(tree)[0] ?? '')?.[1] ?? '';
  const after = chain.split(':tcp')[1]?.split(':').filter((p) => p !== '' && p !== 'mptcp' && p !== 'data') ?? [];
  const held = mode.prefs.seq === false ? /^ {4}(Retransmitted )?TCP segment data \(/ : /^ {4}TCP segment data \(/;
  return after.length > 0 || tree.some((l) => held.test(l) || l.startsWith('[Reassembly error, protocol TCP: '));
}

function classifier(frames: readonly OurFrame[], mode: Mode): (d: LineDiff, f: OurFrame, i: number, app: boolean) => Reason | undefined {
  const facts = frameFacts(frames);
  return (d, f, i, app) => {
    const m = f.mptcp;
    const text = d.line.text;
    if (app && text.startsWith('    [Protocols in frame: ')) return 'application';
    if (d.side === 'tshark' && /^\s+(TCP segment data \(|\[PDU Size: )/.test(text)) return 'application';
    if (d.side === 'tshark' && mode.prefs.seq === false && /^\s+Retransmitted TCP segment data \(/.test(text)) return 'application';
    if (d.side === 'tshark' && under(d, '[SEQ/ACK analysis]') && f.tcp?.mptcpNotDupAck === true) return 'mptcpDupAck';
    if (DUP_ACK_LINE.test(text) && facts.renumbered[i]) return 'mptcpDupAck';
    if (m === undefined) return undefined;
    const inAnalysis = under(d, '[MPTCP analysis]');
    if (inAnalysis && d.side === 'ours' && !hasMptcpOption(f)) return 'noOption';
    if (inAnalysis && d.side === 'ours' && isV1Syn(f)) return 'v1Syn';
    const mapping = MAPPING_LINE.test(text) || d.line.path.some((p) => p.endsWith('No mapping available]'));
    if (inAnalysis && mapping && d.side === 'tshark' && f.packet.tcp!.payloadLength === 0) return 'zeroLength';
    if (text.trim().startsWith('[TCP subflow stream id(s): ') && listsMidstreamSubflow(m)) return 'midstream';
    const relativeDss = /^\s+\[(Multipath TCP Data ACK|DSS Data Sequence Number): /.test(text);
    if ((relativeDss || mapping) && keysUnknown(m)) return 'noKeys';
    if (text.trim().startsWith('[Reinjection of: ') && d.side === 'tshark' && facts.resent[i]) return 'tcpRetransmission';
    if (inAnalysis && mapping && m.relatedMapping !== undefined && facts.afterRst[m.relatedMapping - 1]) return 'afterReset';
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
    const tree = theirs.get(i + 1)!;
    const tcp = tcpLines(tree);
    const ourTcp = tcpLines(f.tree);
    if (tcp.length === 0 && ourTcp.length === 0) return;
    // The protocol chain says whether the payload is shown as data.
    const expected = withoutTsharkBugs(withPaths([...protocolsLine(tree), ...tcp]));
    const got = withoutOurs(withPaths([...protocolsLine(f.tree), ...ourTcp]));
    const app = applicationIn(tree, mode);
    out.frames++;
    out.lines += expected.length;
    for (const d of diffLines(expected, got)) {
      const r = why(d, f, i, app);
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
