/**
 * `-T json` against tshark's `-T json --no-duplicate-keys`: our output
 * parses, has one element per packet, and every value at a path both sides
 * have is equal; selected keys must be present.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Analyzer, MptcpTracker, mptcpStage } from '../../src/analysis/index.js';
import { encodePcapng, readCapture, readCaptureBytes } from '../../src/capture/index.js';
import { fields } from '../../src/fields/index.js';
import { JsonWriter } from '../../src/present/json.js';
import type { JsonPacket } from '../../src/present/json.js';
import { decodePacket } from '../../src/wire/index.js';
import { CORPUS, ROOT, SKIP_NO_SHARED, corpusCaptures, hasCommand } from '../helpers/shared.js';
import { REASONS, frameFacts, keysUnknown, listsMidstreamSubflow } from '../present/tshark-detail-compare.js';
import type { AnalysedFrame, Reason } from '../present/tshark-detail-compare.js';
import { SYNTHETIC, syntheticFrames } from './synthetic.js';
import { STATEFUL_IN_TSHARK, TSHARK_ARGS, captureFormat } from './tshark-compare.js';

const SKIP_NO_TSHARK = hasCommand('tshark') ? false : 'tshark is not installed';

type Json = string | Json[] | { [k: string]: Json } | null;

async function ourJson(path: string): Promise<JsonPacket[]> {
  let text = '';
  const w = new JsonWriter((s) => (text += s), { captureFormat: captureFormat(path) });
  await readCapture(path, (f) => w.write(decodePacket(f)));
  w.end();
  return JSON.parse(text) as JsonPacket[];
}

function tsharkJson(path: string): JsonPacket[] {
  const r = spawnSync('tshark', ['-r', path, ...TSHARK_ARGS, '-T', 'json', '--no-duplicate-keys'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as JsonPacket[];
}

/** Values tshark and mpscope may spell differently at a path, with the reason. */
function excused(path: string, ours: Json): string | undefined {
  if (path.endsWith('/frame.protocols') && typeof ours === 'string' && ours.endsWith(':data')) return 'application protocols';
  return undefined;
}

interface Walk {
  compared: number;
  diffs: string[];
  /** Paths tshark has and mpscope may lack, for reasons given where they are listed. */
  mayLack?: (path: string) => boolean;
  /** Why the value at a path differs or is missing (a deliberate difference), counted in `reasons`; undefined for a bug. */
  reason?: (path: string) => string | undefined;
  reasons?: Map<string, number>;
}

/** A difference at `path`, unless the walk knows why. */
function differs(out: Walk, path: string, text: string): void {
  const why = out.reason?.(path);
  if (why === undefined) out.diffs.push(text);
  else out.reasons?.set(why, (out.reasons.get(why) ?? 0) + 1);
}

/**
 * Keys tshark has that mpscope leaves out on purpose. tshark repeats
 * `ip.version` inside the ipv6 object; mpscope keeps each field in its own
 * protocol's object.
 */
function missingExcused(path: string, key: string, value: Json): boolean {
  if (key === 'ip.version' && path.endsWith('/ipv6')) return true;
  // tshark nests an echo's data inside the ICMP object; mpscope keeps `data` at the top level.
  if (key === 'data' && /\/icmp(v6)?$/.test(path)) return true;
  if (STATEFUL_IN_TSHARK.has(key)) return true;
  // Subtrees holding only tshark's expert info (connection SYN/FIN/RST notes) or analysis.
  return key.endsWith('_tree') && !hasRegisteredKey(value);
}

function hasRegisteredKey(v: Json): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.some(hasRegisteredKey);
  return Object.entries(v).some(([k, x]) => fields.has(k.replace(/_tree$/, '')) || hasRegisteredKey(x));
}

/** Compares every value at a path both trees have (tshark's extra analysis keys are not ours yet). */
function walk(theirs: Json, ours: Json, path: string, out: Walk): void {
  if (typeof theirs === 'string' || typeof ours === 'string' || theirs === null || ours === null) {
    out.compared++;
    if (theirs !== ours && !excused(path, ours)) differs(out, path, `${path}: tshark=${JSON.stringify(theirs)} mpscope=${JSON.stringify(ours)}`);
    return;
  }
  if (Array.isArray(theirs) || Array.isArray(ours)) {
    if (!Array.isArray(theirs) || !Array.isArray(ours) || theirs.length !== ours.length) {
      differs(out, path, `${path}: shapes differ`);
      return;
    }
    theirs.forEach((t, i) => walk(t, ours[i]!, `${path}[${i}]`, out));
    return;
  }
  for (const [k, v] of Object.entries(theirs)) {
    if (k in ours) walk(v, ours[k]!, `${path}/${k}`, out);
    else if (fields.has(k.replace(/_tree$/, '')) && !missingExcused(path, k, v) && !out.mayLack?.(`${path}/${k}`)) {
      differs(out, `${path}/${k}`, `${path}/${k}: missing`);
    }
  }
}

