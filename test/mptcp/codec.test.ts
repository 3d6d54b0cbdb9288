import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decodeMptcpOption, encodeMptcpOption, mptcpOptionCodec, mptcpOptionLength, mptcpSubtypeDescription, mptcpSubtypeName,
  tcprstReasonName,
} from '../../src/wire/mptcp.js';
import type { Finding, MptcpOption } from '../../src/wire/types.js';
import { assertRoundTrip } from '../helpers/roundtrip.js';
import { FORMS, fromHex } from './forms.js';

const decode = (hex: string): MptcpOption => {
  const b = fromHex(hex);
  return decodeMptcpOption(b, 0, b[1]!);
};
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('every option form', () => {
  for (const [label, h] of FORMS) {
    test(label, () => {
      const opt = assertRoundTrip(mptcpOptionCodec, fromHex(h), undefined, label);
      const malformed = opt.name === 'UNKNOWN' && opt.reason !== undefined;
      assert.equal(malformed, label.startsWith('malformed'), `${label}: ${opt.name} ${opt.name === 'UNKNOWN' ? opt.reason : ''}`);
    });
  }
});

describe('decoded fields', () => {
  test('MP_CAPABLE v1 forms', () => {
    assert.deepEqual(decode('1e04 0101'), {
      name: 'MP_CAPABLE', subtype: 0, length: 4, version: 1, flags: 0x01,
      senderKey: undefined, receiverKey: undefined, dataLength: undefined, checksum: undefined,
    });
    const full = decode('1e18 01a1 1122334455667788 99aabbccddeeff00 0010 beef');
    assert.deepEqual(full, {
      name: 'MP_CAPABLE', subtype: 0, length: 24, version: 1, flags: 0xa1,
      senderKey: 0x1122334455667788n, receiverKey: 0x99aabbccddeeff00n, dataLength: 16, checksum: 0xbeef,
    });
    const d22 = decode('1e16 0101 1122334455667788 99aabbccddeeff00 0010');
    assert.ok(d22.name === 'MP_CAPABLE' && d22.dataLength === 16 && d22.checksum === undefined);
  });

  test('MP_CAPABLE v0 accepts only 12 and 20', () => {
    for (const len of [4, 22, 24]) {
      const o = decode(`1e${len.toString(16).padStart(2, '0')} 0081 ${'00'.repeat(len - 4)}`);
      assert.equal(o.name, 'UNKNOWN');
      assert.match((o as { reason: string }).reason, /MP_CAPABLE length \d+ is invalid/);
    }
  });

  test('MP_JOIN phases', () => {
    assert.deepEqual(decode('1e0c 1103 a9a0dd64 07305469'), {
      name: 'MP_JOIN', subtype: 1, length: 12, phase: 'syn', backup: true, addrId: 3,
      token: 0xa9a0dd64, nonce: 0x07305469, truncatedHmac: undefined, hmac: undefined, reserved: 0,
    });
    const synack = decode('1e10 1f05 56c7a377b2e33fda a29163c5');
    assert.ok(synack.name === 'MP_JOIN');
    assert.equal(synack.phase, 'synack');
    assert.equal(synack.truncatedHmac, 0x56c7a377b2e33fdan);
    assert.equal(synack.nonce, 0xa29163c5);
    assert.equal(synack.reserved, 0x0e);
    assert.equal(synack.backup, true);
    const ack = decode('1e18 1000 1fceecda9278c5620db94989c0e51113f4b8576e');
    assert.ok(ack.name === 'MP_JOIN' && ack.phase === 'ack');
    assert.equal(hex(ack.hmac!), '1fceecda9278c5620db94989c0e51113f4b8576e');
    assert.equal(ack.backup, false);
  });

  test('DSS widths, checksum, DATA_FIN and infinite mapping', () => {
    assert.deepEqual(decode('1e1c 201f 0000000100000002 1122334455667788 00000000 0001 dc4a'), {
      name: 'DSS', subtype: 2, length: 28, flags: 0x1f, dataFin: true,
      dataAck: 0x100000002n, dataAckWidth: 8, dsn: 0x1122334455667788n, dsnWidth: 8,
      ssn: 0, dataLength: 1, checksum: 0xdc4a, infiniteMapping: false, reserved: 0,
    });
    const d = decode('1e16 2007 0000000100000002 aabbccdd 00000001 0010');
    assert.ok(d.name === 'DSS');
    assert.equal(d.dataAckWidth, 8);
    assert.equal(d.dsn, 0xaabbccddn);
    assert.equal(d.dsnWidth, 4);
    assert.equal(d.checksum, undefined);
    const inf = decode('1e0e 2004 00000000 00000000 0000');
    assert.ok(inf.name === 'DSS' && inf.infiniteMapping);
    const ackOnly = decode('1e08 2001 eedf3c42');
    assert.ok(ackOnly.name === 'DSS' && !ackOnly.infiniteMapping && ackOnly.dsn === undefined && ackOnly.dataAck === 0xeedf3c42n);
  });

  test('DSS length must match its flags', () => {
    const bad = decode('1e0a 2001 eedf3c42 0000');
    assert.equal(bad.name, 'UNKNOWN');
    assert.equal(bad.subtype, 2);
    assert.match((bad as { reason: string }).reason, /DSS length 10 does not match its flags 0x01 \(expected 8\)/);
    // A checksum needs a mapping: two extra bytes after a lone data ACK are not one.
    const withMap = decode('1e12 2004 83a68961 00000001 0005 9e97 0000');
    assert.match((withMap as { reason: string }).reason, /expected 14 or 16 with checksum/);
    const short = fromHex('1e03 20');
    assert.deepEqual(decodeMptcpOption(short, 0, 3), {
      name: 'UNKNOWN', subtype: 2, length: 3, data: fromHex('20'),
      reason: 'DSS length 3 is invalid (expected at least 4)',
    });
  });

  test('ADD_ADDR v0 and v1 told apart by the nibble, family by the length', () => {
    const v0 = decode('1e16 3608 20010db8000000000000000000000001 1f90');
    assert.ok(v0.name === 'ADD_ADDR');
    assert.equal(v0.form, 0);
    assert.equal(v0.ipVersion, 6);
    assert.equal(v0.port, 8080);
    assert.equal(v0.truncatedHmac, undefined);
    const v1 = decode('1e12 3001 0a000201 1f90 d1f9e67a9a6a6e2e');
    assert.ok(v1.name === 'ADD_ADDR');
    assert.deepEqual([v1.form, v1.echo, v1.ipVersion, v1.addrId, hex(v1.address), v1.port, v1.truncatedHmac],
      [1, false, 4, 1, '0a000201', 8080, 0xd1f9e67a9a6a6e2en]);
    const echo6 = decode('1e14 3102 20010db8000000000000000000000001');
    assert.ok(echo6.name === 'ADD_ADDR');
    assert.deepEqual([echo6.form, echo6.echo, echo6.ipVersion, echo6.port, echo6.truncatedHmac], [1, true, 6, undefined, undefined]);
    // v0 nibble with a length that fits no v0 IPv4 form.
    assert.equal(decode('1e10 3401 0a000201 d1f9e67a9a6a6e2e').name, 'UNKNOWN');
  });

  test('REMOVE_ADDR, MP_PRIO, MP_FAIL, MP_FASTCLOSE, MP_TCPRST', () => {
    assert.deepEqual(decode('1e06 40 010203'), { name: 'REMOVE_ADDR', subtype: 4, length: 6, addrIds: [1, 2, 3], reserved: 0 });
    assert.deepEqual(decode('1e03 51'), { name: 'MP_PRIO', subtype: 5, length: 3, backup: true, addrId: undefined, reserved: 0 });
    assert.deepEqual(decode('1e04 5007'), { name: 'MP_PRIO', subtype: 5, length: 4, backup: false, addrId: 7, reserved: 0 });
    assert.deepEqual(decode('1e0c 6000 8710f99bfb4e435d'), { name: 'MP_FAIL', subtype: 6, length: 12, dsn: 0x8710f99bfb4e435dn, reserved: 0 });
    assert.deepEqual(decode('1e0c 7000 99aabbccddeeff00'), {
      name: 'MP_FASTCLOSE', subtype: 7, length: 12, receiverKey: 0x99aabbccddeeff00n, reserved: 0,
    });
    assert.deepEqual(decode('1e04 8901'), { name: 'MP_TCPRST', subtype: 8, length: 4, flags: 0x9, reason: 1 });
  });

  test('unknown subtypes are kept raw without a reason; malformed ones say why', () => {
    const u = decode('1e05 90 1122');
    assert.deepEqual(u, { name: 'UNKNOWN', subtype: 9, length: 5, data: fromHex('901122'), reason: undefined });
    const x = decode('1e06 f0 112233');
    assert.deepEqual(x, { name: 'MP_EXPERIMENTAL', subtype: 15, length: 6, data: fromHex('f0112233') });
    const two = fromHex('1e02');
    const o = decodeMptcpOption(two, 0, 2);
    assert.equal(o.name, 'UNKNOWN');
    assert.equal(o.subtype, -1);
    assert.ok(o.name === 'UNKNOWN' && o.reason && o.data.length === 0);
  });

  test('decodes at an offset inside a larger buffer', () => {
    const b = fromHex('0101 1e08 2001 eedf3c42 0000');
    const o = decodeMptcpOption(b, 2, 8);
    assert.ok(o.name === 'DSS' && o.dataAck === 0xeedf3c42n);
  });
});

