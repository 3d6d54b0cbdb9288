/**
 * `mpscope nc`: a netcat that speaks MPTCP. Standard input goes to the
 * connection and the connection to standard output; at standard input's end
 * the sending side is shut down (OpenBSD nc's -N, always on here) and nc
 * keeps reading until the peer closes. Everything about the connection
 * (MPTCP or fallback, subflows) goes to standard error.
 */
import type net from 'node:net';
import { constants } from 'node:os';
import {
  addViaEndpoints, connectMptcp, createMptcpServer, describeErrno, formatSockaddr, native, parseIp, SysError, MptcpMonitor,
} from '../sys/index.js';
import type {
  ConnectionReport, IpFamily, MonitorEvent, MptcpConnectOptions, MptcpServerOptions, SockAddr, SubflowRecord, ViaEndpoints,
} from '../sys/index.js';
import { UsageError } from '../util/errors.js';
import { ArgReader, parseArgs, usageText } from './args.js';
import type { OptionSpec } from './args.js';

const SPECS: OptionSpec[] = [
  { short: 'l', help: 'listen for a connection instead of connecting (mpscope nc -l [HOST] PORT)' },
  { short: 'k', help: 'with -l: keep listening after a connection ends, serving one connection at a time' },
  { short: '4', help: 'IPv4 only' },
  { short: '6', help: 'IPv6 only' },
  { short: 's', value: true, arg: 'ADDR', help: 'source address (with -l: the address to listen on)' },
  { short: 'p', value: true, arg: 'PORT', help: 'source port (with -l: the port to listen on)' },
  { short: 'w', value: true, arg: 'SECS', help: 'give up connecting after SECS seconds (default 10)' },
  { long: 'via', value: true, arg: 'IF[,IF...]', help: 'for this run, add MPTCP endpoints for these interfaces\' addresses (subflows; with -l: announced) and raise the limits; removed on exit' },
  { short: 'v', help: 'report the connection as it goes (MPTCP, subflows coming and going); -vv adds per-subflow TCP figures' },
  { short: 'N', help: 'shut down the sending side at end of input (always done; accepted for habit)' },
  { short: 'n', help: 'no name resolution: HOST must be an address' },
  { short: 'h', long: 'help', help: 'this help' },
];

export const NC_USAGE = usageText('nc', '[options] HOST PORT | -l [options] [HOST] PORT', SPECS);

interface NcOptions {
  listen: boolean;
  keep: boolean;
  family: IpFamily | undefined;
  host: string | undefined;
  port: number;
  source: string | undefined;
  sourcePort: number | undefined;
  timeoutMs: number;
  via: string[];
  verbose: number;
  numeric: boolean;
}

function parsePort(s: string, what: string): number {
  if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > 65535) throw new UsageError(`invalid ${what}: '${s}'`, 'a port is a number from 1 to 65535');
  return Number(s);
}

function readOptions(argv: string[]): NcOptions | 'help' {
  const args = new ArgReader(parseArgs(argv, SPECS, 'nc'), 'nc');
  if (args.count('help') > 0) return 'help';
  const listen = args.count('l') > 0;
  if (args.count('4') > 0 && args.count('6') > 0) throw new UsageError('-4 and -6 exclude each other');
  const family: IpFamily | undefined = args.count('4') > 0 ? 4 : args.count('6') > 0 ? 6 : undefined;
  const pos = args.positional;
  const p = args.last('p');
  let host: string | undefined;
  let port: number;
  let sourcePort: number | undefined;
  if (listen) {
    // nc -l PORT, nc -l HOST PORT, and the traditional nc -l -p PORT.
    if (pos.length > 2 || (pos.length === 0 && p === undefined)) throw new UsageError('nc -l needs a PORT to listen on', 'mpscope nc -l [HOST] PORT');
    port = parsePort(pos.length > 0 ? pos[pos.length - 1]! : p!, 'port');
    host = pos.length === 2 ? pos[0] : undefined;
  } else {
    if (args.count('k') > 0) throw new UsageError('-k needs -l', 'mpscope nc -l -k PORT');
    if (pos.length !== 2) throw new UsageError('nc needs HOST and PORT', 'mpscope nc HOST PORT, or mpscope nc -l PORT to listen');
    host = pos[0]!;
    port = parsePort(pos[1]!, 'port');
    if (p !== undefined) sourcePort = parsePort(p, 'source port');
  }
  const source = args.last('s');
  if (listen && source !== undefined && host !== undefined) throw new UsageError('give the listen address either as HOST or with -s, not both');
  for (const [addr, what] of [[source, '-s'], [listen ? host : undefined, 'the listen address']] as const) {
    if (addr === undefined) continue;
    const ip = parseIp(addr);
    if (!ip) throw new UsageError(`${what} must be an IP address: '${addr}'`);
    if (family !== undefined && ip.family !== family) throw new UsageError(`${what} ${addr} is not an IPv${family} address`);
  }
  const w = args.int('w', 1);
  const via = args.values('via').flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  return {
    listen,
    keep: args.count('k') > 0,
    family,
    host: listen ? host ?? source : host,
    port,
    source: listen ? undefined : source,
    sourcePort,
    timeoutMs: (w ?? 10) * 1000,
    via,
    verbose: args.count('v'),
    numeric: args.count('n') > 0,
  };
}

