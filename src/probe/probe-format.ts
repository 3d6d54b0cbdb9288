/**
 * A probe run for people: a header saying what runs against what, a table
 * of scenario, verdict, expected and observed (wrapped to the terminal's
 * width, printed row by row as scenarios end), the frames and counters that
 * back each verdict, and a closing count.
 */
import { expectedText } from './scenarios/index.js';
import type { Scenario, ScenarioResult } from './scenarios/index.js';
import type { ProbeResult, ProbeStart, VerdictCounts } from './probe.js';

/** Words of `text` in lines of at most `width` characters (a longer word gets a line of its own). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    lines.push(line);
  }
  return lines;
}

interface Columns {
  name: number;
  verdict: number;
  expected: number;
  observed: number;
}

const NAME_WIDTH = 16;
const VERDICT_WIDTH = 7;
const GAP = 2;

function columns(width: number): Columns {
  const rest = Math.max(40, width - NAME_WIDTH - VERDICT_WIDTH - 3 * GAP);
  const expected = Math.floor(rest * 0.42);
  return { name: NAME_WIDTH, verdict: VERDICT_WIDTH, expected, observed: rest - expected };
}

function row(cells: readonly string[][], widths: readonly number[]): string {
  const height = Math.max(...cells.map((c) => c.length));
  const out: string[] = [];
  for (let i = 0; i < height; i++) {
    const parts = cells.map((c, j) => (j === cells.length - 1 ? c[i] ?? '' : (c[i] ?? '').padEnd(widths[j]!)));
    out.push(parts.join(' '.repeat(GAP)).trimEnd());
  }
  return out.join('\n');
}

/** Frame numbers as short text: '3-5, 9'. */
export function frameText(frames: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < frames.length; i++) {
    let j = i;
    while (j + 1 < frames.length && frames[j + 1] === frames[j]! + 1) j++;
    parts.push(j > i ? `${frames[i]}-${frames[j]}` : `${frames[i]}`);
    i = j;
  }
  return parts.join(', ');
}

/** Counter changes as 'MPJoinSynRx +1, DataCsumErr 0'. */
export function counterText(counters: Record<string, number>): string {
  return Object.entries(counters).map(([k, v]) => `${k.replace(/^MPTcpExt/, '')} ${v > 0 ? `+${v}` : v}`).join(', ');
}

function observedCell(r: ScenarioResult): string {
  const lines = [r.observed];
  if (r.frames.length) lines.push(`frames ${frameText(r.frames)}`);
  for (const f of r.findings) lines.push(`finding (frame ${f.frame}): ${f.message}`);
  const witness = r.counters ? Object.fromEntries(r.witness.map((w) => [w, r.counters![w] ?? 0])) : {};
  if (Object.keys(witness).length) lines.push(`nstat: ${counterText(witness)}`);
  return lines.join('\n');
}

export class ProbeTable {
  private readonly cols: Columns;

  constructor(width = 120) {
    this.cols = columns(width);
  }

  header(): string {
    const c = this.cols;
    return row([['SCENARIO'], ['VERDICT'], ['EXPECTED'], ['OBSERVED']], [c.name, c.verdict, c.expected, c.observed]);
  }

  row(r: ScenarioResult): string {
    const c = this.cols;
    const expected = r.rfc ? `${r.expected} (${r.rfc})` : r.expected;
    return row(
      [wrap(r.name, c.name), [r.verdict], wrap(expected, c.expected), wrap(observedCell(r), c.observed)],
      [c.name, c.verdict, c.expected, c.observed],
    );
  }
}

export function formatProbeHeader(s: ProbeStart): string {
  const n = s.scenarios.length;
  const witness = s.witness ? '; the target\'s MPTcpExt counters are read' : '';
  return `mpscope probe ${s.target} port ${s.port} from ${s.source} (${s.transport} transport, ports ${s.sourcePorts[0]}-${s.sourcePorts[1]}): `
    + `MPTCP v${s.version}, ${n} scenario${n === 1 ? '' : 's'}, ${s.timing.timeoutMs} ms per answer${witness}`;
}

export function formatSummary(counts: VerdictCounts, interrupted: boolean): string {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const parts = (Object.entries(counts) as Array<[string, number]>).filter(([, n]) => n > 0).map(([v, n]) => `${n} ${v}`);
  return `${total} scenario${total === 1 ? '' : 's'}: ${parts.join(', ') || 'none run'}${interrupted ? ' (interrupted)' : ''}`;
}

/** The whole run as text (header, table, summary). */
export function formatProbe(r: ProbeResult, width = 120): string {
  const t = new ProbeTable(width);
  return [formatProbeHeader(r), '', t.header(), ...r.results.map((x) => t.row(x)), '', formatSummary(r.summary, r.interrupted)].join('\n');
}

/** `--list`: every scenario with its RFC section and what it does. */
export function formatScenarioList(scenarios: readonly Scenario[], version: 0 | 1 = 1): string {
  const name = Math.max(...scenarios.map((s) => s.name.length));
  const rfc = Math.max(...scenarios.map((s) => (s.rfc[version] ?? s.rfc[1] ?? '').length + 4));
  return scenarios.map((s) => {
    const section = s.rfc[version] ?? s.rfc[1] ?? s.rfc[0] ?? '';
    const only = s.versions.includes(version) ? '' : ` [v${s.versions.join('/v')} only]`;
    return `${s.name.padEnd(name)}  ${`RFC ${section}`.padEnd(rfc)}  ${s.title}${only}\n${''.padEnd(name + 2)}${''.padEnd(rfc)}  expected: ${expectedText(s, version)}`;
  }).join('\n');
}
