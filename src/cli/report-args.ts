import { UsageError } from '../util/errors.js';

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
