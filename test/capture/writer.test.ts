import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  LinkType,
  PcapWriter,
  PcapngWriter,
  encodePcap,
  encodePcapng,
  openCaptureWriter,
  readCapture,
  readCaptureBytes,
} from '../../src/capture/index.js';
import type { Frame } from '../../src/capture/index.js';
import { CaptureError } from '../../src/util/errors.js';
import { SKIP_NO_SHARED, CORPUS, hasCommand } from '../helpers/shared.js';
import { pcapFile, payload } from './build.js';
import { epoch, keep, readAll } from './collect.js';

function frame(n: number, over: Partial<Frame> = {}): Frame {
  return {
    number: n,
    linkType: LinkType.ETHERNET,
    tsSec: 1700000000 + n,
    tsNsec: 123456789 * n % 1e9,
    tsDigits: 9,
    origLen: 60 + n,
    data: payload(n, 60 + n),
    ifIndex: 0,
    ifName: undefined,
    direction: undefined,
    comments: undefined,
    ...over,
  };
}

const frames = [1, 2, 3, 4, 5].map((n) => frame(n));

describe('PcapWriter', () => {
  it('nano pcap keeps every nanosecond; micro pcap floors to microseconds', () => {
    for (const nano of [true, false]) {
      for (const bigEndian of [false, true]) {
        const { frames: back, info } = readAll(encodePcap(frames, { linkType: 1, nano, bigEndian }));
        assert.equal(info?.interfaces[0]?.tsDigits, nano ? 9 : 6);
        assert.deepEqual(
          back.map((f) => [epoch(f), f.origLen, f.data]),
          frames.map((f) => [
            epoch({ tsSec: f.tsSec, tsNsec: nano ? f.tsNsec : Math.floor(f.tsNsec / 1000) * 1000 }),
            f.origLen,
            Buffer.from(f.data).toString('hex'),
          ]),
        );
      }
    }
  });

  it('writes the same bytes as an independently built file', () => {
    const records = frames.map((f) => ({ sec: f.tsSec, frac: Math.floor(f.tsNsec / 1000), data: f.data, origLen: f.origLen }));
    assert.deepEqual(encodePcap(frames, { linkType: 1, snapLen: 65535 }), pcapFile({ le: true, nano: false, linkType: 1 }, records));
  });

  it('snapLen cuts the data, origLen stays', () => {
    const { frames: back } = readAll(encodePcap(frames, { linkType: 1, snapLen: 10 }));
    assert.ok(back.every((f, i) => f.data.length === 20 && f.origLen === frames[i]!.origLen));
  });

  it('link type from the first frame when not given; a frame of another link type is refused', () => {
    const chunks: Uint8Array[] = [];
    const w = new PcapWriter((c) => chunks.push(c));
    w.write(frame(1, { linkType: LinkType.LINUX_SLL }));
    assert.throws(() => w.write(frame(2)), (e) => e instanceof CaptureError && e.code === 'UNSUPPORTED' && /pcapng/.test(e.message));
    w.close();
    const { info } = readAll(Buffer.concat(chunks));
    assert.equal(info?.interfaces[0]?.linkType, LinkType.LINUX_SLL);
    assert.equal(info?.frames, 1);
  });

  it('no frames: a header-only file', () => {
    const { info, error } = readAll(encodePcap([], { linkType: LinkType.RAW }));
    assert.equal(error, undefined);
    assert.equal(info?.frames, 0);
    assert.equal(info?.interfaces[0]?.linkType, LinkType.RAW);
  });

  it('fcsLen is written into the link-type word', () => {
    const { info } = readAll(encodePcap([], { linkType: 1, fcsLen: 4 }));
    assert.equal(info?.interfaces[0]?.fcsLen, 4);
  });

  it('frames are copied at write time: reused reader buffers are safe', () => {
    const buf = payload(1, 8);
    const chunks: Uint8Array[] = [];
    const w = new PcapWriter((c) => chunks.push(c), { linkType: 1 });
    w.write(frame(1, { data: buf }));
    buf.fill(0);
    w.close();
    assert.deepEqual(readAll(Buffer.concat(chunks)).frames[0]?.data, Buffer.from(payload(1, 8)).toString('hex'));
  });

  it('large frames and many frames cross the chunk size', () => {
    const many = Array.from({ length: 3000 }, (_, i) => frame(i + 1, { data: payload(i, (i * 37) % 1500), origLen: 1500 }));
    many.push(frame(3001, { data: payload(1, 200_000), origLen: 200_000 }));
    const chunks: Uint8Array[] = [];
    const w = new PcapWriter((c) => chunks.push(c), { linkType: 1, nano: true });
    for (const f of many) w.write(f);
    w.close();
    assert.ok(chunks.length > 10);
    const back = readAll(Buffer.concat(chunks)).frames;
    assert.deepEqual(back, many.map((f) => keep({ ...f, tsDigits: 9 })));
  });
});

