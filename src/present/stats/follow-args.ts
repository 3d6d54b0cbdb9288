/**
 * The arguments of `-z follow,tcp|udp,MODE,FILTER[,RANGE]`, read as tshark
 * 4.0 reads them: MODE is ascii, ebcdic, hex, raw or yaml; FILTER a stream
 * index or two `ADDRESS:PORT` endpoints (`[IPv6]:PORT`); RANGE the chunks
 * to show, `N` or `N-M`, counted from 1. tshark reads the numbers with C's
 * scanf, so a sign, leading blanks and 32-bit wrap-around are accepted the
 * same way here, and the errors carry tshark's words.
 */
import { UsageError } from '../../util/errors.js';
import { parseIpv4, parseIpv6 } from '../../util/ip-text.js';
import { ipv4String, ipv6String } from '../tshark/addr.js';

export type FollowMode = 'ascii' | 'ebcdic' | 'hex' | 'raw' | 'yaml';
export type FollowProto = 'tcp' | 'udp';

/** An endpoint of the address form of the filter. */
export interface FollowEndpoint {
  readonly v6: boolean;
  /** The address as tshark writes it (and as packets' addresses are compared). */
  readonly addr: string;
  readonly port: number;
}

export interface FollowSpec {
  readonly proto: FollowProto;
  readonly mode: FollowMode;
  /** The stream index, or the two endpoints (in either direction). */
  readonly stream?: number | undefined;
  readonly endpoints?: readonly [FollowEndpoint, FollowEndpoint] | undefined;
  /** First and last chunk shown, counted from 1 (u32). */
  readonly chunkMin: number;
  readonly chunkMax: number;
  /** The display filter the report names. */
  readonly filterText: string;
}

const MODES: readonly FollowMode[] = ['hex', 'ascii', 'ebcdic', 'raw', 'yaml'];
/** Longest address text tshark reads between the brackets or before the colon. */
const ADDR_CHARS = 80;
const U32 = 0x1_0000_0000n;
const U64_MAX = (1n << 64n) - 1n;
const I64_MAX = (1n << 63n) - 1n;

function fail(what: string, proto: FollowProto): never {
  throw new UsageError(`follow - ${what}`, `-z follow,${proto},ascii|ebcdic|hex|raw|yaml,STREAM|ADDR:PORT,ADDR:PORT[,N|N-M]   e.g. -z follow,${proto},ascii,0`);
}

/** A number as scanf's %d (`signed`) or %u reads it: blanks, a sign, digits; the low 32 bits of the C long it makes. */
function scanNumber(text: string, at: number, signed: boolean): { value: number; end: number } | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)/.exec(text.slice(at));
  if (m === null) return undefined;
  let v = BigInt(m[2]!);
  const negative = m[1] === '-';
  if (signed) {
    // strtol saturates at LONG_MAX / LONG_MIN.
    if (negative) v = v > I64_MAX + 1n ? -(I64_MAX + 1n) : -v;
    else if (v > I64_MAX) v = I64_MAX;
  } else {
    // strtoul saturates at ULONG_MAX, and negates what it read when a minus leads.
    if (v > U64_MAX) v = U64_MAX;
    else if (negative) v = -v;
  }
  return { value: Number(((v % U32) + U32) % U32), end: at + m[0].length };
}

/** The 32-bit value scanf stored, as C's int. */
const asInt32 = (u: number): number => u | 0;

function parseMode(text: string, proto: FollowProto): { mode: FollowMode; end: number } {
  // tshark compares prefixes: what follows the mode name is read as the filter.
  const mode = MODES.find((m) => text.startsWith(`,${m}`));
  if (mode === undefined) fail('Invalid display mode.', proto);
  return { mode, end: mode.length + 1 };
}

