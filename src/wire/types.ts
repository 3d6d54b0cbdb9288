/**
 * Plain representations of decoded headers ("Repr" in smoltcp's words).
 *
 * Every Repr records where it sits in the frame (`offset`, `length` in bytes of
 * the captured data) so presenters can highlight bytes and so encoders can be
 * checked byte for byte. Decoders never throw on packet bytes: a short or
 * inconsistent header becomes a Finding and decoding stops at that layer.
 */

export type Severity = 'error' | 'warning' | 'note' | 'chat';

/** An expert finding attached to a packet (tshark: expert info). */
export interface Finding {
  severity: Severity;
  /**
   * Stable machine code. Conventions: `malformed` (bytes inconsistent with the
   * protocol), `truncated` (capture cut the bytes short), `<proto>.<what>` for
   * the rest, e.g. `tcp.option.bad_length`, `ip.checksum.bad`, `ip.fragment`.
   */
  code: string;
  /** Human text, tshark-like where tshark has one. */
  message: string;
  /** Protocol layer that raised it: 'eth', 'ip', 'ipv6', 'tcp', 'mptcp', ... */
  layer: string;
  /** Byte offset in the frame where the problem is, where known. */
  offset?: number;
}

// ---------------------------------------------------------------- link layer

export interface VlanTag {
  /** TPID that introduced this tag (0x8100, 0x88a8, 0x9100). */
  tpid: number;
  pcp: number;
  dei: boolean;
  vid: number;
  offset: number;
}

export interface EthernetRepr {
  layer: 'eth';
  offset: number;
  length: number;
  dst: Uint8Array; // 6 bytes
  src: Uint8Array; // 6 bytes
  /** 802.1Q / QinQ tags, outermost first. */
  vlans: VlanTag[];
  /** EtherType after the tags (or the 802.3 length when < 0x600). */
  etherType: number;
}

/** Linux cooked capture v1 (LINKTYPE_LINUX_SLL, 113). */
export interface SllRepr {
  layer: 'sll';
  offset: number;
  length: number;
  version: 1 | 2;
  /** 0 to us, 1 broadcast, 2 multicast, 3 other host, 4 outgoing. */
  packetType: number;
  /** ARPHRD_ type. */
  hatype: number;
  addrLen: number;
  /** Link-layer address bytes (addrLen of the 8 bytes). */
  addr: Uint8Array;
  /**
   * The whole 8-byte address field as captured. Linux leaves stale bytes
   * after the address, so encoders write this (then `addr` over it) to
   * re-encode a captured header identically.
   */
  addrField?: Uint8Array | undefined;
  protocol: number;
  /** SLL2 only: interface index. */
  ifIndex?: number;
}

/** BSD loopback (NULL 0, LOOP 108): 4-byte address family. */
export interface LoopbackRepr {
  layer: 'null';
  offset: number;
  length: number;
  family: number;
  /** true when the family word was in network byte order (LOOP or a big-endian writer). */
  bigEndian: boolean;
}

/** PPP (9) and PPP in HDLC-like framing (50). */
export interface PppRepr {
  layer: 'ppp';
  offset: number;
  length: number;
  /** Address/control bytes present (0xff 0x03). */
  hdlc: boolean;
  protocol: number;
}

export type LinkRepr = EthernetRepr | SllRepr | LoopbackRepr | PppRepr;

// ------------------------------------------------------------- network layer

export interface Ipv4OptionRepr {
  type: number;
  offset: number;
  /** Whole option bytes, type and length included. */
  raw: Uint8Array;
}

export interface Ipv4Repr {
  layer: 'ip';
  offset: number;
  /** Header length in bytes (IHL * 4). */
  length: number;
  version: 4;
  ihl: number;
  dscp: number;
  ecn: number;
  /** Total length field. */
  totalLength: number;
  id: number;
  /** Flags bits (reserved, DF, MF) as the 3-bit value. */
  flags: number;
  fragOffset: number; // in 8-byte units
  ttl: number;
  protocol: number;
  checksum: number;
  /** Whether the header checksum verifies (undefined when the header is truncated). */
  checksumOk?: boolean | undefined;
  /** Source and destination as unsigned 32-bit numbers. */
  src: number;
  dst: number;
  options: Ipv4OptionRepr[];
  /** True for a non-first fragment or MF set: the payload is not a whole transport header. */
  isFragment: boolean;
}

export interface Ipv6ExtRepr {
  /** Next-header value that introduced this header: 0 hop-by-hop, 43 routing, 44 fragment, 60 destination options, 51 AH. */
  type: number;
  offset: number;
  length: number;
  nextHeader: number;
  /** Fragment header fields. */
  fragOffset?: number;
  moreFragments?: boolean;
  fragId?: number;
  /** Routing header fields. */
  routingType?: number;
  segmentsLeft?: number;
  /** Bytes after the first two (options or type-specific data). */
  data: Uint8Array;
}

