/** What every doctor rule works from: the analysis, the connection at hand, and small helpers for words. */
import type { DataDir, Endpoint, MptcpConnection, MptcpSubflow } from '../../mptcp/types.js';
import type { ConnExtra, StreamExtra } from '../collect.js';
import { MAX_FRAMES } from '../collect.js';
import type { CaptureAnalysis } from '../run.js';
import type { DoctorFinding } from './types.js';

/** A finding as rules give it: frames in any order, possibly with gaps. */
export type FindingInput = Omit<DoctorFinding, 'connection' | 'frames'> & { frames: Iterable<number | undefined> };

export interface DoctorOptions {
  /** Also diagnose plain TCP conversations. */
  tcp?: boolean | undefined;
}

export class ConnContext {
  readonly findings: DoctorFinding[] = [];
  readonly extra: ConnExtra | undefined;

  constructor(readonly analysis: CaptureAnalysis, readonly conn: MptcpConnection) {
    this.extra = analysis.extras.conns[conn.index];
  }

  stream(sub: MptcpSubflow): StreamExtra | undefined {
    return this.analysis.extras.streams[sub.stream];
  }

  add(f: FindingInput): void {
    this.findings.push(canonical({ ...f, connection: this.conn.index, frames: frameList(f.frames) }));
  }

  /** Seconds from the subflow's first packet to the end of the capture. */
  ageAtEnd(sub: MptcpSubflow): number {
    const end = this.analysis.lastTime;
    if (end === undefined) return 0;
    return end.sec - sub.firstTime.sec + (end.nsec - sub.firstTime.nsec) / 1e9;
  }
}

/** The same finding with its members in one order, so JSON reads the same for every finding. */
export function canonical(f: DoctorFinding): DoctorFinding {
  return {
    severity: f.severity,
    code: f.code,
    connection: f.connection,
    stream: f.stream,
    title: f.title,
    frames: f.frames,
    meaning: f.meaning,
    check: f.check,
    facts: f.facts,
  };
}

/** Sorted, unique, at most MAX_FRAMES. */
export function frameList(frames: Iterable<number | undefined>): number[] {
  const set = new Set<number>();
  for (const f of frames) if (f !== undefined) set.add(f);
  return [...set].sort((a, b) => a - b).slice(0, MAX_FRAMES);
}

export function endpoint(e: Endpoint | undefined): string {
  if (e === undefined) return '?';
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

/** "subflow 10.0.2.1:36819 → 10.0.3.1:5201 (tcp.stream 1)". */
export function subflowName(sub: MptcpSubflow): string {
  return `${endpoint(sub.src)} → ${endpoint(sub.dst)} (tcp.stream ${sub.stream})`;
}

export function side(dir: DataDir): string {
  return dir === 0 ? 'client' : 'server';
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function framesText(frames: readonly number[]): string {
  if (frames.length === 0) return '';
  if (frames.length === 1) return `frame ${frames[0]}`;
  return `frames ${frames.slice(0, 6).join(', ')}${frames.length > 6 ? ', …' : ''}`;
}
