/**
 * Records fresh captures with record.sh from this machine's kernel and checks
 * them with tshark and with the project's reader: MP_CAPABLE handshake, an
 * MP_JOIN subflow, ADD_ADDR, fallback; and that no namespace outlives the
 * script, even when it is interrupted. Needs root, ip, tcpdump, python3,
 * tshark and an MPTCP kernel; skipped otherwise.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT } from '../helpers/shared.js';
import { SCENARIOS, assertScenario } from './claims.js';
import { tsharkFrames } from './inspect.js';
import { namespacesNamed, netnsSkipReason } from './netns.js';
import { SKIP_NO_CRYPTO, SKIP_NO_DECODER, assertCryptoVerifies, assertDecodesLikeTshark } from './project.js';

const RECORD = join(ROOT, 'test/lab/record.sh');
/** The two fastest scenarios that still show a join, an ADD_ADDR and a fallback. */
const LIVE = ['mptcp-v4-2subflows', 'mptcp-fallback'] as const;

const NOT_HERE = netnsSkipReason(['tcpdump', 'python3', 'tshark']);
const SKIP = NOT_HERE && `record.sh cannot run here: ${NOT_HERE}`;

/** record.sh names its namespaces mpslab-<pid>- and says so on its first line. */
function prefixOf(output: string): string {
  const m = /namespaces (mpslab-\d+-)\*/.exec(output);
  assert.ok(m?.[1], `record.sh announced its namespace prefix:\n${output}`);
  return m[1];
}

describe('lab: record.sh on this kernel', { skip: SKIP, timeout: 120_000 }, () => {
  let dir = '';
  let output = '';

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mpscope-lab-'));
    output = execFileSync('bash', [RECORD, dir, ...LIVE], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints what it wrote', () => {
    for (const s of LIVE) assert.match(output, new RegExp(`^wrote ${join(dir, s)}\\.pcapng \\(\\d+ packets, `, 'm'));
  });

  it('leaves no namespace behind', () => {
    assert.deepEqual(namespacesNamed(prefixOf(output)), []);
  });

  for (const scenario of LIVE) {
    const file = (): string => join(dir, `${scenario}.pcapng`);

    it(`${scenario}: ${SCENARIOS[scenario]!.shows}`, () => {
      assertScenario(scenario, file(), tsharkFrames(file()));
    });

    it(`${scenario}: the project reads it as tshark does`, { skip: SKIP_NO_DECODER }, async () => {
      await assertDecodesLikeTshark(file(), tsharkFrames(file()));
    });

    it(`${scenario}: the keys, tokens and HMACs the kernel used verify`, { skip: SKIP_NO_CRYPTO }, async () => {
      await assertCryptoVerifies(file(), scenario === 'mptcp-fallback');
    });
  }

  it('cleans up when interrupted in the middle of a scenario', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mpscope-lab-int-'));
    try {
      // Its own process group, like a terminal's foreground job, so SIGINT reaches everything.
      const child = spawn('bash', [RECORD, out, 'mptcp-backup-fastclose'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (b: Buffer) => { text += b.toString(); });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const deadline = Date.now() + 20_000;
      // Wait until the namespaces are up: the transfer of this scenario lasts over a second.
      while (!/namespaces mpslab-/.test(text) || namespacesNamed(prefixOf(text)).length < 3) {
        assert.ok(Date.now() < deadline, `record.sh did not build its namespaces:\n${text}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 500));
      process.kill(-child.pid!, 'SIGINT');
      assert.equal(await exited, 130, 'exit status after SIGINT');
      assert.deepEqual(namespacesNamed(prefixOf(text)), []);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