describe('the Codec object', () => {
  test('reports malformed options as findings and still returns them', () => {
    const findings: Finding[] = [];
    const o = mptcpOptionCodec.decode(fromHex('1e0a 2001 eedf3c42 0000'), 0, 10, findings);
    assert.equal(o?.name, 'UNKNOWN');
    assert.equal(findings.length, 1);
    assert.equal(findings[0]!.code, 'malformed');
    assert.equal(findings[0]!.layer, 'mptcp');
  });

  test('returns undefined when the option runs past the data', () => {
    const findings: Finding[] = [];
    assert.equal(mptcpOptionCodec.decode(fromHex('1e0c 0081 1122'), 0, 6, findings), undefined);
    assert.equal(findings[0]!.code, 'truncated');
    assert.equal(mptcpOptionCodec.decode(fromHex('1e'), 0, 1, findings), undefined);
    assert.equal(mptcpOptionCodec.decode(fromHex('1e01'), 0, 2, findings), undefined);
    assert.equal(findings.length, 3);
  });
});

describe('encoding built Reprs', () => {
  test('a DSS built from fields', () => {
    const b = encodeMptcpOption({
      name: 'DSS', subtype: 2, length: 20, flags: 0x05, dataFin: false,
      dataAck: 0xeedf3c42n, dsn: 0x1afff58883a68961n, dsnWidth: 4, ssn: 1, dataLength: 5, checksum: 0x9e97,
      infiniteMapping: false,
    });
    // The 4-byte DSN is the low 32 bits; the data ACK width follows the flags (a clear: 4).
    assert.equal(hex(b), '1e142005eedf3c4283a689610000000100059e97');
  });

  test('the length byte is written as given, so wrong options can be built', () => {
    const opt: MptcpOption = { name: 'MP_TCPRST', subtype: 8, length: 6, flags: 1, reason: 4 };
    assert.equal(mptcpOptionLength(opt), 4);
    assert.equal(hex(encodeMptcpOption(opt)), '1e068104');
  });

  test('an ADD_ADDR v1 with echo and port', () => {
    const b = encodeMptcpOption({
      name: 'ADD_ADDR', subtype: 3, length: 10, form: 1, echo: true, ipVersion: 4, addrId: 1,
      address: Uint8Array.of(10, 0, 2, 1), port: 8080,
    });
    assert.equal(hex(b), '1e0a31010a0002011f90');
  });
});

