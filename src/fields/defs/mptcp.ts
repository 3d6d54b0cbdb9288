/**
 * MPTCP option fields under Wireshark's names (`tcp.options.mptcp.*` and the
 * single-packet `mptcp.*` ones), read from each MPTCP option of a segment, in
 * option order.
 *
 * Names that need connection state (`mptcp.stream`, `mptcp.dsn`,
 * `mptcp.ack`, `mptcp.dss.dsn`, `mptcp.master`...) belong to MPTCP analysis.
 */
import { keyToIdsn, keyToToken } from '../../mptcp/index.js';
import type { MptcpVersion } from '../../mptcp/index.js';
import type { MptcpOption, TcpOption } from '../../wire/types.js';
import type { ScopedDefiner } from '../registry.js';
import type { FieldResult } from '../types.js';

type Named<N extends MptcpOption['name']> = Extract<MptcpOption, { name: N }>;

const SUBTYPE_TEXT: Record<number, string> = {
  0: 'Multipath Capable',
  1: 'Join Connection',
  2: 'Data Sequence Signal',
  3: 'Add Address',
  4: 'Remove Address',
  5: 'Change Subflow Priority',
  6: 'TCP Fallback',
  7: 'Fast Close',
  8: 'TCP Reset',
};

function mp(o: TcpOption): MptcpOption | undefined {
  return o.type === 'mptcp' ? o.mptcp : undefined;
}

/** An item getter that answers for one MPTCP option form only. */
function when<N extends MptcpOption['name']>(name: N, get: (m: Named<N>) => FieldResult): (o: TcpOption) => FieldResult {
  return (o) => {
    const m = mp(o);
    return m?.name === name ? get(m as Named<N>) : undefined;
  };
}

function version(v: number): MptcpVersion | undefined {
  return v === 0 || v === 1 ? v : undefined;
}

/**
 * tshark's `tcp.options.mptcp.flags` is the flags byte of MP_CAPABLE and DSS,
 * but the whole subtype byte (subtype nibble included) of MP_JOIN, MP_PRIO
 * and MP_TCPRST, whose flags share that byte.
 */
function flagsValue(m: MptcpOption): number | undefined {
  switch (m.name) {
    case 'MP_CAPABLE':
    case 'DSS':
      return m.flags;
    case 'MP_JOIN':
      return m.phase === 'ack' ? undefined : (m.subtype << 4) | (m.reserved ?? 0) | (m.backup ? 1 : 0);
    case 'MP_PRIO':
      return (m.subtype << 4) | (m.reserved ?? 0) | (m.backup ? 1 : 0);
    case 'MP_TCPRST':
      return (m.subtype << 4) | m.flags;
    default:
      return undefined;
  }
}

/** The 12 reserved bits after the subtype of the MP_JOIN third ACK, MP_FAIL and MP_FASTCLOSE. */
function reservedValue(m: MptcpOption): number | undefined {
  if (m.name === 'MP_JOIN') return m.phase === 'ack' ? (m.reserved ?? 0) : undefined;
  if (m.name === 'MP_FAIL' || m.name === 'MP_FASTCLOSE') return m.reserved ?? 0;
  return undefined;
}

function senderKeyTo<T>(derive: (key: bigint, v: MptcpVersion) => T): (o: TcpOption) => T | undefined {
  return (o) => {
    const m = mp(o);
    if (m?.name !== 'MP_CAPABLE' || m.senderKey === undefined) return undefined;
    const v = version(m.version);
    return v === undefined ? undefined : derive(m.senderKey, v);
  };
}

/** tshark types these flag bits as 8-bit numbers (the masked bit shifted down), not booleans. */
const bit = (v: number, mask: number) => ((v & mask) !== 0 ? 1 : 0);

/** MP_CAPABLE flag bits; tshark reads the flags byte the v1 way for version 1 and the v0 way for any other version. */
function capableFlag(mask: number, form: 'v0' | 'v1' | 'any') {
  return when('MP_CAPABLE', (m) => (form === 'any' || (m.version === 1) === (form === 'v1') ? bit(m.flags, mask) : undefined));
}

function dssFlag(mask: number) {
  return when('DSS', (m) => bit(m.flags, mask));
}

function tcpRstFlag(mask: number) {
  return when('MP_TCPRST', (m) => (m.flags & mask) !== 0);
}

