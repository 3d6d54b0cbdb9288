import { analyzeCapture } from '../analysis/report/run.js';
import { connectionSummary, summarize } from '../analysis/report/summary.js';
import type { ConnectionSummary } from '../analysis/report/summary.js';
import { formatSummaryJson, writeSummaryOf } from '../present/summary.js';
import { ArgReader, parseArgs, usageText } from './args.js';
import type { OptionSpec } from './args.js';
import { Output } from './output.js';
import { captureSource, checkConnectionsFound, connectionFilter } from './report-args.js';

const SPECS: OptionSpec[] = [
  { short: 'r', long: 'read-file', key: 'r', value: true, arg: 'FILE', help: "capture to read (pcap or pcapng, gzip ok); '-' for standard input" },
  { long: 'json', help: 'the report as one JSON document' },
  { long: 'tcp', help: 'also list the plain TCP conversations (not MPTCP subflows)' },
  { long: 'conn', value: true, arg: 'N', help: 'only MPTCP connection N (mptcp.stream; repeatable)' },
  { short: 'h', long: 'help', help: 'this help' },
];

export const SUMMARY_USAGE = usageText('summary', '-r FILE [--json] [--tcp] [--conn N]', SPECS);

/** `mpscope summary`: per MPTCP connection and direction, what was delivered and how each subflow took part. */
export async function runSummary(argv: string[]): Promise<number> {
  const args = new ArgReader(parseArgs(argv, SPECS, 'summary'), 'summary');
  if (args.count('help') > 0) {
    process.stdout.write(SUMMARY_USAGE + '\n');
    return 0;
  }
  const source = captureSource(args, 'summary');
  const keep = connectionFilter(args);
  const analysis = await analyzeCapture(source);
  const tcp = args.count('tcp') > 0;
  const out = new Output();
  if (args.count('json') > 0) {
    const report = summarize(analysis, { tcp });
    if (keep !== undefined) report.connections = report.connections.filter((c) => keep.has(c.index));
    out.line(formatSummaryJson(report));
  } else {
    // Text goes out connection by connection: each summary is made, printed and dropped in turn.
    const conns = keep === undefined ? analysis.connections : analysis.connections.filter((c) => keep.has(c.index));
    const each = function* (): Generator<ConnectionSummary> {
      for (const c of conns) yield connectionSummary(analysis, c);
    };
    writeSummaryOf(summarize(analysis, { tcp, withoutConnections: true }), each(), conns.length, (line) => { out.line(line); });
  }
  out.flush();
  // The report covers every good frame; the damage still makes the run fail.
  if (analysis.captureError !== undefined) throw analysis.captureError;
  checkConnectionsFound(keep, analysis.connections.length);
  return 0;
}
