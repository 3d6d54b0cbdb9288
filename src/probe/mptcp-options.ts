/**
 * MPTCP option builders for both versions (RFC 6824 "v0", RFC 8684 "v1").
 * Each returns the TCP option (kind 30) with its MPTCP Repr in `.mptcp`,
 * length and flags derived from the fields given. Values MPTCP derives from
 * keys (tokens, HMACs, DSS checksums) are computed by the crypto module when
 * the caller gives the keys instead of the value, or taken as given (right
 * or deliberately wrong).
 */
import {
  addAddrHmac, dssChecksum, joinAckHmac, joinSynAckHmac, keyToIdsn, keyToToken,
} from '../mptcp/index.js';
import type { MptcpVersion } from '../mptcp/index.js';
import { DssFlag, MpCapableFlag, mptcpOptionLength } from '../wire/mptcp.js';
import type {
  MptcpAddAddr, MptcpCapable, MptcpDss, MptcpExperimental, MptcpFail, MptcpFastclose, MptcpJoin, MptcpOption, MptcpPrio,
  MptcpRemoveAddr, MptcpTcpRst, TcpOptMptcp,
} from '../wire/types.js';
import { MptcpSubtype } from '../wire/types.js';
import { addressBytes } from './address.js';
import type { Address } from './address.js';
import { craftError } from './errors.js';
import { mptcp } from './options.js';

/** A flags byte as a number, or as its letters ('AH': checksum required, HMAC). */
export type FlagLetters = number | string;

function letterFlags(what: string, input: FlagLetters, letters: string): number {
  if (typeof input === 'number') return input;
  let v = 0;
  for (const c of input) {
    const i = letters.indexOf(c);
    if (i < 0) throw craftError(`unknown ${what} flag '${c}'`, `${what} flags are ${letters.split('').join(' ')}`);
    v |= 1 << (letters.length - 1 - i);
  }
  return v;
}

/** Builds the TCP option with the MPTCP Repr's length set to what its fields take. */
function built<T extends MptcpOption>(fields: Omit<T, 'length'>): TcpOptMptcp {
  const o = { ...fields, length: 0 } as T;
  o.length = mptcpOptionLength(o);
  return mptcp(o);
}

/** A 64-bit value from a bigint or a (safe) number. */
function u64(v: bigint | number): bigint {
  return BigInt.asUintN(64, BigInt(v));
}

// -------------------------------------------------------------- MP_CAPABLE

export interface MpCapableSpec {
  /** 0 (RFC 6824) or 1 (RFC 8684); default 1. */
  version?: number;
  /** Flags byte or letters A..H (A checksum required, B extensibility, C no more subflows to this address, H HMAC); default 'H'. */
  flags?: FlagLetters;
  /** v0 SYN and SYN/ACK, v1 SYN/ACK: the sender's key. Third ACK: the sender's key. */
  senderKey?: bigint | number;
  /** Third ACK: the receiver's key. */
  receiverKey?: bigint | number;
  /** v1 first data (lengths 22 and 24): data-level length. */
  dataLength?: number;
  /**
   * v1 first data: the DSS checksum, or 'compute' to compute it over
   * `payload` (the mapping is implicit: DSN = sender's IDSN + 1, subflow
   * sequence number 1).
   */
  checksum?: number | 'compute';
  /** The data the checksum covers. */
  payload?: Uint8Array;
}

/**
 * MP_CAPABLE. The form follows the fields: no key (v1 SYN, 4 bytes), one key
 * (12), both keys (20), plus data-level length (22) and checksum (24).
 */
export function mpCapable(spec: MpCapableSpec = {}): TcpOptMptcp {
  const version = spec.version ?? 1;
  const flags = letterFlags('MP_CAPABLE', spec.flags ?? MpCapableFlag.H, 'ABCDEFGH');
  let checksum: number | undefined;
  if (spec.checksum === 'compute') {
    if (spec.senderKey === undefined || spec.dataLength === undefined) {
      throw craftError("MP_CAPABLE checksum 'compute' needs the sender's key and the data-level length");
    }
    const dsn = keyToIdsn(u64(spec.senderKey), asVersion(version)) + 1n;
    checksum = dssChecksum(dsn, 1, spec.dataLength, spec.payload ?? new Uint8Array(0));
  } else {
    checksum = spec.checksum;
  }
  return built<MptcpCapable>({
    name: 'MP_CAPABLE', subtype: MptcpSubtype.MP_CAPABLE, version, flags,
    senderKey: spec.senderKey === undefined ? undefined : u64(spec.senderKey),
    receiverKey: spec.receiverKey === undefined ? undefined : u64(spec.receiverKey),
    dataLength: spec.dataLength,
    checksum,
  });
}

