/**
 * tcpdump's `-n` line format, as tcpdump master prints it: one line per
 * packet (more with `-v`), every TCP and MPTCP option spelled out, relative
 * TCP sequence numbers unless `-S`.
 *
 *     const f = new TcpdumpFormatter({ tsStyle: 'tttt', nano: false, verbose: 0, quiet: false, absoluteSeq: false, number: true });
 *     for (const pkt of packets) console.log(f.format(pkt));
 *
 * A formatter carries state between packets (sequence number bases, the
 * previous timestamp for `-ttt`, the packet counter for `-#`): use one per
 * stream of packets, in capture order. To write many packets, `formatBytes`
 * hands out the ASCII bytes of each line without making a string, which is
 * what lets a pipeline keep up with tcpdump itself.
 *
 * Where this differs from tcpdump master: application printers other than
 * DNS, HTTP/RTSP/FTP/SMTP/WHOIS first lines, the SSH banner, BOOTP's first
 * line and ARP are not reproduced (their ports print nothing after
 * `length N`); `-v` details are reproduced for IP, IPv6 options, TCP, UDP,
 * ICMP error quotes and ICMPv6 neighbor discovery, not for BOOTP/DHCP options.
 */
import type { Packet } from '../wire/types.js';
import { formatArp } from './tcpdump/arp.js';
import type { PrintContext } from './tcpdump/context.js';
import { writeIpv4, writeIpv6 } from './tcpdump/ip.js';
import { Line } from './tcpdump/line.js';
import { etherTypeText, ethernetHeader, loopbackHeader, pppHeader, sllHeader } from './tcpdump/link.js';
import { macString } from './tcpdump/addr.js';
import { hexAsciiLines } from './tcpdump/hexdump.js';
import { SeqTable } from './tcpdump/seq.js';
import { TimestampPrinter, type TsStyle } from './tcpdump/time.js';

export type { TsStyle } from './tcpdump/time.js';

export interface TcpdumpOptions {
  /** `-t` styles: 'default' (time of day), 't' (none), 'tt' (epoch), 'ttt' (delta), 'tttt' (date), 'ttttt' (since first). */
  tsStyle: TsStyle;
  /** `--nano`: nine fraction digits. */
  nano: boolean;
  /** Number of `-v`. */
  verbose: 0 | 1 | 2 | 3;
  /** `-q`. */
  quiet: boolean;
  /** `-S`: absolute sequence numbers. */
  absoluteSeq: boolean;
  /** `-#`: packet numbers. */
  number: boolean;
  /** Print wall-clock times in UTC rather than the local zone (TZ). */
  utc?: boolean | undefined;
  /** `-e`: link-layer headers. */
  printLinkHeader?: boolean | undefined;
  /**
   * Interface name for an interface index, for cooked v2 (SLL2) captures,
   * where tcpdump prints the name the reading host gives that index.
   */
  ifIndexName?: ((ifIndex: number) => string | undefined) | undefined;
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_IPV6 = 0x86dd;

export class TcpdumpFormatter {
  private readonly ctx: PrintContext;
  private readonly time: TimestampPrinter;
  private readonly number: boolean;
  private readonly ifIndexName: ((ifIndex: number) => string | undefined) | undefined;
  private readonly line = new Line();
  private count = 0;

  constructor(opts: TcpdumpOptions) {
    this.ctx = {
      verbose: opts.verbose,
      quiet: opts.quiet,
      absoluteSeq: opts.absoluteSeq,
      linkHeader: opts.printLinkHeader === true,
      seq: new SeqTable(),
    };
    this.time = new TimestampPrinter(opts.tsStyle, opts.nano, opts.utc === true);
    this.number = opts.number;
    this.ifIndexName = opts.ifIndexName;
  }

  /** The packet's line(s), without the final newline. */
  format(pkt: Packet): string {
    const w = this.line;
    w.pos = 0;
    this.write(pkt, w);
    return w.text();
  }

  /**
   * The packet's line(s) followed by a newline, as ASCII bytes: the fast path
   * for writing many packets. The view is only valid until the next call.
   */
  formatBytes(pkt: Packet): Uint8Array {
    const w = this.line;
    w.pos = 0;
    this.write(pkt, w);
    w.ch(10);
    return w.buf.subarray(0, w.pos);
  }

