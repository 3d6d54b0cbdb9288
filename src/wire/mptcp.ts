/**
 * MPTCP option (TCP option kind 30) codec, for both RFC 6824 ("v0") and
 * RFC 8684 ("v1") forms.
 *
 * The TCP options decoder hands over each kind-30 option after checking that
 * its length byte fits the captured bytes. Forms are told apart by subtype
 * and length; a length that fits no form becomes an UNKNOWN Repr carrying the
 * reason, which the TCP layer turns into a finding. Every Repr keeps enough
 * (raw flag bytes, reserved bits) to re-encode byte for byte.
 *
 * Byte arrays in the Reprs (HMACs, addresses, raw data) are views into the
 * decoded bytes, not copies.
 */
import { put16, put32, u16, u32, u64 } from './bytes.js';
import type { Codec } from './codec.js';
import type {
  Finding, MptcpAddAddr, MptcpCapable, MptcpDss, MptcpJoin, MptcpOption, MptcpUnknown,
} from './types.js';
import { MptcpSubtype } from './types.js';

/** TCP option kind of every MPTCP option. */
export const MPTCP_OPTION_KIND = 30;

/*
 * The subtypes as constants of this module: a case label that reads a
 * property and is first reached by a later kind of packet (the first DSS
 * after the handshakes) throws away the compiled code of every caller; a
 * module constant needs nothing from earlier runs.
 */
const {
  MP_CAPABLE, MP_JOIN, DSS, ADD_ADDR, REMOVE_ADDR, MP_PRIO, MP_FAIL, MP_FASTCLOSE, MP_TCPRST, MP_EXPERIMENTAL,
} = MptcpSubtype;

/** MP_CAPABLE flag bits (RFC 8684 section 3.1). */
export const MpCapableFlag = {
  /** Checksum required. */
  A: 0x80,
  /** Extensibility. */
  B: 0x40,
  /** v1: do not attempt to establish new subflows to this address and port. */
  C: 0x20,
  /** v0 HMAC-SHA1, v1 HMAC-SHA256. */
  H: 0x01,
} as const;

/** DSS flag bits. */
export const DssFlag = {
  /** DATA_FIN. */
  F: 0x10,
  /** Data sequence number is 8 octets. */
  m: 0x08,
  /** Mapping present: DSN, SSN, data-level length (and checksum if negotiated). */
  M: 0x04,
  /** Data ACK is 8 octets. */
  a: 0x02,
  /** Data ACK present. */
  A: 0x01,
} as const;

/** MP_TCPRST flag bits (low nibble of the subtype byte). */
export const TcpRstFlag = { U: 0x8, V: 0x4, W: 0x2, T: 0x1 } as const;

const SUBTYPE_NAMES: readonly string[] = [
  'MP_CAPABLE', 'MP_JOIN', 'DSS', 'ADD_ADDR', 'REMOVE_ADDR', 'MP_PRIO', 'MP_FAIL', 'MP_FASTCLOSE', 'MP_TCPRST',
];

/** Symbolic name of a subtype ('MP_CAPABLE' ... 'MP_EXPERIMENTAL'), 'UNKNOWN' for unassigned values. */
export function mptcpSubtypeName(subtype: number): string {
  if (subtype === MptcpSubtype.MP_EXPERIMENTAL) return 'MP_EXPERIMENTAL';
  return SUBTYPE_NAMES[subtype] ?? 'UNKNOWN';
}

/** The subtype's meaning as the RFC 8684 IANA registry words it. */
const SUBTYPE_DESCRIPTIONS: readonly string[] = [
  'Multipath Capable', 'Join Connection', 'Data Sequence Signal', 'Add Address', 'Remove Address',
  'Change Subflow Priority', 'Fallback', 'Fast Close', 'Subflow Reset',
];

/** What a subtype means ('Multipath Capable', 'Data Sequence Signal'...), 'Unassigned' for unassigned values. */
export function mptcpSubtypeDescription(subtype: number): string {
  if (subtype === MptcpSubtype.MP_EXPERIMENTAL) return 'Reserved for Private Use';
  return SUBTYPE_DESCRIPTIONS[subtype] ?? 'Unassigned';
}

const TCPRST_REASONS: readonly string[] = [
  'Unspecified error', 'MPTCP-specific error', 'Lack of resources', 'Administratively prohibited',
  'Too much outstanding data', 'Unacceptable performance', 'Middlebox interference',
];

