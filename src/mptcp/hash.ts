/**
 * SHA-1 (RFC 3174) and SHA-256 (FIPS 180-4) over Uint8Array, in plain
 * TypeScript so the library runs wherever a JS engine does.
 *
 * MPTCP hashes a few dozen bytes per key and per subflow: a capture of
 * thousands of connections makes thousands of short hashes, each one to
 * three blocks. So a hash allocates nothing but its digest: the state, the
 * message schedule and the padded tail are module scratch (hashing is
 * synchronous), and an HMAC feeds its padded key block and its message to
 * the compression in turn instead of concatenating them.
 */

import { i32, put32 } from '../wire/bytes.js';

/** Message schedule. */
const W = new Int32Array(80);
/** Chaining state (SHA-1 uses the first five words). */
const H = new Int32Array(8);
/** The last one or two blocks: the message's tail, then the padding. */
const TAIL = new Uint8Array(128);
/** An HMAC's padded key block, and its inner digest. */
const PAD = new Uint8Array(64);
const INNER = new Uint8Array(32);

type Compress = (block: Uint8Array, at: number) => void;

const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));
const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));

function initSha1(): void {
  H[0] = 0x67452301;
  H[1] = 0xefcdab89 | 0;
  H[2] = 0x98badcfe | 0;
  H[3] = 0x10325476;
  H[4] = 0xc3d2e1f0 | 0;
}

function compressSha1(block: Uint8Array, at: number): void {
  for (let t = 0; t < 16; t++) W[t] = i32(block, at + t * 4);
  for (let t = 16; t < 80; t++) W[t] = rotl(W[t - 3]! ^ W[t - 8]! ^ W[t - 14]! ^ W[t - 16]!, 1);
  let a = H[0]!, b = H[1]!, c = H[2]!, d = H[3]!, e = H[4]!;
  for (let t = 0; t < 80; t++) {
    let f: number, k: number;
    if (t < 20) { f = (b & c) | (~b & d); k = 0x5a827999; }
    else if (t < 40) { f = b ^ c ^ d; k = 0x6ed9eba1; }
    else if (t < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc | 0; }
    else { f = b ^ c ^ d; k = 0xca62c1d6 | 0; }
    const tmp = (rotl(a, 5) + f + e + k + W[t]!) | 0;
    e = d; d = c; c = rotl(b, 30); b = a; a = tmp;
  }
  H[0] = H[0]! + a; H[1] = H[1]! + b; H[2] = H[2]! + c; H[3] = H[3]! + d; H[4] = H[4]! + e;
}

/** SHA-256 round constants: first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
const K256 = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
].map((k) => k | 0));

const IV256 = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
].map((v) => v | 0));

function initSha256(): void {
  H.set(IV256);
}

function compressSha256(block: Uint8Array, at: number): void {
  for (let t = 0; t < 16; t++) W[t] = i32(block, at + t * 4);
  for (let t = 16; t < 64; t++) {
    const w15 = W[t - 15]!, w2 = W[t - 2]!;
    const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
    const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
    W[t] = W[t - 16]! + s0 + W[t - 7]! + s1;
  }
  let a = H[0]!, b = H[1]!, c = H[2]!, d = H[3]!, e = H[4]!, f = H[5]!, g = H[6]!, hh = H[7]!;
  for (let t = 0; t < 64; t++) {
    const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
    const ch = (e & f) ^ (~e & g);
    const t1 = (hh + S1 + ch + K256[t]! + W[t]!) | 0;
    const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  H[0] = H[0]! + a; H[1] = H[1]! + b; H[2] = H[2]! + c; H[3] = H[3]! + d;
  H[4] = H[4]! + e; H[5] = H[5]! + f; H[6] = H[6]! + g; H[7] = H[7]! + hh;
}

/**
 * Runs `compress` over every 64-byte block of `data` and then the
 * Merkle-Damgard padding (0x80, zeros, 64-bit big-endian bit length), the
 * message having `before` bytes already compressed ahead of it.
 */
function update(data: Uint8Array, before: number, compress: Compress): void {
  const full = data.length - (data.length % 64);
  for (let at = 0; at < full; at += 64) compress(data, at);
  const rest = data.length - full;
  const end = rest < 56 ? 64 : 128;
  TAIL.fill(0, 0, end);
  TAIL.set(data.subarray(full), 0);
  TAIL[rest] = 0x80;
  // Bit length as a 64-bit big-endian number; messages here are far below 2^53 bits.
  const bits = (before + data.length) * 8;
  put32(TAIL, end - 8, Math.floor(bits / 0x100000000));
  put32(TAIL, end - 4, bits >>> 0);
  for (let at = 0; at < end; at += 64) compress(TAIL, at);
}

/** The first `words` of the state as bytes, into `out` (a new array unless given). */
function digest(words: number, out = new Uint8Array(words * 4)): Uint8Array {
  for (let i = 0; i < words; i++) put32(out, i * 4, H[i]!);
  return out;
}

/** SHA-1 digest (20 bytes). */
export function sha1(data: Uint8Array): Uint8Array {
  initSha1();
  update(data, 0, compressSha1);
  return digest(5);
}

/** SHA-256 digest (32 bytes). */
export function sha256(data: Uint8Array): Uint8Array {
  initSha256();
  update(data, 0, compressSha256);
  return digest(8);
}

export type HashName = 'sha1' | 'sha256';

/** The key, zero-filled to a block, xor `pad`, into PAD. */
function padKey(k: Uint8Array, pad: number): void {
  PAD.fill(pad);
  for (let i = 0; i < k.length; i++) PAD[i] = k[i]! ^ pad;
}

/** HMAC (RFC 2104) with SHA-1 or SHA-256; both use 64-byte blocks. */
export function hmac(hash: HashName, key: Uint8Array, message: Uint8Array): Uint8Array {
  const one = hash === 'sha1';
  const init = one ? initSha1 : initSha256;
  const compress = one ? compressSha1 : compressSha256;
  const words = one ? 5 : 8;
  const k = key.length > 64 ? (one ? sha1(key) : sha256(key)) : key;
  // Inner hash: (key ^ ipad) then the message.
  padKey(k, 0x36);
  init();
  compress(PAD, 0);
  update(message, 64, compress);
  const inner = digest(words, INNER).subarray(0, words * 4);
  // Outer hash: (key ^ opad) then the inner digest.
  padKey(k, 0x5c);
  init();
  compress(PAD, 0);
  update(inner, 64, compress);
  return digest(words);
}

export function hmacSha1(key: Uint8Array, message: Uint8Array): Uint8Array {
  return hmac('sha1', key, message);
}

export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  return hmac('sha256', key, message);
}
