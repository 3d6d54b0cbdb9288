import { outBuffer, put16, put32, u16, u32 } from './bytes.js';
import type { Codec } from './codec.js';
import { truncated } from './findings.js';
import type { Finding, SllRepr } from './types.js';

/** SLL v1 (LINKTYPE_LINUX_SLL, 113): type, ARPHRD, address length, 8 address bytes, protocol. */
export const SLL_HEADER_LENGTH = 16;
/** SLL2 (LINKTYPE_LINUX_SLL2, 276): protocol, reserved, ifindex, ARPHRD, type, address length, 8 address bytes. */
export const SLL2_HEADER_LENGTH = 20;

/**
 * A decoded SLL / SLL2 header. The address bytes are views made on first
 * use; assigning one replaces it. A spread copy does not carry them (they
 * live on the prototype).
 */
class SllView {
  declare layer: 'sll';
  declare offset: number;
  declare length: number;
  declare version: 1 | 2;
  declare packetType: number;
  declare hatype: number;
  declare addrLen: number;
  declare protocol: number;
  declare ifIndex?: number;
  #data!: Uint8Array;
  #addrAt!: number;
  #addr: Uint8Array | undefined;
  #addrField: Uint8Array | undefined;

  constructor(data: Uint8Array, offset: number, version: 1 | 2, packetType: number, hatype: number, addrLen: number, addrAt: number, protocol: number) {
    this.layer = 'sll';
    this.set(data, offset, version, packetType, hatype, addrLen, addrAt, protocol);
  }

  /** Refills the header for another frame of the same version (a v2 header's ifIndex is the caller's to set), forgetting assigned addresses. */
  set(data: Uint8Array, offset: number, version: 1 | 2, packetType: number, hatype: number, addrLen: number, addrAt: number, protocol: number): this {
    this.offset = offset;
    this.length = version === 2 ? SLL2_HEADER_LENGTH : SLL_HEADER_LENGTH;
    this.version = version;
    this.packetType = packetType;
    this.hatype = hatype;
    this.addrLen = addrLen;
    this.protocol = protocol;
    this.#data = data;
    this.#addrAt = addrAt;
    this.#addr = undefined;
    this.#addrField = undefined;
    return this;
  }

  get addr(): Uint8Array {
    return this.#addr ?? this.#data.subarray(this.#addrAt, this.#addrAt + Math.min(this.addrLen, 8));
  }

  set addr(a: Uint8Array) {
    this.#addr = a;
  }

  get addrField(): Uint8Array {
    return this.#addrField ?? this.#data.subarray(this.#addrAt, this.#addrAt + 8);
  }

  set addrField(a: Uint8Array) {
    this.#addrField = a;
  }
}

function decodeV1(data: Uint8Array, offset: number, end: number, findings: Finding[]): SllRepr | undefined {
  return decodeSll(data, offset, end, findings, 1, undefined);
}

function decodeV2(data: Uint8Array, offset: number, end: number, findings: Finding[]): SllRepr | undefined {
  return decodeSll(data, offset, end, findings, 2, undefined);
}

/**
 * The decoder of either version, refilling `into` (a header it returned
 * before, which the caller no longer needs) instead of allocating when given one.
 */
export function decodeSll(data: Uint8Array, offset: number, end: number, findings: Finding[], version: 1 | 2, into: SllRepr | undefined): SllRepr | undefined {
  const length = version === 2 ? SLL2_HEADER_LENGTH : SLL_HEADER_LENGTH;
  if (end - offset < length) {
    truncated(findings, 'sll', version === 2 ? 'Linux cooked v2 header' : 'Linux cooked header', length, Math.max(0, end - offset), offset);
    return undefined;
  }
  // Only a header of the same version is refilled: a v1 header has no ifIndex at all.
  const reuse = into instanceof SllView && into.version === version ? into : undefined;
  if (version === 1) {
    const packetType = u16(data, offset);
    const hatype = u16(data, offset + 2);
    const addrLen = u16(data, offset + 4);
    const protocol = u16(data, offset + 14);
    return reuse !== undefined
      ? reuse.set(data, offset, 1, packetType, hatype, addrLen, offset + 6, protocol)
      : new SllView(data, offset, 1, packetType, hatype, addrLen, offset + 6, protocol);
  }
  const packetType = data[offset + 10]!;
  const hatype = u16(data, offset + 8);
  const addrLen = data[offset + 11]!;
  const protocol = u16(data, offset);
  const r = reuse !== undefined
    ? reuse.set(data, offset, 2, packetType, hatype, addrLen, offset + 12, protocol)
    : new SllView(data, offset, 2, packetType, hatype, addrLen, offset + 12, protocol);
  r.ifIndex = u32(data, offset + 4);
  return r;
}

function putAddress(out: Uint8Array, at: number, r: SllRepr): void {
  if (r.addrField !== undefined && r.addrField.length >= 8) out.set(r.addrField.subarray(0, 8), at);
  else out.fill(0, at, at + 8);
  out.set(r.addr.subarray(0, 8), at);
}

function encodingLength(r: SllRepr): number {
  return r.version === 2 ? SLL2_HEADER_LENGTH : SLL_HEADER_LENGTH;
}

function encode(r: SllRepr, buf?: Uint8Array, offset = 0): Uint8Array {
  const out = outBuffer(encodingLength(r), buf, offset);
  if (r.version === 2) {
    put16(out, offset, r.protocol);
    put16(out, offset + 2, 0);
    put32(out, offset + 4, r.ifIndex ?? 0);
    put16(out, offset + 8, r.hatype);
    out[offset + 10] = r.packetType;
    out[offset + 11] = r.addrLen;
    putAddress(out, offset + 12, r);
  } else {
    put16(out, offset, r.packetType);
    put16(out, offset + 2, r.hatype);
    put16(out, offset + 4, r.addrLen);
    putAddress(out, offset + 6, r);
    put16(out, offset + 14, r.protocol);
  }
  return out;
}

/** Linux cooked capture v1; decodes v1, encodes the version the Repr says. */
export const sllCodec: Codec<SllRepr> = { decode: decodeV1, encodingLength, encode };
/** Linux cooked capture v2; decodes v2, encodes the version the Repr says. */
export const sll2Codec: Codec<SllRepr> = { decode: decodeV2, encodingLength, encode };
