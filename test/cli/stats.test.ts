/**
 * How `read` runs the -z statistics, as tshark does: after the packets, the
 * last -z first, over every frame whatever -Y selects; -q leaves the
 * packets out; `-z help` and bad names.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { CORPUS, ROOT, SKIP_NO_SHARED } from '../helpers/shared.js';
import { mpscope, SKIP_NO_TSHARK, tshark } from '../helpers/stats.js';

const EXAMPLE = join(ROOT, 'examples/mptcp-lab.pcapng');

test('-z help lists every statistic, and an unknown one is a usage error with that list', () => {
  const help = mpscope(['-z', 'help']);
  assert.equal(help.status, 0);
  for (const name of ['conv,tcp', 'endpoints,ip', 'io,stat', 'follow,tcp', 'expert', 'conv,mptcp']) assert.match(help.stdout, new RegExp(`^  ${name}`, 'm'));
  const bad = mpscope(['-r', EXAMPLE, '-z', 'conv,tcpx']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /unknown statistic '-z conv,tcpx'/);
  assert.match(bad.stderr, /conv,tcp\[,FILTER\]/);
  assert.equal(bad.stdout, '', 'nothing is read before the arguments are checked');
  const badFilter = mpscope(['-r', EXAMPLE, '-z', 'conv,tcp,tcp.port ==']);
  assert.equal(badFilter.status, 1);
  assert.match(badFilter.stderr, /\^/, 'the filter error shows where');
});

test('the statistics follow the packets, last -z first; -q prints them alone', { skip: SKIP_NO_TSHARK }, () => {
  const loud = mpscope(['-r', EXAMPLE, '-z', 'conv,ip', '-z', 'endpoints,ip']);
  assert.equal(loud.status, 0, loud.stderr);
  const list = mpscope(['-r', EXAMPLE]).stdout;
  assert.ok(loud.stdout.startsWith(list), 'the packet list comes first, unchanged');
  const stats = loud.stdout.slice(list.length);
  assert.ok(stats.indexOf('IPv4 Endpoints') < stats.indexOf('IPv4 Conversations'), 'the last -z is printed first');
  const quiet = mpscope(['-q', '-r', EXAMPLE, '-z', 'conv,ip', '-z', 'endpoints,ip']);
  assert.equal(quiet.stdout, stats);
  assert.equal(quiet.stdout, tshark(['-q', '-r', EXAMPLE, '-z', 'conv,ip', '-z', 'endpoints,ip']).stdout);
  assert.equal(mpscope(['-q', '-r', EXAMPLE]).stdout, '', '-q without -z prints nothing');
});

test('taps count every frame read whatever -Y selects, as tshark\'s', { skip: SKIP_NO_TSHARK }, () => {
  const args = ['-r', EXAMPLE, '-Y', 'tcp.port == 36819', '-z', 'conv,tcp'];
  const ours = mpscope(args);
  assert.equal(ours.status, 0, ours.stderr);
  const [list, table] = [ours.stdout.slice(0, ours.stdout.indexOf('=====')), ours.stdout.slice(ours.stdout.indexOf('====='))];
  assert.equal(list.split('\n').filter((l) => l !== '').length, 63, 'the list shows the selected subflow only');
  assert.doesNotMatch(list, /36764/);
  // Both conversations are in the table, as in tshark's (whose list differs by the MPTCP duplicate ACKs, see the README).
  assert.match(table, /10\.0\.1\.1:36764 +<-> 10\.0\.3\.1:5201/);
  const theirs = tshark(args).stdout;
  assert.equal(table, theirs.slice(theirs.indexOf('=====')));
});

test('-q keeps tcpdump\'s meaning with -T tcpdump', () => {
  const r = mpscope(['-r', EXAMPLE, '-T', 'tcpdump', '-q', '-c', '1']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\d\d:\d\d:\d\d\.\d{6} IP 10\.0\.1\.1\.36764 > 10\.0\.3\.1\.5201: tcp 0$/m);
});

test('-z expert sees the items tshark only finds while building trees when the run builds them (-Y, -T fields)', { skip: SKIP_NO_TSHARK || SKIP_NO_SHARED }, () => {
  const capture = join(CORPUS, 'ptcpdump/mptcp.pcap');
  const nop = /^ +4 +Protocol +TCP +4 NOP in a row/m;
  for (const extra of [['-Y', 'tcp'], ['-T', 'fields', '-e', 'frame.number']]) {
    const ours = mpscope(['-q', '-r', capture, ...extra, '-z', 'expert']).stdout;
    assert.match(ours, nop, extra.join(' '));
    assert.match(tshark(['-q', '-r', capture, ...extra, '-z', 'expert']).stdout, nop);
  }
  assert.doesNotMatch(mpscope(['-q', '-r', capture, '-z', 'expert']).stdout, /NOP/);
  assert.doesNotMatch(tshark(['-q', '-r', capture, '-z', 'expert']).stdout, /NOP/);
});
