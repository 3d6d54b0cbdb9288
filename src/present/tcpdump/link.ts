/**
 * Link-layer prefixes: nothing for Ethernet, cooked v1, PPP and loopback
 * captures unless `-e` asks for the header; for cooked v2 (SLL2) tcpdump always
 * prints the interface name and direction (`eth0  Out `).
 */
import type { EthernetRepr, LoopbackRepr, PppRepr, SllRepr } from '../../wire/types.js';
import { hex4, macString } from './addr.js';

const ETHERTYPES: Record<number, string> = {
  0x0800: 'IPv4', 0x8847: 'MPLS unicast', 0x8848: 'MPLS multicast', 0x86dd: 'IPv6', 0x8100: '802.1Q',
  0x9100: '802.1Q-9100', 0x88a8: '802.1Q-QinQ', 0x9200: '802.1Q-9200', 0x88e5: '802.1AE MACsec', 0x0200: 'PUP',
  0x0806: 'ARP', 0x8035: 'Reverse ARP', 0x0600: 'NS', 0x0500: 'Sprite', 0x1000: 'Trail', 0x6001: 'MOP DL',
  0x6002: 'MOP RC', 0x6003: 'DN', 0x6004: 'LAT', 0x6007: 'SCA', 0x6558: 'TEB', 0x8038: 'Lanbridge',
  0x803c: 'DEC DNS', 0x803e: 'DEC DTS', 0x805b: 'VEXP', 0x805c: 'VPROD', 0x809b: 'Appletalk', 0x80f3: 'Appletalk ARP',
  0x8137: 'IPX', 0x880b: 'PPP', 0x8808: 'MPCP', 0x8809: 'Slow Protocols', 0x8863: 'PPPoE D', 0x8864: 'PPPoE S',
  0x888e: 'EAPOL', 0x8899: 'Realtek protocols', 0x886f: 'MS NLB heartbeat', 0x8870: 'Jumbo', 0x894f: 'NSH',
  0x9000: 'Loopback', 0xfefe: 'OSI', 0xa0ed: 'GRE-OSI', 0xabcd: 'CFM (old)', 0x8902: 'CFM', 0x893a: 'IEEE1905.1',
  0x88cc: 'LLDP', 0x88ca: 'TIPC', 0x0707: 'GeoNet (old)', 0x8947: 'GeoNet', 0x1111: 'CALM FAST', 0x88a2: 'AoE',
  0x88f7: 'PTP', 0xd28b: 'Arista Vendor Specific Protocol',
};

const SLL_TYPES = ['In', 'B', 'M', 'P', 'Out'];

const PPP_TYPES: Record<number, string> = { 0x0021: 'IP', 0x0057: 'IP6', 0x002b: 'IPX', 0x0281: 'MPLS', 0x0283: 'MPLS' };

const BSD_AF: Record<number, string> = { 2: 'IPv4', 6: 'NS', 7: 'ISO', 16: 'Appletalk', 23: 'IPX', 24: 'IPv6', 28: 'IPv6', 30: 'IPv6' };

/** `ethertype IPv4 (0x0800)`, or with `-q` just `IPv4`. */
export function etherTypeText(t: number, quiet = false): string {
  if (quiet) return ETHERTYPES[t] ?? 'Unknown Ethertype (0x' + hex4(t) + ')';
  return 'ethertype ' + (ETHERTYPES[t] ?? 'Unknown') + ' (0x' + hex4(t) + ')';
}

/** The `-e` Ethernet header: `src > dst, ethertype IPv4 (0x0800), length 74: `, VLAN tags included. */
export function ethernetHeader(eth: EthernetRepr, origLen: number, linkHeader: boolean, quiet: boolean): string {
  if (!linkHeader) return '';
  let s = macString(eth.src) + ' > ' + macString(eth.dst) + ', ';
  let printedLength = false;
  for (const v of eth.vlans) {
    s += etherTypeText(v.tpid, quiet) + (printedLength ? ', ' : ', length ' + origLen + ': ');
    printedLength = true;
    s += 'vlan ' + v.vid + ', p ' + v.pcp + (v.dei ? ', DEI' : '') + ', ';
  }
  if (eth.etherType <= 1500) return s + '802.3' + (printedLength ? '' : ', length ' + eth.etherType + ': ');
  return s + etherTypeText(eth.etherType, quiet) + (printedLength ? ', ' : ', length ' + origLen + ': ');
}

/**
 * Cooked capture headers. v1 prints only under `-e`; v2 always prints the
 * interface name (`ifName`, tcpdump's `if_indextoname` on the reading host,
 * `?` when unknown) and the direction.
 */
export function sllHeader(sll: SllRepr, origLen: number, linkHeader: boolean, quiet: boolean, ifName: string | undefined): string {
  const dir = SLL_TYPES[sll.packetType] ?? '?';
  let s = '';
  if (sll.version === 2) {
    const name = ifName ?? '?';
    s += name + '     '.slice(Math.min(5, name.length)) + ' ' + dir + '   '.slice(Math.min(3, dir.length)) + ' ';
    if (!linkHeader) return s;
    s += 'ifindex ' + (sll.ifIndex ?? 0) + ' ';
  } else {
    if (!linkHeader) return s;
    s += '   '.slice(Math.min(3, dir.length)) + dir + ' ';
  }
  if (sll.addrLen === 6) s += macString(sll.addr) + ' ';
  if (quiet) return s;
  const t = sll.protocol;
  if (t <= 1500) s += t === 1 ? '802.3' : t === 4 ? '802.2' : 'ethertype Unknown (0x' + hex4(t) + ')';
  else s += etherTypeText(t);
  return s + ', length ' + origLen + ': ';
}

/** `-e` header of BSD loopback captures: `AF IPv4 (2), length 84: `. */
export function loopbackHeader(lo: LoopbackRepr, origLen: number, linkHeader: boolean, quiet: boolean): string {
  if (!linkHeader) return '';
  const name = BSD_AF[lo.family];
  if (quiet) return (name ?? 'Unknown AF ' + lo.family) + ', length ' + origLen + ': ';
  return 'AF ' + (name ?? 'Unknown') + ' (' + lo.family + '), length ' + origLen + ': ';
}

/** `-e` header of PPP captures: `IP (0x0021), length 84: `. */
export function pppHeader(ppp: PppRepr, origLen: number, linkHeader: boolean): string {
  if (!linkHeader) return '';
  return (PPP_TYPES[ppp.protocol] ?? 'unknown') + ' (0x' + hex4(ppp.protocol) + '), length ' + origLen + ': ';
}
