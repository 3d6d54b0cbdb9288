/**
 * Undo actions that must run however the process ends: normal exit, an
 * uncaught error, or SIGINT/SIGTERM/SIGHUP. They are synchronous because
 * Node's 'exit' event allows nothing else. Endpoints, limits and firewall
 * rules register here; fds (TUN devices, raw sockets) need not, the kernel
 * drops them with the process.
 */
type Action = () => void;

const pending = new Map<symbol, Action>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

/** Registers `action`; returns a function that runs it now (once) and unregisters it. */
export function onCleanup(action: Action): () => void {
  install();
  const key = Symbol('cleanup');
  pending.set(key, action);
  return () => {
    const a = pending.get(key);
    if (!a) return;
    pending.delete(key);
    a();
  };
}

/** Runs every pending action, newest first; one failing does not stop the others. */
export function runCleanups(): void {
  const actions = [...pending.values()].reverse();
  pending.clear();
  for (const a of actions) {
    try {
      a();
    } catch (e) {
      process.stderr.write(`mpscope: cleanup failed: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runCleanups);
  for (const sig of SIGNALS) {
    const handler = (): void => {
      runCleanups();
      // Alone, we stand in for the default action: die by the same signal,
      // so the parent sees it. Others listening decide for themselves.
      if (process.listenerCount(sig) === 1) {
        process.removeListener(sig, handler);
        process.kill(process.pid, sig);
      }
    };
    process.on(sig, handler);
  }
}