/** MP_TCPRST reason code name (RFC 8684 section 3.6), 'Unassigned' for other codes. */
export function tcprstReasonName(code: number): string {
  return TCPRST_REASONS[code] ?? 'Unassigned';
}

// ------------------------------------------------------------------ reading

function unknown(d: Uint8Array, o: number, length: number, subtype: number, reason: string | undefined): MptcpUnknown {
  return { name: 'UNKNOWN', subtype, length, data: d.subarray(o + 2, o + length), reason };
}

function badLength(d: Uint8Array, o: number, length: number, subtype: number, expected: string): MptcpUnknown {
  return unknown(d, o, length, subtype, `${mptcpSubtypeName(subtype)} length ${length} is invalid (expected ${expected})`);
}

// ------------------------------------------------------- length rules

/** MP_CAPABLE lengths: v0 defines 12 and 20 only; v1 (and, by its layout, later versions) adds 4, 22 and 24. */
function capableLengthOk(version: number, length: number): boolean {
  return version === 0
    ? length === 12 || length === 20
    : length === 4 || length === 12 || length === 20 || length === 22 || length === 24;
}

/** Length of a DSS option by its four low flag bits (A, a, M, m), without a checksum. */
const DSS_BASE_LENGTH = Uint8Array.from({ length: 16 }, (_, f) =>
  4 + (f & DssFlag.A ? (f & DssFlag.a ? 8 : 4) : 0) + (f & DssFlag.M ? (f & DssFlag.m ? 8 : 4) + 6 : 0));
const DSS_M = DssFlag.M;

/** Length of a DSS option with `flags`, without a checksum. */
function dssBaseLength(flags: number): number {
  return DSS_BASE_LENGTH[flags & 0x0f]!;
}

/**
 * A DSS length fits its flags: exactly, or with the 2-byte checksum after a
 * mapping. Every test runs whatever the answer (see mptcpOptionMalformed).
 */
function dssLengthOk(flags: number, length: number): boolean {
  const base = dssBaseLength(flags);
  const exact = length === base;
  const withChecksum = length === base + 2;
  const mapping = (flags & DSS_M) !== 0;
  return exact || (withChecksum && mapping);
}

/** v1 ADD_ADDR layouts by length: address size, port present, HMAC present. */
const ADD_ADDR_V1: Readonly<Record<number, readonly [4 | 16, boolean, boolean]>> = {
  8: [4, false, false], 10: [4, true, false], 16: [4, false, true], 18: [4, true, true],
  20: [16, false, false], 22: [16, true, false], 28: [16, false, true], 30: [16, true, true],
};

/**
 * RFC 6824 puts the IP version (4 or 6) in the low nibble of ADD_ADDR's
 * subtype byte; RFC 8684 puts reserved bits and E there, which a v1 sender
 * leaves at 0 or 1.
 */
export function isAddAddrV0(nibble: number): nibble is 4 | 6 {
  return nibble === 4 || nibble === 6;
}

function addAddrLengthOk(nibble: number, length: number): boolean {
  if (!isAddAddrV0(nibble)) return ADD_ADDR_V1[length] !== undefined;
  const size = nibble === 4 ? 4 : 16;
  return length === 4 + size || length === 6 + size;
}

/**
 * True when `decodeMptcpOption` would find the option inconsistent (an
 * UNKNOWN carrying a reason, which the TCP layer reports): its length fits
 * no form of its subtype. Reads the bytes in place and allocates nothing,
 * so a caller can learn that an option is sound without building it.
 */
export function mptcpOptionMalformed(data: Uint8Array, offset: number, length: number): boolean {
  if (length < 3) return true;
  const b2 = data[offset + 2]!;
  // The DSS rule is worked out for every option and DSS is the first case: the first DSS after a
  // capture's handshakes (MP_CAPABLE and MP_JOIN alone) ran code the compiled decoder had never
  // seen run, and that code was thrown away.
  const dssMalformed = length < 4 || !dssLengthOk(length > 3 ? data[offset + 3]! : 0, length);
  switch (b2 >> 4) {
    case DSS: return dssMalformed;
    case MP_CAPABLE: return !capableLengthOk(b2 & 0x0f, length);
    case MP_JOIN: return length !== 12 && length !== 16 && length !== 24;
    case ADD_ADDR: return !addAddrLengthOk(b2 & 0x0f, length);
    case REMOVE_ADDR: return length < 4;
    case MP_PRIO: return length !== 3 && length !== 4;
    case MP_FAIL:
    case MP_FASTCLOSE: return length !== 12;
    case MP_TCPRST: return length !== 4;
    default: return false;
  }
}

