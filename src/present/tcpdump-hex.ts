/**
 * tcpdump's `-x` / `-xx` / `-X` / `-XX` dumps: tab-indented lines of
 * `0xOOOO:` and 16 bytes in 16-bit groups, with an ASCII column for `-X`.
 * `-x` starts at the network layer, `-xx` dumps the whole frame.
 */
import type { Packet } from '../wire/types.js';

const HEX = '0123456789abcdef';

function printable(b: number): string {
  return b > 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
}

/**
 * Where `-x` starts and stops: the network layer to the end of the frame
 * (tcpdump keeps Ethernet padding after an IP packet), except ARP, which
 * tcpdump cuts at the ARP message's own length.
 */
function networkRange(pkt: Packet): [number, number] {
  const cap = pkt.data.length;
  // tcpdump's PPP printer reports a 4-byte header even when address and control are absent.
  if (pkt.link?.layer === 'ppp') return [Math.min(cap, pkt.link.offset + 4), cap];
  if (pkt.ip) return [pkt.ip.offset, cap];
  const start = Math.min(cap, pkt.link ? pkt.link.offset + pkt.link.length : 0);
  if (pkt.etherType === 0x0806 && cap >= start + 6) {
    // 8 fixed bytes plus two hardware and two protocol addresses.
    return [start, Math.min(cap, start + 8 + 2 * (pkt.data[start + 4]! + pkt.data[start + 5]!))];
  }
  return [start, cap];
}

/**
 * The dump lines (each starting with a tab, joined by newlines, no final
 * newline). `level` 1 is `-x`/`-X`, 2 is `-xx`/`-XX`; `ascii` is the X form.
 * `snapLen`: libpcap hands tcpdump at most the file's snapshot length, even
 * when a record claims more.
 */
export function formatTcpdumpHex(pkt: Packet, level: 1 | 2, ascii: boolean, snapLen = Infinity): string {
  const [start, stop] = level >= 2 ? [0, pkt.data.length] : networkRange(pkt);
  const end = Math.min(stop, snapLen);
  const d = pkt.data;
  const lines: string[] = [];
  for (let off = start; off < end; off += 16) {
    const stop = Math.min(end, off + 16);
    const rel = off - start;
    let hex = '';
    let text = '';
    for (let i = off; i < stop; i += 2) {
      const a = d[i]!;
      hex += ' ' + HEX[a >> 4]! + HEX[a & 15]!;
      text += printable(a);
      if (i + 1 < stop) {
        const b = d[i + 1]!;
        hex += HEX[b >> 4]! + HEX[b & 15]!;
        text += printable(b);
      }
    }
    let line = '\t0x' + rel.toString(16).padStart(4, '0') + ': ' + hex;
    if (ascii) line = line.padEnd(49) + '  ' + text;
    lines.push(line);
  }
  return lines.join('\n');
}
