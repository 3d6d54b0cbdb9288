/**
 * Bad packets never crash and never hang: every corpus packet is cut at every
 * byte offset of its headers, and mutated at random (seeded), then decoded and
 * printed in every output format. A packet cut inside its TCP header must carry
 * a `truncated` or `malformed` finding.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { test } from 'node:test';
import { readCaptureBytes } from '../../src/capture/index.js';
import type { Frame } from '../../src/capture/index.js';
import { TcpTracker } from '../../src/analysis/index.js';
import { decodePacket, PacketDecoder } from '../../src/wire/index.js';
import type { Packet } from '../../src/wire/types.js';
import { DetailFormatter, JsonWriter, ListFormatter, TcpdumpFormatter, formatHex } from '../../src/present/index.js';
import { rng } from '../helpers/rng.js';
import { SKIP_NO_SHARED, corpusCaptures } from '../helpers/shared.js';

/** Frames of a capture, copied (readers hand out views into reused buffers). */
function framesOf(path: string, max: number): Frame[] {
  const frames: Frame[] = [];
  readCaptureBytes(new Uint8Array(readFileSync(path)), (f) => {
    frames.push({ ...f, data: f.data.slice() });
    return frames.length < max ? undefined : false;
  });
  return frames;
}

/** Every output path a user can reach, on one packet. */
class Printers {
  private readonly list = new ListFormatter();
  private readonly tcpdump = new TcpdumpFormatter({ tsStyle: 'tttt', nano: false, verbose: 1, quiet: false, absoluteSeq: false, number: true });
  private readonly tcpdumpQuiet = new TcpdumpFormatter({ tsStyle: 'default', nano: true, verbose: 0, quiet: true, absoluteSeq: true, number: false });
  private readonly detail = new DetailFormatter({ hex: true });
  private sink = '';
  private readonly json = new JsonWriter((s) => { this.sink = s; }, { ndjson: true });

  print(pkt: Packet, withDetail: boolean): number {
    let n = this.list.format(pkt).length + this.tcpdump.format(pkt).length + this.tcpdumpQuiet.format(pkt).length;
    if (withDetail) {
      n += this.detail.format(pkt).length + formatHex(pkt.data).length;
      this.json.write(pkt);
      n += this.sink.length;
    }
    return n;
  }
}

function tcpHeaderEnd(p: Packet): number | undefined {
  return p.tcp ? p.tcp.offset + p.tcp.dataOffset * 4 : undefined;
}

const captures = corpusCaptures();
/** Larger captures contribute their first packets only, to keep the run short. */
const PER_CAPTURE = 1000;

test('every corpus packet cut at every header offset: no exception, truncation reported', { skip: SKIP_NO_SHARED, timeout: 600_000 }, (t) => {
  let cases = 0;
  for (const path of captures) {
    const printers = new Printers();
    for (const frame of framesOf(path, PER_CAPTURE)) {
      const whole = decodePacket(frame);
      const hdrEnd = tcpHeaderEnd(whole);
      // Every offset through the headers, then a few inside the payload.
      const last = Math.min(frame.data.length, (hdrEnd ?? whole.payloadOffset) + 8);
      for (let cut = 0; cut <= last; cut++) {
        const f: Frame = { ...frame, data: frame.data.subarray(0, cut) };
        let pkt: Packet;
        try {
          pkt = decodePacket(f);
          printers.print(pkt, cut % 7 === 0 || cut === last);
        } catch (e) {
          assert.fail(`${basename(path)} frame ${frame.number} cut at ${cut}: ${(e as Error).stack}`);
        }
        cases++;
        if (hdrEnd !== undefined && cut < hdrEnd) {
          const flagged = pkt.findings.some((x) => x.code === 'truncated' || x.code === 'malformed');
          assert.ok(flagged, `${basename(path)} frame ${frame.number} cut at ${cut} < TCP header end ${hdrEnd}: no truncated/malformed finding`);
        }
      }
    }
  }
  t.diagnostic(`${cases} cut packets`);
  assert.ok(cases > 100_000, `only ${cases} cases`);
});