/** Runs `mpscope nc`; resolves to the exit status (0 ok, 1 the connection failed). */
export async function runNc(argv: string[]): Promise<number> {
  const opts = readOptions(argv);
  if (opts === 'help') {
    process.stdout.write(NC_USAGE + '\n');
    return 0;
  }
  native(); // the addon missing is said once, before anything else happens
  const say = (msg: string): void => {
    process.stderr.write(`mpscope nc: ${msg}\n`);
  };
  const input = new StdinFeed();
  const stop = new Interrupt();
  let via: ViaEndpoints | undefined;
  try {
    if (opts.via.length > 0) {
      // Endpoints of the connection's family are enough; for a name or a listener, both.
      const family = opts.family ?? (opts.listen || opts.host === undefined ? undefined : parseIp(opts.host)?.family);
      via = addViaEndpoints(opts.via, { flags: opts.listen ? ['signal'] : ['subflow'], ...(family ? { family } : {}) });
      if (opts.verbose > 0) reportVia(via, say);
    }
    const status = opts.listen ? await listen(opts, input, stop, say) : await connect(opts, input, stop, say);
    return stop.signal ? signalStatus(stop.signal) : status;
  } finally {
    stop.dispose();
    input.close();
    via?.restore();
  }
}

/** Runs `open` with MPTCP, or, where this host has MPTCP off or missing, says so and runs it with plain TCP. */
async function withTcpIfNoMptcp<T>(open: (mptcp: boolean) => Promise<T>, say: (msg: string) => void): Promise<T> {
  try {
    return await open(true);
  } catch (e) {
    if (!(e instanceof SysError && e.code === 'MPTCP_UNAVAILABLE')) throw e;
    say(`${e.message}; using plain TCP${e.hint ? ` (${e.hint})` : ''}`);
    return await open(false);
  }
}

function reportVia(via: ViaEndpoints, say: (msg: string) => void): void {
  for (const e of via.added) say(`added endpoint ${e.address}${e.dev ? ` dev ${e.dev}` : ''} ${e.flags.join(' ')} (id ${e.id})`);
  for (const e of via.existing) say(`endpoint ${e.address} already present (id ${e.id}, ${e.flags.join(' ') || 'no flags'}): left as it is`);
  if (via.limitsBefore && via.limitsNow && via.limitsBefore.subflows !== via.limitsNow.subflows) {
    say(`subflow limit raised from ${via.limitsBefore.subflows} to ${via.limitsNow.subflows} for this run`);
  }
}

async function connect(opts: NcOptions, input: StdinFeed, stop: Interrupt, say: (msg: string) => void): Promise<number> {
  const host = opts.host!;
  if (opts.numeric && !isAddress(host)) throw new UsageError(`-n: '${host}' is not an IP address`);
  let socket: net.Socket;
  try {
    const connectOpts: MptcpConnectOptions = {
      timeout: opts.timeoutMs,
      ...(opts.family ? { family: opts.family } : {}),
      ...(opts.source !== undefined ? { localAddress: opts.source } : {}),
      ...(opts.sourcePort !== undefined ? { localPort: opts.sourcePort } : {}),
    };
    socket = await withTcpIfNoMptcp((mptcp) => connectMptcp(host, opts.port, { ...connectOpts, mptcp }), say);
  } catch (e) {
    if (!(e instanceof SysError && e.code === 'SYSCALL')) throw e;
    if (e.syscall === 'getaddrinfo') say(e.message);
    else say(`connect to ${host} port ${opts.port} failed: ${describeErrno(e.errno ?? 'EIO')} (${e.syscall}: ${e.errno})`);
    return 1;
  }
  const peer = `${plain(socket.remoteAddress)} port ${socket.remotePort}`;
  if (opts.verbose > 0) say(`connected to ${peer} from ${plain(socket.localAddress)} port ${socket.localPort}`);
  stop.onSignal(() => socket.destroy());
  return (await session(socket, input, opts.verbose, say, `connection to ${peer}`, 'client')) ? 0 : 1;
}

