/**
 * "Multipath Transmission Control Protocol" nodes: every field named as
 * tshark 4.0 names it, plus what tshark does not compute from a single
 * packet: the token and IDSN of every key, the DSS checksum when the whole
 * mapping is in the packet, and why the HMACs cannot be checked here.
 */
import type { MptcpAnnotation } from '../../analysis/mptcp/types.js';
import { mptcpRawDsn } from '../../fields/index.js';
import { keyToIdsn, keyToToken, verifyDssChecksum, type MptcpVersion } from '../../mptcp/index.js';
import type { CheckStatus } from '../../analysis/mptcp/types.js';
import type {
  MptcpAddAddr, MptcpCapable, MptcpDss, MptcpJoin, MptcpOption, Packet, TcpOptMptcp, TcpRepr,
} from '../../wire/types.js';
import { u16, u32, u64 } from '../../wire/bytes.js';
import { isAddAddrV0, mptcpOptionOverrun, mptcpReserved12 } from '../../wire/mptcp.js';
import { hexString, ipv4String, ipv6String } from './addr.js';
import type { ResolvedPrefs } from './detail-analysis.js';
import { checkText, dsnText } from './detail-mptcp-analysis.js';
import { bitLine, bits, hex, type Tree } from './tree.js';

const SUBTYPE_NAMES = [
  'Multipath Capable', 'Join Connection', 'Data Sequence Signal', 'Add Address', 'Remove Address',
  'Change Subflow Priority', 'TCP Fallback', 'Fast Close', 'TCP Reset',
];

/** tshark's name of an MPTCP subtype ("Multipath Capable", ..., "Unknown (9)"). */
export function mptcpSubtypeText(subtype: number): string {
  return SUBTYPE_NAMES[subtype] ?? `Unknown (${subtype})`;
}

const TCPRST_REASONS = [
  'Unspecified error', 'MPTCP-specific error', 'Lack of resources', 'Administratively prohibited',
  'Too much outstanding data', 'Unacceptable performance', 'Middlebox interference',
];

const TWO_64 = 1n << 64n;
const KEYS_ABSENT = 'not checkable: keys not in this packet';
const KEYS_NOT_CAPTURED = 'not checkable: keys not captured';

/** The segment's MPTCP analysis, for the lines tshark and mpscope add inside the options. */
export interface OptionAnalysis {
  mptcp: MptcpAnnotation;
  prefs: ResolvedPrefs;
}

/** The HMAC status line: the analysis' check when it made one, else why a single packet cannot tell. */
function hmacStatus(t: Tree, d: number, status: CheckStatus | undefined): void {
  t.add(d, `[HMAC Status: ${status === undefined ? KEYS_ABSENT : checkText(status, KEYS_NOT_CAPTURED)}]`);
}

function bit(flags: number, mask: number): string {
  return flags & mask ? '1' : '0';
}

/**
 * The token and IDSN a key yields. The version says which hash (SHA-1 for v0,
 * SHA-256 for v1); when the packet does not carry it, both are shown.
 */
function keyDerived(t: Tree, d: number, who: string, key: bigint, version: number | undefined): void {
  const versions: MptcpVersion[] = version === 0 ? [0] : version === 1 ? [1] : [0, 1];
  for (const v of versions) {
    const tag = versions.length > 1 ? ` (v${v}, ${v === 0 ? 'SHA-1' : 'SHA-256'})` : '';
    t.add(d, `[${who}'s key token${tag}: ${hex(keyToToken(key, v), 8)}]`);
    t.add(d, `[${who}'s key IDSN${tag}: ${keyToIdsn(key, v)}]`);
  }
}

/** Payload of the segment as captured, or why a checksum over it cannot be computed. */
function mappedPayload(pkt: Packet, tcp: TcpRepr | undefined, mappedLength: number): Uint8Array | string {
  if (!tcp) return 'not checkable: segment quoted in an ICMP error';
  if (mappedLength > tcp.payloadLength) return 'not checkable: mapping longer than this segment';
  if (mappedLength < tcp.payloadLength) return 'not checkable: mapping covers only part of this segment';
  if (tcp.payloadCaptured < tcp.payloadLength) return 'not checkable: payload cut by the capture snap length';
  return pkt.data.subarray(tcp.payloadOffset, tcp.payloadOffset + tcp.payloadLength);
}

