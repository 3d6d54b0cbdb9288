/**
 * Stateful analysis of decoded packets, fed in capture order: TCP
 * conversations (`tcp.stream`, relative numbers, `tcp.analysis.*`), then
 * whatever later stages add (MPTCP connections). `Analyzer` runs them all
 * and returns each packet's annotations for the presenters and the field
 * registry.
 */
import type { PacketAnnotations } from '../fields/types.js';
import type { Packet } from '../wire/types.js';
import { TcpTracker } from './tcp/tracker.js';
import type { TcpTrackerOptions } from './tcp/tracker.js';

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

/**
 * A stage after TCP analysis: reads the packet and what earlier stages
 * found (`annotations.tcp`) and adds its own member to `annotations`.
 */
export interface AnalysisStage {
  process(pkt: Packet, annotations: PacketAnnotations): void;
}

export interface AnalyzerOptions {
  tcp?: TcpTrackerOptions;
  /** Stages run after TCP analysis, in order (the MPTCP tracker plugs in here). */
  stages?: AnalysisStage[];
}

/** Runs TCP analysis and the later stages over each packet. */
export class Analyzer {
  readonly tcp: TcpTracker;
  private readonly stages: AnalysisStage[];

  constructor(opts: AnalyzerOptions = {}) {
    this.tcp = new TcpTracker(opts.tcp);
    this.stages = opts.stages ?? [];
  }

  /** Adds a stage after those already there. */
  use(stage: AnalysisStage): this {
    this.stages.push(stage);
    return this;
  }

  /** Annotations of one packet; call for every packet read, shown or not, in capture order. */
  process(pkt: Packet): PacketAnnotations {
    const annotations: PacketAnnotations = { tcp: this.tcp.process(pkt) };
    for (let i = 0; i < this.stages.length; i++) this.stages[i]!.process(pkt, annotations);
    return annotations;
  }
}
export { analyzeCapture, analyzeCaptureBytes, diagnose, summarize } from './report/index.js';
export type { CaptureAnalysis, AnalyzeOptions } from './report/index.js';
