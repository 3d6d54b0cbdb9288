/**
 * TUN devices: a network interface whose packets go to and come from this
 * process, so a userspace endpoint can own addresses the local kernel never
 * answers for. The device lives as long as its fd: close() (or the process
 * ending) removes it. Needs CAP_NET_ADMIN.
 */
import { readSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import { IFF_NO_PI, IFF_TAP, IFF_TUN, IFNAMSIZ } from './constants.js';
import { check, errnoName, SysError } from './errors.js';
import { IpCommand } from './ip-command.js';
import { native } from './native.js';
import { PacketFd } from './packet-fd.js';

export interface TunOptions {
  /** Interface name or pattern with %d; default 'mps%d'. At most 15 bytes. */
  name?: string;
  /** A TAP (Ethernet frames) device instead of TUN (IP packets). */
  tap?: boolean;
  /** Keep the 4-byte packet information header before each packet; default false (IFF_NO_PI). */
  packetInfo?: boolean;
}

const MAX_FRAME = 65_535 + 18;

export class TunDevice extends PacketFd<Uint8Array> {
  private constructor(fd: number, readonly name: string) {
    super(fd, MAX_FRAME, 'TunDevice');
  }

  static open(opts: TunOptions = {}): TunDevice {
    const wanted = opts.name ?? 'mps%d';
    const name = new Uint8Array(IFNAMSIZ);
    const enc = new TextEncoder().encode(wanted);
    if (enc.length >= IFNAMSIZ) throw new TypeError(`interface name too long (max ${IFNAMSIZ - 1} bytes): '${wanted}'`);
    name.set(enc);
    const flags = (opts.tap ? IFF_TAP : IFF_TUN) | (opts.packetInfo ? 0 : IFF_NO_PI);
    const rc = native().openTun(name, flags);
    if (rc === -constants.errno.ENOENT || rc === -constants.errno.ENODEV) {
      throw new SysError('SYSCALL', 'no TUN support: /dev/net/tun is missing', 'load the tun module (modprobe tun) or create the device node',
        errnoName(-rc), 'open');
    }
    const fd = check(rc, 'ioctl(TUNSETIFF)', `creating TUN device ${wanted}`);
    const end = name.indexOf(0);
    return new TunDevice(fd, new TextDecoder().decode(name.subarray(0, end < 0 ? IFNAMSIZ : end)));
  }

  /** Adds addresses ('10.1.0.1/24', 'fd01::1/64') and sets the link up, with `ip`. */
  configure(addresses: readonly string[], ip = new IpCommand()): void {
    for (const a of addresses) ip.run(['addr', 'add', a, 'dev', this.name, ...(a.includes(':') ? ['nodad'] : [])]);
    ip.run(['link', 'set', this.name, 'up']);
  }

  /** Hands one packet to the kernel as if it arrived on the interface. */
  write(packet: Uint8Array): void {
    writeSync(this.fd, packet);
  }

  /** One packet the kernel sent out of the interface, or undefined when none waits. */
  read(buf: Uint8Array = new Uint8Array(MAX_FRAME)): Uint8Array | undefined {
    try {
      const n = readSync(this.fd, buf);
      return buf.slice(0, n);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return undefined;
      throw e;
    }
  }

  /** The packets leaving through the interface, for onPacket(). */
  protected override next(buf: Uint8Array): Uint8Array | undefined {
    return this.read(buf);
  }
}
