/**
 * The DNS summary tcpdump prints for port 53 (`61359+ A? name. (48)`,
 * `17177*- 2/2/5 A 192.0.2.1, A 192.0.2.2 (224)`): tcpdump prints it, so the
 * tcpdump format needs it. A compact subset of tcpdump's domain printer:
 * header flags and counts, questions, and answer records of the common types
 * (A, AAAA, NS, CNAME, PTR, DNAME, MX, TXT, SRV, SOA and OPT without its
 * options); other record types print their type name only.
 */
import { hexBytes, ipv4BytesString, ipv6String } from './addr.js';
import { escapedChars } from './text.js';

const TYPE_NAMES: Record<number, string> = {
  1: 'A', 2: 'NS', 3: 'MD', 4: 'MF', 5: 'CNAME', 6: 'SOA', 7: 'MB', 8: 'MG', 9: 'MR', 10: 'NULL',
  11: 'WKS', 12: 'PTR', 13: 'HINFO', 14: 'MINFO', 15: 'MX', 16: 'TXT', 17: 'RP', 18: 'AFSDB',
  19: 'X25', 20: 'ISDN', 21: 'RT', 22: 'NSAP', 23: 'NSAP_PTR', 24: 'SIG', 25: 'KEY', 26: 'PX',
  27: 'GPOS', 28: 'AAAA', 29: 'LOC', 30: 'NXT', 31: 'EID', 32: 'NIMLOC', 33: 'SRV', 34: 'ATMA',
  35: 'NAPTR', 36: 'KX', 37: 'CERT', 38: 'A6', 39: 'DNAME', 40: 'SINK', 41: 'OPT', 42: 'APL',
  43: 'DS', 44: 'SSHFP', 45: 'IPSECKEY', 46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY', 49: 'DHCID',
  50: 'NSEC3', 51: 'NSEC3PARAM', 52: 'TLSA', 53: 'SMIMEA', 55: 'HIP', 56: 'NINFO', 57: 'RKEY',
  58: 'TALINK', 59: 'CDS', 60: 'CDNSKEY', 61: 'OPENPGPKEY', 62: 'CSYNC', 63: 'ZONEMD', 64: 'SVCB',
  65: 'HTTPS', 99: 'SPF', 100: 'UINFO', 101: 'UID', 102: 'GID', 103: 'UNSPEC', 104: 'NID',
  105: 'L32', 106: 'L64', 107: 'LP', 108: 'EUI48', 109: 'EUI64', 249: 'TKEY', 250: 'TSIG',
  251: 'IXFR', 252: 'AXFR', 253: 'MAILB', 254: 'MAILA', 255: 'ANY', 256: 'URI', 257: 'CAA',
  258: 'AVC', 259: 'DOA', 260: 'AMTRELAY', 32768: 'TA', 32769: 'DLV',
};
const CLASS_NAMES: Record<number, string> = { 1: 'IN', 3: 'CHAOS', 4: 'HS', 255: 'ANY' };
const OPCODES = [
  '', ' inv_q', ' stat', ' op3', ' notify', ' update', ' op6', ' op7', ' op8', ' updateA', ' updateD',
  ' updateDA', ' updateM', ' updateMA', ' zoneInit', ' zoneRef',
];
const RCODES = [
  '', ' FormErr', ' ServFail', ' NXDomain', ' NotImp', ' Refused', ' YXDomain', ' YXRRSet',
  ' NXRRSet', ' NotAuth', ' NotZone', ' Resp11', ' Resp12', ' Resp13', ' Resp14', ' NoChange',
  ' BadVers', 'Resp17', ' Resp18', ' Resp19', ' Resp20', 'Resp21', ' Resp22', ' BadCookie',
];
const T_OPT = 41;
const EDNS_OPTIONS: Record<number, string> = {
  1: 'LLQ', 2: 'UL', 3: 'NSID', 5: 'DAU', 6: 'DHU', 7: 'N3U', 8: 'ECS', 9: 'EXPIRE', 10: 'COOKIE', 11: 'KEEPALIVE',
  12: 'PADDING', 13: 'CHAIN', 14: 'KEY-TAG', 16: 'CLIENT-TAG', 17: 'SERVER-TAG',
};

