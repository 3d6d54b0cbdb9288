/**
 * Display-filter tokens. Field names, numbers, addresses and byte strings are
 * all one kind of token, a *word* (`tcp.port`, `10.0.0.0/8`, `fe80::1`,
 * `00:1b`, `0x7f`): what a word means depends on the field it is compared
 * with, which only the compiler knows. Quoted strings and character
 * constants have their escapes decoded here.
 */
import { FilterError } from './errors.js';

export type Punct =
  | '(' | ')' | '{' | '}' | '[' | ']' | ',' | '..'
  | '==' | '!=' | '===' | '!==' | '~=' | '<' | '<=' | '>' | '>='
  | '!' | '&&' | '||' | '&' | '~';

interface TokenBase {
  /** Offset of the first character in the filter text. */
  readonly pos: number;
  /** Offset just past the last character. */
  readonly end: number;
}

export interface WordToken extends TokenBase {
  readonly type: 'word';
  readonly text: string;
}

export interface StringToken extends TokenBase {
  readonly type: 'string';
  /** The decoded bytes (escapes applied; other characters in UTF-8). */
  readonly bytes: Uint8Array;
  /** The bytes as text (invalid UTF-8 replaced), for comparisons with string fields. */
  readonly text: string;
  /** Written `r"..."`: backslashes were kept as they are. */
  readonly raw: boolean;
}

export interface CharToken extends TokenBase {
  readonly type: 'char';
  /** The character's code (a byte for escapes, the code point otherwise). */
  readonly value: number;
}

export interface PunctToken extends TokenBase {
  readonly type: 'punct';
  readonly text: Punct;
}

export interface EndToken extends TokenBase {
  readonly type: 'end';
}

export type Token = WordToken | StringToken | CharToken | PunctToken | EndToken;

/** Longest first, so `===` wins over `==`. */
const PUNCTS: readonly Punct[] = [
  '===', '!==', '==', '!=', '~=', '<=', '>=', '&&', '||', '..',
  '(', ')', '{', '}', '[', ']', ',', '<', '>', '!', '&', '~',
];

/** Characters that may appear in a word: names, numbers, IPv4/IPv6 with prefix, MACs, byte strings, slice ranges. */
function isWordChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x30 && c <= 0x39) || // 0-9
    c === 0x5f || c === 0x2d || c === 0x2e || c === 0x3a || c === 0x2f // _ - . : /
  );
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** Characters people try from other filter languages, with what to say about them. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  '=': 'use "==" to compare',
  '+': 'arithmetic is not supported',
  '*': 'arithmetic is not supported',
  '%': 'arithmetic is not supported',
  '#': 'the layer operator (#) is not supported',
  $: 'field references and macros are not supported',
  '|': 'use "||" or "or"',
};

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  "'": 0x27, '"': 0x22, '\\': 0x5c, '?': 0x3f,
  a: 0x07, b: 0x08, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b,
};

const utf8 = new TextEncoder();
const utf8Lenient = new TextDecoder('utf-8');

function pushUtf8(out: number[], codePoint: number): void {
  for (const b of utf8.encode(String.fromCodePoint(codePoint))) out.push(b);
}

function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}

function isOctal(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '7';
}

/**
 * Reads one backslash escape at `text[i]` (the character after the
 * backslash), appending its bytes. Returns the offset after the escape.
 */
function readEscape(text: string, i: number, out: number[], escapePos: number): number {
  const c = text[i];
  if (c === undefined) throw new FilterError('The filter ends inside an escape sequence.', escapePos, 1);
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) {
    out.push(simple);
    return i + 1;
  }
  if (isOctal(c)) {
    let j = i;
    let v = 0;
    while (j < i + 3 && isOctal(text[j])) v = v * 8 + (text.charCodeAt(j++) - 0x30);
    if (v > 0xff) throw new FilterError(`"\\${text.slice(i, j)}" is not a valid octal escape (above \\377).`, escapePos, j - escapePos);
    out.push(v);
    return j;
  }
  if (c === 'x') {
    let j = i + 1;
    while (j < i + 3 && isHex(text[j])) j++;
    if (j === i + 1) throw new FilterError('"\\x" must be followed by one or two hex digits.', escapePos, 2);
    out.push(parseInt(text.slice(i + 1, j), 16));
    return j;
  }
  if (c === 'u' || c === 'U') {
    const n = c === 'u' ? 4 : 8;
    const digits = text.slice(i + 1, i + 1 + n);
    if (digits.length !== n || !/^[0-9a-fA-F]+$/.test(digits)) {
      throw new FilterError(`"\\${c}" must be followed by ${n} hex digits.`, escapePos, Math.min(text.length, i + 1 + n) - escapePos);
    }
    const cp = parseInt(digits, 16);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      throw new FilterError(`"\\${c}${digits}" is not a valid Unicode code point.`, escapePos, n + 2);
    }
    pushUtf8(out, cp);
    return i + 1 + n;
  }
  throw new FilterError(`"\\${c}" is not a valid escape sequence.`, escapePos, 1 + c.length);
}

