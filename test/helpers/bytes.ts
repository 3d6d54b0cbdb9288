/** Byte helpers for tests that spell packets by hand: hex in and out, concatenation, the Internet checksum sum. */
import { concatBytes } from '../../src/util/bytes.js';

/** Hex digits to bytes; spaces and colons are ignored so that fields can be written apart. */
export function hex(s: string): Uint8Array {
  const clean = s.replace(/[\s:]/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(parts);
}

/**
 * One's complement sum of big-endian 16-bit words (an odd last byte padded
 * with zero), folded to 16 bits: `~sum16(...) & 0xffff` is the checksum. Kept
 * apart from the library's checksum code so tests check it independently.
 */
export function sum16(b: Uint8Array, acc = 0): number {
  for (let i = 0; i < b.length; i += 2) acc += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
  return acc;
}
