/**
 * PacketDecoder refills one Packet (and its Ethernet, IPv4 and TCP headers)
 * for every frame: each result must equal what decodePacket makes of the
 * same frame, whatever the frames before it left in the objects.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { TcpTracker } from '../../src/analysis/index.js';
import { readCaptureBytes } from '../../src/capture/index.js';
import { ListFormatter } from '../../src/present/index.js';
import { decodePacket, PacketDecoder } from '../../src/wire/packet.js';
import type { Frame } from '../../src/capture/types.js';
import type { Packet } from '../../src/wire/types.js';
import { ROOT, SKIP_NO_SHARED, corpusAndLabCaptures } from '../helpers/shared.js';
import { loadFrames } from './frames.js';

/** What a packet says, getters included (options, checksum verdicts, MAC addresses live on prototypes). */
function view(p: Packet): unknown {
  const link = p.link?.layer === 'eth' ? { ...p.link, dst: [...p.link.dst], src: [...p.link.src] } : p.link;
  const tcp = p.tcp === undefined ? undefined : { ...p.tcp, options: p.tcp.options, checksumOk: p.tcp.checksumOk };
  const ip = p.ip === undefined ? undefined : { ...p.ip, checksumOk: p.ip.layer === 'ip' ? p.ip.checksumOk : undefined };
  return { ...p, link, ip, tcp, findings: [...p.findings] };
}

test('one PacketDecoder over every corpus and lab frame gives what decodePacket gives', { skip: SKIP_NO_SHARED }, () => {
  const files = corpusAndLabCaptures();
  // One decoder for all files: each file starts with what the last one left.
  const decoder = new PacketDecoder();
  let previous: Packet | undefined;
  let n = 0;
  for (const file of files) {
    for (const f of loadFrames(file)) {
      const p = decoder.decode(f);
      assert.deepEqual(view(p), view(decodePacket(f)), `${basename(file)} #${f.number}`);
      if (previous !== undefined) assert.equal(p, previous, 'the same Packet object');
      previous = p;
      n++;
    }
  }
  assert.ok(n > 10000, `frames compared: ${n}`);
});

test('a reused header forgets what was assigned to it for the previous frame', { skip: SKIP_NO_SHARED }, () => {
  const frames = loadFrames(join(ROOT, 'test/fixtures/lab/mptcp-v4-2subflows.pcapng'));
  const decoder = new PacketDecoder();
  const first = decoder.decode(frames[0]!);
  first.tcp!.options = [];
  first.tcp!.checksumOk = false;
  if (first.link?.layer === 'eth') first.link.dst = new Uint8Array(6);
  const second = decoder.decode(frames[1]!);
  assert.deepEqual(view(second), view(decodePacket(frames[1]!)));
});

/**
 * Ethernet + IPv4 + TCP frames take PacketDecoder's direct path; these cut
 * and altered copies sit on each side of every test that path makes (link
 * type, VLAN tag, IP version and header length, total length against the
 * frame, fragments, protocol, captured bytes, TCP header length), so each
 * is decoded by whichever path applies and must still equal decodePacket.
 */
test('PacketDecoder equals decodePacket on Ethernet/IPv4/TCP frames cut at every byte and altered at each field it tests', { skip: SKIP_NO_SHARED }, () => {
  const frames = loadFrames(join(ROOT, 'test/fixtures/lab/mptcp-v4-csum.pcapng'))
    .filter((f) => f.linkType === 1 && f.data[12] === 0x08 && f.data[13] === 0x00 && f.data[23] === 6);
  assert.ok(frames.length > 10, 'Ethernet/IPv4/TCP frames in the lab capture');
  // A SYN, a pure ACK and a segment with data: the first, and the two longest of the rest.
  const chosen = [frames[0]!, ...frames.slice(1).sort((a, b) => b.data.length - a.data.length).slice(0, 2), frames[2]!];
  const decoder = new PacketDecoder();
  let n = 0;
  const check = (f: Frame, what: string): void => {
    assert.deepEqual(view(decoder.decode(f)), view(decodePacket(f)), `#${f.number} ${what}`);
    n++;
  };
  for (const base of chosen) {
    for (let cut = 0; cut <= base.data.length; cut++) {
      check({ ...base, data: base.data.slice(0, cut) }, `cut to ${cut}`);
      check({ ...base, data: base.data.slice(0, cut), origLen: cut }, `cut to ${cut}, origLen too`);
    }
    const alter = (at: number, values: number[], what: string): void => {
      for (const v of values) {
        const data = base.data.slice();
        data[at] = v;
        check({ ...base, data }, `${what} ${v}`);
      }
    };
    alter(12, [0x81, 0x86, 0x00], 'EtherType high byte');
    alter(13, [0x00, 0x06, 0xdd], 'EtherType low byte');
    alter(14, [0x44, 0x45, 0x46, 0x4f, 0x35, 0x65, 0x40], 'IP version and header length');
    for (const ihl of [0x46, 0x4f]) {
      // IP options (made of the TCP header's bytes) cut short.
      const data = base.data.slice();
      data[14] = ihl;
      for (let cut = 34; cut <= Math.min(data.length, 80); cut++) check({ ...base, data: data.slice(0, cut) }, `IP header length ${ihl & 15}, cut to ${cut}`);
    }
    alter(16, [0x00, 0x01, 0xff], 'IP total length high byte');
    alter(17, [0x00, 0x13, 0x14, 0x28, 0xff], 'IP total length low byte');
    alter(20, [0x20, 0x40, 0x1f, 0x00], 'IP flags and fragment offset high byte');
    alter(21, [0x01, 0x00], 'IP fragment offset low byte');
    alter(23, [17, 1, 6, 0], 'IP protocol');
    alter(24, [0x00, 0xff], 'IP checksum');
    alter(46, [0x00, 0x40, 0x50, 0xf0, 0xa0], 'TCP header length');
    check({ ...base, linkType: 101, data: base.data.slice(14) }, 'raw IP link');
    check({ ...base, origLen: base.data.length + 100 }, 'origLen beyond the frame');
    const tagged = new Uint8Array(base.data.length + 4);
    tagged.set(base.data.subarray(0, 12));
    tagged.set([0x81, 0x00, 0x00, 0x05], 12);
    tagged.set(base.data.subarray(12), 16);
    check({ ...base, data: tagged, origLen: tagged.length }, 'VLAN tagged');
  }
  assert.ok(n > 500, `frames compared: ${n}`);
});

