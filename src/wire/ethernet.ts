import { outBuffer, put16, u16 } from './bytes.js';
import type { Codec } from './codec.js';
import { truncated } from './findings.js';
import type { EthernetRepr, Finding, VlanTag } from './types.js';

export const ETHERNET_HEADER_LENGTH = 14;

export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  IPV6: 0x86dd,
  QINQ: 0x88a8,
  /** Pre-standard QinQ outer tag still seen on older switches. */
  QINQ_OLD: 0x9100,
} as const;

export function isVlanTpid(t: number): boolean {
  return t === EtherType.VLAN || t === EtherType.QINQ || t === EtherType.QINQ_OLD;
}

/**
 * A decoded Ethernet header. The MAC addresses are views made on first use
 * (a view per address cost more than the rest of the header); assigning one
 * replaces it. A spread copy does not carry them (they live on the prototype).
 */
class EthernetView {
  declare layer: 'eth';
  declare offset: number;
  declare length: number;
  declare vlans: VlanTag[];
  declare etherType: number;
  #src: Uint8Array;
  #dstBytes: Uint8Array | undefined;
  #srcBytes: Uint8Array | undefined;

  constructor(data: Uint8Array, offset: number, length: number, vlans: VlanTag[], etherType: number) {
    this.layer = 'eth';
    this.#src = data;
    this.set(data, offset, length, vlans, etherType);
  }

  /** Makes this object the header of another frame (a decoder reusing its objects). */
  set(data: Uint8Array, offset: number, length: number, vlans: VlanTag[], etherType: number): this {
    this.offset = offset;
    this.length = length;
    this.vlans = vlans;
    this.etherType = etherType;
    this.#src = data;
    this.#dstBytes = undefined;
    this.#srcBytes = undefined;
    return this;
  }

  get dst(): Uint8Array {
    return this.#dstBytes ?? this.#src.subarray(this.offset, this.offset + 6);
  }

  set dst(mac: Uint8Array) {
    this.#dstBytes = mac;
  }

  get src(): Uint8Array {
    return this.#srcBytes ?? this.#src.subarray(this.offset + 6, this.offset + 12);
  }

  set src(mac: Uint8Array) {
    this.#srcBytes = mac;
  }
}

function decode(data: Uint8Array, offset: number, end: number, findings: Finding[]): EthernetRepr | undefined {
  return decodeEthernet(data, offset, end, findings, undefined);
}

/**
 * The decoder, refilling `into` (a header it returned before, which the
 * caller no longer needs) instead of allocating when given one.
 */
export function decodeEthernet(data: Uint8Array, offset: number, end: number, findings: Finding[], into: EthernetRepr | undefined): EthernetRepr | undefined {
  if (end - offset < ETHERNET_HEADER_LENGTH) {
    truncated(findings, 'eth', 'Ethernet header', ETHERNET_HEADER_LENGTH, Math.max(0, end - offset), offset);
    return undefined;
  }
  let at = offset + 12;
  let etherType = u16(data, at);
  const reuse = into instanceof EthernetView ? into : undefined;
  const vlans: VlanTag[] = reuse !== undefined ? reuse.vlans : [];
  // Emptying an array is a runtime call even when it is empty already.
  if (vlans.length !== 0) vlans.length = 0;
  while (isVlanTpid(etherType)) {
    if (end - at < 6) {
      // The tag is cut short: report the TPID as the EtherType so decoding stops here.
      truncated(findings, 'eth', '802.1Q tag', 4, Math.max(0, end - at - 2), at);
      break;
    }
    const tci = u16(data, at + 2);
    vlans.push({ tpid: etherType, pcp: tci >> 13, dei: (tci & 0x1000) !== 0, vid: tci & 0x0fff, offset: at });
    at += 4;
    etherType = u16(data, at);
  }
  return reuse !== undefined
    ? reuse.set(data, offset, at + 2 - offset, vlans, etherType)
    : new EthernetView(data, offset, at + 2 - offset, vlans, etherType);
}

function encodingLength(r: EthernetRepr): number {
  return ETHERNET_HEADER_LENGTH + 4 * r.vlans.length;
}

function encode(r: EthernetRepr, buf?: Uint8Array, offset = 0): Uint8Array {
  const out = outBuffer(encodingLength(r), buf, offset);
  out.set(r.dst.subarray(0, 6), offset);
  out.set(r.src.subarray(0, 6), offset + 6);
  let at = offset + 12;
  for (const v of r.vlans) {
    put16(out, at, v.tpid);
    put16(out, at + 2, (v.pcp << 13) | (v.dei ? 0x1000 : 0) | (v.vid & 0x0fff));
    at += 4;
  }
  put16(out, at, r.etherType);
  return out;
}

/** Ethernet II header with any number of 802.1Q / 802.1ad tags. */
export const ethernetCodec: Codec<EthernetRepr> = { decode, encodingLength, encode };
