import { outBuffer, put16, put32, u16, u32 } from './bytes.js';
import { foldChecksum, onesComplementSum } from './checksum.js';
import type { Codec } from './codec.js';
import { report, truncated } from './findings.js';
import { ipProtocolName } from './names.js';
import type { Finding, Ipv4OptionRepr, Ipv4Repr } from './types.js';

export const IPV4_HEADER_LENGTH = 20;

/** IPv4 flags as they sit in the 3-bit field. */
export const Ipv4Flag = { RESERVED: 4, DF: 2, MF: 1 } as const;

/**
 * Splits the options area into whole options, kept raw. EOL takes the rest of
 * the area (its padding) and an option with an impossible length takes the
 * rest too, so the options always cover the area and re-encode identically.
 */
function decodeOptions(data: Uint8Array, start: number, end: number, findings: Finding[]): Ipv4OptionRepr[] {
  const options: Ipv4OptionRepr[] = [];
  let at = start;
  while (at < end) {
    const type = data[at]!;
    let len = 1;
    if (type === 0) len = end - at;
    else if (type !== 1) {
      len = at + 1 < end ? data[at + 1]! : 0;
      if (len < 2 || at + len > end) {
        report(findings, 'error', 'ip.option.bad_length', 'ip', `IPv4 option ${type} has a bad length (${len})`, at);
        len = end - at;
      }
    }
    options.push({ type, offset: at, raw: data.subarray(at, at + len) });
    at += len;
  }
  return options;
}

function decode(data: Uint8Array, offset: number, end: number, findings: Finding[]): Ipv4Repr | undefined {
  return decodeIpv4(data, offset, end, findings, undefined);
}

/**
 * The decoder, refilling `into` (a header it returned before, which the
 * caller no longer needs) instead of allocating when given one.
 */
export function decodeIpv4(
  data: Uint8Array, offset: number, end: number, findings: Finding[], into: Ipv4Repr | undefined, verifyChecksum = true,
): Ipv4Repr | undefined {
  if (end - offset < IPV4_HEADER_LENGTH) {
    truncated(findings, 'ip', 'IPv4 header', IPV4_HEADER_LENGTH, Math.max(0, end - offset), offset);
    return undefined;
  }
  const b0 = data[offset]!;
  if (b0 >> 4 !== 4) {
    report(findings, 'error', 'malformed', 'ip', `Bogus IP version (${b0 >> 4})`, offset);
    return undefined;
  }
  const ihl = b0 & 0x0f;
  const hl = ihl * 4;
  if (hl < IPV4_HEADER_LENGTH) {
    report(findings, 'error', 'malformed', 'ip', `Bogus IP header length (${hl}, must be at least ${IPV4_HEADER_LENGTH})`, offset);
    return undefined;
  }
  const captured = Math.min(hl, end - offset);
  if (captured < hl) truncated(findings, 'ip', 'IPv4 header', hl, captured, offset);
  const totalLength = u16(data, offset + 2);
  // Zero is what a TSO sender's capture shows; tshark then takes the captured length.
  if (totalLength !== 0 && totalLength < hl) {
    report(findings, 'error', 'malformed', 'ip', `Bogus IP length (${totalLength}, less than header length ${hl})`, offset + 2);
  }
  const ff = u16(data, offset + 6);
  const flags = ff >> 13;
  const fragOffset = ff & 0x1fff;
  const protocol = data[offset + 9]!;
  const isFragment = (flags & Ipv4Flag.MF) !== 0 || fragOffset !== 0;
  const checksum = u16(data, offset + 10);
  let checksumOk: boolean | undefined;
  if (captured === hl && verifyChecksum) {
    // The unfolded sum holds the checksum field as a plain addend, so taking it out is exact.
    const sum = hl === IPV4_HEADER_LENGTH ? optionlessHeaderSum(data, offset) : onesComplementSum(data, offset, offset + hl);
    checksumOk = foldChecksum(sum) === 0;
    if (!checksumOk) {
      const should = foldChecksum(sum - checksum);
      report(findings, 'error', 'ip.checksum.bad', 'ip', `Bad checksum [should be 0x${hex4(should)}]`, offset + 10);
    }
  }
  const id = u16(data, offset + 4);
  if (isFragment) {
    const name = ipProtocolName(protocol);
    report(findings, 'note', 'ip.fragment', 'ip', `Fragmented IP protocol (proto=${name === undefined ? '' : `${name} `}${protocol}, off=${fragOffset * 8}, ID=${hex4(id)})`, offset + 6);
  }
  const r = into ?? blankIpv4();
  r.offset = offset;
  r.length = captured;
  r.ihl = ihl;
  r.dscp = data[offset + 1]! >> 2;
  r.ecn = data[offset + 1]! & 3;
  r.totalLength = totalLength;
  r.id = id;
  r.flags = flags;
  r.fragOffset = fragOffset;
  r.ttl = data[offset + 8]!;
  r.protocol = protocol;
  r.checksum = checksum;
  r.checksumOk = checksumOk;
  r.src = u32(data, offset + 12);
  r.dst = u32(data, offset + 16);
  if (hl > IPV4_HEADER_LENGTH) r.options = decodeOptions(data, offset + IPV4_HEADER_LENGTH, offset + captured, findings);
  else if (into !== undefined && r.options.length !== 0) r.options.length = 0;
  r.isFragment = isFragment;
  return r;
}

