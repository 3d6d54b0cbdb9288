/**
 * What a lab capture shows, as tshark sees it: the facts each scenario claims
 * (handshakes, joins, ADD_ADDR, checksums, retransmissions, reinjections...),
 * so tests can check a fresh recording or a committed fixture against its
 * description without trusting the project's own decoders.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The port the lab's server listens on (record.sh). */
export const LAB_PORT = 5201;

const FIELDS = [
  'frame.number', 'ipv6.src', 'tcp.stream', 'tcp.srcport', 'tcp.flags', 'tcp.len', 'tcp.seq',
  'tcp.options.mptcp.subtype', 'tcp.options.mptcp.backup.flag', 'tcp.options.mptcp.echo',
  'tcp.options.mptcp.checksumreq.flags', 'tcp.analysis.retransmission',
  'mptcp.stream', 'mptcp.dss.dsn', 'tcp.options.mptcp.subflowseqno',
  'tcp.options.mptcp.dataackpresent.flag', 'tcp.options.mptcp.dataack8.flag',
  'tcp.options.mptcp.dseqnpresent.flag', 'tcp.options.mptcp.dseqn8.flag',
  'tcp.option_kind', 'tcp.option_len',
] as const;

export interface FrameRecord {
  number: number;
  ipv6: boolean;
  /** tshark's tcp.stream: one per subflow. */
  stream: number;
  /** Sent by the lab's server (source port LAB_PORT). */
  fromServer: boolean;
  flags: number;
  len: number;
  /** Relative TCP sequence number. */
  seq: number;
  /** MPTCP subtypes of the frame's options, in order. */
  subtypes: number[];
  backupFlags: number[];
  echoFlags: number[];
  checksumRequested: boolean;
  retransmission: boolean;
  mptcpStream?: number | undefined;
  /** DSS mapping: relative DSN and subflow sequence number. */
  mapDsn?: number | undefined;
  mapSsn?: number | undefined;
  /** A DSS option carries a checksum (its length exceeds what its flags account for). */
  dssChecksum: boolean;
}

const SYN = 0x002;
const ACK = 0x010;

function ints(s: string | undefined): number[] {
  return s ? s.split(',').map((v) => Number.parseInt(v, v.startsWith('0x') ? 16 : 10)) : [];
}

/** Whether the frame's DSS option is 2 bytes longer than its flags need: the checksum. */
function dssHasChecksum(kinds: number[], lens: number[], subtypes: number[], f: Record<string, string>): boolean {
  const dssAt = subtypes.indexOf(2);
  if (dssAt < 0) return false;
  // tcp.option_len skips NOP and EOL, which have no length byte.
  const mptcpLens = kinds.filter((k) => k !== 0 && k !== 1)
    .map((k, i) => [k, lens[i]] as const)
    .filter(([k]) => k === 30)
    .map(([, l]) => l ?? 0);
  const len = mptcpLens[dssAt];
  if (len === undefined) return false;
  const flag = (name: string): boolean => f[name] === '1' || f[name] === 'True';
  let need = 4;
  if (flag('tcp.options.mptcp.dataackpresent.flag')) need += flag('tcp.options.mptcp.dataack8.flag') ? 8 : 4;
  if (flag('tcp.options.mptcp.dseqnpresent.flag')) need += (flag('tcp.options.mptcp.dseqn8.flag') ? 8 : 4) + 4 + 2;
  return len === need + 2;
}