describe('fuzz: any bytes decode without throwing and re-encode identically', () => {
  // xorshift32: deterministic, so a failure reproduces.
  let seed = 0x9e3779b9;
  const rnd = (): number => {
    seed ^= seed << 13; seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5; seed >>>= 0;
    return seed;
  };
  for (let subtype = 0; subtype < 16; subtype++) {
    test(`subtype ${subtype}`, () => {
      for (let length = 2; length <= 40; length++) {
        for (let round = 0; round < 40; round++) {
          const b = new Uint8Array(length + 3);
          for (let i = 0; i < b.length; i++) b[i] = rnd() & 0xff;
          b[0] = 30;
          b[1] = length;
          if (length > 2) b[2] = (subtype << 4) | (b[2]! & 0x0f);
          // Valid flag bytes for the structured forms now and then.
          if (round % 4 === 0 && length > 3) b[3] = rnd() & 0x1f;
          const o = decodeMptcpOption(b, 0, length);
          assert.equal(o.length, length);
          assert.equal(mptcpOptionLength(o), length, `${hex(b.subarray(0, length))} -> ${o.name}`);
          assert.equal(hex(encodeMptcpOption(o)), hex(b.subarray(0, length)), `${o.name}`);
        }
      }
    });
  }
});

describe('name tables', () => {
  test('subtype names', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, -1].map(mptcpSubtypeName), [
      'MP_CAPABLE', 'MP_JOIN', 'DSS', 'ADD_ADDR', 'REMOVE_ADDR', 'MP_PRIO', 'MP_FAIL', 'MP_FASTCLOSE', 'MP_TCPRST',
      'UNKNOWN', 'MP_EXPERIMENTAL', 'UNKNOWN',
    ]);
    assert.equal(mptcpSubtypeDescription(2), 'Data Sequence Signal');
    assert.equal(mptcpSubtypeDescription(12), 'Unassigned');
  });

  test('MP_TCPRST reasons (RFC 8684 section 3.6)', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map(tcprstReasonName), [
      'Unspecified error', 'MPTCP-specific error', 'Lack of resources', 'Administratively prohibited',
      'Too much outstanding data', 'Unacceptable performance', 'Middlebox interference', 'Unassigned',
    ]);
  });
});
