/**
 * How a step of a probe can end other than as asked. They are not failures
 * of the probe itself: a scenario runner turns them into verdicts
 * (`timeout`, or what the scenario says about a peer that fell back).
 */
import { MpscopeError } from '../../util/errors.js';

/** A step waited for the peer and nothing that matched came. */
export class StepTimeout extends MpscopeError {
  constructor(
    /** What was awaited, in words: 'a SYN/ACK', 'a DATA_ACK covering DSN ...'. */
    readonly what: string,
    readonly waitedMs: number,
    /** Frames of what the step sent (retransmissions included). */
    readonly frames: readonly number[],
  ) {
    super('PROBE_TIMEOUT', `no answer: waited ${formatMs(waitedMs)} for ${what}`);
  }
}

/** The peer answered the MP_CAPABLE SYN without MPTCP (or with another version): the connection is plain TCP. */
export class PeerFallback extends MpscopeError {
  constructor(readonly reason: string, readonly frames: readonly number[]) {
    super('PROBE_FALLBACK', reason);
  }
}

/** The peer answered the SYN with a RST: nothing listens there. */
export class PeerRefused extends MpscopeError {
  constructor(readonly frames: readonly number[]) {
    super('PROBE_REFUSED', 'the peer answered the SYN with a RST (nothing listens on that port?)');
  }
}

/** A step that cannot run on this connection (a subflow already reset, data on a connection that never opened...). */
export class StepError extends MpscopeError {
  constructor(message: string) {
    super('PROBE_STEP', message);
  }
}

/** A transport that cannot be set up as asked (no forwarding for a TUN, no source address...). */
export class ProbeSetupError extends MpscopeError {
  constructor(message: string, hint?: string) {
    super('PROBE_SETUP', message, hint);
  }
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${+(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}
