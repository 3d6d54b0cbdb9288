/**
 * ICMP and ICMPv6 lines as tcpdump prints them without `-v` details:
 * `ICMP echo request, id 1, seq 1, length 64`, `ICMP6, neighbor solicitation,
 * who has fe80::1, length 32`. The message bodies tcpdump shows (neighbor
 * discovery targets, MLD addresses) are read here.
 */
import { u16, u32 } from '../../wire/bytes.js';
import type { IcmpRepr, IpRepr } from '../../wire/types.js';
import { hex, hex2, hex4, ipv4String, ipv6String } from './addr.js';
import { plainSum, shouldBe, transportSum } from './cksum.js';
import type { PrintContext } from './context.js';
import { hexLines } from './hexdump.js';

const ICMP_NAMES: Record<number, string> = {
  0: 'echo reply', 4: 'source quench', 8: 'echo request', 10: 'router solicitation', 13: 'time stamp request',
  14: 'time stamp reply', 15: 'information request', 16: 'information reply', 17: 'address mask request',
  42: 'extended echo request', 43: 'extended echo reply',
};

const UNREACH: Record<number, [string, string]> = {
  0: ['net ', ' unreachable'], 1: ['host ', ' unreachable'], 5: ['', ' unreachable - source route failed'],
  6: ['net ', ' unreachable - unknown'], 7: ['host ', ' unreachable - unknown'], 8: ['', ' unreachable - source host isolated'],
  9: ['net ', ' unreachable - admin prohibited'], 10: ['host ', ' unreachable - admin prohibited'],
  11: ['net ', ' unreachable - tos prohibited'], 12: ['host ', ' unreachable - tos prohibited'],
  13: ['host ', ' unreachable - admin prohibited filter'], 14: ['host ', ' unreachable - host precedence violation'],
  15: ['host ', ' unreachable - precedence cutoff'],
};

function quotedDst(icmp: IcmpRepr): string {
  const q = icmp.quote?.ip;
  if (q === undefined) return '';
  return q.version === 4 ? ipv4String(q.dst) : ipv6String(q.dst);
}

function quotedDport(icmp: IcmpRepr): number {
  const q = icmp.quote;
  return q?.tcp?.dstPort ?? q?.udp?.dstPort ?? 0;
}

/** ICMPv4; `length` is the IP payload length. */
export function formatIcmp(ctx: PrintContext, data: Uint8Array, icmp: IcmpRepr, length: number, capEnd: number, fragmented: boolean): string {
  const type = icmp.type;
  const code = icmp.code;
  let str: string;
  switch (type) {
    case 0:
    case 8:
      str = 'echo ' + (type === 8 ? 'request' : 'reply') + ', id ' + (icmp.rest >>> 16) + ', seq ' + (icmp.rest & 0xffff);
      break;
    case 3: {
      const dst = quotedDst(icmp);
      if (code === 2) {
        str = dst + ' protocol ' + (icmp.quote?.ip?.protocol ?? 0) + ' unreachable';
      } else if (code === 3) {
        const proto = icmp.quote?.ip?.protocol ?? 0;
        const port = quotedDport(icmp);
        str = proto === 6 ? dst + ' tcp port ' + port + ' unreachable'
          : proto === 17 ? dst + ' udp port ' + port + ' unreachable'
          : dst + ' protocol ' + proto + ' port ' + port + ' unreachable';
      } else if (code === 4) {
        const mtu = icmp.rest & 0xffff;
        str = dst + ' unreachable - need to frag' + (mtu ? ' (mtu ' + mtu + ')' : '');
      } else {
        const form = UNREACH[code];
        str = form !== undefined ? form[0] + dst + form[1] : dst + ' unreachable - #' + code;
      }
      break;
    }
    case 5: {
      const kind = code === 0 ? 'redirect ' : code === 1 ? 'redirect ' : code === 2 ? 'redirect-tos ' : code === 3 ? 'redirect-tos ' : '';
      const to = code === 0 || code === 2 ? ' to net ' : ' to host ';
      str = kind === '' ? 'redirect-#' + code + ' ' + quotedDst(icmp) + ' to ' + ipv4String(icmp.rest)
        : kind + quotedDst(icmp) + to + ipv4String(icmp.rest);
      break;
    }
    case 11:
      str = code === 0 ? 'time exceeded in-transit' : code === 1 ? 'ip reassembly time exceeded' : 'time exceeded-#' + code;
      break;
    case 12:
      str = code ? 'parameter problem - code ' + code : 'parameter problem - octet ' + (icmp.rest >>> 24);
      break;
    case 13:
      str = 'time stamp query id ' + (icmp.rest >>> 16) + ' seq ' + (icmp.rest & 0xffff);
      break;
    case 18:
      str = 'address mask is 0x' + hex4(0) + hex4(0);
      if (icmp.offset + 12 <= capEnd) {
        const p = icmp.offset + 8;
        str = 'address mask is 0x' + hex4((data[p]! << 8) | data[p + 1]!) + hex4((data[p + 2]! << 8) | data[p + 3]!);
      }
      break;
    default:
      str = ICMP_NAMES[type] ?? 'type-#' + type;
  }
  let s = 'ICMP ' + str + ', length ' + length;
  if (ctx.verbose && !fragmented && icmp.offset + length <= capEnd) {
    const sum = plainSum(data, icmp.offset, icmp.offset + length);
    if (sum !== 0) s += ' (wrong icmp cksum ' + hex(icmp.checksum) + ' (->' + hex(shouldBe(icmp.checksum, sum)) + ')!)';
  }
  return s;
}

