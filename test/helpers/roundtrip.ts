import assert from 'node:assert/strict';
import type { Codec } from '../../src/wire/codec.js';
import type { Finding } from '../../src/wire/types.js';

/**
 * The generic codec check: decode `bytes`, encode the Repr back, get the same
 * bytes; encode again into a larger buffer at an offset and find them there.
 */
export function assertRoundTrip<R, C>(codec: Codec<R, C>, bytes: Uint8Array, ctx: C, label = ''): R {
  const findings: Finding[] = [];
  const repr = codec.decode(bytes, 0, bytes.length, findings, ctx);
  assert.ok(repr !== undefined, `${label}: decode returned nothing (${findings.map((f) => f.message).join('; ')})`);
  assert.equal(codec.encodingLength(repr), bytes.length, `${label}: encodingLength`);
  assert.deepEqual(Buffer.from(codec.encode(repr)).toString('hex'), Buffer.from(bytes).toString('hex'), `${label}: re-encoded bytes`);
  const big = new Uint8Array(bytes.length + 13).fill(0xee);
  codec.encode(repr, big, 7);
  assert.deepEqual(Buffer.from(big.subarray(7, 7 + bytes.length)).toString('hex'), Buffer.from(bytes).toString('hex'), `${label}: encode at offset`);
  assert.equal(big[6], 0xee, `${label}: wrote before offset`);
  assert.equal(big[7 + bytes.length], 0xee, `${label}: wrote past end`);
  return repr;
}
