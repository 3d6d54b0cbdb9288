/**
 * Wireshark's `matches` takes a PCRE2 pattern, case-insensitive unless the
 * pattern says `(?-i)`. This module rewrites the PCRE constructs JavaScript
 * spells differently (`\A`, `\z`, `\Q...\E`, `(?P<name>...)`, POSIX classes,
 * PCRE's `$` and `.`, leading option settings, extended mode) and rejects
 * those it cannot express (possessive quantifiers, atomic groups, recursion,
 * conditionals, Unicode properties), so a pattern never silently means
 * something else.
 */

/** A pattern mpscope cannot translate or JavaScript cannot compile. */
export class RegexError extends Error {}

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: 'A-Za-z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: '\\t\\n\\v\\f\\r ',
  blank: ' \\t',
  xdigit: '0-9A-Fa-f',
  word: '\\w',
  punct: '!-\\/:-@\\[-`{-~',
  cntrl: '\\x00-\\x1f\\x7f',
  print: ' -~',
  graph: '!-~',
  ascii: '\\x00-\\x7f',
};

/** Escapes whose meaning is the same in PCRE and JavaScript (outside and inside classes). */
const SAME_ESCAPES = new Set([...'dDwWsSbBnrtfv0123456789']);

/** Escapes PCRE has and JavaScript (without the `u` flag) does not, with what they are. */
const UNSUPPORTED_ESCAPES: Readonly<Record<string, string>> = {
  p: 'Unicode properties (\\p)',
  P: 'Unicode properties (\\P)',
  X: 'extended grapheme clusters (\\X)',
  R: 'newline sequences (\\R)',
  K: 'match-start resets (\\K)',
  G: 'the \\G anchor',
  C: 'single code units (\\C)',
  N: '\\N',
  g: 'numbered back references (\\g)',
  o: 'octal escapes in braces (\\o)',
  h: 'horizontal space (\\h)',
  H: 'horizontal space (\\H)',
  V: 'vertical space (\\V)',
};

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  x: boolean;
}