const ICMP6_NAMES: Record<number, string> = {
  1: 'destination unreachable', 2: 'packet too big', 3: 'time exceeded in-transit', 4: 'parameter problem',
  128: 'echo request', 129: 'echo reply', 130: 'multicast listener query', 131: 'multicast listener report',
  132: 'multicast listener done', 133: 'router solicitation', 134: 'router advertisement',
  135: 'neighbor solicitation', 136: 'neighbor advertisement', 137: 'redirect', 138: 'router renumbering',
  141: 'inverse neighbor solicitation', 142: 'inverse neighbor advertisement', 143: 'multicast listener report v2',
  144: 'ha discovery request', 145: 'ha discovery reply', 146: 'mobile router solicitation',
  147: 'mobile router advertisement', 139: 'node information query', 140: 'node information reply',
  200: 'mtrace message', 201: 'mtrace response', 155: 'RPL', 160: 'extended echo request', 161: 'extended echo reply',
};

const UNREACH6: Record<number, string> = {
  0: 'unreachable route', 1: ' unreachable prohibited', 2: 'beyond scope', 3: 'unreachable address', 4: 'unreachable port',
};

/** ICMPv6; `length` is the payload length after the IPv6 headers. */
export function formatIcmp6(ctx: PrintContext, data: Uint8Array, ip: IpRepr, icmp: IcmpRepr, length: number, capEnd: number, fragmented: boolean): string {
  if (length === 0) return 'ICMP6, length 0 (invalid)';
  let s = '';
  if (ctx.verbose && !fragmented && icmp.offset + length <= capEnd) {
    const sum = transportSum(data, ip, icmp.offset, 58, length);
    s += sum === 0 ? '[icmp6 sum ok] '
      : '[bad icmp6 cksum 0x' + hex4(icmp.checksum) + ' -> 0x' + hex4(shouldBe(icmp.checksum, sum)) + '!] ';
  }
  const type = icmp.type;
  const code = icmp.code;
  s += 'ICMP6, ' + (ICMP6_NAMES[type] ?? 'unknown icmp6 type (' + type + ')');
  if (ctx.verbose && (type === 133 || type === 134 || type === 136 || type === 135 || type === 137 || type === 145 || type === 147)) {
    s += ', length ' + length;
  }
  const body = icmp.offset + 8;
  const addrAt = (p: number): string | undefined => (p + 16 <= capEnd ? ipv6String(data, p) : undefined);
  const v = ctx.verbose;
  // Neighbor discovery options follow a fixed part of this many bytes (tcpdump prints them under -v).
  let ndFixed = -1;
  switch (type) {
    case 1: {
      s += ', ' + (UNREACH6[code] ?? 'unknown unreach code (' + code + ')');
      const q = icmp.quote?.ip;
      const qdst = q !== undefined && q.version === 6 ? ipv6String(q.dst) : '';
      if (code === 0 || code === 1 || code === 3) s += ' ' + qdst;
      else if (code === 2) s += ' ' + qdst + ', source address ' + (q !== undefined && q.version === 6 ? ipv6String(q.src) : '');
      else if (code === 4) {
        const proto = q?.protocol ?? 0;
        const port = quotedDport(icmp);
        s += proto === 6 ? ', ' + qdst + ' tcp port ' + port
          : proto === 17 ? ', ' + qdst + ' udp port ' + port
          : ', ' + qdst + ' protocol ' + proto + ' port ' + port + ' unreachable';
      }
      break;
    }
    case 2:
      s += ', mtu ' + (icmp.rest >>> 0);
      break;
    case 3:
      if (code === 0) s += ' for ' + quotedDst(icmp);
      else if (code === 1) s += ' (reassembly)';
      else s += ', unknown code (' + code + ')';
      break;
    case 4: {
      const what = ['erroneous', 'next header', 'option', 'incomplete header chain'][code];
      s += what !== undefined ? ', ' + what + ' - octet ' + (icmp.rest >>> 0) : ', code-#' + code;
      break;
    }
    case 128:
    case 129:
      s += ', id ' + (icmp.rest >>> 16) + ', seq ' + (icmp.rest & 0xffff);
      break;
    case 130:
    case 131:
    case 132: {
      if (type === 130 && length !== 24) {
        s += length >= 28 ? ' v2' : ' unknown-version (len ' + length + ') ';
        break;
      }
      const a = addrAt(body);
      if (a !== undefined) s += 'max resp delay: ' + (icmp.rest >>> 16) + ' addr: ' + a;
      break;
    }
    case 133:
      ndFixed = 8;
      break;
    case 134:
      if (v) {
        if (icmp.offset + 16 > capEnd) return s + ' [|icmp6]';
        const f = data[icmp.offset + 5]!;
        s += '\n\thop limit ' + data[icmp.offset + 4]! + ', Flags [' + raFlags(f) + '], pref ' + RTPREF[(f & 0x18) >> 3]!
          + ', router lifetime ' + u16(data, icmp.offset + 6) + 's, reachable time ' + u32(data, icmp.offset + 8)
          + 'ms, retrans timer ' + u32(data, icmp.offset + 12) + 'ms';
      }
      ndFixed = 16;
      break;
    case 135:
    case 136: {
      const a = addrAt(body);
      if (a === undefined) return s + ' [|icmp6]';
      s += (type === 135 ? ', who has ' : ', tgt is ') + a;
      if (type === 136 && v) s += ', Flags [' + naFlags(icmp.rest) + ']';
      ndFixed = 24;
      break;
    }
    case 137: {
      const dstA = addrAt(body + 16);
      const target = addrAt(body);
      if (dstA === undefined || target === undefined) return s + ' [|icmp6]';
      s += ', ' + dstA + ' to ' + target;
      ndFixed = 40;
      break;
    }
    case 143:
      if (length < 8) s += ' [invalid len ' + length + ']';
      else {
        s += ', ' + (icmp.rest & 0xffff) + ' group record(s)';
        if (v) {
          const r = mldv2Records(data, icmp.offset, length, icmp.rest & 0xffff, capEnd, v);
          if (r === undefined) return s + ' [|icmp6]';
          s += r;
        }
      }
      break;
    case 141:
    case 142:
      break;
    case 144:
    case 146:
      s += ', id 0x' + hex4(icmp.rest >>> 16);
      break;
    default:
      return s + ', length ' + length;
  }
  if (v && ndFixed >= 0) s += ndOptions(data, icmp.offset + ndFixed, length - ndFixed, capEnd, v);
  if (!ctx.verbose) s += ', length ' + length;
  return s;
}

