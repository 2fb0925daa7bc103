import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isEdgeDbError } from '../../../src/errors/edge-db-error.js';
import { findPostgresBinaries } from '../../../src/testing/postgres/postgres-binaries.js';
import { startPostgresCluster } from '../../../src/testing/postgres/postgres-cluster.js';

const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A folder the `postgres` account can read, with fake programs that print `output` and fail. */
function fakeBinDir(programs: readonly string[], output = 'fake'): string {
  const dir = mkdtempSync(join(tmpdir(), 'edge-db-fake-pg-'));
  dirs.push(dir);
  chmodSync(dir, 0o755);
  for (const program of programs) {
    writeFileSync(join(dir, program), `#!/bin/sh\necho "${output}" >&2\nexit 1\n`, { mode: 0o755 });
  }
  return dir;
}

function emptyDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'edge-db-base-'));
  dirs.push(dir);
  chmodSync(dir, 0o755);
  return dir;
}

describe('findPostgresBinaries', () => {
  it('returns the programs of an explicit binDir', async () => {
    const dir = fakeBinDir(['initdb', 'pg_ctl', 'pg_basebackup', 'postgres']);
    expect(await findPostgresBinaries(dir)).toEqual({
      binDir: dir,
      initdb: join(dir, 'initdb'),
      pgCtl: join(dir, 'pg_ctl'),
      pgBasebackup: join(dir, 'pg_basebackup'),
    });
  });

  it('says what to install when a program is missing', async () => {
    const dir = fakeBinDir(['initdb', 'pg_ctl', 'postgres']);
    const error = await findPostgresBinaries(dir).catch((caught: unknown) => caught);
    expect(isEdgeDbError(error, 'TESTING_SETUP_FAILED')).toBe(true);
    expect(String(error)).toContain('apt-get install -y postgresql');
    expect(String(error)).toContain(dir);
  });
});

describe('startPostgresCluster set-up errors', () => {
  it('rejects bad options with CONFIG_INVALID before touching the disk', async () => {
    const baseDir = emptyDir();
    for (const options of [{ replicas: -1 }, { replicas: 1.5 }, { latencyMs: -5 }, { startTimeoutMs: 0 }]) {
      await expect(startPostgresCluster({ ...options, baseDir })).rejects.toSatisfy((error) =>
        isEdgeDbError(error, 'CONFIG_INVALID'),
      );
    }
    expect(readdirSync(baseDir)).toEqual([]);
  });

  it('reports missing binaries with the install command', async () => {
    const baseDir = emptyDir();
    const error = await startPostgresCluster({ binDir: join(baseDir, 'nowhere'), baseDir }).catch(
      (e: unknown) => e,
    );
    expect(isEdgeDbError(error, 'TESTING_SETUP_FAILED')).toBe(true);
    expect(String(error)).toMatch(/apt-get update && apt-get install -y postgresql/);
  });

  it('reports a failing initdb with its output and removes its folder', async () => {
    const binDir = fakeBinDir(['initdb', 'pg_ctl', 'pg_basebackup', 'postgres'], 'initdb exploded');
    const baseDir = emptyDir();
    const error = await startPostgresCluster({ binDir, baseDir }).catch((e: unknown) => e);
    expect(isEdgeDbError(error, 'TESTING_SETUP_FAILED')).toBe(true);
    expect(String(error)).toMatch(/failed at initdb for primary/);
    expect(String(error)).toContain('initdb exploded');
    expect(readdirSync(baseDir)).toEqual([]);
  });
});
