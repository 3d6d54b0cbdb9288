import { foldChecksum, onesComplementSum } from '../wire/checksum.js';

/**
 * The DSS checksum (RFC 8684 section 3.3.1, RFC 6824 section 3.3.1): the
 * Internet checksum over a pseudo-header (64-bit DSN, 32-bit relative
 * subflow sequence number, 16-bit data-level length, 16-bit checksum field)
 * followed by the mapping's payload.
 *
 * The pseudo-header always carries the full 64-bit DSN, even when the option
 * sends only its low 32 bits: a receiver of a 32-bit DSN must first expand
 * it against its connection state.
 */

export type ChecksumStatus = 'good' | 'bad';

const TWO_32 = 0x100000000n;

/**
 * Incremental DSS checksum. A mapping usually spans several TCP segments,
 * so the payload arrives in chunks of any length; an odd chunk leaves a
 * half word that the next chunk completes.
 */
export class DssChecksum {
  private sum: number;
  /** High byte of a 16-bit word whose low byte is still to come. */
  private half = -1;
  /** Payload bytes summed so far. */
  bytes = 0;

  /**
   * `checksumField` is the value of the option's checksum field: 0 (the
   * default) to compute a checksum, or the received value to verify one.
   */
  constructor(dsn64: bigint, ssn: number, dataLength: number, checksumField = 0) {
    const dsn = BigInt.asUintN(64, dsn64);
    const hi = Number(dsn / TWO_32);
    const lo = Number(dsn % TWO_32);
    this.sum = (hi >>> 16) + (hi & 0xffff) + (lo >>> 16) + (lo & 0xffff)
      + (ssn >>> 16) + (ssn & 0xffff) + (dataLength & 0xffff) + (checksumField & 0xffff);
  }

  /** Adds payload bytes `bytes[start, end)`; chunks may have any length. */
  update(bytes: Uint8Array, start = 0, end = bytes.length): this {
    if (end <= start) return this;
    this.bytes += end - start;
    let i = start;
    if (this.half >= 0) {
      this.sum += (this.half << 8) | bytes[i++]!;
      this.half = -1;
    }
    if ((end - i) & 1) this.half = bytes[--end]!;
    // Fold per chunk so the running sum stays small whatever the mapping size.
    this.sum = ~foldChecksum(onesComplementSum(bytes, i, end, this.sum)) & 0xffff;
    return this;
  }

  /** The checksum value (as the option carries it) of what was summed so far. */
  digest(): number {
    const sum = this.half >= 0 ? this.sum + (this.half << 8) : this.sum;
    return foldChecksum(sum);
  }

  /**
   * With the received checksum given to the constructor: 'good' when the
   * sum of pseudo-header, checksum field and payload is all ones.
   */
  status(): ChecksumStatus {
    return this.digest() === 0 ? 'good' : 'bad';
  }
}

/** The DSS checksum of a mapping whose payload is given as one or more chunks. */
export function dssChecksum(dsn64: bigint, ssn: number, dataLength: number, ...payload: Uint8Array[]): number {
  const c = new DssChecksum(dsn64, ssn, dataLength);
  for (const chunk of payload) c.update(chunk);
  return c.digest();
}

/** Checks a received DSS checksum against the mapping and its payload chunks. */
export function verifyDssChecksum(
  dsn64: bigint, ssn: number, dataLength: number, checksum: number, ...payload: Uint8Array[]
): ChecksumStatus {
  const c = new DssChecksum(dsn64, ssn, dataLength, checksum);
  for (const chunk of payload) c.update(chunk);
  return c.status();
}
