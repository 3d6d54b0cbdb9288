/**
 * The TCP analysis fields in the registry, in `-T fields` and in JSON:
 * names, types and tshark's spelling of their values. The `-T fields`
 * values of every frame are compared with tshark in tcp-tshark.test.ts; here
 * the JSON objects, against `tshark -T json` on captures full of analysis.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Analyzer } from '../../src/analysis/index.js';
import { readCaptureBytes } from '../../src/capture/index.js';
import { getField, listFields } from '../../src/fields/index.js';
import { FieldsWriter } from '../../src/present/fields-out.js';
import { JsonWriter } from '../../src/present/json.js';
import { decodePacket } from '../../src/wire/index.js';
import { CORPUS, ROOT, SKIP_NO_SHARED, hasCommand } from '../helpers/shared.js';
import { COMPARED_FIELDS, FLAG_FIELDS } from './tcp-compare.js';
import { SCENARIOS } from './tcp-scenarios.js';

const SKIP_NO_TSHARK = hasCommand('tshark') ? false : 'tshark is not installed';

describe('TCP analysis fields in the registry', () => {
  it('carry tshark\'s names and types', () => {
    const types = new Map(listFields().map((f) => [f.name, f.type]));
    for (const name of COMPARED_FIELDS) assert.ok(types.has(name), `${name} is registered`);
    assert.equal(types.get('tcp.stream'), 'uint32');
    assert.equal(types.get('tcp.window_size_scalefactor'), 'int32');
    assert.equal(types.get('tcp.analysis.ack_rtt'), 'reltime');
    assert.equal(types.get('tcp.analysis.acks_frame'), 'framenum');
    for (const flag of FLAG_FIELDS) assert.equal(types.get(flag), 'none', flag);
    assert.equal(getField('tcp.analysis.retransmission')?.parent, 'tcp.analysis.flags');
  });

  it('are absent without the analysis, and tcp.seq stays raw', () => {
    const s = SCENARIOS[0]!;
    const names = ['tcp.stream', 'tcp.seq', 'tcp.ack', 'tcp.window_size', 'tcp.analysis', 'tcp.time_relative'];
    const plain = new FieldsWriter(() => {}, names);
    const analysed = new FieldsWriter(() => {}, names);
    const analyzer = new Analyzer();
    const lines: string[][] = [];
    readCaptureBytes(s.timeline.pcap(), (f) => {
      const p = decodePacket({ ...f, data: f.data.slice() });
      lines.push([plain.line(p), analysed.line(p, analyzer.process(p))]);
    });
    // Frame 2, the SYN/ACK: raw numbers and nothing else without analysis.
    assert.equal(lines[1]![0], '\t1000\t5001\t\t\t');
    assert.equal(lines[1]![1], '0\t0\t1\t65160\t1\t0.001000000');
  });

  it('spell values as tshark does', () => {
    const s = SCENARIOS.find((x) => x.name.startsWith('handshake'))!;
    const names = ['tcp.analysis.ack_rtt', 'tcp.analysis.initial_rtt', 'tcp.window_size_scalefactor', 'tcp.analysis.acks_frame', 'tcp.analysis.bytes_in_flight'];
    const w = new FieldsWriter(() => {}, names, { header: true });
    const analyzer = new Analyzer();
    const out: string[] = [];
    readCaptureBytes(s.timeline.pcap(), (f) => {
      const p = decodePacket({ ...f, data: f.data.slice() });
      out.push(w.line(p, analyzer.process(p)));
    });
    assert.deepEqual(out, [
      '\t\t\t\t',
      '0.001000000\t\t\t1\t',
      '0.001000000\t0.002000000\t128\t2\t',
      '\t0.002000000\t128\t\t100',
      '0.020000000\t0.002000000\t128\t4\t',
    ]);
  });
});

type Json = string | null | Json[] | { [k: string]: Json };

/** Every value of the names we care about in a TCP layer, wherever tshark nests them (expert notes, Timestamps). */
function collect(node: Json, names: ReadonlySet<string>, into: Map<string, string[]>): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const x of node) collect(x, names, into);
    return;
  }
  for (const [k, v] of Object.entries(node)) {
    if (names.has(k) && (typeof v === 'string' || Array.isArray(v))) {
      const list = into.get(k) ?? [];
      for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string') list.push(x);
      into.set(k, list);
    }
    if (v !== null && typeof v === 'object') collect(v, names, into);
  }
}

function tcpLayer(packet: Json): Json {
  const layers = ((packet as { _source: { layers: Record<string, Json> } })._source.layers);
  return layers.tcp ?? null;
}

function ourJson(path: string): Json[] {
  let text = '';
  const w = new JsonWriter((s) => void (text += s), { ndjson: false });
  // tshark's duplicate-ACK rule on MPTCP subflows: this test is about spelling, not about the rule.
  const analyzer = new Analyzer({ tcp: { mptcpAwareDupAck: false } });
  readCaptureBytes(new Uint8Array(readFileSync(path)), (f) => {
    const p = decodePacket({ ...f, data: f.data.slice() });
    w.write(p, analyzer.process(p));
  });
  w.end();
  return JSON.parse(text) as Json[];
}

function tsharkJson(path: string): Json[] {
  const r = spawnSync('tshark', ['-n', '-r', path, '-T', 'json', '--no-duplicate-keys'], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, TZ: 'UTC' } });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Json[];
}

describe('TCP analysis fields in JSON equal tshark\'s', { skip: SKIP_NO_SHARED || SKIP_NO_TSHARK }, () => {
  const names = new Set(COMPARED_FIELDS.filter((n) => n !== 'tcp.analysis' && n !== 'tcp.analysis.flags'));
  const files = ['zeek/retransmit-fast009.pcap', 'zeek/ssh-dups.pcap', 'pymptcpanalyzer/client_1_tcp_only.pcap'].map((n) => join(CORPUS, n));
  const lab = join(ROOT, 'test/fixtures/lab/mptcp-loss.pcapng');
  if (existsSync(lab)) files.push(lab);
  for (const path of files) {
    it(path.split('/').slice(-2).join('/'), () => {
      // tshark files its flags as expert notes (`_ws.expert`), mpscope directly under tcp.analysis.flags: the values are what counts.
      const theirs = tsharkJson(path);
      const ours = ourJson(path);
      assert.equal(ours.length, theirs.length);
      let compared = 0;
      theirs.forEach((t, i) => {
        const a = new Map<string, string[]>();
        const b = new Map<string, string[]>();
        collect(tcpLayer(t), names, a);
        collect(tcpLayer(ours[i]!), names, b);
        for (const n of names) {
          // tshark also repeats each flag in its expert note; a fast or spurious retransmission adds the plain one.
          const dedupe = (v: string[] | undefined) => (FLAG_FIELDS.includes(n) && n !== 'tcp.analysis.duplicate_ack' ? [...new Set(v)] : v ?? []);
          assert.deepEqual(dedupe(b.get(n)), dedupe(a.get(n)), `frame ${i + 1} ${n}`);
          compared++;
        }
      });
      assert.ok(compared > 1000);
    });
  }
});