/** EDNS client subnet: `address/source/scope`. */
function ecs(d: Uint8Array, cp: number, n: number): string {
  if (n < 4) return '(invalid)';
  const family = (d[cp]! << 8) | d[cp + 1]!;
  const src = d[cp + 2]!;
  const scope = d[cp + 3]!;
  const bits = family === 1 ? 32 : family === 2 ? 128 : 0;
  if (bits === 0 || n - 4 > bits / 8 || src > bits || scope > bits || Math.floor((src + 7) / 8) !== n - 4) return '(invalid)';
  const padded = new Uint8Array(16);
  padded.set(d.subarray(cp + 4, cp + n));
  return (family === 1 ? ipv4BytesString(padded, 0) : ipv6String(padded, 0)) + '/' + src + '/' + scope;
}
const MAXCDNAME = 255;

const typeName = (t: number): string => TYPE_NAMES[t] ?? 'Type' + t;
const className = (c: number): string => CLASS_NAMES[c] ?? '(Class ' + c + ')';

/** One DNS message being printed: `bp` is where the message starts (after the TCP length prefix). */
class DnsWalk {
  s = '';
  truncated = false;
  constructor(readonly d: Uint8Array, readonly bp: number, readonly end: number, readonly verbose: number) {}

  private u16(p: number): number { return (this.d[p]! << 8) | this.d[p + 1]!; }
  private u32(p: number): number { return ((this.d[p]! << 24) | (this.d[p + 1]! << 16) | (this.d[p + 2]! << 8) | this.d[p + 3]!) >>> 0; }
  private has(p: number, n: number): boolean { return p + n <= this.end; }

  /** Length of the label at `cp`, -1 when it cannot be read. */
  private labelLen(cp: number): number {
    if (!this.has(cp, 1)) return -1;
    const i = this.d[cp]!;
    switch (i & 0xc0) {
      case 0x40:
        // Extended label types (RFC 2671 bit-string labels) are not printed.
        this.s += '<ELT ' + (i & 0x3f) + '>';
        return -1;
      case 0x80:
        this.s += '<BAD LABEL TYPE>';
        return -1;
      default:
        return i;
    }
  }

  /** Skips a name; -1 when it runs off the capture. */
  nskip(cp: number): number {
    if (!this.has(cp, 1)) return -1;
    let i = this.d[cp++]!;
    while (i) {
      const t = i & 0xc0;
      if (t === 0xc0) return cp + 1;
      if (t !== 0) return -1;
      cp += i;
      if (!this.has(cp, 1)) return -1;
      i = this.d[cp++]!;
    }
    return cp;
  }

  /** Prints a (possibly compressed) name; returns the index after it in place, -1 on failure. */
  fqdn(cp: number): number {
    let l = this.labelLen(cp);
    if (l === -1 || !this.has(cp, 1)) return -1;
    let maxOffset = cp - this.bp;
    let i = this.d[cp++]!;
    let compress = false;
    let rp = -1;
    if ((i & 0xc0) !== 0xc0) rp = cp + l;
    let nameChars = 0;
    if (i === 0) {
      this.s += '.';
      return rp;
    }
    while (i && cp < this.end) {
      if ((i & 0xc0) === 0xc0) {
        if (!compress) { rp = cp + 1; compress = true; }
        if (!this.has(cp, 1)) return -1;
        const offset = ((i << 8) | this.d[cp]!) & 0x3fff;
        if (offset >= maxOffset) { this.s += '<BAD PTR>'; return -1; }
        maxOffset = offset;
        cp = this.bp + offset;
        if (!this.has(cp, 1)) return -1;
        i = this.d[cp]!;
        l = this.labelLen(cp);
        if (l === -1) return -1;
        cp++;
        continue;
      }
      if (nameChars + l <= MAXCDNAME) {
        if (!this.printn(cp, l)) return -1;
      } else if (nameChars < MAXCDNAME) {
        if (!this.printn(cp, MAXCDNAME - nameChars)) return -1;
      }
      nameChars += l;
      cp += l;
      if (nameChars <= MAXCDNAME) this.s += '.';
      nameChars++;
      if (!this.has(cp, 1)) return -1;
      i = this.d[cp]!;
      l = this.labelLen(cp);
      if (l === -1) return -1;
      cp++;
      if (!compress) rp += l + 1;
    }
    if (nameChars > MAXCDNAME) this.s += '<DOMAIN NAME TOO LONG>';
    return rp;
  }

