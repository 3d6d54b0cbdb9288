/**
 * The -z statistics as a library: a tap made through `mpscope/present`, fed
 * field contexts of analysed packets, draws what the command prints.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Analyzer } from '../../src/analysis/index.js';
import { readCapture } from '../../src/capture/index.js';
import { ContextBuilder } from '../../src/fields/index.js';
import { compileFilter } from '../../src/filter/index.js';
import { makeTap, tapHelp } from '../../src/present/index.js';
import { decodePacket } from '../../src/wire/index.js';
import { ROOT } from '../helpers/shared.js';
import { mpscope } from '../helpers/stats.js';

const CAPTURE = join(ROOT, 'test/fixtures/lab/mptcp-loss.pcapng');

test('makeTap draws what `read -q -z` prints', async () => {
  const specs = ['conv,tcp', 'endpoints,ip,tcp.len > 0', 'io,stat,0.05', 'expert,warn'];
  const env = {
    compileFilter: (text: string) => {
      const f = compileFilter(text);
      return (ctx: Parameters<typeof f.test>[0]) => f.test(ctx);
    },
    // The command's run has a tap filter, so tshark (and the command) would build protocol trees.
    protocolTree: () => true,
  };
  const taps = await Promise.all(specs.map((s) => makeTap(s, env)));
  const analyzer = new Analyzer();
  const contexts = new ContextBuilder();
  await readCapture(CAPTURE, (frame) => {
    const pkt = decodePacket(frame);
    const ctx = contexts.next(pkt, analyzer.process(pkt));
    for (const tap of taps) tap.packet(ctx);
  });
  const cli = mpscope(['-q', '-r', CAPTURE, ...specs.flatMap((s) => ['-z', s])]);
  assert.equal(cli.status, 0, cli.stderr);
  assert.equal(taps.map((t) => t.draw()).reverse().join(''), cli.stdout);
  assert.match(cli.stdout, /Warns \(\d+\)[\s\S]*IO Statistics[\s\S]*TCP Conversations/);
  assert.match(tapHelp(), /^ {2}follow,tcp,/m);
});
