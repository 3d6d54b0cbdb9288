import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CaptureParser, readCaptureBytes } from '../../src/capture/index.js';
import { CaptureError } from '../../src/util/errors.js';
import { PcapngBuilder, pcapFile, payload } from './build.js';
import { rng } from '../helpers/rng.js';
import { readAll, readChunked } from './collect.js';

const pcap = pcapFile({ le: true, nano: true, linkType: 1 }, [
  { sec: 1, frac: 5, data: payload(1, 17) },
  { sec: 2, frac: 6, data: payload(2, 0) },
  { sec: 3, frac: 7, data: payload(3, 300) },
  { sec: 4, frac: 8, data: payload(4, 2) },
]);

const pcapng = new PcapngBuilder()
  .section(false)
  .idb(113, { name: 'any', tsresol: 9 })
  .epb(0, 1n, payload(1, 17), { flags: 1 })
  .other(5, new Uint8Array(24))
  .spb(payload(2, 5))
  .section(true)
  .idb(1)
  .pb(0, 2n, payload(3, 300))
  .epb(0, 3n, payload(4, 2))
  .bytes();

const FILES: Array<[string, Uint8Array]> = [
  ['pcap', pcap],
  ['pcapng', pcapng],
];

/**
 * Offsets where a record ends (a cut there leaves a valid file) and, per
 * packet, the end of the record holding it: walked here with nothing but the
 * length fields, independently of the reader.
 */
function layout(format: string, file: Uint8Array): { boundaries: number[]; packetEnds: number[] } {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const boundaries: number[] = [];
  const packetEnds: number[] = [];
  if (format === 'pcap') {
    for (let p = 24; ; p += 16 + dv.getUint32(p + 8, true)) {
      boundaries.push(p);
      if (p > 24) packetEnds.push(p);
      if (p >= file.length) break;
    }
    return { boundaries, packetEnds };
  }
  let le = true;
  for (let p = 0; p < file.length; ) {
    const type = dv.getUint32(p, true);
    if (type === 0x0a0d0d0a) le = dv.getUint32(p + 8, true) === 0x1a2b3c4d;
    p += dv.getUint32(p + 4, le);
    boundaries.push(p);
    if ([2, 3, 6].includes(dv.getUint32(p - dv.getUint32(p - 4, le), le))) packetEnds.push(p);
  }
  return { boundaries, packetEnds };
}

describe('CaptureParser on chunked input', () => {
  for (const [name, file] of FILES) {
    const whole = readAll(file);

    it(`${name}: one byte at a time gives the same frames`, () => {
      assert.equal(whole.error, undefined);
      assert.equal(whole.frames.length, 4);
      assert.deepEqual(readChunked(file, () => 1), whole);
    });

    it(`${name}: random chunk sizes give the same frames`, () => {
      const rand = rng(42);
      for (let round = 0; round < 200; round++) {
        const max = [3, 17, 64, 400][round % 4]!;
        assert.deepEqual(readChunked(file, () => 1 + Math.floor(rand() * max)), whole, `round ${round}`);
      }
    });

    it(`${name}: truncated at every byte offset -> only CaptureError, and every complete frame first`, () => {
      const { boundaries, packetEnds } = layout(name, file);
      for (let cut = 0; cut < file.length; cut++) {
        const bytes = file.subarray(0, cut);
        const expected = whole.frames.filter((_, i) => packetEnds[i]! <= cut);
        for (const out of [readAll(bytes), readChunked(bytes, (i) => 1 + (i % 7))]) {
          assert.deepEqual(out.frames, expected, `cut ${cut}`);
          if (boundaries.includes(cut)) {
            // A cut exactly between records is a valid shorter file.
            assert.equal(out.error, undefined, `cut ${cut}`);
            assert.equal(out.info?.bytes, cut);
            continue;
          }
          assert.ok(out.error instanceof CaptureError, `cut ${cut}: ${String(out.error)}`);
          assert.equal(out.error.code, cut === 0 ? 'NOT_A_CAPTURE' : 'TRUNCATED', `cut ${cut}`);
          if (cut >= 8) {
            assert.ok(out.error.offset !== undefined && out.error.offset <= cut && [0, ...boundaries].includes(out.error.offset), `cut ${cut}`);
            assert.match(out.error.message, new RegExp(`offset ${out.error.offset}\\b.* cut short, \\d+ of its \\d+ bytes missing`));
          }
        }
      }
    });

    it(`${name}: the truncation error names the cut record's offset and the missing bytes`, () => {
      const cut = file.length - 1;
      const { frames, error } = readAll(file.subarray(0, cut));
      assert.equal(frames.length, 3);
      assert.ok(error instanceof CaptureError);
      assert.equal(error.code, 'TRUNCATED');
      const lastRecord = name === 'pcap' ? file.length - 18 : file.length - 36;
      assert.equal(error.offset, lastRecord);
      assert.match(error.message, new RegExp(`offset ${lastRecord}\\b.*1 of its ${file.length - lastRecord} bytes missing`));
    });

    it(`${name}: onFrame returning false stops at once, even mid-chunk`, () => {
      for (const sizes of [() => 1, () => 1 << 20]) {
        const seen: number[] = [];
        const parser = new CaptureParser((f) => {
          seen.push(f.number);
          return f.number === 2 ? false : undefined;
        });
        let pushes = 0;
        for (let off = 0; off < file.length; off += sizes()) {
          if (!parser.push(file.subarray(off, off + sizes()))) break;
          pushes++;
        }
        assert.deepEqual(seen, [1, 2]);
        assert.equal(parser.stopped, true);
        const info = parser.end();
        assert.equal(info.stopped, true);
        assert.equal(info.frames, 2);
        assert.ok(pushes < file.length);
      }
    });
  }

  it('frames handed out for a record straddling chunks are plain Uint8Array views', () => {
    const types = new Set<string>();
    const parser = new CaptureParser((f) => void types.add(f.data.constructor.name));
    parser.push(Buffer.from(pcap.subarray(0, 50)));
    parser.push(Buffer.from(pcap.subarray(50)));
    parser.end();
    assert.deepEqual([...types], ['Uint8Array']);
  });
});

