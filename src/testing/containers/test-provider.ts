import { EdgeDbError } from '../../errors/edge-db-error.js';

/**
 * Where test clusters run: `process` (local PostgreSQL programs / the Node libSQL test bed), `containers`
 * (Docker via testcontainers: real `postgres` and `sqld` images) or `auto` (containers when a Docker engine
 * answers, else processes).
 *
 * ### Examples
 * ```ts
 * const provider: TestProvider = 'auto'
 * ```
 */
export type TestProvider = 'process' | 'containers' | 'auto';

/** The environment variable {@link testProvider} reads. */
export const TEST_PROVIDER_ENV = 'EDGE_DB_TEST_PROVIDER';

const PROVIDERS: readonly TestProvider[] = ['process', 'containers', 'auto'];

/**
 * The provider named by `EDGE_DB_TEST_PROVIDER` (`process` when unset or empty), so a whole test suite
 * switches with one variable: `EDGE_DB_TEST_PROVIDER=containers npm test`. Throws `EdgeDbError`
 * `CONFIG_INVALID` for any other value.
 *
 * ### Examples
 * ```ts
 * const cluster = await startPostgresClusterWith({ provider: testProvider(), replicas: 1 })
 * testProvider({ EDGE_DB_TEST_PROVIDER: 'auto' }) // 'auto'
 * ```
 */
export function testProvider(env: Readonly<Record<string, string | undefined>> = process.env): TestProvider {
  const value = env[TEST_PROVIDER_ENV]?.trim().toLowerCase();
  if (value === undefined || value === '') return 'process';
  if ((PROVIDERS as readonly string[]).includes(value)) return value as TestProvider;
  throw new EdgeDbError(
    'CONFIG_INVALID',
    `${TEST_PROVIDER_ENV} must be one of ${PROVIDERS.join(', ')} (or unset for process), got ${JSON.stringify(env[TEST_PROVIDER_ENV])}.`,
  );
}
