/**
 * One pass over a capture for the reports: read, decode, TCP and MPTCP
 * analysis, and the report collector, packet by packet. The result holds
 * the connection model and the collector's extras; `summary` and `doctor`
 * are computed from it.
 */
import { readCapture, readCaptureBytes } from '../../capture/index.js';
import type { Frame } from '../../capture/index.js';
import { CaptureError } from '../../util/errors.js';
import { PacketDecoder } from '../../wire/index.js';
import { MptcpTracker } from '../mptcp/index.js';
import { TcpTracker } from '../tcp/tracker.js';
import type { Instant, MptcpConnection } from '../mptcp/types.js';
import type { TcpConversationSummary } from '../tcp/tracker.js';
import { ReportCollector } from './collect.js';
import type { CollectorOptions } from './collect.js';

export type AnalyzeOptions = CollectorOptions;

export interface CaptureAnalysis {
  /** Frames read. */
  packets: number;
  firstTime?: Instant | undefined;
  lastTime?: Instant | undefined;
  /** MPTCP connections by mptcp.stream. */
  connections: MptcpConnection[];
  /** Every TCP conversation (MPTCP subflows included) by tcp.stream. */
  tcp: TcpConversationSummary[];
  extras: ReportCollector;
  /** The file was damaged after the frames analysed here (they are all good). */
  captureError?: CaptureError | undefined;
}

/**
 * Feeds frames in capture order; `finish` gives the analysis. The trackers
 * are called directly rather than as stages of `Analyzer`: nothing here
 * keeps a packet's annotations, so none is gathered into an object, and the
 * TCP and MPTCP annotations are each one object reused for every packet.
 * Nothing keeps the packet either (the trackers and the collector copy what
 * they keep: strings, numbers, the bytes a DSS checksum waits for), so one
 * Packet is refilled for every frame, and the frames and the buffer a file
 * is read into may be reused too.
 */
export class CaptureAnalyzer {
  private readonly tcp = new TcpTracker({ transientAnnotations: true });
  private readonly mptcp = new MptcpTracker({ transientAnnotations: true });
  private readonly extras: ReportCollector;
  private readonly decoder = new PacketDecoder();
  private packets = 0;
  /** Timestamps of the first and last frames, kept as numbers: no allocation per frame. */
  private firstSec = 0;
  private firstNsec = 0;
  private lastSec = 0;
  private lastNsec = 0;

  constructor(opts: AnalyzeOptions = {}) {
    this.extras = new ReportCollector(opts);
  }

  get seenFrames(): number {
    return this.packets;
  }

  frame(frame: Frame): void {
    if (this.packets++ === 0) {
      this.firstSec = frame.tsSec;
      this.firstNsec = frame.tsNsec;
    }
    this.lastSec = frame.tsSec;
    this.lastNsec = frame.tsNsec;
    const pkt = this.decoder.decode(frame);
    const tcp = this.tcp.process(pkt);
    if (tcp === undefined) return;
    const mptcp = this.mptcp.process(pkt, tcp);
    if (!tcp.quoted) this.extras.packet(pkt, tcp, mptcp);
  }

  finish(captureError?: CaptureError): CaptureAnalysis {
    this.mptcp.finish();
    this.extras.finish();
    const tcp = this.tcp;
    let conversations: TcpConversationSummary[] | undefined;
    return {
      packets: this.packets,
      firstTime: this.packets > 0 ? { sec: this.firstSec, nsec: this.firstNsec } : undefined,
      lastTime: this.packets > 0 ? { sec: this.lastSec, nsec: this.lastNsec } : undefined,
      connections: this.mptcp.connections(),
      // Made when first read: the MPTCP summary of a capture with thousands of subflows never reads them.
      get tcp() {
        return (conversations ??= tcp.conversations());
      },
      extras: this.extras,
      captureError,
    };
  }
}

/** Analyses a capture file (`'-'`: standard input). Damage after good frames is returned, not thrown. */
export async function analyzeCapture(source: string, opts: AnalyzeOptions = {}): Promise<CaptureAnalysis> {
  const a = new CaptureAnalyzer(opts);
  try {
    await readCapture(source, (f) => { a.frame(f); }, { reuseFrames: true, reuseBuffer: true });
  } catch (e) {
    if (e instanceof CaptureError && a.seenFrames > 0) return a.finish(e);
    throw e;
  }
  return a.finish();
}

/** Analyses a capture held in memory (pcap or pcapng, gzip ok). */
export function analyzeCaptureBytes(bytes: Uint8Array, opts: AnalyzeOptions = {}): CaptureAnalysis {
  const a = new CaptureAnalyzer(opts);
  try {
    readCaptureBytes(bytes, (f) => { a.frame(f); }, { reuseFrames: true });
  } catch (e) {
    if (e instanceof CaptureError && a.seenFrames > 0) return a.finish(e);
    throw e;
  }
  return a.finish();
}

/** Analyses frames already in memory (tests, crafted traffic). */
export function analyzeFrames(frames: Iterable<Frame>, opts: AnalyzeOptions = {}): CaptureAnalysis {
  const a = new CaptureAnalyzer(opts);
  for (const f of frames) a.frame(f);
  return a.finish();
}