describe('not a capture / empty / short', () => {
  it('text file -> NOT_A_CAPTURE showing the first 8 bytes', () => {
    const { error } = readAll(new TextEncoder().encode('Hello world, this is text'));
    assert.ok(error instanceof CaptureError);
    assert.equal(error.code, 'NOT_A_CAPTURE');
    assert.equal(error.message, 'not a pcap or pcapng file (starts with 48 65 6c 6c 6f 20 77 6f)');
  });

  it('the same, fed one byte at a time, and gzipped', () => {
    const text = new TextEncoder().encode('Hello world, this is text');
    const chunked = readChunked(text, () => 1).error;
    assert.ok(chunked instanceof CaptureError);
    assert.match(chunked.message, /starts with 48 65 6c 6c 6f 20 77 6f\)/);
    const gz = readAll(gzipSync(text)).error;
    assert.ok(gz instanceof CaptureError);
    assert.equal(gz.code, 'NOT_A_CAPTURE');
    assert.match(gz.message, /gzip-compressed data that is not a pcap or pcapng file \(starts with 48 65/);
  });

  it('a few stray bytes -> NOT_A_CAPTURE with those bytes', () => {
    const { error } = readAll(Uint8Array.of(1, 2, 3));
    assert.ok(error instanceof CaptureError);
    assert.equal(error.code, 'NOT_A_CAPTURE');
    assert.match(error.message, /starts with 01 02 03\)/);
  });

  it('empty input -> NOT_A_CAPTURE "empty file"', () => {
    for (const bytes of [new Uint8Array(0), gzipSync(new Uint8Array(0))]) {
      const { error } = readAll(bytes);
      assert.ok(error instanceof CaptureError);
      assert.equal(error.code, 'NOT_A_CAPTURE');
      assert.match(error.message, /^empty file/);
    }
  });

  it('a cut magic number -> TRUNCATED, not NOT_A_CAPTURE', () => {
    const { error } = readAll(Uint8Array.of(0xd4, 0xc3, 0xb2));
    assert.ok(error instanceof CaptureError);
    assert.equal(error.code, 'TRUNCATED');
  });

  it('the parser refuses further use after an error', () => {
    const parser = new CaptureParser(() => {});
    assert.throws(() => parser.push(new TextEncoder().encode('not a capture file')), CaptureError);
    assert.throws(() => parser.push(pcap), /not a pcap/);
    assert.throws(() => parser.end(), /not a pcap/);
  });

  it('errors thrown by the frame callback pass through unchanged', () => {
    const boom = new Error('consumer failed');
    assert.throws(
      () =>
        readCaptureBytes(pcap, () => {
          throw boom;
        }),
      (e) => e === boom,
    );
  });
});

describe('gzip damage', () => {
  const gz = gzipSync(pcap);

  it('truncated gzip: complete frames first, then TRUNCATED', () => {
    for (let cut = 20; cut < gz.length; cut += 7) {
      const { frames, error } = readAll(gz.subarray(0, cut));
      assert.ok(error instanceof CaptureError, `cut ${cut}: ${String(error)}`);
      assert.ok(['TRUNCATED', 'NOT_A_CAPTURE'].includes(error.code), `cut ${cut}: ${error.code}`);
      assert.deepEqual(frames, readAll(pcap).frames.slice(0, frames.length));
    }
    // Cut only in the 8-byte trailer: every frame is there, still an error.
    const { frames, error } = readAll(gz.subarray(0, gz.length - 3));
    assert.equal(frames.length, 4);
    assert.ok(error instanceof CaptureError);
    assert.equal(error.code, 'TRUNCATED');
    assert.match(error.message, /gzip/);
  });

  it('bad CRC: every frame, then CORRUPT_BLOCK naming gzip', () => {
    const bad = Buffer.from(gz);
    bad[bad.length - 6]! ^= 0xff;
    const { frames, error } = readAll(bad);
    assert.equal(frames.length, 4);
    assert.ok(error instanceof CaptureError);
    assert.equal(error.code, 'CORRUPT_BLOCK');
    assert.match(error.message, /corrupt gzip data/);
  });
});
