import { outBuffer, put16, put32, u16, u32 } from './bytes.js';
import type { Codec } from './codec.js';
import { report, truncated } from './findings.js';
import type { Finding, Ipv6ExtRepr, Ipv6Repr } from './types.js';

export const IPV6_HEADER_LENGTH = 40;

export const Ipv6Ext = {
  HOP_BY_HOP: 0,
  ROUTING: 43,
  FRAGMENT: 44,
  AH: 51,
  DESTINATION: 60,
  MOBILITY: 135,
  HIP: 139,
  SHIM6: 140,
} as const;

/** No Next Header: nothing follows (RFC 8200). */
export const IPV6_NO_NEXT_HEADER = 59;

/** Extension headers walked over to find the upper-layer protocol (ESP is not: it hides what follows). */
export function isIpv6Extension(nh: number): boolean {
  return nh === 0 || nh === 43 || nh === 44 || nh === 60 || nh === 51 || nh === 135 || nh === 139 || nh === 140;
}

/** Length in bytes of the extension header at `at`, from its length byte. */
function extensionLength(type: number, lenByte: number): number {
  if (type === Ipv6Ext.FRAGMENT) return 8;
  if (type === Ipv6Ext.AH) return (lenByte + 2) * 4;
  return (lenByte + 1) * 8;
}

/**
 * A decoded IPv6 header. The two addresses are views made on first use;
 * assigning one replaces it. A spread copy does not carry them (they live on
 * the prototype).
 */
class Ipv6View {
  declare layer: 'ipv6';
  declare offset: number;
  declare length: number;
  declare version: 6;
  declare trafficClass: number;
  declare flowLabel: number;
  declare payloadLength: number;
  declare nextHeader: number;
  declare hopLimit: number;
  declare extensions: Ipv6ExtRepr[];
  declare protocol: number;
  declare isFragment: boolean;
  #data: Uint8Array;
  #srcBytes: Uint8Array | undefined;
  #dstBytes: Uint8Array | undefined;

  constructor(data: Uint8Array, offset: number, w0: number) {
    this.layer = 'ipv6';
    this.offset = offset;
    this.length = IPV6_HEADER_LENGTH;
    this.version = 6;
    this.trafficClass = (w0 >>> 20) & 0xff;
    this.flowLabel = w0 & 0xfffff;
    this.payloadLength = u16(data, offset + 4);
    this.nextHeader = data[offset + 6]!;
    this.hopLimit = data[offset + 7]!;
    this.extensions = [];
    this.protocol = this.nextHeader;
    this.isFragment = false;
    this.#data = data;
    this.#srcBytes = undefined;
    this.#dstBytes = undefined;
  }

  get src(): Uint8Array {
    return this.#srcBytes ?? this.#data.subarray(this.offset + 8, this.offset + 24);
  }

  set src(a: Uint8Array) {
    this.#srcBytes = a;
  }

  get dst(): Uint8Array {
    return this.#dstBytes ?? this.#data.subarray(this.offset + 24, this.offset + 40);
  }

  set dst(a: Uint8Array) {
    this.#dstBytes = a;
  }
}

