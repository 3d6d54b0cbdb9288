/**
 * Addresses as crafting callers write them: text ('10.0.0.1', 'fd00::1'),
 * bytes (4 or 16), or an IPv4 address as the unsigned 32-bit number the
 * IPv4 Repr holds.
 */
import { formatIp, parseIp } from '../sys/ip-address.js';
import { craftError } from './errors.js';

export type Address = string | Uint8Array | number;

/** The IP version of an address. */
export function addressFamily(a: Address): 4 | 6 {
  if (typeof a === 'number') return 4;
  if (typeof a === 'string') {
    const ip = parseIp(a);
    if (!ip) throw craftError(`not an IP address: '${a}'`);
    return ip.family;
  }
  if (a.length === 4) return 4;
  if (a.length === 16) return 6;
  throw craftError(`an address has 4 or 16 bytes, not ${a.length}`);
}

/** Bytes of an address (4 or 16). */
export function addressBytes(a: Address): Uint8Array {
  if (typeof a === 'number') return Uint8Array.of(a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff);
  if (typeof a === 'string') {
    const ip = parseIp(a);
    if (!ip) throw craftError(`not an IP address: '${a}'`);
    return ip.bytes;
  }
  addressFamily(a);
  return a;
}

/** An IPv4 address as an unsigned 32-bit number. */
export function ipv4Number(a: Address): number {
  if (typeof a === 'number') return a >>> 0;
  const b = addressBytes(a);
  if (b.length !== 4) throw craftError(`an IPv4 header needs an IPv4 address, not ${addressText(a)}`);
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

/** An IPv6 address as 16 bytes. */
export function ipv6Bytes(a: Address): Uint8Array {
  const b = addressBytes(a);
  if (b.length !== 16) throw craftError(`an IPv6 header needs an IPv6 address, not ${addressText(a)}`);
  return b;
}

/** Text of an address (RFC 5952 for IPv6). */
export function addressText(a: Address): string {
  if (typeof a === 'string') return a;
  const b = typeof a === 'number' ? addressBytes(a) : a;
  if (b.length !== 4 && b.length !== 16) return `<${b.length}-byte address>`;
  return formatIp(b, b.length === 4 ? 4 : 6);
}

/** Whether two addresses are the same, whatever way each is written. */
export function sameAddress(a: Address, b: Address): boolean {
  const x = addressBytes(a);
  const y = addressBytes(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** A MAC address from 'aa:bb:cc:dd:ee:ff' (or '-' separated, or 12 hex digits) or 6 bytes. */
export function macBytes(m: string | Uint8Array): Uint8Array {
  if (typeof m !== 'string') {
    if (m.length !== 6) throw craftError(`a MAC address has 6 bytes, not ${m.length}`);
    return m;
  }
  const hex = m.replace(/[:-]/g, '');
  if (!/^[0-9a-fA-F]{12}$/.test(hex)) throw craftError(`not a MAC address: '${m}'`);
  const out = new Uint8Array(6);
  for (let i = 0; i < 6; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