/** One record per frame of `file`, from tshark. */
export function tsharkFrames(file: string): FrameRecord[] {
  const args = ['-r', file, '-n', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  for (const f of FIELDS) args.push('-e', f);
  const out = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  const frames: FrameRecord[] = [];
  for (const line of out.split('\n')) {
    if (!line) continue;
    const cols = line.split('\t');
    const f: Record<string, string> = {};
    FIELDS.forEach((name, i) => { f[name] = cols[i] ?? ''; });
    const subtypes = ints(f['tcp.options.mptcp.subtype']);
    const num = (name: string): number | undefined => (f[name] ? Number(f[name]!.split(',')[0]) : undefined);
    frames.push({
      number: Number(f['frame.number']),
      ipv6: f['ipv6.src'] !== '',
      stream: Number(f['tcp.stream']),
      fromServer: Number(f['tcp.srcport']) === LAB_PORT,
      flags: Number.parseInt(f['tcp.flags'] || '0', 16),
      len: Number(f['tcp.len'] || 0),
      seq: Number(f['tcp.seq'] || 0),
      subtypes,
      backupFlags: ints(f['tcp.options.mptcp.backup.flag']),
      echoFlags: ints(f['tcp.options.mptcp.echo']),
      checksumRequested: ints(f['tcp.options.mptcp.checksumreq.flags']).includes(1),
      retransmission: f['tcp.analysis.retransmission'] !== '',
      mptcpStream: num('mptcp.stream'),
      mapDsn: num('mptcp.dss.dsn'),
      mapSsn: num('tcp.options.mptcp.subflowseqno'),
      dssChecksum: dssHasChecksum(ints(f['tcp.option_kind']), ints(f['tcp.option_len']), subtypes, f),
    });
  }
  return frames;
}

export interface JoinSummary {
  stream: number;
  syn: boolean;
  synAck: boolean;
  ack: boolean;
  /** The MP_JOIN SYN asks for a backup subflow. */
  backup: boolean;
}

export interface LabSummary {
  frames: number;
  /** IP versions of the frames. */
  ipVersions: number[];
  /** TCP connections (subflows, or the whole connection after a fallback). */
  subflows: number;
  /** Subflows that carried payload. */
  dataSubflows: number;
  capable: { syn: number; synAck: number; ack: number };
  /** MP_JOIN handshakes, one per subflow that has any MP_JOIN. */
  joins: JoinSummary[];
  /** Connections whose SYN offered MP_CAPABLE and whose SYN/ACK did not. */
  fallbacks: number;
  addAddr: number;
  addAddrEcho: number;
  removeAddr: number;
  mpPrio: number;
  fastclose: number;
  tcpRst: number;
  /** The SYN's MP_CAPABLE asks for DSS checksums. */
  checksumRequested: boolean;
  dssWithChecksum: number;
  retransmissions: number;
  /** Payload frames whose data-level bytes were already sent on another subflow. */
  reinjections: number;
}

const count = (frames: FrameRecord[], subtype: number): number => frames.filter((f) => f.subtypes.includes(subtype)).length;

export function summarize(frames: FrameRecord[]): LabSummary {
  const joins = new Map<number, JoinSummary>();
  const synOffers = new Set<number>();
  const synAckAnswers = new Set<number>();
  const capable = { syn: 0, synAck: 0, ack: 0 };
  for (const f of frames) {
    const syn = (f.flags & SYN) !== 0;
    const ack = (f.flags & ACK) !== 0;
    if (syn && !ack && f.subtypes.includes(0)) synOffers.add(f.stream);
    if (syn && ack && f.subtypes.includes(0)) synAckAnswers.add(f.stream);
    if (f.subtypes.includes(0)) {
      if (syn && !ack) capable.syn++;
      else if (syn) capable.synAck++;
      else capable.ack++;
    }
    if (f.subtypes.includes(1)) {
      const j = joins.get(f.stream) ?? { stream: f.stream, syn: false, synAck: false, ack: false, backup: false };
      if (syn && !ack) {
        j.syn = true;
        j.backup = f.backupFlags.includes(1);
      } else if (syn) j.synAck = true;
      else j.ack = true;
      joins.set(f.stream, j);
    }
  }
  const addAddrs = frames.filter((f) => f.subtypes.includes(3));
  return {
    frames: frames.length,
    ipVersions: [...new Set(frames.map((f) => (f.ipv6 ? 6 : 4)))].sort((a, b) => a - b),
    subflows: new Set(frames.map((f) => f.stream)).size,
    dataSubflows: new Set(frames.filter((f) => f.len > 0).map((f) => f.stream)).size,
    capable,
    joins: [...joins.values()],
    fallbacks: [...synOffers].filter((s) => !synAckAnswers.has(s)).length,
    addAddr: addAddrs.filter((f) => !f.echoFlags.includes(1)).length,
    addAddrEcho: addAddrs.filter((f) => f.echoFlags.includes(1)).length,
    removeAddr: count(frames, 4),
    mpPrio: count(frames, 5),
    fastclose: count(frames, 7),
    tcpRst: count(frames, 8),
    checksumRequested: frames.some((f) => (f.flags & (SYN | ACK)) === SYN && f.checksumRequested),
    dssWithChecksum: frames.filter((f) => f.dssChecksum).length,
    retransmissions: frames.filter((f) => f.retransmission).length,
    reinjections: countReinjections(frames),
  };
}

/**
 * Data-level bytes sent twice on different subflows. Each payload frame is
 * placed in data sequence space through the last DSS mapping seen on its
 * subflow (Linux repeats the mapping in every segment, so that is the
 * frame's own), then compared with what the other subflows already carried
 * in the same direction.
 */
function countReinjections(frames: FrameRecord[]): number {
  const lastMap = new Map<string, { dsn: number; ssn: number }>();
  const sent = new Map<string, Array<{ from: number; to: number; stream: number }>>();
  let reinjections = 0;
  for (const f of frames) {
    const dir = `${f.mptcpStream ?? -1}/${f.fromServer ? 's' : 'c'}`;
    const subflow = `${f.stream}/${f.fromServer ? 's' : 'c'}`;
    if (f.mapDsn !== undefined && f.mapSsn !== undefined) lastMap.set(subflow, { dsn: f.mapDsn, ssn: f.mapSsn });
    const map = lastMap.get(subflow);
    if (f.len === 0 || !map) continue;
    const from = map.dsn + (f.seq - map.ssn);
    const to = from + f.len;
    const ranges = sent.get(dir) ?? [];
    if (ranges.some((r) => r.stream !== f.stream && from < r.to && to > r.from)) reinjections++;
    ranges.push({ from, to, stream: f.stream });
    sent.set(dir, ranges);
  }
  return reinjections;
}

/**
 * Link type of the first interface of a pcapng file, read from its header
 * (tshark reports Wireshark's own encapsulation numbers, not LINKTYPE_ ones).
 */
export function pcapngLinkType(file: string): number {
  const b = readFileSync(file);
  if (b.length < 28 || b.readUInt32LE(0) !== 0x0a0d0d0a) throw new Error(`${file}: not a pcapng file`);
  const le = b.readUInt32LE(8) === 0x1a2b3c4d;
  const shbLength = le ? b.readUInt32LE(4) : b.readUInt32BE(4);
  const idbType = le ? b.readUInt32LE(shbLength) : b.readUInt32BE(shbLength);
  if (idbType !== 1) throw new Error(`${file}: no interface block after the section header`);
  return le ? b.readUInt16LE(shbLength + 8) : b.readUInt16BE(shbLength + 8);
}
