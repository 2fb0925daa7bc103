import { EdgeDbError } from '../../errors/edge-db-error.js';
import type { NeonDialectConfig } from './neon-dialect-config.js';

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
