/**
 * MPTCP sockets as ordinary Node sockets. Node's `net` cannot create an
 * IPPROTO_MPTCP socket, but it adopts one: the addon opens and binds the fd,
 * `server.listen({ fd })` and `new net.Socket({ fd }).connect()` do the rest
 * (joins, ADD_ADDR and the rest of MPTCP stay in the kernel).
 *
 * Telling MPTCP from a fallback (Linux 5.16+ semantics, checked on 6.18):
 * on an MPTCP socket (SO_PROTOCOL 262), getsockopt(SOL_MPTCP, MPTCP_INFO)
 * succeeds while the connection speaks MPTCP and fails with EOPNOTSUPP once
 * it runs as plain TCP, whether the peer never answered MP_CAPABLE or the
 * connection fell back later (the mptcpi_flags fallback bit is only visible
 * through sock_diag, e.g. `ss -M`). An MPTCP listener hands out a plain TCP
 * socket (SO_PROTOCOL 6) for a client that did not offer MP_CAPABLE.
 * Kernels before 5.16 answer ENOPROTOOPT: there the answer is unknown.
 */
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import {
  AF_INET, AF_INET6, IPPROTO_IPV6, IPPROTO_MPTCP, IPPROTO_TCP, IPV6_V6ONLY, MPTCP_INFO, MPTCP_SUBFLOW_ADDRS,
  SO_PROTOCOL, SO_REUSEADDR, SOCK_STREAM, SOL_MPTCP, SOL_SOCKET,
} from './constants.js';
import { check, errnoName, MPTCP_HINT, sysError, SysError } from './errors.js';
import { parseIp } from './ip-address.js';
import type { IpFamily } from './ip-address.js';
import {
  fullInfoRequest, MPTCP_INFO_SIZE, parseFullInfo, parseMptcpInfo, parseSubflowAddrs, SUBFLOW_ADDRS_SIZE,
  SUBFLOW_INFO_SIZE, subflowDataElements, subflowDataRequest, TCP_INFO_SIZE,
} from './mptcp-info.js';
import type { MptcpInfo, Subflow } from './mptcp-info.js';
import { native } from './native.js';
import { encodeSockaddr } from './sockaddr.js';
import { bindToDevice, closeQuietly, getIntOption, setIntOption } from './socket-options.js';

/** Whether this network namespace has MPTCP on (net.mptcp.enabled); undefined when the kernel has no MPTCP at all. */
export function isMptcpEnabled(): boolean | undefined {
  try {
    return readFileSync('/proc/sys/net/mptcp/enabled', 'utf8').trim() === '1';
  } catch {
    return undefined;
  }
}

// Sockets made by this module on MPTCP fds (and accepted from MPTCP listeners):
// for these a plain-TCP answer means a fallback, not a plain socket.
const fromMptcp = new WeakSet<net.Socket>();

const { ENOPROTOOPT, EOPNOTSUPP, EPROTONOSUPPORT } = constants.errno;

/** A new non-blocking stream socket fd: MPTCP unless `mptcp` is false. */
export function openStreamSocket(family: IpFamily, mptcp = true): number {
  const rc = native().socket(family === 4 ? AF_INET : AF_INET6, SOCK_STREAM, mptcp ? IPPROTO_MPTCP : IPPROTO_TCP);
  if (mptcp && (rc === -ENOPROTOOPT || rc === -EPROTONOSUPPORT)) {
    // ENOPROTOOPT: the sysctl is off; EPROTONOSUPPORT: no MPTCP in this kernel.
    const disabled = isMptcpEnabled() === false;
    throw new SysError('MPTCP_UNAVAILABLE',
      disabled ? 'MPTCP is disabled on this host (net.mptcp.enabled = 0)' : 'this kernel has no MPTCP',
      disabled ? 'enable it with: sysctl -w net.mptcp.enabled=1' : MPTCP_HINT, errnoName(-rc), 'socket');
  }
  return check(rc, 'socket', `opening an ${mptcp ? 'MPTCP' : 'TCP'} socket`);
}

export interface MptcpServerOptions {
  port: number;
  /** IP literal to listen on; default all addresses: '::' taking IPv4 too, or '0.0.0.0' with family 4. */
  host?: string;
  /** 4 or 6 only; default both. */
  family?: IpFamily;
  backlog?: number;
  /** Accept only through this interface (SO_BINDTODEVICE). */
  device?: string;
  /** false for a plain TCP listener; default true. */
  mptcp?: boolean;
}

