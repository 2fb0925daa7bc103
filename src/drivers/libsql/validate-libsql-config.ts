import { createClient as createWebClient } from '@libsql/client/web';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import type { LibsqlDialectConfig } from './libsql-dialect-config.js';

const INT_MODES = ['number', 'bigint', 'string'];
/** Schemes `@libsql/client` speaks; `file:` (and `:memory:`) only through the Node client. */
const SCHEMES = ['libsql:', 'https:', 'http:', 'ws:', 'wss:', 'file:'];

/**
 * Throws `EdgeDbError` code `CONFIG_INVALID` with the exact problem when a libSQL configuration is unusable.
 *
 * ### Examples
 * ```ts
 * validateLibsqlConfig({ url: 'http://127.0.0.1:8080', requestTimeoutMs: 5_000 })
 * ```
 */
export function validateLibsqlConfig(config: LibsqlDialectConfig): void {
  const invalid = (message: string): never => {
    throw new EdgeDbError('CONFIG_INVALID', `libsql: ${message}`);
  };
  if (typeof config !== 'object' || config === null) invalid('options must be an object with a `url`.');
  if (typeof config.url !== 'string' || config.url === '') {
    invalid(
      '`url` must be a non-empty string such as "libsql://db-org.turso.io" or "http://127.0.0.1:8080".',
    );
  }
  const scheme = schemeOf(config.url);
  if (scheme === undefined && config.url !== ':memory:') {
    invalid(
      `\`url\` ${JSON.stringify(config.url)} has no scheme; use "libsql://...", "https://...", "http://..." or ` +
        '"file:path.db" (with `createClient` from "@libsql/client").',
    );
  }
  if (scheme !== undefined && !SCHEMES.includes(scheme)) {
    invalid(
      `\`url\` has the scheme "${scheme}", which libSQL does not speak; use one of ${SCHEMES.join(', ')} ` +
        '(for example "libsql://db-org.turso.io").',
    );
  }
  const local = scheme === undefined || scheme === 'file:'; // `:memory:` is a local database too
  if (local && (config.createClient === undefined || config.createClient === createWebClient)) {
    invalid(
      `\`url\` ${JSON.stringify(config.url)} is a local database, which the web client cannot open: pass ` +
        '`createClient` from "@libsql/client" (Node), or use an http:, https: or libsql: URL.',
    );
  }
  if (config.authToken !== undefined && typeof config.authToken !== 'string')
    invalid('`authToken` must be a string.');
  if (config.fetch !== undefined && typeof config.fetch !== 'function')
    invalid('`fetch` must be a function.');
  if (config.createClient !== undefined && typeof config.createClient !== 'function') {
    invalid('`createClient` must be a function such as createClient from "@libsql/client".');
  }
  if (config.intMode !== undefined && !INT_MODES.includes(config.intMode)) {
    invalid(`\`intMode\` must be one of ${INT_MODES.join(', ')}, got ${JSON.stringify(config.intMode)}.`);
  }
  const timeout = config.requestTimeoutMs;
  if (timeout !== undefined && !(typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0)) {
    invalid(`\`requestTimeoutMs\` must be a positive number of milliseconds, got ${String(timeout)}.`);
  }
}

/** The URL's scheme with its colon, lower case; `undefined` for `:memory:` and other scheme-less paths. */
function schemeOf(url: string): string | undefined {
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  return match === null ? undefined : `${match[1]!.toLowerCase()}:`;
}
