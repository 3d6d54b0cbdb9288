/** The display-filter lexer and parser: tokens, precedence, source positions, sets, slices and syntax errors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FilterError, parseFilter, tokenize } from '../../src/filter/index.js';
import type { Expr, Operand } from '../../src/filter/index.js';

/** A compact rendering of the tree: `(and A B)`, `(not A)`, `(== x y)`... */
function show(e: Expr): string {
  switch (e.kind) {
    case 'and':
    case 'or':
      return `(${e.kind} ${show(e.left)} ${show(e.right)})`;
    case 'not':
      return `(not ${show(e.operand)})`;
    case 'test':
      return operand(e.value);
    case 'compare':
      return `(${e.quantifier === 'all' ? 'all ' : ''}${e.op} ${operand(e.left)} ${operand(e.right)})`;
    case 'in':
      return `(${e.negated ? 'not-in' : 'in'} ${operand(e.left)} {${e.elements.map((el) => operand(el.lo) + (el.hi ? '..' + operand(el.hi) : '')).join(' ')}})`;
  }
}

function operand(o: Operand): string {
  switch (o.kind) {
    case 'word':
      return o.text;
    case 'string':
      return JSON.stringify(o.text);
    case 'char':
      return `'${o.value}'`;
    case 'call':
      return `${o.name}(${o.args.map(operand).join(',')})`;
    case 'slice':
      return `${operand(o.operand)}[${o.ranges.map((r) => `${r.start}${r.count !== undefined ? ':' + r.count : r.last !== undefined ? '-' + r.last : ':'}`).join(',')}]`;
    case 'bitand':
      return `(& ${operand(o.left)} ${operand(o.right)})`;
  }
}

const p = (text: string) => show(parseFilter(text));

function syntaxError(text: string): FilterError {
  try {
    parseFilter(text);
  } catch (e) {
    assert.ok(e instanceof FilterError, `${text}: ${String(e)}`);
    return e;
  }
  assert.fail(`${text}: parsed`);
}

describe('filter lexer', () => {
  it('keeps addresses, prefixes, byte strings and ranges in one word, and stops words at ".."', () => {
    const words = (text: string) => tokenize(text).filter((t) => t.type === 'word').map((t) => (t.type === 'word' ? t.text : ''));
    assert.deepEqual(words('ip.addr==10.0.0.0/8'), ['ip.addr', '10.0.0.0/8']);
    assert.deepEqual(words('ipv6.addr == fe80::/10'), ['ipv6.addr', 'fe80::/10']);
    assert.deepEqual(words('eth.src contains 00:1b'), ['eth.src', 'contains', '00:1b']);
    assert.deepEqual(words('{80..443}'), ['80', '443']);
    assert.deepEqual(words('{10.0.0.5..10.0.0.9}'), ['10.0.0.5', '10.0.0.9']);
    assert.deepEqual(words('f[-3--1]'), ['f', '-3--1']);
  });

  it('reads the longest operator', () => {
    const puncts = (text: string) => tokenize(text).filter((t) => t.type === 'punct').map((t) => (t.type === 'punct' ? t.text : ''));
    assert.deepEqual(puncts('a===b!==c~=d!=e<=f>=g&&h||!i&j~k'), ['===', '!==', '~=', '!=', '<=', '>=', '&&', '||', '!', '&', '~']);
  });

  it('decodes string escapes into bytes and text', () => {
    const s = tokenize('"a\\"b\\\\c\\x48\\110\\n\\u00e9\\t"')[0]!;
    assert.equal(s.type, 'string');
    if (s.type !== 'string') return;
    assert.equal(s.text, 'a"b\\cHH\né\t');
    assert.deepEqual([...s.bytes.slice(-3)], [0xc3, 0xa9, 0x09]);
    const raw = tokenize('r"\\d+\\"x"')[0]!;
    assert.ok(raw.type === 'string' && raw.raw && raw.text === '\\d+\\"x');
  });

  it('reads character constants', () => {
    for (const [text, value] of [["'a'", 97], ["'\\n'", 10], ["'\\x0a'", 10], ["'\\012'", 10], ["'\\''", 39]] as const) {
      const t = tokenize(text)[0]!;
      assert.ok(t.type === 'char' && t.value === value, text);
    }
  });

  it('points at what it cannot read', () => {
    for (const [text, pos, message] of [
      ['tcp.port = 80', 9, /"=" was unexpected.*"=="/],
      ['"abc', 0, /not terminated/],
      ['"a\\qb"', 2, /not a valid escape/],
      ["tcp.port == '80'", 12, /too long to be a valid character constant/],
      ['tcp.port == 1 + 2', 14, /arithmetic/],
      ['ip.addr#2', 7, /layer operator/],
    ] as const) {
      const e = syntaxError(text);
      assert.equal(e.position, pos, text);
      assert.match(e.message, message, text);
    }
  });
});

