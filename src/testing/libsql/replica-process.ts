import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EdgeDbError, type EdgeDbErrorCode } from '../../errors/edge-db-error.js';
import {
  REPLICA_CONFIG_ENV,
  type ReplicaChildConfig,
  type ReplicaCommand,
  type ReplicaMessage,
} from './replica-control.js';

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Children also exit on their own when the IPC channel closes; this covers a parent that exits abruptly.
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

function moduleUrl(): string {
  // In the CommonJS build `import.meta` is empty and `__filename` exists; in ESM it is the other way round.
  return typeof __filename === 'string' ? pathToFileURL(__filename).href : import.meta.url;
}

/**
 * Finds the replica child entry next to this module: `replica-entry.ts` when running from sources
 * (vitest, tsx), `replica-entry.js` beside it, or `libsql/replica-entry.js` beside a bundled `testing/index.js`.
 */
export function resolveReplicaEntry(): { readonly path: string; readonly typescript: boolean } {
  const candidates = [
    './replica-entry.ts',
    './replica-entry.js',
    './libsql/replica-entry.js',
    './replica-entry.mjs',
  ];
  for (const candidate of candidates) {
    const path = fileURLToPath(new URL(candidate, moduleUrl()));
    if (existsSync(path)) return { path, typescript: path.endsWith('.ts') };
  }
  throw new EdgeDbError(
    'TESTING_SETUP_FAILED',
    `cannot find the libSQL replica entry (replica-entry.js) next to ${moduleUrl()}; the package build is incomplete`,
  );
}

/** A running replica child process and its control channel. */
export class ReplicaProcess {
  readonly #child: ChildProcess;
  readonly #pending = new Map<
    number,
    { resolve: (value: string | undefined) => void; reject: (error: Error) => void }
  >();
  #nextId = 1;
  #exited = false;
  readonly port: number;

  private constructor(child: ChildProcess, port: number) {
    this.#child = child;
    this.port = port;
    child.on('message', (message: ReplicaMessage) => {
      if (message.type !== 'reply') return;
      const pending = this.#pending.get(message.id);
      if (pending === undefined) return;
      this.#pending.delete(message.id);
      if (message.ok) pending.resolve(message.value);
      else
        pending.reject(
          new EdgeDbError(
            (message.code as EdgeDbErrorCode | undefined) ?? 'TESTING_SETUP_FAILED',
            message.message,
          ),
        );
    });
    child.on('exit', () => {
      this.#exited = true;
      live.delete(child);
      for (const pending of this.#pending.values()) {
        pending.reject(new EdgeDbError('TESTING_SETUP_FAILED', 'the libSQL replica process exited'));
      }
      this.#pending.clear();
    });
  }

  /** Spawns a replica child and resolves once it serves Hrana; rejects after `timeoutMs`. */
  static spawn(config: ReplicaChildConfig, timeoutMs = 30_000): Promise<ReplicaProcess> {
    installExitHook();
    const entry = resolveReplicaEntry();
    const args = entry.typescript ? ['--import', 'tsx', entry.path] : [entry.path];
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, [REPLICA_CONFIG_ENV]: JSON.stringify(config) },
    });
    live.add(child);
    return new Promise((resolve, reject) => {
      const fail = (message: string) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        child.kill('SIGKILL');
        live.delete(child);
        reject(new EdgeDbError('TESTING_SETUP_FAILED', `libSQL replica ${config.dbPath}: ${message}`));
      };
      const timer = setTimeout(() => fail(`not ready after ${timeoutMs} ms`), timeoutMs);
      const onExit = (code: number | null) => fail(`process exited with code ${code} before it was ready`);
      const onMessage = (message: ReplicaMessage) => {
        if (message.type === 'failed') return fail(message.message);
        if (message.type !== 'ready') return;
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(new ReplicaProcess(child, message.port));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.once('error', (error) => fail(error.message));
    });
  }

  /** Sends a command and resolves with its answer; rejects after `timeoutMs`. */
  request(command: ReplicaCommand, timeoutMs = 15_000): Promise<string | undefined> {
    if (this.#exited)
      return Promise.reject(new EdgeDbError('TESTING_SETUP_FAILED', 'the libSQL replica process has exited'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new EdgeDbError(
            'TIMEOUT',
            `the libSQL replica did not answer ${command.type} within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.#pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      // A closed IPC channel throws or reports through the callback: fail now instead of at the deadline.
      const failSend = (error: Error) => {
        if (!this.#pending.delete(id)) return;
        clearTimeout(timer);
        reject(
          new EdgeDbError(
            'TESTING_SETUP_FAILED',
            `could not send ${command.type} to the libSQL replica process: ${error.message}`,
            { cause: error },
          ),
        );
      };
      try {
        this.#child.send({ id, command }, (error) => {
          if (error) failSend(error);
        });
      } catch (error) {
        failSend(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Stops the child (gracefully, then SIGKILL after `timeoutMs`) and waits for it to exit. */
  async stop(timeoutMs = 5000): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.request({ type: 'stop' }, timeoutMs).catch(() => undefined);
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}
