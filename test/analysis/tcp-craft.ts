/**
 * Hand-built TCP conversations for the analysis tests: each segment is
 * spelled from its header fields (addresses, ports, sequence and
 * acknowledgement numbers, flags, window, options, payload length) and
 * stamped with a capture time, so a test reads like the trace it checks.
 */
import type { Frame } from '../../src/capture/types.js';
import { encodePcap } from '../../src/capture/index.js';
import { concat, hex, sum16 } from '../helpers/bytes.js';

const FLAG_BITS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, U: 0x20, E: 0x40, C: 0x80 };

/** 'SA' -> SYN|ACK; letters F S R P A U E C. */
export function tcpFlags(s: string): number {
  let f = 0;
  for (const c of s) {
    const bit = FLAG_BITS[c];
    if (bit === undefined) throw new Error(`unknown TCP flag letter ${c}`);
    f |= bit;
  }
  return f;
}

export interface Endpoint {
  /** Dotted quad, or an IPv6 address written as 32 hex digits. */
  ip: string;
  port: number;
}

export interface SegmentSpec {
  seq: number;
  ack?: number;
  /** Flag letters, default 'A'. */
  f?: string;
  win?: number;
  /** Payload length (bytes of 'x'), default 0. */
  len?: number;
  /** TCP option bytes in hex, padded with NOPs to a multiple of 4. */
  opts?: string;
  urg?: number;
  /** Seconds after the previous segment of the timeline (default 0.001). */
  dt?: number;
}

const isV6 = (ip: string) => !ip.includes('.');

function ipBytes(ip: string): Uint8Array {
  return isV6(ip) ? hex(ip) : new Uint8Array(ip.split('.').map(Number));
}

/** TCP header plus payload, checksum filled over the IPv4 or IPv6 pseudo-header. */
export function tcpSegment(src: Endpoint, dst: Endpoint, s: SegmentSpec): Uint8Array {
  let opts = hex(s.opts ?? '');
  if (opts.length % 4) opts = concat(opts, new Uint8Array(4 - (opts.length % 4)).fill(1));
  const hl = 20 + opts.length;
  const len = s.len ?? 0;
  const seg = new Uint8Array(hl + len);
  const v = new DataView(seg.buffer);
  v.setUint16(0, src.port);
  v.setUint16(2, dst.port);
  v.setUint32(4, s.seq >>> 0);
  v.setUint32(8, (s.ack ?? 0) >>> 0);
  v.setUint16(12, ((hl / 4) << 12) | tcpFlags(s.f ?? 'A'));
  v.setUint16(14, s.win ?? 8192);
  v.setUint16(18, s.urg ?? 0);
  seg.set(opts, 20);
  seg.fill(0x78, hl);
  const a = ipBytes(src.ip);
  const b = ipBytes(dst.ip);
  const pseudo = isV6(src.ip)
    ? concat(a, b, new Uint8Array([0, 0, (seg.length >>> 8) & 0xff, seg.length & 0xff, 0, 0, 0, 6]))
    : concat(a, b, new Uint8Array([0, 6, seg.length >>> 8, seg.length & 0xff]));
  const c = ~sum16(seg, sum16(pseudo)) & 0xffff;
  v.setUint16(16, c);
  return seg;
}

/** An Ethernet frame carrying `payload` over IPv4 or IPv6 from `src` to `dst` (protocol `proto`). */
export function ipFrame(srcIp: string, dstIp: string, proto: number, payload: Uint8Array): Uint8Array {
  const eth = hex('020000000002 020000000001');
  if (isV6(srcIp)) {
    const h = new Uint8Array(40);
    const v = new DataView(h.buffer);
    v.setUint32(0, 6 << 28);
    v.setUint16(4, payload.length);
    h[6] = proto;
    h[7] = 64;
    h.set(ipBytes(srcIp), 8);
    h.set(ipBytes(dstIp), 24);
    return concat(eth, hex('86dd'), h, payload);
  }
  const h = new Uint8Array(20);
  const v = new DataView(h.buffer);
  h[0] = 0x45;
  v.setUint16(2, 20 + payload.length);
  v.setUint16(4, 0x1234);
  v.setUint16(6, 0x4000);
  h[8] = 64;
  h[9] = proto;
  h.set(ipBytes(srcIp), 12);
  h.set(ipBytes(dstIp), 16);
  v.setUint16(10, ~sum16(h) & 0xffff);
  return concat(eth, hex('0800'), h, payload);
}

/** Frames in capture order with their times. */
export class Timeline {
  readonly frames: Frame[] = [];
  /** Current time in nanoseconds since the epoch start used below. */
  private ns = 1_700_000_000n * 1_000_000_000n;

  /** Appends a frame `dt` seconds after the previous one. */
  push(data: Uint8Array, dt = 0.001): this {
    this.ns += BigInt(Math.round(dt * 1e9));
    const tsSec = Number(this.ns / 1_000_000_000n);
    const tsNsec = Number(this.ns % 1_000_000_000n);
    this.frames.push({ number: this.frames.length + 1, linkType: 1, tsSec, tsNsec, tsDigits: 9, origLen: data.length, data, ifIndex: 0 });
    return this;
  }

  /** Moves the clock without a frame. */
  wait(seconds: number): this {
    this.ns += BigInt(Math.round(seconds * 1e9));
    return this;
  }

  /** Swaps two frames (capture order differs from time order) and renumbers. */
  swap(i: number, j: number): this {
    const a = this.frames[i - 1]!;
    const b = this.frames[j - 1]!;
    this.frames[i - 1] = { ...b, number: i };
    this.frames[j - 1] = { ...a, number: j };
    return this;
  }

  pcap(): Uint8Array {
    return encodePcap(this.frames, { linkType: 1, nano: true });
  }
}

/** A TCP conversation between `a` (usually the client) and `b` on a timeline. */
export class Talk {
  constructor(
    readonly tl: Timeline,
    readonly ea: Endpoint = { ip: '10.0.0.1', port: 40000 },
    readonly eb: Endpoint = { ip: '10.0.0.2', port: 80 },
  ) {}

  a(s: SegmentSpec): this {
    this.tl.push(ipFrame(this.ea.ip, this.eb.ip, 6, tcpSegment(this.ea, this.eb, s)), s.dt);
    return this;
  }

  b(s: SegmentSpec): this {
    this.tl.push(ipFrame(this.eb.ip, this.ea.ip, 6, tcpSegment(this.eb, this.ea, s)), s.dt);
    return this;
  }
}

/** Option bytes: MSS 1460, SACK permitted, window scale `shift`. */
export const synOpts = (shift?: number) => '020405b4 0402' + (shift === undefined ? '' : ` 010303${shift.toString(16).padStart(2, '0')}`);
