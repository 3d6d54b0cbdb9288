/**
 * A minimal pcap / pcapng reader for the wire tests, so they do not depend on
 * the capture module. Handles both byte orders, classic pcap (micro and nano
 * seconds) and pcapng EPB / SPB / IDB blocks; anything odd ends the file.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Frame } from '../../src/capture/types.js';

export function readFrames(path: string): Frame[] {
  let bytes = new Uint8Array(readFileSync(path));
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = new Uint8Array(gunzipSync(bytes));
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint32(0, false);
  return magic === 0x0a0d0d0a ? readPcapng(bytes, dv) : readPcap(bytes, dv, magic);
}

function readPcap(bytes: Uint8Array, dv: DataView, magic: number): Frame[] {
  const le = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const linkType = dv.getUint32(20, le) & 0xffff;
  const frames: Frame[] = [];
  for (let at = 24; at + 16 <= bytes.length;) {
    const capLen = dv.getUint32(at + 8, le);
    if (at + 16 + capLen > bytes.length) break;
    const frac = dv.getUint32(at + 4, le);
    frames.push({
      number: frames.length + 1, linkType, tsSec: dv.getUint32(at, le), tsNsec: nano ? frac : frac * 1000,
      tsDigits: nano ? 9 : 6, origLen: dv.getUint32(at + 12, le), data: bytes.subarray(at + 16, at + 16 + capLen), ifIndex: 0,
    });
    at += 16 + capLen;
  }
  return frames;
}

function readPcapng(bytes: Uint8Array, dv: DataView): Frame[] {
  let le = true;
  const links: number[] = [];
  const frames: Frame[] = [];
  for (let at = 0; at + 12 <= bytes.length;) {
    if (dv.getUint32(at, false) === 0x0a0d0d0a) {
      le = dv.getUint32(at + 8, true) === 0x1a2b3c4d;
      links.length = 0;
    }
    const type = dv.getUint32(at, le);
    const len = dv.getUint32(at + 4, le);
    if (len < 12 || at + len > bytes.length) break;
    if (type === 1) links.push(dv.getUint16(at + 8, le));
    else if (type === 6) {
      const ifIndex = dv.getUint32(at + 8, le);
      const capLen = dv.getUint32(at + 20, le);
      // Timestamps are not needed by the wire tests.
      frames.push({
        number: frames.length + 1, linkType: links[ifIndex] ?? 1, tsSec: 0, tsNsec: 0, tsDigits: 9,
        origLen: dv.getUint32(at + 24, le), data: bytes.subarray(at + 28, at + 28 + capLen), ifIndex,
      });
    } else if (type === 3) {
      const origLen = dv.getUint32(at + 8, le);
      frames.push({
        number: frames.length + 1, linkType: links[0] ?? 1, tsSec: 0, tsNsec: 0, tsDigits: 6,
        origLen, data: bytes.subarray(at + 12, at + 12 + Math.min(origLen, len - 16)), ifIndex: 0,
      });
    }
    at += len;
  }
  return frames;
}