  /** Prints `n` bytes escaped; false when the capture ends first. */
  private printn(cp: number, n: number): boolean {
    const stop = Math.min(cp + n, this.end);
    this.s += escapedChars(this.d, cp, stop);
    return stop === cp + n;
  }

  qprint(cp: number): number {
    const np = cp;
    cp = this.nskip(cp);
    if (cp === -1 || !this.has(cp, 4)) return -1;
    this.s += ' ' + typeName(this.u16(cp));
    const cls = this.u16(cp + 2);
    if (cls !== 1) this.s += ' ' + className(cls);
    this.s += '? ';
    const r = this.fqdn(np);
    return r === -1 ? -1 : r + 4;
  }

  /** Prints one resource record; returns the index after it, `end` when it ran out quietly, -1 on failure. */
  rprint(cp: number): number {
    if (this.verbose) {
      this.s += ' ';
      cp = this.fqdn(cp);
      if (cp === -1) return -1;
    } else {
      cp = this.nskip(cp);
    }
    if (cp === -1 || !this.has(cp, 10)) return this.end;
    const typ = this.u16(cp);
    const cls = this.u16(cp + 2);
    cp += 4;
    if (cls !== 1 && typ !== T_OPT) this.s += ' ' + className(cls);
    let optFlags = 0;
    if (typ === T_OPT) {
      optFlags = this.u16(cp + 2);
      cp += 4;
    } else {
      if (this.verbose > 2) this.s += ' [' + relts(this.u32(cp)) + ']';
      cp += 4;
    }
    const len = this.u16(cp);
    cp += 2;
    this.s += ' ' + typeName(typ);
    if (!this.has(cp, len)) {
      this.truncated = true;
      return -1;
    }
    const rp = cp + len;
    switch (typ) {
      case 1:
        if (!this.has(cp, 4)) return -1;
        this.s += ' ' + ipv4BytesString(this.d, cp);
        break;
      case 2: case 5: case 12: case 39:
        this.s += ' ';
        if (this.fqdn(cp) === -1) return -1;
        break;
      case 6: {
        if (!this.verbose) break;
        this.s += ' ';
        let p = this.fqdn(cp);
        if (p === -1) return -1;
        this.s += ' ';
        p = this.fqdn(p);
        if (p === -1 || !this.has(p, 20)) return -1;
        for (let k = 0; k < 5; k++) this.s += ' ' + this.u32(p + 4 * k);
        break;
      }
      case 15:
        this.s += ' ';
        if (!this.has(cp, 2) || this.fqdn(cp + 2) === -1) return -1;
        this.s += ' ' + this.u16(cp);
        break;
      case 16:
        for (let p = cp; p < rp;) {
          this.s += ' "';
          if (!this.has(p, 1)) return -1;
          const n = this.d[p]!;
          if (!this.printn(p + 1, n)) return -1;
          p += 1 + n;
          this.s += '"';
        }
        break;
      case 33:
        this.s += ' ';
        if (!this.has(cp, 6) || this.fqdn(cp + 6) === -1) return -1;
        this.s += ':' + this.u16(cp + 4) + ' ' + this.u16(cp) + ' ' + this.u16(cp + 2);
        break;
      case 28:
        if (!this.has(cp, 16)) return -1;
        this.s += ' ' + ipv6String(this.d, cp);
        break;
      case T_OPT:
        this.s += ' UDPsize=' + cls;
        if (optFlags & 0x8000) this.s += ' DO';
        if (cp < rp) {
          this.s += ' [';
          while (cp < rp) {
            cp = this.ednsOption(cp);
            if (cp === -1) return -1;
            if (cp < rp) this.s += ',';
          }
          this.s += ']';
        }
        break;
    }
    return rp;
  }

