/** MPTCP connection analysis: subflows mapped to connections, relative DSNs, reinjections, verification, fallback. */
export { MptcpTracker } from './tracker.js';
export type { MptcpTrackerOptions } from './tracker.js';
export { mptcpStage } from './stage.js';
export { FINDING_CODES } from './findings.js';
export type { FindingCode } from './findings.js';
export type {
  AdvertisedAddress, CheckStatus, ConnectionState, DataDir, DssChecksumCounts, DssChecksumStatus, Endpoint,
  FallbackCause, Instant, MptcpAnnotation, MptcpConnection, MptcpDataDirection, MptcpEvent, MptcpEventKind,
  MptcpFinding, MptcpSubflow, SubflowDirStats, SubflowState, Verification, VerificationKind,
} from './types.js';