/**
 * True when the option is too short for a field every form of its subtype
 * has: no room for a subtype; a DSS shorter than its flags say; MP_CAPABLE,
 * ADD_ADDR or MP_TCPRST without byte 3 (flags, address id, reason); MP_FAIL
 * or MP_FASTCLOSE without its 64-bit DSN or key. A dissector reads past the
 * option's end there, as tshark does before giving up on the segment
 * ("[Malformed Packet]"); other length mismatches leave it reading inside
 * the option.
 */
export function mptcpOptionOverrun(data: Uint8Array, offset: number, length: number): boolean {
  if (length < 3) return true;
  switch (data[offset + 2]! >> 4) {
    case DSS: return length < 4 || length < dssBaseLength(data[offset + 3]!);
    case MP_CAPABLE:
    case ADD_ADDR:
    case MP_TCPRST: return length < 4;
    case MP_FAIL:
    case MP_FASTCLOSE: return length < 12;
    default: return false;
  }
}

// ----------------------------------------------------------------- decoding

/**
 * Decodes the MPTCP option whose kind byte is at `offset` and whose length
 * byte says `length`. The caller guarantees `offset + length <= data.length`
 * and `length >= 2`. Never throws.
 */
export function decodeMptcpOption(data: Uint8Array, offset: number, length: number): MptcpOption {
  if (length < 3) return unknown(data, offset, length, -1, `MPTCP option length ${length} leaves no room for a subtype`);
  const b2 = data[offset + 2]!;
  const subtype = b2 >> 4;
  switch (subtype) {
    case MP_CAPABLE: return decodeCapable(data, offset, length, b2);
    case MP_JOIN: return decodeJoin(data, offset, length, b2);
    case DSS: return decodeDss(data, offset, length, b2);
    case ADD_ADDR: return decodeAddAddr(data, offset, length, b2);
    case REMOVE_ADDR:
      if (length < 4) return badLength(data, offset, length, subtype, 'at least 4');
      return {
        name: 'REMOVE_ADDR', subtype, length,
        addrIds: Array.from(data.subarray(offset + 3, offset + length)), reserved: b2 & 0x0f,
      };
    case MP_PRIO:
      if (length !== 3 && length !== 4) return badLength(data, offset, length, subtype, '3, or 4 with an address id');
      return {
        name: 'MP_PRIO', subtype, length, backup: (b2 & 0x01) !== 0,
        addrId: length === 4 ? data[offset + 3]! : undefined, reserved: b2 & 0x0e,
      };
    case MP_FAIL:
      if (length !== 12) return badLength(data, offset, length, subtype, '12');
      return { name: 'MP_FAIL', subtype, length, dsn: u64(data, offset + 4), reserved: mptcpReserved12(data, offset) };
    case MP_FASTCLOSE:
      if (length !== 12) return badLength(data, offset, length, subtype, '12');
      return {
        name: 'MP_FASTCLOSE', subtype, length, receiverKey: u64(data, offset + 4), reserved: mptcpReserved12(data, offset),
      };
    case MP_TCPRST:
      if (length !== 4) return badLength(data, offset, length, subtype, '4');
      return { name: 'MP_TCPRST', subtype, length, flags: b2 & 0x0f, reason: data[offset + 3]! };
    case MP_EXPERIMENTAL:
      return { name: 'MP_EXPERIMENTAL', subtype, length, data: data.subarray(offset + 2, offset + length) };
    default:
      return unknown(data, offset, length, subtype, undefined);
  }
}

/** The 12 bits after the subtype nibble of the option at `o` (MP_FAIL's and MP_FASTCLOSE's reserved bits). */
export function mptcpReserved12(d: Uint8Array, o: number): number {
  return ((d[o + 2]! & 0x0f) << 8) | d[o + 3]!;
}

function decodeCapable(d: Uint8Array, o: number, length: number, b2: number): MptcpOption {
  const version = b2 & 0x0f;
  if (!capableLengthOk(version, length)) return badLength(d, o, length, 0, version === 0 ? '12 or 20 for version 0' : '4, 12, 20, 22 or 24');
  const r: MptcpCapable = {
    name: 'MP_CAPABLE', subtype: 0, length, version, flags: d[o + 3]!,
    senderKey: length >= 12 ? u64(d, o + 4) : undefined,
    receiverKey: length >= 20 ? u64(d, o + 12) : undefined,
    dataLength: length >= 22 ? u16(d, o + 20) : undefined,
    checksum: length === 24 ? u16(d, o + 22) : undefined,
  };
  return r;
}

