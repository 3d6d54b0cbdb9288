/**
 * Talking MPTCP on the wire: packet crafting (layers serialized by the wire
 * codecs, with lengths and checksums computed or deliberately wrong; every
 * TCP and MPTCP option of either version, keys, tokens, HMACs and DSS
 * checksums from the crypto module) and path tracing with MP_CAPABLE SYNs.
 */
export { ProbeError } from './errors.js';
export type { ProbeErrorCode } from './errors.js';
export { addressBytes, addressFamily, addressText, ipv4Number, ipv6Bytes, macBytes, sameAddress } from './address.js';
export type { Address } from './address.js';
export {
  serialize, tcpSegment, tcpSegmentLayers, tcpFlags,
  ethernet, ipv4, ipv6, tcp, udp, icmp, icmpv6, payload,
} from './craft.js';
export type {
  Layer, EthernetLayer, Ipv4Layer, Ipv6Layer, TcpLayer, UdpLayer, IcmpLayer, PayloadLayer, SerializeOptions, TcpSegmentSpec,
} from './craft.js';
export {
  eol, nop, mss, wscale, sackPerm, sack, ts, timestamps, md5, userTimeout, tcpAo, fastOpen, rawOption, optionBytes, mptcp, withLength,
} from './options.js';
export {
  mpCapable, mpJoinSyn, mpJoinSynAck, mpJoinAck, dss, addAddr, removeAddr, mpPrio, mpFail, mpFastclose, mpTcpRst, mpExperimental, keyFacts,
} from './mptcp-options.js';
export type {
  FlagLetters, MpCapableSpec, JoinAuth, MpJoinSynSpec, MpJoinSynAckSpec, MpJoinAckSpec, DssSpec, AddAddrSpec,
} from './mptcp-options.js';
export { craftedFrames, craftedCapture, decodeCrafted, frameOf } from './capture.js';
export type { CraftedPacket, CraftedFramesOptions, CraftedCaptureOptions } from './capture.js';
export { describeOption, flagsText, optionKey, optionName } from './describe.js';
export { trace, traceVerdict } from './trace.js';
export type {
  TraceOptions, TraceTransport, TraceStart, TraceResult, TraceHop, TraceAnswer, HopChange, HopReply, AnswerKind, IcmpSummary, QuoteSummary, VerdictCode,
} from './trace.js';
export { quoteChanges, quoteShowsOptions } from './trace-diff.js';
export type { PathChange, SentProbe } from './trace-diff.js';
export { formatTrace, formatTraceHeader, formatHop } from './trace-format.js';
export { RawTraceTransport, sourceAddressFor } from './raw-transport.js';
export type { RawTransportOptions } from './raw-transport.js';
