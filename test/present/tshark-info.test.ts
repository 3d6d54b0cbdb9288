import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { decodePacket } from '../../src/wire/index.js';
import type { Packet } from '../../src/wire/index.js';
import { WindowScaleTracker, infoColumn, protocolColumn, summarize, tcpFlagsText, tcpInfo } from '../../src/present/info.js';
import { CORPUS, SKIP_NO_SHARED, corpusCaptures, hasCommand } from '../helpers/shared.js';
import { NO_ANALYSIS, NO_REASSEMBLY, readFrames, tshark } from './tshark-helpers.js';

const SKIP_NO_TSHARK = hasCommand('tshark') ? false : 'tshark not installed';

interface Row { number: number; protocol: string; info: string }

function tsharkColumns(file: string, prefs: string[]): Row[] {
  return tshark([...prefs, '-r', file, '-T', 'fields', '-e', 'frame.number', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info'])
    .split('\n').filter((l) => l !== '').map((l) => {
      const [n, protocol, info] = l.split('\t');
      return { number: Number(n), protocol: protocol ?? '', info: info ?? '' };
    });
}

function decodeAll(file: string): Packet[] {
  return readFrames(file).map((f) => decodePacket(f));
}

const isTcp = (p: string): boolean => p === 'TCP' || p === 'MPTCP';

test('tcpFlagsText names flags in tshark order, reserved bits last', () => {
  assert.equal(tcpFlagsText(0x002), 'SYN');
  assert.equal(tcpFlagsText(0x012), 'SYN, ACK');
  assert.equal(tcpFlagsText(0x0ff), 'FIN, SYN, RST, PSH, ACK, URG, ECE, CWR');
  assert.equal(tcpFlagsText(0x1b8), 'PSH, ACK, URG, CWR, AE');
  assert.equal(tcpFlagsText(0xe10), 'ACK, Reserved');
  assert.equal(tcpFlagsText(0), '<None>');
});

/**
 * The reference is tshark with sequence analysis and relative numbers off,
 * and also without application reassembly: reassembly needs per-connection
 * state ("[TCP segment of a reassembled PDU]" and the protocol of later
 * segments depend on earlier ones), which a per-packet column cannot have.
 */
for (const file of corpusCaptures()) {
  const name = `${basename(dirname(file))}/${basename(file)}`;
  test(`Info and Protocol columns equal tshark's for every TCP/MPTCP frame: ${name}`, { skip: SKIP_NO_SHARED || SKIP_NO_TSHARK }, (t) => {
    const rows = tsharkColumns(file, NO_REASSEMBLY);
    const pkts = decodeAll(file);
    assert.equal(pkts.length, rows.length);
    const ws = new WindowScaleTracker();
    const out = { protocol: '', info: '' };
    let tcpFrames = 0;
    let other = 0;
    let otherSame = 0;
    const mismatches: string[] = [];
    pkts.forEach((pkt, i) => {
      const row = rows[i]!;
      const scale = ws.observe(pkt);
      const s = summarize(pkt, scale, out);
      if (isTcp(row.protocol)) {
        tcpFrames++;
        if (tcpInfo(pkt, scale) !== row.info || s.protocol !== row.protocol || s.info !== row.info) {
          mismatches.push(`#${row.number}\n  tshark: ${row.protocol} ${row.info}\n  ours:   ${s.protocol} ${s.info} | tcpInfo: ${tcpInfo(pkt, scale)}`);
        }
      } else {
        other++;
        if (s.protocol === row.protocol && s.info === row.info) otherSame++;
      }
    });
    t.diagnostic(`${tcpFrames} TCP/MPTCP frames; other protocols: ${otherSame}/${other} identical (best effort)`);
    assert.deepEqual(mismatches.slice(0, 10), []);
  });
}

test('with tshark\'s default reassembly, TCP/MPTCP Info differs only by reassembly notes (reported)', { skip: SKIP_NO_SHARED || SKIP_NO_TSHARK }, (t) => {
  let frames = 0;
  let same = 0;
  let reassemblyOnly = 0;
  for (const file of corpusCaptures()) {
    const rows = tsharkColumns(file, NO_ANALYSIS);
    const ws = new WindowScaleTracker();
    decodeAll(file).forEach((pkt, i) => {
      const row = rows[i]!;
      const scale = ws.observe(pkt);
      if (!isTcp(row.protocol)) return;
      frames++;
      const ours = tcpInfo(pkt, scale);
      if (ours === row.info) same++;
      else if (/\[(TCP segment of a reassembled PDU|Reassembly error)/.test(row.info)) reassemblyOnly++;
      else assert.fail(`${basename(file)} #${row.number}: tshark "${row.info}", ours "${ours}"`);
    });
  }
  t.diagnostic(`${same}/${frames} identical; the other ${reassemblyOnly} carry tshark's reassembly notes`);
});

test('protocolColumn and infoColumn agree with summarize', { skip: SKIP_NO_SHARED }, () => {
  const file = corpusCaptures().find((f) => f.endsWith('mptcp-fclose.pcap'));
  assert.ok(file);
  const pkts = decodeAll(file);
  assert.equal(protocolColumn(pkts[0]!), 'ARP');
  assert.equal(infoColumn(pkts[0]!), 'Who has 10.2.1.2? Tell 10.2.1.1');
  assert.equal(protocolColumn(pkts[2]!), 'MPTCP');
  // Without the tracker the window is shown raw, as tshark does before it sees a SYN.
  assert.match(infoColumn(pkts[4]!), /^37479 → 2002 \[ACK\] Seq=\d+ Ack=\d+ Win=229 Len=0 TSval=38230 TSecr=4294943148$/);
});

/**
 * Captures cut by a snap length, made with editcap: tshark's text stops
 * where its dissection stops ("[Packet size limited during capture]"), and
 * a SYN cut before its window scale leaves the scale unknown. Snap lengths
 * that cut the fixed 20-byte TCP header after the ports (tshark shows the
 * fields it got; the decoder keeps no partial header) are left out.
 */
test('Info of TCP/MPTCP frames cut by a snap length equals tshark\'s', { skip: SKIP_NO_SHARED || SKIP_NO_TSHARK || (hasCommand('editcap') ? false : 'editcap not installed') }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mpscope-snap-'));
  try {
    let frames = 0;
    for (const name of ['mptcp-v1.pcap', 'mptcp-v0.pcap']) {
      for (const snap of [38, 40, 60, 70, 80, 90]) {
        const file = join(dir, `${snap}-${name}`);
        execFileSync('editcap', ['-s', String(snap), join(CORPUS, 'tcpdump', name), file], { stdio: 'ignore' });
        const rows = tsharkColumns(file, NO_REASSEMBLY);
        const ws = new WindowScaleTracker();
        const out = { protocol: '', info: '' };
        decodeAll(file).forEach((pkt, i) => {
          const row = rows[i]!;
          const s = summarize(pkt, ws.observe(pkt), out);
          if (!isTcp(row.protocol)) return;
          frames++;
          assert.equal(`${s.protocol} ${s.info}`, `${row.protocol} ${row.info}`, `${name} cut at ${snap}, frame ${row.number}`);
        });
      }
    }
    t.diagnostic(`${frames} cut TCP/MPTCP frames`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
