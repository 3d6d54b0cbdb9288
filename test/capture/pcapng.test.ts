import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { readCaptureBytes } from '../../src/capture/index.js';
import type { CaptureInterface } from '../../src/capture/index.js';
import { CaptureError } from '../../src/util/errors.js';
import { hasCommand } from '../helpers/shared.js';
import { PcapngBuilder, payload } from './build.js';
import { epoch, readAll } from './collect.js';

/**
 * Two sections of opposite byte order. Section 1: Ethernet in milliseconds,
 * raw IP in nanoseconds with if_tsoffset 100 s. Section 2 (big-endian): SLL
 * in 2^-20 s units with snaplen 30, then Ethernet in the default microseconds.
 * Packets of every kind (EPB with flags, SPB, obsolete PB) and blocks to skip.
 */
function sample(firstLittle = true): Uint8Array {
  return new PcapngBuilder()
    .section(firstLittle)
    .idb(1, { name: 'eth0', tsresol: 3 })
    .idb(101, { name: 'raw0', tsresol: 9, tsoffset: 100n })
    .epb(0, 1700000000123n, payload(1, 60), { flags: 1 })
    .epb(1, 1700000000123456789n, payload(2, 40), { flags: 2, origLen: 1500 })
    .other(4, new Uint8Array(4)) // NRB with only its end record
    .other(5, new Uint8Array(20)) // ISB
    .other(0x12345678, new Uint8Array(8)) // a type nobody knows
    .section(!firstLittle)
    .idb(113, { tsresol: 0x80 | 20, snapLen: 30 })
    .idb(1, { fcslen: 4 })
    .epb(0, (1700000000n << 20n) + 524288n + 3n, payload(3, 30))
    .epb(0, (1700000001n << 20n) + 1n, payload(4, 30))
    .epb(0, (1700000001n << 20n) + 1048575n, payload(5, 30))
    .spb(payload(6, 30), 64)
    .pb(1, 1700000000654321n, payload(7, 42), { flags: 1 })
    .epb(1, 1700000000654321n, payload(8, 42))
    .bytes();
}

const hex = (tag: number, n: number): string => Buffer.from(payload(tag, n)).toString('hex');

/** [epoch, tsDigits, linkType, ifIndex, ifName, direction, origLen, data] per frame; verified against tshark 4.0.17. */
const EXPECTED = [
  ['1700000000.123000000', 3, 1, 0, 'eth0', 1, 60, hex(1, 60)],
  ['1700000100.123456789', 9, 101, 1, 'raw0', 2, 1500, hex(2, 40)],
  ['1700000000.500002861', 9, 113, 2, undefined, undefined, 30, hex(3, 30)],
  ['1700000001.000000953', 9, 113, 2, undefined, undefined, 30, hex(4, 30)],
  ['1700000001.999999046', 9, 113, 2, undefined, undefined, 30, hex(5, 30)],
  // Simple Packet Block: no timestamp, origLen 64 but only snaplen (30) bytes.
  ['0.000000000', 9, 113, 2, undefined, undefined, 64, hex(6, 30)],
  ['1700000000.654321000', 6, 1, 3, undefined, 1, 42, hex(7, 42)],
  ['1700000000.654321000', 6, 1, 3, undefined, undefined, 42, hex(8, 42)],
];

const INTERFACES: CaptureInterface[] = [
  { linkType: 1, snapLen: 0, tsDigits: 3, name: 'eth0' },
  { linkType: 101, snapLen: 0, tsDigits: 9, name: 'raw0' },
  { linkType: 113, snapLen: 30, tsDigits: 9 },
  { linkType: 1, snapLen: 0, tsDigits: 6, fcsLen: 4 },
];

