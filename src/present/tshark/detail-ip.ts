/** IPv4 and IPv6 sections of the detail tree. */
import { foldChecksum, ipProtocolName, onesComplementSum, pseudoHeaderSum } from '../../wire/index.js';
import type { IpRepr, Ipv4Repr, Ipv6Repr, Packet } from '../../wire/types.js';
import { ipv4String, ipv6String, macString } from './addr.js';
import { bitLine, bits, hex, setText, type Tree } from './tree.js';

/** How checksum fields are shown: our verification (tshark's checksum-checking layout) or tshark's default of not checking. */
export type ChecksumMode = 'verify' | 'off';

const DSCP_SHORT: Readonly<Record<number, string>> = {
  0: 'CS0', 1: 'LE', 8: 'CS1', 10: 'AF11', 12: 'AF12', 14: 'AF13', 16: 'CS2', 18: 'AF21', 20: 'AF22', 22: 'AF23',
  24: 'CS3', 26: 'AF31', 28: 'AF32', 30: 'AF33', 32: 'CS4', 34: 'AF41', 36: 'AF42', 38: 'AF43', 40: 'CS5',
  44: 'VOICE-ADMIT', 46: 'EF PHB', 48: 'CS6', 56: 'CS7',
};

function dscpLong(d: number): string {
  if (d === 0) return 'Default';
  if (d === 1) return 'Lower Effort';
  if (d === 46) return 'Expedited Forwarding';
  if (d === 44) return 'Voice Admit';
  if (d % 8 === 0) return `Class Selector ${d / 8}`;
  const s = DSCP_SHORT[d];
  return s?.startsWith('AF') ? `Assured Forwarding ${s.slice(2)}` : 'Unknown';
}

const ECN_SHORT = ['Not-ECT', 'ECT(1)', 'ECT(0)', 'CE'];
const ECN_LONG = [
  'Not ECN-Capable Transport', "ECN-Capable Transport codepoint '01'", "ECN-Capable Transport codepoint '10'", 'Congestion Experienced',
];

function dsSummary(dscp: number, ecn: number): string {
  return `(DSCP: ${DSCP_SHORT[dscp] ?? 'Unknown'}, ECN: ${ECN_SHORT[ecn]})`;
}

export function protocolText(p: number): string {
  return `${ipProtocolName(p) ?? 'Unknown'} (${p})`;
}

/**
 * The checksum a header should carry: the sum of everything but its
 * checksum field (two bytes at `field`), plus `initial` (a pseudo-header).
 */
export function expectedChecksum(data: Uint8Array, start: number, field: number, end: number, initial = 0): number {
  return foldChecksum(onesComplementSum(data, field + 2, end, onesComplementSum(data, start, field, initial)));
}

/** Checksum of the transport segment [l4, l4 + length) with the pseudo-header of the IP header at ipOffset. */
export function expectedTransportChecksum(pkt: Packet, l4: number, fieldOffset: number, protocol: number, length: number): number {
  const ip = pkt.ip!;
  return expectedChecksum(pkt.data, l4, l4 + fieldOffset, l4 + length, pseudoHeaderSum(pkt.data, ip.offset, protocol, length));
}

function ipv4Flags(flags: number): string {
  const parts: string[] = [];
  if (flags & 4) parts.push('Reserved bit');
  if (flags & 2) parts.push("Don't fragment");
  if (flags & 1) parts.push('More fragments');
  return `0x${flags.toString(16)}` + (parts.length ? ', ' + parts.join(', ') : '');
}

const IP_OPTION_NAMES: Readonly<Record<number, string>> = {
  0: 'End of Options List (EOL)', 1: 'No-Operation (NOP)', 7: 'Record Route', 68: 'Time Stamp', 130: 'Security',
  131: 'Loose Source Route', 137: 'Strict Source Route', 136: 'Stream ID', 148: 'Router Alert', 82: 'Traceroute',
  25: 'Quick-Start',
};

