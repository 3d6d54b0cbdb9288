/**
 * The peer's data as the endpoint receives it: the mappings its DSS options
 * announce, in-order subflow data put at its place in the data sequence
 * space (what our DATA_ACK then says), each mapping's checksum checked once
 * its bytes are all in, and the peer's DATA_FIN taken when its DSN is
 * reached.
 */
import { dssChecksum } from '../../mptcp/index.js';
import { DssFlag } from '../../wire/mptcp.js';
import type { MptcpDss } from '../../wire/types.js';
import { expandDsn } from './seq.js';
import type { Segment, Subflow } from './subflow.js';

interface PeerMapping {
  subflow: Subflow;
  frame: number;
  dsn: bigint;
  ssn: number;
  length: number;
  checksum: number | undefined;
  fin: boolean;
  /** Payload collected for the checksum. */
  chunks: Uint8Array[];
  got: number;
  checked: boolean;
}

export type Note = (frame: number, code: string, message: string) => void;

export class PeerStream {
  /** Next DSN expected from the peer (what our data ACK says). */
  next = 0n;
  /** The peer's DATA_FIN, once its DSN was reached. */
  dataFin: Segment | undefined;
  private readonly mappings: PeerMapping[] = [];

  constructor(private readonly note: Note) {}

  /** Starts the data sequence space after the peer's IDSN. */
  begin(idsn: bigint): void {
    this.next = idsn + 1n;
  }

  /** A mapping the peer announced (not an infinite one). */
  mapping(s: Segment, m: MptcpDss): void {
    this.mappings.push({
      subflow: s.subflow, frame: s.frame, dsn: expandDsn(m.dsn!, m.dsnWidth ?? 8, this.next), ssn: m.ssn ?? 0,
      length: m.dataLength ?? 0, checksum: m.checksum, fin: (m.flags & DssFlag.F) !== 0, chunks: [], got: 0, checked: false,
    });
  }

  /** In-order subflow data put at its data-level place; false when no mapping covers it. */
  data(s: Segment, len: number): boolean {
    const rel = s.subflow.peerRelative(s.tcp.seq);
    const m = [...this.mappings].reverse().find((x) => x.subflow === s.subflow && rel >= x.ssn && rel < x.ssn + x.length);
    if (!m) return false;
    const dsn = m.dsn + BigInt(rel - m.ssn);
    const inMap = Math.min(len, m.ssn + m.length - rel);
    if (dsn <= this.next && dsn + BigInt(inMap) > this.next) this.next = dsn + BigInt(inMap);
    if (m.checksum !== undefined && !m.checked) this.collect(m, s.payload.subarray(0, inMap));
    return true;
  }

  /** A DATA_FIN whose DSN we have reached takes one DSN (RFC 8684 §3.3.3). */
  takeDataFin(s: Segment): void {
    if (this.dataFin) return;
    const m = this.mappings.find((x) => x.fin && x.dsn + BigInt(x.length) - 1n === this.next);
    if (!m) return;
    this.next += 1n;
    this.dataFin = s;
  }

  private collect(m: PeerMapping, bytes: Uint8Array): void {
    m.chunks.push(bytes);
    m.got += bytes.length;
    if (m.got < m.length - (m.fin ? 1 : 0)) return;
    m.checked = true;
    const good = dssChecksum(m.dsn, m.ssn, m.length, ...m.chunks);
    const hex = (v: number): string => `0x${v.toString(16).padStart(4, '0')}`;
    if (good !== m.checksum) this.note(m.frame, 'probe.dss.checksum_bad', `the peer's DSS checksum ${hex(m.checksum!)} is wrong (${hex(good)} expected)`);
  }
}