const RTPREF = ['medium', 'high', 'rsv', 'low'];


/** tcpdump's comma-separated flag names, or `none`. */
function flagNames(v: number, table: Array<[number, string]>): string {
  let s = '';
  for (const [bit, name] of table) if ((v & bit) >>> 0 === bit) s += (s ? ', ' : '') + name;
  return s || 'none';
}

const raFlags = (f: number): string => flagNames(f, [[0x80, 'managed'], [0x40, 'other stateful'], [0x20, 'home agent'], [0x02, 'ipv6 only']]);
const naFlags = (f: number): string => flagNames(f >>> 0, [[0x80000000, 'router'], [0x40000000, 'solicited'], [0x20000000, 'override']]);
const piFlags = (f: number): string => flagNames(f, [[0x80, 'onlink'], [0x40, 'auto'], [0x20, 'router']]);

const ND_OPTION_NAMES: Record<number, string> = {
  1: 'source link-address', 2: 'destination link-address', 3: 'prefix info', 4: 'redirected header', 5: 'mtu',
  25: 'rdnss', 31: 'dnssl', 7: 'advertisement interval', 8: 'homeagent information', 14: 'nonce', 24: 'route info',
  38: 'pref64',
};

const lifetime = (v: number): string => (v === 0xffffffff ? 'infinity' : v + 's');

