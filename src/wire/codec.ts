import type { Finding } from './types.js';

/**
 * The trio every header codec offers (the dns-packet idea): decode a view of
 * the bytes into a plain Repr, tell how long its encoding is, and encode it
 * into a caller's buffer at an offset. Encoders write exactly what the Repr
 * says (lengths and checksums included), so deliberately wrong packets can be
 * built; `checksum.ts` fills checksums as a separate step.
 */
export interface Codec<R, Ctx = void> {
  /**
   * Decode the header that starts at `offset`; `end` is the end of the bytes
   * available (captured). Never throws: problems are pushed onto `findings`
   * and `undefined` is returned when not even the fixed part is present.
   */
  decode(data: Uint8Array, offset: number, end: number, findings: Finding[], ctx: Ctx): R | undefined;
  encodingLength(repr: R): number;
  /** Encode into `buf` at `offset` (a new buffer of the exact length when omitted); returns the buffer. */
  encode(repr: R, buf?: Uint8Array, offset?: number): Uint8Array;
}
