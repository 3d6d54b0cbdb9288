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
  const l = p.link;
  const link = l?.layer === 'eth' ? { ...l, dst: [...l.dst], src: [...l.src] }
    : l?.layer === 'sll' ? { ...l, addr: [...l.addr], addrField: [...(l.addrField ?? [])] } : l;
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

/** The link headers of PacketDecoder's direct path: each makes its frame from an Ethernet one. */
const DIRECT_LINKS = [
  { name: 'Ethernet', linkType: 1, protocolAt: 12, ipAt: 14, frame: (eth: Uint8Array) => eth.slice() },
  // Linux cooked v1: packet type, ARPHRD_ETHER, address length 6, the source MAC padded to 8, the protocol.
  { name: 'Linux cooked v1', linkType: 113, protocolAt: 14, ipAt: 16, frame: (eth: Uint8Array) => cooked([0, 4, 0, 1, 0, 6, ...eth.subarray(6, 12), 0, 0, eth[12]!, eth[13]!], eth) },
  // v2: the protocol, reserved, interface index 2, ARPHRD_ETHER, packet type, address length, the address.
  { name: 'Linux cooked v2', linkType: 276, protocolAt: 0, ipAt: 20, frame: (eth: Uint8Array) => cooked([eth[12]!, eth[13]!, 0, 0, 0, 0, 0, 2, 0, 1, 4, 6, ...eth.subarray(6, 12), 0, 0], eth) },
] as const;

function cooked(header: number[], eth: Uint8Array): Uint8Array {
  const data = new Uint8Array(header.length + eth.length - 14);
  data.set(header);
  data.set(eth.subarray(14), header.length);
  return data;
}

/**
 * Ethernet and Linux cooked frames with IPv4 and TCP take PacketDecoder's
 * direct path; these cut and altered copies sit on each side of every test
 * that path makes (link type, VLAN tag, protocol, IP version and header
 * length, total length against the frame, fragments, IP protocol, captured
 * bytes, TCP header length), so each is decoded by whichever path applies
 * and must still equal decodePacket.
 */
