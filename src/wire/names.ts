/** Names of EtherTypes and IP protocols (the spellings tshark uses), for findings and presenters. */

/**
 * Names of the EtherTypes a presenter may meet. Only IPv4 and IPv6 are
 * decoded; for the others decoding stops and the packet's payload starts
 * right after the link header (`payloadOffset`), where e.g. ARP begins.
 */
export const ETHER_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0800, 'IPv4'], [0x0806, 'ARP'], [0x8035, 'RARP'], [0x8100, '802.1Q Virtual LAN'], [0x86dd, 'IPv6'],
  [0x8847, 'MPLS label switched packet'], [0x8848, 'MPLS multicast label switched packet'], [0x8863, 'PPPoE Discovery'],
  [0x8864, 'PPPoE Session'], [0x888e, '802.1X Authentication'], [0x88a8, '802.1ad Provider Bridge (Q-in-Q)'],
  [0x88cc, '802.1 Link Layer Discovery Protocol (LLDP)'], [0x9100, 'QinQ: old non-standard 802.1ad'],
]);

export function etherTypeName(t: number): string | undefined {
  return ETHER_TYPE_NAMES.get(t);
}

const IP_PROTOCOL_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'IPv6 Hop-by-Hop Option'], [1, 'ICMP'], [2, 'IGMP'], [4, 'IPIP'], [6, 'TCP'], [17, 'UDP'], [41, 'IPv6'],
  [43, 'Routing Header for IPv6'], [44, 'Fragment Header for IPv6'], [47, 'GRE'], [50, 'ESP'], [51, 'AH'],
  [58, 'ICMPv6'], [59, 'IPv6 No Next Header'], [60, 'Destination Options for IPv6'], [132, 'SCTP'],
]);

export function ipProtocolName(p: number): string | undefined {
  return IP_PROTOCOL_NAMES.get(p);
}
