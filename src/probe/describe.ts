/**
 * Short words for TCP options and flags in the probe layer's reports, in
 * tcpdump's spelling where tcpdump has one ("mss 1460", "sackOK", "TS val 1
 * ecr 0", "wscale 7", "mptcp capable v1").
 */
import { mptcpSubtypeName } from '../wire/mptcp.js';
import type { MptcpOption, TcpOption } from '../wire/types.js';
import { TcpFlag } from '../wire/types.js';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** What kind of option this is, for matching an option across two packets (MPTCP by subtype). */
export function optionKey(o: TcpOption): string {
  if (o.type === 'mptcp') return `mptcp:${o.mptcp.subtype}`;
  if (o.type === 'unknown' || o.malformed !== undefined) return `kind:${o.kind}`;
  return o.type;
}

/** The option's name in a sentence: 'MSS', 'window scale', 'MP_CAPABLE'. */
export function optionName(o: TcpOption): string {
  if (o.malformed !== undefined) return `malformed option ${o.kind}`;
  switch (o.type) {
    case 'eol': return 'end of options';
    case 'nop': return 'NOP';
    case 'mss': return 'MSS';
    case 'wscale': return 'window scale';
    case 'sackPerm': return 'SACK permitted';
    case 'sack': return 'SACK';
    case 'timestamps': return 'timestamps';
    case 'md5': return 'MD5 signature';
    case 'userTimeout': return 'user timeout';
    case 'tcpAo': return 'TCP-AO';
    case 'fastOpen': return 'Fast Open';
    case 'mptcp': return mptcpSubtypeName(o.mptcp.subtype);
    case 'unknown': return `option ${o.kind}`;
  }
}

function mptcpWords(m: MptcpOption): string {
  switch (m.name) {
    case 'MP_CAPABLE': {
      const keys = [m.senderKey, m.receiverKey].filter((k) => k !== undefined).map((k) => `0x${k.toString(16).padStart(16, '0')}`);
      return `capable v${m.version}${m.flags & 0x80 ? ' csum' : ''}${keys.length ? ` {${keys.join(',')}}` : ''}`;
    }
    case 'MP_JOIN': return `join${m.phase === 'ack' ? '' : ` id ${m.addrId}`}`;
    case 'DSS': return 'dss';
    case 'ADD_ADDR': return `add-addr id ${m.addrId}`;
    case 'REMOVE_ADDR': return `remove-addr id ${m.addrIds.join(',')}`;
    case 'MP_PRIO': return 'prio';
    case 'MP_FAIL': return 'fail';
    case 'MP_FASTCLOSE': return 'fast-close';
    case 'MP_TCPRST': return `tcprst reason ${m.reason}`;
    case 'MP_EXPERIMENTAL': return 'experimental';
    case 'UNKNOWN': return `subtype ${m.subtype} ${hex(m.data)}`;
  }
}

/** One option as tcpdump would list it. */
export function describeOption(o: TcpOption): string {
  if (o.malformed !== undefined) return `bad opt ${o.kind} (${hex(o.raw)})`;
  switch (o.type) {
    case 'eol': return 'eol';
    case 'nop': return 'nop';
    case 'mss': return `mss ${o.mss}`;
    case 'wscale': return `wscale ${o.shift}`;
    case 'sackPerm': return 'sackOK';
    case 'sack': return `sack ${o.blocks.length} ${o.blocks.map(([l, r]) => `{${l}:${r}}`).join('')}`;
    case 'timestamps': return `TS val ${o.tsval} ecr ${o.tsecr}`;
    case 'md5': return 'md5';
    case 'userTimeout': return `uto ${o.timeout}${o.granularityMinutes ? 'm' : 's'}`;
    case 'tcpAo': return `tcp-ao keyid ${o.keyId} rnextkeyid ${o.rnextKeyId}`;
    case 'fastOpen': return o.cookie.length ? `tfo cookie ${hex(o.cookie)}` : 'tfo cookiereq';
    case 'mptcp': return `mptcp ${mptcpWords(o.mptcp)}`;
    case 'unknown': return `opt-${o.kind}:${hex(o.raw.subarray(2))}`;
  }
}

const FLAG_CHARS: ReadonlyArray<readonly [number, string]> = [
  [TcpFlag.FIN, 'F'], [TcpFlag.SYN, 'S'], [TcpFlag.RST, 'R'], [TcpFlag.PSH, 'P'], [TcpFlag.URG, 'U'],
  [TcpFlag.ECE, 'E'], [TcpFlag.CWR, 'W'], [TcpFlag.AE, 'e'], [TcpFlag.ACK, '.'],
];

/** TCP flags the way tcpdump prints them inside its brackets: 'S', 'S.', 'R.', 'SEW'. */
export function flagsText(flags: number): string {
  let s = '';
  for (const [bit, c] of FLAG_CHARS) if (flags & bit) s += c;
  if (flags & TcpFlag.RES) s += `+res 0x${((flags & TcpFlag.RES) >> 9).toString(16)}`;
  return s || 'none';
}
