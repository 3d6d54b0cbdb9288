/**
 * The Info text tshark gives a DNS message: "Standard query 0x1a2b A name"
 * or "Standard query response 0x1a2b A name A 192.0.2.1 ...". Reads names
 * (with compression pointers) and the record data worth a word; anything it
 * cannot follow ends the summary where it stands.
 */
import { u16 } from '../../wire/bytes.js';
import { ipv4String, ipv6String } from './addr.js';

interface SummaryOut { protocol: string; info: string }

const TYPES: Readonly<Record<number, string>> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 13: 'HINFO', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV',
  35: 'NAPTR', 39: 'DNAME', 41: 'OPT', 43: 'DS', 46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY', 50: 'NSEC3', 52: 'TLSA',
  64: 'SVCB', 65: 'HTTPS', 99: 'SPF', 255: 'ANY', 257: 'CAA',
};

const OPCODES = ['Standard query', 'Inverse query', 'Server status request', 'Unknown operation (3)', 'Zone change notification', 'Dynamic update'];

const RCODES = ['', 'Format error', 'Server failure', 'No such name', 'Not implemented', 'Refused'];

function typeName(t: number): string {
  return TYPES[t] ?? `Unknown (${t})`;
}

/** Reads a possibly compressed name at `at`; returns [text, offset after it] or undefined. */
function readName(d: Uint8Array, msg: number, at: number, end: number): [string, number] | undefined {
  let name = '';
  let next = -1;
  let p = at;
  for (let hops = 0; hops < 64; hops++) {
    if (p >= end) return undefined;
    const len = d[p]!;
    if (len === 0) {
      if (next < 0) next = p + 1;
      return [name === '' ? '<Root>' : name, next];
    }
    if ((len & 0xc0) === 0xc0) {
      if (p + 1 >= end) return undefined;
      if (next < 0) next = p + 2;
      p = msg + (((len & 0x3f) << 8) | d[p + 1]!);
      continue;
    }
    if (p + 1 + len > end) return undefined;
    let label = '';
    for (let i = p + 1; i <= p + len; i++) label += String.fromCharCode(d[i]!);
    name += name === '' ? label : '.' + label;
    p += 1 + len;
  }
  return undefined;
}

function rdataText(d: Uint8Array, msg: number, type: number, at: number, len: number, end: number): string {
  switch (type) {
    case 1: return len === 4 ? ' ' + ipv4String(((d[at]! << 24) | (d[at + 1]! << 16) | (d[at + 2]! << 8) | d[at + 3]!) >>> 0) : '';
    case 28: return len === 16 ? ' ' + ipv6String(d, at) : '';
    case 2: case 5: case 12: case 39: case 6: {
      const n = readName(d, msg, at, end);
      return n ? ' ' + n[0] : '';
    }
    case 15: {
      const n = readName(d, msg, at + 2, end);
      return n ? ` ${u16(d, at)} ${n[0]}` : '';
    }
    case 33: {
      const n = readName(d, msg, at + 6, end);
      return n ? ` ${u16(d, at)} ${u16(d, at + 2)} ${u16(d, at + 4)} ${n[0]}` : '';
    }
    default: return '';
  }
}

/** Fills `out` for the DNS message in [msg, end); false when it is too short to be one. */
export function dnsSummary(d: Uint8Array, msg: number, end: number, out: SummaryOut): boolean {
  if (end - msg < 12) return false;
  const id = u16(d, msg);
  const flags = u16(d, msg + 2);
  const response = (flags & 0x8000) !== 0;
  const opcode = (flags >> 11) & 0xf;
  const rcode = flags & 0xf;
  const counts = [u16(d, msg + 4), u16(d, msg + 6), u16(d, msg + 8), u16(d, msg + 10)];
  let info = (OPCODES[opcode] ?? `Unknown operation (${opcode})`) + (response ? ' response' : '') + ' 0x' + id.toString(16).padStart(4, '0');
  if (response && rcode !== 0) info += ' ' + (RCODES[rcode] ?? `Unknown error (${rcode})`);
  let p = msg + 12;
  for (let i = 0; i < counts[0]!; i++) {
    const n = readName(d, msg, p, end);
    if (!n || n[1] + 4 > end) break;
    info += ' ' + typeName(u16(d, n[1])) + ' ' + n[0];
    p = n[1] + 4;
  }
  const records = counts[1]! + counts[2]! + counts[3]!;
  for (let i = 0; i < records && response; i++) {
    const n = readName(d, msg, p, end);
    if (!n || n[1] + 10 > end) break;
    const type = u16(d, n[1]);
    const len = u16(d, n[1] + 8);
    const data = n[1] + 10;
    if (data + len > end) break;
    info += ' ' + typeName(type) + rdataText(d, msg, type, data, len, end);
    p = data + len;
  }
  if (!response) {
    // Queries list their additional records' types too (an EDNS OPT, typically).
    for (let i = 0; i < counts[1]! + counts[2]! + counts[3]!; i++) {
      const n = readName(d, msg, p, end);
      if (!n || n[1] + 10 > end) break;
      const len = u16(d, n[1] + 8);
      info += ' ' + typeName(u16(d, n[1]));
      p = n[1] + 10 + len;
    }
  }
  out.protocol = 'DNS';
  out.info = info;
  return true;
}
