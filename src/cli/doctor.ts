import { diagnose } from '../analysis/report/doctor/index.js';
import { analyzeCapture } from '../analysis/report/run.js';
import { formatDoctor, formatDoctorJson } from '../present/doctor.js';
import { UsageError } from '../util/errors.js';
import { ArgReader, parseArgs, usageText } from './args.js';
import type { OptionSpec } from './args.js';
import { Output } from './output.js';
import { captureSource, checkConnectionsFound, connectionFilter } from './report-args.js';

const SPECS: OptionSpec[] = [
  { short: 'r', long: 'read-file', key: 'r', value: true, arg: 'FILE', help: "capture to read (pcap or pcapng, gzip ok); '-' for standard input" },
  { long: 'json', help: 'the diagnosis as one JSON document' },
  { long: 'tcp', help: 'also diagnose plain TCP conversations (not MPTCP subflows)' },
  { long: 'conn', value: true, arg: 'N', help: 'only MPTCP connection N (mptcp.stream; repeatable)' },
  { long: 'stall', value: true, arg: 'SECONDS', help: 'data outstanding this long without the data ACK moving is a stall (default 1)' },
  { short: 'h', long: 'help', help: 'this help' },
];

export const DOCTOR_USAGE = `${usageText('doctor', '-r FILE [--json] [--tcp] [--conn N] [--stall SECONDS]', SPECS)}

exit status: 0 no errors found, 1 at least one finding of severity error (or a usage error), 2 unreadable capture`;

/** `mpscope doctor`: what went wrong and right in each MPTCP connection, in plain words; exit status 1 on errors. */
export async function runDoctor(argv: string[]): Promise<number> {
  const args = new ArgReader(parseArgs(argv, SPECS, 'doctor'), 'doctor');
  if (args.count('help') > 0) {
    process.stdout.write(DOCTOR_USAGE + '\n');
    return 0;
  }
  const source = captureSource(args, 'doctor');
  const keep = connectionFilter(args);
  const stallText = args.last('stall');
  const stallSeconds = stallText === undefined ? undefined : Number(stallText);
  if (stallSeconds !== undefined && !(stallSeconds > 0 && Number.isFinite(stallSeconds))) {
    throw new UsageError(`invalid value for --stall: '${stallText}'`, 'expected a number of seconds above 0, e.g. --stall 0.5');
  }
  const analysis = await analyzeCapture(source, { stallSeconds });
  const report = diagnose(analysis, { tcp: args.count('tcp') > 0 });
  if (keep !== undefined) {
    report.connections = report.connections.filter((c) => keep.has(c.index));
    report.counts = { error: 0, warning: 0, note: 0 };
    for (const f of [...report.capture, ...report.connections.flatMap((c) => c.findings), ...(report.tcp ?? []).flatMap((c) => c.findings)]) report.counts[f.severity]++;
  }
  const out = new Output();
  out.line(args.count('json') > 0 ? formatDoctorJson(report) : formatDoctor(report));
  out.flush();
  if (analysis.captureError !== undefined) throw analysis.captureError;
  checkConnectionsFound(keep, analysis.connections.length);
  return report.counts.error > 0 ? 1 : 0;
}
