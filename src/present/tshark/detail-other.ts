/** UDP, ICMP / ICMPv6 (with the quoted packet) and Data sections of the detail tree. */
import type { IcmpRepr, Packet, QuotedPacket, UdpRepr } from '../../wire/types.js';
import { hexString, ipv6String, macString } from './addr.js';
import { expectedChecksum, expectedTransportChecksum, ipSection, type ChecksumMode } from './detail-ip.js';
import { formatHex } from '../hex.js';
import { ICMP_TYPES, ICMPV6_TYPES, icmpCodeName } from './icmp-names.js';
import { hex, plural, Tree } from './tree.js';
import { tcpSection } from './detail-tcp.js';
import { WSCALE_UNKNOWN } from './winscale.js';

export function udpSection(t: Tree, pkt: Packet, udp: UdpRepr, checksums: ChecksumMode): void {
  t.add(0, `User Datagram Protocol, Src Port: ${udp.srcPort}, Dst Port: ${udp.dstPort}`);
  t.add(1, `Source Port: ${udp.srcPort}`);
  t.add(1, `Destination Port: ${udp.dstPort}`);
  t.add(1, `Length: ${udp.udpLength}`);
  const c = hex(udp.checksum, 4);
  if (udp.checksum === 0 && pkt.ip?.version === 4) {
    t.add(1, `Checksum: ${c} [zero-value ignored]`);
    t.add(1, '[Checksum Status: Not present]');
  } else if (checksums === 'off' || udp.checksumOk === undefined) {
    t.add(1, `Checksum: ${c} [unverified]`);
    t.add(1, '[Checksum Status: Unverified]');
  } else if (udp.checksumOk) {
    t.add(1, `Checksum: ${c} [correct]`);
    t.add(2, `[Calculated Checksum: ${c}]`);
    t.add(1, '[Checksum Status: Good]');
  } else {
    const should = hex(expectedTransportChecksum(pkt, udp.offset, 6, 17, udp.udpLength), 4);
    t.add(1, `Checksum: ${c} incorrect, should be ${should}(maybe caused by "UDP checksum offload"?)`);
    t.add(2, `[Calculated Checksum: ${should}]`);
    t.expert(2, 'Error', 'Checksum', `Bad checksum [should be ${should}]`);
    t.add(1, '[Checksum Status: Bad]');
  }
  if (udp.udpLength > 8) t.add(1, `UDP payload (${plural(udp.udpLength - 8, 'byte')})`);
}

function icmpCodeText(type: number, code: number): string {
  const name = icmpCodeName(type, code);
  return name === undefined ? `${code}` : `${code} (${name})`;
}

/** tshark checks ICMP checksums even by default, so both modes show the verification. */
function icmpChecksum(t: Tree, pkt: Packet, icmp: IcmpRepr): void {
  const c = hex(icmp.checksum, 4);
  if (icmp.checksumOk === undefined) {
    t.add(1, `Checksum: ${c} [unverified]`);
    t.add(1, '[Checksum Status: Unverified]');
  } else if (icmp.checksumOk) {
    t.add(1, `Checksum: ${c} [correct]`);
    t.add(1, '[Checksum Status: Good]');
  } else {
    const end = icmp.offset + icmp.length + icmp.payloadLength;
    const should = icmp.layer === 'icmpv6'
      ? expectedTransportChecksum(pkt, icmp.offset, 2, 58, end - icmp.offset)
      : expectedChecksum(pkt.data, icmp.offset, icmp.offset + 2, end);
    t.add(1, `Checksum: ${c} [incorrect, should be ${hex(should, 4)}]`);
    t.add(1, '[Checksum Status: Bad]');
  }
}

function quoteSection(t: Tree, pkt: Packet, q: QuotedPacket, checksums: ChecksumMode): void {
  if (q.ip) ipSection(t, pkt, q.ip, 1, checksums);
  const tcp = q.tcp;
  if (tcp && !q.partial) {
    // A whole quoted header: the full TCP section (options included), one level down.
    const sub = new Tree();
    tcpSection(sub, pkt, tcp, WSCALE_UNKNOWN, checksums, true);
    for (const line of sub.lines) t.lines.push('    ' + line);
  } else if (tcp) {
    t.add(1, `Transmission Control Protocol, Src Port: ${tcp.srcPort}, Dst Port: ${tcp.dstPort}`);
    t.add(2, `Source Port: ${tcp.srcPort}`);
    t.add(2, `Destination Port: ${tcp.dstPort}`);
    t.add(2, `Sequence Number: ${tcp.seq}`);
  }
  const udp = q.udp;
  if (udp) {
    t.add(1, `User Datagram Protocol, Src Port: ${udp.srcPort}, Dst Port: ${udp.dstPort}`);
    t.add(2, `Source Port: ${udp.srcPort}`);
    t.add(2, `Destination Port: ${udp.dstPort}`);
    t.add(2, `Length: ${udp.udpLength}`);
    t.add(2, `Checksum: ${hex(udp.checksum, 4)}`);
  }
  for (const f of q.findings) t.finding(1, f);
}

