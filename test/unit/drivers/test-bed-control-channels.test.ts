import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isEdgeDbError } from '../../../src/errors/edge-db-error.js';
import { ReplicaProcess } from '../../../src/testing/libsql/replica-process.js';

// The PostgreSQL control client, scripted: its server never answers the Terminate of `end()`.
const pgScript = vi.hoisted(() => ({ destroyed: 0 }));
vi.mock('pg', () => {
  class Client extends EventTarget {
    readonly connection = { stream: { destroy: () => (pgScript.destroyed += 1) } };
    on(): this {
      return this;
    }
    async connect(): Promise<void> {}
    end(): Promise<void> {
      return new Promise(() => {});
    }
  }
  // loadPg() tells pg's ESM namespace from a CommonJS copy by its `Pool` export.
  class Pool {}
  return { Client, Pool, default: { Client, Pool } };
});

/** A stand-in ChildProcess whose IPC channel is closed: `send` throws, or reports through its callback. */
function closedChild(mode: 'throws' | 'callback') {
  const child = new EventEmitter() as EventEmitter & { send: unknown; kill: () => boolean };
  child.send = (_message: unknown, callback?: (error: Error | null) => void) => {
    const error = Object.assign(new Error('Channel closed'), { code: 'ERR_IPC_CHANNEL_CLOSED' });
    if (mode === 'throws') throw error;
    process.nextTick(() => callback?.(error));
    return false;
  };
  child.kill = () => true;
  return child;
}

function replicaOver(child: EventEmitter): ReplicaProcess {
  const Construct = ReplicaProcess as unknown as new (child: EventEmitter, port: number) => ReplicaProcess;
  return new Construct(child, 1);
}

describe('test beds: control channels', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(['throws', 'callback'] as const)(
    'ReplicaProcess.request rejects at once when send fails (%s) and leaves no timer',
    async (mode) => {
      vi.useFakeTimers();
      const replica = replicaOver(closedChild(mode));
      const attempt = replica.request({ type: 'stop' } as never, 60_000);
      const outcome = attempt.then(
        () => 'resolved',
        (error: unknown) => error,
      );
      await vi.advanceTimersByTimeAsync(0);
      const error = await outcome;
      expect(isEdgeDbError(error, 'TESTING_SETUP_FAILED')).toBe(true);
      expect((error as Error).message).toMatch(/could not send stop/);
      expect(vi.getTimerCount()).toBe(0);
    },
  );

  it('withPostgresClient destroys the socket when the close misses its deadline', async () => {
    vi.useFakeTimers();
    const { withPostgresClient } = await import('../../../src/testing/postgres/with-postgres-client.js');
    const used = withPostgresClient(5432, async () => 'done');
    await vi.advanceTimersByTimeAsync(2_000);
    await expect(used).resolves.toBe('done');
    expect(pgScript.destroyed).toBe(1);
  });
});
