import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  addAddr, craftedCapture, dss, keyFacts, mpCapable, mpFail, mpJoinAck, mpJoinSyn, mpJoinSynAck, mss, nop, sackPerm, tcpSegment, ts, wscale,
} from '../../src/probe/index.js';
import type { TcpOptMptcp } from '../../src/wire/types.js';
import { hasCommand, SHARED, SKIP_NO_SHARED } from '../helpers/shared.js';

/**
 * The seed documents' packets rebuilt from their keys with the crafting
 * API: option bytes identical to the dumps, whole packets identical where a
 * seed prints whole packets, and the seed's tcpdump trace printed again by
 * tcpdump from the rebuilt packets.
 */

type Vector = Record<string, unknown>;
const big = (h: string): bigint => BigInt(`0x${h}`);
/** A 64-bit key of a vector, given in hex (0 when the vector is absent). */
const keyOf = (v: Vector, name: string): bigint => big((v[name] as string | undefined) ?? '0');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** The option's bytes after kind and length, as Tracebox prints them. */
const body = (o: TcpOptMptcp): string => hex(o.raw.subarray(2));

function vector(pred: (v: Vector) => boolean): Vector {
  const all = (JSON.parse(readFileSync(join(SHARED, 'vectors/seed-vectors.json'), 'utf8')) as { vectors: Vector[] }).vectors;
  const v = all.find(pred);
  assert.ok(v, 'vector present');
  return v;
}

