import { describe, expect, it, vi } from 'vitest';
import { isEdgeDbError } from '../../../src/errors/edge-db-error.js';
import { detectDocker } from '../../../src/testing/containers/docker-availability.js';
import { selectProvider } from '../../../src/testing/containers/provider-selection.js';
import { startLibsqlClusterWith } from '../../../src/testing/containers/start-libsql-cluster-with.js';
import { startPostgresClusterWith } from '../../../src/testing/containers/start-postgres-cluster-with.js';
import { testProvider } from '../../../src/testing/containers/test-provider.js';

const noDocker = async () => ({ available: false as const, reason: 'no container engine answered: test' });
const docker = async () => ({ available: true as const, engine: 'fake 27' });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => error,
  );
}

describe('testProvider', () => {
  it('defaults to process and reads EDGE_DB_TEST_PROVIDER', () => {
    expect(testProvider({})).toBe('process');
    expect(testProvider({ EDGE_DB_TEST_PROVIDER: '' })).toBe('process');
    expect(testProvider({ EDGE_DB_TEST_PROVIDER: 'containers' })).toBe('containers');
    expect(testProvider({ EDGE_DB_TEST_PROVIDER: ' Auto ' })).toBe('auto');
  });

  it('rejects unknown values with CONFIG_INVALID', () => {
    expect(() => testProvider({ EDGE_DB_TEST_PROVIDER: 'docker' })).toThrow(/process, containers, auto/);
  });
});

describe('selectProvider', () => {
  it('takes process and containers as asked, without detecting', async () => {
    const detect = vi.fn(docker);
    expect((await selectProvider('process', { detect })).provider).toBe('process');
    expect((await selectProvider('containers', { detect })).provider).toBe('containers');
    expect(detect).not.toHaveBeenCalled();
  });

  it('auto picks containers when Docker answers and processes otherwise, with the reason', async () => {
    expect(await selectProvider('auto', { detect: docker })).toEqual({
      provider: 'containers',
      reason: 'auto: Docker engine fake 27 answered',
    });
    expect(await selectProvider('auto', { detect: noDocker })).toEqual({
      provider: 'process',
      reason: 'auto: no container engine answered: test',
    });
  });

  it('passes its deadline to the detector', async () => {
    const detect = vi.fn(noDocker);
    await selectProvider('auto', { detect, detectTimeoutMs: 250 });
    expect(detect).toHaveBeenCalledWith(250);
  });

  it('rejects unknown providers', async () => {
    const error = await rejection(selectProvider('docker' as never));
    expect(isEdgeDbError(error, 'CONFIG_INVALID')).toBe(true);
  });
});

describe('detectDocker', () => {
  it('reports a silent engine as unavailable at the deadline', async () => {
    const result = await detectDocker({ timeoutMs: 30, probe: () => new Promise<string>(() => undefined) });
    expect(result).toEqual({
      available: false,
      reason: 'no container engine answered: no answer within 30 ms',
    });
  });

  it('reports a failing probe as unavailable with its message, and an answer as available', async () => {
    expect(
      await detectDocker({ probe: async () => Promise.reject(new Error('ENOENT /var/run/docker.sock')) }),
    ).toEqual({
      available: false,
      reason: 'no container engine answered: ENOENT /var/run/docker.sock',
    });
    expect(await detectDocker({ probe: async () => 'linux 27.1' })).toEqual({
      available: true,
      engine: 'linux 27.1',
    });
  });

  it('never throws with the real probe (testcontainers may be unloadable or find no engine)', async () => {
    const result = await detectDocker({ timeoutMs: 5_000 });
    expect(typeof result.available).toBe('boolean');
    if (!result.available) expect(result.reason).toMatch(/^no container engine answered: /);
  });
});

describe('provider switch wrappers', () => {
  it('auto falls back to processes when Docker does not answer (a containers-only option is then refused)', async () => {
    const pg = await rejection(
      startPostgresClusterWith({ provider: 'auto', detect: noDocker, image: 'postgres:16' }),
    );
    expect(isEdgeDbError(pg, 'CONFIG_INVALID')).toBe(true);
    expect(String(pg)).toContain("image only applies to the containers provider, but provider 'auto'");
    const libsql = await rejection(
      startLibsqlClusterWith({ provider: 'auto', detect: noDocker, startTimeoutMs: 1 }),
    );
    expect(String(libsql)).toContain('startTimeoutMs only applies to the containers provider');
  });

  it('auto picks containers when Docker answers (a process-only option is then refused before any start)', async () => {
    const pg = await rejection(
      startPostgresClusterWith({ provider: 'auto', detect: docker, binDir: '/usr/lib/postgresql/15/bin' }),
    );
    expect(isEdgeDbError(pg, 'CONFIG_INVALID')).toBe(true);
    expect(String(pg)).toContain('binDir only applies to the process provider');
    for (const option of [
      'authToken',
      'pullIntervalMs',
      'replicationWaitMs',
      'streamIdleTimeoutMs',
      'baseDir',
    ] as const) {
      const error = await rejection(
        startLibsqlClusterWith({
          provider: 'containers',
          [option]: option === 'authToken' || option === 'baseDir' ? 'x' : 5,
        }),
      );
      expect(String(error)).toContain(`${option} only applies to the process provider`);
    }
  });

  it('validates container options before touching Docker', async () => {
    const error = await rejection(startPostgresClusterWith({ provider: 'containers', replicas: 99 }));
    expect(isEdgeDbError(error, 'CONFIG_INVALID')).toBe(true);
  });
});
