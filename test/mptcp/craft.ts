import { writeFileSync } from 'node:fs';

/**
 * Minimal packet crafting for tests that need tshark's opinion on option
 * forms the public captures lack: IPv4 + TCP segments carrying given options,
 * written to a classic pcap with LINKTYPE_RAW (101). Checksums stay zero;
 * tshark does not check them by default.
 */

export interface Segment {
  options: Uint8Array[];
  /** TCP flags (default ACK). */
  flags?: number;
  srcPort?: number;
  dstPort?: number;
  payload?: Uint8Array;
}

export function tcpSegment(s: Segment): Uint8Array {
  let optLen = s.options.reduce((n, o) => n + o.length, 0);
  const pad = (4 - (optLen % 4)) % 4;
  optLen += pad;
  if (optLen > 40) throw new Error(`options take ${optLen} bytes, more than TCP allows`);
  const payload = s.payload ?? new Uint8Array(0);
  const tcpLen = 20 + optLen;
  const total = 20 + tcpLen + payload.length;
  const b = new Uint8Array(total);
  const dv = new DataView(b.buffer);
  b[0] = 0x45;
  dv.setUint16(2, total);
  b[8] = 64;
  b[9] = 6;
  b.set([10, 0, 0, 1], 12);
  b.set([10, 0, 0, 2], 16);
  const t = 20;
  dv.setUint16(t, s.srcPort ?? 40000);
  dv.setUint16(t + 2, s.dstPort ?? 5201);
  dv.setUint32(t + 4, 1000);
  dv.setUint32(t + 8, 2000);
  b[t + 12] = (tcpLen / 4) << 4;
  b[t + 13] = s.flags ?? 0x10;
  dv.setUint16(t + 14, 65535);
  let p = t + 20;
  for (const o of s.options) { b.set(o, p); p += o.length; }
  b.fill(1, p, p + pad); // NOP padding
  b.set(payload, t + tcpLen);
  return b;
}

export function writeRawPcap(path: string, packets: Uint8Array[]): void {
  const parts: Uint8Array[] = [];
  const gh = new DataView(new ArrayBuffer(24));
  gh.setUint32(0, 0xa1b2c3d4, true);
  gh.setUint16(4, 2, true);
  gh.setUint16(6, 4, true);
  gh.setUint32(16, 65535, true);
  gh.setUint32(20, 101, true);
  parts.push(new Uint8Array(gh.buffer));
  packets.forEach((pkt, i) => {
    const rh = new DataView(new ArrayBuffer(16));
    rh.setUint32(0, 1_700_000_000 + i, true);
    rh.setUint32(8, pkt.length, true);
    rh.setUint32(12, pkt.length, true);
    parts.push(new Uint8Array(rh.buffer), pkt);
  });
  writeFileSync(path, Buffer.concat(parts));
}
