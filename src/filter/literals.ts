/**
 * Readers for the literal spellings a display filter accepts: integers in
 * decimal, hex, octal and binary, IPv4 and IPv6 addresses with prefixes, byte
 * strings, seconds and dates. Each returns `undefined` when the text is not
 * of its form; the compiler turns that into an error naming the field.
 */
import type { TimeValue } from '../fields/index.js';

const DECIMAL = /^[1-9][0-9]*$/;
const OCTAL = /^0[0-7]*$/;
const HEX = /^0[xX][0-9a-fA-F]+$/;
const BINARY = /^0[bB][01]+$/;

/** An integer as Wireshark spells it: `123`, `0x7b`, `0173` (octal), `0b1111011`, with an optional minus sign. */
export function parseInteger(text: string): bigint | undefined {
  const negative = text.startsWith('-');
  const digits = negative ? text.slice(1) : text;
  let v: bigint;
  if (DECIMAL.test(digits) || HEX.test(digits) || BINARY.test(digits)) v = BigInt(digits);
  else if (OCTAL.test(digits)) v = BigInt('0o' + (digits.slice(1) || '0'));
  else return undefined;
  return negative ? -v : v;
}

/** A hex integer of at most one byte (`0x7f`), which Wireshark lets stand for that byte in byte comparisons. */
export function parseHexByte(text: string): number | undefined {
  return HEX.test(text) && text.length <= 4 ? parseInt(text.slice(2), 16) : undefined;
}

const FLOAT = /^-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/** A floating-point number (`1.5`, `-2`, `1e-3`) or an integer in any base. */
export function parseDouble(text: string): number | undefined {
  if (FLOAT.test(text)) return Number(text);
  const i = parseInteger(text);
  return i === undefined ? undefined : Number(i);
}

export { parseIpv4, parseIpv6 } from '../util/ip-text.js';

/** An address with an optional `/prefix`: the address text and the prefix text (undefined without a slash). */
export function splitPrefix(text: string): { addr: string; prefix: string | undefined } {
  const slash = text.indexOf('/');
  return slash < 0 ? { addr: text, prefix: undefined } : { addr: text.slice(0, slash), prefix: text.slice(slash + 1) };
}

/**
 * Bytes written as hex: `aa:bb:cc`, `aa-bb-cc`, `aa.bb.cc` (one or two
 * digits between separators, or even runs like Cisco's `0011.2233.4455`),
 * or one unseparated run of hex digits (`aabbcc`, a lone digit is one byte).
 */
export function parseByteString(text: string): Uint8Array | undefined {
  if (!/^[0-9a-fA-F]+(?:[:.-][0-9a-fA-F]+)*$/.test(text)) return undefined;
  const out: number[] = [];
  for (const g of text.split(/[:.-]/)) {
    if (g.length <= 2) out.push(parseInt(g, 16));
    else if (g.length % 2 === 0) for (let i = 0; i < g.length; i += 2) out.push(parseInt(g.slice(i, i + 2), 16));
    else return undefined;
  }
  return Uint8Array.from(out);
}

const NS_PER_S = 1_000_000_000n;

/** A signed number of seconds with up to nine decimals (more are cut), exact to the nanosecond. */
export function parseSeconds(text: string): TimeValue | undefined {
  const m = /^(-?)([0-9]+)(?:\.([0-9]*))?$/.exec(text) ?? /^(-?)()\.([0-9]+)$/.exec(text);
  if (!m) return undefined;
  const frac = (m[3] ?? '').slice(0, 9).padEnd(9, '0');
  let ns = BigInt(m[2] || '0') * NS_PER_S + BigInt(frac);
  if (m[1] === '-') ns = -ns;
  // Floor division keeps 0 <= nsec < 1e9, the form of every time value.
  let sec = ns / NS_PER_S;
  let nsec = ns - sec * NS_PER_S;
  if (nsec < 0n) {
    nsec += NS_PER_S;
    sec -= 1n;
  }
  return { sec: Number(sec), nsec: Number(nsec) };
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

const ISO_TIME =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?)? *(Z|UTC|[+-][0-9]{2}:?[0-9]{2})?$/i;
const LEGACY_TIME = /^([A-Za-z]{3}) +([0-9]{1,2}), *([0-9]{4})(?: +([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?)?(?: +(UTC))?$/i;

/**
 * A date and time, ISO 8601 (`2020-01-13 15:51:06.5`, `2020-01-13T15:51:06Z`,
 * `+02:00` offsets; time optional) or Wireshark's own `Jan 13, 2020
 * 15:51:06.676845 UTC`. Without a zone it is local time, as in Wireshark.
 */
export function parseDateTime(text: string): TimeValue | undefined {
  let y: number, mo: number, d: number;
  let m = ISO_TIME.exec(text.trim());
  if (m) {
    y = Number(m[1]);
    mo = Number(m[2]);
    d = Number(m[3]);
  } else {
    m = LEGACY_TIME.exec(text.trim());
    if (!m) return undefined;
    const month = MONTHS.indexOf(m[1]!.toLowerCase());
    if (month < 0) return undefined;
    y = Number(m[3]);
    mo = month + 1;
    d = Number(m[2]);
  }
  const h = Number(m[4] ?? 0);
  const mi = Number(m[5] ?? 0);
  const s = Number(m[6] ?? 0);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const zone = m[8]?.toUpperCase();
  let ms: number;
  if (zone === undefined) {
    const local = new Date(y, mo - 1, d, h, mi, s);
    if (local.getDate() !== d) return undefined;
    ms = local.getTime();
  } else {
    ms = Date.UTC(y, mo - 1, d, h, mi, s);
    if (new Date(ms).getUTCDate() !== d) return undefined;
    if (zone !== 'Z' && zone !== 'UTC') {
      const sign = zone.startsWith('-') ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
      ms -= sign * offset * 60_000;
    }
  }
  const nsec = Number((m[7] ?? '').slice(0, 9).padEnd(9, '0'));
  return { sec: Math.floor(ms / 1000), nsec };
}

/** Wireshark's spellings of booleans: `True`/`False` (any case here), or a number, non-zero meaning true. */
export function parseBoolean(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  const i = parseInteger(text);
  return i === undefined ? undefined : i !== 0n;
}