  /** One EDNS option of an OPT record (RFC 6891): name, then its value where tcpdump decodes it. */
  private ednsOption(cp: number): number {
    if (!this.has(cp, 2)) return -1;
    const opt = this.u16(cp);
    this.s += EDNS_OPTIONS[opt] ?? 'Opt' + opt;
    if (!this.has(cp + 2, 2)) return -1;
    const n = this.u16(cp + 2);
    cp += 4;
    if (!this.has(cp, n)) {
      this.truncated = true;
      return -1;
    }
    if (n === 0) return cp;
    this.s += ' ';
    const d = this.d;
    switch (opt) {
      case 8: this.s += ecs(d, cp, n); break;
      case 9: this.s += n !== 4 ? '(invalid)' : this.u32(cp) + ' sec'; break;
      case 10:
        if (n < 8 || (n > 8 && n < 16) || n > 40) this.s += '(invalid)';
        else this.s += hexBytes(d, cp, cp + 8) + (n > 8 ? ' ' + hexBytes(d, cp + 8, cp + n) : '');
        break;
      case 11: this.s += n !== 2 ? '(invalid)' : (this.u16(cp) / 10).toFixed(1) + ' sec'; break;
      case 12: this.s += '(' + n + ')'; break;
      case 14:
        if (n % 2 !== 0) this.s += '(invalid)';
        else for (let i = 0; i < n; i += 2) this.s += (i > 0 ? ' ' : '') + this.u16(cp + i);
        break;
      case 5: case 6: case 7:
        for (let i = 0; i < n; i++) this.s += (i > 0 ? ' ' : '') + 'Alg_' + d[cp + i]!;
        break;
      default: this.s += hexBytes(d, cp, cp + n);
    }
    return cp + n;
  }

  /** A section of `count` records; false when tcpdump would stop with a truncation mark. */
  section(cp: number, count: number, label: string, next: { cp: number }): boolean {
    if (count === 0) { next.cp = cp; return true; }
    if (label !== '') {
      if (cp >= this.end) { next.cp = cp; return false; }
      this.s += label;
    }
    cp = this.rprint(cp);
    if (cp === -1) return false;
    count--;
    while (cp < this.end && count) {
      this.s += ',';
      cp = this.rprint(cp);
      if (cp === -1) return false;
      count--;
    }
    next.cp = cp;
    return count === 0;
  }
}

