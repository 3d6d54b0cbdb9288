/**
 * The packetdrill way: the endpoint owns an address behind a TUN device, so
 * the local kernel routes the peer's packets for it into the TUN and never
 * answers them itself. The device gets the first address of a /30 (IPv6:
 * /126) and the endpoint speaks from the second. What the endpoint sends is
 * written into the TUN, as if it arrived on that interface: to an address
 * of this host it is delivered here; to another host it is forwarded, which
 * needs forwarding on and a route back to the TUN's subnet on the far side.
 * The device disappears with its fd (close(), or the process ending).
 */
import { addressBytes, addressText } from '../address.js';
import { IpCommand, parseIp, TunDevice } from '../../sys/index.js';
import { ProbeSetupError } from './errors.js';
import type { ProbeTransport } from './transport.js';

export interface TunTransportOptions {
  /** The peer's address (decides the family). */
  target: string;
  /**
   * The subnet for the device and the endpoint, e.g. '10.200.0.0/30' or
   * 'fd00:200::/126' (the device takes its first host address, the endpoint
   * the next). Default: one per process in 198.18.0.0/15 or 2001:2::/48
   * (RFC 2544 and RFC 5180's benchmarking ranges).
   */
  subnet?: string;
  /** Device name or pattern; default 'mpsp%d'. */
  name?: string;
  ip?: IpCommand;
}

/** The device's and the endpoint's addresses and the prefix length for a subnet text (or the default one). */
export function tunAddresses(family: 4 | 6, subnet?: string): { device: string; endpoint: string; prefix: number } {
  if (subnet === undefined) {
    if (family === 4) {
      const base = ((198 << 24) | (18 << 16)) >>> 0;
      const net = (base + (process.pid % 32768) * 4) >>> 0;
      return { device: addressText(net + 1), endpoint: addressText(net + 2), prefix: 30 };
    }
    const word = (process.pid & 0xffff).toString(16);
    return { device: `2001:2:0:${word}::1`, endpoint: `2001:2:0:${word}::2`, prefix: 126 };
  }
  const [text, len] = subnet.split('/');
  const ip = text === undefined ? undefined : parseIp(text);
  const prefix = Number(len);
  const max = family === 4 ? 30 : 126;
  if (!ip || ip.family !== family || !/^\d+$/.test(len ?? '') || prefix > max) {
    throw new ProbeSetupError(`the TUN subnet must be an IPv${family} prefix of length ${max} or less, not '${subnet}'`);
  }
  const bytes = addressBytes(text!);
  const at = (n: number): string => {
    const b = bytes.slice();
    b[b.length - 1] = (b[b.length - 1]! & ~3) + n;
    return addressText(b);
  };
  return { device: at(1), endpoint: at(2), prefix };
}

export class TunTransport implements ProbeTransport {
  readonly kind = 'tun';

  private constructor(private readonly tun: TunDevice, readonly source: string, readonly deviceAddress: string) {}

  get device(): string {
    return this.tun.name;
  }

  /** Creates and configures the device; checks that packets to the target will be forwarded when it is not this host. */
  static open(opts: TunTransportOptions): TunTransport {
    const ip = opts.ip ?? new IpCommand();
    const family = parseIp(opts.target)?.family;
    if (family === undefined) throw new ProbeSetupError(`not an IP address: '${opts.target}'`);
    const a = tunAddresses(family, opts.subnet);
    const tun = TunDevice.open({ name: opts.name ?? 'mpsp%d' });
    try {
      tun.configure([`${a.device}/${a.prefix}`], ip);
      checkForwarding(ip, family, opts.target, a.endpoint, tun.name);
    } catch (e) {
      tun.close();
      throw e;
    }
    return new TunTransport(tun, a.endpoint, a.device);
  }

  send(packet: Uint8Array): void {
    this.tun.write(packet);
  }

  start(onPacket: (packet: Uint8Array) => void): void {
    this.tun.onPacket(onPacket);
  }

  poll(): void {
    this.tun.poll();
  }

  close(): void {
    this.tun.close();
  }
}

/** Throws when the kernel would not forward the endpoint's packets to a target that is not one of this host's addresses. */
function checkForwarding(ip: IpCommand, family: 4 | 6, target: string, endpoint: string, dev: string): void {
  const route = ip.json<Array<{ type?: string }>>(['route', 'get', target]);
  if (route[0]?.type === 'local') return;
  const hint = `enable it (sysctl -w ${family === 4 ? 'net.ipv4.ip_forward' : 'net.ipv6.conf.all.forwarding'}=1) and route ${endpoint} back to this host on the target's side, or use --transport raw`;
  if (family === 4) {
    try {
      ip.run(['route', 'get', target, 'from', endpoint, 'iif', dev]);
    } catch {
      throw new ProbeSetupError(`the TUN transport needs this host to forward packets to ${target}, and it does not`, hint);
    }
    return;
  }
  const conf = ip.json<Array<{ interface?: string; forwarding?: boolean }>>(['-6', 'netconf', 'show']);
  if (conf.find((c) => c.interface === 'all')?.forwarding !== true) {
    throw new ProbeSetupError(`the TUN transport needs this host to forward IPv6 packets to ${target}, and it does not`, hint);
  }
}