function ipv4Section(t: Tree, pkt: Packet, ip: Ipv4Repr, depth: number, checksums: ChecksumMode): void {
  const d = depth;
  t.add(d, `Internet Protocol Version 4, Src: ${ipv4String(ip.src)}, Dst: ${ipv4String(ip.dst)}`);
  t.add(d + 1, bitLine(0x40 | ip.ihl, 8, 0xf0, 'Version', '4'));
  t.add(d + 1, bitLine(ip.ihl, 8, 0x0f, 'Header Length', `${ip.ihl * 4} bytes (${ip.ihl})`));
  const tos = (ip.dscp << 2) | ip.ecn;
  t.add(d + 1, `Differentiated Services Field: ${hex(tos, 2)} ${dsSummary(ip.dscp, ip.ecn)}`);
  t.add(d + 2, bitLine(tos, 8, 0xfc, 'Differentiated Services Codepoint', `${dscpLong(ip.dscp)} (${ip.dscp})`));
  t.add(d + 2, bitLine(tos, 8, 0x03, 'Explicit Congestion Notification', `${ECN_LONG[ip.ecn]} (${ip.ecn})`));
  t.add(d + 1, `Total Length: ${ip.totalLength}`);
  t.add(d + 1, `Identification: ${hex(ip.id, 4)} (${ip.id})`);
  const fword = (ip.flags << 13) | ip.fragOffset;
  t.add(d + 1, `${bits(ip.flags << 5, 8, 0xe0)} = Flags: ${ipv4Flags(ip.flags)}`);
  t.add(d + 2, bitLine(ip.flags << 5, 8, 0x80, 'Reserved bit', setText(ip.flags, 4)));
  t.add(d + 2, bitLine(ip.flags << 5, 8, 0x40, "Don't fragment", setText(ip.flags, 2)));
  t.add(d + 2, bitLine(ip.flags << 5, 8, 0x20, 'More fragments', setText(ip.flags, 1)));
  t.add(d + 1, bitLine(fword, 16, 0x1fff, 'Fragment Offset', `${ip.fragOffset * 8}`));
  t.add(d + 1, `Time to Live: ${ip.ttl}`);
  // tshark's note for a TTL too low to leave the link (multicast and PIM excepted).
  if (ip.ttl < 5 && ip.dst >>> 28 !== 0xe && ip.protocol !== 103) t.expert(d + 2, 'Note', 'Sequence', `"Time To Live" only ${ip.ttl}`);
  t.add(d + 1, `Protocol: ${protocolText(ip.protocol)}`);
  if (checksums === 'off' || ip.checksumOk === undefined) {
    t.add(d + 1, `Header Checksum: ${hex(ip.checksum, 4)} [validation disabled]`);
    t.add(d + 1, '[Header checksum status: Unverified]');
  } else if (ip.checksumOk) {
    t.add(d + 1, `Header Checksum: ${hex(ip.checksum, 4)} [correct]`);
    t.add(d + 1, '[Header checksum status: Good]');
    t.add(d + 1, `[Calculated Checksum: ${hex(ip.checksum, 4)}]`);
  } else {
    const should = hex(expectedChecksum(pkt.data, ip.offset, ip.offset + 10, ip.offset + ip.length), 4);
    t.add(d + 1, `Header Checksum: ${hex(ip.checksum, 4)} incorrect, should be ${should}(may be caused by "IP checksum offload"?)`);
    t.expert(d + 2, 'Error', 'Checksum', `Bad checksum [should be ${should}]`);
    t.add(d + 1, '[Header checksum status: Bad]');
    t.add(d + 1, `[Calculated Checksum: ${should}]`);
  }
  t.add(d + 1, `Source Address: ${ipv4String(ip.src)}`);
  t.add(d + 1, `Destination Address: ${ipv4String(ip.dst)}`);
  if (ip.options.length > 0) {
    t.add(d + 1, `Options: (${ip.ihl * 4 - 20} bytes)`);
    let nops = 0;
    for (const o of ip.options) {
      // Counted like TCP's: NOPs in a row within a 32-bit word.
      if (o.type === 1) {
        if (nops === 0 || (o.offset - ip.offset) % 4 !== 0) {
          if (++nops === 4) t.expert(d + 2, 'Warning', 'Protocol', '4 NOP in a row - a router may have removed some options');
        } else {
          nops = 0;
        }
      }
      const name = IP_OPTION_NAMES[o.type] ?? `Unknown (0x${o.type.toString(16).padStart(2, '0')})`;
      t.add(d + 2, `IP Option - ${name}${o.raw.length > 1 ? ` (${o.raw.length} bytes)` : ''}`);
      t.add(d + 3, `Type: ${o.type}`);
      t.add(d + 4, bitLine(o.type, 8, 0x80, 'Copy on fragmentation', o.type & 0x80 ? 'Yes' : 'No'));
      const cls = (o.type >> 5) & 3;
      t.add(d + 4, bitLine(o.type, 8, 0x60, 'Class', `${cls === 0 ? 'Control' : cls === 2 ? 'Debugging and measurement' : 'Reserved for future use'} (${cls})`));
      t.add(d + 4, bitLine(o.type, 8, 0x1f, 'Number', `${name} (${o.type & 0x1f})`));
      if (o.raw.length > 1) t.add(d + 3, `Length: ${o.raw[1] ?? 0}`);
    }
  }
}

