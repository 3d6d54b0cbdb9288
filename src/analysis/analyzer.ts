/**
 * The driver of the stateful analysis: TCP conversations first, then
 * whatever later stages add (MPTCP connections), packet by packet. Kept
 * apart from the package's index so that a caller needing only TCP analysis
 * loads neither the MPTCP tracker nor the reports.
 */
import type { PacketAnnotations } from '../fields/types.js';
import type { Packet } from '../wire/types.js';
import { TcpTracker } from './tcp/tracker.js';
import type { TcpTrackerOptions } from './tcp/tracker.js';

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

  /** The one annotations object when TCP annotations are transient. */
  private readonly scratch: PacketAnnotations | undefined;

  constructor(opts: AnalyzerOptions = {}) {
    this.tcp = new TcpTracker(opts.tcp);
    this.stages = opts.stages ?? [];
    this.scratch = opts.tcp?.transientAnnotations === true ? { tcp: undefined } : undefined;
  }

  /** Adds a stage after those already there. */
  use(stage: AnalysisStage): this {
    this.stages.push(stage);
    return this;
  }

  /**
   * Annotations of one packet; call for every packet read, shown or not, in
   * capture order. With transient TCP annotations (`tcp.transientAnnotations`)
   * and no later stage, the returned object too is reused for every packet.
   */
  process(pkt: Packet): PacketAnnotations {
    const tcp = this.tcp.process(pkt);
    const stages = this.stages;
    if (stages.length === 0 && this.scratch !== undefined) {
      this.scratch.tcp = tcp;
      return this.scratch;
    }
    const annotations: PacketAnnotations = { tcp };
    for (let i = 0; i < stages.length; i++) stages[i]!.process(pkt, annotations);
    return annotations;
  }
}