function decodeJoin(d: Uint8Array, o: number, length: number, b2: number): MptcpOption {
  let r: MptcpJoin;
  switch (length) {
    case 12:
      r = {
        name: 'MP_JOIN', subtype: 1, length, phase: 'syn', backup: (b2 & 0x01) !== 0, addrId: d[o + 3]!,
        token: u32(d, o + 4), nonce: u32(d, o + 8), truncatedHmac: undefined, hmac: undefined, reserved: b2 & 0x0e,
      };
      return r;
    case 16:
      r = {
        name: 'MP_JOIN', subtype: 1, length, phase: 'synack', backup: (b2 & 0x01) !== 0, addrId: d[o + 3]!,
        token: undefined, nonce: u32(d, o + 12), truncatedHmac: u64(d, o + 4), hmac: undefined, reserved: b2 & 0x0e,
      };
      return r;
    case 24:
      r = {
        name: 'MP_JOIN', subtype: 1, length, phase: 'ack', backup: false, addrId: 0,
        token: undefined, nonce: undefined, truncatedHmac: undefined, hmac: d.subarray(o + 4, o + 24),
        reserved: mptcpReserved12(d, o),
      };
      return r;
    default:
      return badLength(d, o, length, 1, '12, 16 or 24');
  }
}

function decodeDss(d: Uint8Array, o: number, length: number, b2: number): MptcpOption {
  if (length < 4) return badLength(d, o, length, 2, 'at least 4');
  const flags = d[o + 3]!;
  const base = dssBaseLength(flags);
  const hasMap = (flags & DssFlag.M) !== 0;
  const hasChecksum = hasMap && length === base + 2;
  if (!dssLengthOk(flags, length)) {
    return unknown(d, o, length, 2, `DSS length ${length} does not match its flags 0x${flags.toString(16).padStart(2, '0')} (expected ${base}${hasMap ? ` or ${base + 2} with checksum` : ''})`);
  }
  let p = o + 4;
  let dataAck: bigint | undefined;
  let dataAckWidth: 4 | 8 | undefined;
  if (flags & DssFlag.A) {
    if (flags & DssFlag.a) { dataAck = u64(d, p); dataAckWidth = 8; p += 8; }
    else { dataAck = BigInt(u32(d, p)); dataAckWidth = 4; p += 4; }
  }
  let dsn: bigint | undefined;
  let dsnWidth: 4 | 8 | undefined;
  let ssn: number | undefined;
  let dataLength: number | undefined;
  if (hasMap) {
    if (flags & DssFlag.m) { dsn = u64(d, p); dsnWidth = 8; p += 8; }
    else { dsn = BigInt(u32(d, p)); dsnWidth = 4; p += 4; }
    ssn = u32(d, p);
    dataLength = u16(d, p + 4);
  }
  const r: MptcpDss = {
    name: 'DSS', subtype: 2, length, flags, dataFin: (flags & DssFlag.F) !== 0,
    dataAck, dataAckWidth, dsn, dsnWidth, ssn, dataLength,
    checksum: hasChecksum ? u16(d, p + 6) : undefined,
    infiniteMapping: dataLength === 0,
    reserved: b2 & 0x0f,
  };
  return r;
}

function decodeAddAddr(d: Uint8Array, o: number, length: number, b2: number): MptcpOption {
  const nibble = b2 & 0x0f;
  if (isAddAddrV0(nibble)) {
    const size = nibble === 4 ? 4 : 16;
    if (!addAddrLengthOk(nibble, length)) {
      return badLength(d, o, length, 3, `${4 + size} or ${6 + size} for a version 0 IPv${nibble} address`);
    }
    const r: MptcpAddAddr = {
      name: 'ADD_ADDR', subtype: 3, length, form: 0, echo: false, ipVersion: nibble, addrId: d[o + 3]!,
      address: d.subarray(o + 4, o + 4 + size),
      port: length === 6 + size ? u16(d, o + 4 + size) : undefined,
      truncatedHmac: undefined, reserved: undefined,
    };
    return r;
  }
  const layout = ADD_ADDR_V1[length];
  if (layout === undefined) return badLength(d, o, length, 3, '8, 10, 16, 18 (IPv4) or 20, 22, 28, 30 (IPv6)');
  const [size, hasPort, hasHmac] = layout;
  const end = o + 4 + size;
  const r: MptcpAddAddr = {
    name: 'ADD_ADDR', subtype: 3, length, form: 1, echo: (nibble & 0x01) !== 0, ipVersion: size === 4 ? 4 : 6,
    addrId: d[o + 3]!, address: d.subarray(o + 4, end),
    port: hasPort ? u16(d, end) : undefined,
    truncatedHmac: hasHmac ? u64(d, hasPort ? end + 2 : end) : undefined,
    reserved: nibble & 0x0e,
  };
  return r;
}

