import type { PacketAnnotations } from '../../fields/types.js';
import type { Packet } from '../../wire/types.js';
import type { AnalysisStage } from '../index.js';
import type { MptcpTracker } from './tracker.js';

/** The tracker as a stage of `Analyzer`, after TCP analysis: fills `annotations.mptcp`. */
export function mptcpStage(tracker: MptcpTracker): AnalysisStage {
  return {
    process(pkt: Packet, annotations: PacketAnnotations): void {
      const tcp = annotations.tcp;
      if (tcp !== undefined) annotations.mptcp = tracker.process(pkt, tcp);
    },
  };
}
