/**
 * The tcpdump format against tcpdump itself:
 *
 * 1. tcpdump's own regression tests (`corpus/public/tcpdump/TESTS.tsv`, the
 *    expected output of tcpdump master) for the MPTCP and plain TCP captures,
 *    run with the harness flags: every line must be equal.
 * 2. The local tcpdump (4.99.3 here) on every corpus capture with `-# -tttt`:
 *    every line must be equal once the few places where tcpdump master (which
 *    we follow) changed its output since 4.99.3 are written back in 4.99.3's
 *    words by the rules below, each counted.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';
import { CORPUS, SKIP_NO_SHARED, corpusCaptures, hasCommand } from '../helpers/shared.js';
import { formatCapture, optionsFromFlags, runTcpdump } from './tcpdump-corpus.js';

/** Compares line lists, reporting the first difference with its line number. */
function assertSameLines(actual: string[], expected: string[], label: string): void {
  const n = Math.max(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    if (actual[i] !== expected[i]) {
      assert.fail(`${label}: line ${i + 1} differs\n  ours:    ${actual[i]}\n  tcpdump: ${expected[i]}`);
    }
  }
}

// ------------------------------------------------------------- 1. master .out

interface HarnessTest { name: string; pcap: string; out: string; flags: string[] }

function harnessTests(): HarnessTest[] {
  if (SKIP_NO_SHARED) return [];
  const lines = readFileSync(join(CORPUS, 'tcpdump/TESTS.tsv'), 'utf8').split('\n').slice(1).filter((l) => l.trim() !== '');
  return lines.map((l) => {
    const [name, pcap, out, flags] = l.split('\t');
    return { name: name!, pcap: pcap!, out: out!, flags: (flags ?? '').split(' ').filter((f) => f !== '') };
  });
}

/** The rows this format must reproduce: every MPTCP capture and the plain TCP ones. */
const WANTED = /^(mptcp-|tcp-handshake-|tcp_rst_data|tcp_eight_lowest_weight_flags_set$|ssh$|dns_tcp|ipv4_tcp_http_xml$)/;

describe('tcpdump master expected outputs (TESTS.tsv)', { skip: SKIP_NO_SHARED }, () => {
  const rows = harnessTests().filter((t) => WANTED.test(t.name));
  test('the table lists the MPTCP and plain TCP tests', () => {
    assert.equal(rows.filter((t) => t.name.startsWith('mptcp-')).length, 7);
    assert.equal(rows.length, 17);
  });
  for (const t of rows) {
    test(t.name, () => {
      // The harness adds -tttt unless the flags hold SPECIAL_t; -# and -n always.
      const special = t.flags.includes('SPECIAL_t');
      const flags = ['-#', ...t.flags.filter((f) => f !== 'SPECIAL_t')];
      const ours = formatCapture(join(CORPUS, 'tcpdump', t.pcap), optionsFromFlags(flags, special ? 'default' : 'tttt'));
      const expected = readFileSync(join(CORPUS, 'tcpdump', t.out), 'utf8').replace(/\n$/, '').split('\n');
      assertSameLines(ours, expected, t.name);
    });
  }
});

// ------------------------------------------------------ 2. local tcpdump 4.99.3

/**
 * Where tcpdump master prints differently from 4.99.3. A rule rewrites our
 * (master-style) line in 4.99.3's words, or 4.99.3's line in master's, which
 * ever direction keeps the information; the lines each rule changed are
 * counted, so a rule never hides more than it should.
 */
interface Rule {
  name: string;
  why: string;
  ours?: (line: string) => string;
  theirs?: (line: string) => string;
}