// ----------------------------------------------------------------- encoding

/**
 * Bytes the encoder writes for `opt`, kind and length included: what its
 * fields need (for UNKNOWN and MP_EXPERIMENTAL, 2 + data). For a decoded
 * option this equals `opt.length`.
 */
export function mptcpOptionLength(opt: MptcpOption): number {
  switch (opt.name) {
    case 'MP_CAPABLE':
      return 4 + (opt.senderKey !== undefined ? 8 : 0) + (opt.receiverKey !== undefined ? 8 : 0)
        + (opt.dataLength !== undefined ? 2 : 0) + (opt.checksum !== undefined ? 2 : 0);
    case 'MP_JOIN':
      return opt.phase === 'syn' ? 12 : opt.phase === 'synack' ? 16 : 24;
    case 'DSS':
      return 4 + (opt.dataAck !== undefined ? dssAckWidth(opt) : 0)
        + (opt.dsn !== undefined ? dssDsnWidth(opt) + 6 + (opt.checksum !== undefined ? 2 : 0) : 0);
    case 'ADD_ADDR':
      return 4 + opt.address.length + (opt.port !== undefined ? 2 : 0) + (opt.truncatedHmac !== undefined ? 8 : 0);
    case 'REMOVE_ADDR':
      return 3 + opt.addrIds.length;
    case 'MP_PRIO':
      return opt.addrId !== undefined ? 4 : 3;
    case 'MP_FAIL':
    case 'MP_FASTCLOSE':
      return 12;
    case 'MP_TCPRST':
      return 4;
    case 'MP_EXPERIMENTAL':
    case 'UNKNOWN':
      return 2 + opt.data.length;
  }
}

function dssAckWidth(opt: MptcpDss): number {
  return opt.dataAckWidth ?? (opt.flags & DssFlag.a ? 8 : 4);
}

function dssDsnWidth(opt: MptcpDss): number {
  return opt.dsnWidth ?? (opt.flags & DssFlag.m ? 8 : 4);
}

function put64(b: Uint8Array, o: number, v: bigint): void {
  const x = BigInt.asUintN(64, v);
  put32(b, o, Number(x >> 32n));
  put32(b, o + 4, Number(x & 0xffffffffn));
}

/** Writes a DSN or data ACK of `width` bytes (a 4-byte one takes the low 32 bits). */
function putSeq(b: Uint8Array, o: number, v: bigint, width: number): number {
  if (width === 8) put64(b, o, v);
  else put32(b, o, Number(BigInt.asUintN(32, v)));
  return o + width;
}

/**
 * Encodes `opt` into `buf` at `offset` (a new buffer of exactly
 * `mptcpOptionLength(opt)` bytes when omitted) and returns the buffer. The
 * length byte is `opt.length` and flag bytes are written as given, so
 * deliberately inconsistent options can be built; the fields present in the
 * Repr decide which bytes follow.
 */
