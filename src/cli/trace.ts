/**
 * `mpscope trace HOST PORT`: Tracebox's path tracing for MPTCP. SYNs with
 * MP_CAPABLE go out with TTL 1, 2, 3...; the routers' ICMP quotes show what
 * the path did to the probe, hop by hop, and the target's answer ends it.
 */
import { LinkType, openCaptureWriter } from '../capture/index.js';
import type { CaptureFileWriter } from '../capture/index.js';
import {
  formatHop, formatTraceHeader, RawTraceTransport, sourceAddressFor, trace,
} from '../probe/index.js';
import type { TraceOptions, TraceResult } from '../probe/index.js';
import { native, parseIp } from '../sys/index.js';
import { UsageError } from '../util/errors.js';
import { resolveTarget } from './resolve.js';
import { ArgReader, parseArgs, usageText } from './args.js';
import type { OptionSpec } from './args.js';

const SPECS: OptionSpec[] = [
  { short: '4', help: 'IPv4 only' },
  { short: '6', help: 'IPv6 only' },
  { short: 'm', long: 'max-hops', value: true, arg: 'N', help: 'largest TTL (hop limit) to try (default 30)' },
  { short: 'f', long: 'first-hop', value: true, arg: 'N', help: 'TTL of the first probe (default 1)' },
  { short: 'w', long: 'timeout', value: true, arg: 'SECS', help: 'wait this long for each probe\'s answer (default 2; fractions allowed)' },
  { long: 'version', value: true, arg: '0|1', help: 'MP_CAPABLE version of the probes (default 1, RFC 8684; 0 is RFC 6824)' },
  { short: 's', value: true, arg: 'ADDR', help: 'source address (default: the one the routing table picks)' },
  { long: 'sport', value: true, arg: 'PORT', help: 'source port of the probes (default: random)' },
  { short: 'i', value: true, arg: 'IF', help: 'send and receive on this interface only' },
  { long: 'mss', value: true, arg: 'N', help: 'MSS option of the probes (default 1460)' },
  { long: 'json', help: 'print the whole trace as JSON instead of text' },
  { long: 'write', short: 'W', value: true, arg: 'FILE', help: 'also write every probe and reply to FILE (pcapng)' },
  { short: 'h', long: 'help', help: 'this help' },
];

export const TRACE_USAGE = usageText('trace', '[options] HOST PORT', SPECS);

interface TraceCliOptions {
  host: string;
  port: number;
  family: 4 | 6 | undefined;
  firstHop: number;
  maxHops: number;
  timeoutMs: number;
  version: 0 | 1;
  source: string | undefined;
  sourcePort: number | undefined;
  device: string | undefined;
  mss: number;
  json: boolean;
  write: string | undefined;
}

function parseNumber(args: ArgReader, key: string, min: number, max: number, fallback: number): number {
  const v = args.int(key, min) ?? fallback;
  if (v > max) throw new UsageError(`${key} must be at most ${max}, not ${v}`);
  return v;
}