const RULES: Rule[] = [
  {
    name: 'mp_capable',
    why: '4.99.3 prints neither the MP_CAPABLE flags (`flags [H]`) nor the v1 data-level length (`data_len=`)',
    ours: (l) => l.replace(/(capable v\d) flags \[[A-Hnoe]+\]/g, '$1').replace(/,data_len=\d+\}/g, '}'),
  },
  {
    name: 'mp_tcprst',
    why: '4.99.3 does not decode MP_TCPRST (subtype 8) and calls it unknown',
    ours: (l) => l.replace(/mptcp 4 tcprst flags \[\w+\] reason [^,\]]+/g, 'mptcp 4 unknown'),
  },
  {
    name: 'rst_payload',
    why: '4.99.3 hands the data of a RST to the port printer without -v (`: HTTP`); master only prints it under -v',
    theirs: (l) => (/Flags \[R[^\]]*\].*, length [1-9]\d*: HTTP$/.test(l) ? l.slice(0, -6) : l),
  },
  {
    name: 'http_unterminated',
    why: '4.99.3 marks a last HTTP line without CRLF as cut short (` [|http]`); master prints it as it is',
    theirs: (l) => (/: HTTP: .* \[\|http\]$/.test(l) ? l.slice(0, -8) : l),
  },
  {
    name: 'raw_link_header',
    why: 'under -e 4.99.3 names a raw IP packet `ip: `, master `IP `',
    theirs: (l) => l.replace(/ ip: (?=[\d.]+ > )/, ' IP '),
  },
  {
    name: 'ip_length_exceeds_wire',
    why: '4.99.3 says `truncated-ip - N bytes missing!` and sizes TCP by the IP total length; master says ' +
      '`[total length T > length L] (invalid)` and sizes it by the bytes on the wire',
    ours: (l) => l.replace(/\[total length (\d+) > length (\d+)\] \(invalid\) (.*)$/, (_all, t: string, w: string, rest: string) => {
      const missing = Number(t) - Number(w);
      const fixed = rest
        .replace(/seq (\d+):(\d+)/, (_s, a: string, b: string) => `seq ${a}:${Number(b) + missing}`)
        .replace(/length (\d+)(: |$)/, (_s, n: string, tail: string) => `length ${Number(n) + missing}${tail}`)
        .replace(/: tcp (\d+)$/, (_s, n: string) => `: tcp ${Number(n) + missing}`);
      return `truncated-ip - ${missing} bytes missing! ${fixed}`;
    }),
  },
];

/** Lines each rule is expected to change over the whole corpus. */
const EXPECTED_REWRITES: Record<string, number> = {
  mp_capable: 50,
  mp_tcprst: 2,
  rst_payload: 1,
  http_unterminated: 1,
  raw_link_header: 0,
  ip_length_exceeds_wire: 5,
};

/**
 * Flag sets run against the local tcpdump. `-v` output is covered by the
 * master expected outputs above: 4.99.3 differs from master in too many
 * verbose details (checksums of cut segments, `-vv` remarks) to compare here.
 */
const FLAG_SETS: Array<{ flags: string[]; rewrites: Record<string, number> }> = [
  { flags: ['-#', '-tttt'], rewrites: EXPECTED_REWRITES },
  { flags: ['-S'], rewrites: EXPECTED_REWRITES },
  { flags: ['-e'], rewrites: { ...EXPECTED_REWRITES, raw_link_header: 2 } },
  { flags: ['-ttt'], rewrites: EXPECTED_REWRITES },
  { flags: ['-ttttt', '--nano'], rewrites: EXPECTED_REWRITES },
  { flags: ['-tt', '-#'], rewrites: EXPECTED_REWRITES },
  { flags: ['-t'], rewrites: EXPECTED_REWRITES },
  // -q leaves out the options and the payload printers, so only the IP length rule applies.
  { flags: ['-q'], rewrites: { mp_capable: 0, mp_tcprst: 0, rst_payload: 0, http_unterminated: 0, raw_link_header: 0, ip_length_exceeds_wire: 5 } },
];

const SKIP_LOCAL = SKIP_NO_SHARED || (!hasCommand('tcpdump') && 'tcpdump is not installed');

for (const { flags, rewrites } of FLAG_SETS) {
  describe(`local tcpdump ${flags.join(' ')} on every corpus capture`, { skip: SKIP_LOCAL }, () => {
    const counts: Record<string, number> = {};
    for (const r of RULES) counts[r.name] = 0;
    const captures = corpusCaptures();
    const apply = (lines: string[], side: 'ours' | 'theirs'): string[] => lines.map((line) => {
      let l = line;
      for (const r of RULES) {
        const f = r[side];
        if (f === undefined) continue;
        const next = f(l);
        if (next !== l) counts[r.name]!++;
        l = next;
      }
      return l;
    });
    for (const path of captures) {
      test(basename(path), () => {
        const ours = apply(formatCapture(path, optionsFromFlags(flags)), 'ours');
        const theirs = apply(runTcpdump(path, flags), 'theirs');
        assertSameLines(ours, theirs, basename(path));
      });
    }
    test('each 4.99.3 difference changed exactly the expected lines', () => {
      assert.ok(captures.length >= 25, `corpus has ${captures.length} captures`);
      assert.deepEqual(counts, rewrites);
    });
  });
}
