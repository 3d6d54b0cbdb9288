import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { keyToIdsn, keyToToken } from '../../src/mptcp/index.js';
import { mptcpOptionCodec } from '../../src/wire/mptcp.js';
import type { MptcpOption } from '../../src/wire/types.js';
import { assertRoundTrip } from '../helpers/roundtrip.js';
import { SHARED, SKIP_NO_SHARED } from '../helpers/shared.js';
import { fromHex } from './forms.js';
import { mptcpOptionSpans } from './tshark-options.js';

/**
 * The option hex dumps of the seed documents: each decodes to the fields the
 * documents (and the keys beside them) say, and re-encodes identically.
 */

type Vector = Record<string, unknown>;
const big = (h: string): bigint => BigInt(`0x${h}`);
const low32 = (v: bigint): bigint => v & 0xffffffffn;

function vectors(): Vector[] {
  return (JSON.parse(readFileSync(join(SHARED, 'vectors/seed-vectors.json'), 'utf8')) as { vectors: Vector[] }).vectors;
}

function decodeFull(label: string, hex: string): MptcpOption {
  return assertRoundTrip(mptcpOptionCodec, fromHex(hex), undefined, label);
}

/** Kind and length in front of a dump that starts at the subtype byte. */
function decodeAfterKindLength(label: string, hex: string): MptcpOption {
  const len = (2 + hex.length / 2).toString(16).padStart(2, '0');
  return decodeFull(label, `1e${len}${hex}`);
}

function expect<N extends MptcpOption['name']>(o: MptcpOption, name: N, fields: Partial<Extract<MptcpOption, { name: N }>>): void {
  assert.equal(o.name, name);
  for (const [k, v] of Object.entries(fields)) assert.deepEqual((o as unknown as Record<string, unknown>)[k], v, `${name}.${k}`);
}

test('seed 001: a raw-socket v0 connection with checksums, ADD_ADDR over IPv6 and MP_FAIL', { skip: SKIP_NO_SHARED }, () => {
  const v = vectors().find((x) => x['seed'] === '001_556c769195782ec1.txt')!;
  const o = v['options_hex_after_kind_and_length'] as Record<string, string>;
  const client = big(v['client_key'] as string);
  const server = big(v['server_key'] as string);
  const clientIdsn = keyToIdsn(client, 0);
  const dss = v['dss_checksum'] as Record<string, string | number>;
  const synack = v['join_synack_hmac'] as Record<string, string>;
  assert.equal(big(dss['dsn64'] as string), clientIdsn + 1n, 'the first data byte follows the IDSN');

  expect(decodeAfterKindLength('syn', o['syn_mp_capable']!), 'MP_CAPABLE', { version: 0, flags: 0x81, senderKey: client, receiverKey: undefined });
  expect(decodeAfterKindLength('synack', o['synack_mp_capable']!), 'MP_CAPABLE', { senderKey: server });
  expect(decodeAfterKindLength('ack', o['ack_mp_capable']!), 'MP_CAPABLE', { senderKey: client, receiverKey: server });
  expect(decodeAfterKindLength('data', o['data_dss_dsn32_csum']!), 'DSS', {
    flags: 0x04, dataAck: undefined, dsn: low32(clientIdsn + 1n), dsnWidth: 4, ssn: Number(dss['ssn']),
    dataLength: Number(dss['data_level_length']), checksum: Number(big(dss['checksum'] as string)),
  });
  expect(decodeAfterKindLength('add-addr', o['server_add_addr_v0_ipv6']!), 'ADD_ADDR', {
    form: 0, ipVersion: 6, addrId: 8, port: undefined, address: fromHex('200106a8308f000102163efffec5c815'),
  });
  expect(decodeAfterKindLength('data ack', o['server_dss_ack32']!), 'DSS', { flags: 0x01, dataAck: low32(clientIdsn + 1n + 72n), dsn: undefined });
  expect(decodeAfterKindLength('join syn', o['join_syn']!), 'MP_JOIN', {
    phase: 'syn', backup: false, addrId: 2, token: keyToToken(server, 0), nonce: Number(big(synack['R_A']!)),
  });
  expect(decodeAfterKindLength('join synack', o['join_synack']!), 'MP_JOIN', {
    phase: 'synack', addrId: 2, truncatedHmac: big(synack['truncated_64']!), nonce: Number(big(synack['R_B']!)),
  });
  expect(decodeAfterKindLength('mp_fail', o['mp_fail']!), 'MP_FAIL', { dsn: big(dss['dsn64'] as string) });
});

