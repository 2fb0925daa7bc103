import type { DatabaseConnection, Driver } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isEdgeDbError } from '../../../../src/errors/edge-db-error.js';
import { acquireConnection } from '../../../../src/router/execute/acquire-connection.js';
import type { RoutedNode } from '../../../../src/router/routed-node.js';

const connection: DatabaseConnection = {
  executeQuery: async () => ({ rows: [] }),
  async *streamQuery() {},
};

/** A node whose driver answers `acquireConnection` with `acquire()` and records releases. */
function nodeWith(acquire: () => Promise<DatabaseConnection>): { node: RoutedNode; released: unknown[] } {
  const released: unknown[] = [];
  const driver = {
    acquireConnection: acquire,
    releaseConnection: async (c: DatabaseConnection) => void released.push(c),
  } as unknown as Driver;
  return { node: { name: 'n1', driver } as RoutedNode, released };
}

afterEach(() => vi.useRealTimers());

describe('acquireConnection', () => {
  it('takes a connection the driver has at once without arming a deadline timer', async () => {
    vi.useFakeTimers();
    const setTimer = vi.spyOn(globalThis, 'setTimeout');
    const { node } = nodeWith(async () => connection);
    await expect(acquireConnection(node, 1000)).resolves.toBe(connection);
    expect(setTimer).not.toHaveBeenCalled();
  });

  it('waits for a driver that connects within the deadline', async () => {
    vi.useFakeTimers();
    const { node } = nodeWith(() => new Promise((resolve) => setTimeout(() => resolve(connection), 50)));
    const acquired = acquireConnection(node, 1000);
    await vi.advanceTimersByTimeAsync(50);
    await expect(acquired).resolves.toBe(connection);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fails with TIMEOUT naming the node when connecting takes longer, and releases the late connection', async () => {
    vi.useFakeTimers();
    const { node, released } = nodeWith(
      () => new Promise((resolve) => setTimeout(() => resolve(connection), 500)),
    );
    const acquired = acquireConnection(node, 100).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(100);
    const error = await acquired;
    expect(isEdgeDbError(error, 'TIMEOUT')).toBe(true);
    expect((error as Error).message).toContain('connecting to "n1"');
    expect(released).toEqual([]);
    await vi.advanceTimersByTimeAsync(400);
    expect(released).toEqual([connection]);
  });

  it("passes a driver's failure on, at once or later", async () => {
    const failure = new Error('refused');
    await expect(acquireConnection(nodeWith(async () => Promise.reject(failure)).node, 100)).rejects.toBe(
      failure,
    );
    vi.useFakeTimers();
    const late = nodeWith(() => new Promise((_, reject) => setTimeout(() => reject(failure), 10)));
    const acquired = acquireConnection(late.node, 100).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(10);
    expect(await acquired).toBe(failure);
  });
});