export function defineMptcpFields(s: ScopedDefiner<TcpOption>): void {
  s.node('mptcp', 'protocol', 'Multipath Transmission Control Protocol', (o) => {
    const m = mp(o);
    if (m === undefined) return undefined;
    const what = m.subtype < 0 ? 'Unknown' : (SUBTYPE_TEXT[m.subtype] ?? `Unknown (${m.subtype})`);
    return `Multipath Transmission Control Protocol: ${what}`;
  }, { layer: 'mptcp' });
  s.field('tcp.options.mptcp.subtype', 'uint8', 'Multipath TCP subtype', (o) => {
    const m = mp(o);
    return m && m.subtype >= 0 ? m.subtype : undefined;
  });
  s.field('tcp.options.mptcp.version', 'uint8', 'Multipath TCP version', when('MP_CAPABLE', (m) => m.version));
  s.field('tcp.options.mptcp.reserved', 'uint16', 'Reserved', (o) => {
    const m = mp(o);
    return m && reservedValue(m);
  }, { base: 'hex' });
  s.field('tcp.options.mptcp.flags', 'uint8', 'Multipath TCP flags', (o) => {
    const m = mp(o);
    return m && flagsValue(m);
  }, { base: 'hex' });

  const flag = { parent: 'tcp.options.mptcp.flags' };
  s.field('tcp.options.mptcp.checksumreq.flags', 'uint8', 'Checksum required', capableFlag(0x80, 'any'), flag);
  s.field('tcp.options.mptcp.extensibility.flag', 'uint8', 'Extensibility', capableFlag(0x40, 'any'), flag);
  s.field('tcp.options.mptcp.nomoresubflows.flag', 'uint8', 'Do not attempt to establish new subflows to this address and port', capableFlag(0x20, 'v1'), flag);
  s.field('tcp.options.mptcp.sha1.flag', 'uint8', 'Use HMAC-SHA1', capableFlag(0x01, 'v0'), flag);
  s.field('tcp.options.mptcp.sha256.flag', 'uint8', 'Use HMAC-SHA256', capableFlag(0x01, 'v1'), flag);
  s.field('tcp.options.mptcp.reserved.flag', 'uint8', 'Reserved', when('MP_CAPABLE', (m) => (m.version === 1 ? (m.flags & 0x1e) >> 1 : (m.flags & 0x3e) >> 1)), { ...flag, base: 'hex' });
  s.field('tcp.options.mptcp.backup.flag', 'uint8', 'Backup flag', (o) => {
    const m = mp(o);
    if (m?.name === 'MP_PRIO' || (m?.name === 'MP_JOIN' && m.phase !== 'ack')) return m.backup ? 1 : 0;
    return undefined;
  }, flag);
  s.field('tcp.options.mptcp.datafin.flag', 'uint8', 'DATA_FIN', dssFlag(0x10), flag);
  s.field('tcp.options.mptcp.dseqn8.flag', 'uint8', 'Data Sequence Number is 8 octets', dssFlag(0x08), flag);
  s.field('tcp.options.mptcp.dseqnpresent.flag', 'uint8', 'Data Sequence Number, Subflow Sequence Number, Data-level Length, Checksum present', dssFlag(0x04), flag);
  s.field('tcp.options.mptcp.dataack8.flag', 'uint8', 'Data ACK is 8 octets', dssFlag(0x02), flag);
  s.field('tcp.options.mptcp.dataackpresent.flag', 'uint8', 'Data ACK is present', dssFlag(0x01), flag);
  s.field('tcp.options.mptcp.flag_U.flag', 'bool', 'Flag U', tcpRstFlag(0x8), flag);
  s.field('tcp.options.mptcp.flag_V.flag', 'bool', 'Flag V', tcpRstFlag(0x4), flag);
  s.field('tcp.options.mptcp.flag_W.flag', 'bool', 'Flag W', tcpRstFlag(0x2), flag);
  s.field('tcp.options.mptcp.flag_T.flag', 'bool', 'Transient', tcpRstFlag(0x1), flag);

  s.field('tcp.options.mptcp.echo', 'uint8', 'Echo', when('ADD_ADDR', (m) => (m.form === 1 ? (m.echo ? 1 : 0) : undefined)));
  s.field('tcp.options.mptcp.ipver', 'uint8', 'IP version', when('ADD_ADDR', (m) => (m.form === 0 ? m.ipVersion : undefined)));
  s.field('mptcp.rm_addr.count', 'uint8', 'Number of removed addresses', when('REMOVE_ADDR', (m) => m.addrIds.length), { layer: 'mptcp' });
  s.field('tcp.options.mptcp.addrid', 'uint8', 'Address ID', (o) => {
    const m = mp(o);
    switch (m?.name) {
      case 'MP_JOIN': return m.phase === 'ack' ? undefined : m.addrId;
      case 'ADD_ADDR': return m.addrId;
      case 'REMOVE_ADDR': return m.addrIds;
      case 'MP_PRIO': return m.addrId;
      default: return undefined;
    }
  });
  s.field('tcp.options.mptcp.ipv4', 'ipv4', 'Advertised IPv4 Address', when('ADD_ADDR', (m) => {
    const a = m.address;
    return a.length === 4 ? ((a[0]! << 24) | (a[1]! << 16) | (a[2]! << 8) | a[3]!) >>> 0 : undefined;
  }));
  s.field('tcp.options.mptcp.ipv6', 'ipv6', 'Advertised IPv6 Address', when('ADD_ADDR', (m) => (m.address.length === 16 ? m.address : undefined)));
  s.field('tcp.options.mptcp.port', 'uint16', 'Advertised port', when('ADD_ADDR', (m) => m.port));
  s.field('tcp.options.mptcp.addaddrtrunchmac', 'uint64', 'Truncated HMAC', when('ADD_ADDR', (m) => m.truncatedHmac));

  s.field('tcp.options.mptcp.sendkey', 'uint64', "Sender's Key", when('MP_CAPABLE', (m) => m.senderKey));
  s.field('mptcp.expected_token', 'uint32', 'Subflow token generated from key', senderKeyTo(keyToToken), { layer: 'mptcp' });
  s.field('mptcp.expected_idsn', 'uint64', 'Subflow expected IDSN', senderKeyTo(keyToIdsn), { layer: 'mptcp' });
  s.field('tcp.options.mptcp.recvkey', 'uint64', "Receiver's Key", (o) => {
    const m = mp(o);
    if (m?.name === 'MP_CAPABLE') return m.receiverKey;
    return m?.name === 'MP_FASTCLOSE' ? m.receiverKey : undefined;
  });
  s.field('tcp.options.mptcp.recvtok', 'uint32', "Receiver's Token", when('MP_JOIN', (m) => m.token));
  s.field('tcp.options.mptcp.sendtrunchmac', 'uint64', "Sender's Truncated HMAC", when('MP_JOIN', (m) => m.truncatedHmac));
  s.field('tcp.options.mptcp.sendrand', 'uint32', "Sender's Random Number", when('MP_JOIN', (m) => m.nonce));
  s.field('tcp.options.mptcp.sendhmac', 'bytes', "Sender's HMAC", when('MP_JOIN', (m) => m.hmac));
  s.field('tcp.options.mptcp.rawdataack', 'uint64', 'Original MPTCP Data ACK', when('DSS', (m) => m.dataAck));
  s.field('tcp.options.mptcp.rawdataseqno', 'uint64', 'Data Sequence Number', (o) => {
    const m = mp(o);
    if (m?.name === 'DSS') return m.dsn;
    return m?.name === 'MP_FAIL' ? m.dsn : undefined;
  });
  s.field('tcp.options.mptcp.subflowseqno', 'uint32', 'Subflow Sequence Number', when('DSS', (m) => m.ssn));
  s.field('tcp.options.mptcp.datalvllen', 'uint16', 'Data-level Length', (o) => {
    const m = mp(o);
    if (m?.name === 'DSS') return m.dataLength;
    return m?.name === 'MP_CAPABLE' ? m.dataLength : undefined;
  });
  s.field('tcp.options.mptcp.checksum', 'uint16', 'Checksum', (o) => {
    const m = mp(o);
    if (m?.name === 'DSS') return m.checksum;
    return m?.name === 'MP_CAPABLE' ? m.checksum : undefined;
  }, { base: 'hex' });
  s.field('tcp.options.mptcp.rst_reason', 'uint8', 'TCPRST Reason', when('MP_TCPRST', (m) => m.reason), { base: 'hex' });

  defineMpscopeMptcpFields(s);
}

