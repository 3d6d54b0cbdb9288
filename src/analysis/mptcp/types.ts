/**
 * The MPTCP connection model and the per-packet MPTCP annotation.
 *
 * Directions: a connection's data flows both ways; `DataDir` 0 is data sent
 * by the client (the host that sent the MP_CAPABLE SYN), 1 data sent by the
 * server. Per-side arrays (keys, tokens, IDSNs) use the same index: [client,
 * server]. Data sequence numbers in the model and the annotations are
 * relative: counted from the sender's IDSN (its first data byte is 1) when
 * the keys were captured, else from the first DSN seen (which becomes 1).
 *
 * Everything here is plain data, so `JSON.stringify` (with a replacer for
 * bigints) gives `mpscope conns --json`; `summary` and `doctor` compute
 * their reports from it.
 */
import type { Severity } from '../../wire/types.js';

export type DataDir = 0 | 1;

/** A capture timestamp, exact to the nanosecond. */
export interface Instant {
  sec: number;
  nsec: number;
}

export interface Endpoint {
  /** Dotted quad or RFC 5952 IPv6 text. */
  address: string;
  port: number;
}

/** Result of checking a key echo, an HMAC, a token or a key: `unknown` when what it needs was not captured. */
export type CheckStatus = 'good' | 'bad' | 'unknown';

/**
 * DSS checksum of one mapping: `unchecked` when its payload was not all
 * captured (cut by the snap length, or segments missing from the capture).
 */
export type DssChecksumStatus = 'good' | 'bad' | 'unchecked';

/** Why a connection (or one subflow) fell back to plain TCP. */
export type FallbackCause =
  /** The SYN/ACK answering an MP_CAPABLE SYN carried no MP_CAPABLE: a server without MPTCP, or a middlebox removed the option. */
  | 'synack-without-mp-capable'
  /** The client's ACK completing the handshake carried no MP_CAPABLE. */
  | 'ack-without-mp-capable'
  /** Data flowed after the handshake without any MPTCP option (options removed mid-stream). */
  | 'data-without-dss'
  /** A DSS mapping with data-level length 0 (infinite mapping). */
  | 'infinite-mapping';

/** An expert finding about MPTCP, with the frames that show it. */
export interface MptcpFinding {
  severity: Severity;
  /** Stable code, `mptcp.<what>` (see FINDING_CODES in findings.ts). */
  code: string;
  frames: number[];
  message: string;
}

export type MptcpEventKind =
  | 'fallback'
  | 'mp_fail'
  | 'fastclose'
  | 'tcprst'
  | 'add_addr'
  | 'remove_addr'
  | 'mp_prio'
  | 'data_fin'
  | 'data_fin_acked'
  | 'join'
  | 'join_failed'
  | 'subflow_reset'
  | 'subflow_closed';

/** Something that happened to a connection, at a frame. */
export interface MptcpEvent {
  kind: MptcpEventKind;
  frame: number;
  time: Instant;
  /** tcp.stream of the subflow it happened on. */
  stream: number;
  /** Who sent the packet: 0 the client, 1 the server. */
  dir: DataDir;
  /** fallback: its cause. */
  cause?: FallbackCause | undefined;
  /** MP_TCPRST reason code and name. */
  reason?: number | undefined;
  reasonName?: string | undefined;
  /** REMOVE_ADDR address ids; MP_PRIO / ADD_ADDR address id. */
  addrIds?: number[] | undefined;
  /** MP_PRIO: the backup flag it sets. */
  backup?: boolean | undefined;
  /** DATA_FIN / MP_FAIL: relative DSN (the DATA_FIN's own sequence number). */
  dsn?: number | undefined;
  /** MP_FASTCLOSE: whether the key it carries is the receiver's. */
  key?: CheckStatus | undefined;
  /** Words for people. */
  detail?: string | undefined;
}

export type VerificationKind =
  | 'key_echo'
  | 'join_token'
  | 'join_synack_hmac'
  | 'join_ack_hmac'
  | 'add_addr_hmac'
  | 'add_addr_echo'
  | 'fastclose_key';

/** One check mpscope made, at a frame (DSS checksums are counted in `dssChecksums` instead, they are many). */
export interface Verification {
  kind: VerificationKind;
  status: CheckStatus;
  frame: number;
  stream: number;
  detail?: string | undefined;
}

export interface DssChecksumCounts {
  good: number;
  bad: number;
  unchecked: number;
  /** Frames announcing the mappings that failed (first 100). */
  badFrames: number[];
  /** Frames announcing the mappings that could not be checked (first 100). */
  uncheckedFrames: number[];
}

