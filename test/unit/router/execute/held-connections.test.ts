import type { DatabaseConnection, Driver } from 'kysely';
import { describe, expect, it } from 'vitest';
import { isEdgeDbError } from '../../../../src/errors/edge-db-error.js';
import { HeldConnections } from '../../../../src/router/execute/held-connections.js';
import type { RoutedNode } from '../../../../src/router/routed-node.js';

interface TestNode extends RoutedNode {
  readonly acquired: DatabaseConnection[];
  readonly released: DatabaseConnection[];
}

function testNode(name: string, releaseError?: Error): TestNode {
  const acquired: DatabaseConnection[] = [];
  const released: DatabaseConnection[] = [];
  const driver = {
    acquireConnection: async () => {
      const connection = { name: `${name}#${acquired.length + 1}` } as unknown as DatabaseConnection;
      acquired.push(connection);
      return connection;
    },
    releaseConnection: async (connection: DatabaseConnection) => {
      released.push(connection);
      if (releaseError !== undefined) throw releaseError;
    },
  } as unknown as Driver;
  return { name, driver, acquired, released } as unknown as TestNode;
}

describe('HeldConnections', () => {
  it('keeps one connection per node and hands held ones back without acquiring again', async () => {
    const held = new HeldConnections();
    const [a, b, c] = [testNode('a'), testNode('b'), testNode('c')];
    const first = await held.acquire(a, 100);
    expect(await held.acquire(a, 100)).toBe(first);
    const second = await held.acquire(b, 100);
    const third = await held.acquire(c, 100);
    expect([held.get(a), held.get(b), held.get(c)]).toEqual([first, second, third]);
    expect([...held.entries()].map(([node]) => node.name)).toEqual(['a', 'b', 'c']);
    expect(a.acquired).toHaveLength(1);
    await held.releaseAll();
    expect([a.released, b.released, c.released]).toEqual([[first], [second], [third]]);
    expect([...held.entries()]).toEqual([]);
    await held.releaseAll();
    expect(a.released).toHaveLength(1);
  });

  it('detaches a connection (released once the query on it settles) and reuses the place for another node', async () => {
    const held = new HeldConnections();
    const [a, b, c] = [testNode('a'), testNode('b'), testNode('c')];
    const first = await held.acquire(a, 100);
    const second = await held.acquire(b, 100);
    let finish!: () => void;
    const running = new Promise<void>((resolve) => {
      finish = resolve;
    });
    held.detach(a, first, running);
    expect(held.get(a)).toBeUndefined();
    await Promise.resolve();
    expect(a.released).toEqual([]);
    finish();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(a.released).toEqual([first]);
    held.detach(b, first); // not b's connection: ignored
    expect(held.get(b)).toBe(second);
    const third = await held.acquire(c, 100);
    const entries = new Map(held.entries());
    expect([entries.size, entries.get(b), entries.get(c)]).toEqual([2, second, third]);
    held.discard(b);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(b.released).toEqual([second]);
    expect(await held.acquire(b, 100)).not.toBe(second);
    await held.releaseAll();
    expect(c.released).toEqual([third]);
  });

  it('gathers release failures into LIFECYCLE_FAILED, one node or several', async () => {
    const held = new HeldConnections();
    const broken = testNode('broken', new Error('socket gone'));
    await held.acquire(broken, 100);
    await expect(held.releaseAll()).rejects.toSatisfy(
      (error) => isEdgeDbError(error, 'LIFECYCLE_FAILED') && (error.cause as Error).message === 'socket gone',
    );
    await held.acquire(broken, 100);
    await held.acquire(testNode('ok'), 100);
    await held.acquire(testNode('also broken', new Error('reset')), 100);
    await expect(held.releaseAll()).rejects.toSatisfy(
      (error) =>
        isEdgeDbError(error, 'LIFECYCLE_FAILED') && (error.cause as AggregateError).errors.length === 2,
    );
    expect([...held.entries()]).toEqual([]);
  });
});
