/**
 * TCP options: decoding the options area into typed Reprs, and encoding them
 * back byte for byte.
 *
 * Length problems follow tshark: a length byte below 2, missing, or running
 * past the options area ends the walk (the rest of the area becomes one
 * malformed option, so nothing is lost); a known kind with the wrong fixed
 * length is kept as a malformed option and the walk goes on after it.
 */
import { outBuffer, put16, put32, u16, u32 } from './bytes.js';
import { report } from './findings.js';
import { decodeMptcpOption, encodeMptcpOption, mptcpOptionLength } from './mptcp.js';
import type {
  Finding, TcpOptAo, TcpOptEol, TcpOptFastOpen, TcpOptMd5, TcpOptMptcp, TcpOptMss, TcpOptNop, TcpOption, TcpOptSack,
  TcpOptSackPerm, TcpOptTimestamps, TcpOptUnknown, TcpOptUserTimeout, TcpOptWscale,
} from './types.js';

export const TcpOptionKind = {
  EOL: 0,
  NOP: 1,
  MSS: 2,
  WSCALE: 3,
  SACK_PERM: 4,
  SACK: 5,
  TIMESTAMPS: 8,
  MD5: 19,
  USER_TIMEOUT: 28,
  TCP_AO: 29,
  MPTCP: 30,
  FAST_OPEN: 34,
  EXPERIMENT_1: 253,
  EXPERIMENT_2: 254,
} as const;

/** Experiment identifier of TCP Fast Open before it had kind 34 (RFC 7413). */
export const FAST_OPEN_MAGIC = 0xf989;

/** Largest window scale shift RFC 7323 allows. */
export const MAX_WSCALE_SHIFT = 14;

/** Option names as tshark prints them in its option findings. */
const NAMES: Readonly<Record<number, string>> = {
  0: 'End of Option List (EOL)', 1: 'No-Operation (NOP)', 2: 'Maximum segment size', 3: 'Window scale',
  4: 'SACK permitted', 5: 'SACK', 6: 'Echo', 7: 'Echo reply', 8: 'Timestamps', 11: 'CC', 12: 'CC.NEW',
  13: 'CC.ECHO', 19: 'TCP MD5 signature', 20: 'SCPS capabilities', 21: 'Selective Negative Acknowledgment',
  22: 'SCPS record boundary', 23: 'SCPS corruption experienced', 27: 'Quick-Start', 28: 'User Timeout',
  29: 'TCP AO', 30: 'MPTCP', 34: 'TCP Fast Open', 76: 'Riverbed Probe', 253: 'Experimental', 254: 'Experimental',
};

export function tcpOptionName(kind: number): string {
  return NAMES[kind] ?? `Unknown (0x${kind.toString(16).padStart(2, '0')})`;
}

/** Exact length of the kinds that have one; -1 for the rest. */
function fixedLength(kind: number): number {
  switch (kind) {
    case 2: return 4;
    case 3: return 3;
    case 4: return 2;
    case 8: return 10;
    case 19: return 18;
    case 28: return 4;
    default: return -1;
  }
}

/** Smallest length of the variable-length kinds we decode (TCP-AO needs its two key ids); 2 for the rest. */
function minimumLength(kind: number): number {
  return kind === 29 ? 4 : 2;
}

function plural(n: number): string {
  return n === 1 ? 'byte' : 'bytes';
}

/**
 * The object behind every decoded option. `raw` is a view made on first use,
 * not at decode time: building a view per option cost more than the rest of
 * the option walk. Assigning `raw` replaces it. As `raw` lives on the
 * prototype, a spread copy (`{ ...option }`) does not carry it.
 */
class OptionView {
  declare type: TcpOption['type'];
  declare kind: number;
  declare offset: number;
  declare length: number;
  #src: Uint8Array;
  #end: number;
  #raw: Uint8Array | undefined;

  constructor(type: TcpOption['type'], kind: number, src: Uint8Array, start: number, end: number, length: number) {
    this.type = type;
    this.kind = kind;
    this.offset = start;
    this.length = length;
    this.#src = src;
    this.#end = end;
    this.#raw = undefined;
  }

  get raw(): Uint8Array {
    return this.#raw ?? this.#src.subarray(this.offset, this.#end);
  }

  set raw(bytes: Uint8Array) {
    this.#raw = bytes;
  }
}

/** A decoded option of type `T` over `src[start, end)`; the caller sets the type's own fields. */
function view<T extends TcpOption>(type: T['type'], kind: number, src: Uint8Array, start: number, end: number, length: number): T {
  return new OptionView(type, kind, src, start, end, length) as unknown as T;
}

function malformed(data: Uint8Array, at: number, end: number, length: number, why: string): TcpOption {
  const o = view<TcpOptUnknown>('unknown', data[at]!, data, at, end, length);
  o.malformed = why;
  o.data = data.subarray(Math.min(at + 2, end), end);
  return o;
}

