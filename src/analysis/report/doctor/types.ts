/** What `mpscope doctor` reports: findings in plain words, each with the frames that show it. */
import type { Endpoint } from '../../mptcp/types.js';

/** error: something failed or was tampered with; warning: degraded; note: worth knowing. */
export type DoctorSeverity = 'error' | 'warning' | 'note';

export const SEVERITY_ORDER: Record<DoctorSeverity, number> = { error: 0, warning: 1, note: 2 };

export interface DoctorFinding {
  severity: DoctorSeverity;
  /** Stable code, e.g. `join.synack_lost`, `fallback.synack_without_mp_capable`, `tcp.no_answer`. */
  code: string;
  /** mptcp.stream of the connection, and tcp.stream of the subflow or conversation it is about. */
  connection?: number | undefined;
  stream?: number | undefined;
  /** One line: what happened. */
  title: string;
  /** Frames that show it (the first ones when there are many). */
  frames: number[];
  /** What it means. */
  meaning: string;
  /** What to check, most likely first. */
  check: string[];
  /** Numbers and names behind the finding, for scripts. */
  facts?: Record<string, string | number | boolean> | undefined;
}

export interface DoctorConnection {
  index: number;
  version?: 0 | 1 | undefined;
  client?: Endpoint | undefined;
  server?: Endpoint | undefined;
  /** When the handshake was not captured (client or server unknown): the ends of the first subflow seen, to tell the connection by. */
  firstSubflow?: { src: Endpoint; dst: Endpoint } | undefined;
  state: string;
  ending?: string | undefined;
  subflows: number;
  /** Checks that passed (or could not be made), in words: the good news. */
  verified: string[];
  findings: DoctorFinding[];
}

export interface DoctorTcpConversation {
  stream: number;
  a: Endpoint;
  b: Endpoint;
  state: string;
  findings: DoctorFinding[];
}

export interface DoctorReport {
  packets: number;
  duration: number;
  connections: DoctorConnection[];
  /** Plain TCP conversations with findings, when asked for. */
  tcp?: DoctorTcpConversation[] | undefined;
  /** Findings about the capture itself (damage). */
  capture: DoctorFinding[];
  counts: Record<DoctorSeverity, number>;
}
