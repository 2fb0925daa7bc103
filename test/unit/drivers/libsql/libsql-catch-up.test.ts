import { describe, expect, it } from 'vitest';
import { libsql } from '../../../../src/drivers/libsql/index.js';
import { isEdgeDbError } from '../../../../src/errors/edge-db-error.js';

const url = 'http://127.0.0.1:1';

describe('libsql(): how a replica catches up (17.3)', () => {
  it('exposes a pulling replica’s interval and a forwarding replica’s mode on the backend', () => {
    expect(libsql({ url, replicaMode: 'pulling', pullIntervalMs: 1_000 }).catchUp).toEqual({
      mode: 'pulling',
      pullIntervalMs: 1_000,
    });
    expect(libsql({ url, replicaMode: 'forwarding' }).catchUp).toEqual({
      mode: 'forwarding',
      pullIntervalMs: 0,
    });
    expect(libsql({ url }).catchUp).toBeUndefined();
  });

  it.each([
    ['pulling without an interval', { replicaMode: 'pulling' }],
    ['a negative interval', { replicaMode: 'pulling', pullIntervalMs: -1 }],
    ['an interval without a mode', { pullIntervalMs: 500 }],
    ['an interval on a forwarding replica', { replicaMode: 'forwarding', pullIntervalMs: 500 }],
    ['an unknown mode', { replicaMode: 'streaming' }],
  ])('refuses %s with CONFIG_INVALID', (_what, extra) => {
    let caught: unknown;
    try {
      libsql({ url, ...(extra as object) });
    } catch (error) {
      caught = error;
    }
    expect(isEdgeDbError(caught, 'CONFIG_INVALID')).toBe(true);
  });
});
