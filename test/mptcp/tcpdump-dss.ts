import { execFileSync } from 'node:child_process';
import type { MptcpDss, MptcpOption } from '../../src/wire/types.js';

/** `mptcp <len> dss ...` texts of every frame, by frame number (tcpdump -#). */
export function tcpdumpDssTexts(file: string): Map<number, string[]> {
  const out = execFileSync('tcpdump', ['-#', '-n', '-r', file], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  const byFrame = new Map<number, string[]>();
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s/.exec(line);
    if (!m) continue;
    byFrame.set(Number(m[1]), Array.from(line.matchAll(/mptcp \d+ dss[^,\]]*/g), (x) => x[0]));
  }
  return byFrame;
}

/** tcpdump 4.99's DSS text for our Repr. */
function tcpdumpDss(o: MptcpDss): string {
  let s = `mptcp ${o.length} dss`;
  if (o.dataFin) s += ' fin';
  if (o.dataAck !== undefined) s += ` ack ${o.dataAck}`;
  if (o.dsn !== undefined) s += ` seq ${o.dsn} subseq ${o.ssn} len ${o.dataLength}`;
  if (o.checksum !== undefined) s += ` csum 0x${o.checksum.toString(16)}`;
  return s;
}

/** The DSS texts tcpdump should print for a segment's MPTCP options, in order. */
export function tcpdumpExpectedDss(options: MptcpOption[]): string[] {
  const out: string[] = [];
  for (const o of options) {
    if (o.name === 'DSS') out.push(tcpdumpDss(o));
    // tcpdump's text for a DSS whose length contradicts its flags ends in "[bad opt]".
    else if (o.name === 'UNKNOWN' && o.subtype === 2) out.push(`mptcp ${o.length} dss[bad opt`);
  }
  return out;
}
