/**
 * Checksum verdicts in tcpdump's words: the sum over the whole segment (0 when
 * it verifies) and the value the field should have held.
 */
import { foldChecksum, internetChecksum, onesComplementSum, pseudoHeaderSum } from '../../wire/checksum.js';
import type { IpRepr, Ipv6Repr } from '../../wire/types.js';
import { hex4 } from './addr.js';

/**
 * Where the destination of the IPv6 pseudo-header is: the final one of a
 * type 0 routing header, the first segment of a segment routing header, else
 * the fixed header's (the address tcpdump checksums with).
 */
function finalDestination(ip: Ipv6Repr): number {
  for (const e of ip.extensions) {
    if (e.type !== 43) continue;
    const units = (e.length >>> 3) - 1;
    if (units % 2 === 1) break;
    if (e.routingType === 0 && units >= 2) return e.offset + 8 + 16 * (units / 2 - 1);
    if (e.routingType === 4) return e.offset + 8;
    break;
  }
  return ip.offset + 24;
}

/** Folded sum of a transport segment with its pseudo-header; 0 when correct. */
export function transportSum(data: Uint8Array, ip: IpRepr, l4Offset: number, protocol: number, length: number): number {
  let pseudo: number;
  if (ip.version === 6) {
    const dst = finalDestination(ip);
    pseudo = dst === ip.offset + 24
      ? pseudoHeaderSum(data, ip.offset, protocol, length)
      : onesComplementSum(data, dst, dst + 16, onesComplementSum(data, ip.offset + 8, ip.offset + 24, protocol + (length >>> 16) + (length & 0xffff)));
  } else {
    pseudo = pseudoHeaderSum(data, ip.offset, protocol, length);
  }
  return foldChecksum(onesComplementSum(data, l4Offset, l4Offset + length, pseudo));
}

/** Folded sum of a byte range (IPv4 header, ICMP message); 0 when correct. */
export function plainSum(data: Uint8Array, start: number, end: number): number {
  return internetChecksum(data, start, end);
}

/** The checksum the field should hold, from its value and the folded sum over everything. */
export function shouldBe(field: number, sum: number): number {
  let s = field + sum;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** `cksum 0x1234 (correct)` or `cksum 0x1234 (incorrect -> 0x5678)`, as tcpdump -v prints for TCP. */
export function tcpChecksumText(field: number, sum: number): string {
  return 'cksum 0x' + hex4(field) + (sum === 0 ? ' (correct)' : ' (incorrect -> 0x' + hex4(shouldBe(field, sum)) + ')');
}