describe('filter parser', () => {
  it('binds not tighter than and, and tighter than or, both left-associative (tshark 4.0 takes mixed and/or without parentheses)', () => {
    assert.equal(p('a or b and c'), '(or a (and b c))');
    assert.equal(p('a and b or c'), '(or (and a b) c)');
    assert.equal(p('A and B or not C or D and not E or F'), '(or (or (or (and A B) (not C)) (and D (not E))) F)');
    assert.equal(p('not a and b'), '(and (not a) b)');
    assert.equal(p('!a || b && c'), '(or (not a) (and b c))');
    assert.equal(p('not not a'), '(not (not a))');
    assert.equal(p('(a or b) and c'), '(and (or a b) c)');
    assert.equal(p('a and b and c'), '(and (and a b) c)');
  });

  it('reads every spelling of every comparison with its default quantifier', () => {
    for (const [spelling, op] of [
      ['==', 'eq'], ['eq', 'eq'], ['any_eq', 'eq'], ['===', 'all eq'], ['all_eq', 'all eq'],
      ['!=', 'all ne'], ['ne', 'all ne'], ['all_ne', 'all ne'], ['!==', 'ne'], ['~=', 'ne'], ['any_ne', 'ne'],
      ['>', 'gt'], ['gt', 'gt'], ['>=', 'ge'], ['ge', 'ge'], ['<', 'lt'], ['lt', 'lt'], ['<=', 'le'], ['le', 'le'],
      ['contains', 'contains'], ['matches', 'matches'], ['~', 'matches'],
    ] as const) {
      assert.equal(p(`f ${spelling} 1`), `(${op} f 1)`, spelling);
    }
    assert.equal(p('all tcp.port > 1024'), '(all gt tcp.port 1024)');
    assert.equal(p('any ip.addr != 1.1.1.1'), '(ne ip.addr 1.1.1.1)');
  });

  it('reads sets with commas, with whitespace (Wireshark 3) and with ranges', () => {
    assert.equal(p('tcp.port in {80, 443}'), '(in tcp.port {80 443})');
    assert.equal(p('tcp.port in {80 443 8000..8080}'), '(in tcp.port {80 443 8000..8080})');
    assert.equal(p('tcp.port in{80,443 , 8000 .. 8080}'), '(in tcp.port {80 443 8000..8080})');
    assert.equal(p('tcp.port not in {80}'), '(not-in tcp.port {80})');
    assert.equal(p('not tcp.port in {80}'), '(not (in tcp.port {80}))');
    assert.equal(p('http.method in {"GET", "HEAD"}'), '(in http.method {"GET" "HEAD"})');
  });

  it('reads slices, functions and bitwise AND', () => {
    assert.equal(p('eth.src[0:3] == 00:00:83'), '(eq eth.src[0:3] 00:00:83)');
    assert.equal(p('f[1-3] == 1'), '(eq f[1-3] 1)');
    assert.equal(p('f[0]'), 'f[0:1]');
    assert.equal(p('f[:4]'), 'f[0:4]');
    assert.equal(p('f[-4:]'), 'f[-4:]');
    assert.equal(p('f[1,3-5,9:]'), 'f[1:1,3-5,9:]');
    assert.equal(p('len(tcp.payload) > 3'), '(gt len(tcp.payload) 3)');
    assert.equal(p('count(tcp.options.sack_le) >= 2'), '(ge count(tcp.options.sack_le) 2)');
    assert.equal(p('tcp.flags & 0x02'), '(& tcp.flags 0x02)');
    assert.equal(p('tcp.flags bitwise_and 0x12 == 0x12'), '(eq (& tcp.flags 0x12) 0x12)');
  });

  it('keeps source positions on every node', () => {
    const text = 'tcp.port == 80 and not (ip.src == 10.0.0.1)';
    const e = parseFilter(text);
    assert.equal(e.kind, 'and');
    if (e.kind !== 'and') return;
    assert.deepEqual([e.pos, e.end], [0, text.length - 1]);
    assert.equal(e.left.kind, 'compare');
    if (e.left.kind === 'compare') {
      assert.equal(text.slice(e.left.opSpan.pos, e.left.opSpan.end), '==');
      assert.equal(text.slice(e.left.right.pos, e.left.right.end), '80');
    }
    assert.equal(text.slice(e.right.pos, e.right.end), 'not (ip.src == 10.0.0.1');
  });

  it('rejects bad syntax with the place and tshark\'s words', () => {
    for (const [text, pos, message] of [
      ['', 0, /empty/],
      ['   ', 0, /empty/],
      ['tcp.port ==', 11, /Unexpected end of filter expression/],
      ['(tcp.port == 1', 14, /Unexpected end/],
      ['tcp.port == 1)', 13, /"\)" was unexpected in this context/],
      ['tcp.port == 1 2', 14, /"2" was unexpected/],
      ['and', 0, /"and" was unexpected/],
      ['tcp AND ip', 4, /"AND" was unexpected/],
      ['tcp.port in {}', 13, /"}" was unexpected/],
      ['tcp.port in {80,}', 16, /"}" was unexpected/],
      ['tcp.port in {80 ..}', 18, /"}" was unexpected/],
      ['tcp.port in {"a""b"}', 16, /was unexpected/],
      ['all tcp', 7, /Unexpected end/],
      ['f[0:0]', 2, /length 0 isn't positive/],
      ['f[5-2]', 2, /5 is greater than 2/],
      ['f[a]', 2, /not a valid slice range/],
      ['LEN(f) > 1', 0, /Function 'LEN' does not exist/],
      ['tcp.port == 10004 & tcp.port == 1', 29, /"==" was unexpected/],
    ] as const) {
      const e = syntaxError(text);
      assert.equal(e.position, pos, `${text}: ${e.message}`);
      assert.match(e.message, message, text);
      assert.ok(e.position + e.length <= text.length, text);
    }
  });
});
