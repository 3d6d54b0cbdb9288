/**
 * MPTCP probe suites against real stacks: a scripted userspace endpoint
 * (engine/) runs scenarios (scenarios/), each on fresh connections to the
 * target, and compares what the peer does with what RFC 8684 (v1) or
 * RFC 6824 (v0) expects. Every packet sent and received is numbered as a
 * frame, handed to `onPacket` (for a capture file) and cited by the
 * verdicts. The transport decides how packets travel (a TUN device, raw
 * sockets, or a simulation in tests); this module only runs and reports.
 */
import { addressFamily } from './address.js';
import { DEFAULT_TIMING } from './engine/connection.js';
import type { Timing } from './engine/connection.js';
import { ProbeHost } from './engine/host.js';
import { PacketLog } from './engine/transport.js';
import type { ProbeTransport, RecordedPacket } from './engine/transport.js';
import { runScenarios, SCENARIOS, scenariosNamed } from './scenarios/index.js';
import type { Scenario, ScenarioResult, Verdict } from './scenarios/index.js';

export interface ProbeOptions {
  target: string;
  port: number;
  /** MPTCP version; default 1. */
  version?: 0 | 1;
  /** Scenarios by name or as objects; default every built-in one. */
  scenarios?: ReadonlyArray<string | Scenario>;
  timing?: Partial<Timing>;
  /** First of the source ports the run uses (the raw transport's firewall rule covers them); default random. */
  portBase?: number;
  portCount?: number;
  /** The target's kernel counters, read around each scenario (a second witness). */
  counters?: () => Map<string, number>;
  onPacket?: (p: RecordedPacket) => void;
  onStart?: (start: ProbeStart) => void;
  onScenarioStart?: (s: Scenario) => void;
  onResult?: (r: ScenarioResult) => void;
  /** Stops the run after the scenario in progress (cut short). */
  signal?: AbortSignal;
}

/** What a run is about to do. */
export interface ProbeStart {
  target: string;
  port: number;
  family: 4 | 6;
  source: string;
  transport: string;
  version: 0 | 1;
  /** The run's source ports, first and last. */
  sourcePorts: [number, number];
  timing: Timing;
  scenarios: string[];
  /** Whether the target's counters are read. */
  witness: boolean;
}

export type VerdictCounts = Record<Verdict, number>;

export interface ProbeResult extends ProbeStart {
  results: ScenarioResult[];
  summary: VerdictCounts;
  /** Stopped by the signal before every scenario ran. */
  interrupted: boolean;
  /** Frames in the capture. */
  packets: number;
}

/** Verdicts that mean the peer did not do what the RFC says (or the probe could not tell). */
export const BAD_VERDICTS: ReadonlySet<Verdict> = new Set(['fail', 'timeout', 'error']);

function resolveScenarios(list: ReadonlyArray<string | Scenario> | undefined): Scenario[] {
  if (!list) return [...SCENARIOS];
  return list.map((s) => (typeof s === 'string' ? scenariosNamed([s])[0]! : s));
}

export function countVerdicts(results: readonly ScenarioResult[]): VerdictCounts {
  const c: VerdictCounts = { pass: 0, fail: 0, differs: 0, skipped: 0, timeout: 0, error: 0 };
  for (const r of results) c[r.verdict]++;
  return c;
}

/** Runs the scenarios against the target through `transport`, which it closes at the end. */
export async function probe(options: ProbeOptions, transport: ProbeTransport): Promise<ProbeResult> {
  const scenarios = resolveScenarios(options.scenarios);
  const version = options.version ?? 1;
  const timing: Timing = { ...DEFAULT_TIMING, ...options.timing };
  const log = new PacketLog(options.onPacket);
  let host: ProbeHost | undefined;
  try {
    host = new ProbeHost(transport, {
      target: options.target, port: options.port, log,
      ...(options.portBase === undefined ? {} : { portBase: options.portBase }),
      ...(options.portCount === undefined ? {} : { portCount: options.portCount }),
    });
    const start: ProbeStart = {
      target: host.target, port: options.port, family: addressFamily(options.target), source: host.source, transport: transport.kind,
      version, sourcePorts: host.ports, timing, scenarios: scenarios.map((s) => s.name), witness: options.counters !== undefined,
    };
    options.onStart?.(start);
    const results = await runScenarios(host, scenarios, {
      version, timing,
      ...(options.counters ? { counters: options.counters } : {}),
      ...(options.onScenarioStart ? { onStart: options.onScenarioStart } : {}),
      ...(options.onResult ? { onResult: options.onResult } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return {
      ...start, results, summary: countVerdicts(results),
      interrupted: options.signal?.aborted ?? false,
      packets: log.packets.length,
    };
  } finally {
    if (host) host.close();
    else transport.close();
  }
}