function escapeLiteral(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

class Translator {
  private i = 0;
  private out = '';
  readonly flags: Flags = { i: true, m: false, s: false, x: false };

  constructor(private readonly p: string) {}

  run(): RegExp {
    this.leadingOptions();
    while (this.i < this.p.length) this.atom();
    const flags = (this.flags.i ? 'i' : '') + (this.flags.m ? 'm' : '') + (this.flags.s ? 's' : '');
    try {
      return new RegExp(this.out, flags);
    } catch (e) {
      throw new RegexError((e as Error).message.replace(/^Invalid regular expression: /, ''));
    }
  }

  /** `(?i)`, `(?-i)`, `(?ms)`... at the very start set the flags of the whole pattern. */
  private leadingOptions(): void {
    for (;;) {
      const m = /^\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?\)/.exec(this.p.slice(this.i));
      if (!m) return;
      for (const [letters, on] of [[m[1] ?? '', true], [m[2] ?? '', false]] as const) {
        for (const c of letters) {
          if (c !== 'i' && c !== 'm' && c !== 's' && c !== 'x') throw new RegexError(`the option (?${c}) is not supported`);
          this.flags[c] = on;
        }
      }
      this.i += m[0].length;
    }
  }

  private atom(): void {
    const p = this.p;
    const c = p[this.i]!;
    if (this.flags.x && this.skipExtended()) return;
    switch (c) {
      case '\\':
        this.escape(false);
        return;
      case '[':
        this.charClass();
        return;
      case '(':
        this.group();
        return;
      case '.':
        this.out += this.flags.s ? '[\\s\\S]' : '[^\\n]';
        this.i++;
        return;
      case '$':
        // PCRE's $ also matches before a newline that ends the subject.
        this.out += this.flags.m ? '$' : '(?=\\n?(?![\\s\\S]))';
        this.i++;
        return;
      case '*':
      case '+':
      case '?':
        this.out += c;
        this.i++;
        this.quantifierSuffix();
        return;
      case '{': {
        const m = /^\{[0-9]+(?:,[0-9]*)?\}/.exec(p.slice(this.i));
        if (m) {
          this.out += m[0];
          this.i += m[0].length;
          this.quantifierSuffix();
        } else {
          this.out += '\\{';
          this.i++;
        }
        return;
      }
      case '}':
        this.out += '\\}';
        this.i++;
        return;
      case '/':
        this.out += '\\/';
        this.i++;
        return;
      default:
        this.out += c;
        this.i++;
    }
  }

  /** In extended mode (`(?x)`), whitespace and `#` comments outside classes are not part of the pattern. */
  private skipExtended(): boolean {
    const c = this.p[this.i]!;
    if (/\s/.test(c)) {
      this.i++;
      return true;
    }
    if (c === '#') {
      const nl = this.p.indexOf('\n', this.i);
      this.i = nl < 0 ? this.p.length : nl + 1;
      return true;
    }
    return false;
  }

  /** After a quantifier: `?` (lazy) is JavaScript too; `+` (possessive) is not. */
  private quantifierSuffix(): void {
    const n = this.p[this.i];
    if (n === '?') {
      this.out += '?';
      this.i++;
    } else if (n === '+') {
      throw new RegexError('possessive quantifiers (*+, ++, ?+) are not supported');
    }
  }

  private group(): void {
    const rest = this.p.slice(this.i);
    const keep = /^\((?:\?:|\?=|\?!|\?<=|\?<!|\?<(?=[A-Za-z_]))?/.exec(rest)![0];
    if (!rest.startsWith('(?') || keep !== '(') {
      this.out += keep;
      this.i += keep.length;
      return;
    }
    let m = /^\(\?(?:P<|')([A-Za-z_][A-Za-z0-9_]*)[>']/.exec(rest);
    if (m) {
      this.out += `(?<${m[1]}>`;
      this.i += m[0].length;
      return;
    }
    m = /^\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)/.exec(rest);
    if (m) {
      this.out += `\\k<${m[1]}>`;
      this.i += m[0].length;
      return;
    }
    if (rest.startsWith('(?#')) {
      const close = this.p.indexOf(')', this.i);
      if (close < 0) throw new RegexError('missing ) after (?# comment');
      this.i = close + 1;
      return;
    }
    const what = rest.startsWith('(?>')
      ? 'atomic groups (?>...)'
      : rest.startsWith('(?|')
        ? 'branch reset groups (?|...)'
        : rest.startsWith('(?(')
          ? 'conditional groups'
          : /^\(\?[-+]?[0-9R&]/.test(rest)
            ? 'recursion and subroutine calls'
            : /^\(\?[a-zA-Z-]*[:)]/.test(rest)
              ? 'option settings other than at the start of the pattern'
              : `the group "${rest.slice(0, 3)}"`;
    throw new RegexError(`${what} not supported`);
  }

  /** A backslash escape at `this.i`; `inClass` inside `[...]`. */
  private escape(inClass: boolean): void {
    const p = this.p;
    const c = p[this.i + 1];
    if (c === undefined) throw new RegexError('\\ at end of pattern');
    if (SAME_ESCAPES.has(c) || !/[A-Za-z]/.test(c)) {
      this.out += '\\' + c;
      this.i += 2;
      return;
    }
    this.i += 2;
    switch (c) {
      case 'e':
        this.out += '\\x1b';
        return;
      case 'a':
        this.out += '\\x07';
        return;
      case 'c':
        this.out += '\\c';
        return;
      case 'k': {
        const m = /^(?:<([A-Za-z_][A-Za-z0-9_]*)>|\{([A-Za-z_][A-Za-z0-9_]*)\}|'([A-Za-z_][A-Za-z0-9_]*)')/.exec(p.slice(this.i));
        if (!m || inClass) throw new RegexError('\\k must name a group: \\k<name>');
        this.out += `\\k<${m[1] ?? m[2] ?? m[3]}>`;
        this.i += m[0].length;
        return;
      }
      case 'x': {
        const m = /^\{([0-9a-fA-F]+)\}/.exec(p.slice(this.i));
        if (m) {
          const cp = parseInt(m[1]!, 16);
          if (cp > 0xffff) throw new RegexError(`\\x{${m[1]}} is beyond U+FFFF`);
          this.out += '\\u' + cp.toString(16).padStart(4, '0');
          this.i += m[0].length;
        } else {
          // PCRE takes zero to two hex digits; JavaScript wants exactly two.
          const h = /^[0-9a-fA-F]{0,2}/.exec(p.slice(this.i))![0];
          this.out += '\\x' + h.padStart(2, '0');
          this.i += h.length;
        }
        return;
      }
      case 'Q': {
        const end = p.indexOf('\\E', this.i);
        const literal = p.slice(this.i, end < 0 ? p.length : end);
        this.out += inClass ? literal.replace(/[\\\]^-]/g, '\\$&') : escapeLiteral(literal);
        this.i = end < 0 ? p.length : end + 2;
        return;
      }
      case 'E':
        return;
      case 'A':
      case 'z':
      case 'Z':
        if (inClass) throw new RegexError(`\\${c} is not allowed in a character class`);
        this.out += c === 'A' ? '(?<![\\s\\S])' : c === 'z' ? '(?![\\s\\S])' : '(?=\\n?(?![\\s\\S]))';
        return;
    }
    const why = UNSUPPORTED_ESCAPES[c];
    throw new RegexError(why ? `${why} not supported` : `unrecognized escape \\${c}`);
  }

  private charClass(): void {
    const p = this.p;
    this.out += '[';
    this.i++;
    if (p[this.i] === '^') {
      this.out += '^';
      this.i++;
    }
    // A ] right after [ or [^ is a literal in PCRE; in JavaScript it would close an empty class.
    if (p[this.i] === ']') {
      this.out += '\\]';
      this.i++;
    }
    for (;;) {
      const c = p[this.i];
      if (c === undefined) throw new RegexError('missing terminating ] for character class');
      if (c === ']') {
        this.out += ']';
        this.i++;
        return;
      }
      if (c === '\\') {
        this.escape(true);
        continue;
      }
      if (c === '[') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(p.slice(this.i));
        if (m) {
          const body = POSIX_CLASSES[m[2]!];
          if (body === undefined) throw new RegexError(`unknown POSIX class name [:${m[2]}:]`);
          if (m[1]) throw new RegexError(`negated POSIX classes ([:^${m[2]}:]) not supported`);
          this.out += body;
          this.i += m[0].length;
          continue;
        }
        this.out += '\\[';
        this.i++;
        continue;
      }
      this.out += c;
      this.i++;
    }
  }
}

/** Compiles a PCRE2 pattern, case-insensitive by default, into an equivalent JavaScript RegExp. Throws {@link RegexError}. */
export function compileRegex(pattern: string): RegExp {
  return new Translator(pattern).run();
}
