/**
 * UDP lines: `a.p > b.q: UDP, length N`, or what tcpdump prints for DNS and
 * BOOTP/DHCP (the application parts it shows are read here).
 */
import type { IpRepr, UdpRepr } from '../../wire/types.js';
import { hex4, macString } from './addr.js';
import { shouldBe, transportSum } from './cksum.js';
import type { PrintContext } from './context.js';
import { formatDns } from './dns.js';
import type { Line } from './line.js';
import { writePortPair } from './tcp.js';

const BOOTP_OPS: Record<number, string> = { 1: 'Request', 2: 'Reply' };

function isPort(udp: UdpRepr, port: number): boolean {
  return udp.srcPort === port || udp.dstPort === port;
}

/** Writes a UDP datagram; `length` is the IP payload length, `capEnd` the end of the readable bytes. */
export function writeUdp(ctx: PrintContext, w: Line, data: Uint8Array, ip: IpRepr, udp: UdpRepr, length: number, capEnd: number, fragmented: boolean): void {
  writePortPair(w, ip, 17, udp.srcPort, udp.dstPort);
  if (length < 8) {
    w.str(' [undersized-udp ' + length + ' < 8] (invalid)');
    return;
  }
  let ulen = udp.udpLength;
  if (ulen === 0 && length > 65535) ulen = length;
  if (ulen < 8) {
    w.str(' [undersized-udplength ' + ulen + ' < 8] (invalid)');
    return;
  }
  ulen -= 8;
  let len = length - 8;
  if (ulen < len) len = ulen;
  const start = udp.offset + 8;

  if (ctx.verbose && !fragmented) {
    const whole = start + len <= capEnd;
    if (ip.version === 4 && ctx.verbose > 1) {
      if (udp.checksum === 0) w.str('[no cksum] ');
      else if (whole) w.str(checksumText(data, ip, udp, len));
    } else if (ip.version === 6 && whole) {
      w.str(checksumText(data, ip, udp, len));
    }
  }
  if (!ctx.quiet) {
    if (isPort(udp, 53)) {
      w.str(formatDns(data, start, len, capEnd, false, ctx.verbose));
      return;
    }
    if (isPort(udp, 67) || isPort(udp, 68)) {
      w.str(bootp(data, start, len, capEnd));
      return;
    }
  }
  if (ulen > len && !fragmented) {
    w.str('UDP, bad length ');
    w.u(ulen);
    w.str(' > ');
    w.u(len);
  } else {
    w.str('UDP, length ');
    w.u(ulen);
  }
}

function checksumText(data: Uint8Array, ip: IpRepr, udp: UdpRepr, len: number): string {
  const sum = transportSum(data, ip, udp.offset, 17, len + 8);
  if (sum === 0) return '[udp sum ok] ';
  return '[bad udp cksum 0x' + hex4(udp.checksum) + ' -> 0x' + hex4(shouldBe(udp.checksum, sum)) + '!] ';
}

/** The first line of tcpdump's BOOTP/DHCP printer (its `-v` details are not reproduced). */
function bootp(data: Uint8Array, start: number, len: number, capEnd: number): string {
  if (start + 1 > capEnd) return ' [|bootp]';
  const op = data[start]!;
  let s = 'BOOTP/DHCP, ' + (BOOTP_OPS[op] ?? 'unknown (0x' + hex4(op).slice(2) + ')');
  if (start + 3 > capEnd) return s + ' [|bootp]';
  const htype = data[start + 1]!;
  const hlen = data[start + 2]!;
  if (htype === 1 && hlen === 6 && op === 1) {
    if (start + 34 > capEnd) return s + ' [|bootp]';
    s += ' from ' + macString(data, start + 28);
  }
  return s + ', length ' + len;
}
