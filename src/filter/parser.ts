/**
 * Display-filter grammar, by precedence from loosest to tightest:
 *
 * ```
 * expr     = and { ("or" | "||") and }
 * and      = not { ("and" | "&&") not }
 * not      = ("not" | "!") not | test
 * test     = "(" expr ")" | ["all" | "any"] operand [relation]
 * relation = cmp operand | ["not"] "in" set | ("contains" | "matches" | "~") operand
 * set      = "{" element { ("," | whitespace) element } "}"     element = operand [".." operand]
 * operand  = primary { "[" ranges "]" } { ("&" | "bitwise_and") primary }
 * primary  = word | "string" | r"raw string" | 'c' | function "(" [operand { "," operand }] ")"
 * ```
 *
 * Keywords are lowercase, as in Wireshark. Sets may separate their elements
 * with commas (Wireshark 4) or with whitespace alone (Wireshark 3).
 */
import type { Compare, CompareOp, Expr, Operand, Quantifier, SetElement, SliceRange, Span } from './ast.js';
import { FilterError } from './errors.js';
import { tokenize } from './lexer.js';
import type { Punct, Token } from './lexer.js';

/** Every spelling of a comparison, with its operator and default quantifier. */
const COMPARISONS: ReadonlyMap<string, readonly [CompareOp, Quantifier]> = new Map([
  ['==', ['eq', 'any']], ['eq', ['eq', 'any']], ['any_eq', ['eq', 'any']],
  ['!=', ['ne', 'all']], ['ne', ['ne', 'all']], ['all_ne', ['ne', 'all']],
  ['===', ['eq', 'all']], ['all_eq', ['eq', 'all']],
  ['!==', ['ne', 'any']], ['~=', ['ne', 'any']], ['any_ne', ['ne', 'any']],
  ['>', ['gt', 'any']], ['gt', ['gt', 'any']],
  ['>=', ['ge', 'any']], ['ge', ['ge', 'any']],
  ['<', ['lt', 'any']], ['lt', ['lt', 'any']],
  ['<=', ['le', 'any']], ['le', ['le', 'any']],
  ['contains', ['contains', 'any']],
  ['matches', ['matches', 'any']], ['~', ['matches', 'any']],
] as const);

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'all', 'any', 'bitwise_and', ...[...COMPARISONS.keys()].filter((k) => /^[a-z]/.test(k))]);

/** Functions the parser recognises; the compiler says which of them mpscope evaluates. */
export const FUNCTION_NAMES: ReadonlySet<string> = new Set(['len', 'count', 'upper', 'lower', 'string', 'min', 'max', 'abs']);

function describe(t: Token, text: string): string {
  return text.slice(t.pos, t.end);
}

