/**
 * Checksum verdicts in tcpdump's words: the sum over the whole segment (0 when
 * it verifies) and the value the field should have held.
 */
import { foldChecksum, internetChecksum, onesComplementSum, pseudoHeaderSum } from '../../wire/checksum.js';
import { hex4 } from './addr.js';

/** Folded sum of a transport segment with its pseudo-header; 0 when correct. */
export function transportSum(data: Uint8Array, ipOffset: number, l4Offset: number, protocol: number, length: number): number {
  return foldChecksum(onesComplementSum(data, l4Offset, l4Offset + length, pseudoHeaderSum(data, ipOffset, protocol, length)));
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
