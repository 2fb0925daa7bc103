import { describe, expect, it } from 'vitest';
import { isEdgeDbError } from '../../../src/errors/edge-db-error.js';
import { checkImageReference } from '../../../src/testing/containers/container-images.js';
import { resolvePostgresContainersOptions } from '../../../src/testing/containers/postgres-containers-options.js';
import { standbysNotStreaming } from '../../../src/testing/containers/postgres-streaming-readiness.js';
import { resolveSqldContainersOptions } from '../../../src/testing/containers/sqld-containers-options.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isEdgeDbError(error) ? error.code : `not an EdgeDbError: ${String(error)}`;
  }
  return undefined;
}

describe('container options', () => {
  it('applies the documented defaults', () => {
    expect(resolvePostgresContainersOptions()).toEqual({
      replicas: 2,
      image: 'postgres:15',
      latencyMs: 0,
      startTimeoutMs: 120_000,
      synchronousCommit: true,
    });
    expect(resolveSqldContainersOptions()).toEqual({
      replicas: 2,
      image: 'ghcr.io/tursodatabase/libsql-server:latest',
      latencyMs: 0,
      startTimeoutMs: 120_000,
    });
  });

  it.each([
    ['replicas', { replicas: -1 }],
    ['replicas', { replicas: 9 }],
    ['replicas', { replicas: 1.5 }],
    ['latencyMs', { latencyMs: -1 }],
    ['latencyMs', { latencyMs: Number.POSITIVE_INFINITY }],
    ['startTimeoutMs', { startTimeoutMs: 0 }],
    ['image', { image: 'postgres 16' }],
    ['image', { image: '' }],
    ['image', { image: 'Postgres:15' }],
  ])('rejects a bad %s with CONFIG_INVALID naming it', (name, options) => {
    for (const resolve of [resolvePostgresContainersOptions, resolveSqldContainersOptions]) {
      expect(codeOf(() => resolve(options as never))).toBe('CONFIG_INVALID');
      expect(() => resolve(options as never)).toThrow(name);
    }
  });

  it('rejects a non-boolean synchronousCommit', () => {
    expect(codeOf(() => resolvePostgresContainersOptions({ synchronousCommit: 'no' as never }))).toBe(
      'CONFIG_INVALID',
    );
  });

  it.each([
    'postgres:15',
    'postgres:16-alpine',
    'postgres',
    'ghcr.io/tursodatabase/libsql-server:latest',
    'localhost:5000/team/pg:15.6',
    `postgres@sha256:${'a'.repeat(64)}`,
  ])('accepts the image reference %s', (image) => {
    expect(checkImageReference('image', image)).toBe(image);
  });
});

describe('standbysNotStreaming', () => {
  it('is empty only when every expected standby streams', () => {
    const rows = [
      { application_name: 'replica-1', state: 'streaming' },
      { application_name: 'replica-2', state: 'catchup' },
      { application_name: 'edge-db-testing', state: 'streaming' },
    ];
    expect(standbysNotStreaming(rows, ['replica-1', 'replica-2', 'replica-3'])).toEqual([
      'replica-2',
      'replica-3',
    ]);
    expect(standbysNotStreaming(rows, ['replica-1'])).toEqual([]);
    expect(standbysNotStreaming([], [])).toEqual([]);
  });
});
