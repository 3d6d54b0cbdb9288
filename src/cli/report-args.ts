import { UsageError } from '../util/errors.js';
import type { ArgReader } from './args.js';

/**
 * Fails when --conn named a connection the capture does not have. Called
 * after the report is printed: the connections that exist are still shown,
 * but a script asking for connection 7 of a capture with 3 learns it got
 * less than it asked for.
 */
export function checkConnectionsFound(keep: ReadonlySet<number> | undefined, connections: number): void {
  if (keep === undefined) return;
  const missing = [...keep].filter((n) => n >= connections).sort((a, b) => a - b);
  if (missing.length === 0) return;
  const which = missing.length === 1 ? `no MPTCP connection ${missing[0]}` : `no MPTCP connections ${missing.join(', ')}`;
  const has = connections === 0 ? 'it has none' : connections === 1 ? 'it has connection 0 only' : `it has connections 0 to ${connections - 1}`;
  throw new UsageError(`${which} in this capture (${has})`, `list them with: mpscope conns -r FILE`);
}

/** The capture named by -r FILE or by the one positional argument. */
export function captureSource(args: ArgReader, command: string): string {
  const source = args.last('r') ?? args.positional[0];
  if (source === undefined) throw new UsageError('no capture given', `mpscope ${command} -r FILE   (or -r - for standard input)`);
  if (args.positional.length > (args.last('r') === undefined ? 1 : 0)) {
    throw new UsageError(`unexpected argument '${args.positional.at(-1)}'`, `try: mpscope ${command} --help`);
  }
  return source;
}

/** The connections asked for with --conn N (repeatable), or undefined for all. */
export function connectionFilter(args: ArgReader): Set<number> | undefined {
  const values = args.values('conn');
  if (values.length === 0) return undefined;
  const set = new Set<number>();
  for (const v of values) {
    if (!/^\d+$/.test(v)) throw new UsageError(`invalid connection number '${v}'`, 'expected an mptcp.stream index, e.g. --conn 0');
    set.add(Number(v));
  }
  return set;
}