/** `,ADDR:PORT` or `,[ADDR6]:PORT` at `at`: the bracketed form is tried first, as tshark does. */
function parseEndpoint(text: string, at: number, proto: FollowProto): { ep: FollowEndpoint; end: number } {
  const rest = text.slice(at);
  let found: { addr: string; port: { value: number; end: number }; v6: boolean } | undefined;
  for (const [re, v6] of [[/^,\[([^\]]+)\]:/, true], [/^,([^:]+):/, false]] as const) {
    const m = re.exec(rest);
    const port = m === null || m[1]!.length > ADDR_CHARS ? undefined : scanNumber(text, at + m[0].length, true);
    if (port !== undefined) {
      found = { addr: m![1]!, port, v6 };
      break;
    }
  }
  if (found === undefined) fail('Invalid address.', proto);
  const port = asInt32(found.port.value);
  if (port <= 0 || port > 0xffff) fail('Invalid port.', proto);
  const addr = found.v6 ? parseIpv6(found.addr) : strictIpv4(found.addr);
  if (addr === undefined) fail(found.v6 ? "Can't get IPv6 address" : "Can't get IPv4 address", proto);
  const addrText = typeof addr === 'number' ? ipv4String(addr) : ipv6String(addr);
  return { ep: { v6: found.v6, addr: addrText, port }, end: found.port.end };
}

/** A dotted quad as inet_pton reads it: no leading zeros. */
function strictIpv4(text: string): number | undefined {
  return text.split('.').some((p) => p.length > 1 && p.startsWith('0')) ? undefined : parseIpv4(text);
}

function filterFor(proto: FollowProto, stream: number | undefined, eps: readonly [FollowEndpoint, FollowEndpoint] | undefined): string {
  if (eps === undefined) return `${proto}.stream eq ${stream}`;
  const [a, b] = eps;
  const ip = a.v6 ? 'ipv6' : 'ip';
  const side = (x: FollowEndpoint, y: FollowEndpoint): string =>
    `((${ip}.src eq ${x.addr} and ${proto}.srcport eq ${x.port}) and (${ip}.dst eq ${y.addr} and ${proto}.dstport eq ${y.port}))`;
  return `${side(a, b)} or ${side(b, a)}`;
}

/** Reads `args` (what follows `follow,tcp,` or `follow,udp,`); a UsageError with tshark's words when tshark would refuse it. */
export function parseFollowArgs(proto: FollowProto, args: string): FollowSpec {
  const text = `,${args}`;
  const { mode, end: modeEnd } = parseMode(text, proto);
  let at = modeEnd;

  let stream: number | undefined;
  let endpoints: [FollowEndpoint, FollowEndpoint] | undefined;
  const index = text[at] === ',' ? scanNumber(text, at + 1, true) : undefined;
  if (index !== undefined && (index.end === text.length || text[index.end] === ',')) {
    // tshark writes the index into its filter as a C int: a negative one makes a filter that does not compile.
    stream = asInt32(index.value);
    if (stream < 0) fail('Error registering tap listener.', proto);
    at = index.end;
  } else {
    const a = parseEndpoint(text, at, proto);
    const b = parseEndpoint(text, a.end, proto);
    if (a.ep.v6 !== b.ep.v6) fail('Mismatched IP address types.', proto);
    endpoints = [a.ep, b.ep];
    at = b.end;
  }

  let chunkMin = 1;
  let chunkMax = 0xffff_ffff;
  if (at < text.length) {
    const lo = text[at] === ',' ? scanNumber(text, at + 1, false) : undefined;
    if (lo === undefined) fail('Invalid range.', proto);
    const hi = text[lo.end] === '-' ? scanNumber(text, lo.end + 1, false) : undefined;
    chunkMin = lo.value;
    chunkMax = hi === undefined ? lo.value : hi.value;
    at = hi === undefined ? lo.end : hi.end;
    if (chunkMin < 1 || chunkMin > chunkMax) fail('Invalid range value.', proto);
  }
  if (at < text.length) fail('Invalid parameter.', proto);
  return { proto, mode, stream, endpoints, chunkMin, chunkMax, filterText: filterFor(proto, stream, endpoints) };
}
