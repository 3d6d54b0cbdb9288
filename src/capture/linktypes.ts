/**
 * Link-layer header types (the LINKTYPE_* registry used in pcap and pcapng
 * files) that mpscope knows by name. Any other value still flows through the
 * readers and writers untouched; it just has no name.
 */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  PPP: 9,
  /** Not a LINKTYPE value: some platforms' DLT_RAW leaked into files as 12. */
  RAW_DLT_12: 12,
  /** Not a LINKTYPE value: OpenBSD's DLT_RAW (14) as found in some files. */
  RAW_DLT_14: 14,
  PPP_HDLC: 50,
  RAW: 101,
  IEEE802_11: 105,
  LOOP: 108,
  LINUX_SLL: 113,
  IEEE802_11_RADIOTAP: 127,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export type KnownLinkType = (typeof LinkType)[keyof typeof LinkType];

interface LinkTypeNames {
  /** Wireshark's encapsulation name (what capinfos and tshark show). */
  readonly name: string;
  /** libpcap's DLT name and description as tcpdump prints them after "link-type"; absent when tcpdump prints the number. */
  readonly dlt?: string;
  readonly description?: string;
}

const NAMES = new Map<number, LinkTypeNames>([
  [LinkType.NULL, { name: 'NULL/Loopback', dlt: 'NULL', description: 'BSD loopback' }],
  [LinkType.ETHERNET, { name: 'Ethernet', dlt: 'EN10MB', description: 'Ethernet' }],
  [LinkType.PPP, { name: 'PPP', dlt: 'PPP', description: 'PPP' }],
  [LinkType.RAW_DLT_12, { name: 'Raw IP', dlt: 'RAW', description: 'Raw IP' }],
  // tcpdump on Linux has no name for 14 (it is DLT_RAW only on OpenBSD).
  [LinkType.RAW_DLT_14, { name: 'Raw IP' }],
  [LinkType.PPP_HDLC, { name: 'PPP', dlt: 'PPP_SERIAL', description: 'PPP over serial' }],
  [LinkType.RAW, { name: 'Raw IP', dlt: 'RAW', description: 'Raw IP' }],
  [LinkType.IEEE802_11, { name: 'IEEE 802.11 Wireless LAN', dlt: 'IEEE802_11', description: '802.11' }],
  [LinkType.LOOP, { name: 'OpenBSD loopback', dlt: 'LOOP', description: 'OpenBSD loopback' }],
  [LinkType.LINUX_SLL, { name: 'Linux cooked-mode capture v1', dlt: 'LINUX_SLL', description: 'Linux cooked v1' }],
  [
    LinkType.IEEE802_11_RADIOTAP,
    { name: 'IEEE 802.11 plus radiotap radio header', dlt: 'IEEE802_11_RADIO', description: '802.11 plus radiotap header' },
  ],
  [LinkType.IPV4, { name: 'Raw IPv4', dlt: 'IPV4', description: 'Raw IPv4' }],
  [LinkType.IPV6, { name: 'Raw IPv6', dlt: 'IPV6', description: 'Raw IPv6' }],
  [LinkType.LINUX_SLL2, { name: 'Linux cooked-mode capture v2', dlt: 'LINUX_SLL2', description: 'Linux cooked v2' }],
]);

/** Wireshark-style name ("Ethernet", "Linux cooked-mode capture v1"); `Unknown (N)` otherwise. */
export function linkTypeName(linkType: number): string {
  return NAMES.get(linkType)?.name ?? `Unknown (${linkType})`;
}

/**
 * tcpdump's "link-type" words, e.g. `EN10MB (Ethernet)`, `LINUX_SLL2 (Linux cooked v2)`;
 * the bare number for types it has no name for, as tcpdump prints them.
 */
export function linkTypeTcpdumpName(linkType: number): string {
  const n = NAMES.get(linkType);
  return n?.dlt ? `${n.dlt} (${n.description ?? n.dlt})` : String(linkType);
}

/** True for link types whose frames start directly with an IPv4 or IPv6 header (version nibble decides). */
export function isRawIpLinkType(linkType: number): boolean {
  return linkType === LinkType.RAW || linkType === LinkType.RAW_DLT_12 || linkType === LinkType.RAW_DLT_14;
}
