import { put32, u32 } from '../wire/bytes.js';
import { hmac, sha1, sha256, type HashName } from './hash.js';

/**
 * MPTCP's uses of its connection keys. Version 0 (RFC 6824) hashes with
 * SHA-1, version 1 (RFC 8684) with SHA-256; keys are 64-bit numbers that go
 * into every hash in network byte order.
 */

export type MptcpVersion = 0 | 1;

function hashOf(version: MptcpVersion): HashName {
  return version === 0 ? 'sha1' : 'sha256';
}

/** The last key hashed: a key's token and IDSN come from the same digest, asked for one after the other. */
let lastKey: bigint | undefined;
let lastVersion: MptcpVersion = 0;
let lastDigest: Uint8Array = new Uint8Array(0);

/** The key's hash; the caller only reads it. */
function keyDigest(key: bigint, version: MptcpVersion): Uint8Array {
  if (key !== lastKey || version !== lastVersion) {
    const k = beBytes(key, 8);
    lastDigest = version === 0 ? sha1(k) : sha256(k);
    lastKey = key;
    lastVersion = version;
  }
  return lastDigest;
}

/** `n` big-endian bytes of the low `8 * n` bits of `v`. */
export function beBytes(v: bigint, n: number): Uint8Array {
  const out = new Uint8Array(n);
  if (n === 8) {
    writeKey(out, 0, v);
    return out;
  }
  let x = BigInt.asUintN(n * 8, v);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** A 64-bit key in network byte order at `at`: two conversions instead of a BigInt operation per byte. */
function writeKey(b: Uint8Array, at: number, key: bigint): void {
  const x = BigInt.asUintN(64, key);
  put32(b, at, Number(x >> 32n));
  put32(b, at + 4, Number(x & 0xffffffffn));
}

/** Two keys, each in network byte order: the key of every MPTCP HMAC. */
function keyPair(first: bigint, second: bigint): Uint8Array {
  const out = new Uint8Array(16);
  writeKey(out, 0, first);
  writeKey(out, 8, second);
  return out;
}

/** Two 32-bit nonces in network byte order: the message of the MP_JOIN HMACs. */
function noncePair(first: number, second: number): Uint8Array {
  const out = new Uint8Array(8);
  put32(out, 0, first);
  put32(out, 4, second);
  return out;
}

function readU64(b: Uint8Array, at: number): bigint {
  return (BigInt(u32(b, at)) << 32n) | BigInt(u32(b, at + 4));
}

/** The token that names a connection in MP_JOIN: the most significant 32 bits of the key's hash. */
export function keyToToken(key: bigint, version: MptcpVersion): number {
  return u32(keyDigest(key, version), 0);
}

/** The initial data sequence number of the key's sender: the least significant 64 bits of the key's hash. */
export function keyToIdsn(key: bigint, version: MptcpVersion): bigint {
  const d = keyDigest(key, version);
  return readU64(d, d.length - 8);
}

/**
 * The truncated HMAC of an MP_JOIN SYN/ACK, sent by the listener B: the
 * leftmost 64 bits of HMAC(key = Key-B || Key-A, msg = R-B || R-A).
 */
export function joinSynAckHmac(version: MptcpVersion, keyB: bigint, keyA: bigint, nonceB: number, nonceA: number): bigint {
  const mac = hmac(hashOf(version), keyPair(keyB, keyA), noncePair(nonceB, nonceA));
  return readU64(mac, 0);
}

/**
 * The HMAC of an MP_JOIN third ACK, sent by the initiator A: HMAC(key =
 * Key-A || Key-B, msg = R-A || R-B); the whole 160 bits of HMAC-SHA1 (v0),
 * the leftmost 160 bits of HMAC-SHA256 (v1).
 */
export function joinAckHmac(version: MptcpVersion, keyA: bigint, keyB: bigint, nonceA: number, nonceB: number): Uint8Array {
  const mac = hmac(hashOf(version), keyPair(keyA, keyB), noncePair(nonceA, nonceB));
  return mac.slice(0, 20);
}

/**
 * The truncated HMAC of a v1 ADD_ADDR (RFC 8684 section 3.4.1): the
 * rightmost 64 bits of HMAC-SHA256(key = sender's key || receiver's key,
 * msg = address id || address || port). The port takes two bytes, zero when
 * the option carries none (as Linux computes it).
 */
export function addAddrHmac(keySender: bigint, keyReceiver: bigint, addrId: number, address: Uint8Array, port?: number): bigint {
  const msg = new Uint8Array(1 + address.length + 2);
  msg[0] = addrId;
  msg.set(address, 1);
  const p = port ?? 0;
  msg[msg.length - 2] = (p >>> 8) & 0xff;
  msg[msg.length - 1] = p & 0xff;
  const mac = hmac('sha256', keyPair(keySender, keyReceiver), msg);
  return readU64(mac, mac.length - 8);
}