async function listen(opts: NcOptions, input: StdinFeed, stop: Interrupt, say: (msg: string) => void): Promise<number> {
  const queue: net.Socket[] = [];
  let served = 0;
  let wake: (() => void) | undefined;
  const serverOpts: MptcpServerOptions = {
    port: opts.port,
    ...(opts.host !== undefined ? { host: opts.host } : {}),
    ...(opts.family ? { family: opts.family } : {}),
  };
  // The kernel takes MP_JOIN SYNs through the listener, so it stays open
  // while a connection lives, where OpenBSD nc closes it after accepting.
  // Without -k, later connections are turned away; with -k they wait their
  // turn paused, as in the kernel's backlog.
  const admit = (s: net.Socket): void => {
    if (served > 0 && !opts.keep) {
      s.destroy();
      return;
    }
    s.pause();
    // A connection reset while it waits its turn must not bring the listener down: it is skipped when its turn comes.
    s.on('error', () => undefined);
    queue.push(s);
    served++;
    wake?.();
  };
  const server = await withTcpIfNoMptcp((mptcp) => createMptcpServer({ ...serverOpts, mptcp }, admit), say);
  try {
    if (opts.verbose > 0) {
      const a = server.address() as net.AddressInfo;
      say(`listening on ${formatSockaddr({ family: a.family === 'IPv6' ? 6 : 4, address: a.address, port: a.port })}`);
    }
    let ok = true;
    let current: net.Socket | undefined;
    stop.onSignal(() => {
      current?.destroy();
      wake?.();
    });
    do {
      while (queue.length === 0 && !stop.signal) await new Promise<void>((r) => (wake = r));
      if (stop.signal) break;
      const s = (current = queue.shift()!);
      if (s.destroyed) continue;
      const peer = `${plain(s.remoteAddress)} port ${s.remotePort}`;
      if (opts.verbose > 0) say(`connection from ${peer}`);
      ok = (await session(s, input, opts.verbose, say, `connection from ${peer}`, 'server')) && ok;
    } while (opts.keep && !stop.signal);
    return ok ? 0 : 1;
  } finally {
    server.close();
    for (const s of queue) s.destroy();
  }
}

/**
 * Moves data both ways until both directions are done (OpenBSD nc's rule):
 * the peer's end of data stops nothing but the output, and nc goes on
 * sending its input until that ends too. Reports the connection on stderr;
 * resolves false when it ended by an error.
 */
async function session(socket: net.Socket, input: StdinFeed, verbose: number, say: (msg: string) => void, what: string, side: 'client' | 'server'): Promise<boolean> {
  const monitor = new MptcpMonitor(socket, verbose > 0 ? { onEvent: (e) => say(describeEvent(e, side)) } : {});
  let failure: Error | undefined;
  let received = 0;
  socket.on('data', (d: Buffer) => {
    received += d.length;
    if (!process.stdout.write(d)) {
      socket.pause();
      process.stdout.once('drain', () => socket.resume());
    }
  });
  socket.on('end', () => {
    // Read now: once both sides have closed, the kernel has nothing left to tell.
    monitor.poll();
    if (verbose > 0) say(`the peer finished sending${input.ended ? '' : '; sending the rest of the input'}`);
  });
  socket.on('error', (e) => (failure = e));
  // Output closed under us (`| head`): like nc dying of SIGPIPE, stop, but say so.
  const onOutputGone = (): void => {
    failure ??= new Error('standard output was closed');
    socket.destroy();
  };
  process.stdout.once('error', onOutputGone);
  input.attach(socket);
  socket.resume();
  await new Promise<void>((resolve) => socket.once('close', () => resolve()));
  process.stdout.removeListener('error', onOutputGone);
  input.detach();
  const report = monitor.stop();
  for (const line of describeReport(report, what, side, verbose)) say(line);
  say(`sent ${socket.bytesWritten} bytes, received ${received} bytes${failure ? `; ended by an error: ${failure.message}` : ''}`);
  return failure === undefined;
}

function describeEvent(e: MonitorEvent, side: 'client' | 'server'): string {
  switch (e.type) {
    case 'mptcp':
      return `MPTCP established (local token 0x${hex8(e.info.token)}, DSS checksums ${e.info.csumEnabled ? 'on' : 'off'})`;
    case 'fallback':
      return e.afterMptcp ? 'fell back to plain TCP during the connection' : `plain TCP: ${fallbackReason(side)}`;
    case 'subflow-up':
      return `subflow ${e.subflow.id} up: ${subflowText(e.subflow)}`;
    case 'subflow-down':
      return `subflow ${e.subflow.id} closed: ${subflowText(e.subflow)}`;
  }
}