function relts(secs: number): string {
  if (secs === 0) return '0s';
  let s = '';
  const units: Array<[number, string]> = [[31536000, 'y'], [604800, 'w'], [86400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']];
  for (const [n, u] of units) {
    if (secs >= n) {
      s += Math.floor(secs / n) + u;
      secs %= n;
    }
  }
  return s;
}

const nextBox = { cp: 0 };

/**
 * The DNS summary of the message at `start` (`len` bytes on the wire,
 * captured up to `capEnd`). Over TCP the two-byte length prefix is checked
 * and skipped as tcpdump does. Returns the text including its leading
 * separator; a cut-short message ends with ` [|domain]`.
 */
export function formatDns(data: Uint8Array, start: number, len: number, capEnd: number, overTcp: boolean, verbose: number): string {
  let prefix = '';
  if (overTcp) {
    if (len < 2) return ' [DNS over TCP: length ' + len + ' < 2] (invalid)';
    len -= 2;
    if (start + 2 > capEnd) return ' [|domain]';
    const declared = (data[start]! << 8) | data[start + 1]!;
    if (declared !== len) return ' [prefix length(' + declared + ') != length(' + len + ')] (invalid)';
    start += 2;
    prefix = ' ';
  }
  if (len < 12) return prefix + 'domain [length ' + len + ' < 12] (invalid)';
  if (start + 12 > capEnd) return prefix + ' [|domain]';
  const w = new DnsWalk(data, start, capEnd, verbose);
  const u16 = (p: number): number => (data[p]! << 8) | data[p + 1]!;
  const flags = u16(start + 2);
  let qd = u16(start + 4);
  const an = u16(start + 6);
  const ns = u16(start + 8);
  const ar = u16(start + 10);
  const opcode = (flags >> 11) & 0xf;
  let cp = start + 12;
  w.s = prefix;

  if (flags & 0x8000) {
    // The extended rcode lives in the OPT record of the additional section.
    const rcode = (flags & 0xf) | extendedRcode(w, cp, qd, an + ns, ar);
    w.s += u16(start) + OPCODES[opcode]! + (rcode < RCODES.length ? RCODES[rcode]! : ' Resp' + (rcode & 0xfff))
      + (flags & 0x0400 ? '*' : '') + (flags & 0x0080 ? '' : '-') + (flags & 0x0200 ? '|' : '') + (flags & 0x0020 ? '$' : '');
    if (qd !== 1) w.s += ' [' + qd + 'q]';
    for (let i = 0; i < qd; i++) {
      if (i !== 0) w.s += ',';
      if (verbose > 1) {
        w.s += ' q:';
        cp = w.qprint(cp);
      } else {
        cp = w.nskip(cp);
        if (cp !== -1) cp += 4;
      }
      if (cp === -1) return w.s + ' [|domain]';
    }
    w.s += ' ' + an + '/' + ns + '/' + ar;
    if (!w.section(cp, an, '', nextBox)) return w.s + ' [|domain]';
    cp = nextBox.cp;
    if (verbose > 1) {
      if (!w.section(cp, ns, ' ns:', nextBox)) return w.s + ' [|domain]';
      if (!w.section(nextBox.cp, ar, ' ar:', nextBox)) return w.s + ' [|domain]';
    }
  } else {
    w.s += u16(start) + OPCODES[opcode]! + (flags & 0x0100 ? '+' : '') + (flags & 0x0010 ? '%' : '');
    if (flags & 0x6cf) w.s += ' [b2&3=0x' + flags.toString(16) + ']';
    if (opcode === 1) {
      if (qd) w.s += ' [' + qd + 'q]';
      if (an !== 1) w.s += ' [' + an + 'a]';
    } else {
      if (an) w.s += ' [' + an + 'a]';
      if (qd !== 1) w.s += ' [' + qd + 'q]';
    }
    if (ns) w.s += ' [' + ns + 'n]';
    if (ar) w.s += ' [' + ar + 'au]';
    if (qd) {
      cp = w.qprint(cp);
      if (cp === -1) return w.s + ' [|domain]';
      qd--;
      while (cp < capEnd && qd) {
        cp = w.qprint(cp);
        if (cp === -1) return w.s + ' [|domain]';
        qd--;
      }
    }
    if (qd) return w.s + ' [|domain]';
    if (verbose > 1) {
      if (!w.section(cp, an, '', nextBox)) return w.s + ' [|domain]';
      if (!w.section(nextBox.cp, ns, ' ns:', nextBox)) return w.s + ' [|domain]';
      if (!w.section(nextBox.cp, ar, ' ar:', nextBox)) return w.s + ' [|domain]';
    }
  }
  return w.s + ' (' + len + ')';
}

/** Upper bits of the rcode from an OPT record, found by skipping the sections before it. */
function extendedRcode(w: DnsWalk, cp: number, qd: number, anNs: number, ar: number): number {
  const d = w.d;
  const end = w.end;
  for (let i = 0; i < qd; i++) {
    cp = w.nskip(cp);
    if (cp === -1) return 0;
    cp += 4;
    if (cp >= end) return 0;
  }
  for (let i = 0; i < anNs; i++) {
    cp = w.nskip(cp);
    if (cp === -1) return 0;
    cp += 8;
    if (cp + 2 > end) return 0;
    cp += 2 + ((d[cp]! << 8) | d[cp + 1]!);
    if (cp >= end) return 0;
  }
  for (let i = 0; i < ar; i++) {
    cp = w.nskip(cp);
    if (cp === -1 || cp + 2 > end) return 0;
    const type = (d[cp]! << 8) | d[cp + 1]!;
    cp += 4;
    if (cp + 1 > end) return 0;
    if (type === T_OPT) return d[cp]! << 4;
    cp += 4;
    if (cp + 2 > end) return 0;
    cp += 2 + ((d[cp]! << 8) | d[cp + 1]!);
    if (cp >= end) return 0;
  }
  return 0;
}
