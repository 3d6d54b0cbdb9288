/**
 * ARP lines (`ARP, Request who-has 10.0.0.1 tell 10.0.0.2, length 28`):
 * tcpdump prints them, so the tcpdump format reads the few ARP fields here.
 */
import { hex4, ipv4BytesString, linkAddrString } from './addr.js';

const HARDWARE: Record<number, string> = {
  1: 'Ethernet', 6: 'TokenRing', 7: 'ArcNet', 15: 'FrameRelay', 16: 'Strip', 19: 'ATM', 24: 'IEEE1394', 32: 'InfiniBand',
};
const OPS: Record<number, string> = {
  1: 'Request', 2: 'Reply', 3: 'Reverse Request', 4: 'Reverse Reply', 8: 'Inverse Request', 9: 'Inverse Reply', 10: 'NACK Reply',
};
const ETHERTYPE_IP = 0x0800;
const ETHERTYPE_TRAIL = 0x1000;

/**
 * `data[start..]` is the ARP header, `length` its length on the wire and
 * `capEnd` the end of the captured bytes. `verbose` prints the address types.
 */
export function formatArp(data: Uint8Array, start: number, length: number, capEnd: number, verbose: boolean, linkHeader: boolean): string {
  const u16 = (p: number): number => (data[p]! << 8) | data[p + 1]!;
  if (start + 8 > capEnd) return ' [|arp]';
  const hrd = u16(start);
  const pro = u16(start + 2);
  const hln = data[start + 4]!;
  const pln = data[start + 5]!;
  const op = u16(start + 6);
  const sha = start + 8;
  const spa = sha + hln;
  const tha = spa + pln;
  const tpa = tha + hln;
  if (tpa + pln > capEnd) return ' [|arp]';
  let s = linkHeader ? '' : 'ARP, ';
  if ((pro !== ETHERTYPE_IP && pro !== ETHERTYPE_TRAIL) || pln !== 4 || hln === 0 || verbose) {
    s += (HARDWARE[hrd] ?? 'Unknown Hardware (' + hrd + ')') + ' (len ' + hln + '), '
      + (pro === ETHERTYPE_IP ? 'IPv4' : 'Unknown Protocol (0x' + hex4(pro) + ')') + ' (len ' + pln + ')';
    if (!verbose) return s + ', length ' + length;
  }
  s += (verbose ? ', ' : '') + (OPS[op] ?? 'Unknown (' + op + ')') + ' ';
  const proto = (p: number): string => (pro !== ETHERTYPE_IP && pro !== ETHERTYPE_TRAIL)
    ? '<wrong proto type>' : pln !== 4 ? '<wrong len>' : ipv4BytesString(data, p);
  const link = (p: number): string => hln === 0 ? '<empty>' : linkAddrString(data, p, hln);
  switch (op) {
    case 1: {
      s += 'who-has ' + proto(tpa);
      let nonzero = false;
      for (let i = 0; i < hln; i++) if (data[tha + i] !== 0) nonzero = true;
      if (nonzero) s += ' (' + link(tha) + ')';
      s += ' tell ' + proto(spa);
      break;
    }
    case 2:
      s += proto(spa) + ' is-at ' + link(sha);
      break;
    case 3:
    case 8:
      s += 'who-is ' + link(tha) + ' tell ' + link(sha);
      break;
    case 4:
      s += link(tha) + ' at ' + proto(tpa);
      break;
    case 9:
      s += link(sha) + ' at ' + proto(spa);
      break;
    default:
      return s;
  }
  return s + ', length ' + length;
}
