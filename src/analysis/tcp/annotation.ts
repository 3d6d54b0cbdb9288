/**
 * The per-packet result object: every member present from the start, so all
 * results share one shape. Built from an object literal, which V8 allocates
 * in its final shape at once (a class with field initializers would walk
 * through one hidden-class transition per field). With transient
 * annotations one object is cleared and refilled for every packet instead.
 * Numbers that may exceed 2^31 (ackIsn) start as 0, not undefined: a member
 * that has held undefined stores each such number as a new heap object.
 */
import type { TcpAnnotation } from '../types.js';

export interface TcpResult extends TcpAnnotation {
  dir: 0 | 1;
  relative: boolean;
  ackIsn: number;
  hasAnalysis: boolean;
  noSegment: boolean;
  quoted: boolean;
  mptcpNotDupAck: boolean;
  dupAckNum: number | undefined;
  dupAckFrame: number | undefined;
  acksFrame: number | undefined;
  ackRtt: number | undefined;
  initialRtt: number | undefined;
  bytesInFlight: number | undefined;
  pushBytesSent: number | undefined;
  rto: number | undefined;
  rtoFrame: number | undefined;
  completeness: number;
}

export function newResult(): TcpResult {
  return {
    stream: 0,
    dir: 0,
    seq: 0,
    ack: 0,
    nxtseq: 0,
    relative: false,
    isn: 0,
    ackIsn: 0,
    windowSize: 0,
    windowScale: 0,
    flags: 0,
    hasAnalysis: false,
    noSegment: false,
    quoted: false,
    mptcpNotDupAck: false,
    dupAckNum: undefined,
    dupAckFrame: undefined,
    acksFrame: undefined,
    ackRtt: undefined,
    initialRtt: undefined,
    bytesInFlight: undefined,
    pushBytesSent: undefined,
    rto: undefined,
    rtoFrame: undefined,
    completeness: 0,
    timeRelative: 0,
    timeDelta: 0,
  };
}

/** Puts every member of `r` back to what `newResult` starts with. */
export function clearResult(r: TcpResult): TcpResult {
  r.stream = 0;
  r.dir = 0;
  r.seq = 0;
  r.ack = 0;
  r.nxtseq = 0;
  r.relative = false;
  r.isn = 0;
  r.ackIsn = 0;
  r.windowSize = 0;
  r.windowScale = 0;
  r.flags = 0;
  r.hasAnalysis = false;
  r.noSegment = false;
  r.quoted = false;
  r.mptcpNotDupAck = false;
  r.dupAckNum = undefined;
  r.dupAckFrame = undefined;
  r.acksFrame = undefined;
  r.ackRtt = undefined;
  r.initialRtt = undefined;
  r.bytesInFlight = undefined;
  r.pushBytesSent = undefined;
  r.rto = undefined;
  r.rtoFrame = undefined;
  r.completeness = 0;
  r.timeRelative = 0;
  r.timeDelta = 0;
  return r;
}
