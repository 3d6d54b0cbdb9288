/**
 * `mpscope probe HOST PORT`: MPTCP test suites against a real stack. A
 * userspace endpoint (behind a TUN device, or on raw sockets with a
 * temporary firewall rule against the local kernel's RSTs) runs scenarios,
 * each on a fresh connection, and says for each what RFC 8684 (or 6824)
 * expects and what the peer did.
 */
import { LinkType, openCaptureWriter } from '../capture/index.js';
import type { CaptureFileWriter } from '../capture/index.js';
import { sourceAddressFor } from '../probe/raw-transport.js';
import { randomPortBase, DEFAULT_PORT_COUNT } from '../probe/engine/host.js';
import { RawProbeTransport } from '../probe/engine/raw-transport.js';
import { TunTransport } from '../probe/engine/tun-transport.js';
import type { ProbeTransport, RecordedPacket } from '../probe/engine/transport.js';
import { BAD_VERDICTS, probe } from '../probe/probe.js';
import type { ProbeOptions, ProbeResult } from '../probe/probe.js';
import { formatProbeHeader, formatScenarioList, formatSummary, ProbeTable } from '../probe/probe-format.js';
import { SCENARIOS, scenariosNamed } from '../probe/scenarios/index.js';
import { IpCommand, kernelCounters, native, parseIp } from '../sys/index.js';
import { isMpscopeError, UsageError } from '../util/errors.js';
import { resolveTarget } from './resolve.js';
import { ArgReader, parseArgs, usageText } from './args.js';
import type { OptionSpec } from './args.js';

const SPECS: OptionSpec[] = [
  { long: 'version', value: true, arg: '0|1', help: 'MPTCP version (default 1, RFC 8684; 0 is RFC 6824)' },
  { long: 'scenario', value: true, arg: 'NAME[,NAME...]', help: 'run these scenarios only, in this order (default: all; see --list)' },
  { long: 'list', help: 'list the scenarios with their RFC sections and what they expect, and exit' },
  { long: 'json', help: 'print the whole run as JSON instead of a table' },
  { short: 'w', value: true, arg: 'FILE', help: 'write every packet sent and received to FILE (pcapng; frame numbers as in the verdicts)' },
  { long: 'transport', value: true, arg: 'tun|raw', help: 'tun: the endpoint behind a TUN device (default when HOST is this host); raw: raw sockets from this host\'s address (default otherwise)' },
  { long: 'timeout', value: true, arg: 'MS', help: 'wait this long for each answer, retransmitting twice meanwhile (default 2000)' },
  { long: 'quiet', value: true, arg: 'MS', help: 'listen this long where silence is the expected answer (default 500)' },
  { short: 's', value: true, arg: 'SRC', help: 'raw: source address (default: the one the routing table picks)' },
  { short: 'i', value: true, arg: 'IF', help: 'raw: send and receive on this interface only' },
  { long: 'tun-net', value: true, arg: 'CIDR', help: 'tun: the device\'s /30 (/126) subnet; the endpoint takes its second address (default in 198.18.0.0/15, 2001:2::/48)' },
  { long: 'sport', value: true, arg: 'PORT', help: `first of the ${DEFAULT_PORT_COUNT} source ports the run uses (default: random)` },
  { long: 'netns', value: true, arg: 'NAME', help: 'read the target\'s MPTcpExt counters (nstat) in this network namespace: a second witness' },
  { short: '4', help: 'IPv4 only' },
  { short: '6', help: 'IPv6 only' },
  { short: 'h', long: 'help', help: 'this help' },
];

export const PROBE_USAGE = usageText('probe', '[options] HOST PORT | --list', SPECS);

interface ProbeCliOptions {
  host: string;
  port: number;
  family: 4 | 6 | undefined;
  version: 0 | 1;
  scenarios: string[] | undefined;
  json: boolean;
  write: string | undefined;
  transport: 'tun' | 'raw' | undefined;
  timeoutMs: number;
  quietMs: number;
  source: string | undefined;
  device: string | undefined;
  tunNet: string | undefined;
  sourcePort: number | undefined;
  netns: string | undefined;
}

function milliseconds(args: ArgReader, key: string, fallback: number): number {
  const v = args.int(key, 1) ?? fallback;
  if (v > 600_000) throw new UsageError(`--${key} must be at most 600000 ms, not ${v}`);
  return v;
}

