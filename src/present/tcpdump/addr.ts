/**
 * Address and number spellings as tcpdump prints them with `-n`: dotted quads,
 * RFC 5952-like IPv6 (first longest zero run compressed, embedded IPv4 for
 * `::a.b.c.d` and `::ffff:a.b.c.d`), colon-separated lowercase MACs, and the
 * `%x` / `%02x` / `%04x` hex forms.
 */

const HEX2: string[] = [];
for (let i = 0; i < 256; i++) HEX2.push((i < 16 ? '0' : '') + i.toString(16));

/** `%02x` of a byte. */
export function hex2(b: number): string {
  return HEX2[b & 0xff]!;
}

/** `%04x` of a 16-bit value. */
export function hex4(v: number): string {
  return HEX2[(v >>> 8) & 0xff]! + HEX2[v & 0xff]!;
}

/** `%x` of an unsigned 32-bit value. */
export function hex(v: number): string {
  return (v >>> 0).toString(16);
}

/** `%08x` of an unsigned 32-bit value. */
export function hex8(v: number): string {
  return hex4(v >>> 16) + hex4(v & 0xffff);
}

/** Lowercase hex of every byte, no separator. */
export function hexBytes(b: Uint8Array, start = 0, end = b.length): string {
  let s = '';
  for (let i = start; i < end; i++) s += HEX2[b[i]!]!;
  return s;
}

/** An IPv4 address held as an unsigned 32-bit number (tcpdump's dotted quad is the wire module's). */
export { ipv4ToString as ipv4String } from '../../wire/ipv4.js';

/** An IPv4 address stored as 4 bytes at `off`. */
export function ipv4BytesString(b: Uint8Array, off: number): string {
  return b[off]! + '.' + b[off + 1]! + '.' + b[off + 2]! + '.' + b[off + 3]!;
}

/** A 16-byte IPv6 address at `off`: inet_ntop's form, which tshark's fields share. */
export { ipv6Text as ipv6String } from '../../fields/format.js';

/** A 6-byte MAC address at `off`, `aa:bb:cc:dd:ee:ff`. */
export function macString(b: Uint8Array, off = 0): string {
  return HEX2[b[off]!]! + ':' + HEX2[b[off + 1]!]! + ':' + HEX2[b[off + 2]!]! + ':'
    + HEX2[b[off + 3]!]! + ':' + HEX2[b[off + 4]!]! + ':' + HEX2[b[off + 5]!]!;
}

/** Any-length link address as tcpdump's generic form: bytes joined by ':' (`%02x`). */
export function linkAddrString(b: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += (i ? ':' : '') + HEX2[b[off + i]!]!;
  return s;
}
