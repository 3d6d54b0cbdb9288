/**
 * Runs scenarios one after the other, each on fresh connections: the
 * scenario's steps, the peer's counters before and after (when they can be
 * read), the verdict with its frames and findings, then a RST for whatever
 * the scenario left open. Steps that wait in vain become `timeout`, a peer
 * that does not speak MPTCP makes `skipped`, anything else unexpected
 * `error`: one scenario never stops the others.
 */
import { DEFAULT_TIMING, MptcpConnection } from '../engine/connection.js';
import type { Timing } from '../engine/connection.js';
import { PeerFallback, PeerRefused, StepTimeout } from '../engine/errors.js';
import type { ProbeHost } from '../engine/host.js';
import { Concluded } from './steps.js';
import type { Outcome, Scenario, ScenarioConnectOptions, ScenarioContext, ScenarioResult } from './types.js';

export interface RunOptions {
  version: 0 | 1;
  timing?: Partial<Timing>;
  /** The peer's kernel counters (nstat), read before and after each scenario; without it none are reported. */
  counters?: () => Map<string, number>;
  onStart?: (scenario: Scenario) => void;
  onResult?: (result: ScenarioResult) => void;
  /** Stops after the scenario running now (which is cut short and reported as interrupted). */
  signal?: AbortSignal;
}

/** Time for the peer to take in the RSTs that close a scenario, so its counters are not counted in the next one. */
const SETTLE_MS = 50;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function outcome(verdict: Outcome['verdict'], observed: string, frames: readonly number[] = []): Outcome {
  return { verdict, observed, frames: [...frames] };
}

class Context implements ScenarioContext {
  private chunk = 0;

  constructor(
    private readonly host: ProbeHost,
    readonly version: 0 | 1,
    readonly timing: Timing,
    private readonly connections: MptcpConnection[],
    private readonly scenario: string,
  ) {}

  async connect(options: ScenarioConnectOptions = {}): Promise<MptcpConnection> {
    const { allowFallback, ...rest } = options;
    const c = new MptcpConnection(this.host, { ...rest, version: this.version }, this.timing);
    this.connections.push(c);
    await c.connect();
    if (!allowFallback) c.requireMptcp();
    return c;
  }

  data(n: number): Uint8Array {
    const text = `mpscope probe ${this.scenario} #${++this.chunk} `;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = text.charCodeAt(i % text.length);
    return out;
  }

  sleep(ms: number): Promise<void> {
    return sleep(ms);
  }

  pass(observed: string, frames: readonly number[] = []): Outcome {
    return outcome('pass', observed, frames);
  }

  fail(observed: string, frames: readonly number[] = []): Outcome {
    return outcome('fail', observed, frames);
  }

  differs(observed: string, frames: readonly number[] = []): Outcome {
    return outcome('differs', observed, frames);
  }

  skipped(observed: string, frames: readonly number[] = []): Outcome {
    return outcome('skipped', observed, frames);
  }
}

type Final = Omit<Outcome, 'verdict'> & { verdict: ScenarioResult['verdict'] };

function fromError(e: unknown, version: 0 | 1): Final {
  if (e instanceof Concluded) return e.outcome;
  if (e instanceof StepTimeout) return { verdict: 'timeout', observed: e.message, frames: [...e.frames] };
  if (e instanceof PeerFallback) {
    return {
      verdict: 'skipped', frames: [...e.frames],
      observed: `nothing to test: the peer answered as plain TCP (${e.reason}), it does not speak MPTCP v${version}`,
    };
  }
  if (e instanceof PeerRefused) return { verdict: 'error', observed: e.message, frames: [...e.frames] };
  return { verdict: 'error', observed: e instanceof Error ? e.message : String(e), frames: [] };
}

/** The MPTcpExt counters that changed, and the witness ones whether or not they did. */
function counterChanges(before: Map<string, number>, after: Map<string, number>, witness: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of witness) out[name] = (after.get(name) ?? 0) - (before.get(name) ?? 0);
  for (const [name, v] of after) {
    const d = v - (before.get(name) ?? 0);
    if (name.startsWith('MPTcpExt') && d !== 0) out[name] = d;
  }
  return out;
}

function rfcText(s: Scenario, version: 0 | 1): string {
  const section = s.rfc[version] ?? s.rfc[1] ?? s.rfc[0];
  return section === undefined ? '' : `RFC ${section}`;
}

export function expectedText(s: Scenario, version: 0 | 1): string {
  return typeof s.expected === 'function' ? s.expected(version) : s.expected;
}

/** Runs one scenario on `host` and reports it. */
async function runOne(host: ProbeHost, s: Scenario, o: RunOptions, timing: Timing): Promise<ScenarioResult> {
  const t0 = performance.now();
  const firstFrame = host.log.packets.length + 1;
  const connections: MptcpConnection[] = [];
  const before = o.counters?.();
  let final: Final;
  if (!s.versions.includes(o.version)) {
    final = { verdict: 'skipped', observed: `defined for MPTCP ${s.versions.map((v) => `v${v}`).join(' and ')} only`, frames: [] };
  } else {
    const ctx = new Context(host, o.version, timing, connections, s.name);
    const run = s.run(ctx);
    try {
      final = await untilAborted(run, o.signal);
    } catch (e) {
      final = fromError(e, o.version);
    }
  }
  const after = before ? o.counters?.() : undefined;
  for (const c of connections) c.abort();
  if (connections.length > 0) await sleep(SETTLE_MS);
  const lastFrame = host.log.packets.length;
  return {
    name: s.name, title: s.title, version: o.version, rfc: rfcText(s, o.version), expected: expectedText(s, o.version),
    verdict: final.verdict, observed: final.observed, frames: [...new Set(final.frames)].sort((a, b) => a - b),
    firstFrame: lastFrame >= firstFrame ? firstFrame : undefined, lastFrame: lastFrame >= firstFrame ? lastFrame : undefined,
    findings: connections.flatMap((c) => c.findings),
    witness: [...(s.witness ?? [])],
    counters: before && after ? counterChanges(before, after, s.witness ?? []) : undefined,
    durationMs: Math.round(performance.now() - t0),
  };
}

class Interrupted extends Error {}

/** The scenario's outcome, or Interrupted as soon as the signal fires (the scenario's own waits then end by themselves). */
function untilAborted(run: Promise<Outcome>, signal: AbortSignal | undefined): Promise<Final> {
  if (!signal) return run;
  if (signal.aborted) {
    run.catch(() => undefined);
    return Promise.reject(new Interrupted('interrupted'));
  }
  return new Promise<Final>((resolve, reject) => {
    const onAbort = (): void => {
      run.catch(() => undefined);
      reject(new Interrupted('interrupted before the scenario ended'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    run.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Runs the scenarios in order; stops early when `signal` fires. */
export async function runScenarios(host: ProbeHost, scenarios: readonly Scenario[], o: RunOptions): Promise<ScenarioResult[]> {
  const timing: Timing = { ...DEFAULT_TIMING, ...o.timing };
  const results: ScenarioResult[] = [];
  host.start();
  for (const s of scenarios) {
    if (o.signal?.aborted) break;
    o.onStart?.(s);
    const r = await runOne(host, s, o, timing);
    results.push(r);
    o.onResult?.(r);
  }
  return results;
}
