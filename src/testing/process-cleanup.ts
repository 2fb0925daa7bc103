import { isMainThread } from 'node:worker_threads';

type Cleanup = () => void;

const cleanups = new Map<symbol, { readonly name: string; readonly run: Cleanup }>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;
const handlers: Record<(typeof SIGNALS)[number], () => void> = {
  SIGINT: () => undefined,
  SIGTERM: () => undefined,
  SIGHUP: () => undefined,
};

/**
 * Registers a synchronous cleanup to run if the process exits while a test bed is still up: on normal exit,
 * `process.exit()`, an uncaught exception, or SIGINT/SIGTERM/SIGHUP (after which the signal is raised again so
 * the process still dies of it). Test beds (PostgreSQL, libSQL, relays) register here when they start and call
 * the returned function when they stop cleanly, so a crashed test run leaves no server behind.
 *
 * The cleanup must be synchronous (for example `execFileSync('pg_ctl', [..., 'stop', '-m', 'immediate'])`,
 * `process.kill(pid)` or `rmSync`): nothing asynchronous runs during `'exit'`. Errors it throws are ignored
 * so one failing cleanup does not skip the others. Cleanups run in reverse registration order, once.
 *
 * ### Examples
 * ```ts
 * const unregister = registerExitCleanup('libsql primary', () => child.kill('SIGKILL'))
 * // ... later, after a clean stop:
 * unregister()
 * ```
 */
export function registerExitCleanup(name: string, cleanup: Cleanup): () => void {
  install();
  const key = Symbol(name);
  cleanups.set(key, { name, run: cleanup });
  return () => {
    cleanups.delete(key);
  };
}

/** Runs every registered cleanup now, newest first, and forgets them. Exposed for tests and signal handlers. */
export function runExitCleanups(): void {
  const entries = [...cleanups.values()].reverse();
  cleanups.clear();
  for (const entry of entries) {
    try {
      entry.run();
    } catch {
      // Best effort at exit: keep going so the remaining test beds are still stopped.
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runExitCleanups);
  // Worker threads do not receive signals; the 'exit' hook still runs when the worker ends.
  if (!isMainThread) return;
  for (const signal of SIGNALS) {
    const onSignal = (): void => {
      runExitCleanups();
      // Listening replaced Node's default "die on signal"; if nobody else handles it, die as it would have.
      if (process.listenerCount(signal) <= 1) {
        for (const each of SIGNALS) process.removeListener(each, handlers[each]);
        process.kill(process.pid, signal);
      }
    };
    handlers[signal] = onSignal;
    process.on(signal, onSignal);
  }
}
