/**
 * `-T fields` against tshark 4.0 on every corpus capture and on hand-built
 * packets: every registry field tshark also has, every value equal, except
 * the differences listed here with their reasons.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { encodePcapng } from '../../src/capture/index.js';
import { SKIP_NO_SHARED, corpusCaptures, hasCommand } from '../helpers/shared.js';
import { SYNTHETIC, syntheticFrames } from './synthetic.js';
import { compareWithTshark, comparableFields, hasMalformedMptcp } from './tshark-compare.js';
import type { Comparison, Excuse, Mismatch } from './tshark-compare.js';

const SKIP_NO_TSHARK = hasCommand('tshark') ? false : 'tshark is not installed';

/** Protocols tshark finds inside payloads (mpscope shows those bytes as `data`). */
function applicationProtocols(m: Mismatch): boolean {
  if (m.field !== 'frame.protocols' || !m.ours.endsWith(':data')) return false;
  const base = m.ours.slice(0, -':data'.length);
  // Either an application dissector took the bytes, or TCP held them back for reassembly.
  return m.tshark === base || m.tshark.startsWith(base + ':');
}

const OPTION_LIST_FIELDS = new Set(['tcp.option_kind', 'tcp.option_len', 'tcp.options.eol', 'tcp.options.nop']);

/** Differences where tshark 4.0 is wrong or dissects what mpscope does not. */
const corpusExcuse: Excuse = (m, p) => {
  if (applicationProtocols(m)) return 'tshark dissects the payload as an application protocol';
  if (m.field === 'tcp.segment_data' && m.ours === '') return "tshark reassembles an application protocol's PDUs (TCP segment data); mpscope has no application dissectors";
  if (m.field === 'tcp.options.mptcp.checksum' && m.tshark === '' && p.tcp?.options.some((o) => o.type === 'mptcp' && o.mptcp.name === 'DSS')) {
    return 'tshark 4.0 never shows the DSS checksum: it wants 4 bytes left in the option for the 2-byte field';
  }
  if (OPTION_LIST_FIELDS.has(m.field) && hasMalformedMptcp(p) && m.ours.startsWith(m.tshark)) {
    return 'tshark stops reading TCP options at an MPTCP option too short for its subtype (exception), mpscope reads on';
  }
  return undefined;
};

function report(name: string, r: Comparison, t: { diagnostic(msg: string): void }): void {
  for (const [why, n] of r.excused) t.diagnostic(`${name}: ${n} values differ because ${why}`);
  const shown = r.mismatches.slice(0, 15).map((m) => `  frame ${m.frame} ${m.field}: tshark=${JSON.stringify(m.tshark)} mpscope=${JSON.stringify(m.ours)}`);
  assert.equal(r.mismatches.length, 0, `${name}: ${r.mismatches.length} of ${r.values} values differ from tshark:\n${shown.join('\n')}`);
  assert.ok(r.packets > 0, `${name}: no packets`);
}

describe('-T fields equals tshark on the corpus', { skip: SKIP_NO_SHARED || SKIP_NO_TSHARK }, () => {
  const names = comparableFields();
  it('compares a broad field list', () => {
    assert.ok(names.length > 200, `only ${names.length} comparable fields`);
    for (const n of ['frame.protocols', 'ip.addr', 'ipv6.addr', 'tcp.flags.str', 'tcp.options.mptcp.rawdataseqno', 'mptcp.expected_idsn']) {
      assert.ok(names.includes(n), n);
    }
  });
  for (const path of corpusCaptures()) {
    it(basename(path), async (t) => {
      report(basename(path), await compareWithTshark(path, names, corpusExcuse), t);
    });
  }
});

/** The hand-built packets where tshark and mpscope differ on purpose, by their description. */
const SYNTHETIC_EXCUSES: Record<string, (m: Mismatch) => string | undefined> = {
  'MP_CAPABLE version 2': (m) =>
    m.field.startsWith('mptcp.expected_') && m.tshark === '0' && m.ours === ''
      ? 'no key hash is defined for MPTCP version 2: tshark prints 0, mpscope leaves the token out'
      : undefined,
  'ICMPv6 packet too big': (m) =>
    m.field === 'tcp.seq' && m.tshark === '' ? 'tshark skips the sequence number of a TCP header quoted in ICMPv6 (it shows it for ICMP)' : undefined,
  'raw IP, truncated TCP header': () => 'mpscope does not decode a TCP header cut inside its first 20 bytes; tshark shows its ports',
};

describe('-T fields equals tshark on hand-built packets', { skip: SKIP_NO_TSHARK }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'mpscope-fields-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  it('every MPTCP form, rare options, link types, IPv6 extensions, ICMP quotes', async (t) => {
    const path = join(dir, 'synthetic.pcapng');
    writeFileSync(path, encodePcapng(syntheticFrames()));
    const excuse: Excuse = (m, p) => {
      const why = SYNTHETIC[m.frame - 1]!.why;
      return SYNTHETIC_EXCUSES[why]?.(m) ?? corpusExcuse(m, p);
    };
    const r = await compareWithTshark(path, comparableFields(), excuse);
    report('synthetic', r, t);
    assert.equal(r.packets, SYNTHETIC.length);
  });
});