export interface Ipv6Repr {
  layer: 'ipv6';
  offset: number;
  /** Fixed header plus extension headers. */
  length: number;
  version: 6;
  trafficClass: number;
  flowLabel: number;
  payloadLength: number;
  /** Next header of the fixed header. */
  nextHeader: number;
  hopLimit: number;
  src: Uint8Array; // 16 bytes
  dst: Uint8Array; // 16 bytes
  extensions: Ipv6ExtRepr[];
  /** Upper-layer protocol after the extension headers. */
  protocol: number;
  isFragment: boolean;
}

export type IpRepr = Ipv4Repr | Ipv6Repr;

// ----------------------------------------------------------- transport layer

export interface UdpRepr {
  layer: 'udp';
  offset: number;
  length: 8;
  srcPort: number;
  dstPort: number;
  /** Length field (header + payload). */
  udpLength: number;
  checksum: number;
  checksumOk?: boolean | undefined;
  payloadOffset: number;
  payloadLength: number;
}

export interface IcmpRepr {
  layer: 'icmp' | 'icmpv6';
  offset: number;
  length: number;
  type: number;
  code: number;
  checksum: number;
  checksumOk?: boolean | undefined;
  /** Bytes 4..7 of the header (identifier/sequence, MTU, pointer, RFC 4884 length...). */
  rest: number;
  /** RFC 4884 length of the original datagram in bytes (0 when absent). */
  originalLength: number;
  /**
   * The quoted packet of Time Exceeded / Destination Unreachable / Parameter
   * Problem / Packet Too Big, decoded from its IP header as far as it goes.
   */
  quote?: QuotedPacket | undefined;
  payloadOffset: number;
  payloadLength: number;
}

/** A packet quoted inside an ICMP error. */
export interface QuotedPacket {
  ip?: IpRepr | undefined;
  tcp?: TcpRepr | undefined;
  udp?: UdpRepr | undefined;
  /** Bytes of the transport header that were quoted (8 for an RFC 792 quote). */
  transportBytes: number;
  /** True when only the first 8 transport bytes were quoted (RFC 792), so TCP options are missing. */
  partial: boolean;
  findings: Finding[];
}

// ------------------------------------------------------------------ TCP

/** TCP flag bits as they sit in the 12-bit field after the data offset. */
export const TcpFlag = {
  FIN: 0x001,
  SYN: 0x002,
  RST: 0x004,
  PSH: 0x008,
  ACK: 0x010,
  URG: 0x020,
  ECE: 0x040,
  CWR: 0x080,
  AE: 0x100, // RFC 9768 Accurate ECN (formerly NS)
  RES: 0xe00,
} as const;

interface TcpOptionBase {
  /** Option kind byte. */
  kind: number;
  /** Offset of the kind byte in the frame. */
  offset: number;
  /** Length byte value (1 for EOL/NOP). */
  length: number;
  /**
   * The whole option bytes as captured (kind and length included). Encoders
   * re-emit these when the option is unknown or malformed, so the round trip
   * is byte-identical.
   */
  raw: Uint8Array;
  /** Set when the option could not be decoded as its kind says (bad length, cut short). */
  malformed?: string | undefined;
}

export interface TcpOptEol extends TcpOptionBase { type: 'eol' }
export interface TcpOptNop extends TcpOptionBase { type: 'nop' }
export interface TcpOptMss extends TcpOptionBase { type: 'mss'; mss: number }
export interface TcpOptWscale extends TcpOptionBase { type: 'wscale'; shift: number }
export interface TcpOptSackPerm extends TcpOptionBase { type: 'sackPerm' }
export interface TcpOptSack extends TcpOptionBase { type: 'sack'; blocks: Array<[left: number, right: number]> }
export interface TcpOptTimestamps extends TcpOptionBase { type: 'timestamps'; tsval: number; tsecr: number }
export interface TcpOptMd5 extends TcpOptionBase { type: 'md5'; digest: Uint8Array }
export interface TcpOptUserTimeout extends TcpOptionBase { type: 'userTimeout'; granularityMinutes: boolean; timeout: number }
export interface TcpOptAo extends TcpOptionBase { type: 'tcpAo'; keyId: number; rnextKeyId: number; mac: Uint8Array }
/** Fast Open: kind 34, or the experimental kind 254 with magic 0xF989. */
export interface TcpOptFastOpen extends TcpOptionBase { type: 'fastOpen'; experimental: boolean; cookie: Uint8Array }
export interface TcpOptMptcp extends TcpOptionBase { type: 'mptcp'; mptcp: MptcpOption }
export interface TcpOptUnknown extends TcpOptionBase { type: 'unknown'; data: Uint8Array }

