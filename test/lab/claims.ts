/**
 * What each record.sh scenario claims to show (test/lab/README.md), as
 * assertions over a tshark summary of the capture. Shared by the test of a
 * fresh recording and the test of the committed fixtures, so a re-recorded
 * fixture that lost its point fails the same way.
 */
import assert from 'node:assert/strict';
import { pcapngLinkType, summarize } from './inspect.js';
import type { FrameRecord, LabSummary } from './inspect.js';

const SLL = 113;
const SLL2 = 276;
const ETHERNET = 1;

export interface ScenarioClaims {
  linkType: number;
  /** One line for messages and the MANIFEST. */
  shows: string;
  check(s: LabSummary): void;
}

function mptcpHandshake(s: LabSummary): void {
  assert.deepEqual(s.capable, { syn: 1, synAck: 1, ack: 1 }, 'one complete MP_CAPABLE handshake');
  assert.equal(s.fallbacks, 0, 'no fallback to TCP');
}

/** Every subflow that started an MP_JOIN finished it; returns how many did. */
function completeJoins(s: LabSummary): number {
  for (const j of s.joins) assert.ok(j.syn && j.synAck && j.ack, `MP_JOIN SYN, SYN/ACK and ACK on subflow ${j.stream}`);
  return s.joins.length;
}

function announced(s: LabSummary): void {
  assert.ok(s.addAddr >= 1, 'the server announces its second address (ADD_ADDR)');
  assert.ok(s.addAddrEcho >= 1, 'the client echoes the ADD_ADDR');
}

export const SCENARIOS: Readonly<Record<string, ScenarioClaims>> = {
  'mptcp-v4-2subflows': {
    linkType: SLL,
    shows: 'MP_CAPABLE, one MP_JOIN subflow by the second client interface, ADD_ADDR + echo, data on both subflows',
    check(s) {
      assert.deepEqual(s.ipVersions, [4]);
      mptcpHandshake(s);
      assert.equal(completeJoins(s), 1, 'exactly one MP_JOIN subflow');
      assert.equal(s.subflows, 2);
      assert.equal(s.dataSubflows, 2, 'both subflows carry data');
      announced(s);
    },
  },
  'mptcp-v4-csum': {
    linkType: ETHERNET,
    shows: 'MP_CAPABLE asking for checksums (A flag), DSS mappings with checksums',
    check(s) {
      mptcpHandshake(s);
      assert.ok(s.checksumRequested, 'the SYN asks for DSS checksums');
      assert.ok(s.dssWithChecksum >= 10, 'DSS options carry checksums');
      assert.ok(completeJoins(s) >= 1, 'an MP_JOIN subflow on the captured interface');
      announced(s);
    },
  },
  'mptcp-fallback': {
    linkType: SLL2,
    shows: 'MP_CAPABLE SYN answered by a plain TCP SYN/ACK: fallback to TCP',
    check(s) {
      assert.deepEqual(s.capable, { syn: 1, synAck: 0, ack: 0 }, 'MP_CAPABLE only in the SYN');
      assert.equal(s.fallbacks, 1);
      assert.equal(s.joins.length, 0);
      assert.equal(s.subflows, 1);
      assert.equal(s.dataSubflows, 1, 'the data still flows, as TCP');
    },
  },
  'mptcp-v6': {
    linkType: SLL2,
    shows: 'IPv6: MP_CAPABLE, two MP_JOIN subflows (second interface, announced address), ADD_ADDR of an IPv6 address',
    check(s) {
      assert.deepEqual(s.ipVersions, [6]);
      mptcpHandshake(s);
      assert.equal(completeJoins(s), 2, 'two MP_JOIN subflows');
      announced(s);
    },
  },
  'mptcp-loss': {
    linkType: SLL,
    shows: 'random loss on one path: TCP retransmissions and data reinjected on the other subflow',
    check(s) {
      mptcpHandshake(s);
      assert.equal(completeJoins(s), 1);
      assert.ok(s.retransmissions >= 1, 'TCP retransmissions');
      assert.ok(s.reinjections >= 1, 'data-level reinjections on the other subflow');
    },
  },
  'mptcp-backup-fastclose': {
    linkType: SLL2,
    shows: 'backup MP_JOIN, MP_PRIO, REMOVE_ADDR, MP_FASTCLOSE with MP_TCPRST in the RSTs',
    check(s) {
      mptcpHandshake(s);
      assert.equal(completeJoins(s), 2);
      assert.ok(s.joins.some((j) => j.backup), 'an MP_JOIN SYN with the backup flag');
      announced(s);
      assert.ok(s.mpPrio >= 1, 'MP_PRIO');
      assert.ok(s.removeAddr >= 1, 'REMOVE_ADDR');
      assert.ok(s.fastclose >= 1, 'MP_FASTCLOSE');
      assert.ok(s.tcpRst >= 1, 'MP_TCPRST');
    },
  },
};

/** `file` (with its tshark `frames`) has the link type and shows everything `scenario` claims. */
export function assertScenario(scenario: string, file: string, frames: FrameRecord[]): void {
  const claims = SCENARIOS[scenario];
  assert.ok(claims, `unknown scenario ${scenario}`);
  assert.equal(pcapngLinkType(file), claims.linkType, 'link type');
  const summary = summarize(frames);
  try {
    claims.check(summary);
  } catch (e) {
    // The whole summary says more than the one failed count.
    throw new Error(`${scenario}: ${(e as Error).message}\n${JSON.stringify(summary)}`, { cause: e });
  }
}