/** A listening net.Server on an MPTCP socket. Connections are half-open capable (allowHalfOpen). */
export async function createMptcpServer(opts: MptcpServerOptions, onConnection?: (socket: net.Socket) => void): Promise<net.Server> {
  const literal = opts.host === undefined ? undefined : parseIp(opts.host);
  if (opts.host !== undefined && !literal) throw new TypeError(`listen address must be an IP address: '${opts.host}'`);
  if (literal && opts.family !== undefined && literal.family !== opts.family) {
    throw new TypeError(`listen address ${opts.host} is not IPv${opts.family}`);
  }
  const mptcp = opts.mptcp ?? true;
  let family: IpFamily = literal?.family ?? opts.family ?? 6;
  let fd: number;
  try {
    fd = openStreamSocket(family, mptcp);
  } catch (e) {
    // Both families were asked for, but this host has no IPv6: IPv4 alone then.
    if (!(e instanceof SysError && e.errno === 'EAFNOSUPPORT' && literal === undefined && opts.family === undefined)) throw e;
    family = 4;
    fd = openStreamSocket(family, mptcp);
  }
  const host = opts.host ?? (family === 4 ? '0.0.0.0' : '::');
  try {
    setIntOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, 'setting SO_REUSEADDR');
    if (family === 6) setIntOption(fd, IPPROTO_IPV6, IPV6_V6ONLY, opts.family === 6 ? 1 : 0, 'setting IPV6_V6ONLY');
    if (opts.device !== undefined) bindToDevice(fd, opts.device);
    check(native().bind(fd, encodeSockaddr({ family, address: host, port: opts.port })), 'bind', `listening on ${host} port ${opts.port}`);
  } catch (e) {
    closeQuietly(fd);
    throw e;
  }
  const server = net.createServer({ allowHalfOpen: true });
  if (mptcp) server.on('connection', (s: net.Socket) => fromMptcp.add(s));
  if (onConnection) server.on('connection', onConnection);
  await new Promise<void>((resolve, reject) => {
    const fail = (e: NodeJS.ErrnoException): void => {
      closeQuietly(fd);
      reject(sysError(e.code ?? 'EIO', 'listen', `listening on ${host} port ${opts.port}`));
    };
    server.once('error', fail);
    server.listen({ fd, backlog: opts.backlog ?? 511 }, () => {
      server.removeListener('error', fail);
      resolve();
    });
  });
  return server;
}

export interface MptcpConnectOptions {
  /** Resolve and connect with this family only. */
  family?: IpFamily;
  localAddress?: string;
  localPort?: number;
  /** Leave only through this interface (SO_BINDTODEVICE). */
  device?: string;
  /** Milliseconds per address tried; default 10 s. */
  timeout?: number;
  /** false for a plain TCP socket; default true. */
  mptcp?: boolean;
}

/** Resolves `host` (an IP literal or a name) and connects to the first address that answers. */
export async function connectMptcp(host: string, port: number, opts: MptcpConnectOptions = {}): Promise<net.Socket> {
  const local = opts.localAddress === undefined ? undefined : parseIp(opts.localAddress);
  if (opts.localAddress !== undefined && !local) throw new TypeError(`source address must be an IP address: '${opts.localAddress}'`);
  const family = local?.family ?? opts.family;
  const literal = parseIp(host);
  let targets: Array<{ address: string; family: IpFamily }>;
  if (literal) {
    if (family !== undefined && literal.family !== family) {
      throw new SysError('SYSCALL', `${host} is not an IPv${family} address`, undefined, 'EAFNOSUPPORT', 'connect');
    }
    targets = [{ address: host, family: literal.family }];
  } else {
    try {
      const found = await lookup(host, { all: true, family: family ?? 0 });
      targets = found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'ENOTFOUND';
      throw new SysError('SYSCALL', `cannot resolve '${host}' (${code})`, undefined, code, 'getaddrinfo');
    }
  }
  let last: unknown;
  for (const t of targets) {
    try {
      return await connectOne(t.address, t.family, port, opts);
    } catch (e) {
      last = e;
    }
  }
  throw last ?? new SysError('SYSCALL', `cannot resolve '${host}' (no address)`, undefined, 'ENOTFOUND', 'getaddrinfo');
}