describe('PcapngWriter', () => {
  const mixed: Frame[] = [
    frame(1, { ifName: 'eth0', direction: 1 }),
    frame(2, { linkType: LinkType.RAW, ifIndex: 1, ifName: 'tun0' }),
    frame(3, { ifName: 'eth0', direction: 2 }),
    frame(4, { linkType: LinkType.LINUX_SLL2, ifIndex: 0, ifName: 'any' }),
    frame(5, { tsSec: 0, tsNsec: 1, ifName: 'eth0' }),
  ];

  it('round trip: frames, interfaces added on first sight, names, directions, nanoseconds', () => {
    for (const bigEndian of [false, true]) {
      const { frames: back, info } = readAll(encodePcapng(mixed, { bigEndian }));
      assert.deepEqual(back, mixed.map(keep).map((f) => ({ ...f, ifIndex: [0, 1, 0, 2, 0][f.number - 1]! })));
      assert.deepEqual(
        info?.interfaces.map((i) => [i.linkType, i.name, i.tsDigits]),
        [
          [1, 'eth0', 9],
          [101, 'tun0', 9],
          [276, 'any', 9],
        ],
      );
    }
  });

  it('declared interfaces: microsecond resolution and snaplen are honoured', () => {
    const { frames: back, info } = readAll(
      encodePcapng(mixed.slice(0, 1), { interfaces: [{ linkType: 1, tsDigits: 6, snapLen: 16, name: 'lan' }] }),
    );
    assert.deepEqual(info?.interfaces, [{ linkType: 1, snapLen: 16, tsDigits: 6, name: 'lan' }]);
    assert.equal(back[0]?.tsNsec, Math.floor(mixed[0]!.tsNsec / 1000) * 1000);
    assert.equal(back[0]?.data.length, 32);
  });

  it('corpus pcapng (nanosecond SLL) rewrites to identical frames', { skip: SKIP_NO_SHARED }, () => {
    const original: Frame[] = [];
    readCaptureBytes(readFileSync(`${CORPUS}/pymptcpanalyzer/client_2.pcap`), (f) => void original.push({ ...f, data: f.data.slice() }));
    const { frames: back } = readAll(encodePcapng(original));
    assert.deepEqual(back, original.map(keep));
    const { frames: asPcap } = readAll(encodePcap(original, { nano: true }));
    assert.deepEqual(asPcap, original.map((f) => keep({ ...f, ifName: undefined })));
  });

  it('timestamps before 1970 are refused', () => {
    const w = new PcapngWriter(() => {});
    assert.throws(() => w.write(frame(1, { tsSec: -1 })), CaptureError);
  });

  const tools = hasCommand('tshark') ? false : 'tshark not installed: live check skipped';
  it('tshark reads what we write (pcap and pcapng)', { skip: tools }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpscope-writer-'));
    try {
      writeFileSync(join(dir, 'a.pcapng'), encodePcapng(mixed));
      writeFileSync(join(dir, 'a.pcap'), encodePcap(mixed.slice(0, 1), { nano: true }));
      const fields = ['frame.time_epoch', 'frame.len', 'frame.cap_len', 'frame.interface_name', 'frame.packet_flags_direction'];
      const tshark = async (file: string): Promise<string[]> =>
        (await promisify(execFile)('tshark', ['-r', join(dir, file), '-T', 'fields', ...fields.flatMap((f) => ['-e', f])])).stdout
          .replace(/\n$/, '')
          .split('\n');
      const line = (f: Frame, withIface: boolean): string =>
        [
          epoch(f),
          f.origLen,
          f.data.length,
          withIface ? (f.ifName ?? '') : '',
          withIface && f.direction !== undefined ? `0x0000000${f.direction}` : '',
        ].join('\t');
      assert.deepEqual(await tshark('a.pcapng'), mixed.map((f) => line(f, true)));
      assert.deepEqual(await tshark('a.pcap'), [line(mixed[0]!, false)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('openCaptureWriter', () => {
  it('writes files that read back; missing directory -> CaptureError IO', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpscope-file-'));
    try {
      for (const format of ['pcap', 'pcapng'] as const) {
        const path = join(dir, `out.${format}`);
        const w = format === 'pcap' ? openCaptureWriter(path, 'pcap', { linkType: 1, nano: true }) : openCaptureWriter(path, 'pcapng');
        for (const f of frames) w.write(f);
        assert.equal(w.frames, frames.length);
        await w.close();
        const back: ReturnType<typeof keep>[] = [];
        const info = await readCapture(path, (f) => void back.push(keep(f)));
        assert.equal(info.format, format);
        assert.deepEqual(back, frames.map(keep));
      }
      assert.throws(
        () => openCaptureWriter(join(dir, 'nope', 'x.pcap'), 'pcap'),
        (e) => e instanceof CaptureError && e.code === 'IO' && /cannot write .*no such file or directory/.test(e.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