test('PacketDecoder equals decodePacket on Ethernet and Linux cooked IPv4/TCP frames cut at every byte and altered at each field it tests', { skip: SKIP_NO_SHARED }, () => {
  const ethFrames = loadFrames(join(ROOT, 'test/fixtures/lab/mptcp-v4-csum.pcapng'))
    .filter((f) => f.linkType === 1 && f.data[12] === 0x08 && f.data[13] === 0x00 && f.data[23] === 6);
  assert.ok(ethFrames.length > 10, 'Ethernet/IPv4/TCP frames in the lab capture');
  // A SYN, a pure ACK and a segment with data: the first, and the two longest of the rest.
  const chosen = [ethFrames[0]!, ...ethFrames.slice(1).sort((a, b) => b.data.length - a.data.length).slice(0, 2), ethFrames[2]!];
  const decoder = new PacketDecoder();
  let n = 0;
  const check = (f: Frame, what: string): void => {
    assert.deepEqual(view(decoder.decode(f)), view(decodePacket(f)), `#${f.number} ${what}`);
    n++;
  };
  for (const link of DIRECT_LINKS) {
    for (const eth of chosen) {
      const data0 = link.frame(eth.data);
      const base: Frame = { ...eth, linkType: link.linkType, data: data0, origLen: data0.length };
      const ip = link.ipAt;
      for (let cut = 0; cut <= data0.length; cut++) {
        check({ ...base, data: data0.slice(0, cut) }, `${link.name} cut to ${cut}`);
        check({ ...base, data: data0.slice(0, cut), origLen: cut }, `${link.name} cut to ${cut}, origLen too`);
      }
      const alter = (at: number, values: number[], what: string): void => {
        for (const v of values) {
          const data = data0.slice();
          data[at] = v;
          check({ ...base, data }, `${link.name} ${what} ${v}`);
        }
      };
      alter(link.protocolAt, [0x81, 0x86, 0x00], 'protocol high byte');
      alter(link.protocolAt + 1, [0x00, 0x06, 0xdd], 'protocol low byte');
      alter(ip, [0x44, 0x45, 0x46, 0x4f, 0x35, 0x65, 0x40], 'IP version and header length');
      for (const ihl of [0x46, 0x4f]) {
        // IP options (made of the TCP header's bytes) cut short.
        const data = data0.slice();
        data[ip] = ihl;
        for (let cut = ip + 20; cut <= Math.min(data.length, ip + 66); cut++) check({ ...base, data: data.slice(0, cut) }, `${link.name} IP header length ${ihl & 15}, cut to ${cut}`);
      }
      alter(ip + 2, [0x00, 0x01, 0xff], 'IP total length high byte');
      alter(ip + 3, [0x00, 0x13, 0x14, 0x28, 0xff], 'IP total length low byte');
      alter(ip + 6, [0x20, 0x40, 0x1f, 0x00], 'IP flags and fragment offset high byte');
      alter(ip + 7, [0x01, 0x00], 'IP fragment offset low byte');
      alter(ip + 9, [17, 1, 6, 0], 'IP protocol');
      alter(ip + 10, [0x00, 0xff], 'IP checksum');
      alter(ip + 32, [0x00, 0x40, 0x50, 0xf0, 0xa0], 'TCP header length');
      check({ ...base, linkType: 101, data: data0.slice(ip) }, `${link.name} as raw IP`);
      check({ ...base, origLen: data0.length + 100 }, `${link.name} origLen beyond the frame`);
      check({ ...base, linkType: link.linkType === 113 ? 276 : 113 }, `${link.name} read as the other cooked version`);
    }
    const tagged = new Uint8Array(chosen[0]!.data.length + 4);
    tagged.set(chosen[0]!.data.subarray(0, 12));
    tagged.set([0x81, 0x00, 0x00, 0x05], 12);
    tagged.set(chosen[0]!.data.subarray(12), 16);
    check({ ...chosen[0]!, data: tagged, origLen: tagged.length }, 'VLAN tagged');
  }
  assert.ok(n > 1500, `frames compared: ${n}`);
});

test('a reused Linux cooked header forgets the addresses assigned to it, and v1 and v2 headers are not mixed', { skip: SKIP_NO_SHARED }, () => {
  const eth = loadFrames(join(ROOT, 'test/fixtures/lab/mptcp-v4-csum.pcapng'))
    .filter((f) => f.linkType === 1 && f.data[12] === 0x08 && f.data[13] === 0x00 && f.data[23] === 6).slice(0, 3);
  assert.equal(eth.length, 3);
  const decoder = new PacketDecoder();
  for (const link of DIRECT_LINKS.slice(1)) {
    const frames = eth.map((f) => ({ ...f, linkType: link.linkType, data: link.frame(f.data) }));
    const first = decoder.decode(frames[0]!);
    assert.equal(first.link?.layer, 'sll');
    if (first.link?.layer === 'sll') {
      first.link.addr = new Uint8Array(8).fill(0xee);
      first.link.addrField = new Uint8Array(8).fill(0xee);
    }
    for (const f of frames.slice(1)) assert.deepEqual(view(decoder.decode(f)), view(decodePacket(f)), `${link.name} #${f.number}`);
  }
  // A v1 frame after v2 ones: no ifIndex carried over.
  const v1 = { ...eth[0]!, linkType: 113, data: DIRECT_LINKS[1].frame(eth[0]!.data) };
  const p = decoder.decode(v1);
  assert.equal(p.link?.layer === 'sll' ? p.link.ifIndex : 'none', undefined);
  assert.deepEqual(view(p), view(decodePacket(v1)));
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
  assert.ok(inPlace > lines / 2, `frames decoded in place: ${inPlace} of ${lines}`);
});