export function icmpSection(t: Tree, pkt: Packet, icmp: IcmpRepr, checksums: ChecksumMode, withHex: boolean): void {
  const rest = icmp.rest;
  if (icmp.layer === 'icmpv6') {
    t.add(0, 'Internet Control Message Protocol v6');
    t.add(1, `Type: ${ICMPV6_TYPES[icmp.type] ?? 'Unknown'} (${icmp.type})`);
    t.add(1, `Code: ${icmp.code}`);
    icmpChecksum(t, pkt, icmp);
    const d = pkt.data;
    const body = icmp.offset + 8;
    if (icmp.type === 128 || icmp.type === 129) {
      t.add(1, `Identifier: ${hex(rest >>> 16, 4)}`);
      t.add(1, `Sequence: ${rest & 0xffff}`);
    } else if ((icmp.type === 135 || icmp.type === 136) && body + 16 <= d.length) {
      t.add(1, icmp.type === 135 ? `Reserved: ${hex(rest >>> 0, 8).slice(2)}` : `Flags: ${hex(rest >>> 0, 8)}`);
      t.add(1, `Target Address: ${ipv6String(d, body)}`);
    } else if (icmp.type === 2) {
      t.add(1, `MTU: ${rest >>> 0}`);
    } else {
      t.add(1, `Reserved: ${(rest >>> 0).toString(16).padStart(8, '0')}`);
    }
  } else {
    t.add(0, 'Internet Control Message Protocol');
    t.add(1, `Type: ${icmp.type} (${ICMP_TYPES[icmp.type] ?? 'Unknown'})`);
    t.add(1, `Code: ${icmpCodeText(icmp.type, icmp.code)}`);
    icmpChecksum(t, pkt, icmp);
    if (icmp.type === 0 || icmp.type === 8) {
      const id = rest >>> 16;
      const seq = rest & 0xffff;
      const swap = (v: number): number => ((v & 0xff) << 8) | (v >> 8);
      t.add(1, `Identifier (BE): ${id} (${hex(id, 4)})`);
      t.add(1, `Identifier (LE): ${swap(id)} (${hex(swap(id), 4)})`);
      t.add(1, `Sequence Number (BE): ${seq} (${hex(seq, 4)})`);
      t.add(1, `Sequence Number (LE): ${swap(seq)} (${hex(swap(seq), 4)})`);
    } else if (icmp.type === 3 && icmp.code === 4) {
      t.add(1, `Unused: ${hex(rest >>> 16, 4).slice(2)}`);
      t.add(1, `MTU of next hop: ${rest & 0xffff}`);
    } else if (icmp.quote) {
      t.add(1, `Unused: ${(rest >>> 0).toString(16).padStart(8, '0')}`);
    }
  }
  const ndpOptions = icmp.layer === 'icmpv6' ? NDP_OPTIONS_AT[icmp.type] : undefined;
  if (icmp.quote) {
    quoteSection(t, pkt, icmp.quote, checksums);
  } else if (ndpOptions !== undefined) {
    ndpOptionNodes(t, pkt.data, icmp.offset + ndpOptions, icmp.payloadOffset + icmp.payloadLength);
  } else if (icmp.payloadLength > 0) {
    dataSection(t, pkt.data.subarray(icmp.payloadOffset, icmp.payloadOffset + icmp.payloadLength), 1, withHex);
  }
}

/** Where the options of each Neighbor Discovery message start, from the ICMPv6 header. */
const NDP_OPTIONS_AT: Readonly<Record<number, number>> = { 133: 8, 134: 16, 135: 24, 136: 24, 137: 40 };

const NDP_OPTION_NAMES: Readonly<Record<number, string>> = {
  1: 'Source link-layer address', 2: 'Target link-layer address', 3: 'Prefix information', 4: 'Redirected header', 5: 'MTU',
  14: 'Nonce', 25: 'Recursive DNS Server', 31: 'DNS Search List',
};

/** The type-length-value options of a Neighbor Discovery message, named; link-layer addresses spelled out. */
function ndpOptionNodes(t: Tree, d: Uint8Array, start: number, end: number): void {
  for (let i = start; i + 2 <= end; ) {
    const type = d[i]!;
    const units = d[i + 1]!;
    const name = NDP_OPTION_NAMES[type] ?? 'Unknown';
    const isMac = (type === 1 || type === 2) && units === 1 && i + 8 <= end;
    const mac = isMac ? macString(d, i + 2, 6) : '';
    t.add(1, `ICMPv6 Option (${name}${isMac ? ` : ${mac}` : ''})`);
    t.add(2, `Type: ${name} (${type})`);
    t.add(2, `Length: ${units} (${units * 8} bytes)`);
    if (isMac) t.add(2, `Link-layer address: ${mac} (${mac})`);
    if (units === 0) break;
    i += units * 8;
  }
}

/** Hex characters tshark shows of a Data field before cutting it with an ellipsis. */
const DATA_PREVIEW_BYTES = 36;

/**
 * "Data (N bytes)": without -x, tshark prints the bytes of uninterpreted
 * data right under the node (a blank line, then the dump).
 */
export function dataSection(t: Tree, data: Uint8Array, depth: number, withHex: boolean): void {
  t.add(depth, `Data (${plural(data.length, 'byte')})`);
  if (!withHex) {
    t.lines.push('');
    t.lines.push(formatHex(data));
  }
  const preview = hexString(data, 0, Math.min(data.length, DATA_PREVIEW_BYTES));
  t.add(depth + 1, `Data: ${preview}${data.length > DATA_PREVIEW_BYTES ? '…' : ''}`);
  t.add(depth + 1, `[Length: ${data.length}]`);
}
