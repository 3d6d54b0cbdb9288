/**
 * When an ACK that repeats the previous one (same sequence, acknowledgement
 * and window, no data) is still not a TCP duplicate ACK because of its
 * MPTCP options. Two rules:
 *
 * - mpscope's (`aware`): the ACK carries MPTCP-level news: a data ACK other
 *   than the one its side sent last, or any MPTCP signal besides a plain DSS
 *   (ADD_ADDR, REMOVE_ADDR, MP_PRIO, MP_FAIL, MP_FASTCLOSE, MP_TCPRST,
 *   DATA_FIN, a handshake option).
 * - tshark's: a kind of MPTCP option the connection had never used before
 *   appeared since the side's previous segment. tshark keeps that set of
 *   kinds per MPTCP connection, created by the options themselves and shared
 *   between subflows through the tokens of the keys and MP_JOINs; this class
 *   rebuilds it the same way so the rule can be reproduced exactly.
 */
import { keyToToken } from '../../mptcp/crypto.js';
import type { Conversation, Flow, MptcpShared } from './conversation.js';
import { MpKind } from './options.js';
import type { OptionScan } from './options.js';

/** Bits of tshark's `mp_operations` (subtypes 0 to 7). */
const TSHARK_KINDS = 0xff;

export class MptcpDupAckRule {
  /** tshark's token table: token to shared connection state. */
  private readonly tokens = new Map<number, MptcpShared>();

  constructor(readonly aware: boolean) {}

  /** Bookkeeping for a segment with MPTCP options, before its analysis. */
  noteOptions(conv: Conversation, fwd: Flow, rev: Flow, s: OptionScan): void {
    conv.sawMptcp = true;
    if (this.aware) return;
    // Every subtype after MP_JOIN creates tshark's record when there is none.
    if (s.mpKinds & ~(MpKind.CAPABLE | MpKind.JOIN)) conv.mptcp ??= { ops: 0 };
    const cap = s.capable;
    if (cap?.name === 'MP_CAPABLE' && cap.senderKey !== undefined) {
      if (!fwd.mpKeyed) {
        fwd.mpKeyed = true;
        this.joinByToken(conv, fwd, tsharkToken(cap.senderKey, cap.version));
      }
      if (cap.receiverKey !== undefined && !rev.mpKeyed) {
        rev.mpKeyed = true;
        this.joinByToken(conv, rev, tsharkToken(cap.receiverKey, cap.version));
      }
    }
    const join = s.join;
    if (join !== undefined) {
      if (join.length !== 12) conv.mptcp ??= { ops: 0 };
      else if (join.name === 'MP_JOIN' && join.token !== undefined) this.joinByToken(conv, rev, join.token);
    }
  }

  /** Whether the repeated ACK of side `fwd` is forgiven for its MPTCP content. */
  forgives(conv: Conversation, fwd: Flow, s: OptionScan): boolean {
    if (!this.aware) return conv.mptcp !== undefined && conv.mptcp.ops !== fwd.mpOps;
    if (s.mpKinds & ~MpKind.DSS) return true;
    return s.hasDataAck && (!fwd.mpHasDataAck || s.dataAckHi !== fwd.mpDataAckHi || s.dataAckLo !== fwd.mpDataAckLo);
  }

  /** What a side remembers of its segment for the next one (after the analysis of this one). */
  remember(conv: Conversation, fwd: Flow, s: OptionScan): void {
    if (conv.mptcp !== undefined) fwd.mpOps = conv.mptcp.ops;
    if (s.hasDataAck) {
      fwd.mpHasDataAck = true;
      fwd.mpDataAckHi = s.dataAckHi;
      fwd.mpDataAckLo = s.dataAckLo;
    }
  }

  /** tshark adds the segment's option kinds to its connection record once the options are read. */
  afterOptions(conv: Conversation, s: OptionScan): void {
    if (conv.mptcp !== undefined) conv.mptcp.ops |= s.mpKinds & TSHARK_KINDS;
  }

  /** A side's token names its connection: a known token attaches this subflow, a new one is registered. */
  private joinByToken(conv: Conversation, side: Flow, token: number): void {
    if (side.mpToken && conv.mptcp !== undefined) return;
    const known = this.tokens.get(token);
    if (known !== undefined) conv.mptcp = known;
    else {
      conv.mptcp ??= { ops: 0 };
      this.tokens.set(token, conv.mptcp);
    }
    side.mpToken = true;
  }
}

/** The token tshark derives from an MP_CAPABLE key: SHA-1 for version 0, SHA-256 for 1, zero otherwise. */
function tsharkToken(key: bigint, version: number): number {
  return version === 0 || version === 1 ? keyToToken(key, version) : 0;
}