function checksumStatus(
  t: Tree, d: number, dsn64: bigint | string, ssn: number, dataLength: number, dataFin: boolean, checksum: number,
  pkt: Packet, tcp: TcpRepr | undefined,
): void {
  if (typeof dsn64 === 'string') {
    t.add(d, `[Checksum Status: ${dsn64}]`);
    return;
  }
  if (dataLength === 0) {
    t.add(d, '[Checksum Status: not checkable: infinite mapping]');
    return;
  }
  // A DATA_FIN takes one octet of the data-level length but none of the payload.
  const payload = mappedPayload(pkt, tcp, dataLength - (dataFin ? 1 : 0));
  if (typeof payload === 'string') {
    t.add(d, `[Checksum Status: ${payload}]`);
    return;
  }
  const status = verifyDssChecksum(dsn64, ssn, dataLength, checksum, payload);
  t.add(d, `[Checksum Status: ${status === 'good' ? 'Good' : 'Bad'}]`);
  if (status === 'bad') t.expert(d + 1, 'Error', 'Checksum', 'Bad DSS checksum');
}

function capable(t: Tree, d: number, o: MptcpCapable, b2: number, pkt: Packet, tcp: TcpRepr | undefined, an: OptionAnalysis | undefined): void {
  const v0 = o.version === 0;
  t.add(d, bitLine(b2, 8, 0x0f, 'Multipath TCP version', `${o.version}`));
  const f = o.flags;
  t.add(d, `Multipath TCP flags: ${hex(f, 2)}`);
  t.add(d + 1, bitLine(f, 8, 0x80, 'Checksum required', bit(f, 0x80)));
  t.add(d + 1, bitLine(f, 8, 0x40, 'Extensibility', bit(f, 0x40)));
  if (!v0) t.add(d + 1, bitLine(f, 8, 0x20, 'Do not attempt to establish new subflows to this address and port', bit(f, 0x20)));
  t.add(d + 1, bitLine(f, 8, 0x01, v0 ? 'Use HMAC-SHA1' : 'Use HMAC-SHA256', bit(f, 0x01)));
  t.add(d + 1, v0
    ? bitLine(f, 8, 0x3e, 'Reserved', hex((f & 0x3e) >> 1, 2))
    : bitLine(f, 8, 0x1e, 'Reserved', `0x${((f & 0x1e) >> 1).toString(16)}`));
  const version = o.version <= 1 ? o.version : undefined;
  if (o.senderKey !== undefined) {
    t.add(d, `Sender's Key: ${o.senderKey}`);
    if (version !== undefined) {
      t.add(d, `[Subflow token generated from key: ${keyToToken(o.senderKey, version as MptcpVersion)}]`);
      t.add(d, `[Subflow expected IDSN: ${keyToIdsn(o.senderKey, version as MptcpVersion)} (64bits version)]`);
    }
    keyDerived(t, d, 'Sender', o.senderKey, version);
  }
  if (o.receiverKey !== undefined) {
    t.add(d, `Receiver's Key: ${o.receiverKey}`);
    keyDerived(t, d, 'Receiver', o.receiverKey, version);
  }
  const echo = an?.mptcp.keyEcho;
  if (echo !== undefined) t.add(d, `[Key Echo Status: ${checkText(echo, 'not checkable: the handshake was not captured')}]`);
  if (o.dataLength !== undefined) t.add(d, `Data-level Length: ${o.dataLength}`);
  if (o.checksum !== undefined && o.dataLength !== undefined) {
    t.add(d, `Checksum: ${hex(o.checksum, 4)}`);
    // v1 first data: the mapping starts at the sender's IDSN + 1, subflow sequence 1.
    const dsn = o.senderKey !== undefined && version === 1
      ? (keyToIdsn(o.senderKey, 1) + 1n) % TWO_64
      : 'not checkable: no sender key';
    checksumStatus(t, d, dsn, 1, o.dataLength, false, o.checksum, pkt, tcp);
  }
}

