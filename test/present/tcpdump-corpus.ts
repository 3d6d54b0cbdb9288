/**
 * Shared pieces of the tcpdump-format tests: reading a capture into our
 * tcpdump lines the way tcpdump's harness reads it, and running the local
 * tcpdump binary.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { readCaptureBytes } from '../../src/capture/index.js';
import { TcpdumpFormatter } from '../../src/present/tcpdump.js';
import type { TcpdumpOptions, TsStyle } from '../../src/present/tcpdump.js';
import { decodePacket } from '../../src/wire/index.js';

// The tcpdump harness runs with TZ=GMT0: so do we, for the local-time styles.
process.env.TZ = 'GMT0';

/** Interface names by index, as the reading host has them (tcpdump prints them for SLL2 captures). */
export function hostInterfaceNames(): Map<number, string> {
  const names = new Map<number, string>();
  try {
    for (const n of readdirSync('/sys/class/net')) {
      try {
        names.set(Number(readFileSync(`/sys/class/net/${n}/ifindex`, 'utf8')), n);
      } catch {
        // an interface that went away while listing
      }
    }
  } catch {
    // not Linux: SLL2 lines then name every interface '?'
  }
  return names;
}

const ifNames = hostInterfaceNames();

/**
 * Formatter options for tcpdump command-line flags (`-v`, `-vv`, `-q`, `-S`,
 * `-e`, `-#`, `-t`...`-ttttt`, `--nano`). `defaultTime` is the time style
 * when no `-t` flag is given.
 */
export function optionsFromFlags(flags: string[], defaultTime: TsStyle = 'default'): TcpdumpOptions {
  let verbose = 0;
  let tsStyle = defaultTime;
  for (const f of flags) {
    if (/^-v+$/.test(f)) verbose += f.length - 1;
    else if (/^-t{1,5}$/.test(f)) tsStyle = (f.length === 2 ? 't' : f.slice(1)) as TsStyle;
  }
  return {
    tsStyle,
    nano: flags.includes('--nano'),
    verbose: Math.min(3, verbose) as 0 | 1 | 2 | 3,
    quiet: flags.includes('-q'),
    absoluteSeq: flags.includes('-S'),
    number: flags.includes('-#'),
    printLinkHeader: flags.includes('-e'),
    ifIndexName: (i) => ifNames.get(i),
  };
}

/**
 * Our tcpdump output for a capture, as lines. Like libpcap, frames are cut
 * to the interface's snapshot length (a record may claim more: tcpdump's
 * mptcp-dss-oobr.pcap has caplen 74 with snaplen 73).
 */
export function formatCapture(path: string, options: TcpdumpOptions): string[] {
  const f = new TcpdumpFormatter(options);
  const snap: number[] = [];
  const out: string[] = [];
  readCaptureBytes(readFileSync(path), (frame) => {
    const limit = snap[frame.ifIndex] ?? 0;
    if (limit > 0 && frame.data.length > limit) frame = { ...frame, data: frame.data.subarray(0, limit) };
    out.push(...f.format(decodePacket(frame)).split('\n'));
  }, { onInterface: (i) => { snap.push(i.snapLen); } });
  return out;
}

/** The local tcpdump's output lines (stdout), run with TZ=GMT0 and `-n`. */
export function runTcpdump(path: string, flags: string[]): string[] {
  const r = spawnSync('tcpdump', ['-n', '-r', path, ...flags], { env: { ...process.env, TZ: 'GMT0' }, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`tcpdump failed on ${path}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l, i, a) => i < a.length - 1 || l !== '');
}
