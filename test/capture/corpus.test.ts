import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { readCapture, readCaptureBytes } from '../../src/capture/index.js';
import type { Frame } from '../../src/capture/index.js';
import { CORPUS, SKIP_NO_SHARED, corpusCaptures, hasCommand } from '../helpers/shared.js';
import { epoch, keep, readAll } from './collect.js';

const run = promisify(execFile);

/**
 * Expected per file, from tshark 4.0.17 (`-T fields -e frame.number` counted,
 * `-e frame.time_epoch` of the first and last frame) and capinfos.
 */
const EXPECTED: ReadonlyArray<[file: string, format: 'pcap' | 'pcapng', linkType: number, frames: number, first: string, last: string]> = [
  ['tcpdump/dns_tcp.pcap', 'pcap', 1, 11, '1591780863.720289000', '1591780864.101256000'],
  ['tcpdump/ipv4_tcp_http_xml.pcap', 'pcap', 1, 1, '1395173523.342266000', '1395173523.342266000'],
  ['tcpdump/mptcp-aa-echo.pcap', 'pcap', 113, 2, '1601550140.402400000', '1601550140.602589000'],
  ['tcpdump/mptcp-aa-v1.pcap', 'pcap', 1, 24, '1582742655.949492000', '1582742666.050757000'],
  ['tcpdump/mptcp-dss-oobr.pcap', 'pcap', 1, 1, '1415590328.002213000', '1415590328.002213000'],
  ['tcpdump/mptcp-fclose.pcap', 'pcap', 1, 11, '1361806842.767916000', '1361806847.780117000'],
  ['tcpdump/mptcp-tcprst.pcap', 'pcap', 101, 2, '1620829639.175792000', '1620829639.175964000'],
  ['tcpdump/mptcp-v0.pcap', 'pcap', 1, 264, '1361796995.701161000', '1361797004.766202000'],
  ['tcpdump/mptcp-v1.pcap', 'pcap', 113, 20, '1578930666.676845000', '1578930666.677429000'],
  ['tcpdump/ssh.pcap', 'pcap', 1, 54, '1545562209.891237000', '1545562210.466614000'],
  ['tcpdump/tcp-handshake-nano.pcap', 'pcap', 113, 3, '1418145369.924505488', '1418145370.052115157'],
  ['tcpdump/tcp_eight_lowest_weight_flags_set.pcap', 'pcap', 1, 1, '1541069485.009792000', '1541069485.009792000'],
  ['tcpdump/tcp_rst_data.pcap', 'pcap', 1, 1, '1361916199.190965000', '1361916199.190965000'],
  ['ptcpdump/mptcp.pcap', 'pcap', 1, 14, '1727492135.698856000', '1727492141.168438000'],
  ['ptcpdump/tfo.pcap', 'pcap', 276, 4, '1727810461.433721000', '1727810461.442667000'],
  ['pymptcpanalyzer/client_1_tcp_only.pcap', 'pcapng', 113, 2798, '1529037159.036575056', '1529037183.611444804'],
  ['pymptcpanalyzer/client_2.pcap', 'pcapng', 113, 2884, '1529037834.335235214', '1529037866.206589103'],
  ['pymptcpanalyzer/iperf-mptcp-0-0.pcap', 'pcap', 9, 2560, '0.000000000', '12.319482000'],
  ['pymptcpanalyzer/server_2.pcap', 'pcapng', 113, 2920, '1529037835.412452196', '1529037867.634558369'],
  ['zeek/ctu-64702-888.pcap', 'pcap', 1, 16, '1677080409.787322000', '1677080410.066652000'],
  ['zeek/fin_retransmission.pcap', 'pcap', 1, 5, '1388720759.360849000', '1388720759.971258000'],
  ['zeek/option-sack.pcap', 'pcap', 1, 4, '1570152237.968859000', '1570152250.070560000'],
  ['zeek/reassembly.pcap', 'pcap', 1, 117, '1078895630.194466000', '1078895644.564378000'],
  ['zeek/retransmit-fast009.pcap', 'pcap', 1, 39, '1285862902.700271000', '1285862963.692041000'],
  ['zeek/ssh-dups.pcap', 'pcap', 1, 377, '1564085940.628353000', '1564085945.565740000'],
];