/**
 * onesComplementSum of a 20-byte header, its ten words added in one
 * expression: the header of nearly every packet, where the general loop
 * cost more than the rest of the IPv4 decoding.
 */
function optionlessHeaderSum(d: Uint8Array, at: number): number {
  const even = d[at]! + d[at + 2]! + d[at + 4]! + d[at + 6]! + d[at + 8]! + d[at + 10]! + d[at + 12]! + d[at + 14]! + d[at + 16]! + d[at + 18]!;
  const odd = d[at + 1]! + d[at + 3]! + d[at + 5]! + d[at + 7]! + d[at + 9]! + d[at + 11]! + d[at + 13]! + d[at + 15]! + d[at + 17]! + d[at + 19]!;
  return even * 256 + odd;
}

/** A header with every member in place, so that all headers share one shape. */
function blankIpv4(): Ipv4Repr {
  return {
    layer: 'ip', offset: 0, length: 0, version: 4, ihl: 0, dscp: 0, ecn: 0, totalLength: 0, id: 0, flags: 0, fragOffset: 0,
    ttl: 0, protocol: 0, checksum: 0, checksumOk: undefined, src: 0, dst: 0, options: [], isFragment: false,
  };
}

function hex4(v: number): string {
  return v.toString(16).padStart(4, '0');
}

function encodingLength(r: Ipv4Repr): number {
  let n = IPV4_HEADER_LENGTH;
  for (const o of r.options) n += o.raw.length;
  return n;
}

function encode(r: Ipv4Repr, buf?: Uint8Array, offset = 0): Uint8Array {
  const out = outBuffer(encodingLength(r), buf, offset);
  out[offset] = 0x40 | (r.ihl & 0x0f);
  out[offset + 1] = (r.dscp << 2) | (r.ecn & 3);
  put16(out, offset + 2, r.totalLength);
  put16(out, offset + 4, r.id);
  put16(out, offset + 6, (r.flags << 13) | (r.fragOffset & 0x1fff));
  out[offset + 8] = r.ttl;
  out[offset + 9] = r.protocol;
  put16(out, offset + 10, r.checksum);
  put32(out, offset + 12, r.src);
  put32(out, offset + 16, r.dst);
  let at = offset + IPV4_HEADER_LENGTH;
  for (const o of r.options) {
    out.set(o.raw, at);
    at += o.raw.length;
  }
  return out;
}

/** IPv4 header with its options; the checksum is written as the Repr says (see `fillIpv4Checksum`). */
export const ipv4Codec: Codec<Ipv4Repr> = { decode, encodingLength, encode };

/** Dotted-quad text of an address held as an unsigned 32-bit number. */
export function ipv4ToString(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}
