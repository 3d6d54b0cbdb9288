/**
 * PacketDecoder refills one Packet (and its Ethernet, IPv4 and TCP headers)
 * for every frame: each result must equal what decodePacket makes of the
 * same frame, whatever the frames before it left in the objects.
 */
import assert from 'node:assert/strict';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { decodePacket, PacketDecoder } from '../../src/wire/packet.js';
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
