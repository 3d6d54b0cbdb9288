/**
 * The project's own view of a lab capture: its reader and decoder, and its
 * MPTCP cryptography checked against what a real kernel sent. Loaded only
 * when those modules are present, so the lab tests run before they exist.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MptcpOption, Packet } from '../../src/wire/types.js';
import { ROOT } from '../helpers/shared.js';
import { LAB_PORT } from './inspect.js';
import type { FrameRecord } from './inspect.js';

const has = (module: string): boolean => existsSync(join(ROOT, 'src', module, 'index.ts'));

/** Value for node:test's `skip`: false when the reader and decoder exist. */
export const SKIP_NO_DECODER: string | false = has('capture') && has('wire')
  ? false : 'src/capture or src/wire is not written yet';
export const SKIP_NO_CRYPTO: string | false = SKIP_NO_DECODER || (has('mptcp')
  ? false : 'src/mptcp (MPTCP cryptography) is not written yet');

/** Every frame of `file`, decoded by the project (frame bytes copied, so packets outlive the reader). */
export async function decodeFile(file: string): Promise<Packet[]> {
  const { readCaptureBytes } = await import('../../src/capture/index.js');
  const { decodePacket } = await import('../../src/wire/index.js');
  const packets: Packet[] = [];
  readCaptureBytes(new Uint8Array(readFileSync(file)), (f) => {
    packets.push(decodePacket({ ...f, data: f.data.slice() }));
  });
  return packets;
}

export function mptcpOptions(p: Packet): MptcpOption[] {
  const out: MptcpOption[] = [];
  for (const o of p.tcp?.options ?? []) if (o.type === 'mptcp') out.push(o.mptcp);
  return out;
}

/** Tally of one kind of check: values that matched and values that did not. */
export interface Tally { ok: number; bad: number }

export interface CryptoReport {
  keysFound: boolean;
  /** MP_JOIN SYN token = token of the server's key. */
  tokens: Tally;
  /** MP_JOIN SYN/ACK truncated HMAC and third-ACK HMAC. */
  joinSynAckHmacs: Tally;
  joinAckHmacs: Tally;
  /** ADD_ADDR truncated HMAC (non-echo). */
  addAddrHmacs: Tally;
  /** First mapping of each direction starts at IDSN + 1. */
  idsns: Tally;
  /** DSS checksums of mappings whose every byte is in the capture. */
  dssChecksums: Tally;
}

const SYN = 0x002;

function tally(t: Tally, ok: boolean): void {
  if (ok) t.ok++;
  else t.bad++;
}

function eqBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Subflows of a lab capture are told apart by the client's port: the server always uses LAB_PORT. */
function clientPort(p: Packet): number {
  const t = p.tcp!;
  return t.srcPort === LAB_PORT ? t.dstPort : t.srcPort;
}

interface Mapping { data: Uint8Array; seen: Uint8Array; covered: number; dsn: bigint; ssn: number; checksum: number; done: boolean }

/**
 * Checks the cryptography of the one MPTCP v1 connection of a lab capture
 * with the project's src/mptcp: tokens and HMACs of every MP_JOIN, ADD_ADDR
 * HMACs, IDSNs and DSS checksums. The keys come from the MP_CAPABLE third ACK.
 */
