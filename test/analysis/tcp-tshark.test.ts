/**
 * TCP conversation analysis against tshark 4.0 (single pass, default
 * preferences), run live on every capture of the public corpus and on the
 * project's lab captures, packet by packet: tcp.stream, tcp.seq, tcp.ack,
 * tcp.len, tcp.nxtseq, the window and its scale factor, every
 * tcp.analysis.* field, the stream times, and the Protocol and Info columns
 * of the frames tshark calls TCP or MPTCP.
 *
 * Agreement is total except for the differences listed below, each by
 * capture and frame with its reason. With its MPTCP-aware duplicate-ACK rule
 * off, mpscope reproduces tshark's own MPTCP rule too; the default (rule on)
 * differs exactly on the frames listed in MPTCP_ACKS.
 *
 * tshark's two-pass mode (-2) is not the reference: it shows the initial RTT
 * on packets before the handshake completes (the SYN/ACK) and renumbers the
 * relative sequence numbers of a side whose SYN/ACK restarted it (port
 * reuse), which no single-pass reader can do.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CORPUS, ROOT, SKIP_NO_SHARED, corpusCaptures, hasCommand } from '../helpers/shared.js';
import { differences, ourValues, tsharkValues } from './tcp-compare.js';
import type { Difference, OurFrame } from './tcp-compare.js';

const SKIP_NO_TSHARK = hasCommand('tshark') ? false : 'tshark is not installed';
const LAB = join(ROOT, 'test/fixtures/lab');

/**
 * tshark hands these segments' payload to SSH or HTTP, whose reassembly
 * asks for more data: tshark then names the protocol TCP and appends
 * "[TCP segment of a reassembled PDU]"; mpscope does no application-layer
 * reassembly and shows its one-segment summary (SSHv2, HTTP). Protocol and
 * Info only; every analysis field agrees.
 */
const APP_REASSEMBLY: Record<string, string> = {
  'tcpdump/mptcp-v0.pcap': '40,42,44,46-47,49-50,53,56,58,61,64,67,70,73,76,79,82,85,88,91,93-94,97,99,101,103,105-106,109-110,113,115,117,119,121,123,125,127,129,131,133,135,137,139,141,143,145,147,149,151,154,157,160,163,166,169,172,175,178,181,184,187,190,193,196,199,202,205,208',
  'zeek/reassembly.pcap': '4,7,9,11,14,16,18,20,22,24,26,28,31,33,54,57,59,62,79,81,83,85,87,89,91,93,95,97,99,101,103,106,108,110',
};

/**
 * The deliberate difference: on an MPTCP subflow, an ACK that repeats the
 * TCP acknowledgement and window but carries a new data ACK or an MPTCP
 * signal (ADD_ADDR, REMOVE_ADDR, MP_PRIO, DATA_FIN, MP_FASTCLOSE...) is
 * not a duplicate ACK for mpscope (tshark counts it unless a kind of option
 * new to the connection appeared). The frames are those ACKs and the later
 * duplicates that mpscope numbers from them instead of from the last TCP
 * ACK change.
 */
const MPTCP_ACKS: Record<string, string> = {
  'tcpdump/mptcp-fclose.pcap': '10',
  'tcpdump/mptcp-v0.pcap': '210,259-260,262',
  'ptcpdump/mptcp.pcap': '8-11',
  'pymptcpanalyzer/client_2.pcap': '77-78,85-86,109,114,123,130,304,311,324,326,345,368-380,442,993,1485,1503,1506,1508,1514,1517,1522,1525,1588,1595,2051,2067,2074,2076,2114,2131,2134,2424-2426,2775,2851,2863,2866,2868-2869,2883',
  'pymptcpanalyzer/iperf-mptcp-0-0.pcap': '2549-2550,2555-2556',
  'pymptcpanalyzer/server_2.pcap': '64-65,73-74,101,106,115,121,298,310,312,316,318,338,368-380,433,990,1509,1524,1528,1531,1534,1539,1542,1545,1548,1552,1609-1610,1617,2078,2090,2099,2102,2109,2147,2162,2164,2447-2449,2811,2886,2898,2901,2903-2904,2918',
  'lab/mptcp-backup-fastclose.pcapng': '185',
  'lab/mptcp-loss.pcapng': '379-380,583',
  'lab/mptcp-v4-2subflows.pcapng': '229-231,478-479',
  'lab/mptcp-v4-csum.pcapng': '192-194,323',
  'lab/mptcp-v6.pcapng': '235-236,238,485-487',
};

/** The lab captures the lists above were made from (sha-256 prefixes); a re-recorded file is checked by rule instead. */
const LAB_HASHES: Record<string, string> = {
  'lab/mptcp-backup-fastclose.pcapng': '4ba3089002d7d8f4',
  'lab/mptcp-fallback.pcapng': '73d29cb7cb553ea7',
  'lab/mptcp-loss.pcapng': '5d2d67926cc56c71',
  'lab/mptcp-v4-2subflows.pcapng': 'cac5e3c806e1f4f8',
  'lab/mptcp-v4-csum.pcapng': '9f292d3e903009c9',
  'lab/mptcp-v6.pcapng': '1119ef15890f462f',
};