export class Lexer {
  private i = 0;
  readonly tokens: Token[] = [];

  constructor(private readonly text: string) {}

  run(): Token[] {
    const t = this.text;
    while (this.i < t.length) {
      const c = t.charCodeAt(this.i);
      if (isSpace(c)) {
        this.i++;
        continue;
      }
      const ch = t[this.i]!;
      if (ch === '"') this.string(this.i, false);
      else if (ch === "'") this.char();
      else if ((ch === 'r' || ch === 'R') && t[this.i + 1] === '"') this.string(this.i + 1, true);
      else if (isWordChar(c) && !(ch === '.' && t[this.i + 1] === '.')) this.word();
      else this.punct();
    }
    this.tokens.push({ type: 'end', pos: t.length, end: t.length });
    return this.tokens;
  }

  private word(): void {
    const t = this.text;
    const pos = this.i;
    let j = pos;
    // A word stops before "..", which separates the ends of a range inside a set.
    while (j < t.length && isWordChar(t.charCodeAt(j)) && !(t[j] === '.' && t[j + 1] === '.')) j++;
    this.i = j;
    this.tokens.push({ type: 'word', pos, end: j, text: t.slice(pos, j) });
  }

  private punct(): void {
    const t = this.text;
    const pos = this.i;
    for (const p of PUNCTS) {
      if (t.startsWith(p, pos)) {
        this.i = pos + p.length;
        this.tokens.push({ type: 'punct', pos, end: this.i, text: p });
        return;
      }
    }
    const cp = t.codePointAt(pos)!;
    const ch = String.fromCodePoint(cp);
    const why = UNSUPPORTED[ch];
    throw new FilterError(`"${ch}" was unexpected in this context${why ? `: ${why}` : ''}.`, pos, ch.length);
  }

  /** A double-quoted string; `quote` is the offset of the opening quote (after the `r` of a raw string). */
  private string(quote: number, raw: boolean): void {
    const t = this.text;
    const pos = raw ? quote - 1 : quote;
    const out: number[] = [];
    let j = quote + 1;
    for (;;) {
      if (j >= t.length) throw new FilterError('The string starting here is not terminated by a double quote.', pos, t.length - pos);
      const ch = t[j]!;
      if (ch === '"') break;
      if (ch === '\\') {
        if (raw) {
          // Raw strings keep the backslash; it still stops a double quote from ending the string.
          out.push(0x5c);
          j++;
          if (j < t.length) {
            const cp = t.codePointAt(j)!;
            pushUtf8(out, cp);
            j += cp > 0xffff ? 2 : 1;
          }
          continue;
        }
        j = readEscape(t, j + 1, out, j);
        continue;
      }
      const cp = t.codePointAt(j)!;
      pushUtf8(out, cp);
      j += cp > 0xffff ? 2 : 1;
    }
    this.i = j + 1;
    const bytes = Uint8Array.from(out);
    this.tokens.push({ type: 'string', pos, end: this.i, bytes, text: utf8Lenient.decode(bytes), raw });
  }

  /** A C character constant: one character or one escape between single quotes. */
  private char(): void {
    const t = this.text;
    const pos = this.i;
    if (t[pos + 1] === "'") throw new FilterError("'' is not a valid character constant.", pos, 2);
    const close = t.indexOf("'", pos + 1 + (t[pos + 1] === '\\' ? 2 : 1));
    if (close < 0) throw new FilterError('The character constant starting here is not terminated by a single quote.', pos, t.length - pos);
    const inner = t.slice(pos + 1, close);
    let value: number;
    let used: number;
    if (inner.startsWith('\\')) {
      const out: number[] = [];
      const after = readEscape(t, pos + 2, out, pos + 1);
      used = after - (pos + 1);
      // \u escapes give several UTF-8 bytes: the constant is the code point itself.
      value = out.length === 1 ? out[0]! : utf8Lenient.decode(Uint8Array.from(out)).codePointAt(0)!;
    } else {
      const cp = inner.codePointAt(0)!;
      value = cp;
      used = cp > 0xffff ? 2 : 1;
    }
    if (used !== inner.length) {
      throw new FilterError(`'${inner}' is too long to be a valid character constant.`, pos, close + 1 - pos);
    }
    this.i = close + 1;
    this.tokens.push({ type: 'char', pos, end: this.i, value });
  }
}

/** Splits a filter into tokens, ending with an `end` token. Throws {@link FilterError}. */
export function tokenize(text: string): Token[] {
  return new Lexer(text).run();
}