/**
 * Neighbor discovery options (-v): one `\n\t  name option (type), length N (units): value`
 * line each, and a hex dump of each under -vv. The common kinds are decoded,
 * the rest dumped as tcpdump does.
 */
function ndOptions(d: Uint8Array, cp: number, resid: number, capEnd: number, v: number): string {
  let s = '';
  while (cp < capEnd) {
    if (cp + 2 > capEnd) return s + ' [|icmp6]';
    if (resid <= 0) return s;
    const type = d[cp]!;
    const units = d[cp + 1]!;
    const n = units << 3;
    if (units === 0 || cp + n > capEnd) return s + ' [|icmp6]';
    s += '\n\t  ' + (ND_OPTION_NAMES[type] ?? 'unknown') + ' option (' + type + '), length ' + n + ' (' + units + '): ';
    switch (type) {
      case 1:
      case 2:
        for (let i = 2; i < n; i++) s += (i > 2 ? ':' : '') + hex2(d[cp + i]!);
        break;
      case 3:
        s += ipv6String(d, cp + 16) + '/' + d[cp + 2]! + (units !== 4 ? 'badlen' : '') + ', Flags [' + piFlags(d[cp + 3]!)
          + '], valid time ' + lifetime(u32(d, cp + 4)) + ', pref. time ' + lifetime(u32(d, cp + 8));
        break;
      case 4:
        s += hexLines('\n\t    ', d, cp, n);
        break;
      case 5:
        s += ' ' + u32(d, cp + 4) + (units !== 1 ? 'bad option length' : '');
        break;
      case 25:
        s += ' lifetime ' + u32(d, cp + 4) + 's,';
        for (let i = 0; i < (units - 1) >> 1; i++) s += ' addr: ' + ipv6String(d, cp + 8 + 16 * i);
        break;
      case 7:
        s += ' ' + u32(d, cp + 4) + 'ms';
        break;
      case 8:
        s += ' preference ' + u16(d, cp + 4) + ', lifetime ' + u16(d, cp + 6);
        break;
      case 14:
        for (let i = 2; i < n; i++) s += hex2(d[cp + i]!);
        break;
      default:
        if (v <= 1) return s + hexLines('\n\t  ', d, cp + 2, n - 2);
    }
    if (v > 1) s += hexLines('\n\t    ', d, cp + 2, n - 2);
    cp += n;
    resid -= n;
  }
  return s;
}

const MLDV2_RECORD_TYPES = ['', 'is_in', 'is_ex', 'to_in', 'to_ex', 'allow', 'block'];

/** MLDv2 report group records (-v): ` [gaddr G to_ex, N source(s)]`, sources listed under -vv. Undefined when cut short. */
function mldv2Records(d: Uint8Array, at: number, len: number, groups: number, capEnd: number, v: number): string | undefined {
  let s = '';
  let g = 8;
  for (let i = 0; i < groups; i++) {
    if (len < g + 20) return s + ' [invalid number of groups]';
    if (at + g + 20 > capEnd) return undefined;
    const type = d[at + g]!;
    s += ' [gaddr ' + ipv6String(d, at + g + 4) + ' ' + (MLDV2_RECORD_TYPES[type] ?? ' [v2-report-#' + type + ']');
    const nsrcs = u16(d, at + g + 2);
    if (len < g + 20 + nsrcs * 16) return s + ' [invalid number of sources ' + nsrcs + ']';
    if (v === 1) {
      s += ', ' + nsrcs + ' source(s)';
    } else {
      s += ' {';
      for (let j = 0; j < nsrcs; j++) {
        if (at + g + 36 + 16 * j > capEnd) return undefined;
        s += ' ' + ipv6String(d, at + g + 20 + 16 * j);
      }
      s += ' }';
    }
    g += 20 + nsrcs * 16;
    s += ']';
  }
  return s;
}
