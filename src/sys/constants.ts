/**
 * Linux numbers the sys layer passes to the native addon. They are the
 * values of the common architectures (x86, arm, riscv); MIPS, SPARC, Alpha
 * and PA-RISC number SOL_SOCKET and its options differently and are not
 * supported.
 */
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_PACKET = 17;

export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;

export const IPPROTO_IP = 0;
export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_IPV6 = 41;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_RAW = 255;
/** Multipath TCP: socket(AF_INET[6], SOCK_STREAM, IPPROTO_MPTCP), Linux 5.6+. */
export const IPPROTO_MPTCP = 262;

export const SOL_SOCKET = 1;
export const SO_REUSEADDR = 2;
export const SO_ERROR = 4;
export const SO_RCVBUF = 8;
export const SO_BINDTODEVICE = 25;
export const SO_PROTOCOL = 38;

export const SOL_IP = 0;
export const IP_TTL = 2;
export const IP_HDRINCL = 3;
export const IP_RECVERR = 11;
export const SOL_IPV6 = 41;
export const IPV6_UNICAST_HOPS = 16;
export const IPV6_V6ONLY = 26;
export const IPV6_HDRINCL = 36;

/** getsockopt level of the MPTCP socket options (Linux 5.16+). */
export const SOL_MPTCP = 284;
export const MPTCP_INFO = 1;
export const MPTCP_TCPINFO = 2;
export const MPTCP_SUBFLOW_ADDRS = 3;
/** Linux 6.6+. */
export const MPTCP_FULL_INFO = 4;

/** mptcp_info.mptcpi_flags bits. */
export const MPTCP_INFO_FLAG_FALLBACK = 1;
export const MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED = 2;

/** TUNSETIFF flags. */
export const IFF_TUN = 0x0001;
export const IFF_TAP = 0x0002;
export const IFF_NO_PI = 0x1000;
export const IFNAMSIZ = 16;

/** libuv poll events, as the addon's watch() takes and reports them. */
export const UV_READABLE = 1;
export const UV_WRITABLE = 2;
export const UV_DISCONNECT = 4;
