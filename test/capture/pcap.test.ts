import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CaptureError } from '../../src/util/errors.js';
import { pcapFile, payload } from './build.js';
import { epoch, readAll } from './collect.js';

const records = [
  { sec: 1700000000, frac: 123456, data: payload(1, 60) },
  { sec: 1700000001, frac: 999999, data: payload(2, 54), origLen: 1514 },
  { sec: 4294967295, frac: 0, data: payload(3, 1) },
];

describe('classic pcap', () => {
  for (const le of [true, false]) {
    for (const nano of [false, true]) {
      it(`${nano ? 'nanosecond' : 'microsecond'} pcap, ${le ? 'little' : 'big'}-endian`, () => {
        const file = pcapFile({ le, nano, linkType: 113, snapLen: 1600 }, records);
        for (const bytes of [file, gzipSync(file)]) {
          const { frames, info, error } = readAll(bytes);
          assert.equal(error, undefined);
          assert.equal(info?.format, 'pcap');
          assert.equal(info?.gzip, bytes !== file);
          assert.deepEqual(info?.interfaces, [{ linkType: 113, snapLen: 1600, tsDigits: nano ? 9 : 6 }]);
          assert.equal(info?.bytes, file.length);
          assert.deepEqual(
            frames.map((f) => [f.number, epoch(f), f.tsDigits, f.origLen, f.data, f.linkType, f.ifIndex]),
            records.map((r, i) => [
              i + 1,
              nano ? `${r.sec}.000${String(r.frac).padStart(6, '0')}` : `${r.sec}.${String(r.frac).padStart(6, '0')}000`,
              nano ? 9 : 6,
              r.origLen ?? r.data.length,
              Buffer.from(r.data).toString('hex'),
              113,
              0,
            ]),
          );
        }
      });
    }
  }

  it('header only: zero frames, no error', () => {
    const { frames, info, error } = readAll(pcapFile({ le: true, nano: false, linkType: 1 }, []));
    assert.equal(error, undefined);
    assert.equal(frames.length, 0);
    assert.equal(info?.frames, 0);
    assert.equal(info?.interfaces[0]?.linkType, 1);
  });

  it('FCS bits in the link-type word are split off (link type keeps 28 bits)', () => {
    // f bit (28) set, FCS length 2 x 16-bit words = 4 bytes, link type Ethernet.
    const word = (0x10000000 | (2 << 29) | 1) >>> 0;
    const { frames, info } = readAll(pcapFile({ le: true, nano: false, linkType: 1, linkWord: word }, records.slice(0, 1)));
    assert.deepEqual(info?.interfaces, [{ linkType: 1, snapLen: 65535, tsDigits: 6, fcsLen: 4 }]);
    assert.equal(frames[0]?.linkType, 1);
    // Without the f bit the upper bits say nothing about an FCS.
    const plain = readAll(pcapFile({ le: true, nano: false, linkType: 1, linkWord: 0x00000001 }, []));
    assert.equal(plain.info?.interfaces[0]?.fcsLen, undefined);
  });

  it('a microsecond field of 1e6 or more carries into the seconds', () => {
    const { frames } = readAll(pcapFile({ le: true, nano: false, linkType: 1 }, [{ sec: 10, frac: 2_500_000, data: payload(0, 4) }]));
    assert.equal(epoch(frames[0]!), '12.500000000');
  });

  it('caplen a little over the snaplen is fine; over 256 KiB past it is CORRUPT_BLOCK with the offset', () => {
    const ok = readAll(pcapFile({ le: true, nano: false, linkType: 1, snapLen: 73 }, [{ sec: 1, frac: 0, data: payload(0, 74) }]));
    assert.equal(ok.error, undefined);
    assert.equal(ok.frames.length, 1);

    const bad = pcapFile({ le: false, nano: false, linkType: 1, snapLen: 65535 }, [
      { sec: 1, frac: 0, data: payload(0, 10) },
      { sec: 2, frac: 0, data: payload(1, 10), caplen: 0x7fffffff },
    ]);
    const { frames, error } = readAll(bad);
    assert.equal(frames.length, 1);
    assert.ok(error instanceof CaptureError);
    assert.equal(error.code, 'CORRUPT_BLOCK');
    assert.equal(error.offset, 24 + 16 + 10);
    assert.match(error.message, /caplen 2147483647/);
    assert.match(error.message, /offset 50\b/);
  });

  it('Kuznetsov-patched pcap (magic a1b2cd34, 24-byte record headers)', () => {
    const file = pcapFile({ le: true, nano: false, linkType: 1 }, []);
    new DataView(file.buffer).setUint32(0, 0xa1b2cd34, true);
    const rec = new Uint8Array(24 + 5);
    const dv = new DataView(rec.buffer);
    dv.setUint32(0, 7, true);
    dv.setUint32(4, 8, true);
    dv.setUint32(8, 5, true);
    dv.setUint32(12, 60, true);
    rec.set(payload(9, 5), 24);
    const { frames, error } = readAll(Buffer.concat([file, rec]));
    assert.equal(error, undefined);
    assert.deepEqual(
      frames.map((f) => [epoch(f), f.origLen, f.data]),
      [['7.000008000', 60, Buffer.from(payload(9, 5)).toString('hex')]],
    );
  });
});