function decode(data: Uint8Array, offset: number, end: number, findings: Finding[]): Ipv6Repr | undefined {
  if (end - offset < IPV6_HEADER_LENGTH) {
    truncated(findings, 'ipv6', 'IPv6 header', IPV6_HEADER_LENGTH, Math.max(0, end - offset), offset);
    return undefined;
  }
  const w0 = u32(data, offset);
  if (w0 >>> 28 !== 6) {
    report(findings, 'error', 'malformed', 'ipv6', `Bogus IP version (${w0 >>> 28})`, offset);
    return undefined;
  }
  const r = new Ipv6View(data, offset, w0);
  const payloadLength = r.payloadLength;
  let at = offset + IPV6_HEADER_LENGTH;
  // The extension chain cannot run past the payload the header announces.
  const limit = payloadLength === 0 ? end : Math.min(end, at + payloadLength);
  while (isIpv6Extension(r.protocol)) {
    const type = r.protocol;
    if (limit - at < 2) {
      truncated(findings, 'ipv6', `IPv6 extension header ${type}`, 2, Math.max(0, limit - at), at);
      break;
    }
    const len = extensionLength(type, data[at + 1]!);
    if (limit - at < len) {
      truncated(findings, 'ipv6', `IPv6 extension header ${type}`, len, limit - at, at);
      break;
    }
    const ext: Ipv6ExtRepr = { type, offset: at, length: len, nextHeader: data[at]!, data: data.subarray(at + 2, at + len) };
    if (type === Ipv6Ext.FRAGMENT) {
      const fo = u16(data, at + 2);
      ext.fragOffset = fo >> 3;
      ext.moreFragments = (fo & 1) !== 0;
      ext.fragId = u32(data, at + 4);
      if (ext.fragOffset !== 0 || ext.moreFragments) {
        r.isFragment = true;
        report(findings, 'note', 'ip.fragment', 'ipv6',
          `Fragmented IPv6 protocol (proto=${ext.nextHeader}, off=${ext.fragOffset * 8}, ID=${ext.fragId.toString(16).padStart(8, '0')})`, at);
      }
    } else if (type === Ipv6Ext.ROUTING) {
      ext.routingType = data[at + 2]!;
      ext.segmentsLeft = data[at + 3]!;
    }
    r.extensions.push(ext);
    r.protocol = ext.nextHeader;
    at += len;
    // A later fragment's payload starts mid-datagram: nothing after it can be read as a header.
    if (r.isFragment && ext.fragOffset !== 0 && r.protocol !== IPV6_NO_NEXT_HEADER) break;
  }
  r.length = at - offset;
  return r;
}

function encodingLength(r: Ipv6Repr): number {
  let n = IPV6_HEADER_LENGTH;
  for (const e of r.extensions) n += 2 + e.data.length;
  return n;
}

function encodeExtension(e: Ipv6ExtRepr, out: Uint8Array, at: number): number {
  const len = 2 + e.data.length;
  out[at] = e.nextHeader;
  out[at + 1] = e.type === Ipv6Ext.FRAGMENT ? 0 : e.type === Ipv6Ext.AH ? len / 4 - 2 : len / 8 - 1;
  out.set(e.data, at + 2);
  // Typed fields win over `data`, so a caller can change them without touching the bytes.
  if (e.type === Ipv6Ext.FRAGMENT && len >= 8) {
    if (e.fragOffset !== undefined || e.moreFragments !== undefined) {
      const fo = u16(out, at + 2);
      const off = e.fragOffset ?? fo >> 3;
      const m = e.moreFragments ?? (fo & 1) !== 0;
      put16(out, at + 2, (off << 3) | (fo & 6) | (m ? 1 : 0));
    }
    if (e.fragId !== undefined) put32(out, at + 4, e.fragId);
  } else if (e.type === Ipv6Ext.ROUTING && len >= 4) {
    if (e.routingType !== undefined) out[at + 2] = e.routingType;
    if (e.segmentsLeft !== undefined) out[at + 3] = e.segmentsLeft;
  }
  return len;
}

function encode(r: Ipv6Repr, buf?: Uint8Array, offset = 0): Uint8Array {
  const out = outBuffer(encodingLength(r), buf, offset);
  put32(out, offset, ((6 << 28) | ((r.trafficClass & 0xff) << 20) | (r.flowLabel & 0xfffff)) >>> 0);
  put16(out, offset + 4, r.payloadLength);
  out[offset + 6] = r.nextHeader;
  out[offset + 7] = r.hopLimit;
  out.set(r.src.subarray(0, 16), offset + 8);
  out.set(r.dst.subarray(0, 16), offset + 24);
  let at = offset + IPV6_HEADER_LENGTH;
  for (const e of r.extensions) at += encodeExtension(e, out, at);
  return out;
}

/** IPv6 fixed header plus the extension headers in front of the upper layer. */
export const ipv6Codec: Codec<Ipv6Repr> = { decode, encodingLength, encode };

/** RFC 5952 text of a 16-byte address (lower case, longest zero run of two or more groups as `::`). */
export function ipv6ToString(a: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((a[i]! << 8) | a[i + 1]!);
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(':');
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${a[12]}.${a[13]}.${a[14]}.${a[15]}`;
  }
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  return best < 0 ? hex(g) : `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}
