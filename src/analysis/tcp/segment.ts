/**
 * tshark's TCP segment length (`tcp.len`): the IP payload minus the header
 * length field. The decoder keeps at least 20 header bytes, so a length
 * field below 20 is accounted for here; a header longer than the segment
 * (tshark's "short segment") has no length at all.
 */
import type { Packet, TcpRepr } from '../../wire/types.js';

const MIN_HEADER = 20;

/** The segment length, or -1 when tshark has none (the header claims more than the segment holds). */
export function tcpSegmentLength(pkt: Packet, tcp: TcpRepr): number {
  const declared = tcp.dataOffset * 4;
  if (declared < MIN_HEADER) return tcp.payloadLength + MIN_HEADER - declared;
  if (tcp.payloadLength > 0) return tcp.payloadLength;
  const f = pkt.findings;
  for (let i = 0; i < f.length; i++) {
    const x = f[i]!;
    if (x.code === 'malformed' && x.layer === 'tcp' && x.offset === tcp.offset + 12) return -1;
  }
  return 0;
}
