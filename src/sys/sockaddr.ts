import { endianness } from 'node:os';
import { AF_INET, AF_INET6 } from './constants.js';
import { formatIp, parseIp } from './ip-address.js';
import type { IpFamily } from './ip-address.js';

/** An IPv4 or IPv6 socket address, as sockaddr_in / sockaddr_in6 carry it. */
export interface SockAddr {
  family: IpFamily;
  address: string;
  port: number;
  /** IPv6 only. */
  flowInfo?: number;
  /** IPv6 only: interface index for link-local addresses. */
  scopeId?: number;
}

/** Room for any sockaddr (sizeof(struct sockaddr_storage)). */
export const SOCKADDR_STORAGE_SIZE = 128;
const SOCKADDR_IN_SIZE = 16;
const SOCKADDR_IN6_SIZE = 28;
// sa_family is in host byte order; the port, addresses and flow info in network order.
const LITTLE = endianness() === 'LE';

/** Bytes of a sockaddr_in or sockaddr_in6; `address` must be an IP literal of `family`. */
export function encodeSockaddr(a: SockAddr): Uint8Array {
  const ip = parseIp(a.address);
  if (!ip || ip.family !== a.family) throw new TypeError(`not an IPv${a.family} address: '${a.address}'`);
  const out = new Uint8Array(a.family === 4 ? SOCKADDR_IN_SIZE : SOCKADDR_IN6_SIZE);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, a.family === 4 ? AF_INET : AF_INET6, LITTLE);
  dv.setUint16(2, a.port);
  if (a.family === 4) {
    out.set(ip.bytes, 4);
  } else {
    dv.setUint32(4, a.flowInfo ?? 0);
    out.set(ip.bytes, 8);
    dv.setUint32(24, a.scopeId ?? 0, LITTLE);
  }
  return out;
}

/** The sockaddr at `off`, or undefined when its family is neither AF_INET nor AF_INET6 (e.g. an empty slot). */
export function decodeSockaddr(b: Uint8Array, off = 0): SockAddr | undefined {
  if (b.length - off < SOCKADDR_IN_SIZE) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset + off);
  const family = dv.getUint16(0, LITTLE);
  const port = dv.getUint16(2);
  if (family === AF_INET) return { family: 4, address: formatIp(b, 4, off + 4), port };
  if (family !== AF_INET6 || b.length - off < SOCKADDR_IN6_SIZE) return undefined;
  const a: SockAddr = { family: 6, address: formatIp(b, 6, off + 8), port };
  const flowInfo = dv.getUint32(4);
  const scopeId = dv.getUint32(24, LITTLE);
  if (flowInfo !== 0) a.flowInfo = flowInfo;
  if (scopeId !== 0) a.scopeId = scopeId;
  return a;
}

/** "10.0.0.1:80" or "[fd00::1]:80". */
export function formatSockaddr(a: SockAddr): string {
  return a.family === 6 ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}