function asVersion(v: number): MptcpVersion {
  if (v !== 0 && v !== 1) throw craftError(`keys are hashed for MPTCP versions 0 and 1 only, not ${v}`);
  return v;
}

// ----------------------------------------------------------------- MP_JOIN

/** What an MP_JOIN HMAC is made of, seen from the option's sender. */
export interface JoinAuth {
  version: MptcpVersion;
  senderKey: bigint | number;
  receiverKey: bigint | number;
  senderNonce: number;
  receiverNonce: number;
}

export interface MpJoinSynSpec {
  addrId?: number;
  backup?: boolean;
  /** The sender's random number. */
  nonce: number;
  /** The receiver's token, or `receiverKey` and `version` to compute it. */
  token?: number;
  receiverKey?: bigint | number;
  version?: MptcpVersion;
  /** The reserved bits above B. */
  reserved?: number;
}

/** MP_JOIN on a SYN (12 bytes). */
export function mpJoinSyn(spec: MpJoinSynSpec): TcpOptMptcp {
  let token = spec.token;
  if (token === undefined) {
    if (spec.receiverKey === undefined) throw craftError('MP_JOIN SYN needs the token or the receiver\'s key');
    token = keyToToken(u64(spec.receiverKey), spec.version ?? 1);
  }
  return built<MptcpJoin>({
    name: 'MP_JOIN', subtype: MptcpSubtype.MP_JOIN, phase: 'syn', backup: spec.backup ?? false, addrId: spec.addrId ?? 0,
    token: token >>> 0, nonce: spec.nonce >>> 0, reserved: spec.reserved ?? 0,
  });
}

export interface MpJoinSynAckSpec {
  addrId?: number;
  backup?: boolean;
  /** The sender's random number; default `auth.senderNonce`. */
  nonce?: number;
  /** The truncated HMAC, or `auth` to compute it. */
  hmac?: bigint;
  auth?: JoinAuth;
  reserved?: number;
}

/** MP_JOIN on a SYN/ACK (16 bytes): leftmost 64 bits of the listener's HMAC. */
export function mpJoinSynAck(spec: MpJoinSynAckSpec): TcpOptMptcp {
  const { auth } = spec;
  const nonce = spec.nonce ?? auth?.senderNonce;
  if (nonce === undefined) throw craftError('MP_JOIN SYN/ACK needs its nonce (or auth)');
  let hmac = spec.hmac;
  if (hmac === undefined) {
    if (!auth) throw craftError('MP_JOIN SYN/ACK needs the HMAC or auth to compute it');
    hmac = joinSynAckHmac(auth.version, u64(auth.senderKey), u64(auth.receiverKey), auth.senderNonce, auth.receiverNonce);
  }
  return built<MptcpJoin>({
    name: 'MP_JOIN', subtype: MptcpSubtype.MP_JOIN, phase: 'synack', backup: spec.backup ?? false, addrId: spec.addrId ?? 0,
    truncatedHmac: hmac, nonce: nonce >>> 0, reserved: spec.reserved ?? 0,
  });
}

export interface MpJoinAckSpec {
  /** The 160-bit HMAC, or `auth` to compute it. */
  hmac?: Uint8Array;
  auth?: JoinAuth;
  /** The 12 reserved bits after the subtype. */
  reserved?: number;
}

