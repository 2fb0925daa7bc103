import { describe, expect, it } from 'vitest';
import { ConnectionPool } from '../../../src/testing/libsql/connection-pool.js';
import { HranaStream, HranaStreamStore } from '../../../src/testing/libsql/hrana-stream-store.js';
import { ReplicationState } from '../../../src/testing/libsql/replication-state.js';

describe('ReplicationState', () => {
  it('wakes waiters once the index is reached and never moves backwards', async () => {
    const state = new ReplicationState();
    const waiting = state.waitFor(5n, 10_000);
    state.advance(3n);
    state.advance(5n);
    await expect(waiting).resolves.toBe(true);
    state.advance(2n);
    expect(state.index).toBe(5n);
  });

  it('reports a timeout as false', async () => {
    const state = new ReplicationState();
    await expect(state.waitFor(1n, 5)).resolves.toBe(false);
  });
});

describe('HranaStreamStore', () => {
  const pool = new ConnectionPool(':memory:', { queryOnly: false });

  it('spends batons on use', () => {
    const store = new HranaStreamStore(10_000);
    const stream = new HranaStream(pool);
    const baton = store.park(stream);
    expect(store.take(baton)).toBe(stream);
    expect(store.take(baton)).toBeUndefined();
    store.closeAll();
  });

  it('closes streams that stay idle past the timeout', async () => {
    const store = new HranaStreamStore(5);
    const stream = new HranaStream(pool);
    const baton = store.park(stream);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(store.take(baton)).toBeUndefined();
    expect(stream.closed).toBe(true);
  });
});