function readOptions(argv: string[]): ProbeCliOptions | 'help' | { list: 0 | 1 } {
  const args = new ArgReader(parseArgs(argv, SPECS, 'probe'), 'probe');
  if (args.count('help') > 0) return 'help';
  const version = args.oneOf('version', ['0', '1'] as const, '1') === '0' ? 0 : 1;
  if (args.count('list') > 0) return { list: version };
  if (args.count('4') > 0 && args.count('6') > 0) throw new UsageError('-4 and -6 exclude each other');
  const pos = args.positional;
  if (pos.length !== 2) throw new UsageError('probe needs HOST and PORT', 'mpscope probe HOST PORT, e.g. mpscope probe 10.0.0.2 5201 (mpscope probe --list for the scenarios)');
  const port = Number(pos[1]);
  if (!/^\d+$/.test(pos[1]!) || port < 1 || port > 65535) throw new UsageError(`invalid port: '${pos[1]}'`, 'a port is a number from 1 to 65535');
  const names = args.values('scenario').flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  for (const n of names) {
    if (!SCENARIOS.some((s) => s.name === n)) throw new UsageError(`no scenario '${n}'`, `scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  }
  const transport = args.last('transport') === undefined ? undefined : args.oneOf('transport', ['tun', 'raw'] as const, 'tun');
  const family = args.count('4') > 0 ? 4 : args.count('6') > 0 ? 6 : undefined;
  const source = args.last('s');
  if (source !== undefined) {
    const ip = parseIp(source);
    if (!ip) throw new UsageError(`-s must be an IP address: '${source}'`);
    if (family !== undefined && ip.family !== family) throw new UsageError(`-s ${source} is not an IPv${family} address`);
  }
  if (transport === 'tun' && (source !== undefined || args.last('i') !== undefined)) throw new UsageError('-s and -i are for the raw transport', 'the TUN transport speaks from its own subnet (--tun-net)');
  const tunNet = args.last('tun-net');
  if (transport === 'raw' && tunNet !== undefined) throw new UsageError('--tun-net is for the TUN transport');
  if (tunNet !== undefined && !isPrefix(tunNet)) throw new UsageError(`invalid --tun-net '${tunNet}'`, 'a prefix such as 198.18.0.0/30 or 2001:2::/126');
  const sport = args.int('sport', 1);
  if (sport !== undefined && sport + DEFAULT_PORT_COUNT - 1 > 65535) throw new UsageError(`--sport ${sport} leaves no room for ${DEFAULT_PORT_COUNT} ports below 65536`);
  return {
    host: pos[0]!, port, family, version,
    scenarios: names.length ? names : undefined,
    json: args.count('json') > 0,
    write: args.last('w'),
    transport,
    timeoutMs: milliseconds(args, 'timeout', 2000),
    quietMs: milliseconds(args, 'quiet', 500),
    source, device: args.last('i'), tunNet, sourcePort: sport, netns: args.last('netns'),
  };
}

function isPrefix(text: string): boolean {
  const [ip, len, ...rest] = text.split('/');
  return rest.length === 0 && parseIp(ip ?? '') !== undefined && /^\d{1,3}$/.test(len ?? '');
}

/** Options of one transport given while the target chose the other: said rather than ignored. */
function checkTransportOptions(o: ProbeCliOptions, kind: 'tun' | 'raw'): void {
  if (kind === 'raw' && o.tunNet !== undefined) {
    throw new UsageError('--tun-net is for the TUN transport', `${o.host} is not an address of this host, so the probe uses raw sockets; add --transport tun for a TUN device`);
  }
  if (kind === 'tun' && (o.source !== undefined || o.device !== undefined)) {
    throw new UsageError('-s and -i are for the raw transport', `${o.host} is an address of this host, so the probe uses a TUN device; add --transport raw for raw sockets`);
  }
}

/** TUN for an address of this host (the packets never leave it), raw sockets for the rest. */
function defaultTransport(target: string): 'tun' | 'raw' {
  try {
    return new IpCommand().json<Array<{ type?: string }>>(['route', 'get', target])[0]?.type === 'local' ? 'tun' : 'raw';
  } catch {
    return 'raw';
  }
}

function openTransport(o: ProbeCliOptions, target: string, kind: 'tun' | 'raw', ports: [number, number]): ProbeTransport {
  if (kind === 'tun') return TunTransport.open({ target, ...(o.tunNet === undefined ? {} : { subnet: o.tunNet }) });
  const source = o.source ?? sourceAddressFor(target, o.device);
  if (parseIp(source)?.family !== parseIp(target)!.family) throw new UsageError(`source ${source} and target ${target} are of different IP versions`);
  return RawProbeTransport.open({ target, port: o.port, source, ports, device: o.device });
}

function captureWriter(path: string): { writer: CaptureFileWriter; onPacket: (p: RecordedPacket) => void } {
  const writer = openCaptureWriter(path, 'pcapng');
  return {
    writer,
    onPacket: (p) => {
      const tsSec = Math.floor(p.time);
      writer.write({ number: p.frame, linkType: LinkType.RAW, tsSec, tsNsec: Math.round((p.time - tsSec) * 1e6) * 1000, tsDigits: 9, origLen: p.data.length, data: p.data, ifIndex: 0 });
    },
  };
}

function printError(e: { message: string; hint?: string | undefined }): void {
  process.stderr.write(`mpscope: ${e.message}\n`);
  if (e.hint) process.stderr.write(`hint: ${e.hint}\n`);
}

/**
 * Runs `mpscope probe`; resolves to 0 when no scenario failed (pass, differs
 * or skipped), 1 when one failed, timed out or hit an error, 2 for usage
 * mistakes and what keeps the probe from running (privilege, the addon),
 * 130 when interrupted, 141 when the reader of its output went away.
 */
export async function runProbe(argv: string[]): Promise<number> {
  let opts: ReturnType<typeof readOptions>;
  try {
    opts = readOptions(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    printError(e);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(PROBE_USAGE + '\n');
    return 0;
  }
  if ('list' in opts) {
    process.stdout.write(`${formatScenarioList(SCENARIOS, opts.list)}\n`);
    return 0;
  }
  try {
    return await run(opts);
  } catch (e) {
    // Everything that keeps the probe from running says so in one line, with what to do.
    if (!isMpscopeError(e)) throw e;
    printError(e);
    return 2;
  }
}

async function run(o: ProbeCliOptions): Promise<number> {
  native(); // the addon missing is said before anything else
  const target = await resolveTarget(o.host, o.family ?? (o.source ? parseIp(o.source)?.family : undefined));
  const kind = o.transport ?? defaultTransport(target);
  checkTransportOptions(o, kind);
  const portBase = o.sourcePort ?? randomPortBase();
  const ports: [number, number] = [portBase, portBase + DEFAULT_PORT_COUNT - 1];
  if (o.netns !== undefined) kernelCounters(o.netns); // a namespace that cannot be read is said now, not after the run
  const transport = openTransport(o, target, kind, ports);
  const capture = o.write ? captureWriter(o.write) : undefined;
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // `probe ... | head`: nobody reads the rest, so the run stops, cleaning up as for Ctrl-C.
  let readerGone = false;
  const onStdoutError = (e: NodeJS.ErrnoException): void => {
    if (e.code !== 'EPIPE') return;
    readerGone = true;
    abort.abort();
  };
  process.stdout.on('error', onStdoutError);
  const table = new ProbeTable(process.stdout.columns || 120);
  const options: ProbeOptions = {
    target, port: o.port, version: o.version, portBase, timing: { timeoutMs: o.timeoutMs, quietMs: o.quietMs },
    signal: abort.signal,
    ...(o.scenarios ? { scenarios: scenariosNamed(o.scenarios) } : {}),
    ...(o.netns !== undefined ? { counters: () => kernelCounters(o.netns) } : {}),
    ...(capture ? { onPacket: capture.onPacket } : {}),
    ...(o.json ? {} : {
      onStart: (s) => process.stdout.write(`${formatProbeHeader(s)}\n\n${table.header()}\n`),
      onResult: (r) => process.stdout.write(`${table.row(r)}\n`),
    }),
  };
  let result: ProbeResult;
  try {
    result = await probe(options, transport);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    process.stdout.removeListener('error', onStdoutError);
    await capture?.writer.close();
  }
  // What a shell reports for a process ended by SIGPIPE.
  if (readerGone) return 141;
  process.stdout.write(o.json ? `${JSON.stringify(result, null, 2)}\n` : `\n${formatSummary(result.summary, result.interrupted)}\n`);
  if (result.interrupted) return 130;
  return result.results.some((r) => BAD_VERDICTS.has(r.verdict)) ? 1 : 0;
}
