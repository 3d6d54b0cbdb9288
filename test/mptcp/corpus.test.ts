import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { describe, test } from 'node:test';
import { keyToIdsn, verifyDssChecksum } from '../../src/mptcp/index.js';
import { decodeMptcpOption } from '../../src/wire/mptcp.js';
import { SKIP_NO_SHARED, corpusCaptures, hasCommand } from '../helpers/shared.js';
import { compareWithTshark } from './tshark-compare.js';
import { tcpdumpDssTexts, tcpdumpExpectedDss } from './tcpdump-dss.js';
import { mptcpOptionSpans, tsharkMptcpFrames } from './tshark-options.js';

const SKIP_TSHARK = SKIP_NO_SHARED || (hasCommand('tshark') ? false : 'tshark not installed: cannot compare with its MPTCP fields');
const SKIP_TCPDUMP = SKIP_NO_SHARED || (hasCommand('tcpdump') ? false : 'tcpdump not installed: cannot compare with its DSS lines');

const mptcpCaptures = (): string[] => corpusCaptures().filter((f) => /mptcp|client_2|server_2/.test(basename(f)) || f.includes('/ptcpdump/'));

describe('MPTCP options of the public corpus against tshark 4.0', { skip: SKIP_TSHARK }, () => {
  for (const file of mptcpCaptures()) {
    test(basename(file), () => {
      const frames = tsharkMptcpFrames(file);
      assert.ok(frames.length > 0, 'capture has MPTCP options');
      const notes = new Map<string, number>();
      for (const f of frames) compareWithTshark(basename(file), f, notes);
      for (const [why, n] of notes) console.log(`# ${basename(file)}: ${n} x ${why}`);
    });
  }
});

// ------------------------------------------------------------- tcpdump DSS

describe('DSS options of the public corpus against tcpdump 4.99', { skip: SKIP_TSHARK || SKIP_TCPDUMP }, () => {
  for (const file of mptcpCaptures()) {
    test(basename(file), (t) => {
      const texts = tcpdumpDssTexts(file);
      let compared = 0;
      for (const f of tsharkMptcpFrames(file)) {
        const expected = tcpdumpExpectedDss(mptcpOptionSpans(f.options)
          .map(({ offset, length }) => decodeMptcpOption(f.options, offset, length)));
        assert.deepEqual(texts.get(f.frame) ?? [], expected, `${basename(file)} frame ${f.frame}`);
        compared += expected.length;
      }
      t.diagnostic(`${compared} DSS options compared`);
    });
  }
});

// ------------------------------------------------- DSS checksums end to end

/**
 * Every mapping that fits in its segment and carries a checksum must verify
 * with its full 64-bit DSN. 32-bit DSNs are expanded against the IDSNs of
 * every key seen in the capture (the connection owning the subflow is not
 * tracked here): a good checksum under one of them is the proof.
 */
describe('DSS checksums of the public corpus verify', { skip: SKIP_TSHARK }, () => {
  for (const file of mptcpCaptures()) {
    test(basename(file), (t) => {
      const frames = tsharkMptcpFrames(file);
      const idsns = new Set<bigint>();
      for (const f of frames) {
        for (const { offset, length } of mptcpOptionSpans(f.options)) {
          const o = decodeMptcpOption(f.options, offset, length);
          if (o.name === 'MP_CAPABLE' && o.senderKey !== undefined) idsns.add(keyToIdsn(o.senderKey, o.version === 0 ? 0 : 1));
          if (o.name === 'MP_CAPABLE' && o.receiverKey !== undefined) idsns.add(keyToIdsn(o.receiverKey, o.version === 0 ? 0 : 1));
        }
      }
      let good = 0;
      for (const f of frames) {
        for (const { offset, length } of mptcpOptionSpans(f.options)) {
          const o = decodeMptcpOption(f.options, offset, length);
          if (o.name !== 'DSS' || o.checksum === undefined || o.dsn === undefined) continue;
          // A mapping longer than the segment continues in later segments; DATA_FIN takes one DSN and no byte.
          const payloadLength = o.dataLength! - (o.dataFin ? 1 : 0);
          if (payloadLength !== f.tcpLen || f.payload.length !== f.tcpLen) continue;
          const candidates = o.dsnWidth === 8 ? [o.dsn] : [...idsns].flatMap((idsn) => expand32(o.dsn!, idsn));
          const ok = candidates.some((dsn) => verifyDssChecksum(dsn, o.ssn!, o.dataLength!, o.checksum!, f.payload) === 'good');
          assert.ok(ok, `${basename(file)} frame ${f.frame}: DSS checksum 0x${o.checksum.toString(16)} does not verify`);
          good++;
        }
      }
      if (good === 0) t.diagnostic('no checksummed single-segment mappings');
      else t.diagnostic(`${good} DSS checksums verified`);
    });
  }
});

/** The 64-bit DSNs near `idsn` whose low 32 bits are `low` (either side of a 2^32 carry). */
function expand32(low: bigint, idsn: bigint): bigint[] {
  const hi = idsn >> 32n;
  return [hi - 1n, hi, hi + 1n].map((h) => BigInt.asUintN(64, (h << 32n) | low));
}