function join(t: Tree, d: number, o: MptcpJoin, raw: Uint8Array, an: OptionAnalysis | undefined): void {
  if (o.phase === 'ack') {
    t.add(d, bitLine(o.reserved ?? 0, 16, 0x0fff, 'Reserved', hex(o.reserved ?? 0, 3)));
    t.add(d, `Sender's HMAC: ${hexString(o.hmac ?? new Uint8Array(0))}`);
    hmacStatus(t, d, an?.mptcp.joinHmac);
    return;
  }
  const b2 = raw[2] ?? 0;
  t.add(d, `Multipath TCP flags: ${hex(b2, 2)}`);
  t.add(d + 1, bitLine(b2, 8, 0x01, 'Backup flag', bit(b2, 0x01)));
  t.add(d, `Address ID: ${o.addrId}`);
  if (o.phase === 'syn') {
    t.add(d, `Receiver's Token: ${o.token ?? 0}`);
    const token = an?.mptcp.joinToken;
    if (token !== undefined) t.add(d, `[Token Status: ${token === 'good' ? `Good (MPTCP stream ${an!.mptcp.connectionIndex})` : 'Bad: no captured connection has this token'}]`);
  } else {
    t.add(d, `Sender's Truncated HMAC: ${o.truncatedHmac ?? 0n}`);
  }
  t.add(d, `Sender's Random Number: ${o.nonce ?? 0}`);
  if (o.phase === 'synack') hmacStatus(t, d, an?.mptcp.joinHmac);
}

function dss(t: Tree, d: number, o: MptcpDss, pkt: Packet, tcp: TcpRepr | undefined, an: OptionAnalysis | undefined): void {
  // tshark's numbers relative to the IDSN (or raw 64-bit ones), from the connection.
  const a = an !== undefined && an.prefs.mptcp ? an.mptcp : undefined;
  dssFlags(t, d, o.flags);
  if (o.dataAck !== undefined) {
    t.add(d, dataAckLine(o.dataAck, o.dataAckWidth === 8));
    const ack = a && dsnText(a, a.dir === 0 ? 1 : 0, a.dataAck, an!.prefs.mptcpRelative);
    if (ack !== undefined) t.add(d, `[Multipath TCP Data ACK: ${ack}]`);
  }
  if (o.dsn === undefined) return;
  t.add(d, dsnLine(o.dsn, o.dsnWidth === 8));
  t.add(d, `Subflow Sequence Number: ${o.ssn ?? 0}`);
  t.add(d, `Data-level Length: ${o.dataLength ?? 0}`);
  const dsn = a && dsnText(a, a.dir, a.dssDsn, an!.prefs.mptcpRelative);
  if (dsn !== undefined) t.add(d, `[DSS Data Sequence Number: ${dsn}]`);
  if (o.infiniteMapping) t.add(d, '[Infinite mapping: the subflow falls back to TCP]');
  if (o.checksum !== undefined) {
    t.add(d, `Checksum: ${hex(o.checksum, 4)}`);
    // A 32-bit DSN is widened from the connection's position when the analysis knows it.
    const m = an?.mptcp;
    const wide = m === undefined || m.dssDsn === undefined ? undefined : mptcpRawDsn(m, m.dir, m.dssDsn);
    const dsn64 = o.dsnWidth === 8 ? o.dsn : wide ?? 'not checkable: 32-bit DSN, the full DSN needs the connection';
    checksumStatus(t, d, dsn64, o.ssn ?? 0, o.dataLength ?? 0, o.dataFin, o.checksum, pkt, tcp);
  }
}

function dssFlags(t: Tree, d: number, f: number): void {
  t.add(d, `Multipath TCP flags: ${hex(f, 2)}`);
  t.add(d + 1, bitLine(f, 8, 0x10, 'DATA_FIN', bit(f, 0x10)));
  t.add(d + 1, bitLine(f, 8, 0x08, 'Data Sequence Number is 8 octets', bit(f, 0x08)));
  t.add(d + 1, bitLine(f, 8, 0x04, 'Data Sequence Number, Subflow Sequence Number, Data-level Length, Checksum present', bit(f, 0x04)));
  t.add(d + 1, bitLine(f, 8, 0x02, 'Data ACK is 8 octets', bit(f, 0x02)));
  t.add(d + 1, bitLine(f, 8, 0x01, 'Data ACK is present', bit(f, 0x01)));
}

function dataAckLine(value: number | bigint, wide: boolean): string {
  return `Original MPTCP Data ACK: ${value}${wide ? ' (64bits)' : ''}`;
}

function dsnLine(value: number | bigint, wide: boolean): string {
  return `Data Sequence Number: ${value}  (${wide ? 64 : 32}bits version)`;
}