export type TcpOption =
  | TcpOptEol | TcpOptNop | TcpOptMss | TcpOptWscale | TcpOptSackPerm | TcpOptSack
  | TcpOptTimestamps | TcpOptMd5 | TcpOptUserTimeout | TcpOptAo | TcpOptFastOpen
  | TcpOptMptcp | TcpOptUnknown;

export interface TcpRepr {
  layer: 'tcp';
  offset: number;
  /** Header length in bytes as captured (dataOffset * 4, or less when cut short). */
  length: number;
  srcPort: number;
  dstPort: number;
  seq: number; // u32
  ack: number; // u32
  /** Data offset field (header length in 32-bit words). */
  dataOffset: number;
  /** 12 bits: reserved(3) AE CWR ECE URG ACK PSH RST SYN FIN, see TcpFlag. */
  flags: number;
  window: number;
  checksum: number;
  checksumOk?: boolean | undefined;
  urgentPointer: number;
  options: TcpOption[];
  /** Offset of the payload in the frame. */
  payloadOffset: number;
  /** Payload bytes present in the capture. */
  payloadCaptured: number;
  /** Payload length on the wire, from the IP length (tcp.len). */
  payloadLength: number;
  /**
   * Set by the decoder: the kinds of the options when every one is sound
   * (bit k for kind k below 31, bit 31 for any higher kind; see
   * `tcpOptionKinds`), so readers looking for a few kinds know whether to
   * walk the options at all and may skip the walk's soundness checks.
   * -1 or absent: unknown, or some option is not sound.
   */
  optionKinds?: number | undefined;
}

// ---------------------------------------------------------------- MPTCP

export const MptcpSubtype = {
  MP_CAPABLE: 0,
  MP_JOIN: 1,
  DSS: 2,
  ADD_ADDR: 3,
  REMOVE_ADDR: 4,
  MP_PRIO: 5,
  MP_FAIL: 6,
  MP_FASTCLOSE: 7,
  MP_TCPRST: 8,
  MP_EXPERIMENTAL: 15,
} as const;

interface MptcpBase {
  /** Subtype nibble (0..15). */
  subtype: number;
  /** Length byte of the enclosing TCP option. */
  length: number;
}

/**
 * MP_CAPABLE. v0 (RFC 6824): 12 bytes (SYN, SYN/ACK) or 20 (third ACK).
 * v1 (RFC 8684): 4 (SYN), 12 (SYN/ACK), 20 (third ACK), 22/24 (first data, with data-level length and optional checksum).
 */
export interface MptcpCapable extends MptcpBase {
  name: 'MP_CAPABLE';
  version: number;
  /** The flags byte: A(0x80) B(0x40) C(0x20) D..G(0x10..0x02) H(0x01). */
  flags: number;
  senderKey?: bigint | undefined;
  receiverKey?: bigint | undefined;
  dataLength?: number | undefined;
  checksum?: number | undefined;
}

export interface MptcpJoin extends MptcpBase {
  name: 'MP_JOIN';
  /** Which handshake packet this form is: by length 12 SYN, 16 SYN/ACK, 24 third ACK. */
  phase: 'syn' | 'synack' | 'ack';
  backup: boolean;
  addrId: number;
  /** SYN: receiver's token. */
  token?: number | undefined;
  /** SYN and SYN/ACK: sender's random number. */
  nonce?: number | undefined;
  /** SYN/ACK: truncated (leftmost 64 bits) HMAC. */
  truncatedHmac?: bigint | undefined;
  /** Third ACK: full 160-bit HMAC. */
  hmac?: Uint8Array | undefined;
  /**
   * Reserved bits, kept so the option re-encodes identically. SYN and SYN/ACK:
   * the three bits above B in the subtype byte (`byte & 0x0e`). Third ACK: the
   * 12 bits after the subtype (that form has no B flag or address id; `backup`
   * is false and `addrId` 0 there).
   */
  reserved?: number | undefined;
}

