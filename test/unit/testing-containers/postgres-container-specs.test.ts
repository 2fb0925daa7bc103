import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  POSTGRES_PRIMARY_ALIAS,
  POSTGRES_STANDBY_DATA_DIR,
  postgresContainerSpecs,
} from '../../../src/testing/containers/postgres-container-specs.js';
import { resolvePostgresContainersOptions } from '../../../src/testing/containers/postgres-containers-options.js';

const run = promisify(execFile);
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

function settingsOf(args: readonly string[]): Map<string, string> {
  const settings = new Map<string, string>();
  for (let i = 0; i < args.length; i += 1) {
    if (args[i] === '-c') {
      const [name, value] = args[i + 1]!.split('=', 2) as [string, string];
      settings.set(name, value);
    }
  }
  return settings;
}

describe('postgresContainerSpecs', () => {
  it('starts the primary of the image with replication settings on its command line', () => {
    const { primary } = postgresContainerSpecs(
      resolvePostgresContainersOptions({ replicas: 2, image: 'postgres:16' }),
    );
    expect(primary.image).toBe('postgres:16');
    expect(primary.networkAlias).toBe(POSTGRES_PRIMARY_ALIAS);
    expect(primary.command?.[0]).toBe('postgres');
    const settings = settingsOf(primary.command ?? []);
    expect(settings.get('wal_level')).toBe('replica');
    expect(settings.get('listen_addresses')).toBe('*');
    expect(settings.get('max_wal_senders')).toBe('6');
    expect(settings.get('synchronous_commit')).toBe('on');
    expect(settings.get('cluster_name')).toBe('primary');
    expect(primary.environment).toMatchObject({
      POSTGRES_HOST_AUTH_METHOD: 'trust',
      POSTGRES_USER: 'postgres',
    });
    expect(primary.exposedPorts).toEqual([5432]);
    expect(primary.entrypoint).toBeUndefined();
  });

  it('maps synchronousCommit: false to synchronous_commit=off on every node', () => {
    const { primary, standbys } = postgresContainerSpecs(
      resolvePostgresContainersOptions({ replicas: 1, synchronousCommit: false }),
    );
    expect(settingsOf(primary.command ?? []).get('synchronous_commit')).toBe('off');
    expect(standbys[0]!.entrypoint?.[2]).toContain("'synchronous_commit=off'");
  });

  it('names standbys replica-1..N, runs them as postgres and sets cluster_name for pg_stat_replication', () => {
    const { standbys } = postgresContainerSpecs(resolvePostgresContainersOptions({ replicas: 3 }));
    expect(standbys.map((each) => each.name)).toEqual(['replica-1', 'replica-2', 'replica-3']);
    expect(new Set(standbys.map((each) => each.networkAlias)).size).toBe(3);
    for (const standby of standbys) {
      expect(standby.user).toBe('postgres');
      expect(standby.entrypoint?.slice(0, 2)).toEqual(['/bin/sh', '-c']);
      expect(standby.entrypoint?.[2]).toContain(`'cluster_name=${standby.name}'`);
      expect(standby.image).toBe('postgres:15');
    }
  });

  it('gives standbys the same capacity settings as the primary (a standby refuses lower ones)', () => {
    const { primary, standbys } = postgresContainerSpecs(resolvePostgresContainersOptions({ replicas: 1 }));
    const script = standbys[0]!.entrypoint?.[2] ?? '';
    for (const name of ['max_wal_senders', 'max_connections', 'max_replication_slots']) {
      expect(script).toContain(`'${name}=${settingsOf(primary.command ?? []).get(name)}'`);
    }
  });

  it('waits for real TCP readiness, which the image init-time server never offers', () => {
    const { primary, standbys } = postgresContainerSpecs(resolvePostgresContainersOptions({ replicas: 1 }));
    for (const spec of [primary, ...standbys]) {
      expect(spec.readiness).toEqual({
        kind: 'command',
        command: 'pg_isready -h 127.0.0.1 -p 5432 -U postgres',
      });
    }
  });

  it('ships an init script that trusts replication connections, and the script works', async () => {
    const { primary } = postgresContainerSpecs(resolvePostgresContainersOptions({}));
    const file = primary.files[0]!;
    expect(file.target).toMatch(/^\/docker-entrypoint-initdb\.d\/.+\.sh$/);
    const pgdata = await mkdtemp(join(tmpdir(), 'edge-db-init-'));
    dirs.push(pgdata);
    await writeFile(join(pgdata, 'pg_hba.conf'), 'host all all all trust\n');
    await writeFile(join(pgdata, 'init.sh'), file.content);
    await run('/bin/sh', [join(pgdata, 'init.sh')], {
      env: { PGDATA: pgdata, PATH: process.env.PATH ?? '' },
    });
    expect(await readFile(join(pgdata, 'pg_hba.conf'), 'utf8')).toBe(
      'host all all all trust\nhost replication all all trust\n',
    );
  });

  it('standby entrypoint waits for the primary, base-backs-up with -R and execs postgres (run with stub programs)', async () => {
    const { standbys } = postgresContainerSpecs(resolvePostgresContainersOptions({ replicas: 1 }));
    const script = standbys[0]!.entrypoint?.[2] ?? '';
    const bin = await mkdtemp(join(tmpdir(), 'edge-db-stubs-'));
    dirs.push(bin);
    const log = join(bin, 'calls.log');
    const stub = async (name: string, body: string) => {
      await writeFile(join(bin, name), `#!/bin/sh\necho "${name} $*" >> ${log}\n${body}\n`);
      await chmod(join(bin, name), 0o755);
    };
    // The primary answers on the third probe: the loop must retry, not fail.
    await stub('pg_isready', `n=$(grep -c '^pg_isready' ${log}); [ "$n" -ge 3 ]`);
    await stub('pg_basebackup', 'exit 0');
    await stub('postgres', 'exit 0');
    await stub('sleep', 'exit 0');
    await run('/bin/sh', ['-c', script, 'replica-1'], { env: { PATH: `${bin}:/usr/bin:/bin` } });
    const calls = (await readFile(log, 'utf8')).trim().split('\n');
    expect(calls.filter((line) => line.startsWith('pg_isready'))).toHaveLength(3);
    expect(calls).toContain(
      `pg_basebackup -h ${POSTGRES_PRIMARY_ALIAS} -p 5432 -U postgres -D ${POSTGRES_STANDBY_DATA_DIR} -R -X stream -c fast`,
    );
    const server = calls.at(-1) ?? '';
    expect(server.startsWith(`postgres -D ${POSTGRES_STANDBY_DATA_DIR} -c listen_addresses=* `)).toBe(true);
    expect(server).toContain('-c cluster_name=replica-1');
  });

  it('standby entrypoint gives up with an error when the primary never answers', async () => {
    const { standbys } = postgresContainerSpecs(resolvePostgresContainersOptions({ replicas: 1 }));
    const bin = await mkdtemp(join(tmpdir(), 'edge-db-stubs-'));
    dirs.push(bin);
    for (const [name, body] of [
      ['pg_isready', 'exit 2'],
      ['sleep', 'exit 0'],
      ['pg_basebackup', 'echo called > /dev/stderr; exit 0'],
    ] as const) {
      await writeFile(join(bin, name), `#!/bin/sh\n${body}\n`);
      await chmod(join(bin, name), 0o755);
    }
    const failure = await run('/bin/sh', ['-c', standbys[0]!.entrypoint?.[2] ?? '', 'replica-1'], {
      env: { PATH: `${bin}:/usr/bin:/bin` },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toContain('primary not reachable');
    expect((failure as { stderr: string }).stderr).not.toContain('called');
  });
});