describe('pcapng', () => {
  for (const firstLittle of [true, false]) {
    it(`two sections (${firstLittle ? 'LE then BE' : 'BE then LE'}), four interfaces, EPB/SPB/PB, skipped blocks; gz too`, () => {
      const file = sample(firstLittle);
      for (const bytes of [file, gzipSync(file)]) {
        const { frames, info, error } = readAll(bytes);
        assert.equal(error, undefined);
        assert.deepEqual(
          frames.map((f) => [epoch(f), f.tsDigits, f.linkType, f.ifIndex, f.ifName, f.direction, f.origLen, f.data]),
          EXPECTED,
        );
        assert.deepEqual(
          frames.map((f) => f.number),
          [1, 2, 3, 4, 5, 6, 7, 8],
        );
        assert.equal(info?.format, 'pcapng');
        assert.equal(info?.gzip, bytes !== file);
        assert.equal(info?.frames, 8);
        assert.equal(info?.bytes, file.length);
        assert.deepEqual(info?.interfaces, INTERFACES);
      }
    });
  }

  it('onInterface reports each IDB before its frames', () => {
    const events: string[] = [];
    readCaptureBytes(sample(), (f) => void events.push(`frame ${f.number}`), {
      onInterface: (iface, i) => void events.push(`if ${i} ${iface.linkType}`),
    });
    assert.deepEqual(events.slice(0, 3), ['if 0 1', 'if 1 101', 'frame 1']);
    assert.deepEqual(events.slice(4, 7), ['if 2 113', 'if 3 1', 'frame 3']);
  });

  it('exact nanoseconds above 2^53 and negative if_tsoffset', () => {
    const file = new PcapngBuilder()
      .section(true)
      .idb(1, { tsresol: 9 })
      .idb(1, { tsresol: 9, tsoffset: -1700000000n })
      .idb(1, { tsresol: 12 })
      .epb(0, 0xffffffffffffffffn, payload(0, 1))
      .epb(0, 9007199254740993n, payload(0, 1))
      .epb(1, 1700000000999999999n, payload(0, 1))
      .epb(2, 1700000000123456789012n % (1n << 64n), payload(0, 1))
      .bytes();
    const { frames } = readAll(file);
    const pico = 1700000000123456789012n % (1n << 64n);
    assert.deepEqual(
      frames.map((f) => [epoch(f), f.tsDigits]),
      [
        ['18446744073.709551615', 9],
        ['9007199.254740993', 9],
        ['0.999999999', 9],
        [`${pico / 10n ** 12n}.${String((pico % 10n ** 12n) / 1000n).padStart(9, '0')}`, 9],
      ],
    );
  });

  it('epb options other than flags, and options overrunning the block, cost nothing', () => {
    const b = new PcapngBuilder().section(true).idb(1);
    const file = b.epb(0, 5n, payload(1, 3), { flags: 2 }).bytes();
    // Corrupt the epb_flags option length so it claims more than the block holds.
    const dv = new DataView(file.buffer, file.byteOffset);
    const epb = file.length - (32 + 4 + 12);
    dv.setUint16(epb + 28 + 4 + 2, 200, true);
    const { frames, error } = readAll(file);
    assert.equal(error, undefined);
    assert.equal(frames[0]?.direction, undefined);
    assert.equal(frames[0]?.data, hex(1, 3));
  });

  const tshark = hasCommand('tshark') ? false : 'tshark not installed: live cross-check skipped';
  it('tshark reads the synthetic file the same way (times, lengths, direction)', { skip: tshark }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpscope-pcapng-'));
    try {
      const path = join(dir, 'sample.pcapng');
      writeFileSync(path, sample(false));
      const fields = ['frame.time_epoch', 'frame.len', 'frame.cap_len', 'frame.packet_flags_direction'];
      const { stdout } = await promisify(execFile)('tshark', ['-r', path, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])]);
      const theirs = stdout.replace(/\n$/, '').split('\n');
      const ours = EXPECTED.map(([t, , , , , dir, len, data]) => {
        // tshark shows no time for a Simple Packet Block.
        const time = t === '0.000000000' ? '' : t;
        const flags = dir === undefined ? '' : `0x${String(dir).padStart(8, '0')}`;
        return `${time}\t${len}\t${String(data).length / 2}\t${flags}`;
      });
      assert.deepEqual(theirs, ours);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('damage', () => {
    const good = new PcapngBuilder().section(true).idb(1).epb(0, 1n, payload(1, 20)).bytes();
    const goodLen = good.length;
    const withBlock = (block: number[]): Uint8Array => Buffer.concat([good, Uint8Array.from(block)]);
    const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];

    const cases: Array<[string, Uint8Array, RegExp, number]> = [
      ['total length below 12', withBlock([...le32(6), ...le32(8), ...le32(8), 0, 0, 0, 0]), /impossible total length 8/, goodLen],
      ['total length not a multiple of 4', withBlock([...le32(6), ...le32(14), ...new Array(8).fill(0)]), /impossible total length 14/, goodLen],
      ['total length over 256 MiB', withBlock([...le32(6), ...le32(0x7ffffffc), ...new Array(8).fill(0)]), /impossible total length 2147483644/, goodLen],
      ['trailing length differs', withBlock([...le32(99), ...le32(16), 0, 0, 0, 0, ...le32(20)]), /length 16 at its start but 20 at its end/, goodLen],
      ['EPB caplen larger than the block', withBlock([...le32(6), ...le32(32), ...le32(0), 0, 0, 0, 0, 0, 0, 0, 0, ...le32(9), ...le32(9), ...le32(32)]), /cannot hold its caplen 9/, goodLen],
      ['EPB shorter than 32 bytes', withBlock([...le32(6), ...le32(16), ...le32(0), ...le32(16)]), /shorter than its 32-byte minimum/, goodLen],
      ['EPB on an undefined interface', withBlock([...le32(6), ...le32(32), ...le32(3), ...new Array(16).fill(0), ...le32(32)]), /interface 3, but the section has defined 1/, goodLen],
      ['bad byte-order magic in a second SHB', withBlock([...le32(0x0a0d0d0a), ...le32(28), ...le32(0x11223344), ...new Array(12).fill(0), ...le32(28)]), /byte-order magic/, goodLen],
    ];
    for (const [what, bytes, message, offset] of cases) {
      it(`${what} -> CORRUPT_BLOCK at its offset, frames before it delivered`, () => {
        const { frames, error } = readAll(bytes);
        assert.equal(frames.length, 1);
        assert.ok(error instanceof CaptureError, String(error));
        assert.equal(error.code, 'CORRUPT_BLOCK');
        assert.equal(error.offset, offset);
        assert.match(error.message, message);
        assert.match(error.message, new RegExp(`offset ${offset}\\b`));
      });
    }

    it('gz: the message says the offset is in the decompressed data', () => {
      const { error } = readAll(gzipSync(cases[0]![1]));
      assert.ok(error instanceof CaptureError);
      assert.match(error.message, /offset \d+ of the decompressed data/);
    });

    it('SHB of an unknown major version -> UNSUPPORTED', () => {
      const bytes = Buffer.from(good);
      new DataView(bytes.buffer, bytes.byteOffset).setUint16(12, 2, true);
      const { error } = readAll(bytes);
      assert.ok(error instanceof CaptureError);
      assert.equal(error.code, 'UNSUPPORTED');
    });
  });
});