/** A DSS shorter than its flags say: its fields in order, up to the first its bytes do not hold. */
function dssOverrunFields(t: Tree, d: number, raw: Uint8Array): void {
  if (raw.length < 4) return;
  const f = raw[3]!;
  dssFlags(t, d, f);
  let at = 4;
  const take = (n: number): number | bigint | undefined => {
    if (at + n > raw.length) return undefined;
    const v = n === 8 ? u64(raw, at) : n === 4 ? u32(raw, at) : u16(raw, at);
    at += n;
    return v;
  };
  if (f & 0x01) {
    const ack = take(f & 0x02 ? 8 : 4);
    if (ack === undefined) return;
    t.add(d, dataAckLine(ack, (f & 0x02) !== 0));
  }
  if ((f & 0x04) === 0) return;
  const dsn = take(f & 0x08 ? 8 : 4);
  if (dsn === undefined) return;
  t.add(d, dsnLine(dsn, (f & 0x08) !== 0));
  const ssn = take(4);
  if (ssn === undefined) return;
  t.add(d, `Subflow Sequence Number: ${ssn}`);
  const length = take(2);
  if (length !== undefined) t.add(d, `Data-level Length: ${length}`);
}

/** The low bits of ADD_ADDR's subtype byte: the IP version of RFC 6824's form, else the echo flag. */
function addAddrFlags(t: Tree, d: number, v0: boolean, b2: number): void {
  if (v0) t.add(d, bitLine(b2, 8, 0x0f, 'IP version', `${b2 & 0x0f}`));
  else t.add(d, bitLine(b2, 8, 0x01, 'Echo', bit(b2, 0x01)));
}

function addAddr(t: Tree, d: number, o: MptcpAddAddr, b2: number, an: OptionAnalysis | undefined): void {
  addAddrFlags(t, d, o.form === 0, b2);
  t.add(d, `Address ID: ${o.addrId}`);
  t.add(d, o.ipVersion === 4
    ? `Advertised IPv4 Address: ${ipv4String(((o.address[0]! << 24) | (o.address[1]! << 16) | (o.address[2]! << 8) | o.address[3]!) >>> 0)}`
    : `Advertised IPv6 Address: ${ipv6String(o.address)}`);
  if (o.port !== undefined) t.add(d, `Advertised port: ${o.port}`);
  if (o.truncatedHmac !== undefined) {
    t.add(d, `Truncated HMAC: ${o.truncatedHmac}`);
    hmacStatus(t, d, an?.mptcp.addAddrHmac);
  }
  const echoOf = an?.mptcp.addAddrEchoOf;
  if (echoOf !== undefined) t.add(d, `[Echo of the advertisement in frame: ${echoOf}]`);
}

function tcpRst(t: Tree, d: number, flags: number, reason: number, b2: number): void {
  tcpRstFlags(t, d, flags, b2);
  t.add(d, `TCPRST Reason: ${TCPRST_REASONS[reason] ?? 'Unknown'} (${hex(reason, 2)})`);
}

function tcpRstFlags(t: Tree, d: number, flags: number, b2: number): void {
  const names = [[0x8, 'Flag U'], [0x4, 'Flag V'], [0x2, 'Flag W'], [0x1, 'Transient']] as const;
  const set = names.filter(([m]) => flags & m).map(([, n]) => n);
  t.add(d, `Multipath TCP flags: ${hex(b2, 2)}${set.length ? ', ' + set.join(', ') : ''}`);
  for (const [m, n] of names) t.add(d + 1, bitLine(flags, 4, m, n, flags & m ? 'Set' : 'Not set'));
}

function reserved12(t: Tree, d: number, value: number | undefined): void {
  t.add(d, bitLine(value ?? 0, 16, 0x0fff, 'Reserved', hex(value ?? 0, 3)));
}