/** Fields tshark does not have: names and values that help reading MPTCP but need no connection state. */
function defineMpscopeMptcpFields(s: ScopedDefiner<TcpOption>): void {
  const layer = { layer: 'mptcp' };
  s.field('mpscope.mptcp.option', 'string', 'MPTCP option name (MP_CAPABLE, MP_JOIN, DSS...; UNKNOWN when not decodable)', (o) => mp(o)?.name, layer);
  s.field('mpscope.mptcp.join.phase', 'string', 'MP_JOIN handshake packet the option form belongs to (syn, synack, ack)', when('MP_JOIN', (m) => m.phase), layer);
  s.field('mpscope.mptcp.recvtok', 'uint32', "Token of the receiver's key (MP_CAPABLE third ACK, MP_FASTCLOSE)", (o) => {
    const m = mp(o);
    if (m?.name === 'MP_CAPABLE' && m.receiverKey !== undefined) {
      const v = version(m.version);
      return v === undefined ? undefined : keyToToken(m.receiverKey, v);
    }
    return undefined;
  }, layer);
  s.field('mpscope.mptcp.recv_idsn', 'uint64', "Initial data sequence number of the receiver's key (MP_CAPABLE third ACK)", (o) => {
    const m = mp(o);
    if (m?.name !== 'MP_CAPABLE' || m.receiverKey === undefined) return undefined;
    const v = version(m.version);
    return v === undefined ? undefined : keyToIdsn(m.receiverKey, v);
  }, layer);
  s.field('mpscope.mptcp.dss.infinite', 'bool', 'DSS mapping with data-level length 0 (infinite mapping: fallback to TCP)', when('DSS', (m) => (m.dsn !== undefined ? m.infiniteMapping : undefined)), layer);
  s.field('mpscope.mptcp.dss.dsn_width', 'uint8', 'Width of the DSS data sequence number in bytes', when('DSS', (m) => m.dsnWidth), layer);
  s.field('mpscope.mptcp.dss.ack_width', 'uint8', 'Width of the DSS data ACK in bytes', when('DSS', (m) => m.dataAckWidth), layer);
  s.field('mpscope.mptcp.malformed', 'string', 'Why the MPTCP option could not be decoded as its subtype says', when('UNKNOWN', (m) => m.reason), layer);
}