  /**
   * Accounts for a packet the caller does not print (a frame range, a
   * filter), so that the lines around it read as in the full output: relative
   * sequence numbers and the -ttt reference still see it; the -# count does not.
   */
  skip(pkt: Packet): void {
    const w = this.line;
    w.pos = 0;
    this.write(pkt, w);
    this.count--;
  }

  private write(pkt: Packet, w: Line): void {
    this.count++;
    if (this.number) {
      for (let x = this.count; x < 10000; x *= 10) w.ch(32);
      w.u(this.count);
      w.str('  ');
    }
    const bad = invalidHeader(pkt);
    if (bad !== '') {
      w.str(bad);
      return;
    }
    this.time.write(w, pkt.tsSec, pkt.tsNsec);
    this.body(pkt, w);
  }

  private body(pkt: Packet, w: Line): void {
    const ctx = this.ctx;
    const link = pkt.link;
    let etherType = pkt.etherType;
    if (link !== undefined) {
      switch (link.layer) {
        case 'eth':
          if (ctx.linkHeader) w.str(ethernetHeader(link, pkt.origLen, ctx.linkHeader, ctx.quiet));
          etherType = link.etherType;
          break;
        case 'sll':
          if (ctx.linkHeader || link.version === 2) {
            w.str(sllHeader(link, pkt.origLen, ctx.linkHeader, ctx.quiet, link.version === 2 ? this.ifIndexName?.(link.ifIndex ?? 0) : undefined));
          }
          etherType = link.protocol;
          break;
        case 'null':
          if (ctx.linkHeader) w.str(loopbackHeader(link, pkt.origLen, ctx.linkHeader, ctx.quiet));
          break;
        case 'ppp':
          if (ctx.linkHeader) w.str(pppHeader(link, pkt.origLen, ctx.linkHeader));
          break;
      }
    }
    const data = pkt.data;
    const capEnd = Math.min(pkt.capLen, data.length);
    const ip = pkt.ip;
    if (ip !== undefined) {
      // Raw IP captures have no link header to name the protocol under -e.
      if (link === undefined && ctx.linkHeader) w.str(ip.version === 4 ? 'IP ' : 'IP6 ');
      const length = pkt.origLen - ip.offset;
      if (ip.version === 4) writeIpv4(ctx, w, data, ip, pkt, length, capEnd);
      else writeIpv6(ctx, w, data, ip, pkt, length, capEnd);
      return;
    }
    if (etherType === ETHERTYPE_ARP && link !== undefined) {
      const at = link.offset + link.length;
      w.str(formatArp(data, at, pkt.origLen - at, capEnd, ctx.verbose > 0, ctx.linkHeader));
      return;
    }
    if (etherType === ETHERTYPE_IPV4 || etherType === ETHERTYPE_IPV6) {
      const v4 = etherType === ETHERTYPE_IPV4;
      w.str((ctx.linkHeader ? '' : v4 ? 'IP ' : 'IP6 ') + (v4 ? ' [|ip]' : ' [|ip6]'));
      return;
    }
    // No printer for this type: tcpdump names the frame and dumps its payload.
    if (link !== undefined && link.layer === 'eth' && !ctx.linkHeader) {
      w.str(macString(link.src) + ' > ' + macString(link.dst) + ', ' + etherTypeText(link.etherType, ctx.quiet) + ', length ' + pkt.origLen + ': ');
    }
    if (ctx.quiet) return;
    const at = link !== undefined ? link.offset + link.length : 0;
    w.str(hexAsciiLines('\n\t', data, at, Math.max(0, capEnd - at)));
  }
}

/** tcpdump's refusal of impossible record headers (no timestamp is printed then). */
function invalidHeader(pkt: Packet): string {
  const caplen = pkt.capLen;
  const len = pkt.origLen;
  let s = '';
  if (caplen === 0) s = '[Invalid header: caplen==0';
  if (len === 0) s += s === '' ? '[Invalid header: len==0' : ', len==0';
  else if (len < caplen) s += (s === '' ? '[Invalid header:' : ',') + ' len(' + len + ') < caplen(' + caplen + ')';
  return s === '' ? '' : s + ']';
}