function frameSet(ranges: string | undefined): Set<number> {
  const out = new Set<number>();
  for (const part of (ranges ?? '').split(',').filter(Boolean)) {
    const [a, b] = part.split('-').map(Number);
    for (let n = a!; n <= (b ?? a!); n++) out.add(n);
  }
  return out;
}

function captures(): Array<{ name: string; path: string }> {
  const out = corpusCaptures().map((path) => ({ name: path.slice(CORPUS.length + 1), path }));
  if (existsSync(LAB)) {
    for (const n of readdirSync(LAB).sort()) if (n.endsWith('.pcapng')) out.push({ name: `lab/${n}`, path: join(LAB, n) });
  }
  return out;
}

const COLUMNS = new Set(['_ws.col.Protocol', '_ws.col.Info']);

function show(diffs: readonly Difference[]): string {
  return diffs.slice(0, 12).map((d) => `  frame ${d.frame} ${d.field}: tshark=${JSON.stringify(d.tshark)} mpscope=${JSON.stringify(d.ours)}`).join('\n');
}

/** What explains a default-mode difference on an MPTCP frame, when the lists do not apply (a re-recorded lab file). */
function explainedByMptcpRule(d: Difference, ours: readonly OurFrame[]): boolean {
  const f = ours[d.frame - 1]!;
  if (f.mptcpNotDupAck) return true;
  return d.field.startsWith('tcp.analysis.duplicate_ack') || (COLUMNS.has(d.field) && f.info.includes('[TCP Dup ACK'));
}

describe('TCP analysis equals tshark 4.0', { skip: SKIP_NO_SHARED || SKIP_NO_TSHARK }, () => {
  let totalFrames = 0;
  let totalOther = 0;
  let totalOtherAgree = 0;
  for (const { name, path } of captures()) {
    it(name, (t) => {
      const theirs = tsharkValues(path);
      const reassembly = frameSet(APP_REASSEMBLY[name]);
      const isApp = (d: Difference) => COLUMNS.has(d.field) && reassembly.has(d.frame);

      // tshark's own rules, MPTCP duplicate ACKs included: only the application-reassembly columns differ.
      const strict = differences(theirs, ourValues(path, { mptcpAwareDupAck: false }));
      const unexplained = strict.diffs.filter((d) => !isApp(d));
      assert.equal(unexplained.length, 0, `${name}: ${unexplained.length} values differ from tshark:\n${show(unexplained)}`);
      const appFrames = new Set(strict.diffs.filter(isApp).map((d) => d.frame));
      assert.deepEqual([...appFrames].sort((a, b) => a - b), [...reassembly].sort((a, b) => a - b), `${name}: application reassembly frames`);

      // mpscope's default: the MPTCP-aware duplicate ACK rule changes exactly the listed frames.
      const ours = ourValues(path);
      const aware = differences(theirs, ours).diffs.filter((d) => !isApp(d));
      const changed = [...new Set(aware.map((d) => d.frame))].sort((a, b) => a - b);
      const hash = LAB_HASHES[name];
      const sameFile = hash === undefined || createHash('sha256').update(readFileSync(path)).digest('hex').startsWith(hash);
      if (sameFile) {
        assert.deepEqual(changed, [...frameSet(MPTCP_ACKS[name])].sort((a, b) => a - b), `${name}: frames the MPTCP duplicate-ACK rule changes`);
      } else {
        t.diagnostic(`${name} was re-recorded: its MPTCP_ACKS list is stale, checking each difference by rule`);
      }
      const wrong = aware.filter((d) => !explainedByMptcpRule(d, ours));
      assert.equal(wrong.length, 0, `${name}: differences not explained by the MPTCP duplicate-ACK rule:\n${show(wrong)}`);

      totalFrames += strict.frames;
      totalOther += strict.other;
      totalOtherAgree += strict.otherAgree;
      t.diagnostic(`${name}: ${strict.frames} TCP/MPTCP frames compared; ${strict.other} other frames, columns agree on ${strict.otherAgree}`);
    });
  }
  it('reports the columns of frames tshark gives to application protocols', (t) => {
    const rate = totalOther === 0 ? 1 : totalOtherAgree / totalOther;
    t.diagnostic(`${totalFrames} TCP/MPTCP frames compared in full; application-protocol frames: Protocol and Info agree on ${totalOtherAgree} of ${totalOther} (${(rate * 100).toFixed(1)}%), their analysis fields on all`);
    assert.ok(totalFrames > 10_000, `only ${totalFrames} frames compared`);
  });
});