async function connectOne(address: string, family: IpFamily, port: number, opts: MptcpConnectOptions): Promise<net.Socket> {
  const mptcp = opts.mptcp ?? true;
  const fd = openStreamSocket(family, mptcp);
  const what = `connecting to ${address} port ${port}`;
  try {
    if (opts.device !== undefined) bindToDevice(fd, opts.device);
    if (opts.localAddress !== undefined || opts.localPort !== undefined) {
      const localAddress = opts.localAddress ?? (family === 4 ? '0.0.0.0' : '::');
      check(native().bind(fd, encodeSockaddr({ family, address: localAddress, port: opts.localPort ?? 0 })), 'bind',
        `binding to ${localAddress} port ${opts.localPort ?? 0}`);
    }
  } catch (e) {
    closeQuietly(fd);
    throw e;
  }
  const socket = new net.Socket({ fd, allowHalfOpen: true });
  if (mptcp) fromMptcp.add(socket);
  return await new Promise<net.Socket>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(sysError('ETIMEDOUT', 'connect', what));
    }, opts.timeout ?? 10_000);
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(sysError(e.code ?? 'EIO', 'connect', what));
    });
    socket.connect({ port, host: address }, () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

/** The fd under a connected or listening Node socket (Unix). */
export function socketFd(s: net.Socket | net.Server | number): number {
  if (typeof s === 'number') return s;
  const fd = (s as unknown as { _handle?: { fd?: number } | null })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new SysError('SYSCALL', 'the socket has no file descriptor (closed?)', undefined, 'EBADF', 'getsockopt');
  return fd;
}

/** MPTCP_INFO, or undefined when the connection does not speak MPTCP (plain TCP, fallback, kernel before 5.16). */
export function mptcpInfo(s: net.Socket | number): MptcpInfo | undefined {
  const buf = new Uint8Array(MPTCP_INFO_SIZE);
  const rc = native().getsockopt(socketFd(s), SOL_MPTCP, MPTCP_INFO, buf);
  if (rc === -EOPNOTSUPP || rc === -ENOPROTOOPT) return undefined;
  return parseMptcpInfo(buf, check(rc, 'getsockopt', 'reading MPTCP_INFO'));
}

/** What a connection is running, as far as the kernel says. */
export type MptcpState =
  | { kind: 'mptcp'; info: MptcpInfo }
  /** Made as MPTCP, running as plain TCP (peer without MPTCP, middlebox, or a fallback mid-way). */
  | { kind: 'fallback' }
  /** A plain TCP socket that never tried MPTCP. */
  | { kind: 'tcp' }
  /** The kernel predates MPTCP_INFO (Linux < 5.16). */
  | { kind: 'unknown' };

export function mptcpState(s: net.Socket | number): MptcpState {
  const fd = socketFd(s);
  // Ask the socket's protocol first: a plain TCP socket answers the MPTCP
  // option with EOPNOTSUPP (IPv4) or ENOPROTOOPT (IPv6), like old kernels do.
  if (getIntOption(fd, SOL_SOCKET, SO_PROTOCOL, 'reading SO_PROTOCOL') !== IPPROTO_MPTCP) {
    return typeof s !== 'number' && fromMptcp.has(s) ? { kind: 'fallback' } : { kind: 'tcp' };
  }
  const buf = new Uint8Array(MPTCP_INFO_SIZE);
  const rc = native().getsockopt(fd, SOL_MPTCP, MPTCP_INFO, buf);
  if (rc >= 0) return { kind: 'mptcp', info: parseMptcpInfo(buf, rc)! };
  if (rc === -EOPNOTSUPP) return { kind: 'fallback' };
  if (rc === -ENOPROTOOPT) return { kind: 'unknown' };
  check(rc, 'getsockopt', 'reading MPTCP_INFO');
  return { kind: 'unknown' };
}

let noFullInfo = false;

/** The connection's subflows with their addresses; undefined when it does not speak MPTCP. */
export function subflows(s: net.Socket | number): Subflow[] | undefined {
  const fd = socketFd(s);
  if (!noFullInfo) {
    const got = fullInfo(fd);
    if (got !== 'unsupported') return got;
    noFullInfo = true;
  }
  return subflowAddrs(fd);
}

function fullInfo(fd: number): Subflow[] | undefined | 'unsupported' {
  let room = 16;
  for (;;) {
    const head = fullInfoRequest(room);
    const sf = new Uint8Array(room * SUBFLOW_INFO_SIZE);
    const tcp = new Uint8Array(room * TCP_INFO_SIZE);
    const rc = native().mptcpFullInfo(fd, head, sf, tcp);
    if (rc === -EOPNOTSUPP || rc === -ENOPROTOOPT) {
      // EOPNOTSUPP is also what a fallback answers: MPTCP_INFO tells the two apart.
      return mptcpInfo(fd) === undefined ? undefined : 'unsupported';
    }
    const { full, more } = parseFullInfo(head, check(rc, 'getsockopt', 'reading MPTCP_FULL_INFO'), sf, tcp);
    if (more === 0) return full.subflows;
    room += more;
  }
}

/** MPTCP_SUBFLOW_ADDRS alone: addresses without ids. */
export function subflowAddrs(s: net.Socket | number): Subflow[] | undefined {
  const fd = socketFd(s);
  let room = 16;
  for (;;) {
    const buf = subflowDataRequest(room, SUBFLOW_ADDRS_SIZE);
    const rc = native().getsockopt(fd, SOL_MPTCP, MPTCP_SUBFLOW_ADDRS, buf);
    if (rc === -EOPNOTSUPP || rc === -ENOPROTOOPT) return undefined;
    const { total, elements } = subflowDataElements(buf, check(rc, 'getsockopt', 'reading MPTCP_SUBFLOW_ADDRS'));
    if (elements.length >= total) return elements.map(parseSubflowAddrs);
    room = total;
  }
}
