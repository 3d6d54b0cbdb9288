/**
 * Reports over a whole capture, computed from the analysis model: `summary`
 * (what each MPTCP connection delivered and how its subflows took part) and
 * `doctor` (what went wrong, in plain words, with the frames that show it).
 */
export { CaptureAnalyzer, analyzeCapture, analyzeCaptureBytes, analyzeFrames } from './run.js';
export type { AnalyzeOptions, CaptureAnalysis } from './run.js';
export { DEFAULT_STALL_SECONDS, ReportCollector } from './collect.js';
export type { Stall } from './collect.js';
export { Distribution } from './distribution.js';
export type { DistributionStats } from './distribution.js';
export { summarize, connectionSummary, deliveredBytes } from './summary.js';
export type {
  ConnectionSummary, Counted, DirectionSummary, RttSummary, SubflowDirectionSummary, SubflowSummary, SummaryOptions,
  SummaryReport, TcpConversationReport, TcpDirectionSummary,
} from './summary.js';
export { diagnose, diagnoseConnection, verifiedChecks } from './doctor/index.js';
export type {
  DoctorConnection, DoctorFinding, DoctorOptions, DoctorReport, DoctorSeverity, DoctorTcpConversation,
} from './doctor/index.js';