/** An address advertised with ADD_ADDR. */
export interface AdvertisedAddress {
  frame: number;
  /** Who advertised it: 0 the client, 1 the server. */
  dir: DataDir;
  addrId: number;
  address: string;
  port?: number | undefined;
  /** v1 HMAC check; `undefined` for v0 (no HMAC) and for echoes. */
  hmac?: CheckStatus | undefined;
  /** Frame of the peer's echo (v1 E bit). */
  echoFrame?: number | undefined;
  /** Frames of MP_JOIN SYNs the peer sent to this address (and port when given). */
  joinAttempts: number[];
  /** Frame of a REMOVE_ADDR for this id after the advertisement. */
  removedFrame?: number | undefined;
}

/** Per-direction counters of one subflow. */
export interface SubflowDirStats {
  /** Segments sent this way, and their TCP payload bytes (retransmissions included). */
  packets: number;
  bytes: number;
  /** Data-level bytes this subflow was the first to carry (new DSNs). */
  dataBytes: number;
  /** Segments this subflow sent whose DSN range had already been sent on another subflow. */
  reinjections: number;
  reinjectedBytes: number;
  /** Segments first sent here whose data was sent again on another subflow afterwards. */
  reinjectedElsewhere: number;
  reinjectedElsewhereBytes: number;
  /** Data-level retransmissions on this same subflow: old DSNs under new subflow sequence numbers. */
  dataRetransmissions: number;
  dataRetransmittedBytes: number;
  /** Data segments no DSS mapping covered (the mapping was not captured). */
  unmapped: number;
}

export type SubflowState = 'syn-sent' | 'syn-received' | 'established' | 'closed' | 'reset' | 'failed';

export interface MptcpSubflow {
  /** tcp.stream. */
  stream: number;
  /** mptcp.stream of its connection. */
  connection: number;
  /** The initial subflow (MP_CAPABLE); the others joined with MP_JOIN. */
  master: boolean;
  /** Which side opened it: 0 the client, 1 the server; for a subflow seen mid-stream, its first sender's side. */
  initiator: DataDir;
  /** The SYN's sender and receiver (the first packet's when no SYN was captured). */
  src: Endpoint;
  dst: Endpoint;
  /** TcpAnnotation.dir of the packets the client sends. */
  clientTcpDir: 0 | 1;
  /** MP_JOIN address ids: the initiator's (in its SYN) and the listener's (in its SYN/ACK). */
  initiatorAddrId?: number | undefined;
  listenerAddrId?: number | undefined;
  backup: boolean;
  state: SubflowState;
  /** Handshake frames: first SYN, SYN retransmissions, SYN/ACK, third ACK. */
  synFrame?: number | undefined;
  synRetransmissions: number;
  synAckFrame?: number | undefined;
  synAckRetransmissions: number;
  ackFrame?: number | undefined;
  /** MP_JOIN: the token in the SYN and the HMAC checks. */
  token?: number | undefined;
  tokenStatus?: CheckStatus | undefined;
  synAckHmac?: CheckStatus | undefined;
  ackHmac?: CheckStatus | undefined;
  /** Frame where the subflow could carry data (third ACK for joins and the initial subflow). */
  establishedFrame?: number | undefined;
  /** Why and where it failed or was reset. */
  failure?: { frame: number; reason: string } | undefined;
  resetFrame?: number | undefined;
  /** MP_TCPRST reason code with the reset, if any. */
  resetReason?: number | undefined;
  finFrames: number[];
  /** Fallback of this subflow (the connection's when it is the only one). */
  fallback?: { cause: FallbackCause; frame: number } | undefined;
  firstFrame: number;
  lastFrame: number;
  firstTime: Instant;
  lastTime: Instant;
  /** Counters by data direction: [sent by the client, sent by the server]. */
  stats: [SubflowDirStats, SubflowDirStats];
}

/** One direction of a connection's data stream. */
export interface MptcpDataDirection {
  /** Where relative DSNs count from: the IDSN (keys captured), the first DSN seen, or not known yet. */
  base: 'idsn' | 'first-seen' | undefined;
  /** Raw 64-bit DSN of relative 0, when its high half is known. */
  baseDsn?: bigint | undefined;
  /** Lowest relative DSN seen in a mapping, and the end (one past the highest byte) of the DSN range sent. */
  firstDsn?: number | undefined;
  endDsn?: number | undefined;
  /** Highest data ACK the peer sent for this direction (relative). */
  dataAck?: number | undefined;
  dataFin?: { frame: number; dsn: number; ackFrame?: number | undefined } | undefined;
  /** Segments and payload bytes sent this way on all subflows (retransmissions included). */
  packets: number;
  bytes: number;
}