test('random byte mutations of corpus packets: no exception (seeded)', { skip: SKIP_NO_SHARED, timeout: 600_000 }, (t) => {
  const rnd = rng(0x6d707363);
  let cases = 0;
  for (const path of captures) {
    const printers = new Printers();
    for (const frame of framesOf(path, PER_CAPTURE)) {
      const whole = decodePacket(frame);
      // Mutations aimed at the headers (where parsers branch), a few anywhere.
      const hot = Math.min(frame.data.length, (tcpHeaderEnd(whole) ?? whole.payloadOffset) + 4);
      for (let k = 0; k < 30; k++) {
        const data = frame.data.slice();
        const flips = 1 + Math.floor(rnd() * 4);
        for (let j = 0; j < flips; j++) {
          const span = k % 8 === 0 ? data.length : hot;
          if (span === 0) break;
          data[Math.floor(rnd() * span)] = Math.floor(rnd() * 256);
        }
        const cut = k % 5 === 0 ? Math.floor(rnd() * (data.length + 1)) : data.length;
        const f: Frame = { ...frame, data: data.subarray(0, cut) };
        try {
          printers.print(decodePacket(f), k % 10 === 0);
        } catch (e) {
          const hex = Buffer.from(f.data).toString('hex');
          assert.fail(`${basename(path)} frame ${frame.number} mutation ${k} (${hex}): ${(e as Error).stack}`);
        }
        cases++;
      }
    }
  }
  t.diagnostic(`${cases} mutated packets`);
  assert.ok(cases > 100_000, `only ${cases} cases`);
});

/**
 * The packet list decodes frames in place, in the reader's buffer, where
 * other frames' bytes follow: mutated and cut frames, set between bytes of
 * 0xff, must give the list line and TCP analysis their own bytes give.
 */
test('random mutations decoded in place: the list and TCP analysis say what the frame alone says (seeded)', { skip: SKIP_NO_SHARED, timeout: 600_000 }, (t) => {
  const rnd = rng(0x696e706c);
  let cases = 0;
  let inPlace = 0;
  for (const path of captures) {
    const decoder = new PacketDecoder({ inPlace: true });
    const here = { list: new ListFormatter({ analysed: true }), tcp: new TcpTracker({ summaries: false, transientAnnotations: true }) };
    const alone = { list: new ListFormatter({ analysed: true }), tcp: new TcpTracker({ summaries: false, transientAnnotations: true }) };
    for (const frame of framesOf(path, PER_CAPTURE)) {
      const whole = decodePacket(frame);
      const hot = Math.min(frame.data.length, (tcpHeaderEnd(whole) ?? whole.payloadOffset) + 4);
      for (let k = 0; k < 16; k++) {
        const data = frame.data.slice();
        if (k > 0) {
          const flips = 1 + Math.floor(rnd() * 3);
          for (let j = 0; j < flips && hot > 0; j++) data[Math.floor(rnd() * hot)] = Math.floor(rnd() * 256);
        }
        const cut = k % 4 === 3 ? Math.floor(rnd() * (data.length + 1)) : data.length;
        const own = data.subarray(0, cut);
        const buf = new Uint8Array(5 + cut + 64).fill(0xff);
        buf.set(own, 5);
        const f: Frame = { ...frame, data: own, bytes: buf, start: 5, capLen: cut };
        const label = `${basename(path)} frame ${frame.number} mutation ${k} (${Buffer.from(own).toString('hex')})`;
        const p = decoder.decode(f);
        if (p.data === buf) inPlace++;
        const ours = here.list.format(p, here.tcp.process(p));
        const q = decodePacket({ ...frame, data: own });
        assert.equal(ours, alone.list.format(q, alone.tcp.process(q)), label);
        cases++;
      }
    }
  }
  t.diagnostic(`${cases} mutated packets, ${inPlace} decoded in place`);
  assert.ok(cases > 50_000 && inPlace > cases / 4, `${cases} cases, ${inPlace} in place`);
});
