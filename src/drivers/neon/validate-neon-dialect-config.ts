import { neonConfig } from '@neondatabase/serverless';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import type { NeonDialectConfig } from './neon-dialect-config.js';
import { endpointKeyOf } from './neon-fetch-endpoint.js';

/**
 * Checks a {@link NeonDialectConfig} up front, so a typo fails at start-up with a message that says what to
 * fix instead of at the first query. Throws an `EdgeDbError` with code `CONFIG_INVALID`.
 *
 * ### Examples
 * ```ts
 * validateNeonDialectConfig({ url: 'postgresql://user:pw@ep-x.neon.tech/db' }) // ok
 * validateNeonDialectConfig({ url: 'mysql://x' }) // throws CONFIG_INVALID
 * ```
 */
export function validateNeonDialectConfig(config: NeonDialectConfig): void {
  if (typeof config !== 'object' || config === null) {
    throw new EdgeDbError('CONFIG_INVALID', 'neon() needs an options object with at least { url }.');
  }
  const { url } = config;
  if (typeof url !== 'string' || !/^postgres(?:ql)?:\/\/[^/]+/.test(url)) {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      'neon() needs `url` as a PostgreSQL connection string (postgresql://user:password@host/database).',
    );
  }
  if (sendsToAnotherHost(config)) {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      `neon() got a connection string for ${hostLabel(url)}, which is not a Neon host (*.neon.tech), and no ` +
        "`fetchEndpoint` or `wsProxy`: Neon's driver would send its SQL-over-HTTP requests to " +
        `${defaultEndpoint(hostLabel(url))}. For a PostgreSQL server of your own use a Kysely Postgres dialect ` +
        '(PostgresDialect with node-postgres) as the backend, or pass the `fetchEndpoint`/`wsProxy` of a Neon-protocol proxy.',
    );
  }
  for (const name of ['requestTimeoutMs', 'connectTimeoutMs'] as const) {
    const value = config[name];
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
      throw new EdgeDbError(
        'CONFIG_INVALID',
        `neon() option ${name} must be a positive number of milliseconds, got ${String(value)}.`,
      );
    }
  }
  if (
    config.pipelineConnect !== undefined &&
    config.pipelineConnect !== 'password' &&
    config.pipelineConnect !== false
  ) {
    throw new EdgeDbError('CONFIG_INVALID', "neon() option pipelineConnect must be 'password' or false.");
  }
}

/**
 * What can be told at construction: a host that is not Neon's, with neither transport pointed elsewhere
 * (no `fetchEndpoint`/`wsProxy` option, and the global `neonConfig.fetchEndpoint` still derives Neon's
 * `https://api.<domain>/sql` from the host). Such a dialect reaches no server that speaks Neon's protocols:
 * every statement would fail like an outage. A custom domain in front of Neon, or a proxy configured through
 * the global `neonConfig`, passes.
 */
function sendsToAnotherHost(config: NeonDialectConfig): boolean {
  if (config.fetchEndpoint !== undefined || config.wsProxy !== undefined) return false;
  let host: string;
  let port: string;
  try {
    [host = '', port = ''] = endpointKeyOf(config.url).split(':');
  } catch {
    return false;
  }
  if (host === '' || /(^|\.)neon\.(tech|build)$/i.test(host)) return false;
  const global = neonConfig.fetchEndpoint as unknown;
  const endpoint =
    typeof global === 'function' ? (global as (h: string, p: string) => unknown)(host, port) : global;
  return endpoint === defaultEndpoint(host);
}

/** The endpoint `@neondatabase/serverless` derives for a host when nothing is configured. */
function defaultEndpoint(host: string): string {
  return `https://${host.replace(/^[^.]+\./, 'api.')}/sql`;
}

function hostLabel(url: string): string {
  try {
    return endpointKeyOf(url).split(':')[0] ?? 'this host';
  } catch {
    return 'this host';
  }
}
