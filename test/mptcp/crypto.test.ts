import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  DssChecksum, addAddrHmac, beBytes, dssChecksum, hmacSha1, hmacSha256, joinAckHmac, joinSynAckHmac, keyToIdsn,
  keyToToken, sha1, sha256, verifyDssChecksum,
} from '../../src/mptcp/index.js';
import { SHARED, SKIP_NO_SHARED } from '../helpers/shared.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const big = (h: string): bigint => BigInt(`0x${h}`);

/** Deterministic bytes (xorshift32). */
function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = s & 0xff;
  }
  return out;
}

describe('hashes and HMACs against node:crypto', () => {
  test('SHA-1 and SHA-256 known answers', () => {
    assert.equal(hex(sha1(ascii('abc'))), 'a9993e364706816aba3e25717850c26c9cd0d89d');
    assert.equal(hex(sha256(ascii('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(hex(sha256(new Uint8Array(0))), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  test('every length across the padding boundaries, and a large input', () => {
    for (let n = 0; n <= 300; n++) {
      const d = bytes(n, n + 1);
      assert.equal(hex(sha1(d)), createHash('sha1').update(d).digest('hex'), `sha1 ${n}`);
      assert.equal(hex(sha256(d)), createHash('sha256').update(d).digest('hex'), `sha256 ${n}`);
    }
    const large = bytes(1 << 20, 7);
    assert.equal(hex(sha256(large)), createHash('sha256').update(large).digest('hex'));
    assert.equal(hex(sha1(large)), createHash('sha1').update(large).digest('hex'));
  });

  test('HMAC with short, block-sized and long keys', () => {
    for (const keyLen of [0, 8, 16, 63, 64, 65, 200]) {
      for (const msgLen of [0, 8, 100]) {
        const k = bytes(keyLen, keyLen + 11);
        const m = bytes(msgLen, msgLen + 3);
        assert.equal(hex(hmacSha1(k, m)), createHmac('sha1', k).update(m).digest('hex'), `sha1 ${keyLen}/${msgLen}`);
        assert.equal(hex(hmacSha256(k, m)), createHmac('sha256', k).update(m).digest('hex'), `sha256 ${keyLen}/${msgLen}`);
      }
    }
  });
});

describe('hashes share their working memory', () => {
  test('HMAC messages of every length across the padding boundaries (the key block comes first)', () => {
    const k = bytes(16, 5);
    for (let n = 0; n <= 140; n++) {
      const m = bytes(n, n + 9);
      assert.equal(hex(hmacSha1(k, m)), createHmac('sha1', k).update(m).digest('hex'), `sha1 ${n}`);
      assert.equal(hex(hmacSha256(k, m)), createHmac('sha256', k).update(m).digest('hex'), `sha256 ${n}`);
    }
  });

  test('a digest stays what it was after later hashes, and the IDSN of a key asked before its token', () => {
    const first = sha256(ascii('abc'));
    sha256(ascii('something else entirely'));
    hmacSha1(ascii('key'), ascii('message'));
    assert.equal(hex(first), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const key = 0x0123456789abcdefn;
    const d = createHash('sha256').update(beBytes(key, 8)).digest();
    assert.equal(keyToIdsn(key, 1), d.readBigUInt64BE(24));
    assert.equal(keyToToken(key, 1), d.readUInt32BE(0));
    assert.equal(keyToToken(key + 1n, 1), createHash('sha256').update(beBytes(key + 1n, 8)).digest().readUInt32BE(0));
  });
});

describe('MPTCP key derivations against node:crypto', () => {
  const keys = [0n, 1n, 0x1000000000000000n, 0xe6be556fef10c0bfn, 0xffffffffffffffffn];
  test('tokens and IDSNs, v0 and v1', () => {
    for (const key of keys) {
      for (const [version, alg] of [[0, 'sha1'], [1, 'sha256']] as const) {
        const d = createHash(alg).update(beBytes(key, 8)).digest();
        assert.equal(keyToToken(key, version), d.readUInt32BE(0));
        assert.equal(keyToIdsn(key, version), d.readBigUInt64BE(d.length - 8));
      }
    }
  });

  test('join HMACs use key B||A for the SYN/ACK and A||B for the third ACK', () => {
    const a = 0x0102030405060708n, b = 0x1112131415161718n, ra = 0xaabbccdd, rb = 0x11223344;
    for (const [version, alg] of [[0, 'sha1'], [1, 'sha256']] as const) {
      const synack = createHmac(alg, Buffer.concat([beBytes(b, 8), beBytes(a, 8)])).update(Buffer.from('11223344aabbccdd', 'hex')).digest();
      assert.equal(joinSynAckHmac(version, b, a, rb, ra), synack.readBigUInt64BE(0));
      const ack = createHmac(alg, Buffer.concat([beBytes(a, 8), beBytes(b, 8)])).update(Buffer.from('aabbccdd11223344', 'hex')).digest();
      assert.equal(hex(joinAckHmac(version, a, b, ra, rb)), ack.subarray(0, 20).toString('hex'));
    }
  });

  test('ADD_ADDR HMAC with and without a port, IPv4 and IPv6', () => {
    const s = 0xb3733a458d0d969en, r = 0xe6be556fef10c0bfn;
    const v6 = bytes(16, 5);
    for (const [addr, port] of [[Uint8Array.of(10, 77, 2, 2), undefined], [Uint8Array.of(10, 77, 2, 2), 8080], [v6, 443]] as const) {
      const msg = Buffer.concat([Uint8Array.of(3), addr, Uint8Array.of((port ?? 0) >> 8, (port ?? 0) & 0xff)]);
      const mac = createHmac('sha256', Buffer.concat([beBytes(s, 8), beBytes(r, 8)])).update(msg).digest();
      assert.equal(addAddrHmac(s, r, 3, addr, port), mac.readBigUInt64BE(24));
    }
  });
});

describe('DSS checksum', () => {
  const payload = ascii('GET / HTTP/1.1\r\nHost: blog.multipath-tcp.org\r\nConnection: keep-alive\r\n\r\n');
  const dsn = 0x8710f99bfb4e435dn;
  const whole = dssChecksum(dsn, 1, 72, payload);

  test('any split of the payload gives the same checksum', () => {
    for (let i = 0; i <= payload.length; i++) {
      for (let j = i; j <= payload.length; j += 7) {
        const c = dssChecksum(dsn, 1, 72, payload.subarray(0, i), payload.subarray(i, j), payload.subarray(j));
        assert.equal(c, whole, `split at ${i}, ${j}`);
      }
    }
    const acc = new DssChecksum(dsn, 1, 72);
    for (const b of payload) acc.update(Uint8Array.of(b));
    assert.equal(acc.digest(), whole);
    assert.equal(acc.bytes, 72);
    // Ranges of one buffer work like separate chunks.
    assert.equal(new DssChecksum(dsn, 1, 72).update(payload, 0, 33).update(payload, 33).digest(), whole);
  });

  test('verifies, and any flipped bit is caught', () => {
    assert.equal(verifyDssChecksum(dsn, 1, 72, whole, payload), 'good');
    assert.equal(verifyDssChecksum(dsn, 1, 72, whole ^ 1, payload), 'bad');
    assert.equal(verifyDssChecksum(dsn + (1n << 40n), 1, 72, whole, payload), 'bad', 'the high DSN bits are in the sum');
    assert.equal(verifyDssChecksum(dsn, 2, 72, whole, payload), 'bad');
    assert.equal(verifyDssChecksum(dsn, 1, 73, whole, payload), 'bad');
    for (let bit = 0; bit < payload.length * 8; bit += 5) {
      const p = payload.slice();
      p[bit >> 3]! ^= 1 << (bit & 7);
      assert.equal(verifyDssChecksum(dsn, 1, 72, whole, p), 'bad', `bit ${bit}`);
    }
  });

  test('a checksum of zero may be sent as 0x0000 or 0xffff', () => {
    // Pick the payload word that makes the computed checksum 0.
    const base = new DssChecksum(5n, 1, 2).digest(); // ~sum of the pseudo-header
    const word = base; // adding ~S to S gives 0xffff, whose complement is 0
    const p = Uint8Array.of(word >> 8, word & 0xff);
    assert.equal(dssChecksum(5n, 1, 2, p), 0);
    assert.equal(verifyDssChecksum(5n, 1, 2, 0x0000, p), 'good');
    assert.equal(verifyDssChecksum(5n, 1, 2, 0xffff, p), 'good');
  });

  test('a DATA_FIN with no payload sums the pseudo-header alone', () => {
    assert.equal(dssChecksum(0x4ed5a9b7eedf3c47n, 0, 1), 0xdc4a);
  });
});

// -------------------------------------------------------------- seed vectors

interface Vectors { vectors: Array<Record<string, unknown>> }

function loadVectors(): Array<Record<string, unknown>> {
  return (JSON.parse(readFileSync(join(SHARED, 'vectors/seed-vectors.json'), 'utf8')) as Vectors).vectors;
}

describe('seed vectors', { skip: SKIP_NO_SHARED }, () => {
  test('keys to tokens and IDSNs', () => {
    let checked = 0;
    for (const v of loadVectors()) {
      const version = v['version'] === 0 ? 0 : 1;
      for (const side of ['client', 'server']) {
        const key = v[`${side}_key`] as string | undefined;
        if (key === undefined) continue;
        const token = v[`${side}_token`] as string | undefined;
        const idsn = v[`${side}_idsn`] as string | undefined;
        if (token !== undefined) { assert.equal(keyToToken(big(key), version).toString(16).padStart(8, '0'), token); checked++; }
        if (idsn !== undefined) { assert.equal(keyToIdsn(big(key), version).toString(16).padStart(16, '0'), idsn); checked++; }
      }
      if (v['client_key_dec'] !== undefined) {
        assert.equal(String(keyToToken(BigInt(v['client_key_dec'] as string), 0)), v['client_token_dec']);
        checked++;
      }
    }
    assert.equal(checked, 13);
  });

  test('join and ADD_ADDR HMACs', () => {
    let checked = 0;
    for (const v of loadVectors()) {
      const version = v['version'] === 0 ? 0 : 1;
      const client = v['client_key'] as string | undefined;
      const server = v['server_key'] as string | undefined;
      if (client === undefined || server === undefined) continue;
      const synack = v['join_synack_hmac'] as Record<string, string> | undefined;
      if (synack) {
        assert.equal(synack['key'], 'server_key||client_key');
        const mac = joinSynAckHmac(version, big(server), big(client), Number(big(synack['R_B']!)), Number(big(synack['R_A']!)));
        assert.equal(mac.toString(16).padStart(16, '0'), synack['truncated_64']);
        checked++;
        const ack = v['join_ack_hmac'] as Record<string, string> | undefined;
        if (ack) {
          assert.equal(ack['key'], 'client_key||server_key');
          const full = joinAckHmac(version, big(client), big(server), Number(big(synack['R_A']!)), Number(big(synack['R_B']!)));
          assert.equal(hex(full), ack['truncated_160']);
          checked++;
        }
      }
      const aa = v['add_addr_hmac'] as Record<string, string | number> | undefined;
      if (aa) {
        assert.equal(aa['sender'], 'server');
        const addr = Uint8Array.from(String(aa['ipv4']).split('.'), Number);
        const port = aa['port'] === 0 ? undefined : Number(aa['port']);
        const mac = addAddrHmac(big(server), big(client), Number(aa['address_id']), addr, port);
        assert.equal(mac.toString(16).padStart(16, '0'), aa['truncated_64']);
        checked++;
      }
    }
    assert.equal(checked, 4);
  });

  test('the Linux v1 connection: tcpdump lines checked against the keys', () => {
    const v = loadVectors().find((x) => Array.isArray(x['tcpdump_lines']))!;
    const client = big(v['client_key'] as string);
    const server = big(v['server_key'] as string);
    const lines = (v['tcpdump_lines'] as string[]).join('\n');
    const grab = (re: RegExp): string => {
      const m = re.exec(lines);
      assert.ok(m, String(re));
      return m[1]!;
    };
    const token = grab(/join id \d+ token 0x([0-9a-f]+)/);
    const nonceA = Number(big(grab(/token 0x[0-9a-f]+ nonce 0x([0-9a-f]+)/)));
    const [, synackHmac, nonceBHex] = /mptcp 16 join id \d+ hmac 0x([0-9a-f]+) nonce 0x([0-9a-f]+)/.exec(lines)!;
    const ackHmac = grab(/mptcp 24 join hmac 0x([0-9a-f]+)/);
    const [, addrId, addr, addAddrHmacHex] = /add-addr v1 id (\d+) ([\d.]+) hmac 0x([0-9a-f]+)/.exec(lines)!;
    const nonceB = Number(big(nonceBHex!));

    assert.equal(keyToToken(server, 1).toString(16), token);
    assert.equal(v['server_token'], token);
    assert.equal(joinSynAckHmac(1, server, client, nonceB, nonceA).toString(16).padStart(16, '0'), synackHmac);
    assert.equal(hex(joinAckHmac(1, client, server, nonceA, nonceB)), ackHmac);
    const address = Uint8Array.from(addr!.split('.'), Number);
    assert.equal(addAddrHmac(server, client, Number(addrId), address).toString(16).padStart(16, '0'), addAddrHmacHex);
    // The "checks" block states the same results in words.
    const checks = JSON.stringify(v['checks']);
    for (const h of [token, synackHmac!, ackHmac, addAddrHmacHex!]) assert.ok(checks.includes(h), h);
  });

  test('DSS checksums', () => {
    let checked = 0;
    for (const v of loadVectors()) {
      const list = [v['dss_checksum'], ...((v['dss_checksums'] as unknown[] | undefined) ?? [])].filter(Boolean) as Array<Record<string, string | number>>;
      for (const c of list) {
        const len = Number(c['data_level_length'] ?? c['len']);
        const payload = ascii(String(c['payload_ascii']));
        const sum = dssChecksum(big(String(c['dsn64'])), Number(c['ssn']), len, payload);
        assert.equal(sum.toString(16).padStart(4, '0'), c['checksum']);
        assert.equal(verifyDssChecksum(big(String(c['dsn64'])), Number(c['ssn']), len, sum, payload), 'good');
        checked++;
      }
    }
    assert.equal(checked, 5);
  });
});