class Parser {
  private k = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: readonly Token[],
  ) {}

  parse(): Expr {
    const e = this.expr();
    const t = this.peek();
    if (t.type !== 'end') throw this.unexpected(t);
    return e;
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.k + ahead, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.type !== 'end') this.k++;
    return t;
  }

  private isPunct(t: Token, p: Punct): boolean {
    return t.type === 'punct' && t.text === p;
  }

  private isWord(t: Token, w: string): boolean {
    return t.type === 'word' && t.text === w;
  }

  private unexpected(t: Token): FilterError {
    if (t.type === 'end') return new FilterError('Unexpected end of filter expression.', t.pos, 0);
    return new FilterError(`"${describe(t, this.text)}" was unexpected in this context.`, t.pos, t.end - t.pos);
  }

  private expect(p: Punct): Token {
    const t = this.peek();
    if (!this.isPunct(t, p)) throw this.unexpected(t);
    return this.next();
  }

  private expr(): Expr {
    let left = this.and();
    for (let t = this.peek(); this.isWord(t, 'or') || this.isPunct(t, '||'); t = this.peek()) {
      this.next();
      const right = this.and();
      left = { kind: 'or', left, right, pos: left.pos, end: right.end };
    }
    return left;
  }

  private and(): Expr {
    let left = this.not();
    for (let t = this.peek(); this.isWord(t, 'and') || this.isPunct(t, '&&'); t = this.peek()) {
      this.next();
      const right = this.not();
      left = { kind: 'and', left, right, pos: left.pos, end: right.end };
    }
    return left;
  }

  private not(): Expr {
    const t = this.peek();
    if (this.isWord(t, 'not') || this.isPunct(t, '!')) {
      this.next();
      const operand = this.not();
      return { kind: 'not', operand, pos: t.pos, end: operand.end };
    }
    return this.test();
  }

  private startsOperand(t: Token): boolean {
    return t.type === 'string' || t.type === 'char' || (t.type === 'word' && !KEYWORDS.has(t.text));
  }

  private test(): Expr {
    const open = this.peek();
    if (this.isPunct(open, '(')) {
      this.next();
      const inner = this.expr();
      this.expect(')');
      return inner;
    }
    let quantifier: Token | undefined;
    if ((this.isWord(open, 'all') || this.isWord(open, 'any')) && this.startsOperand(this.peek(1))) quantifier = this.next();
    const left = this.operand();
    const t = this.peek();
    const spelled = t.type === 'word' || t.type === 'punct' ? COMPARISONS.get(t.text) : undefined;
    if (spelled) {
      this.next();
      const right = this.operand();
      const cmp: Compare = {
        kind: 'compare',
        op: spelled[0],
        quantifier: quantifier?.type === 'word' ? (quantifier.text as Quantifier) : spelled[1],
        left,
        right,
        opSpan: { pos: t.pos, end: t.end },
        pos: quantifier?.pos ?? left.pos,
        end: right.end,
      };
      return cmp;
    }
    if (quantifier) {
      if (t.type === 'end') throw this.unexpected(t);
      throw new FilterError(`"${describe(quantifier, this.text)}" must be followed by a comparison, not "${describe(t, this.text)}".`, t.pos, t.end - t.pos);
    }
    const negated = this.isWord(t, 'not') && this.isWord(this.peek(1), 'in');
    if (this.isWord(t, 'in') || negated) {
      this.next();
      const opEnd = negated ? this.next().end : t.end;
      const elements = this.set();
      const last = this.tokens[this.k - 1]!;
      return { kind: 'in', negated, left, elements, opSpan: { pos: t.pos, end: opEnd }, pos: left.pos, end: last.end };
    }
    return { kind: 'test', value: left, pos: left.pos, end: left.end };
  }

  private set(): SetElement[] {
    this.expect('{');
    const out: SetElement[] = [];
    for (;;) {
      const lo = this.operand();
      let hi: Operand | undefined;
      if (this.isPunct(this.peek(), '..')) {
        this.next();
        hi = this.operand();
      }
      out.push({ lo, hi, pos: lo.pos, end: (hi ?? lo).end });
      const t = this.peek();
      if (this.isPunct(t, '}')) {
        this.next();
        return out;
      }
      if (this.isPunct(t, ',')) {
        this.next();
        continue;
      }
      // Wireshark 3 separated elements by whitespace alone; a missing separator is more likely a typo.
      const prev = this.tokens[this.k - 1]!;
      if (this.startsOperand(t) && t.pos > prev.end) continue;
      throw this.unexpected(t);
    }
  }

  private operand(): Operand {
    let left = this.sliced();
    for (let t = this.peek(); this.isPunct(t, '&') || this.isWord(t, 'bitwise_and'); t = this.peek()) {
      this.next();
      const right = this.sliced();
      left = { kind: 'bitand', left, right, pos: left.pos, end: right.end };
    }
    return left;
  }

  private sliced(): Operand {
    let value = this.primary();
    while (this.isPunct(this.peek(), '[')) {
      this.next();
      const ranges = this.ranges();
      const close = this.expect(']');
      value = { kind: 'slice', operand: value, ranges, pos: value.pos, end: close.end };
    }
    return value;
  }

  private primary(): Operand {
    const t = this.peek();
    switch (t.type) {
      case 'string':
        this.next();
        return { kind: 'string', bytes: t.bytes, text: t.text, raw: t.raw, pos: t.pos, end: t.end };
      case 'char':
        this.next();
        return { kind: 'char', value: t.value, pos: t.pos, end: t.end };
      case 'word': {
        if (KEYWORDS.has(t.text)) throw this.unexpected(t);
        this.next();
        if (this.isPunct(this.peek(), '(')) return this.call(t.text, t);
        return { kind: 'word', text: t.text, pos: t.pos, end: t.end };
      }
      default:
        throw this.unexpected(t);
    }
  }

  private call(name: string, at: Span): Operand {
    if (!FUNCTION_NAMES.has(name)) throw new FilterError(`Function '${name}' does not exist.`, at.pos, at.end - at.pos);
    this.expect('(');
    const args: Operand[] = [];
    if (!this.isPunct(this.peek(), ')')) {
      args.push(this.operand());
      while (this.isPunct(this.peek(), ',')) {
        this.next();
        args.push(this.operand());
      }
    }
    const close = this.expect(')');
    return { kind: 'call', name, nameSpan: { pos: at.pos, end: at.end }, args, pos: at.pos, end: close.end };
  }

  private ranges(): SliceRange[] {
    const out: SliceRange[] = [];
    for (;;) {
      const t = this.peek();
      if (t.type !== 'word') throw this.unexpected(t);
      this.next();
      out.push(parseRange(t.text, t));
      if (!this.isPunct(this.peek(), ',')) return out;
      this.next();
    }
  }
}

const INT = '(-?\\d+)';
const SINGLE = new RegExp(`^${INT}$`);
const LENGTH = new RegExp(`^${INT}?:${INT}?$`);
const INCLUSIVE = new RegExp(`^${INT}-${INT}$`);

/** One slice range (`0:2`, `1-3`, `-1`, `:4`, `2:`), validated as far as it can be without the field's length. */
function parseRange(text: string, at: Span): SliceRange {
  const span = { pos: at.pos, end: at.end };
  const bad = (why: string) => new FilterError(`Range ${text} isn't valid because ${why}.`, at.pos, at.end - at.pos);
  let m = SINGLE.exec(text);
  if (m) return { ...span, start: Number(m[1]), count: 1 };
  m = LENGTH.exec(text);
  if (m && (m[1] !== undefined || m[2] !== undefined)) {
    const start = m[1] === undefined ? 0 : Number(m[1]);
    if (m[2] === undefined) return { ...span, start };
    const count = Number(m[2]);
    if (count <= 0) throw bad(`length ${m[2]} isn't positive`);
    return { ...span, start, count };
  }
  m = INCLUSIVE.exec(text);
  if (m) {
    const start = Number(m[1]);
    const last = Number(m[2]);
    if (start >= 0 === last >= 0 && start > last) throw bad(`${m[1]} is greater than ${m[2]}`);
    return { ...span, start, last };
  }
  throw new FilterError(`"${text}" is not a valid slice range (use i:length, i-j, i, :length or i:).`, at.pos, at.end - at.pos);
}

/** Parses a display filter into its syntax tree. Throws {@link FilterError}. */
export function parseFilter(text: string): Expr {
  const tokens = tokenize(text);
  if (tokens.length === 1) throw new FilterError('The filter is empty.', 0, 0);
  return new Parser(text, tokens).parse();
}
