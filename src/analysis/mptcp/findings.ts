/**
 * The MPTCP findings analysis can raise: code, severity and what it means.
 * A connection keeps one finding per code and message, with every frame that
 * shows it; the packets get the same finding in their annotation.
 */
import type { Severity } from '../../wire/types.js';
import type { MptcpFinding } from './types.js';

export const FINDING_CODES = {
  'mptcp.fallback': { severity: 'warning', about: 'the connection or a subflow fell back to plain TCP' },
  'mptcp.key_echo.bad': { severity: 'error', about: 'the third ACK echoes keys other than those of the SYN and SYN/ACK' },
  'mptcp.capable.version_mismatch': { severity: 'warning', about: 'the MP_CAPABLE versions of the handshake differ' },
  'mptcp.capable.no_algorithm': { severity: 'warning', about: 'MP_CAPABLE proposes no HMAC algorithm this version defines' },
  'mptcp.join.unknown_token': { severity: 'warning', about: 'an MP_JOIN SYN names a token of no captured connection' },
  'mptcp.join.hmac_bad': { severity: 'error', about: 'an MP_JOIN HMAC does not match the keys and nonces' },
  'mptcp.join.failed': { severity: 'warning', about: 'an MP_JOIN handshake did not complete' },
  'mptcp.add_addr.hmac_bad': { severity: 'error', about: 'an ADD_ADDR HMAC does not match the keys and address' },
  'mptcp.add_addr.hmac_leftmost': { severity: 'warning', about: 'an ADD_ADDR carries the leftmost 64 bits of its HMAC (Linux before May 2020), not the rightmost' },
  'mptcp.add_addr.echo_mismatch': { severity: 'warning', about: 'an ADD_ADDR echo differs from the address advertised with that id' },
  'mptcp.dss.checksum_bad': { severity: 'error', about: 'a DSS checksum does not match its mapping and payload' },
  'mptcp.dss.checksum_unchecked': { severity: 'note', about: 'a DSS checksum could not be checked: its payload was not all captured' },
  'mptcp.dss.no_mapping': { severity: 'note', about: 'data no captured DSS mapping covers' },
  'mptcp.fastclose.key_bad': { severity: 'error', about: "MP_FASTCLOSE carries a key other than the receiver's" },
  'mptcp.fastclose': { severity: 'note', about: 'the connection was closed abruptly with MP_FASTCLOSE' },
  'mptcp.mp_fail': { severity: 'warning', about: 'MP_FAIL: a checksum failure at the receiver' },
  'mptcp.tcprst': { severity: 'note', about: 'a subflow was reset with MP_TCPRST, giving a reason' },
} as const satisfies Record<string, { severity: Severity; about: string }>;

export type FindingCode = keyof typeof FINDING_CODES;

/** Keeps at most this many frames per finding, so a finding repeated on every packet stays small. */
const MAX_FRAMES = 1000;

/** Adds `frame` to the finding with this code and message, creating it first; returns it. */
export function recordFinding(list: MptcpFinding[], code: FindingCode, message: string, frame: number): MptcpFinding {
  for (const f of list) {
    if (f.code === code && f.message === message) {
      if (f.frames.length < MAX_FRAMES && f.frames[f.frames.length - 1] !== frame) f.frames.push(frame);
      return f;
    }
  }
  const f: MptcpFinding = { severity: FINDING_CODES[code].severity, code, frames: [frame], message };
  list.push(f);
  return f;
}