function fallbackReason(side: 'client' | 'server'): string {
  return side === 'client' ? 'the peer did not answer MP_CAPABLE' : 'the client did not offer MP_CAPABLE';
}

/** The closing report: did it really use MPTCP, and over which subflows. */
export function describeReport(r: ConnectionReport, what: string, side: 'client' | 'server', verbose = 0): string[] {
  if (r.state === 'unknown') return [`${what}: cannot tell whether MPTCP was used (this kernel has no MPTCP_INFO; Linux 5.16+ has)`];
  if (r.state === 'tcp') return [`${what} used plain TCP`];
  if (!r.everMptcp) return [`${what} fell back to plain TCP: ${fallbackReason(side)}`];
  const lines = [
    r.state === 'fallback'
      ? `${what} used MPTCP, then fell back to plain TCP`
      : `${what} used MPTCP${r.info ? ` (local token 0x${hex8(r.info.token)})` : ''}, ${r.subflows.length} subflow${r.subflows.length === 1 ? '' : 's'}:`,
  ];
  for (const sf of r.subflows) {
    const tcp = verbose > 1 && sf.tcp ? `, rtt ${(sf.tcp.rtt / 1000).toFixed(3)} ms, ${sf.tcp.totalRetrans} retransmitted` : '';
    lines.push(`  subflow ${sf.id}: ${subflowText(sf)}${sf.closed ? ' (closed early)' : ''}${tcp}`);
  }
  return lines;
}

function subflowText(sf: SubflowRecord): string {
  return `${endpoint(sf.local)} -> ${endpoint(sf.remote)}`;
}

function endpoint(a: SockAddr | undefined): string {
  if (!a) return '?';
  return formatSockaddr({ ...a, ...unmapped(a.address) });
}

/** IPv4 peers of a dual-stack listener show as ::ffff:a.b.c.d; people know them as a.b.c.d. */
function unmapped(address: string): { family: IpFamily; address: string } | object {
  return address.startsWith('::ffff:') && address.includes('.') ? { family: 4, address: address.slice(7) } : {};
}

function plain(address: string | undefined): string {
  if (address === undefined) return '?';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function isAddress(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/**
 * Standard input, handed to one connection at a time (-k serves several).
 * Reading waits while the connection's send buffer is full; the end of
 * input ends the sending side of the current connection and of every later one.
 */
class StdinFeed {
  private socket: net.Socket | undefined;
  ended = false;
  private started = false;
  private readonly onData = (d: Buffer): void => {
    const s = this.socket;
    if (!s) return;
    if (!s.write(d)) {
      process.stdin.pause();
      s.once('drain', () => {
        if (this.socket === s) process.stdin.resume();
      });
    }
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    this.socket?.end();
  };

  attach(socket: net.Socket): void {
    if (this.ended) {
      socket.end();
      return;
    }
    this.socket = socket;
    if (!this.started) {
      this.started = true;
      process.stdin.on('data', this.onData);
      process.stdin.on('end', this.onEnd);
      process.stdin.on('error', this.onEnd);
    }
    process.stdin.resume();
  }

  detach(): void {
    this.socket = undefined;
    if (!this.ended) process.stdin.pause();
  }

  /** Lets the process exit even though standard input is still open (a terminal, say). */
  close(): void {
    this.socket = undefined;
    if (this.started) process.stdin.destroy();
  }
}

/**
 * SIGINT/SIGTERM/SIGHUP end nc the way its input ending would not: the
 * connection is dropped, and the report still gets written before exiting.
 */
class Interrupt {
  signal: NodeJS.Signals | undefined;
  private readonly actions: Array<() => void> = [];
  private readonly handler = (sig: NodeJS.Signals): void => {
    if (this.signal) return;
    this.signal = sig;
    // Still connecting: nothing to report yet, so leave at once (exit hooks still clean up).
    if (this.actions.length === 0) process.exit(signalStatus(sig));
    for (const a of this.actions) a();
  };

  constructor() {
    for (const sig of SIGNALS) process.on(sig, this.handler);
  }

  onSignal(action: () => void): void {
    this.actions.push(action);
  }

  dispose(): void {
    for (const sig of SIGNALS) process.removeListener(sig, this.handler);
  }
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The shell's status for death by a signal: 128 + its number. */
function signalStatus(sig: NodeJS.Signals): number {
  return 128 + (constants.signals[sig] ?? 1);
}
