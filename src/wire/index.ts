/** The wire layer: one codec per header, checksums, and `decodePacket` over a captured frame. */
export * from './types.js';
export type { Codec } from './codec.js';
export type { TransportContext } from './transport.js';
export * from './checksum.js';
export { EtherType, ETHERNET_HEADER_LENGTH, ethernetCodec, isVlanTpid } from './ethernet.js';
export { SLL_HEADER_LENGTH, SLL2_HEADER_LENGTH, sllCodec, sll2Codec } from './sll.js';
export { LOOPBACK_HEADER_LENGTH, loopbackCodec, isLoopbackIpv4, isLoopbackIpv6 } from './loopback.js';
export { PppProtocol, pppCodec } from './ppp.js';
export { IPV4_HEADER_LENGTH, Ipv4Flag, ipv4Codec, ipv4ToString } from './ipv4.js';
export { IPV6_HEADER_LENGTH, IPV6_NO_NEXT_HEADER, Ipv6Ext, ipv6Codec, ipv6ToString, isIpv6Extension } from './ipv6.js';
export { IPPROTO_UDP, UDP_HEADER_LENGTH, udpCodec } from './udp.js';
export { ICMP_HEADER_LENGTH, IPPROTO_ICMP, IPPROTO_ICMPV6, IcmpType, Icmpv6Type, decodeQuote, icmpCodec, icmpQuotes, icmpv6Codec } from './icmp.js';
export { IPPROTO_TCP, TCP_HEADER_LENGTH, decodeQuotedTcp, tcpCodec } from './tcp.js';
export {
  FAST_OPEN_MAGIC, MAX_WSCALE_SHIFT, OPTION_KIND_MPTCP, OptionProblem, TcpOptionKind, TcpOptionWalk, decodeTcpOptions, encodeTcpOption,
  encodeTcpOptions, fastOpenCookieLength, nextSoundOption, tcpOptionKinds, tcpOptionLength, tcpOptionName, tcpOptionsClean, tcpOptionsLength,
} from './tcp-options.js';
export * from './mptcp.js';
export {
  ETHER_TYPE_NAMES, PacketDecoder, decodePacket, etherTypeName, ipProtocolName,
} from './packet.js';
export type { DecodeOptions, PacketDecoderOptions } from './packet.js';
