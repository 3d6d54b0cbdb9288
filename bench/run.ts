/**
 * `npm run bench`: speed and memory of mpscope against tcpdump and tshark on
 * the same generated capture, in the same run. Prints figures, ratios and
 * whether each target is met; exits 1 when a target is missed.
 *
 * Environment: BENCH_PACKETS (default 1000000), BENCH_SUBFLOWS (default 2000),
 * BENCH_LARGE_FACTOR (default 5: the memory check compares N and 5N packets),
 * BENCH_SKIP_TSHARK=1 to leave tshark out (it is the slowest part),
 * BENCH_REPEAT (default 3: each command of the comparisons runs that many
 * times, ours and theirs alternately, and the fastest run of each counts).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCaptureBytes } from '../src/capture/index.js';
import { decodePacket } from '../src/wire/index.js';
import { generate } from './gen.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'bench/out');
const PACKETS = Number(process.env.BENCH_PACKETS ?? 1_000_000);
const SUBFLOWS = Number(process.env.BENCH_SUBFLOWS ?? 2000);
const CLI = join(ROOT, 'bin/mpscope.js');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));

/**
 * `seconds` is CPU time (user + system) when GNU time is there, else wall
 * time: on a shared machine CPU time is what stays comparable between the
 * tools of one run. Both are printed.
 */
interface Run { label: string; seconds: number; wall: number; maxRssMb: number | undefined; ok: boolean }

