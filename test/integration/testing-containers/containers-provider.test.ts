import { createClient } from '@libsql/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEdgeDbError } from '../../../src/errors/edge-db-error.js';
import { detectDocker } from '../../../src/testing/containers/docker-availability.js';
import { startPostgresContainers } from '../../../src/testing/containers/postgres-containers.js';
import { startSqldContainers } from '../../../src/testing/containers/sqld-containers.js';
import { startLibsqlClusterWith } from '../../../src/testing/containers/start-libsql-cluster-with.js';
import type { LibsqlCluster } from '../../../src/testing/libsql/libsql-cluster.js';
import type { PostgresCluster } from '../../../src/testing/postgres/postgres-cluster.js';

// Decided before the suites are collected, so a machine without Docker reports a skip with its reason.
const docker = await detectDocker({ timeoutMs: 5_000 });
if (!docker.available) {
  console.warn(
    `[testing-containers] skipping the Docker suites: ${docker.reason}. ` +
      'Run them where a Docker engine answers (for example a GitHub Actions ubuntu runner): ' +
      'npx vitest run test/integration/testing-containers',
  );
}

describe('auto provider without Docker', () => {
  it('falls back to the process test bed, which serves queries', async () => {
    const cluster = await startLibsqlClusterWith({
      provider: 'auto',
      replicas: 1,
      detect: async () => ({ available: false, reason: 'forced by test' }),
    });
    try {
      const client = createClient({ url: cluster.primary.url });
      await client.execute('create table fallback (x integer)');
      await client.execute('insert into fallback values (1)');
      client.close();
      await cluster.replicas[0]!.waitForIndex(await cluster.primary.replicationIndex(), 10_000);
      const replica = createClient({ url: cluster.replicas[0]!.url });
      expect((await replica.execute('select x from fallback')).rows.map((row) => row.x)).toEqual([1]);
      replica.close();
    } finally {
      await cluster.stop();
    }
  });
});

describe.skipIf(!docker.available)('PostgreSQL containers', () => {
  let cluster: PostgresCluster;
  beforeAll(async () => {
    cluster = await startPostgresContainers({ replicas: 1 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('replicates a committed row and holds it back while the standby is paused', async () => {
    const primary = new pg.Client({ connectionString: cluster.primary.url });
    const replica = new pg.Client({ connectionString: cluster.replicas[0]!.url });
    await Promise.all([primary.connect(), replica.connect()]);
    try {
      await primary.query('create table t (x int)');
      await cluster.replicas[0]!.waitForPosition(await cluster.primary.currentPosition());
      await cluster.replicas[0]!.pause();
      await primary.query('insert into t values (1)');
      const position = await cluster.primary.currentPosition();
      expect((await replica.query('select count(*)::int as n from t')).rows[0].n).toBe(0);
      await expect(cluster.replicas[0]!.waitForPosition(position, 300)).rejects.toThrow(/paused/);
      await cluster.replicas[0]!.resume();
      await cluster.replicas[0]!.waitForPosition(position);
      expect((await replica.query('select count(*)::int as n from t')).rows[0].n).toBe(1);
      await expect(replica.query('insert into t values (2)')).rejects.toThrow(/read-only/);
    } finally {
      await Promise.all([primary.end(), replica.end()]);
    }
  });
});

describe.skipIf(!docker.available)('sqld containers', () => {
  let cluster: LibsqlCluster;
  beforeAll(async () => {
    cluster = await startSqldContainers({ replicas: 1 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('replicates through the real server and refuses the knobs it cannot offer', async () => {
    const primary = createClient({ url: cluster.primary.url });
    await primary.execute('create table t (x integer)');
    await primary.execute('insert into t values (1)');
    primary.close();
    await cluster.replicas[0]!.waitForIndex(await cluster.primary.replicationIndex());
    const replica = createClient({ url: cluster.replicas[0]!.url });
    expect((await replica.execute('select x from t')).rows.map((row) => row.x)).toEqual([1]);
    replica.close();
    const error = await cluster.replicas[0]!.pause().catch((caught: unknown) => caught);
    expect(isEdgeDbError(error, 'UNSUPPORTED')).toBe(true);
  });
});
