/**
 * Bad input: thousands of seeded random filters (characters of the filter
 * alphabet, token soups of real field names, keywords and literals, and
 * mutations of valid filters). Compiling either succeeds, and the predicate
 * then answers true or false on real packets without throwing, or fails with
 * a FilterError that has a message and a place inside the text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listFields } from '../../src/fields/index.js';
import type { FieldContext } from '../../src/fields/index.js';
import { FilterError, compileFilter } from '../../src/filter/index.js';
import { syntheticContexts } from '../fields/synthetic.js';
import { rng } from '../helpers/rng.js';

const ALPHABET = 'abcdefilmnoprstuxyz0123456789._:-/ ' + '=!<>&|~()[]{},"\'\\#$+*%^' + 'ATEF\t\u00b7\u{1f600}';

const VALID = [
  'ip.addr == 10.0.0.2',
  'tcp.port in {80, 443 8000..8080}',
  'tcp.flags.syn == 1 && !tcp.flags.ack',
  'mptcp and tcp.options.mptcp.subtype in {0 1}',
  'ip.src == 10.0.0.0/8 or ipv6.addr == fe80::/10',
  'frame.len > 1000 and tcp.len >= 100 and tcp.len <= 200',
  'eth.src contains 00:1b and tcp.payload contains "GET"',
  'frame.protocols matches "(?i)mptcp$"',
  'tcp.options.mptcp.rawdataack > 0x7fffffffffffffff',
  'frame.number in {1..10} or frame.time_relative > 0.5',
  'tcp.payload[0:2] == 47:45 || len(tcp.payload) > 3',
  'count(tcp.options.sack_le) >= 2 && tcp.flags & 0x12 == 0x12',
  'not (udp or icmp) and frame.time >= "2020-01-13 15:51:06"',
  "tcp.dstport == 'P' or string(frame.number) matches \"[13579]$\"",
  'all tcp.port > 1024 and any ip.addr != 1.1.1.1 and ip.src ~= ip.dst',
];

function tokenVocabulary(): string[] {
  const names = listFields().map((f) => f.name);
  return [
    ...names.filter((_, i) => i % 7 === 0),
    'and', 'or', 'not', 'in', 'contains', 'matches', 'eq', 'ne', 'gt', 'all', 'any', 'bitwise_and', 'len', 'count', 'upper',
    '==', '!=', '===', '!==', '~=', '<', '<=', '>', '>=', '&&', '||', '!', '&', '~', '(', ')', '{', '}', '[', ']', ',', '..',
    '0', '1', '-1', '0x7f', '0777', '09', '18446744073709551616', '1.5', 'True', 'false', '10.0.0.1', '10.0.0.0/8', '300.1.1.1/40',
    'fe80::1', 'fe80::/10', ':::', '00:1b', '00:11:22:33:44:55', 'aa-bb', 'aabbc', '"GET"', '"\\x47"', '"(?i)x"', '"[a"', "'a'", "'\\n'",
    '0:2', '1-3', '-1:', ':0', '5-2', 'r"\\d"', '"2020-01-13 15:51:06"',
  ];
}

function mutate(text: string, rand: () => number): string {
  let s = text;
  const edits = 1 + Math.floor(rand() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * (s.length + 1));
    const ch = ALPHABET[Math.floor(rand() * ALPHABET.length)]!;
    switch (Math.floor(rand() * 5)) {
      case 0: s = s.slice(0, at) + ch + s.slice(at); break;
      case 1: s = s.slice(0, at) + s.slice(at + 1); break;
      case 2: s = s.slice(0, at) + ch + s.slice(at + 1); break;
      case 3: s = s.slice(0, at); break;
      default: {
        const from = Math.floor(rand() * s.length);
        s = s.slice(0, at) + s.slice(from, from + 1 + Math.floor(rand() * 6)) + s.slice(at);
      }
    }
  }
  return s;
}

interface Tally {
  compiled: number;
  rejected: number;
}

function exercise(text: string, ctxs: readonly FieldContext[], tally: Tally): void {
  let test: ((c: FieldContext) => boolean) | undefined;
  try {
    test = compileFilter(text).test;
  } catch (e) {
    assert.ok(e instanceof FilterError, `${JSON.stringify(text)} threw ${String(e)}`);
    assert.ok(e.message.length > 0, `${JSON.stringify(text)}: empty message`);
    assert.ok(e.position >= 0 && e.position + e.length <= text.length, `${JSON.stringify(text)}: span ${e.position}+${e.length} outside the text`);
    const shown = e.render(text);
    assert.ok(shown.startsWith(e.message) && shown.includes('^'), `${JSON.stringify(text)}: rendering`);
    tally.rejected++;
    return;
  }
  for (const c of ctxs) {
    const r = test(c);
    assert.equal(typeof r, 'boolean', JSON.stringify(text));
  }
  tally.compiled++;
}

describe('filter fuzzing', () => {
  const ctxs = syntheticContexts();

  it('random strings from the filter alphabet', () => {
    const rand = rng(0x5eed01);
    const tally = { compiled: 0, rejected: 0 };
    for (let n = 0; n < 4000; n++) {
      const len = Math.floor(rand() * 40);
      let s = '';
      for (let i = 0; i < len; i++) s += ALPHABET[Math.floor(rand() * ALPHABET.length)];
      exercise(s, ctxs, tally);
    }
    assert.ok(tally.rejected > 3000, `rejected ${tally.rejected}`);
  });

  it('token soups of field names, keywords, operators and literals', () => {
    const rand = rng(0x5eed02);
    const vocab = tokenVocabulary();
    const tally = { compiled: 0, rejected: 0 };
    for (let n = 0; n < 4000; n++) {
      const len = 1 + Math.floor(rand() * 8);
      const parts: string[] = [];
      for (let i = 0; i < len; i++) parts.push(vocab[Math.floor(rand() * vocab.length)]!);
      exercise(parts.join(rand() < 0.8 ? ' ' : ''), ctxs, tally);
    }
    assert.ok(tally.compiled > 100 && tally.rejected > 1000, `compiled ${tally.compiled}, rejected ${tally.rejected}`);
  });

  it('mutations of valid filters', () => {
    const rand = rng(0x5eed03);
    const tally = { compiled: 0, rejected: 0 };
    for (const v of VALID) exercise(v, ctxs, tally);
    assert.equal(tally.compiled, VALID.length, 'the seeds compile');
    for (let n = 0; n < 6000; n++) exercise(mutate(VALID[n % VALID.length]!, rand), ctxs, tally);
    assert.ok(tally.compiled > 300 && tally.rejected > 1000, `compiled ${tally.compiled}, rejected ${tally.rejected}`);
  });
});