function body(t: Tree, d: number, m: MptcpOption, raw: Uint8Array, pkt: Packet, tcp: TcpRepr | undefined, an: OptionAnalysis | undefined): void {
  const b2 = raw[2] ?? 0;
  switch (m.name) {
    case 'MP_CAPABLE': capable(t, d, m, b2, pkt, tcp, an); break;
    case 'MP_JOIN': join(t, d, m, raw, an); break;
    case 'DSS': dss(t, d, m, pkt, tcp, an); break;
    case 'ADD_ADDR': addAddr(t, d, m, b2, an); break;
    case 'REMOVE_ADDR':
      t.add(d, `[Number of removed addresses: ${m.addrIds.length}]`);
      for (const id of m.addrIds) t.add(d, `Address ID: ${id}`);
      break;
    case 'MP_PRIO':
      t.add(d, `Multipath TCP flags: ${hex(b2, 2)}`);
      t.add(d + 1, bitLine(b2, 8, 0x01, 'Backup flag', bit(b2, 0x01)));
      if (m.addrId !== undefined) t.add(d, `Address ID: ${m.addrId}`);
      break;
    case 'MP_FAIL':
      reserved12(t, d, m.reserved);
      t.add(d, `Data Sequence Number: ${m.dsn}`);
      break;
    case 'MP_FASTCLOSE':
      reserved12(t, d, m.reserved);
      t.add(d, `Receiver's Key: ${m.receiverKey}`);
      keyDerived(t, d, 'Receiver', m.receiverKey, undefined);
      if (an?.mptcp.fastcloseKey !== undefined) t.add(d, `[Key Status: ${checkText(an.mptcp.fastcloseKey, KEYS_NOT_CAPTURED)}]`);
      break;
    case 'MP_TCPRST': tcpRst(t, d, m.flags, m.reason, b2); break;
    case 'MP_EXPERIMENTAL':
    case 'UNKNOWN':
      if (raw.length > 3) t.add(d, `Payload: ${hexString(raw, 3)}`);
      break;
  }
}

/** tshark stops with "[Malformed Packet]" when it reads past an MPTCP option (see mptcpOptionOverrun). */
export function mptcpOverrun(o: TcpOptMptcp): boolean {
  return mptcpOptionOverrun(o.raw, 0, o.length);
}

/**
 * What tshark shows of an option it reads past the end of, before it gives
 * up: the fields in the bytes there are (the subtype byte's low bits; the
 * reserved bits of MP_FAIL and MP_FASTCLOSE up to byte 3; a DSS's fields up
 * to the first one cut).
 */
function overrunFields(t: Tree, d: number, subtype: number, raw: Uint8Array): void {
  const b2 = raw[2]!;
  switch (subtype) {
    case 0: t.add(d, bitLine(b2, 8, 0x0f, 'Multipath TCP version', String(b2 & 0x0f))); break;
    case 3: addAddrFlags(t, d, isAddAddrV0(b2 & 0x0f), b2); break;
    case 6:
    case 7: if (raw.length >= 4) reserved12(t, d, mptcpReserved12(raw, 0)); break;
    case 8: tcpRstFlags(t, d, b2 & 0x0f, b2); break;
    case 2: dssOverrunFields(t, d, raw); break;
  }
}

/**
 * The node of one MPTCP option at `depth` (2 under the TCP options). `tcp`
 * is the segment carrying it, undefined for a header quoted in an ICMP error
 * (whose payload is not there); `an` its MPTCP analysis, when it ran.
 */
export function mptcpNode(t: Tree, depth: number, o: TcpOptMptcp, pkt: Packet, tcp: TcpRepr | undefined, an?: OptionAnalysis): void {
  const m = o.mptcp;
  const raw = o.raw;
  const subtype = m.subtype;
  t.add(depth, `Multipath Transmission Control Protocol: ${mptcpSubtypeText(subtype < 0 ? 0 : subtype)}`);
  const d = depth + 1;
  t.add(d, 'Kind: Multipath TCP (30)');
  t.add(d, `Length: ${o.length}`);
  if (raw.length < 3) return;
  const known = SUBTYPE_NAMES[subtype] !== undefined;
  t.add(d, `${bits(raw[2]!, 8, 0xf0)} = Multipath TCP subtype: ${mptcpSubtypeText(subtype)}${known ? ` (${subtype})` : ''}`);
  if (m.name === 'UNKNOWN' && m.reason !== undefined) {
    if (mptcpOverrun(o)) {
      overrunFields(t, d, subtype, raw);
      return;
    }
    // tshark shows an ADD_ADDR of no valid length as far as its address id, and says nothing of the length.
    if (subtype === 3) {
      addAddrFlags(t, d, isAddAddrV0(raw[2]! & 0x0f), raw[2]!);
      t.add(d, `Address ID: ${raw[3]!}`);
    }
    t.expert(d, 'Warning', 'Protocol', m.reason);
    return;
  }
  body(t, d, m, raw, pkt, tcp, an);
}