export async function verifyCrypto(packets: Packet[]): Promise<CryptoReport> {
  const c = await import('../../src/mptcp/index.js');
  const r: CryptoReport = {
    keysFound: false,
    tokens: { ok: 0, bad: 0 }, joinSynAckHmacs: { ok: 0, bad: 0 }, joinAckHmacs: { ok: 0, bad: 0 },
    addAddrHmacs: { ok: 0, bad: 0 }, idsns: { ok: 0, bad: 0 }, dssChecksums: { ok: 0, bad: 0 },
  };
  let keyClient: bigint | undefined;
  let keyServer: bigint | undefined;
  for (const p of packets) {
    for (const o of mptcpOptions(p)) {
      if (o.name === 'MP_CAPABLE' && o.senderKey !== undefined && o.receiverKey !== undefined) {
        keyClient = o.senderKey;
        keyServer = o.receiverKey;
      }
    }
  }
  if (keyClient === undefined || keyServer === undefined) return r;
  r.keysFound = true;
  const keyA = keyClient;
  const keyB = keyServer;

  const nonces = new Map<number, { a?: number | undefined; b?: number | undefined }>();
  const isn = new Map<string, number>();
  const firstDsn = new Map<string, bigint>();
  const mappings = new Map<string, Mapping>();
  for (const p of packets) {
    const t = p.tcp;
    if (!t) continue;
    const port = clientPort(p);
    const fromServer = t.srcPort === LAB_PORT;
    const dir = `${port}/${fromServer ? 's' : 'c'}`;
    if (t.flags & SYN) isn.set(dir, t.seq);
    for (const o of mptcpOptions(p)) {
      if (o.name === 'MP_JOIN') {
        const n = nonces.get(port) ?? {};
        nonces.set(port, n);
        if (o.phase === 'syn') {
          tally(r.tokens, o.token === c.keyToToken(keyB, 1));
          n.a = o.nonce;
        } else if (o.phase === 'synack' && n.a !== undefined && o.nonce !== undefined) {
          n.b = o.nonce;
          tally(r.joinSynAckHmacs, o.truncatedHmac === c.joinSynAckHmac(1, keyB, keyA, n.b, n.a));
        } else if (o.phase === 'ack' && n.a !== undefined && n.b !== undefined) {
          tally(r.joinAckHmacs, eqBytes(o.hmac, c.joinAckHmac(1, keyA, keyB, n.a, n.b)));
        }
      } else if (o.name === 'ADD_ADDR' && !o.echo && o.truncatedHmac !== undefined) {
        const [sender, receiver] = fromServer ? [keyB, keyA] : [keyA, keyB];
        tally(r.addAddrHmacs, o.truncatedHmac === c.addAddrHmac(sender, receiver, o.addrId, o.address, o.port));
      } else if (o.name === 'DSS' && o.dsn !== undefined && o.dsnWidth === 8 && !o.infiniteMapping) {
        const side = fromServer ? 's' : 'c';
        if (!firstDsn.has(side)) {
          firstDsn.set(side, o.dsn);
          const idsn = c.keyToIdsn(fromServer ? keyB : keyA, 1);
          tally(r.idsns, o.dsn === BigInt.asUintN(64, idsn + 1n));
        }
        if (o.checksum !== undefined && o.ssn !== undefined && o.dataLength) {
          collectMapping(mappings, dir, o.dsn, o.ssn, o.dataLength, o.checksum, p, isn.get(dir));
        }
      }
    }
  }
  for (const m of mappings.values()) {
    if (!m.done) continue;
    tally(r.dssChecksums, c.verifyDssChecksum(m.dsn, m.ssn, m.data.length, m.checksum, m.data) === 'good');
  }
  return r;
}

/** Gathers the payload of a checksummed mapping from the segments that carry it. */
function collectMapping(
  mappings: Map<string, Mapping>, dir: string, dsn: bigint, ssn: number, length: number, checksum: number,
  p: Packet, subflowIsn: number | undefined,
): void {
  const t = p.tcp!;
  if (subflowIsn === undefined || t.payloadCaptured === 0) return;
  const key = `${dir}/${dsn}/${ssn}/${length}`;
  let m = mappings.get(key);
  if (!m) {
    m = { data: new Uint8Array(length), seen: new Uint8Array(length), covered: 0, dsn, ssn, checksum, done: false };
    mappings.set(key, m);
  }
  // The option's subflow sequence number is relative to the subflow's ISN.
  const rel = (t.seq - subflowIsn) >>> 0;
  const at = rel - ssn;
  const payload = p.data.subarray(t.payloadOffset, t.payloadOffset + t.payloadCaptured);
  for (let i = 0; i < payload.length; i++) {
    const j = at + i;
    if (j < 0 || j >= length || m.seen[j]) continue;
    m.seen[j] = 1;
    m.data[j] = payload[i]!;
    m.covered++;
  }
  m.done = m.covered === length;
}

/** The project decodes `file` frame for frame as tshark does: same count, same MPTCP subtypes, no findings. */
export async function assertDecodesLikeTshark(file: string, expected: FrameRecord[]): Promise<void> {
  const packets = await decodeFile(file);
  assert.equal(packets.length, expected.length, 'frame count');
  packets.forEach((p, i) => {
    assert.deepEqual(p.findings, [], `frame ${p.number}: no findings on a clean kernel capture`);
    assert.deepEqual(mptcpOptions(p).map((o) => o.subtype), expected[i]!.subtypes, `frame ${p.number}: MPTCP subtypes`);
  });
}

/** Every cryptographic value of the capture's MPTCP connection verifies, and there were some to verify. */
export async function assertCryptoVerifies(file: string, fallback: boolean): Promise<CryptoReport> {
  const r = await verifyCrypto(await decodeFile(file));
  if (fallback) {
    assert.equal(r.keysFound, false, 'no MPTCP keys after a fallback');
    return r;
  }
  assert.ok(r.keysFound, 'MP_CAPABLE keys');
  const { keysFound: _, ...tallies } = r;
  for (const [what, t] of Object.entries(tallies)) assert.equal(t.bad, 0, `${what}: ${t.bad} of ${t.ok + t.bad} wrong`);
  assert.equal(r.idsns.ok, 2, 'both directions start at IDSN + 1');
  assert.ok(r.tokens.ok >= 1, 'MP_JOIN tokens checked');
  assert.equal(r.joinSynAckHmacs.ok, r.tokens.ok, 'every MP_JOIN SYN/ACK HMAC checked');
  assert.equal(r.joinAckHmacs.ok, r.tokens.ok, 'every MP_JOIN ACK HMAC checked');
  assert.ok(r.addAddrHmacs.ok >= 1, 'the ADD_ADDR HMAC checked');
  return r;
}