/** MP_JOIN on the third ACK (24 bytes): the initiator's 160-bit HMAC. */
export function mpJoinAck(spec: MpJoinAckSpec): TcpOptMptcp {
  const { auth } = spec;
  let hmac = spec.hmac;
  if (hmac === undefined) {
    if (!auth) throw craftError('MP_JOIN third ACK needs the HMAC or auth to compute it');
    hmac = joinAckHmac(auth.version, u64(auth.senderKey), u64(auth.receiverKey), auth.senderNonce, auth.receiverNonce);
  }
  return built<MptcpJoin>({
    name: 'MP_JOIN', subtype: MptcpSubtype.MP_JOIN, phase: 'ack', backup: false, addrId: 0, hmac, reserved: spec.reserved ?? 0,
  });
}

// --------------------------------------------------------------------- DSS

export interface DssSpec {
  /** Data ACK (64-bit value; a 4-byte one carries its low 32 bits). */
  dataAck?: bigint | number;
  /** Default 8. */
  dataAckWidth?: 4 | 8;
  /** Mapping: the full 64-bit DSN (a 4-byte one carries its low 32 bits; the checksum always uses all 64). */
  dsn?: bigint | number;
  /** Default 8. */
  dsnWidth?: 4 | 8;
  /** Subflow sequence number relative to the subflow's ISN; default 1. */
  ssn?: number;
  /** Data-level length; default the payload's length (0 is an infinite mapping). */
  dataLength?: number;
  /** The mapping's DSS checksum, or 'compute' over `payload`. */
  checksum?: number | 'compute';
  payload?: Uint8Array;
  dataFin?: boolean;
  /** The flags byte as sent, instead of the one the fields imply (deliberately inconsistent options). */
  flags?: number;
  /** Reserved low nibble of the subtype byte. */
  reserved?: number;
}

/** A data sequence number as the option carries it: a 4-byte one keeps the low 32 bits. */
function onWire(v: bigint | number, width: 4 | 8): bigint {
  return width === 4 ? BigInt.asUintN(32, BigInt(v)) : u64(v);
}

/**
 * DSS: data ACK and/or mapping, flags from the fields present. The Repr
 * holds the numbers as sent: a 4-byte DSN or data ACK keeps its low 32 bits.
 */
export function dss(spec: DssSpec): TcpOptMptcp {
  const hasAck = spec.dataAck !== undefined;
  const hasMap = spec.dsn !== undefined;
  const ackWidth = spec.dataAckWidth ?? 8;
  const dsnWidth = spec.dsnWidth ?? 8;
  const dataLength = spec.dataLength ?? spec.payload?.length ?? 0;
  const ssn = (spec.ssn ?? 1) >>> 0;
  let checksum: number | undefined;
  if (spec.checksum === 'compute') {
    if (!hasMap) throw craftError("DSS checksum 'compute' needs a mapping (dsn)");
    checksum = dssChecksum(u64(spec.dsn!), ssn, dataLength, spec.payload ?? new Uint8Array(0));
  } else {
    checksum = spec.checksum;
  }
  if (checksum !== undefined && !hasMap) throw craftError('a DSS checksum goes with a mapping (dsn)');
  const flags = spec.flags ?? (
    (spec.dataFin ? DssFlag.F : 0)
    | (hasMap ? DssFlag.M | (dsnWidth === 8 ? DssFlag.m : 0) : 0)
    | (hasAck ? DssFlag.A | (ackWidth === 8 ? DssFlag.a : 0) : 0)
  );
  return built<MptcpDss>({
    name: 'DSS', subtype: MptcpSubtype.DSS, flags, dataFin: (flags & DssFlag.F) !== 0,
    dataAck: hasAck ? onWire(spec.dataAck!, ackWidth) : undefined, dataAckWidth: hasAck ? ackWidth : undefined,
    dsn: hasMap ? onWire(spec.dsn!, dsnWidth) : undefined, dsnWidth: hasMap ? dsnWidth : undefined,
    ssn: hasMap ? ssn : undefined, dataLength: hasMap ? dataLength : undefined, checksum,
    infiniteMapping: hasMap && dataLength === 0, reserved: spec.reserved ?? 0,
  });
}

// ---------------------------------------------------------------- ADD_ADDR

export interface AddAddrSpec {
  /** 0: RFC 6824 form (IP version nibble, no HMAC); 1 (default): RFC 8684 form. */
  version?: 0 | 1;
  addrId: number;
  address: Address;
  port?: number;
  /** v1: the echo (E) bit; an echo carries no HMAC. */
  echo?: boolean;
  /** v1: the truncated HMAC, or `auth` (sender's and receiver's keys) to compute it. */
  hmac?: bigint;
  auth?: { senderKey: bigint | number; receiverKey: bigint | number };
  /** v1: reserved bits above E. */
  reserved?: number;
}