/**
 * Decodes the options area `[start, areaEnd)` of a TCP header into `out`.
 * `capEnd` is where the captured bytes stop (at most `areaEnd`); an option cut
 * there is kept raw with a `truncated` finding.
 */
export function decodeTcpOptions(
  data: Uint8Array, start: number, areaEnd: number, capEnd: number, findings: Finding[], out: TcpOption[],
): TcpOption[] {
  let at = start;
  while (at < capEnd) {
    const kind = data[at]!;
    if (kind === 0) {
      // EOL carries the padding after it, so the area re-encodes as it was.
      out.push(view<TcpOptEol>('eol', kind, data, at, capEnd, 1));
      break;
    }
    if (kind === 1) {
      out.push(view<TcpOptNop>('nop', kind, data, at, at + 1, 1));
      at++;
      continue;
    }
    if (at + 1 >= capEnd) {
      if (capEnd < areaEnd) cut(data, at, capEnd, findings, out);
      else stop(data, at, capEnd, -1, `${tcpOptionName(kind)} (length byte past end of options)`, findings, out);
      break;
    }
    const len = data[at + 1]!;
    if (len < 2) {
      stop(data, at, capEnd, len, `${tcpOptionName(kind)} (with too-short option length = ${len} ${plural(len)})`, findings, out);
      break;
    }
    if (at + len > areaEnd) {
      stop(data, at, capEnd, len, `${tcpOptionName(kind)} (option length = ${len} ${plural(len)} says option goes past end of options)`, findings, out);
      break;
    }
    if (at + len > capEnd) {
      cut(data, at, capEnd, findings, out);
      break;
    }
    out.push(decodeOne(data, at, kind, len, findings));
    at += len;
  }
  return out;
}

function stop(data: Uint8Array, at: number, end: number, len: number, message: string, findings: Finding[], out: TcpOption[]): void {
  report(findings, 'error', 'tcp.option.bad_length', 'tcp', message, at);
  out.push(malformed(data, at, end, len < 0 ? 0 : len, message));
}

function cut(data: Uint8Array, at: number, end: number, findings: Finding[], out: TcpOption[]): void {
  const message = `${tcpOptionName(data[at]!)} cut short by the capture`;
  report(findings, 'error', 'truncated', 'tcp', message, at);
  out.push(malformed(data, at, end, at + 1 < end ? data[at + 1]! : 0, message));
}

/** One option whose length byte fits the area and the capture. */
function decodeOne(data: Uint8Array, at: number, kind: number, len: number, findings: Finding[]): TcpOption {
  const fixed = fixedLength(kind);
  const bad = fixed >= 0 ? len !== fixed
    : kind === 5 ? (len - 2) % 8 !== 0
    : len < minimumLength(kind);
  if (bad) {
    const message = fixed >= 0 ? `option length should be ${fixed}`
      : kind === 5 ? 'suboption would go past end of option'
      : `${tcpOptionName(kind)} (with too-short option length = ${len} ${plural(len)})`;
    report(findings, 'error', 'tcp.option.bad_length', 'tcp', message, at);
    return malformed(data, at, at + len, len, message);
  }
  const end = at + len;
  switch (kind) {
    case 2: {
      const o = view<TcpOptMss>('mss', kind, data, at, end, len);
      o.mss = u16(data, at + 2);
      return o;
    }
    case 3: {
      const o = view<TcpOptWscale>('wscale', kind, data, at, end, len);
      o.shift = data[at + 2]!;
      if (o.shift > MAX_WSCALE_SHIFT) {
        report(findings, 'warning', 'tcp.option.wscale_shift_invalid', 'tcp', `Window scale shift exceeds ${MAX_WSCALE_SHIFT}`, at + 2);
      }
      return o;
    }
    case 4:
      return view<TcpOptSackPerm>('sackPerm', kind, data, at, end, len);
    case 5: {
      const o = view<TcpOptSack>('sack', kind, data, at, end, len);
      o.blocks = [];
      for (let b = at + 2; b < end; b += 8) o.blocks.push([u32(data, b), u32(data, b + 4)]);
      return o;
    }
    case 8: {
      const o = view<TcpOptTimestamps>('timestamps', kind, data, at, end, len);
      o.tsval = u32(data, at + 2);
      o.tsecr = u32(data, at + 6);
      return o;
    }
    case 19: {
      const o = view<TcpOptMd5>('md5', kind, data, at, end, len);
      o.digest = data.subarray(at + 2, end);
      return o;
    }
    case 28: {
      const o = view<TcpOptUserTimeout>('userTimeout', kind, data, at, end, len);
      const v = u16(data, at + 2);
      o.granularityMinutes = v >= 0x8000;
      o.timeout = v & 0x7fff;
      return o;
    }
    case 29: {
      const o = view<TcpOptAo>('tcpAo', kind, data, at, end, len);
      o.keyId = data[at + 2]!;
      o.rnextKeyId = data[at + 3]!;
      o.mac = data.subarray(at + 4, end);
      return o;
    }
    case 30: {
      const o = view<TcpOptMptcp>('mptcp', kind, data, at, end, len);
      o.mptcp = decodeMptcpOption(data, at, len);
      if (o.mptcp.name === 'UNKNOWN' && o.mptcp.reason !== undefined) report(findings, 'error', 'malformed', 'mptcp', o.mptcp.reason, at);
      return o;
    }
    case 34:
    case 254: {
      const experimental = kind === 254;
      if (experimental && (len < 4 || u16(data, at + 2) !== FAST_OPEN_MAGIC)) break;
      const o = view<TcpOptFastOpen>('fastOpen', kind, data, at, end, len);
      o.experimental = experimental;
      o.cookie = data.subarray(at + (experimental ? 4 : 2), end);
      return o;
    }
  }
  const o = view<TcpOptUnknown>('unknown', kind, data, at, end, len);
  o.data = data.subarray(at + 2, end);
  return o;
}

