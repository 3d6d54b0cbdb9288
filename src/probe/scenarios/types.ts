/**
 * What a probe scenario is. A scenario is a small module exporting one
 * object of this shape; `scenarios/index.ts` lists them. To add one, write
 * a module like the others (say `my-check.ts`):
 *
 *   export const myCheck: Scenario = {
 *     name: 'my-check',
 *     title: 'what it sends, in a few words',
 *     rfc: { 1: '8684 §3.3.1', 0: '6824 §3.3.1' },
 *     versions: [0, 1],
 *     expected: 'what the RFC says the peer does',
 *     witness: ['MPTcpExtDataCsumErr'],
 *     async run(ctx) {
 *       const c = await ctx.connect();            // MP_CAPABLE handshake
 *       const sent = await c.send(ctx.data(100));  // data with its mapping
 *       const ack = await c.waitDataAck(sent.end);  // a DATA_ACK covering it
 *       return ctx.pass('DATA_ACK after the data', [...sent.frames, ack.frame]);
 *     },
 *   };
 *
 * and add it to the list in `index.ts` (or pass it to probe() directly).
 * `run` gets a fresh connection each time; it returns pass, fail, differs
 * (the RFC allows several behaviours: say which one the peer chose) or
 * skipped, with the frames that show it. A step that waits in vain throws,
 * and the runner makes that a `timeout` verdict; a peer that answers the
 * MP_CAPABLE SYN without MPTCP makes the scenario `skipped`. Whatever the
 * scenario leaves open is reset afterwards.
 */
import type { ConnectOptions, FrameFinding, MptcpConnection, Timing } from '../engine/connection.js';

export type Verdict = 'pass' | 'fail' | 'differs' | 'skipped' | 'timeout' | 'error';

/** What a scenario's run() concludes. */
export interface Outcome {
  verdict: Extract<Verdict, 'pass' | 'fail' | 'differs' | 'skipped'>;
  /** What the peer did, in one line. */
  observed: string;
  /** The frames that show it (numbers in the run's capture). */
  frames: number[];
}

export type ScenarioConnectOptions = Omit<ConnectOptions, 'version'> & {
  /** Return a connection that fell back to TCP instead of ending the scenario as skipped. */
  allowFallback?: boolean;
};

/** The steps a scenario has at hand. */
export interface ScenarioContext {
  /** The MPTCP version of the run. */
  readonly version: 0 | 1;
  readonly timing: Timing;
  /**
   * Opens a connection to the target (MP_CAPABLE handshake). When the peer
   * answers without MPTCP, the scenario ends as skipped, unless
   * `allowFallback`.
   */
  connect(options?: ScenarioConnectOptions): Promise<MptcpConnection>;
  /** `n` bytes of printable payload, different for each call. */
  data(n: number): Uint8Array;
  /** Waits (to let the peer act when no reply is expected). */
  sleep(ms: number): Promise<void>;
  pass(observed: string, frames?: readonly number[]): Outcome;
  fail(observed: string, frames?: readonly number[]): Outcome;
  differs(observed: string, frames?: readonly number[]): Outcome;
  skipped(observed: string, frames?: readonly number[]): Outcome;
}

export interface Scenario {
  /** Short name for --scenario: lowercase words joined by '-'. */
  name: string;
  /** One line for --list. */
  title: string;
  /** The RFC section that says what to expect, for each version the scenario runs with: '8684 §3.2'. */
  rfc: Partial<Record<0 | 1, string>>;
  versions: ReadonlyArray<0 | 1>;
  /** What the RFC expects of the peer, in one line (by version when they differ). */
  expected: string | ((version: 0 | 1) => string);
  /** The peer's MPTcpExt counters that witness this scenario, reported when the probe can read them (--netns). */
  witness?: readonly string[];
  run(ctx: ScenarioContext): Promise<Outcome>;
}

/** A scenario's verdict, with everything that explains it. */
export interface ScenarioResult {
  name: string;
  title: string;
  version: 0 | 1;
  /** 'RFC 8684 §3.2'. */
  rfc: string;
  expected: string;
  verdict: Verdict;
  observed: string;
  frames: number[];
  /** The scenario's first and last frame in the capture. */
  firstFrame: number | undefined;
  lastFrame: number | undefined;
  /** Malformed replies and what the endpoint noticed about the peer's packets. */
  findings: FrameFinding[];
  /** The scenario's witness counters. */
  witness: string[];
  /** Changes of the peer's MPTcpExt counters during the scenario (the witness ones always listed), when they can be read. */
  counters?: Record<string, number> | undefined;
  durationMs: number;
}