/** ADD_ADDR, either form, IPv4 or IPv6, with or without port. */
export function addAddr(spec: AddAddrSpec): TcpOptMptcp {
  const address = addressBytes(spec.address);
  const ipVersion = address.length === 4 ? 4 : 6;
  const form = spec.version ?? 1;
  const echo = spec.echo ?? false;
  let hmac = spec.hmac;
  if (form === 1 && !echo && hmac === undefined) {
    if (!spec.auth) throw craftError('a v1 ADD_ADDR that is not an echo needs its HMAC, or auth to compute it');
    hmac = addAddrHmac(u64(spec.auth.senderKey), u64(spec.auth.receiverKey), spec.addrId, address, spec.port);
  }
  if (form === 0 && hmac !== undefined) throw craftError('a v0 ADD_ADDR carries no HMAC');
  return built<MptcpAddAddr>({
    name: 'ADD_ADDR', subtype: MptcpSubtype.ADD_ADDR, form, echo: form === 1 && echo, ipVersion, addrId: spec.addrId,
    address, port: spec.port, truncatedHmac: hmac, reserved: form === 1 ? spec.reserved ?? 0 : undefined,
  });
}

// ------------------------------------------------------------ the others

/** REMOVE_ADDR for one or more address ids. */
export function removeAddr(addrIds: readonly number[], reserved?: number): TcpOptMptcp {
  return built<MptcpRemoveAddr>({ name: 'REMOVE_ADDR', subtype: MptcpSubtype.REMOVE_ADDR, addrIds: [...addrIds], reserved: reserved ?? 0 });
}

/** MP_PRIO: the backup bit, and the address id when given (RFC 6824 allows it; RFC 8684's form is 3 bytes). */
export function mpPrio(backup: boolean, addrId?: number): TcpOptMptcp {
  return built<MptcpPrio>({ name: 'MP_PRIO', subtype: MptcpSubtype.MP_PRIO, backup, addrId, reserved: 0 });
}

/** MP_FAIL with the 64-bit DSN where the checksum failed. */
export function mpFail(dsn: bigint | number): TcpOptMptcp {
  return built<MptcpFail>({ name: 'MP_FAIL', subtype: MptcpSubtype.MP_FAIL, dsn: u64(dsn), reserved: 0 });
}

/** MP_FASTCLOSE carrying the receiver's key. */
export function mpFastclose(receiverKey: bigint | number): TcpOptMptcp {
  return built<MptcpFastclose>({ name: 'MP_FASTCLOSE', subtype: MptcpSubtype.MP_FASTCLOSE, receiverKey: u64(receiverKey), reserved: 0 });
}

/** MP_TCPRST (v1): reason code and flags U V W T (number or letters). */
export function mpTcpRst(reason: number, flags: FlagLetters = 0): TcpOptMptcp {
  return built<MptcpTcpRst>({ name: 'MP_TCPRST', subtype: MptcpSubtype.MP_TCPRST, reason, flags: letterFlags('MP_TCPRST', flags, 'UVWT') });
}

/** MP_EXPERIMENTAL (subtype 15): `nibble` is the low half of the subtype byte, `data` what follows it. */
export function mpExperimental(data: Uint8Array, nibble = 0): TcpOptMptcp {
  const bytes = new Uint8Array(1 + data.length);
  bytes[0] = (MptcpSubtype.MP_EXPERIMENTAL << 4) | (nibble & 0x0f);
  bytes.set(data, 1);
  return built<MptcpExperimental>({ name: 'MP_EXPERIMENTAL', subtype: MptcpSubtype.MP_EXPERIMENTAL, data: bytes });
}

/** Key-derived values of one connection side: token and IDSN. */
export function keyFacts(key: bigint | number, version: MptcpVersion): { key: bigint; token: number; idsn: bigint } {
  const k = u64(key);
  return { key: k, token: keyToToken(k, version), idsn: keyToIdsn(k, version) };
}
