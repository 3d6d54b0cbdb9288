/**
 * Where tshark's TCP dissection hands a segment to its taps (conversations,
 * endpoints, follow): after the options. A segment whose dissection stops
 * before that never reaches them.
 */
import { mptcpOptionOverrun } from '../../wire/mptcp.js';
import { TcpOptionWalk } from '../../wire/tcp-options.js';
import type { Packet, TcpRepr } from '../../wire/types.js';

const walk = new TcpOptionWalk();

/**
 * Whether the segment reaches tshark's taps: not past a bogus header
 * length, a header longer than the segment, or an MPTCP option read past
 * its end. An option of a wrong length does not end the options: an MPTCP
 * option after it still can.
 */
export function tcpReachesTaps(pkt: Packet, tcp: TcpRepr): boolean {
  if (tcp.dataOffset < 5) return false;
  for (const f of pkt.findings) if (f.layer === 'tcp' && f.code === 'malformed') return false;
  if ((tcp.optionKinds ?? -1) >= 0) return true;
  const w = walk.over(pkt.data, tcp);
  while (w.next()) if (w.sound && w.kind === 30 && mptcpOptionOverrun(pkt.data, w.at, w.length)) return false;
  return true;
}
