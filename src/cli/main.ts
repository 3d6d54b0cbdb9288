import { isMpscopeError, UsageError } from '../util/errors.js';
import { VERSION } from './version.js';

interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

// Each command's module is loaded only when it runs: start-up time counts on every short capture.
const COMMANDS: Record<string, Command> = {
  read: { summary: 'read a capture and print its packets (tshark list, -V tree, -x hex, -T tcpdump|json|ndjson|fields)', run: async (a) => (await import('./read.js')).runRead(a) },
  conns: { summary: 'list MPTCP connections and their subflows (keys, tokens, state, bytes); --tcp adds plain TCP', run: async (a) => (await import('./conns.js')).runConns(a) },
  summary: { summary: 'per MPTCP connection and subflow: bytes, goodput, shares, retransmissions, reinjections, RTTs', run: async (a) => (await import('./summary.js')).runSummary(a) },
  doctor: { summary: 'diagnose MPTCP connections in plain words (failed joins, fallbacks, bad HMACs...)', run: async (a) => (await import('./doctor.js')).runDoctor(a) },
  fields: { summary: 'list every field name usable with -Y, -T fields / -e (like tshark -G fields)', run: async (a) => (await import('./fields.js')).runFields(a) },
  nc: { summary: 'an MPTCP netcat: connect or listen, stdin to the socket and back, report subflows', run: async (a) => (await import('./nc.js')).runNc(a) },
  probe: { summary: 'run MPTCP test scenarios against a host (handshakes, DSS checksums, joins, fallback...) and compare with the RFC', run: async (a) => (await import('./probe.js')).runProbe(a) },
  trace: { summary: 'trace the path with MP_CAPABLE SYNs (TTL 1..N) and show where options are stripped or rewritten', run: async (a) => (await import('./trace.js')).runTrace(a) },
};

function usage(): string {
  const lines = [
    `mpscope ${VERSION}: a Multipath TCP toolkit`,
    '',
    'usage: mpscope <command> [options]',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`),
    '',
    "run 'mpscope <command> --help' for a command's options",
  ];
  return lines.join('\n');
}

/** Runs the command line and returns the exit status: 0 ok, 1 usage or findings, 2 input or I/O errors, 3 internal errors. */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((a) => a !== '--debug');
  guardProcess(debug);
  const [name, ...rest] = args;
  // Own names only: `mpscope constructor` is not a command.
  const cmd = name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  // The command whose --help a usage mistake points to.
  const command = cmd !== undefined ? name : name?.startsWith('-') ? 'read' : undefined;
  try {
    if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
      process.stdout.write(usage() + '\n');
      return name === undefined ? 1 : 0;
    }
    if (name === '--version' || name === 'version') {
      process.stdout.write(`mpscope ${VERSION}\n`);
      return 0;
    }
    if (!cmd) {
      // tshark users type `mpscope -r file`: treat a leading option as `read`.
      if (name.startsWith('-')) return await COMMANDS.read!.run(args);
      throw new UsageError(`unknown command '${name}'`, `commands: ${Object.keys(COMMANDS).join(', ')} (mpscope --help)`);
    }
    return await cmd.run(rest);
  } catch (e) {
    return reportError(e, debug, command);
  }
}

/** Prints an error as one line and a hint, and returns its exit status. */
function reportError(e: unknown, debug: boolean, command?: string): number {
  if (debug && e instanceof Error) process.stderr.write(`${e.stack ?? e.message}\n`);
  if (isMpscopeError(e)) {
    process.stderr.write(`mpscope: ${e.message}\n`);
    const usage = e instanceof UsageError;
    const hint = e.hint ?? (usage ? `try: mpscope ${command === undefined ? '' : `${command} `}--help` : undefined);
    if (hint) process.stderr.write(`hint: ${hint}\n`);
    return usage ? 1 : 2;
  }
  const io = systemError(e);
  if (io !== undefined) {
    process.stderr.write(`mpscope: ${io}\n`);
    return 2;
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`mpscope: internal error: ${msg}\nhint: run again with --debug for details, and please report it\n`);
  return 3;
}

/** A file the system refused (no such directory, a directory, no permission...), said as `cannot open PATH: reason`. */
function systemError(e: unknown): string | undefined {
  const err = e as Partial<NodeJS.ErrnoException> | undefined;
  if (!(e instanceof Error) || typeof err?.code !== 'string' || !/^E[A-Z]+$/.test(err.code) || err.path === undefined) return undefined;
  // Node's text is "CODE: reason, syscall 'path'": keep the reason.
  const reason = /^E[A-Z]+: (.*?), \w+ '/.exec(e.message)?.[1] ?? err.code;
  return `cannot ${err.syscall ?? 'use'} ${err.path}: ${reason}`;
}

let guarded = false;

/**
 * Errors that escape a command asynchronously (a stream's 'error' event, a
 * promise nobody awaits) get the same one-line message and exit status as
 * thrown ones instead of Node's stack dump, and a reader that goes away
 * (`| head`) ends the output quietly rather than with EPIPE. A process that
 * already handles uncaught errors (a test runner, a program embedding main)
 * keeps its own handling.
 */
function guardProcess(debug: boolean): void {
  if (guarded) return;
  guarded = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
  if (process.listenerCount('uncaughtException') > 0) return;
  const fatal = (e: unknown): void => process.exit(reportError(e, debug));
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
}
