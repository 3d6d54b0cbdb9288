/** The registry itself: names, lookup, hints, extension by new fields and by analysis annotations. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FieldRegistry,
  fields,
  getField,
  listFields,
  nearestFieldNames,
  occurrences,
  packetLayers,
} from '../../src/fields/index.js';
import type { FieldContext, PacketAnnotations } from '../../src/fields/index.js';
import { defineAllFields } from '../../src/fields/defs/index.js';
import { editDistance } from '../../src/fields/distance.js';
import { SYNTHETIC, syntheticContexts } from './synthetic.js';

/** Every MPTCP field tshark 4.0 fills from a single packet (`tshark -G fields | grep mptcp`). */
const TSHARK_MPTCP_SINGLE_PACKET = [
  'mptcp',
  'tcp.options.mptcp.subtype', 'tcp.options.mptcp.version', 'tcp.options.mptcp.reserved', 'tcp.options.mptcp.flags',
  'tcp.options.mptcp.backup.flag', 'tcp.options.mptcp.checksumreq.flags', 'tcp.options.mptcp.extensibility.flag',
  'tcp.options.mptcp.nomoresubflows.flag', 'tcp.options.mptcp.sha1.flag', 'tcp.options.mptcp.sha256.flag',
  'tcp.options.mptcp.datafin.flag', 'tcp.options.mptcp.dseqn8.flag', 'tcp.options.mptcp.dseqnpresent.flag',
  'tcp.options.mptcp.dataack8.flag', 'tcp.options.mptcp.dataackpresent.flag', 'tcp.options.mptcp.reserved.flag',
  'tcp.options.mptcp.flag_U.flag', 'tcp.options.mptcp.flag_V.flag', 'tcp.options.mptcp.flag_W.flag', 'tcp.options.mptcp.flag_T.flag',
  'tcp.options.mptcp.rst_reason', 'tcp.options.mptcp.addrid', 'tcp.options.mptcp.sendkey', 'tcp.options.mptcp.recvkey',
  'tcp.options.mptcp.recvtok', 'tcp.options.mptcp.sendrand', 'tcp.options.mptcp.sendtrunchmac', 'tcp.options.mptcp.sendhmac',
  'tcp.options.mptcp.addaddrtrunchmac', 'tcp.options.mptcp.rawdataack', 'tcp.options.mptcp.rawdataseqno',
  'tcp.options.mptcp.subflowseqno', 'tcp.options.mptcp.datalvllen', 'tcp.options.mptcp.checksum', 'tcp.options.mptcp.ipver',
  'tcp.options.mptcp.echo', 'tcp.options.mptcp.ipv4', 'tcp.options.mptcp.ipv6', 'tcp.options.mptcp.port',
  'mptcp.rm_addr.count', 'mptcp.expected_token', 'mptcp.expected_idsn',
];

function ctxFor(why: string): FieldContext {
  const i = SYNTHETIC.findIndex((s) => s.why === why);
  assert.ok(i >= 0, why);
  return syntheticContexts()[i]!;
}

function text(name: string, ctx: FieldContext): string[] {
  const def = getField(name);
  assert.ok(def, name);
  return occurrences(def.get(ctx)).map((v) => (typeof v === 'bigint' ? v.toString() : String(v)));
}

