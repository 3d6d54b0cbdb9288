/**
 * IP address text <-> bytes, for building socket addresses. IPv6 text is
 * written the RFC 5952 way (lowercase, longest zero run as "::"), as Node
 * and the ip command print it.
 */
import { parseIpv4 as ipv4Number, parseIpv6 } from '../util/ip-text.js';
import { ipv6ToString } from '../wire/ipv6.js';

export type IpFamily = 4 | 6;

export interface IpAddress {
  family: IpFamily;
  bytes: Uint8Array;
  /** IPv6 zone after '%' (interface name or number), if any. */
  zone?: string;
}

export function parseIpv4(text: string): Uint8Array | undefined {
  const v = ipv4Number(text);
  return v === undefined ? undefined : Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

export { parseIpv6 };

/** Parses "10.0.0.1", "fd00::1" or "fe80::1%eth0"; undefined for anything else (host names included). */
export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4) return { family: 4, bytes: v4 };
  const pct = text.indexOf('%');
  const v6 = parseIpv6(pct < 0 ? text : text.slice(0, pct));
  if (!v6) return undefined;
  return pct < 0 || pct === text.length - 1 ? { family: 6, bytes: v6 } : { family: 6, bytes: v6, zone: text.slice(pct + 1) };
}

/** Text of a 4- or 16-byte address starting at `off`. */
export function formatIp(b: Uint8Array, family: IpFamily, off = 0): string {
  if (family === 4) return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
  return ipv6ToString(b.subarray(off, off + 16));
}