export interface MptcpDss extends MptcpBase {
  name: 'DSS';
  /** The flags byte: F(0x10) m(0x08) M(0x04) a(0x02) A(0x01). */
  flags: number;
  dataFin: boolean;
  /** Data ACK present and its width in bytes (4 or 8). */
  dataAck?: bigint | undefined;
  dataAckWidth?: 4 | 8 | undefined;
  /** Mapping present: DSN and its width in bytes (4 or 8). */
  dsn?: bigint | undefined;
  dsnWidth?: 4 | 8 | undefined;
  /** Subflow sequence number (relative to the subflow's ISN). */
  ssn?: number | undefined;
  dataLength?: number | undefined;
  /** DSS checksum when the mapping carries one. */
  checksum?: number | undefined;
  /** Mapping with data-level length 0: infinite mapping (fallback). */
  infiniteMapping: boolean;
  /** Reserved low nibble of the subtype byte (the other reserved bits are in `flags`), kept for re-encoding. */
  reserved?: number | undefined;
}

export interface MptcpAddAddr extends MptcpBase {
  name: 'ADD_ADDR';
  /** v0 form carries an IP version nibble; v1 an echo bit. Decided from the length. */
  form: 0 | 1;
  /** v1: E bit (echo). */
  echo: boolean;
  /** v0: IP version nibble (4 or 6). v1: inferred from the length. */
  ipVersion: 4 | 6;
  addrId: number;
  /** Address bytes (4 or 16). */
  address: Uint8Array;
  port?: number | undefined;
  /** v1 only: rightmost 64 bits of the HMAC (absent on echoes). */
  truncatedHmac?: bigint | undefined;
  /** v1 only: the reserved bits above E in the subtype byte (`byte & 0x0e`), kept for re-encoding. */
  reserved?: number | undefined;
}

/** `reserved`: low nibble of the subtype byte, kept for re-encoding. */
export interface MptcpRemoveAddr extends MptcpBase { name: 'REMOVE_ADDR'; addrIds: number[]; reserved?: number | undefined }
/** `reserved`: the three bits above B in the subtype byte (`byte & 0x0e`), kept for re-encoding. */
export interface MptcpPrio extends MptcpBase { name: 'MP_PRIO'; backup: boolean; addrId?: number | undefined; reserved?: number | undefined }
/** `reserved`: the 12 bits after the subtype, kept for re-encoding. */
export interface MptcpFail extends MptcpBase { name: 'MP_FAIL'; dsn: bigint; reserved?: number | undefined }
/** `reserved`: the 12 bits after the subtype, kept for re-encoding. */
export interface MptcpFastclose extends MptcpBase { name: 'MP_FASTCLOSE'; receiverKey: bigint; reserved?: number | undefined }
/** MP_TCPRST: flags U(0x8) V(0x4) W(0x2) T(0x1), reason code. */
export interface MptcpTcpRst extends MptcpBase { name: 'MP_TCPRST'; flags: number; reason: number }
/** `data`: the option bytes after kind and length (subtype byte included). */
export interface MptcpExperimental extends MptcpBase { name: 'MP_EXPERIMENTAL'; data: Uint8Array }
/**
 * Any subtype or length we cannot decode. `data` holds the option bytes after
 * kind and length (subtype byte included), so it re-encodes identically;
 * `subtype` is -1 when the option is too short to have a subtype byte.
 * `reason` is set when the bytes contradict their subtype (malformed) and
 * unset for a subtype this decoder does not know.
 */
export interface MptcpUnknown extends MptcpBase { name: 'UNKNOWN'; data: Uint8Array; reason?: string | undefined }

export type MptcpOption =
  | MptcpCapable | MptcpJoin | MptcpDss | MptcpAddAddr | MptcpRemoveAddr | MptcpPrio
  | MptcpFail | MptcpFastclose | MptcpTcpRst | MptcpExperimental | MptcpUnknown;

// --------------------------------------------------------------- a packet

/** A frame decoded as far as its bytes allow. */
export interface Packet {
  /** Frame number (1-based). */
  number: number;
  tsSec: number;
  tsNsec: number;
  tsDigits: number;
  /** Length on the wire and captured length. */
  origLen: number;
  capLen: number;
  linkType: number;
  /**
   * The bytes the headers' offsets index: the frame's own (offset 0 is its
   * first byte, data.length is capLen), or, from a PacketDecoder made with
   * `inPlace`, the reader's buffer the frame lies in.
   */
  data: Uint8Array;
  ifIndex: number;
  ifName?: string | undefined;
  /** The frame's pcapng packet comments, undefined when there are none. */
  comments?: string[] | undefined;
  link?: LinkRepr | undefined;
  ip?: IpRepr | undefined;
  tcp?: TcpRepr | undefined;
  udp?: UdpRepr | undefined;
  icmp?: IcmpRepr | undefined;
  /** Offset and captured length of what follows the last decoded header. */
  payloadOffset: number;
  payloadLength: number;
  /** Network-layer protocol number when IP, else the link protocol (EtherType) that stopped decoding. */
  etherType: number;
  findings: Finding[];
}