describe('field registry', () => {
  it('lists every field once, each with a type, a description and a layer', () => {
    const all = listFields();
    assert.ok(all.length > 250, `${all.length} fields`);
    assert.equal(new Set(all.map((f) => f.name)).size, all.length);
    for (const f of all) {
      assert.ok(f.description.length > 0, f.name);
      assert.ok(f.layer.length > 0, f.name);
      assert.match(f.name, /^[a-z0-9_]+(\.[A-Za-z0-9_]+)*$/, f.name);
      if (f.parent !== undefined) assert.ok(getField(f.parent), `${f.name}: parent ${f.parent}`);
    }
  });

  it('has every single-packet MPTCP field of tshark 4.0, under its name', () => {
    for (const n of TSHARK_MPTCP_SINGLE_PACKET) assert.ok(getField(n), n);
  });

  it('has protocol-presence fields', () => {
    for (const n of ['frame', 'eth', 'sll', 'ip', 'ipv6', 'tcp', 'udp', 'mptcp', 'icmp', 'icmpv6', 'vlan']) {
      assert.equal(getField(n)?.type, 'protocol', n);
    }
  });

  it('suggests near names for typos', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(nearestFieldNames('tcp.srcprt', 1)[0], 'tcp.srcport');
    assert.ok(nearestFieldNames('mptcp.sendkey', 3).includes('tcp.options.mptcp.sendkey'));
    assert.equal(nearestFieldNames('IP.SRC', 1)[0], 'ip.src');
  });

  it('refuses duplicate names and parents defined later', () => {
    const r = new FieldRegistry();
    const d = r.definer('x');
    d.field('x.a', 'uint8', 'A', () => 1);
    assert.throws(() => d.field('x.a', 'uint8', 'A again', () => 1), /twice/);
    assert.throws(() => d.field('x.b', 'uint8', 'B', () => 1, { parent: 'x.c' }), /parent/);
  });

  it('takes new fields as one entry, analysis fields included', () => {
    const r = new FieldRegistry();
    defineAllFields(r);
    // What an analysis module does: read its own annotation from the context.
    r.definer('tcp').field('tcp.example_index', 'uint32', 'Example index', (c) => (c.analysis as { stream?: number } | undefined)?.stream);
    // A member the registry does not declare yet (analysis modules add theirs by declaration merging).
    const ctx = { ...ctxFor('MP_FASTCLOSE'), analysis: { stream: 7 } as unknown as PacketAnnotations };
    assert.equal(r.get('tcp.example_index')?.get(ctx), 7);
    assert.equal(r.get('tcp.example_index')?.get({ ...ctx, analysis: undefined }), undefined);
    const layers = packetLayers(ctx, r);
    assert.equal((layers.tcp as Record<string, unknown>)['tcp.example_index'], '7');
    assert.equal(fields.has('tcp.example_index'), false, 'the default registry is untouched');
  });
});

describe('field values from hand-built packets', () => {
  it('MP_CAPABLE v0 SYN: flags, key, token and IDSN from SHA-1', () => {
    const c = ctxFor('v0 MP_CAPABLE SYN, A and H');
    assert.deepEqual(text('tcp.options.mptcp.flags', c), ['129']);
    assert.deepEqual(text('tcp.options.mptcp.checksumreq.flags', c), ['1']);
    assert.deepEqual(text('tcp.options.mptcp.sha1.flag', c), ['1']);
    assert.deepEqual(text('tcp.options.mptcp.sha256.flag', c), []);
    assert.deepEqual(text('tcp.options.mptcp.sendkey', c), ['1234605616436508552']);
    // Values tshark 4.0.17 prints for this key.
    assert.deepEqual(text('mptcp.expected_token', c), ['3183496201']);
    assert.deepEqual(text('mptcp.expected_idsn', c), ['15011795807459873237']);
  });

  it('several MPTCP options: values in option order', () => {
    const c = ctxFor('two MPTCP options: DSS then ADD_ADDR echo');
    assert.deepEqual(text('tcp.options.mptcp.subtype', c), ['2', '3']);
    assert.deepEqual(text('mpscope.mptcp.option', c), ['DSS', 'ADD_ADDR']);
    assert.deepEqual(text('tcp.option_kind', c), ['30', '30']);
  });

  it('REMOVE_ADDR: one address id per removed address', () => {
    const c = ctxFor('REMOVE_ADDR of three ids');
    assert.deepEqual(text('tcp.options.mptcp.addrid', c), ['1', '2', '3']);
    assert.deepEqual(text('mptcp.rm_addr.count', c), ['3']);
  });

  it('ip.addr and tcp.port hold source then destination; a quoted packet adds its own', () => {
    const c = ctxFor('ICMP fragmentation needed quoting TCP');
    assert.deepEqual(text('ip.addr', c).length, 4);
    assert.deepEqual(text('tcp.port', c), ['40000', '5201']);
    assert.equal(getField('tcp.port')?.own(c), undefined, 'the outer packet has no TCP');
  });

  it('frame times are relative to the first frame and to the previous one', () => {
    const all = syntheticContexts();
    const rel = getField('frame.time_relative')!.get(all[2]!) as { sec: number; nsec: number };
    assert.deepEqual(rel, { sec: 2, nsec: 0 });
    const delta = getField('frame.time_delta')!.get(all[2]!) as { sec: number; nsec: number };
    assert.deepEqual(delta, { sec: 1, nsec: 0 });
  });
});