const GET = 'GET / HTTP/1.1\r\nHost: blog.multipath-tcp.org\r\nConnection: keep-alive\r\n\r\n';
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('seed 001: the raw-socket test suite', { skip: SKIP_NO_SHARED }, () => {
  const v = SKIP_NO_SHARED ? {} : vector((x) => x['seed'] === '001_556c769195782ec1.txt');
  const o = (v['options_hex_after_kind_and_length'] ?? {}) as Record<string, string>;
  const clientKey = keyOf(v, 'client_key');
  const serverKey = keyOf(v, 'server_key');
  const client = keyFacts(clientKey, 0);
  const server = keyFacts(serverKey, 0);

  it('keys give the tokens and IDSNs of the vectors', () => {
    assert.equal(server.token.toString(16).padStart(8, '0'), v['server_token']);
    assert.equal(client.token.toString(16).padStart(8, '0'), v['client_token']);
    assert.equal(client.idsn.toString(16).padStart(16, '0'), v['client_idsn']);
    assert.equal(server.idsn.toString(16).padStart(16, '0'), v['server_idsn']);
  });

  it('every MPTCP option of the compliant run is rebuilt byte for byte from the keys', () => {
    const synack = v['join_synack_hmac'] as Record<string, string>;
    const rA = Number(big(synack['R_A']!));
    const rB = Number(big(synack['R_B']!));
    const built: Record<string, TcpOptMptcp> = {
      syn_mp_capable: mpCapable({ version: 0, flags: 'AH', senderKey: clientKey }),
      synack_mp_capable: mpCapable({ version: 0, flags: 'AH', senderKey: serverKey }),
      ack_mp_capable: mpCapable({ version: 0, flags: 'AH', senderKey: clientKey, receiverKey: serverKey }),
      // The DSN goes out as its low 32 bits; the checksum covers all 64.
      data_dss_dsn32_csum: dss({ dsn: client.idsn + 1n, dsnWidth: 4, ssn: 1, payload: utf8(GET), checksum: 'compute' }),
      server_add_addr_v0_ipv6: addAddr({ version: 0, addrId: 8, address: '2001:6a8:308f:1:216:3eff:fec5:c815' }),
      server_dss_ack32: dss({ dataAck: client.idsn + 1n + BigInt(GET.length), dataAckWidth: 4 }),
      join_syn: mpJoinSyn({ addrId: 2, nonce: rA, receiverKey: serverKey, version: 0 }),
      join_synack: mpJoinSynAck({ addrId: 2, auth: { version: 0, senderKey: serverKey, receiverKey: clientKey, senderNonce: rB, receiverNonce: rA } }),
      mp_fail: mpFail(client.idsn + 1n),
    };
    assert.deepEqual(Object.keys(built).sort(), Object.keys(o).sort(), 'every option of the vectors is covered');
    for (const [name, opt] of Object.entries(built)) assert.equal(body(opt), o[name], name);
  });

  it('the misbehaving runs: wrong echoed key, checksum left out, bad checksum, infinite mapping, bad token', () => {
    // Values as the seed prints them; each is the compliant option with one field changed on purpose.
    assert.equal(body(mpCapable({ version: 0, flags: 'AH', senderKey: clientKey, receiverKey: 0x2000000000000000n })), '008110000000000000002000000000000000');
    assert.equal(body(mpCapable({ version: 0, flags: 'H', senderKey: clientKey })), '00011000000000000000');
    assert.equal(body(dss({ dsn: client.idsn + 1n, dsnWidth: 4, ssn: 1, dataLength: 72 })), '2004fb4e435d000000010048');
    assert.equal(body(dss({ dsn: client.idsn + 1n, dsnWidth: 4, ssn: 1, dataLength: 72, checksum: 0x0100 })), '2004fb4e435d0000000100480100');
    assert.equal(body(dss({ dsn: client.idsn + 1n, dsnWidth: 4, ssn: 1, dataLength: 0, checksum: 0 })), '2004fb4e435d0000000100000000');
    assert.equal(body(mpJoinSyn({ addrId: 2, nonce: 0x10000000, token: 0x02000000 })), '10020200000010000000');
  });

  it("tcpdump prints the seed's trace again from the rebuilt packets", { skip: hasCommand('tcpdump') ? false : 'tcpdump not installed' }, () => {
    const c1 = '192.168.42.7';
    const c2 = '192.168.1.102';
    const s = '130.104.230.45';
    const cIsn = 19922944;
    const sIsn = 3005334072;
    const response = new Uint8Array(502);
    response.set(utf8('HTTP/1.1 200 OK\r\n'));
    const up = { src: c1, dst: s, sport: 9426, dport: 80, window: 65535 };
    const down = { src: s, dst: c1, sport: 80, dport: 9426, window: 28800 };
    const packets = [
      tcpSegment({ ...up, seq: cIsn, flags: 'S', options: [mpCapable({ version: 0, flags: 'AH', senderKey: clientKey })] }),
      tcpSegment({ ...down, seq: sIsn, ack: cIsn + 1, flags: 'SA', options: [mss(1452), mpCapable({ version: 0, flags: 'AH', senderKey: serverKey })] }),
      tcpSegment({ ...up, seq: cIsn + 1, ack: sIsn + 1, options: [mpCapable({ version: 0, flags: 'AH', senderKey: clientKey, receiverKey: serverKey })] }),
      tcpSegment({
        ...up, seq: cIsn + 1, ack: sIsn + 1, payload: GET,
        options: [dss({ dsn: client.idsn + 1n, dsnWidth: 4, ssn: 1, payload: utf8(GET), checksum: 'compute' })],
      }),
      tcpSegment({
        ...down, seq: sIsn + 1, ack: cIsn + 1,
        options: [addAddr({ version: 0, addrId: 8, address: '2001:6a8:308f:1:216:3eff:fec5:c815' }), dss({ dataAck: client.idsn + 1n, dataAckWidth: 4 })],
      }),
      tcpSegment({ ...down, seq: sIsn + 1, ack: cIsn + 73, options: [dss({ dataAck: client.idsn + 73n, dataAckWidth: 4 })] }),
      // The response's bytes are not in the seed, so its checksum is taken as printed.
      tcpSegment({
        ...down, seq: sIsn + 1, ack: cIsn + 73, flags: 'PA', payload: response,
        options: [dss({ dataAck: client.idsn + 73n, dataAckWidth: 4, dsn: server.idsn + 1n, dsnWidth: 4, ssn: 1, dataLength: 502, checksum: 0xc36b })],
      }),
      tcpSegment({
        src: c2, dst: s, sport: 52988, dport: 80, window: 65535, seq: 1793048487, flags: 'S',
        options: [mpJoinSyn({ addrId: 2, nonce: 0x10000000, receiverKey: serverKey, version: 0 })],
      }),
      tcpSegment({
        src: s, dst: c2, sport: 80, dport: 52988, window: 28800, seq: 1665111958, ack: 1793048488, flags: 'SA',
        options: [mss(1452), mpJoinSynAck({ addrId: 2, auth: { version: 0, senderKey: serverKey, receiverKey: clientKey, senderNonce: 0xa29163c5, receiverNonce: 0x10000000 } })],
      }),
    ];
    const dir = mkdtempSync(join(tmpdir(), 'mpscope-seed001-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'seed001.pcap');
    writeFileSync(file, craftedCapture(packets));
    const r = spawnSync('tcpdump', ['-nn', '-t', '-r', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    // The seed's tcpdump resolved names and predates the option length and version in its MPTCP output.
    const printed = r.stdout.trim().split('\n').map((l) => l
      .replace(/mptcp \d+ /g, 'mptcp ')
      .replace(/capable v0 /g, 'capable ')
      .replace(/add-addr v0-ip6 /g, 'add-addr '));
    const seedLines = readFileSync(join(SHARED, 'seeds/001_556c769195782ec1.txt'), 'utf8').split('\n')
      .filter((l) => /^\d\d:\d\d:\d\d\.\d+ IP /.test(l))
      .map((l) => l.replace(/^\S+ /, '')
        .replace(/client1/g, c1).replace(/client2/g, c2)
        .replace(/add-addr id 8 mptcp\.info\.ucl\.ac\.be/, 'add-addr id 8 2001:6a8:308f:1:216:3eff:fec5:c815')
        .replace(/mptcp\.info\.ucl\.ac\.be\.http/g, `${s}.80`));
    assert.equal(seedLines.length, packets.length);
    assert.deepEqual(printed, seedLines);
  });
});

describe('seed 003: a whole SYN and the option dumps of a v0 connection', { skip: SKIP_NO_SHARED }, () => {
  const v = SKIP_NO_SHARED ? {} : vector((x) => x['seed'] === '003_d53157bcf2109924.txt');
  const full = (v['full_options_hex'] ?? {}) as Record<string, string>;
  const clientKey = keyOf(v, 'client_key');
  const serverKey = keyOf(v, 'server_key');
  const client = keyFacts(clientKey, 0);
  const server = keyFacts(serverKey, 0);

  it('the SYN, IPv4 and TCP headers with their checksums, is rebuilt byte for byte', () => {
    const syn = tcpSegment({
      src: '203.250.35.157', dst: '203.250.33.51', sport: 0x9372, dport: 0x270f, seq: 0xbea69feb, flags: 'S', window: 0x7210,
      ttl: 63, id: 0x12f6, df: true,
      options: [mss(1460), sackPerm(), ts(0x228d1d, 0), nop(), wscale(6), mpCapable({ version: 0, flags: 'AH', senderKey: clientKey })],
    });
    assert.equal(hex(syn), v['ipv4_tcp_header_hex_syn']);
  });

  it('every option dump is rebuilt from the keys and the data', () => {
    const hello = utf8('hello');
    const built: Record<string, TcpOptMptcp> = {
      syn: mpCapable({ version: 0, flags: 'AH', senderKey: clientKey }),
      synack: mpCapable({ version: 0, flags: 'AH', senderKey: serverKey }),
      ack: mpCapable({ version: 0, flags: 'AH', senderKey: clientKey, receiverKey: serverKey }),
      ack_dss_ack32: dss({ dataAck: server.idsn + 1n, dataAckWidth: 4 }),
      add_addr_v0_ipv4_id2: addAddr({ version: 0, addrId: 2, address: '192.168.0.28' }),
      add_addr_v0_ipv4_id3: addAddr({ version: 0, addrId: 3, address: '192.168.0.25' }),
      client_data_dss: dss({ dataAck: server.idsn + 1n, dataAckWidth: 4, dsn: client.idsn + 1n, dsnWidth: 4, ssn: 1, payload: hello, checksum: 'compute' }),
      server_data_dss: dss({ dataAck: client.idsn + 6n, dataAckWidth: 4, dsn: server.idsn + 1n, dsnWidth: 4, ssn: 1, payload: hello, checksum: 'compute' }),
      server_data_fin: dss({ dataFin: true, dataAck: client.idsn + 6n, dataAckWidth: 4, dsn: server.idsn + 6n, dsnWidth: 4, ssn: 0, dataLength: 1, checksum: 'compute' }),
      client_data_fin: dss({ dataFin: true, dataAck: server.idsn + 7n, dataAckWidth: 4, dsn: client.idsn + 6n, dsnWidth: 4, ssn: 0, dataLength: 1, checksum: 'compute' }),
      join_syn_id2: mpJoinSyn({ addrId: 2, nonce: 0x07305469, receiverKey: serverKey, version: 0 }),
      join_syn_id3: mpJoinSyn({ addrId: 3, nonce: 0x74c5f35c, receiverKey: serverKey, version: 0 }),
    };
    assert.deepEqual(Object.keys(built).sort(), Object.keys(full).sort(), 'every dump is covered');
    for (const [name, opt] of Object.entries(built)) assert.equal(hex(opt.raw), full[name], name);
  });
});

describe('a Linux v1 connection: HMACs and tokens of the vectors', { skip: SKIP_NO_SHARED }, () => {
  const v = SKIP_NO_SHARED ? {} : vector((x) => String(x['source'] ?? '').startsWith('a Linux'));
  const clientKey = keyOf(v, 'client_key');
  const serverKey = keyOf(v, 'server_key');

  it('MP_JOIN on all three packets and a v1 ADD_ADDR carry what Linux sent', () => {
    const rA = 0x2129a287;
    const rB = 0xd11e01ac;
    const syn = mpJoinSyn({ addrId: 1, nonce: rA, receiverKey: serverKey, version: 1 }).mptcp;
    assert.equal(syn.name === 'MP_JOIN' && syn.token, Number(big(v['server_token'] as string)));
    const synack = mpJoinSynAck({ addrId: 1, auth: { version: 1, senderKey: serverKey, receiverKey: clientKey, senderNonce: rB, receiverNonce: rA } }).mptcp;
    assert.equal(synack.name === 'MP_JOIN' && synack.truncatedHmac, 0x5d0ccb45f5ede881n);
    assert.equal(synack.name === 'MP_JOIN' && synack.nonce, rB);
    const ack = mpJoinAck({ auth: { version: 1, senderKey: clientKey, receiverKey: serverKey, senderNonce: rA, receiverNonce: rB } });
    assert.equal(hex(ack.raw), '1e181000' + '1fceecda9278c5620db94989c0e51113f4b8576e');
    const add = addAddr({ addrId: 1, address: '10.77.2.2', auth: { senderKey: serverKey, receiverKey: clientKey } });
    assert.equal(hex(add.raw), '1e1030010a4d0202' + 'baadd0a20222068b');
    assert.equal(hex(mpCapable({ senderKey: serverKey }).raw), '1e0c0101b3733a458d0d969e');
  });
});