function layersOf(p: JsonPacket): Record<string, Json> {
  return p._source.layers as unknown as Record<string, Json>;
}

/** Follows `a/b/c` through objects (arrays: the first element). */
function at(root: Json, path: string): Json | undefined {
  let cur: Json | undefined = root;
  for (const k of path.split('/')) {
    if (Array.isArray(cur)) cur = cur[0];
    if (cur === null || cur === undefined || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

const SELECTED = [
  'frame/frame.number',
  'frame/frame.time_epoch',
  'frame/frame.protocols',
  'ip/ip.src',
  'ip/ip.addr',
  'tcp/tcp.srcport',
  'tcp/tcp.flags_tree/tcp.flags.syn',
  'tcp/tcp.options_tree/mptcp/tcp.options.mptcp.subtype',
];

async function compareFile(path: string, mustHave: readonly string[], mayLack?: (path: string) => boolean): Promise<void> {
  const [theirs, ours] = [tsharkJson(path), await ourJson(path)];
  assert.equal(ours.length, theirs.length, 'packet count');
  const out: Walk = { compared: 0, diffs: [], ...(mayLack ? { mayLack } : {}) };
  theirs.forEach((t, i) => {
    const o = ours[i]!;
    assert.equal(o._index, t._index, `frame ${i + 1} _index`);
    assert.equal(o._type, 'doc');
    assert.equal(o._score, null);
    walk(layersOf(t) as Json, layersOf(o) as Json, `#${i + 1}`, out);
  });
  assert.deepEqual(out.diffs.slice(0, 20), [], `${out.diffs.length} of ${out.compared} values differ`);
  for (const key of mustHave) {
    const i = theirs.findIndex((t) => at(layersOf(t) as Json, key) !== undefined);
    assert.ok(i >= 0, `tshark has no ${key}`);
    assert.deepEqual(at(layersOf(ours[i]!) as Json, key), at(layersOf(theirs[i]!) as Json, key), key);
  }
  assert.ok(out.compared > 100, `only ${out.compared} values compared`);
}

/** tshark reassembles an application protocol's PDUs (ssh, dns) as TCP segment data; mpscope has no application dissectors. */
const applicationSegments = (p: string): boolean => p.endsWith('/tcp.segment_data');

describe('-T json equals tshark', { skip: SKIP_NO_SHARED || SKIP_NO_TSHARK }, () => {
  for (const name of ['tcpdump/mptcp-v0.pcap', 'tcpdump/mptcp-aa-echo.pcap', 'tcpdump/mptcp-tcprst.pcap', 'ptcpdump/tfo.pcap', 'zeek/option-sack.pcap']) {
    it(name, () => compareFile(join(CORPUS, name), SELECTED.filter((k) => name.includes('mptcp') || !k.includes('mptcp')), applicationSegments));
  }
});

describe('-T json equals tshark on hand-built packets', { skip: SKIP_NO_TSHARK }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'mpscope-json-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  it('every MPTCP form, VLAN stacks, IPv6 extensions, ICMP quotes nested in icmp', async () => {
    const path = join(dir, 'synthetic.pcapng');
    writeFileSync(path, encodePcapng(syntheticFrames()));
    const why = (frame: number) => SYNTHETIC[frame - 1]!.why;
    // Same differences as -T fields (tshark-fields.test.ts): no token for MPTCP version 2, no TCP layer for a header cut short.
    const mayLack = (p: string) => {
      const frame = Number(/^#(\d+)/.exec(p)![1]);
      return (why(frame) === 'MP_CAPABLE version 2' && p.includes('/mptcp.expected_')) || (why(frame) === 'raw IP, truncated TCP header' && p.endsWith('/tcp'));
    };
    await compareFile(path, [
      ...SELECTED,
      'vlan/vlan.id',
      'ieee8021ad/ieee8021ad.id',
      'ipv6/ipv6.hopopts/ipv6.hopopts.nxt',
      'ipv6/ipv6.fraghdr/ipv6.fraghdr.ident',
      'icmp/ip/ip.src',
      'icmp/tcp/tcp.srcport',
      'tcp/tcp.options_tree/tcp.options.sack_tree/tcp.options.sack_le',
      'tcp/tcp.options_tree/mptcp/tcp.options.mptcp.flags_tree/tcp.options.mptcp.flag_T.flag',
    ], mayLack);
  });
});

// ------------------------------------------------------------ with analysis

/** tshark's TCP and MPTCP analysis (mappings and reinjections on), checksums verified as mpscope's fields always are. */
const TSHARK_ANALYSIS = [
  '-n', '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
  '-o', 'mptcp.analyze_mappings:TRUE', '-o', 'mptcp.intersubflows_retransmission:TRUE',
];

/** Our JSON with TCP and MPTCP analysis, as `read -T json` runs it, and each frame's analysis for the reasons. */
function analysedJson(path: string): { packets: JsonPacket[]; frames: AnalysedFrame[] } {
  let text = '';
  const w = new JsonWriter((s) => (text += s), { captureFormat: captureFormat(path) });
  const analyzer = new Analyzer({ tcp: { summaries: false } }).use(mptcpStage(new MptcpTracker()));
  const frames: AnalysedFrame[] = [];
  readCaptureBytes(new Uint8Array(readFileSync(path)), (f) => {
    const packet = decodePacket({ ...f, data: f.data.slice() });
    const a = analyzer.process(packet);
    w.write(packet, a);
    frames.push({ packet, tcp: a.tcp, mptcp: a.mptcp });
  });
  w.end();
  return { packets: JSON.parse(text) as JsonPacket[], frames };
}

const DSN_KEYS = new Set(['mptcp.rawdsn64', 'mptcp.dsn', 'mptcp.related_mapping']);

/** The reason a value differs at `path` (frame number first), from the frame's analysis. */
function analysisReason(frames: readonly AnalysedFrame[]): (path: string) => Reason | undefined {
  const facts = frameFacts(frames);
  return (path) => {
    const i = Number(/^#(\d+)/.exec(path)![1]) - 1;
    const f = frames[i]!;
    const key = path.split('/').pop()!.replace(/\[\d+\]$/, '').replace(/_tree$/, '');
    if (path.includes('/tcp.analysis') && (f.tcp?.mptcpNotDupAck === true || facts.renumbered[i])) return 'mptcpDupAck';
    if (key === 'tcp.segment_data' && (f.tcp?.flags ?? 0) === 0) return 'application';
    const m = f.mptcp;
    if (m === undefined) return undefined;
    if (DSN_KEYS.has(key) && f.packet.tcp?.payloadLength === 0) return 'zeroLength';
    if (key === 'mptcp.analysis.subflows' && listsMidstreamSubflow(m)) return 'midstream';
    if ((DSN_KEYS.has(key) || key === 'mptcp.ack' || key === 'mptcp.dss.dsn') && keysUnknown(m)) return 'noKeys';
    if (key === 'mptcp.reinjection_of' && facts.resent[i]) return 'tcpRetransmission';
    if (DSN_KEYS.has(key) && m.relatedMapping !== undefined && facts.afterRst[m.relatedMapping - 1]) return 'afterReset';
    return undefined;
  };
}

const LAB = join(ROOT, 'test/fixtures/lab');

describe('-T json with TCP and MPTCP analysis equals tshark', { skip: SKIP_NO_TSHARK }, () => {
  const files = [
    ...readdirSync(LAB).filter((n) => n.endsWith('.pcapng')).sort().map((n) => join(LAB, n)),
    ...corpusCaptures().filter((p) => /mptcp|ptcpdump|pymptcpanalyzer/.test(p)),
  ];
  for (const path of files) {
    it(basename(path), (t) => {
      const r = spawnSync('tshark', ['-r', path, ...TSHARK_ANALYSIS, '-T', 'json', '--no-duplicate-keys'], { encoding: 'utf8', maxBuffer: 1 << 30 });
      const theirs = JSON.parse(r.stdout) as JsonPacket[];
      const { packets: ours, frames } = analysedJson(path);
      assert.equal(ours.length, theirs.length, 'packet count');
      const out: Walk = { compared: 0, diffs: [], mayLack: applicationSegments, reason: analysisReason(frames), reasons: new Map() };
      theirs.forEach((x, i) => walk(layersOf(x) as Json, layersOf(ours[i]!) as Json, `#${i + 1}`, out));
      const reasons = [...out.reasons!].map(([k, n]) => `${k} ${n}`).join(', ');
      t.diagnostic(`${out.compared} values compared; differences by reason: ${reasons || 'none'}`);
      for (const k of out.reasons!.keys()) assert.ok(k in REASONS, k);
      assert.deepEqual(out.diffs.slice(0, 20), [], `${out.diffs.length} of ${out.compared} values differ`);
    });
  }
});
