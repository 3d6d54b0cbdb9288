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
import { decodeMptcpOption, encodeMptcpOption, mptcpOptionLength, mptcpOptionMalformed, mptcpOptionOverrun } from './mptcp.js';
import type {
  Finding, TcpOptAo, TcpOptEol, TcpOptFastOpen, TcpOptMd5, TcpOptMptcp, TcpOptMss, TcpOptNop, TcpOption, TcpOptSack,
  TcpOptSackPerm, TcpOptTimestamps, TcpOptUnknown, TcpOptUserTimeout, TcpOptWscale, TcpRepr,
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

const NO_BYTES = new Uint8Array(0);

/** Why the walk's current option is malformed (NONE: it is not). */
export const OptionProblem = {
  NONE: 0,
  /** A known kind with a length wrong for it: kept malformed, and the walk goes on after it. */
  BAD_LENGTH: 1,
  /** The options end before the length byte. The rest of the area is then one malformed option, and the walk ends. */
  NO_LENGTH: 2,
  /** A length byte below 2 (the walk ends). */
  TOO_SHORT: 3,
  /** A length running past the options area (the walk ends). */
  PAST_AREA: 4,
  /** The capture ends inside the option (the walk ends). */
  CUT: 5,
} as const;

/**
 * Walks an options area in place, option by option, by the rules of the
 * module comment: the one walk behind the decoder, and the way for callers
 * that only read a few values (the TCP analysis, the packet list) to get at
 * them without building option objects. One object serves any number of
 * walks, one at a time.
 */
export class TcpOptionWalk {
  data: Uint8Array = NO_BYTES;
  /** The current option: offset of its kind byte, kind, length (as a decoded option's `length` says), and end of its bytes. */
  at = 0;
  kind = 0;
  length = 0;
  end = 0;
  /** An OptionProblem value. */
  problem = 0;
  private pos = 0;
  private areaEnd = 0;
  private capEnd = 0;

  /** Starts a walk over the area `[start, areaEnd)` of `data` whose captured bytes end at `capEnd` (at most `areaEnd`). */
  reset(data: Uint8Array, start: number, areaEnd: number, capEnd: number): this {
    this.data = data;
    this.pos = start;
    this.areaEnd = areaEnd;
    this.capEnd = capEnd;
    return this;
  }

  /** Starts a walk over the options of a decoded TCP header whose frame bytes are `data`. */
  over(data: Uint8Array, tcp: TcpRepr): this {
    const declared = tcp.dataOffset * 4;
    const areaEnd = tcp.offset + (declared > TCP_FIXED_HEADER ? declared : TCP_FIXED_HEADER);
    const capEnd = tcp.offset + tcp.length;
    return this.reset(data, tcp.offset + TCP_FIXED_HEADER, areaEnd, capEnd < areaEnd ? capEnd : areaEnd);
  }

  /** Moves to the next option; false when the walk is over. */
  next(): boolean {
    const at = this.pos;
    const capEnd = this.capEnd;
    if (at >= capEnd) return false;
    const data = this.data;
    const kind = data[at]!;
    this.at = at;
    this.kind = kind;
    this.problem = OptionProblem.NONE;
    if (kind === 1) {
      this.length = 1;
      this.end = this.pos = at + 1;
      return true;
    }
    // Kept short so that callers' optimized code takes it in: whole options here, the rest in `last`.
    const len = at + 1 < capEnd ? data[at + 1]! : 0;
    if (kind === 0 || len < 2 || at + len > capEnd) return this.last(at, kind, len);
    this.length = len;
    this.end = this.pos = at + len;
    if (lengthWrong(kind, len)) this.problem = OptionProblem.BAD_LENGTH;
    return true;
  }

  /** EOL, or an option that is not whole: it takes the rest of the captured area, and the walk ends after it. */
  private last(at: number, kind: number, len: number): boolean {
    const capEnd = this.capEnd;
    this.end = this.pos = capEnd;
    if (kind === 0) {
      this.length = 1;
    } else if (at + 1 >= capEnd) {
      this.length = 0;
      this.problem = capEnd < this.areaEnd ? OptionProblem.CUT : OptionProblem.NO_LENGTH;
    } else {
      this.length = len;
      this.problem = len < 2 ? OptionProblem.TOO_SHORT : at + len > this.areaEnd ? OptionProblem.PAST_AREA : OptionProblem.CUT;
    }
    return true;
  }

  /** The current option is whole and its length right for its kind. */
  get sound(): boolean {
    return this.problem === OptionProblem.NONE;
  }

  // The fields of the current option, read in place; each for a sound option of its kind.

  /** MSS (kind 2). */
  get mss(): number {
    return u16(this.data, this.at + 2);
  }

  /** Window scale shift as sent (kind 3). */
  get shift(): number {
    return this.data[this.at + 2]!;
  }

  /** Timestamps (kind 8). */
  get tsval(): number {
    return u32(this.data, this.at + 2);
  }

  get tsecr(): number {
    return u32(this.data, this.at + 6);
  }

  /** SACK (kind 5): the whole blocks its length covers in the captured bytes (a malformed option's too). */
  get sackBlocks(): number {
    const end = Math.min(this.data.length, this.at + this.length);
    return end - this.at < 10 ? 0 : Math.floor((end - this.at - 2) / 8);
  }

  sackLeft(block: number): number {
    return u32(this.data, this.at + 2 + 8 * block);
  }

  sackRight(block: number): number {
    return u32(this.data, this.at + 6 + 8 * block);
  }

  /** User Timeout value (kind 28), without the granularity bit. */
  get userTimeout(): number {
    return u16(this.data, this.at + 2) & 0x7fff;
  }

  /** Fast Open (kind 34, or 254 with the experiment's magic): the cookie's length; -1 for another option. */
  get fastOpenCookie(): number {
    return fastOpenCookieLength(this.data, this.at, this.kind, this.length);
  }

  /** MPTCP (kind 30): shorter than its own bytes announce (see mptcpOptionOverrun). */
  get mptcpOverrun(): boolean {
    return mptcpOptionOverrun(this.data, this.at, this.length);
  }

  /** MPTCP (kind 30): its length fits no form of its subtype (see mptcpOptionMalformed). */
  get mptcpMalformed(): boolean {
    return mptcpOptionMalformed(this.data, this.at, this.length);
  }
}

const TCP_FIXED_HEADER = 20;

/** Exact lengths by kind, -1 for kinds without one (fixedLength as a table, for the walk). */
const FIXED_LENGTHS = Int8Array.from({ length: 256 }, (_, kind) => fixedLength(kind));

/** A known kind whose length (at least 2) is not what the kind needs. */
function lengthWrong(kind: number, len: number): boolean {
  const fixed = FIXED_LENGTHS[kind]!;
  if (fixed >= 0) return len !== fixed;
  return kind === 5 ? (len - 2) % 8 !== 0 : len < minimumLength(kind);
}

/** Fast Open (kind 34, or 254 with the experiment's magic) of `len` bytes at `at`: the cookie's length; -1 for another option. */
export function fastOpenCookieLength(data: Uint8Array, at: number, kind: number, len: number): number {
  const cookieAt = fastOpenCookieAt(data, at, kind, len);
  return cookieAt < 0 ? -1 : len - cookieAt;
}

/** Where a Fast Open cookie starts in an option of `kind` at `at` (2, or 4 after kind 254's magic); -1 when the option is not Fast Open. */
function fastOpenCookieAt(data: Uint8Array, at: number, kind: number, len: number): number {
  if (kind === 34) return 2;
  return kind === 254 && len >= 4 && u16(data, at + 2) === FAST_OPEN_MAGIC ? 4 : -1;
}

/** The finding of a malformed option, and its message (the malformed option keeps it). */
function reportProblem(w: TcpOptionWalk, findings: Finding[]): string {
  const { kind, length: len, at } = w;
  let message: string;
  switch (w.problem) {
    case OptionProblem.CUT:
      message = `${tcpOptionName(kind)} cut short by the capture`;
      report(findings, 'error', 'truncated', 'tcp', message, at);
      return message;
    case OptionProblem.NO_LENGTH: message = `${tcpOptionName(kind)} (length byte past end of options)`; break;
    case OptionProblem.PAST_AREA: message = `${tcpOptionName(kind)} (option length = ${len} ${plural(len)} says option goes past end of options)`; break;
    case OptionProblem.BAD_LENGTH: {
      const fixed = fixedLength(kind);
      message = fixed >= 0 ? `option length should be ${fixed}` : kind === 5 ? 'suboption would go past end of option' : tooShort(kind, len);
      break;
    }
    default: message = tooShort(kind, len);
  }
  report(findings, 'error', 'tcp.option.bad_length', 'tcp', message, at);
  return message;
}

function tooShort(kind: number, len: number): string {
  return `${tcpOptionName(kind)} (with too-short option length = ${len} ${plural(len)})`;
}

/** One walk for the decoder below (it never calls itself). */
const decodeWalk = new TcpOptionWalk();

/** `tcpOptionKinds` bit of the MPTCP kind (30); kinds above 30 share bit 31. */
export const OPTION_KIND_MPTCP = 1 << 30;

/**
 * The kinds present in an options area whose captured bytes end at
 * `capEnd` when decoding it would report nothing (no length problem, no window scale above 14, no inconsistent
 * MPTCP option): bit k for kind k below 31, bit 31 for any higher kind, as
 * an unsigned number. -1 when decoding would report something. Then the
 * option objects can wait until someone reads them (the packet's findings
 * are complete already), and readers that only look for a few kinds learn
 * from the bits whether to walk at all.
 *
 * The walk's rules for a sound option, in a loop of its own over local
 * variables: this runs for every segment decoded, and the walk object's
 * per-option bookkeeping cost more than the check itself.
 */
export function tcpOptionKinds(data: Uint8Array, start: number, capEnd: number): number {
  let kinds = 0;
  let at = start;
  while (at < capEnd) {
    const kind = data[at]!;
    if (kind === 1) {
      kinds |= 2;
      at++;
      continue;
    }
    if (kind === 0) return (kinds | 1) >>> 0;
    if (at + 1 >= capEnd) return -1;
    const len = data[at + 1]!;
    if (len < 2 || at + len > capEnd || lengthWrong(kind, len)) return -1;
    if (kind === 3 && data[at + 2]! > MAX_WSCALE_SHIFT) return -1;
    if (kind === 30 && mptcpOptionMalformed(data, at, len)) return -1;
    kinds |= 1 << (kind < 31 ? kind : 31);
    at += len;
  }
  return kinds >>> 0;
}

/**
 * In an options area the decoder found sound (`TcpRepr.optionKinds` >= 0):
 * where the first option at or after `at` that is not a NOP starts, or `end`
 * at the end-of-list option or the end. Every option is whole there, so a
 * reader steps with `at + data[at + 1]`:
 * `for (let at = nextSoundOption(d, start, end); at < end; at = nextSoundOption(d, at + d[at + 1]!, end))`.
 */
export function nextSoundOption(data: Uint8Array, at: number, end: number): number {
  while (at < end) {
    const kind = data[at]!;
    if (kind !== 1) return kind === 0 ? end : at;
    at++;
  }
  return end;
}

/** True when decoding the options area would report nothing (see `tcpOptionKinds`). */
export function tcpOptionsClean(data: Uint8Array, start: number, areaEnd: number, capEnd: number): boolean {
  return tcpOptionKinds(data, start, capEnd) >= 0;
}

/**
 * Decodes the options area `[start, areaEnd)` of a TCP header into `out`.
 * `capEnd` is where the captured bytes stop (at most `areaEnd`); an option cut
 * there is kept raw with a `truncated` finding.
 */
export function decodeTcpOptions(
  data: Uint8Array, start: number, areaEnd: number, capEnd: number, findings: Finding[], out: TcpOption[],
): TcpOption[] {
  const w = decodeWalk.reset(data, start, areaEnd, capEnd);
  while (w.next()) {
    if (w.problem === OptionProblem.NONE) out.push(decodeOne(data, w.at, w.kind, w.length, w.end, findings));
    else out.push(malformed(data, w.at, w.end, w.length, reportProblem(w, findings)));
  }
  return out;
}

/** One whole option whose length suits its kind. */
function decodeOne(data: Uint8Array, at: number, kind: number, len: number, end: number, findings: Finding[]): TcpOption {
  switch (kind) {
    case 0:
      return view<TcpOptEol>('eol', kind, data, at, end, 1);
    case 1:
      return view<TcpOptNop>('nop', kind, data, at, end, 1);
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
      const cookieAt = fastOpenCookieAt(data, at, kind, len);
      if (cookieAt < 0) break;
      const o = view<TcpOptFastOpen>('fastOpen', kind, data, at, end, len);
      o.experimental = kind === 254;
      o.cookie = data.subarray(at + cookieAt, end);
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
