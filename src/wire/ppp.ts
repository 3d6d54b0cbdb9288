import { outBuffer, put16, u16 } from './bytes.js';
import type { Codec } from './codec.js';
import { truncated } from './findings.js';
import type { Finding, PppRepr } from './types.js';

export const PppProtocol = { IPV4: 0x0021, IPV6: 0x0057 } as const;

/**
 * PPP (LINKTYPE_PPP 9, LINKTYPE_PPP_HDLC 50): optional address/control bytes
 * ff 03, then the protocol. A protocol whose first byte is odd is a
 * compressed one-byte protocol (RFC 1661 PFC); `length` records which form
 * was used, and the encoder follows it.
 */
function decode(data: Uint8Array, offset: number, end: number, findings: Finding[]): PppRepr | undefined {
  const hdlc = end - offset >= 2 && data[offset] === 0xff && data[offset + 1] === 0x03;
  const at = offset + (hdlc ? 2 : 0);
  if (end - at < 1 || ((data[at]! & 1) === 0 && end - at < 2)) {
    truncated(findings, 'ppp', 'PPP header', at - offset + 2, Math.max(0, end - offset), offset);
    return undefined;
  }
  const compressed = (data[at]! & 1) === 1;
  const protocol = compressed ? data[at]! : u16(data, at);
  return { layer: 'ppp', offset, length: at - offset + (compressed ? 1 : 2), hdlc, protocol };
}

/** The one-byte protocol form is chosen by a Repr whose length says so. */
function isCompressed(r: PppRepr): boolean {
  return r.length === (r.hdlc ? 3 : 1);
}

function encodingLength(r: PppRepr): number {
  return (r.hdlc ? 2 : 0) + (isCompressed(r) ? 1 : 2);
}

function encode(r: PppRepr, buf?: Uint8Array, offset = 0): Uint8Array {
  const out = outBuffer(encodingLength(r), buf, offset);
  let at = offset;
  if (r.hdlc) {
    out[at++] = 0xff;
    out[at++] = 0x03;
  }
  if (isCompressed(r)) out[at] = r.protocol;
  else put16(out, at, r.protocol);
  return out;
}

export const pppCodec: Codec<PppRepr> = { decode, encodingLength, encode };
