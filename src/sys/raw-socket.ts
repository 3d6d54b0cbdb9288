/**
 * Raw IP sockets for crafted packets: AF_INET/AF_INET6 SOCK_RAW, by default
 * IPPROTO_TCP with the IP header written by the caller (IP_HDRINCL /
 * IPV6_HDRINCL). The kernel hands a raw IPPROTO_TCP socket a copy of every
 * TCP packet the host receives; received IPv4 packets include their IP
 * header, received IPv6 ones start at the TCP header (the kernel strips it).
 * Needs CAP_NET_RAW.
 */
import { constants } from 'node:os';
import {
  AF_INET, AF_INET6, IP_HDRINCL, IPPROTO_IPV6, IPPROTO_TCP, IPV6_HDRINCL, SOCK_RAW, SOL_IP,
} from './constants.js';
import { check } from './errors.js';
import type { IpFamily } from './ip-address.js';
import { native } from './native.js';
import { PacketFd } from './packet-fd.js';
import { bindToDevice, closeQuietly, setIntOption } from './socket-options.js';
import { decodeSockaddr, encodeSockaddr, SOCKADDR_STORAGE_SIZE } from './sockaddr.js';
import type { SockAddr } from './sockaddr.js';

export interface RawSocketOptions {
  family: IpFamily;
  /** IP protocol to receive (and send without an own header); default IPPROTO_TCP. */
  protocol?: number;
  /** Whether sent packets carry their own IP header; default true. */
  headerIncluded?: boolean;
  /** Only this interface (SO_BINDTODEVICE). */
  device?: string;
}

export interface RawPacket {
  data: Uint8Array;
  from: SockAddr | undefined;
}

const MAX_PACKET = 65_535;

export class RawSocket extends PacketFd<RawPacket> {
  private readonly from = new Uint8Array(SOCKADDR_STORAGE_SIZE);

  private constructor(fd: number, readonly family: IpFamily) {
    super(fd, MAX_PACKET, 'RawSocket');
  }

  static open(opts: RawSocketOptions): RawSocket {
    const { family } = opts;
    const what = `opening a raw IPv${family} socket`;
    const fd = check(native().socket(family === 4 ? AF_INET : AF_INET6, SOCK_RAW, opts.protocol ?? IPPROTO_TCP), 'socket', what);
    try {
      if (opts.headerIncluded ?? true) {
        if (family === 4) setIntOption(fd, SOL_IP, IP_HDRINCL, 1, 'setting IP_HDRINCL');
        else setIntOption(fd, IPPROTO_IPV6, IPV6_HDRINCL, 1, 'setting IPV6_HDRINCL');
      }
      if (opts.device !== undefined) bindToDevice(fd, opts.device);
    } catch (e) {
      closeQuietly(fd);
      throw e;
    }
    return new RawSocket(fd, family);
  }

  /** Sends one packet to `address` (the kernel routes by it; with a header included it must match the header's destination). */
  send(packet: Uint8Array, address: string): number {
    const to = encodeSockaddr({ family: this.family, address, port: 0 });
    return check(native().sendto(this.fd, packet, to), 'sendto', `sending a raw packet to ${address}`);
  }

  /** One waiting packet, or undefined when none is queued (never blocks). */
  receive(buf: Uint8Array = new Uint8Array(MAX_PACKET)): RawPacket | undefined {
    const n = native().recvfrom(this.fd, buf, this.from);
    if (n === -constants.errno.EAGAIN || n === -constants.errno.EINTR) return undefined;
    check(n, 'recvfrom', 'receiving from a raw socket');
    return { data: buf.slice(0, n), from: decodeSockaddr(this.from) };
  }

  protected override next(buf: Uint8Array): RawPacket | undefined {
    return this.receive(buf);
  }

  setOption(level: number, name: number, value: number): void {
    setIntOption(this.fd, level, name, value, `setsockopt(${level}, ${name})`);
  }
}
