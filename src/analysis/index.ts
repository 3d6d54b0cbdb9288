/**
 * Stateful analysis of decoded packets, fed in capture order: TCP
 * conversations (`tcp.stream`, relative numbers, `tcp.analysis.*`), then
 * whatever later stages add (MPTCP connections). `Analyzer` runs them all
 * and returns each packet's annotations for the presenters and the field
 * registry.
 */
export { Analyzer } from './analyzer.js';
export type { AnalysisStage, AnalyzerOptions } from './analyzer.js';
export { TcpTracker } from './tcp/tracker.js';
export type { TcpTrackerOptions } from './tcp/tracker.js';
export type { TcpConversationSummary } from './tcp/summary.js';
export { mptcpOptionOverruns } from './tcp/options.js';
export { tcpSegmentLength } from './tcp/segment.js';
export { TcpAnalysisFlag, WINDOW_SCALE_NONE, WINDOW_SCALE_UNKNOWN } from './types.js';
export type { TcpAnnotation } from './types.js';
export type { PacketAnnotations } from '../fields/types.js';
export { MptcpTracker, mptcpStage } from './mptcp/index.js';
export type { MptcpAnnotation, MptcpConnection, MptcpSubflow } from './mptcp/index.js';

export { analyzeCapture, analyzeCaptureBytes, diagnose, summarize } from './report/index.js';
export type { CaptureAnalysis, AnalyzeOptions } from './report/index.js';