const EXT_NAMES: Readonly<Record<number, string>> = {
  0: 'IPv6 Hop-by-Hop Option', 43: 'Routing Header for IPv6', 44: 'Fragment Header for IPv6',
  60: 'Destination Options for IPv6', 51: 'Authentication Header',
};

/** The MAC address inside a modified EUI-64 interface identifier (xx:xx:xx:ff:fe:xx:xx:xx, U/L bit flipped). */
function slaacMac(t: Tree, d: number, which: string, a: Uint8Array): void {
  if (a[11] !== 0xff || a[12] !== 0xfe) return;
  const mac = Uint8Array.of(a[8]! ^ 0x02, a[9]!, a[10]!, a[13]!, a[14]!, a[15]!);
  const text = macString(mac);
  t.add(d, `[${which} SLAAC MAC: ${text} (${text})]`);
}

function ipv6Section(t: Tree, ip: Ipv6Repr, depth: number): void {
  const d = depth;
  const src = ipv6String(ip.src);
  const dst = ipv6String(ip.dst);
  t.add(d, `Internet Protocol Version 6, Src: ${src}, Dst: ${dst}`);
  t.add(d + 1, bitLine(0x60, 8, 0xf0, 'Version', '6'));
  const word = ((6 * 2 ** 28) + ip.trafficClass * 2 ** 20 + ip.flowLabel);
  const tcDscp = ip.trafficClass >> 2;
  const tcEcn = ip.trafficClass & 3;
  t.add(d + 1, `${bits(word, 32, 0x0ff00000)} = Traffic Class: ${hex(ip.trafficClass, 2)} ${dsSummary(tcDscp, tcEcn)}`);
  t.add(d + 2, bitLine(word, 32, 0x0fc00000, 'Differentiated Services Codepoint', `${dscpLong(tcDscp)} (${tcDscp})`));
  t.add(d + 2, bitLine(word, 32, 0x00300000, 'Explicit Congestion Notification', `${ECN_LONG[tcEcn]} (${tcEcn})`));
  t.add(d + 1, bitLine(ip.flowLabel, 24, 0x0fffff, 'Flow Label', hex(ip.flowLabel, 5)));
  t.add(d + 1, `Payload Length: ${ip.payloadLength}`);
  t.add(d + 1, `Next Header: ${protocolText(ip.nextHeader)}`);
  t.add(d + 1, `Hop Limit: ${ip.hopLimit}`);
  t.add(d + 1, `Source Address: ${src}`);
  t.add(d + 1, `Destination Address: ${dst}`);
  slaacMac(t, d + 1, 'Source', ip.src);
  slaacMac(t, d + 1, 'Destination', ip.dst);
  for (const e of ip.extensions) {
    t.add(d + 1, EXT_NAMES[e.type] ?? `Extension header ${e.type}`);
    t.add(d + 2, `Next Header: ${protocolText(e.nextHeader)}`);
    if (e.type === 44) {
      t.add(d + 2, `Offset: ${e.fragOffset ?? 0} (${(e.fragOffset ?? 0) * 8} bytes)`);
      t.add(d + 2, `More Fragments: ${e.moreFragments ? 'Yes' : 'No'}`);
      t.add(d + 2, `Identification: ${hex(e.fragId ?? 0, 8)}`);
    } else {
      t.add(d + 2, `Length: ${e.length / 8 - 1}`);
      t.add(d + 2, `[Length: ${e.length} bytes]`);
      if (e.type === 43) {
        t.add(d + 2, `Type: ${e.routingType ?? 0}`);
        t.add(d + 2, `Segments Left: ${e.segmentsLeft ?? 0}`);
      }
    }
  }
}

export function ipSection(t: Tree, pkt: Packet, ip: IpRepr, depth: number, checksums: ChecksumMode): void {
  if (ip.version === 4) ipv4Section(t, pkt, ip, depth, checksums);
  else ipv6Section(t, ip, depth);
}
