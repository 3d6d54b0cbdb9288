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
import * as layout from './conversation.js';
import type { ConversationStore, MptcpShared } from './conversation.js';
import * as options from './options.js';
import type { OptionScan } from './options.js';

// Constants of this module, which the optimizing compiler builds into the code (see tracker.ts).
const { MP_DATA_ACK_HI, MP_DATA_ACK_LO, MP_HAS_DATA_ACK, MP_KEYED, MP_OPS, MP_TOKEN, SAW_MPTCP } = layout;
const { MpKind } = options;

/** Bits of tshark's `mp_operations` (subtypes 0 to 7). */
const TSHARK_KINDS = 0xff;

/**
 * Reads and writes the state of conversation `c` and its flows `fw` (the
 * sender) and `rv` in the store's array `f` (see conversation.ts); tshark's
 * rule also needs the conversation's object, which only it touches.
 */
export class MptcpDupAckRule {
  /** tshark's token table: token to shared connection state. */
  private readonly tokens = new Map<number, MptcpShared>();

  constructor(readonly aware: boolean) {}

  /** Bookkeeping for a segment with MPTCP options, before its analysis. */
  noteOptions(f: Float64Array, c: number, fw: number, rv: number, s: OptionScan, store: ConversationStore): void {
    f[c + SAW_MPTCP] = 1;
    if (this.aware) return;
    const conv = store.object(c);
    // Every subtype after MP_JOIN creates tshark's record when there is none.
    if (s.mpKinds & ~(MpKind.CAPABLE | MpKind.JOIN)) conv.mptcp ??= { ops: 0 };
    const cap = s.capable;
    if (cap?.name === 'MP_CAPABLE' && cap.senderKey !== undefined) {
      if (f[fw + MP_KEYED] === 0) {
        f[fw + MP_KEYED] = 1;
        this.joinByToken(conv, f, fw, tsharkToken(cap.senderKey, cap.version));
      }
      if (cap.receiverKey !== undefined && f[rv + MP_KEYED] === 0) {
        f[rv + MP_KEYED] = 1;
        this.joinByToken(conv, f, rv, tsharkToken(cap.receiverKey, cap.version));
      }
    }
    const join = s.join;
    if (join !== undefined) {
      if (join.length !== 12) conv.mptcp ??= { ops: 0 };
      else if (join.name === 'MP_JOIN' && join.token !== undefined) this.joinByToken(conv, f, rv, join.token);
    }
  }

  /** Whether the repeated ACK of side `fw` is forgiven for its MPTCP content. */
  forgives(f: Float64Array, c: number, fw: number, s: OptionScan, store: ConversationStore): boolean {
    if (!this.aware) {
      const shared = store.object(c).mptcp;
      return shared !== undefined && shared.ops !== f[fw + MP_OPS];
    }
    if (s.mpKinds & ~MpKind.DSS) return true;
    return s.hasDataAck && (f[fw + MP_HAS_DATA_ACK] === 0 || s.dataAckHi !== f[fw + MP_DATA_ACK_HI] || s.dataAckLo !== f[fw + MP_DATA_ACK_LO]);
  }

  /** What a side remembers of its segment for the next one (after the analysis of this one). */
  remember(f: Float64Array, c: number, fw: number, s: OptionScan, store: ConversationStore): void {
    if (!this.aware) {
      const shared = store.object(c).mptcp;
      if (shared !== undefined) f[fw + MP_OPS] = shared.ops;
    }
    // Written for every segment, the old values again without a data ACK: code first run by the
    // first data ACK (after a capture's handshakes) threw away the compiled analysis it is part of.
    const has = s.hasDataAck;
    const hi = s.dataAckHi;
    const lo = s.dataAckLo;
    f[fw + MP_HAS_DATA_ACK] = has ? 1 : f[fw + MP_HAS_DATA_ACK]!;
    f[fw + MP_DATA_ACK_HI] = has ? hi : f[fw + MP_DATA_ACK_HI]!;
    f[fw + MP_DATA_ACK_LO] = has ? lo : f[fw + MP_DATA_ACK_LO]!;
  }

  /** tshark adds the segment's option kinds to its connection record once the options are read. */
  afterOptions(c: number, s: OptionScan, store: ConversationStore): void {
    if (this.aware) return;
    const shared = store.object(c).mptcp;
    if (shared !== undefined) shared.ops |= s.mpKinds & TSHARK_KINDS;
  }

  /** A side's token names its connection: a known token attaches this subflow, a new one is registered. */
  private joinByToken(conv: { mptcp: MptcpShared | undefined }, f: Float64Array, side: number, token: number): void {
    if (f[side + MP_TOKEN] === 1 && conv.mptcp !== undefined) return;
    const known = this.tokens.get(token);
    if (known !== undefined) conv.mptcp = known;
    else {
      conv.mptcp ??= { ops: 0 };
      this.tokens.set(token, conv.mptcp);
    }
    f[side + MP_TOKEN] = 1;
  }
}

/** The token tshark derives from an MP_CAPABLE key: SHA-1 for version 0, SHA-256 for 1, zero otherwise. */
function tsharkToken(key: bigint, version: number): number {
  return version === 0 || version === 1 ? keyToToken(key, version) : 0;
}