function readOptions(argv: string[]): TraceCliOptions | 'help' {
  const args = new ArgReader(parseArgs(argv, SPECS, 'trace'), 'trace');
  if (args.count('help') > 0) return 'help';
  if (args.count('4') > 0 && args.count('6') > 0) throw new UsageError('-4 and -6 exclude each other');
  const pos = args.positional;
  if (pos.length > 2) throw new UsageError(`unexpected argument '${pos[2]}'`, 'mpscope trace [options] HOST PORT');
  if (pos.length !== 2) throw new UsageError('trace needs HOST and PORT', 'mpscope trace HOST PORT, e.g. mpscope trace multipath-tcp.org 443');
  const port = Number(pos[1]);
  if (!/^\d+$/.test(pos[1]!) || port < 1 || port > 65535) throw new UsageError(`invalid port: '${pos[1]}'`, 'a port is a number from 1 to 65535');
  const w = args.last('timeout');
  if (w !== undefined && !(/^\d+(\.\d+)?$/.test(w) && Number(w) > 0)) throw new UsageError(`invalid timeout: '${w}'`, 'seconds, e.g. 2 or 0.5');
  const version = args.oneOf('version', ['0', '1'] as const, '1');
  const sport = args.last('sport');
  if (sport !== undefined && (!/^\d+$/.test(sport) || Number(sport) < 1 || Number(sport) > 65535)) throw new UsageError(`invalid source port: '${sport}'`);
  const family = args.count('4') > 0 ? 4 : args.count('6') > 0 ? 6 : undefined;
  const source = args.last('s');
  if (source !== undefined) {
    const ip = parseIp(source);
    if (!ip) throw new UsageError(`-s must be an IP address: '${source}'`);
    if (family !== undefined && ip.family !== family) throw new UsageError(`-s ${source} is not an IPv${family} address`);
  }
  const firstHop = parseNumber(args, 'first-hop', 1, 255, 1);
  const maxHops = parseNumber(args, 'max-hops', 1, 255, 30);
  if (firstHop > maxHops) throw new UsageError(`the first hop (${firstHop}) is beyond the last (${maxHops})`);
  return {
    host: pos[0]!, port, family, firstHop, maxHops,
    timeoutMs: Math.round(Number(w ?? '2') * 1000),
    version: version === '0' ? 0 : 1,
    source,
    sourcePort: sport === undefined ? undefined : Number(sport),
    device: args.last('i'),
    mss: parseNumber(args, 'mss', 0, 65535, 1460),
    json: args.count('json') > 0,
    write: args.last('write'),
  };
}

/** Runs `mpscope trace`; resolves to 0 when the target answered (SYN/ACK or RST), 1 when it did not, 130 on Ctrl-C. */
export async function runTrace(argv: string[]): Promise<number> {
  const opts = readOptions(argv);
  if (opts === 'help') {
    process.stdout.write(TRACE_USAGE + '\n');
    return 0;
  }
  native(); // say that the addon is missing before anything else
  const family = opts.family ?? (opts.source ? parseIp(opts.source)?.family : undefined);
  const target = await resolveTarget(opts.host, family);
  const targetFamily = parseIp(target)!.family;
  const source = opts.source ?? sourceAddressFor(target, opts.device);
  if (parseIp(source)?.family !== targetFamily) throw new UsageError(`source ${source} and target ${target} are of different IP versions`);
  const transport = RawTraceTransport.open({ family: targetFamily, source, device: opts.device });
  const capture: CaptureFileWriter | undefined = opts.write ? openCaptureWriter(opts.write, 'pcapng') : undefined;
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // Nobody reads the hops any more (`| head`): stop as Ctrl-C would, closing what was opened.
  process.stdout.once('error', onSignal);
  let frames = 0;
  const traceOpts: TraceOptions = {
    target, port: opts.port, source, version: opts.version, firstHop: opts.firstHop, maxHops: opts.maxHops, timeoutMs: opts.timeoutMs, mss: opts.mss,
    signal: abort.signal,
    ...(opts.sourcePort !== undefined ? { sourcePort: opts.sourcePort } : {}),
    ...(capture ? {
      onPacket: (_dir: 'out' | 'in', data: Uint8Array, time: number): void => {
        const tsSec = Math.floor(time);
        capture.write({ number: ++frames, linkType: LinkType.RAW, tsSec, tsNsec: Math.round((time - tsSec) * 1e6) * 1000, tsDigits: 9, origLen: data.length, data, ifIndex: 0 });
      },
    } : {}),
  };
  if (!opts.json) {
    traceOpts.onStart = (start) => process.stdout.write(`${formatTraceHeader(start)}\n`);
    traceOpts.onHop = (hop, answer) => process.stdout.write(`${formatHop(hop, answer)}\n`);
  }
  let result: TraceResult;
  try {
    result = await trace(traceOpts, transport);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    process.stdout.removeListener('error', onSignal);
    await capture?.close();
  }
  process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `verdict: ${result.verdict.text}\n`);
  if (result.answer.kind === 'interrupted') return 130;
  return result.answer.kind === 'synack' || result.answer.kind === 'rst' ? 0 : 1;
}