test('in-place decoding reads nothing past a frame: cut at every byte, between other bytes, the list says what the frame alone gives', { skip: SKIP_NO_SHARED }, () => {
  const eth = loadFrames(join(ROOT, 'test/fixtures/lab/mptcp-v4-csum.pcapng'))
    .filter((f) => f.linkType === 1 && f.data[12] === 0x08 && f.data[13] === 0x00 && f.data[23] === 6);
  const chosen = [eth[0]!, ...eth.slice(1).sort((a, b) => b.data.length - a.data.length).slice(0, 2)];
  const decoder = new PacketDecoder({ inPlace: true });
  let inPlace = 0;
  let n = 0;
  for (const link of DIRECT_LINKS) {
    for (const f of chosen) {
      const whole = link.frame(f.data);
      for (let cut = 0; cut <= whole.length; cut++) {
        // The frame between bytes that would change any line read from them: a SYN-looking TCP header, 0xff.
        const buf = new Uint8Array(9 + cut + 80).fill(0xff);
        buf.set(whole.subarray(0, cut), 9);
        const own = whole.slice(0, cut);
        for (const origLen of [cut, whole.length]) {
          const frame: Frame = { ...f, linkType: link.linkType, origLen, data: own, bytes: buf, start: 9, capLen: cut };
          const p = decoder.decode(frame);
          if (p.data === buf) inPlace++;
          const ours = new ListFormatter({ analysed: true }).format(p, new TcpTracker({ summaries: false }).process(p));
          const alone: Frame = { ...f, linkType: link.linkType, origLen, data: own };
          const q = decodePacket(alone);
          assert.equal(ours, new ListFormatter({ analysed: true }).format(q, new TcpTracker({ summaries: false }).process(q)), `${link.name} #${f.number} cut to ${cut}, origLen ${origLen}`);
          n++;
        }
      }
    }
  }
  assert.ok(n > 1000 && inPlace > n / 4, `lines compared: ${n}, decoded in place: ${inPlace}`);
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

test('without IPv4 header checksum verification a bad checksum is no finding, and the frame is still decoded in place', () => {
  const frames = loadFrames(join(ROOT, 'test/fixtures/lab/mptcp-v4-csum.pcapng'));
  const first = frames.find((f) => f.linkType === 1 && f.data[12] === 0x08 && f.data[23] === 6)!;
  const bad = first.data.slice();
  // The header checksum's low byte.
  bad[14 + 11] = bad[14 + 11]! ^ 0x5a;
  const checked = decodePacket({ ...first, data: bad });
  assert.equal(checked.ip?.version === 4 && checked.ip.checksumOk, false);
  assert.ok(checked.findings.some((f) => f.code === 'ip.checksum.bad'), 'verified by default');

  const unchecked = decodePacket({ ...first, data: bad }, { ipChecksums: false });
  assert.equal(unchecked.ip?.version === 4 ? unchecked.ip.checksumOk : 'not IPv4', undefined);
  assert.deepEqual(unchecked.findings, []);
  // Nothing else changes: the TCP checksum is still verified, and every header reads the same.
  assert.equal(unchecked.tcp?.checksumOk, checked.tcp?.checksumOk);
  assert.deepEqual({ ...unchecked.tcp }, { ...checked.tcp });

  const buf = new Uint8Array(bad.length + 8).fill(0xff);
  buf.set(bad, 4);
  const frame: Frame = { ...first, data: bad, bytes: buf, start: 4, capLen: bad.length };
  const p = new PacketDecoder({ inPlace: true, ipChecksums: false }).decode(frame);
  assert.equal(p.data, buf, 'decoded where it lies');
  assert.deepEqual(p.findings, []);
  assert.equal(new PacketDecoder({ inPlace: true }).decode(frame).data, bad, 'with verification, the finding sends it to its own bytes');
});