const files = corpusCaptures();
const name = (path: string): string => relative(CORPUS, path);

describe('public corpus', { skip: SKIP_NO_SHARED }, () => {
  it('every corpus capture has an expectation', () => {
    assert.ok(files.length >= EXPECTED.length, 'corpus captures found');
    assert.deepEqual(files.map(name).sort(), EXPECTED.map((e) => e[0]).sort());
  });

  for (const [file, format, linkType, count, first, last] of EXPECTED) {
    it(`${file}: ${count} frames, format, link type, first/last timestamps`, async () => {
      const bytes = readFileSync(`${CORPUS}/${file}`);
      const { frames, info, error } = readAll(bytes);
      assert.equal(error, undefined);
      assert.equal(info?.format, format);
      assert.equal(info?.frames, count);
      assert.equal(frames.length, count);
      assert.deepEqual(
        frames.map((f) => f.number),
        frames.map((_, i) => i + 1),
      );
      assert.ok(frames.every((f) => f.linkType === linkType));
      assert.equal(epoch(frames[0]!), first);
      assert.equal(epoch(frames.at(-1)!), last);
      assert.equal(info?.bytes, bytes.length);

      // The streaming reader and the gzip path see exactly the same frames.
      const streamed: ReturnType<typeof keep>[] = [];
      const sinfo = await readCapture(`${CORPUS}/${file}`, (f) => void streamed.push(keep(f)));
      assert.deepEqual(streamed, frames);
      assert.equal(sinfo.gzip, false);
      const gz: ReturnType<typeof keep>[] = [];
      const ginfo = readCaptureBytes(gzipSync(bytes), (f) => void gz.push(keep(f)));
      assert.equal(ginfo.gzip, true);
      assert.deepEqual(gz, frames);
    });
  }

  it('tcp-handshake-nano.pcap keeps nanoseconds (tsDigits 9); micro files say 6', () => {
    const digits = (file: string): number[] => {
      const d: number[] = [];
      readCaptureBytes(readFileSync(`${CORPUS}/${file}`), (f) => void d.push(f.tsDigits));
      return [...new Set(d)];
    };
    assert.deepEqual(digits('tcpdump/tcp-handshake-nano.pcap'), [9]);
    assert.deepEqual(digits('tcpdump/mptcp-v1.pcap'), [6]);
    assert.deepEqual(digits('pymptcpanalyzer/client_2.pcap'), [9]);
  });

  it('mptcp-dss-oobr.pcap: caplen 74 over snaplen 73 is read whole', () => {
    const caplens: number[] = [];
    const info = readCaptureBytes(readFileSync(`${CORPUS}/tcpdump/mptcp-dss-oobr.pcap`), (f) => void caplens.push(f.data.length));
    assert.equal(info.interfaces[0]?.snapLen, 73);
    assert.deepEqual(caplens, [74]);
  });

  it('pcapng interface names reach Frame.ifName', () => {
    const { frames, info } = readAll(readFileSync(`${CORPUS}/pymptcpanalyzer/server_2.pcap`));
    assert.equal(info?.interfaces.length, 1);
    assert.equal(info?.interfaces[0]?.name, 'any');
    assert.ok(frames.every((f) => f.ifName === 'any' && f.ifIndex === 0));
  });

  const tools = hasCommand('tshark') && hasCommand('mergecap') ? false : 'tshark/mergecap not installed: live cross-check skipped';
  it('every frame matches tshark live (time_epoch, frame.len, frame.cap_len)', { skip: tools }, async () => {
    // One tshark run over all files concatenated by mergecap: launching tshark per file costs seconds.
    const dir = mkdtempSync(join(tmpdir(), 'mpscope-corpus-'));
    try {
      const merged = join(dir, 'all.pcapng');
      await run('mergecap', ['-a', '-F', 'pcapng', '-w', merged, ...files]);
      const { stdout } = await run('tshark', ['-r', merged, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len'], {
        maxBuffer: 64 << 20,
      });
      const ours: string[] = [];
      for (const path of files) {
        readCaptureBytes(readFileSync(path), (f: Frame) => void ours.push(`${epoch(f)}\t${f.origLen}\t${f.data.length}`));
      }
      assert.deepEqual(ours, stdout.trimEnd().split('\n'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