test('seed 003: an echo server over v0, handshake to DATA_FIN', { skip: SKIP_NO_SHARED }, () => {
  const v = vectors().find((x) => x['seed'] === '003_d53157bcf2109924.txt')!;
  const o = v['full_options_hex'] as Record<string, string>;
  const client = big(v['client_key'] as string);
  const server = big(v['server_key'] as string);
  const cIdsn = keyToIdsn(client, 0);
  const sIdsn = keyToIdsn(server, 0);
  const sums = v['dss_checksums'] as Array<Record<string, string | number>>;
  const sum = (dir: string): number => Number(big(sums.find((s) => s['dir'] === dir)!['checksum'] as string));

  expect(decodeFull('syn', o['syn']!), 'MP_CAPABLE', { version: 0, flags: 0x81, senderKey: client });
  expect(decodeFull('synack', o['synack']!), 'MP_CAPABLE', { senderKey: server });
  expect(decodeFull('ack', o['ack']!), 'MP_CAPABLE', { senderKey: client, receiverKey: server });
  expect(decodeFull('ack dss', o['ack_dss_ack32']!), 'DSS', { dataAck: low32(sIdsn + 1n), dataAckWidth: 4 });
  expect(decodeFull('add-addr 2', o['add_addr_v0_ipv4_id2']!), 'ADD_ADDR', { form: 0, ipVersion: 4, addrId: 2, address: Uint8Array.of(192, 168, 0, 28) });
  expect(decodeFull('add-addr 3', o['add_addr_v0_ipv4_id3']!), 'ADD_ADDR', { addrId: 3, address: Uint8Array.of(192, 168, 0, 25) });
  expect(decodeFull('client data', o['client_data_dss']!), 'DSS', {
    dataFin: false, dataAck: low32(sIdsn + 1n), dsn: low32(cIdsn + 1n), ssn: 1, dataLength: 5, checksum: sum('client'),
  });
  expect(decodeFull('server data', o['server_data_dss']!), 'DSS', {
    dataAck: low32(cIdsn + 6n), dsn: low32(sIdsn + 1n), ssn: 1, dataLength: 5, checksum: sum('server'),
  });
  expect(decodeFull('server DATA_FIN', o['server_data_fin']!), 'DSS', {
    flags: 0x15, dataFin: true, dsn: low32(sIdsn + 6n), ssn: 0, dataLength: 1, checksum: sum('server DATA_FIN'),
  });
  expect(decodeFull('client DATA_FIN', o['client_data_fin']!), 'DSS', {
    dataFin: true, dataAck: low32(sIdsn + 7n), dsn: low32(cIdsn + 6n), ssn: 0, dataLength: 1, checksum: sum('client DATA_FIN'),
  });
  expect(decodeFull('join 2', o['join_syn_id2']!), 'MP_JOIN', { addrId: 2, token: Number(big(v['server_token'] as string)), nonce: 0x07305469 });
  expect(decodeFull('join 3', o['join_syn_id3']!), 'MP_JOIN', { addrId: 3, token: keyToToken(server, 0), nonce: 0x74c5f35c });

  // The SYN's IPv4 + TCP headers: the last TCP option is the MP_CAPABLE above.
  const pkt = fromHex(v['ipv4_tcp_header_hex_syn'] as string);
  const tcp = (pkt[0]! & 0x0f) * 4;
  const options = pkt.subarray(tcp + 20, tcp + (pkt[tcp + 12]! >> 4) * 4);
  const spans = mptcpOptionSpans(options);
  assert.equal(spans.length, 1);
  const bytes = options.subarray(spans[0]!.offset, spans[0]!.offset + spans[0]!.length);
  assert.deepEqual(bytes, fromHex(o['syn']!));
});