/**
 * `inPlace`: sound Ethernet/IPv4/TCP frames of reused Frames are decoded
 * where they lie in the reader's buffer. The packet list and the TCP
 * analysis read such packets through their headers' offsets only, so every
 * line must be what the frame's own bytes give; and the path must be taken.
 */
test('an in-place PacketDecoder gives the packet list and TCP analysis what frame-relative decoding gives', { skip: SKIP_NO_SHARED }, () => {
  let inPlace = 0;
  let lines = 0;
  for (const file of corpusAndLabCaptures()) {
    const bytes = new Uint8Array(readFileSync(file));
    const list = (decode: (f: Frame) => Packet, reuseFrames: boolean): string[] => {
      const tracker = new TcpTracker({ summaries: false, transientAnnotations: true });
      const formatter = new ListFormatter({ analysed: true });
      const out: string[] = [];
      readCaptureBytes(bytes, (f) => {
        const p = decode(f);
        if (reuseFrames && p.data.length !== p.capLen) {
          inPlace++;
          assert.equal(f.bytes, p.data, `${basename(file)} #${f.number}: the reader's buffer`);
        }
        out.push(formatter.format(p, tracker.process(p)));
      }, { reuseFrames, lazyData: reuseFrames });
      return out;
    };
    const decoder = new PacketDecoder({ inPlace: true });
    const got = list((f) => decoder.decode(f), true);
    assert.deepEqual(got, list((f) => decodePacket(f), false), basename(file));
    lines += got.length;
  }
  assert.ok(lines > 10000, `lines compared: ${lines}`);
  // Most corpus captures are Linux cooked (tcpdump -i any): only the Ethernet ones take the path.
  assert.ok(inPlace > 1000, `frames decoded in place: ${inPlace} of ${lines}`);
});

test('a spread copy of a reused frame is decoded from its own data', () => {
  // The first frame of a buffer: an Ethernet/IPv4/TCP SYN, then altered in the copy only.
  const frames = loadFrames(join(ROOT, 'test/fixtures/lab/mptcp-v4-csum.pcapng'));
  const first = frames.find((f) => f.linkType === 1 && f.data[23] === 6)!;
  let copy: Frame | undefined;
  const pcap = pcapOf(first.data);
  readCaptureBytes(pcap, (f) => {
    assert.equal(f.bytes, pcap, 'a reused frame says where it lies');
    const data = f.data.slice();
    // The TCP source port's low byte.
    data[14 + 20 + 1] = data[14 + 20 + 1]! ^ 0xff;
    copy = { ...f, data };
  }, { reuseFrames: true, lazyData: true });
  assert.equal(copy!.bytes, undefined, 'no bytes in a copy');
  const p = new PacketDecoder({ inPlace: true }).decode(copy!);
  assert.equal(p.tcp?.srcPort, decodePacket(copy!).tcp?.srcPort);
  assert.notEqual(p.tcp?.srcPort, decodePacket(first).tcp?.srcPort);
});

/** A classic pcap (microseconds, little-endian, Ethernet) holding one frame. */
function pcapOf(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(24 + 16 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 65535, true);
  v.setUint32(20, 1, true);
  v.setUint32(32, data.length, true);
  v.setUint32(36, data.length, true);
  out.set(data, 40);
  return out;
}
