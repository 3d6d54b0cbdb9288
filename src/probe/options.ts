/**
 * TCP option builders: each returns the option's Repr with its length and
 * `raw` bytes filled, ready for a TCP layer's `options` list (and for
 * comparison with decoded options). The bytes come from the wire layer's
 * encoder, so what a builder says is what the decoder reads back.
 */
import { encodeTcpOption, FAST_OPEN_MAGIC, tcpOptionLength, TcpOptionKind } from '../wire/tcp-options.js';
import { encodeMptcpOption } from '../wire/mptcp.js';
import type {
  MptcpOption, TcpOptAo, TcpOptEol, TcpOptFastOpen, TcpOptMd5, TcpOptMptcp, TcpOptMss, TcpOptNop, TcpOption, TcpOptSack,
  TcpOptSackPerm, TcpOptTimestamps, TcpOptUnknown, TcpOptUserTimeout, TcpOptWscale,
} from '../wire/types.js';
import { craftError } from './errors.js';

/** The option's fields without the bookkeeping a builder fills in. */
type Fields<T extends TcpOption> = Omit<T, 'raw' | 'offset'>;

/** Completes an option: encodes it once so `raw` holds its bytes. */
function finish<T extends TcpOption>(fields: Fields<T>): T {
  const o = { ...fields, offset: 0, raw: new Uint8Array(0) } as unknown as T;
  const bytes = new Uint8Array(tcpOptionLength(o));
  encodeTcpOption(o, bytes, 0);
  o.raw = bytes;
  return o;
}

function checkRange(what: string, v: number, max: number): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw craftError(`${what} must be an integer from 0 to ${max}, not ${v}`);
  return v;
}

/** End of option list; `padding` zero bytes follow it (part of the same option, as decoders keep them). */
export function eol(padding = 0): TcpOptEol {
  const raw = new Uint8Array(1 + padding);
  return { type: 'eol', kind: TcpOptionKind.EOL, offset: 0, length: 1, raw };
}

export function nop(): TcpOptNop {
  return { type: 'nop', kind: TcpOptionKind.NOP, offset: 0, length: 1, raw: Uint8Array.of(1) };
}

/** Maximum segment size. */
export function mss(value: number): TcpOptMss {
  return finish<TcpOptMss>({ type: 'mss', kind: TcpOptionKind.MSS, length: 4, mss: checkRange('MSS', value, 0xffff) });
}

/** Window scale shift (RFC 7323 allows up to 14; larger values are built as asked). */
export function wscale(shift: number): TcpOptWscale {
  return finish<TcpOptWscale>({ type: 'wscale', kind: TcpOptionKind.WSCALE, length: 3, shift: checkRange('window scale', shift, 0xff) });
}

export function sackPerm(): TcpOptSackPerm {
  return finish<TcpOptSackPerm>({ type: 'sackPerm', kind: TcpOptionKind.SACK_PERM, length: 2 });
}

/** SACK blocks as [left, right) sequence number pairs. */
export function sack(blocks: ReadonlyArray<readonly [number, number]>): TcpOptSack {
  const copy = blocks.map(([l, r]) => [l >>> 0, r >>> 0] as [number, number]);
  return finish<TcpOptSack>({ type: 'sack', kind: TcpOptionKind.SACK, length: 2 + 8 * copy.length, blocks: copy });
}

/** Timestamps: TSval and TSecr. */
export function ts(tsval: number, tsecr = 0): TcpOptTimestamps {
  return finish<TcpOptTimestamps>({ type: 'timestamps', kind: TcpOptionKind.TIMESTAMPS, length: 10, tsval: tsval >>> 0, tsecr: tsecr >>> 0 });
}

export { ts as timestamps };

/** TCP MD5 signature (RFC 2385): 16 digest bytes. */
export function md5(digest: Uint8Array = new Uint8Array(16)): TcpOptMd5 {
  return finish<TcpOptMd5>({ type: 'md5', kind: TcpOptionKind.MD5, length: 2 + digest.length, digest });
}

/** User Timeout (RFC 5482): `timeout` in seconds, or minutes with `granularityMinutes`. */
export function userTimeout(timeout: number, granularityMinutes = false): TcpOptUserTimeout {
  return finish<TcpOptUserTimeout>({
    type: 'userTimeout', kind: TcpOptionKind.USER_TIMEOUT, length: 4, timeout: checkRange('user timeout', timeout, 0x7fff), granularityMinutes,
  });
}

/** TCP-AO (RFC 5925). */
export function tcpAo(keyId: number, rnextKeyId: number, mac: Uint8Array): TcpOptAo {
  return finish<TcpOptAo>({ type: 'tcpAo', kind: TcpOptionKind.TCP_AO, length: 4 + mac.length, keyId, rnextKeyId, mac });
}

/** TCP Fast Open: kind 34, or the experimental kind 254 with its magic number. An empty cookie asks for one. */
export function fastOpen(cookie: Uint8Array = new Uint8Array(0), experimental = false): TcpOptFastOpen {
  return finish<TcpOptFastOpen>({
    type: 'fastOpen', kind: experimental ? TcpOptionKind.EXPERIMENT_2 : TcpOptionKind.FAST_OPEN,
    length: (experimental ? 4 : 2) + cookie.length, experimental, cookie,
  });
}

/** Experimental Fast Open magic, for callers building kind 254 options by hand. */
export { FAST_OPEN_MAGIC };

/** Any option by kind and data: kind, length (2 + data) and data. */
export function rawOption(kind: number, data: Uint8Array = new Uint8Array(0)): TcpOptUnknown {
  const raw = new Uint8Array(2 + data.length);
  raw[0] = kind;
  raw[1] = raw.length;
  raw.set(data, 2);
  return { type: 'unknown', kind, offset: 0, length: raw.length, raw, data };
}

/** Exactly these option bytes, whatever they say (truncated options, impossible lengths...). */
export function optionBytes(bytes: Uint8Array): TcpOptUnknown {
  return {
    type: 'unknown', kind: bytes[0] ?? 0, offset: 0, length: bytes[1] ?? 0, raw: bytes, data: bytes.subarray(Math.min(2, bytes.length)),
  };
}

/** Wraps an MPTCP option Repr as a TCP option (kind 30). */
export function mptcp(option: MptcpOption): TcpOptMptcp {
  return { type: 'mptcp', kind: TcpOptionKind.MPTCP, offset: 0, length: option.length, raw: encodeMptcpOption(option), mptcp: option };
}

/**
 * The same option with a deliberately chosen length byte; the option's
 * bytes stay as its fields say. Serialize with `fixLengths: false`, or the
 * length is put right again.
 */
export function withLength<T extends TcpOption>(option: T, length: number): T {
  checkRange('an option length', length, 0xff);
  if (option.type === 'eol' || option.type === 'nop') throw craftError(`${option.type.toUpperCase()} has no length byte`);
  if (option.type === 'mptcp') return mptcp({ ...option.mptcp, length }) as T;
  // Typed options write `length` as their length byte; unknown ones write `raw`, so both change.
  const raw = option.raw.slice();
  raw[1] = length;
  return { ...option, length, raw };
}
