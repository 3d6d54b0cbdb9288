/** PCRE2 patterns as `matches` takes them, translated to JavaScript: same answers, or a clear refusal. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegexError, compileRegex } from '../../src/filter/regex.js';

function check(pattern: string, subject: string, expected: boolean): void {
  assert.equal(compileRegex(pattern).test(subject), expected, `${JSON.stringify(pattern)} on ${JSON.stringify(subject)}`);
}

describe('matches: PCRE to JavaScript', () => {
  it('is case-insensitive unless the pattern turns it off', () => {
    check('mptcp', 'MPTCP', true);
    check('(?-i)mptcp', 'MPTCP', false);
    check('(?-i)MPTCP', 'MPTCP', true);
    check('(?i)MPTCP', 'mptcp', true);
    check('(?-i)(?i)a', 'A', true);
  });

  it('keeps PCRE\'s meaning of $, . and anchors', () => {
    check('tcp$', 'ip:tcp\n', true);
    check('tcp$', 'ip:tcp\n\n', false);
    check('tcp\\z', 'ip:tcp\n', false);
    check('tcp\\Z', 'ip:tcp\n', true);
    check('\\Aip', 'ip:tcp', true);
    check('\\Atcp', 'ip:tcp', false);
    check('a.b', 'a\nb', false);
    check('(?s)a.b', 'a\nb', true);
    check('a.b', 'a\rb', true);
    check('(?m)^b$', 'a\nb\nc', true);
    check('^b$', 'a\nb\nc', false);
  });

  it('translates PCRE spellings JavaScript lacks', () => {
    check('\\Qa.b\\E', 'a.b', true);
    check('\\Qa.b\\E', 'axb', false);
    check('[[:digit:]]+x', 'ab12x', true);
    check('^[[:alpha:]_]+$', 'ab_C', true);
    check('^[[:alpha:]_]+$', 'ab1', false);
    check('(?P<w>ab)(?P=w)', 'abab', true);
    check("(?'w'ab)\\k{w}", 'abab', true);
    check('a(?#comment)b', 'ab', true);
    check('\\x{41}\\x42\\x9', 'AB\t', true);
    check('\\e\\a', '\x1b\x07', true);
    check('[]a]+$', 'a]a', true);
    check('[^]a]', ']', false);
    check('(?x) a b  # spaced out\n c', 'abc', true);
    check('a{2}b{1,}c{,2}', 'aabc{,2}', true);
    check('10/8', '10/8', true);
    check('a+?b*?c??', 'abc', true);
  });

  it('refuses what it cannot translate', () => {
    for (const [pattern, why] of [
      ['a*+', /possessive/],
      ['(?>a)', /atomic/],
      ['(a)(?1)', /recursion/],
      ['(?(1)a|b)', /conditional/],
      ['a(?i)b', /option settings other than at the start/],
      ['(?i:a)', /option settings/],
      ['\\p{L}', /Unicode properties/],
      ['\\R', /newline sequences/],
      ['[[:^alpha:]]', /negated POSIX/],
      ['[[:letter:]]', /unknown POSIX class/],
      ['(?U)a', /option \(\?U\)/],
      ['[a', /missing terminating \]/],
      ['a)', /.+/],
      ['\\', /at end of pattern/],
      ['\\y', /unrecognized escape/],
    ] as const) {
      assert.throws(() => compileRegex(pattern), (e: unknown) => e instanceof RegexError && why.test(e.message), pattern);
    }
  });
});
