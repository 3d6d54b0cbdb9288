/**
 * Generates the benchmark capture: Ethernet/IPv4/TCP segments carrying
 * timestamps and MPTCP DSS options over many concurrent subflows, half data
 * segments (64-bit data ACK + 64-bit DSN mapping, as Linux sends them) and
 * half pure data ACKs. Every segment is built from a per-subflow template and
 * patched in place, so millions of packets are written in seconds.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { PcapWriter } from '../src/capture/index.js';
import { encodeMptcpOption } from '../src/wire/mptcp.js';
import { fillIpv4Checksum, fillTcpChecksum } from '../src/wire/checksum.js';
import type { MptcpDss } from '../src/wire/types.js';

export interface GenOptions {
  packets: number;
  /** Concurrent subflows; each pair of subflows shares one MPTCP connection. */
  subflows: number;
  payload: number;
}

const ETH = 14;
const IP = 20;
const TCP_FIXED = 20;

function dssOption(withMapping: boolean): Uint8Array {
  const dss: MptcpDss = {
    name: 'DSS', subtype: 2, length: withMapping ? 26 : 12,
    flags: withMapping ? 0x0f : 0x03, dataFin: false,
    dataAck: 1n, dataAckWidth: 8,
    dsn: withMapping ? 1n : undefined, dsnWidth: withMapping ? 8 : undefined,
    ssn: withMapping ? 1 : undefined, dataLength: withMapping ? 0 : undefined,
    infiniteMapping: false,
  };
  return encodeMptcpOption(dss);
}

/** Template: eth + ip + tcp(nop nop ts, dss, padding) + payload. Returns bytes and field offsets. */
function template(i: number, data: boolean, payload: number): { bytes: Uint8Array; dssAt: number } {
  const dss = dssOption(data);
  const optLen = 12 + dss.length + ((4 - (dss.length % 4)) % 4);
  const tcpLen = TCP_FIXED + optLen;
  const len = ETH + IP + tcpLen + (data ? payload : 0);
  const b = new Uint8Array(len);
  const v = new DataView(b.buffer);
  b.set([0x02, 0, 0, 0, (i >> 8) & 0xff, i & 0xff, 0x02, 0, 0, 1, (i >> 8) & 0xff, i & 0xff], 0);
  v.setUint16(12, 0x0800);
  const ip = ETH;
  v.setUint8(ip, 0x45);
  v.setUint16(ip + 2, len - ETH);
  v.setUint16(ip + 6, 0x4000);
  v.setUint8(ip + 8, 64);
  v.setUint8(ip + 9, 6);
  v.setUint32(ip + 12, (10 << 24) | (((i >> 8) & 0xff) << 16) | ((i & 0xff) << 8) | 1);
  v.setUint32(ip + 16, (10 << 24) | (200 << 16) | 1);
  const t = ip + IP;
  v.setUint16(t, 30000 + (i % 30000));
  v.setUint16(t + 2, 443);
  v.setUint8(t + 12, (tcpLen / 4) << 4);
  v.setUint8(t + 13, data ? 0x18 : 0x10);
  v.setUint16(t + 14, 502);
  let o = t + TCP_FIXED;
  b.set([1, 1, 8, 10], o);
  o += 12;
  b.set(dss, o);
  const dssAt = o;
  o += dss.length;
  while (o < t + tcpLen) b[o++] = 1;
  for (let k = 0; k < (data ? payload : 0); k++) b[o + k] = 0x61 + (k % 26);
  return { bytes: b, dssAt };
}

export function generate(path: string, opts: GenOptions): void {
  const fd = openSync(path, 'w');
  const writer = new PcapWriter((chunk) => { writeSync(fd, chunk); }, { linkType: 1, nano: false });
  const flows = Array.from({ length: opts.subflows }, (_, i) => ({
    data: template(i, true, opts.payload),
    ack: template(i, false, opts.payload),
    seq: (i * 2654435761) >>> 0,
    dsn: BigInt(i) * 0x100000001n + 0xfff00000n,
  }));
  let sec = 1_700_000_000;
  let usec = 0;
  for (let n = 0; n < opts.packets; n++) {
    const f = flows[n % flows.length]!;
    const isData = (n / flows.length) % 2 < 1;
    const { bytes, dssAt } = isData ? f.data : f.ack;
    const v = new DataView(bytes.buffer);
    const t = ETH + IP;
    v.setUint16(ETH + 4, n & 0xffff);
    v.setUint32(t + 4, f.seq);
    v.setUint32(t + 8, (f.seq ^ 0x5a5a5a5a) >>> 0);
    v.setUint32(t + 24, n >>> 0); // TSval
    v.setBigUint64(dssAt + 4, f.dsn ^ 0x1111n);
    if (isData) {
      v.setBigUint64(dssAt + 12, f.dsn);
      v.setUint32(dssAt + 20, (f.seq - ((flows.length * 7) >>> 0)) >>> 0);
      v.setUint16(dssAt + 24, opts.payload);
      f.seq = (f.seq + opts.payload) >>> 0;
      f.dsn += BigInt(opts.payload);
    }
    // Real captures carry correct checksums (a receiver's view); fill them so decoding takes the common path.
    fillIpv4Checksum(bytes, ETH);
    fillTcpChecksum(bytes, ETH, t);
    if (++usec === 1_000_000) { usec = 0; sec++; }
    writer.write({ number: n + 1, linkType: 1, tsSec: sec, tsNsec: usec * 1000, tsDigits: 6, origLen: bytes.length, data: bytes, ifIndex: 0 });
  }
  writer.close();
  closeSync(fd);
}
