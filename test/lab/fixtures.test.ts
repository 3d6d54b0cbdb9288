/**
 * The committed lab captures (test/fixtures/lab) show what their MANIFEST
 * says, the project reads them as tshark does, and the project's MPTCP
 * cryptography agrees with what the Linux kernel put on the wire.
 * Needs tshark; no root.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, hasCommand } from '../helpers/shared.js';
import { SCENARIOS, assertScenario } from './claims.js';
import { tsharkFrames } from './inspect.js';
import type { FrameRecord } from './inspect.js';
import { SKIP_NO_CRYPTO, SKIP_NO_DECODER, assertCryptoVerifies, assertDecodesLikeTshark } from './project.js';

const FIXTURES = join(ROOT, 'test/fixtures/lab');
const EXAMPLE = join(ROOT, 'examples/mptcp-lab.pcapng');
const SKIP_NO_TSHARK: string | false = hasCommand('tshark') ? false : 'tshark is not installed (apt-get install tshark)';

const tsharkCache = new Map<string, FrameRecord[]>();
function framesOf(file: string): FrameRecord[] {
  let frames = tsharkCache.get(file);
  if (!frames) tsharkCache.set(file, (frames = tsharkFrames(file)));
  return frames;
}

const files = readdirSync(FIXTURES).filter((n) => n.endsWith('.pcapng')).sort();

describe('lab fixtures', () => {
  it('has one capture per scenario, each listed in MANIFEST.md and small', () => {
    assert.deepEqual(files, Object.keys(SCENARIOS).map((s) => `${s}.pcapng`).sort());
    const manifest = readFileSync(join(FIXTURES, 'MANIFEST.md'), 'utf8');
    for (const f of files) {
      assert.ok(manifest.includes(f), `${f} is described in MANIFEST.md`);
      assert.ok(statSync(join(FIXTURES, f)).size < 2 << 20, `${f} stays under 2 MB`);
    }
  });

  it('examples/mptcp-lab.pcapng is the two-subflow capture', () => {
    assert.deepEqual(readFileSync(EXAMPLE), readFileSync(join(FIXTURES, 'mptcp-v4-2subflows.pcapng')));
  });

  for (const [scenario, claims] of Object.entries(SCENARIOS)) {
    const file = join(FIXTURES, `${scenario}.pcapng`);

    it(`${scenario}: ${claims.shows}`, { skip: SKIP_NO_TSHARK }, () => {
      assertScenario(scenario, file, framesOf(file));
    });

    it(`${scenario}: the project decodes the same MPTCP options as tshark`, { skip: SKIP_NO_TSHARK || SKIP_NO_DECODER }, async () => {
      await assertDecodesLikeTshark(file, framesOf(file));
    });

    it(`${scenario}: tokens, HMACs, IDSNs and DSS checksums verify`, { skip: SKIP_NO_CRYPTO }, async () => {
      const r = await assertCryptoVerifies(file, scenario === 'mptcp-fallback');
      if (scenario === 'mptcp-v4-csum') assert.ok(r.dssChecksums.ok >= 5, 'complete checksummed mappings checked');
    });
  }
});
