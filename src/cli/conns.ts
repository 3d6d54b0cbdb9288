import { analyzeCapture } from '../analysis/report/run.js';
import { plainConversations, tcpConversationReport } from '../analysis/report/summary.js';
import { formatConns, formatConnsJson } from '../present/conns.js';
import type { ConnsReport } from '../present/conns.js';
import { ArgReader, parseArgs, usageText } from './args.js';
import type { OptionSpec } from './args.js';
import { Output } from './output.js';
import { captureSource, checkConnectionsFound, connectionFilter } from './report-args.js';

const SPECS: OptionSpec[] = [
  { short: 'r', long: 'read-file', key: 'r', value: true, arg: 'FILE', help: "capture to read (pcap or pcapng, gzip ok); '-' for standard input" },
  { long: 'json', help: 'the connections as one JSON document (the whole connection model)' },
  { long: 'tcp', help: 'also list the plain TCP conversations (not MPTCP subflows)' },
  { long: 'conn', value: true, arg: 'N', help: 'only MPTCP connection N (mptcp.stream; repeatable)' },
  { short: 'h', long: 'help', help: 'this help' },
];

export const CONNS_USAGE = usageText('conns', '-r FILE [--json] [--tcp] [--conn N]', SPECS);

/** `mpscope conns`: every MPTCP connection with its subflows (and, with --tcp, the plain TCP conversations). */
export async function runConns(argv: string[]): Promise<number> {
  const args = new ArgReader(parseArgs(argv, SPECS, 'conns'), 'conns');
  if (args.count('help') > 0) {
    process.stdout.write(CONNS_USAGE + '\n');
    return 0;
  }
  const source = captureSource(args, 'conns');
  const keep = connectionFilter(args);
  const analysis = await analyzeCapture(source);
  const report: ConnsReport = {
    packets: analysis.packets,
    startTime: analysis.firstTime,
    connections: keep === undefined ? analysis.connections : analysis.connections.filter((c) => keep.has(c.index)),
    tcp: args.count('tcp') > 0 ? plainConversations(analysis).map((c) => tcpConversationReport(analysis, c)) : undefined,
  };
  const out = new Output();
  out.line(args.count('json') > 0 ? formatConnsJson(report) : formatConns(report));
  out.flush();
  // The listing covers every good frame; the damage still makes the run fail.
  if (analysis.captureError !== undefined) throw analysis.captureError;
  checkConnectionsFound(keep, analysis.connections.length);
  return 0;
}
