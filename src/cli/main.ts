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

/** Runs the command line and returns the exit status: 0 ok, 1 usage or findings, 2 input or I/O errors. */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((a) => a !== '--debug');
  try {
    const [name, ...rest] = args;
    if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
      process.stdout.write(usage() + '\n');
      return name === undefined ? 1 : 0;
    }
    if (name === '--version' || name === 'version') {
      process.stdout.write(`mpscope ${VERSION}\n`);
      return 0;
    }
    const cmd = COMMANDS[name];
    if (!cmd) {
      // tshark users type `mpscope -r file`: treat a leading option as `read`.
      if (name.startsWith('-')) return await COMMANDS.read!.run(args);
      throw new UsageError(`unknown command '${name}'`, `commands: ${Object.keys(COMMANDS).join(', ')} (mpscope --help)`);
    }
    return await cmd.run(rest);
  } catch (e) {
    if (debug && e instanceof Error) process.stderr.write(`${e.stack ?? e.message}\n`);
    if (isMpscopeError(e)) {
      process.stderr.write(`mpscope: ${e.message}\n`);
      if (e.hint) process.stderr.write(`hint: ${e.hint}\n`);
      return e instanceof UsageError ? 1 : 2;
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`mpscope: internal error: ${msg}\nhint: run again with --debug for details, and please report it\n`);
    return 3;
  }
}
