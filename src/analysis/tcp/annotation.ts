/** The per-packet result object, one shape for every packet so property access stays monomorphic. */
import type { TcpAnnotation } from '../types.js';

export class TcpResult implements TcpAnnotation {
  stream = 0;
  dir: 0 | 1 = 0;
  seq = 0;
  ack = 0;
  nxtseq = 0;
  relative = false;
  isn = 0;
  ackIsn: number | undefined = undefined;
  windowSize = 0;
  windowScale = 0;
  flags = 0;
  hasAnalysis = false;
  noSegment = false;
  quoted = false;
  mptcpNotDupAck = false;
  dupAckNum: number | undefined = undefined;
  dupAckFrame: number | undefined = undefined;
  acksFrame: number | undefined = undefined;
  ackRtt: number | undefined = undefined;
  initialRtt: number | undefined = undefined;
  bytesInFlight: number | undefined = undefined;
  pushBytesSent: number | undefined = undefined;
  rto: number | undefined = undefined;
  rtoFrame: number | undefined = undefined;
  timeRelative = 0;
  timeDelta = 0;
}