export function encodeMptcpOption(opt: MptcpOption, buf?: Uint8Array, offset = 0): Uint8Array {
  const n = mptcpOptionLength(opt);
  const b = buf ?? new Uint8Array(n);
  const o = buf ? offset : 0;
  b[o] = MPTCP_OPTION_KIND;
  b[o + 1] = opt.length;
  const st = (opt.subtype & 0x0f) << 4;
  switch (opt.name) {
    case 'MP_CAPABLE': {
      b[o + 2] = st | (opt.version & 0x0f);
      b[o + 3] = opt.flags;
      let p = o + 4;
      if (opt.senderKey !== undefined) { put64(b, p, opt.senderKey); p += 8; }
      if (opt.receiverKey !== undefined) { put64(b, p, opt.receiverKey); p += 8; }
      if (opt.dataLength !== undefined) { put16(b, p, opt.dataLength); p += 2; }
      if (opt.checksum !== undefined) put16(b, p, opt.checksum);
      break;
    }
    case 'MP_JOIN': {
      if (opt.phase === 'ack') {
        put16(b, o + 2, st << 8 | ((opt.reserved ?? 0) & 0x0fff));
        b.fill(0, o + 4, o + 24);
        if (opt.hmac) b.set(opt.hmac.subarray(0, 20), o + 4);
        break;
      }
      b[o + 2] = st | ((opt.reserved ?? 0) & 0x0e) | (opt.backup ? 1 : 0);
      b[o + 3] = opt.addrId;
      if (opt.phase === 'syn') {
        put32(b, o + 4, opt.token ?? 0);
        put32(b, o + 8, opt.nonce ?? 0);
      } else {
        put64(b, o + 4, opt.truncatedHmac ?? 0n);
        put32(b, o + 12, opt.nonce ?? 0);
      }
      break;
    }
    case 'DSS': {
      b[o + 2] = st | ((opt.reserved ?? 0) & 0x0f);
      b[o + 3] = opt.flags;
      let p = o + 4;
      if (opt.dataAck !== undefined) p = putSeq(b, p, opt.dataAck, dssAckWidth(opt));
      if (opt.dsn !== undefined) {
        p = putSeq(b, p, opt.dsn, dssDsnWidth(opt));
        put32(b, p, opt.ssn ?? 0);
        put16(b, p + 4, opt.dataLength ?? 0);
        if (opt.checksum !== undefined) put16(b, p + 6, opt.checksum);
      }
      break;
    }
    case 'ADD_ADDR': {
      const nibble = opt.form === 0 ? opt.ipVersion : ((opt.reserved ?? 0) & 0x0e) | (opt.echo ? 1 : 0);
      b[o + 2] = st | nibble;
      b[o + 3] = opt.addrId;
      b.set(opt.address, o + 4);
      let p = o + 4 + opt.address.length;
      if (opt.port !== undefined) { put16(b, p, opt.port); p += 2; }
      if (opt.truncatedHmac !== undefined) put64(b, p, opt.truncatedHmac);
      break;
    }
    case 'REMOVE_ADDR':
      b[o + 2] = st | ((opt.reserved ?? 0) & 0x0f);
      for (let i = 0; i < opt.addrIds.length; i++) b[o + 3 + i] = opt.addrIds[i]!;
      break;
    case 'MP_PRIO':
      b[o + 2] = st | ((opt.reserved ?? 0) & 0x0e) | (opt.backup ? 1 : 0);
      if (opt.addrId !== undefined) b[o + 3] = opt.addrId;
      break;
    case 'MP_FAIL':
    case 'MP_FASTCLOSE':
      put16(b, o + 2, st << 8 | ((opt.reserved ?? 0) & 0x0fff));
      put64(b, o + 4, opt.name === 'MP_FAIL' ? opt.dsn : opt.receiverKey);
      break;
    case 'MP_TCPRST':
      b[o + 2] = st | (opt.flags & 0x0f);
      b[o + 3] = opt.reason;
      break;
    case 'MP_EXPERIMENTAL':
    case 'UNKNOWN':
      b.set(opt.data, o + 2);
      break;
  }
  return b;
}

/**
 * The codec trio over a whole MPTCP option (kind byte at `offset`), for the
 * generic round-trip checks and for callers outside the TCP options walk.
 */
export const mptcpOptionCodec: Codec<MptcpOption> = {
  decode(data: Uint8Array, offset: number, end: number, findings: Finding[]): MptcpOption | undefined {
    if (end - offset < 2) {
      findings.push({ severity: 'error', code: 'truncated', message: 'MPTCP option cut short before its length byte', layer: 'mptcp', offset });
      return undefined;
    }
    const length = data[offset + 1]!;
    if (length < 2 || offset + length > end) {
      findings.push({
        severity: 'error', code: length < 2 ? 'malformed' : 'truncated',
        message: `MPTCP option length ${length} ${length < 2 ? 'is too small' : 'runs past the end of the data'}`,
        layer: 'mptcp', offset,
      });
      return undefined;
    }
    const opt = decodeMptcpOption(data, offset, length);
    if (opt.name === 'UNKNOWN' && opt.reason !== undefined) {
      findings.push({ severity: 'error', code: 'malformed', message: opt.reason, layer: 'mptcp', offset });
    }
    return opt;
  },
  encodingLength: mptcpOptionLength,
  encode: encodeMptcpOption,
};