// ------------------------------------------------------------------ encoding

/** Bytes `encodeTcpOption` writes for `o`. */
export function tcpOptionLength(o: TcpOption): number {
  if (o.malformed !== undefined) return o.raw.length;
  switch (o.type) {
    case 'eol': return Math.max(1, o.raw.length);
    case 'nop': return 1;
    case 'mss': return 4;
    case 'wscale': return 3;
    case 'sackPerm': return 2;
    case 'sack': return 2 + 8 * o.blocks.length;
    case 'timestamps': return 10;
    case 'md5': return 2 + o.digest.length;
    case 'userTimeout': return 4;
    case 'tcpAo': return 4 + o.mac.length;
    case 'fastOpen': return (o.experimental ? 4 : 2) + o.cookie.length;
    case 'mptcp': return mptcpOptionLength(o.mptcp);
    case 'unknown': return o.raw.length;
  }
}

/** Total length of a list of options. */
export function tcpOptionsLength(options: readonly TcpOption[]): number {
  let n = 0;
  for (const o of options) n += tcpOptionLength(o);
  return n;
}

/**
 * Writes option `o` at `at` from its typed fields (unknown and malformed
 * options from `raw`). The length byte is `o.length` as given, so options
 * with deliberately wrong lengths can be built. Returns the bytes written.
 */
export function encodeTcpOption(o: TcpOption, out: Uint8Array, at: number): number {
  const n = tcpOptionLength(o);
  if (o.malformed !== undefined || o.type === 'unknown') {
    out.set(o.raw, at);
    return n;
  }
  if (o.type === 'mptcp') {
    encodeMptcpOption(o.mptcp, out, at);
    return n;
  }
  out[at] = o.kind;
  if (o.type === 'eol') {
    // The padding that followed EOL, as it was.
    if (o.raw.length > 1) out.set(o.raw.subarray(1), at + 1);
    return n;
  }
  if (o.type === 'nop') return n;
  out[at + 1] = o.length;
  switch (o.type) {
    case 'mss': put16(out, at + 2, o.mss); break;
    case 'wscale': out[at + 2] = o.shift; break;
    case 'sackPerm': break;
    case 'sack':
      for (let i = 0; i < o.blocks.length; i++) {
        const [left, right] = o.blocks[i]!;
        put32(out, at + 2 + 8 * i, left);
        put32(out, at + 6 + 8 * i, right);
      }
      break;
    case 'timestamps':
      put32(out, at + 2, o.tsval);
      put32(out, at + 6, o.tsecr);
      break;
    case 'md5': out.set(o.digest, at + 2); break;
    case 'userTimeout': put16(out, at + 2, (o.granularityMinutes ? 0x8000 : 0) | (o.timeout & 0x7fff)); break;
    case 'tcpAo':
      out[at + 2] = o.keyId;
      out[at + 3] = o.rnextKeyId;
      out.set(o.mac, at + 4);
      break;
    case 'fastOpen':
      if (o.experimental) put16(out, at + 2, FAST_OPEN_MAGIC);
      out.set(o.cookie, at + (o.experimental ? 4 : 2));
      break;
  }
  return n;
}

/** Encodes a list of options back to back; returns the buffer (new when `buf` is omitted). */
export function encodeTcpOptions(options: readonly TcpOption[], buf?: Uint8Array, offset = 0): Uint8Array {
  const out = outBuffer(tcpOptionsLength(options), buf, offset);
  let at = offset;
  for (const o of options) at += encodeTcpOption(o, out, at);
  return out;
}
