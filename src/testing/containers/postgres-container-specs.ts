import type { ContainerSpec } from './container-spec.js';
import type { ResolvedPostgresContainersOptions } from './postgres-containers-options.js';

/** The port PostgreSQL listens on inside every container. */
export const POSTGRES_CONTAINER_PORT = 5432;
/** The primary's name on the cluster network; standbys stream from `pg-primary:5432`. */
export const POSTGRES_PRIMARY_ALIAS = 'pg-primary';
/** Where a standby keeps its data: a fresh folder `pg_basebackup` creates with mode 0700 itself. */
export const POSTGRES_STANDBY_DATA_DIR = '/tmp/edge-db-standby';
/** The primary's data folder in the official image. */
export const POSTGRES_PRIMARY_DATA_DIR = '/var/lib/postgresql/data';

/** Up only when the real server listens on TCP: the image's init-time server listens on no TCP address. */
const READY_COMMAND = `pg_isready -h 127.0.0.1 -p ${POSTGRES_CONTAINER_PORT} -U postgres`;
/** How long a standby's entrypoint waits for the primary before giving up (it is normally up already). */
const PRIMARY_WAIT_SECONDS = 30;

/**
 * The containers of a PostgreSQL cluster: an official-image primary with replication settings on its
 * command line and an init script that trusts replication connections from the container network, and
 * standbys of the same image whose entrypoint runs `pg_basebackup -R -X stream -c fast` from the primary
 * and then `exec`s `postgres` as a hot standby. Settings are identical on every node because a standby
 * refuses to start with a lower `max_wal_senders`/`max_connections` than its primary.
 *
 * ### Examples
 * ```ts
 * const { primary, standbys } = postgresContainerSpecs(resolvePostgresContainersOptions({ replicas: 2 }))
 * standbys[0]!.name // 'replica-1'
 * ```
 */
export function postgresContainerSpecs(options: ResolvedPostgresContainersOptions): {
  readonly primary: ContainerSpec;
  readonly standbys: readonly ContainerSpec[];
} {
  const settings = postgresServerSettings(options);
  const primary: ContainerSpec = {
    name: 'primary',
    image: options.image,
    networkAlias: POSTGRES_PRIMARY_ALIAS,
    command: ['postgres', ...settingsArguments({ ...settings, cluster_name: 'primary' })],
    environment: {
      POSTGRES_USER: 'postgres',
      POSTGRES_DB: 'postgres',
      POSTGRES_HOST_AUTH_METHOD: 'trust',
      PGDATA: POSTGRES_PRIMARY_DATA_DIR,
    },
    exposedPorts: [POSTGRES_CONTAINER_PORT],
    clientPort: POSTGRES_CONTAINER_PORT,
    files: [
      {
        target: '/docker-entrypoint-initdb.d/10-edge-db-replication.sh',
        // The image's own hba line (`host all all all trust`) does not match replication connections.
        content: '#!/bin/sh\nset -e\necho "host replication all all trust" >> "$PGDATA/pg_hba.conf"\n',
        mode: 0o755,
      },
    ],
    readiness: { kind: 'command', command: READY_COMMAND },
  };
  const standbys = Array.from({ length: options.replicas }, (_, i): ContainerSpec => {
    const name = `replica-${i + 1}`;
    return {
      name,
      image: options.image,
      networkAlias: `pg-${name}`,
      entrypoint: ['/bin/sh', '-c', standbyScript({ ...settings, cluster_name: name })],
      command: [name],
      environment: {},
      exposedPorts: [POSTGRES_CONTAINER_PORT],
      clientPort: POSTGRES_CONTAINER_PORT,
      user: 'postgres',
      files: [],
      readiness: { kind: 'command', command: READY_COMMAND },
    };
  });
  return { primary, standbys };
}

/**
 * The server settings every node gets (`-c name=value`), the same as the process provider's.
 *
 * ### Examples
 * ```ts
 * postgresServerSettings(options).wal_level // 'replica'
 * ```
 */
export function postgresServerSettings(options: ResolvedPostgresContainersOptions): Record<string, string> {
  const senders = String(options.replicas + 4);
  return {
    listen_addresses: '*',
    wal_level: 'replica',
    hot_standby: 'on',
    hot_standby_feedback: 'on',
    fsync: 'off',
    full_page_writes: 'off',
    synchronous_commit: options.synchronousCommit ? 'on' : 'off',
    max_wal_senders: senders,
    max_replication_slots: senders,
    wal_keep_size: '128MB',
    wal_receiver_status_interval: '1',
    max_connections: '50',
    shared_buffers: '16MB',
  };
}

function settingsArguments(settings: Record<string, string>): string[] {
  return Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
}

/**
 * The standby's entrypoint: wait for the primary, copy it once (a restarted container keeps its copy),
 * then become PID 1 so `docker stop` reaches the server. `cluster_name` is the walreceiver's
 * `application_name`, which is how the primary's `pg_stat_replication` names the standby.
 */
function standbyScript(settings: Record<string, string>): string {
  const dir = POSTGRES_STANDBY_DATA_DIR;
  const primary = `-h ${POSTGRES_PRIMARY_ALIAS} -p ${POSTGRES_CONTAINER_PORT} -U postgres`;
  const args = settingsArguments(settings)
    .map((arg) => `'${arg}'`)
    .join(' ');
  return [
    'set -eu',
    'tries=0',
    `until pg_isready ${primary} -q; do`,
    '  tries=$((tries + 1))',
    `  if [ "$tries" -gt ${PRIMARY_WAIT_SECONDS * 5} ]; then echo "edge-db: primary not reachable" >&2; exit 1; fi`,
    '  sleep 0.2',
    'done',
    `if [ ! -s ${dir}/PG_VERSION ]; then`,
    `  pg_basebackup ${primary} -D ${dir} -R -X stream -c fast`,
    'fi',
    `exec postgres -D ${dir} ${args}`,
  ].join('\n');
}
