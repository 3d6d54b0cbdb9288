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
export { probe, countVerdicts, BAD_VERDICTS } from './probe.js';
export type { ProbeOptions, ProbeStart, ProbeResult, VerdictCounts } from './probe.js';
export { formatProbe, formatProbeHeader, formatSummary, formatScenarioList, ProbeTable } from './probe-format.js';
export {
  SCENARIOS, scenariosNamed, runScenarios, Concluded, frames, resetText, dataAcked, sendAcked, establish, secondSubflow, reaction,
} from './scenarios/index.js';
export type { Scenario, ScenarioContext, ScenarioConnectOptions, ScenarioResult, Outcome, Verdict, RunOptions } from './scenarios/index.js';
export { MptcpConnection, optionOf, DEFAULT_TIMING } from './engine/connection.js';
export type {
  ConnectOptions, Timing, SendOptions, Sent, JoinOptions, JoinResult, PeerAddress, FrameFinding, ChecksumMode, MappingForm,
} from './engine/connection.js';
export { Subflow } from './engine/subflow.js';
export type { Segment, Stray } from './engine/subflow.js';
export { ProbeHost, randomPortBase } from './engine/host.js';
export { PacketLog } from './engine/transport.js';
export type { ProbeTransport, RecordedPacket } from './engine/transport.js';
export { TunTransport } from './engine/tun-transport.js';
export { RawProbeTransport, PROBE_MARK } from './engine/raw-transport.js';
export { StepTimeout, PeerFallback, PeerRefused, StepError, ProbeSetupError } from './engine/errors.js';