function captureFile(packets: number): string {
  mkdirSync(OUT, { recursive: true });
  const path = join(OUT, `bench-${packets}.pcap`);
  if (!existsSync(path)) {
    const t0 = performance.now();
    generate(path, { packets, subflows: SUBFLOWS, payload: 100 });
    console.log(`generated ${path} (${packets} packets, ${(statSync(path).size / 1e6).toFixed(0)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return path;
}

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Runs a command with stdout to /dev/null; wall time and, with GNU time, peak RSS. */
function timeCommand(label: string, argv: string[]): Run {
  const devnull = openSync('/dev/null', 'w');
  const full = TIME ? [TIME, '-f', '%U %S %M', ...argv] : argv;
  const t0 = performance.now();
  const r = spawnSync(full[0]!, full.slice(1), { stdio: ['ignore', devnull, 'pipe'], maxBuffer: 1 << 26 });
  const wall = (performance.now() - t0) / 1000;
  closeSync(devnull);
  const err = r.stderr?.toString() ?? '';
  const m = /^([\d.]+) ([\d.]+) (\d+)$/.exec(err.trim().split('\n').pop() ?? '');
  const seconds = m ? Number(m[1]) + Number(m[2]) : wall;
  const maxRssMb = m ? Number(m[3]) / 1024 : undefined;
  const ok = r.status === 0;
  if (!ok) console.log(`  ${label}: exit ${r.status}: ${err.slice(0, 300)}`);
  return { label, seconds, wall, maxRssMb, ok };
}

/** Each command REPEAT times, in turns, so that a busy moment of the machine does not fall on one tool only. */
function timeBoth(theirs: [string, string[]], ours: [string, string[]]): [Run, Run] {
  const runs: [Run[], Run[]] = [[], []];
  for (let i = 0; i < REPEAT; i++) {
    runs[0].push(timeCommand(...theirs));
    runs[1].push(timeCommand(...ours));
  }
  return [best(runs[0]), best(runs[1])];
}

/**
 * The run of least CPU time, with the shortest elapsed time of the runs
 * (which need not be the same run). A failed run wins: one failure fails
 * the comparison.
 */
function best(runs: readonly Run[]): Run {
  const failed = runs.find((r) => !r.ok);
  if (failed !== undefined) return failed;
  const fastest = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  return { ...fastest, wall: Math.min(...runs.map((r) => r.wall)) };
}

function fmtRate(packets: number, s: number): string {
  return `${(packets / s / 1e6).toFixed(2)} Mpkt/s`;
}

function show(r: Run, packets: number): void {
  const rss = r.maxRssMb === undefined ? '' : `, peak RSS ${r.maxRssMb.toFixed(0)} MB`;
  const cpu = TIME ? `CPU ${r.seconds.toFixed(2).padStart(6)} s, ` : '';
  console.log(`  ${r.label.padEnd(40)} ${cpu}wall ${r.wall.toFixed(2).padStart(6)} s  ${fmtRate(packets, r.seconds).padStart(14)}${rss}`);
}

const results: Array<{ target: string; met: boolean }> = [];
function target(name: string, met: boolean, detail: string): void {
  results.push({ target: name, met });
  console.log(`  target: ${name}: ${detail} -> ${met ? 'MET' : 'MISSED'}`);
}

function benchDecode(path: string, packets: number): void {
  console.log('\n== decode (in process): capture reader + decodePacket through TCP and MPTCP options');
  const bytes = new Uint8Array(readFileSync(path));
  let best = Infinity;
  let mptcpOptions = 0;
  for (let round = 0; round < 3; round++) {
    let opts = 0;
    const t0 = process.cpuUsage();
    readCaptureBytes(bytes, (frame) => {
      const p = decodePacket(frame);
      const tcp = p.tcp;
      if (tcp) for (const o of tcp.options) if (o.type === 'mptcp') opts++;
    });
    const used = process.cpuUsage(t0);
    best = Math.min(best, (used.user + used.system) / 1e6);
    mptcpOptions = opts;
  }
  console.log(`  ${packets} packets, ${mptcpOptions} MPTCP options decoded, best of 3: ${best.toFixed(3)} s CPU = ${fmtRate(packets, best)}`);
  target('decode >= 2,000,000 packets/s', packets / best >= 2e6, fmtRate(packets, best));
}

interface Comparison {
  what: string;
  ours: string[];
  theirs: string[];
  tool: 'tcpdump' | 'tshark';
  /** Required speed ratio (their CPU time / ours). */
  ratio: number;
  /** Required packets per second of ours, when the issue sets one. */
  minRate?: number;
}

const MPTCP_PREFS = ['-o', 'mptcp.analyze_mappings:TRUE', '-o', 'mptcp.intersubflows_retransmission:TRUE'];

function comparisons(path: string): Comparison[] {
  const me = (...a: string[]): string[] => ['node', CLI, ...a];
  return [
    { what: 'read -T tcpdump vs tcpdump -nn -r', tool: 'tcpdump', ours: me('read', '-T', 'tcpdump', '-r', path), theirs: ['tcpdump', '-nn', '-r', path], ratio: 1 },
    { what: 'read (list) vs tshark -r', tool: 'tshark', ours: me('read', '-r', path), theirs: ['tshark', '-r', path], ratio: 10 },
    { what: "read -Y 'tcp.analysis.flags' vs tshark -Y", tool: 'tshark', ours: me('read', '-r', path, '-Y', 'tcp.analysis.flags'), theirs: ['tshark', '-r', path, '-Y', 'tcp.analysis.flags'], ratio: 20, minRate: 1e6 },
    { what: 'summary vs tshark with MPTCP analysis prefs', tool: 'tshark', ours: me('summary', '-r', path), theirs: ['tshark', '-r', path, ...MPTCP_PREFS], ratio: 50, minRate: 1e6 },
  ];
}

function benchCommands(path: string, packets: number): void {
  console.log(`\n== commands on ${path} (stdout to /dev/null; rates and ratios from CPU time, the fastest of ${REPEAT} runs each)`);
  for (const c of comparisons(path)) {
    console.log(`-- ${c.what}`);
    if (!have(c.tool) || (c.tool === 'tshark' && process.env.BENCH_SKIP_TSHARK === '1')) {
      console.log(`  ${c.tool} skipped`);
      continue;
    }
    const [theirs, ours] = timeBoth([c.theirs.join(' ').replace(path, 'FILE'), c.theirs], [c.ours.slice(2).join(' ').replace(path, 'FILE'), c.ours]);
    show(theirs, packets);
    show(ours, packets);
    const ratio = theirs.seconds / ours.seconds;
    // The verdict is on CPU time; elapsed time is shown beside it: Node compiles and collects garbage on
    // other threads, so on a machine with a free core mpscope's wall time is shorter than its CPU time.
    const wallRatio = theirs.wall / ours.wall;
    target(`${c.what}: >= ${c.ratio}x`, ours.ok && theirs.ok && ratio >= c.ratio, `ratio ${ratio.toFixed(1)}x in CPU time (${wallRatio.toFixed(1)}x in wall time)`);
    if (c.minRate !== undefined) {
      const rate = packets / ours.seconds;
      target(`${c.what}: >= ${(c.minRate / 1e6).toFixed(0)}M packets/s`, ours.ok && rate >= c.minRate, fmtRate(packets, ours.seconds));
    }
  }
}

function benchMemory(small: string, large: string, nSmall: number, nLarge: number): void {
  if (!TIME) {
    console.log('\n== memory: /usr/bin/time not installed, skipped');
    return;
  }
  console.log(`\n== peak memory with the same open connections: ${nSmall} vs ${nLarge} packets`);
  const cases: Array<[string, string[]]> = [
    ['read', ['read']],
    ["read -Y 'tcp.analysis.flags'", ['read', '-Y', 'tcp.analysis.flags']],
    ['summary', ['summary']],
  ];
  for (const [label, argv] of cases) {
    const a = timeCommand(`${label} (${nSmall} packets)`, ['node', CLI, ...argv, '-r', small]);
    const b = timeCommand(`${label} (${nLarge} packets)`, ['node', CLI, ...argv, '-r', large]);
    show(a, nSmall);
    show(b, nLarge);
    if (a.maxRssMb !== undefined && b.maxRssMb !== undefined) {
      target(`${label}: peak memory < 250 MB and flat`, b.maxRssMb < 250 && b.maxRssMb <= a.maxRssMb * 1.25 + 10, `${a.maxRssMb.toFixed(0)} MB vs ${b.maxRssMb.toFixed(0)} MB`);
    }
  }
}

const file = captureFile(PACKETS);
benchDecode(file, PACKETS);
benchCommands(file, PACKETS);
const largeCount = PACKETS * Number(process.env.BENCH_LARGE_FACTOR ?? 5);
benchMemory(file, captureFile(largeCount), PACKETS, largeCount);

console.log('\n== summary');
for (const r of results) console.log(`  ${r.met ? 'MET   ' : 'MISSED'} ${r.target}`);
process.exitCode = results.every((r) => r.met) ? 0 : 1;