export type ConnectionState = 'handshake' | 'established' | 'closed' | 'fastclosed' | 'reset' | 'fallback';

export interface MptcpConnection {
  /** mptcp.stream. */
  index: number;
  /** MPTCP version from MP_CAPABLE (undefined when no MP_CAPABLE was captured). */
  version?: 0 | 1 | undefined;
  /** How it was found: MP_CAPABLE SYN, SYN/ACK or third ACK, a join whose token matched nothing, or mid-stream DSS. */
  origin: 'syn' | 'synack' | 'ack' | 'join' | 'midstream';
  /** From the initial subflow, when it was captured. */
  client?: Endpoint | undefined;
  server?: Endpoint | undefined;
  /** DSS checksums in use (the A flag in the SYN or the SYN/ACK). */
  checksums?: boolean | undefined;
  /** v1 SYN/ACK with the C flag: the server accepts no new subflows to its address. */
  noJoinToServerAddress?: boolean | undefined;
  /** [client, server]. */
  keys: [bigint | undefined, bigint | undefined];
  tokens: [number | undefined, number | undefined];
  idsns: [bigint | undefined, bigint | undefined];
  /** The third ACK's key echo. */
  keyEcho?: CheckStatus | undefined;
  state: ConnectionState;
  /** How it ended, in words (set by `finish`). */
  ending?: string | undefined;
  fallback?: { cause: FallbackCause; frame: number; stream: number } | undefined;
  firstFrame: number;
  lastFrame: number;
  firstTime: Instant;
  lastTime: Instant;
  /** [client to server, server to client]. */
  dirs: [MptcpDataDirection, MptcpDataDirection];
  /** In the order they joined. */
  subflows: MptcpSubflow[];
  events: MptcpEvent[];
  addresses: AdvertisedAddress[];
  verifications: Verification[];
  dssChecksums: DssChecksumCounts;
  findings: MptcpFinding[];
}

/**
 * What MPTCP analysis attaches to one packet of an MPTCP subflow. Fields
 * absent here are absent from the packet (display filters see no field).
 */
export interface MptcpAnnotation {
  /** Frame number of the packet. */
  frame: number;
  connection: MptcpConnection;
  /** `connection.index` (mptcp.stream), at hand without reaching into the connection's model. */
  connectionIndex: number;
  subflow: MptcpSubflow;
  /** Who sent it: 0 the client, 1 the server. */
  dir: DataDir;
  /** Subflows the connection had when this packet was read (mptcp.analysis.subflows lists them, newest first). */
  subflowCount: number;
  /** mptcp.dsn: relative DSN of the first payload byte, from the mapping covering it; `dsnEnd` one past the last. */
  dsn?: number | undefined;
  dsnEnd?: number | undefined;
  /** mptcp.related_mapping: frame that announced that mapping. */
  relatedMapping?: number | undefined;
  /** mptcp.dss.dsn: relative DSN of the mapping this packet's DSS announces. */
  dssDsn?: number | undefined;
  /** mptcp.ack: relative data ACK of this packet's DSS. */
  dataAck?: number | undefined;
  /** mptcp.reinjection_of: earlier frames on other subflows that carried some of this DSN range. */
  reinjectionOf?: number[] | undefined;
  /** mptcp.reinjected_in: later frames on other subflows that carried some of this DSN range again. */
  reinjectedIn?: number[] | undefined;
  /** Earlier frames of this subflow whose DSN range this segment sends again under new subflow sequence numbers. */
  dataRetransmissionOf?: number[] | undefined;
  /** Checks made on this packet. */
  keyEcho?: CheckStatus | undefined;
  joinToken?: CheckStatus | undefined;
  joinHmac?: CheckStatus | undefined;
  addAddrHmac?: CheckStatus | undefined;
  /** ADD_ADDR echo: frame of the advertisement it echoes (undefined when none matches). */
  addAddrEchoOf?: number | undefined;
  fastcloseKey?: CheckStatus | undefined;
  /** DSS checksum of a mapping whose payload this packet completed, and the frame announcing that mapping. */
  dssChecksum?: DssChecksumStatus | undefined;
  dssChecksumMapping?: number | undefined;
  /** Fallback detected at this packet. */
  fallback?: FallbackCause | undefined;
  findings?: MptcpFinding[] | undefined;
}
