import type { ReplicationFamily } from '../consistency/replication-adapter.js';
import { EdgeDbError } from '../errors/edge-db-error.js';

/**
 * What identifies a cached read. Everything that can change the rows of the same SQL text belongs here.
 *
 * ### Examples
 * ```ts
 * const input: CacheKeyInput = { family: 'postgres', sql: compiled.sql, parameters: compiled.parameters, clusterKey: 'prod-eu' }
 * ```
 */
export interface CacheKeyInput {
  readonly family: ReplicationFamily;
  readonly sql: string;
  readonly parameters: readonly unknown[];
  /** PostgreSQL's `search_path` when it is not the default (unqualified names resolve through it). */
  readonly searchPath?: string | readonly string[] | undefined;
  /**
   * Identifies the database and everything that changes what a query sees: the cluster, and the role or
   * tenant when rows depend on who asks (row-level security).
   */
  readonly clusterKey: string;
}

const KEY_VERSION = 1;

/**
 * Builds the cache key of a read. Parameters are serialised with their types so that values that print
 * alike stay distinct (`1` vs `'1'` vs `1n`, `null` vs `undefined`, a `Date` vs its ISO string, a
 * `Uint8Array` vs an array of numbers) and the same values always give the same key. Nested JSON keeps its
 * property order, because that is the text the driver sends.
 *
 * Throws an `EdgeDbError` with code `UNSUPPORTED` for a parameter that cannot be a database value (a function
 * or a symbol); the router should then skip the cache for that query.
 *
 * ### Examples
 * ```ts
 * cacheKey({ family: 'postgres', sql: 'select * from person where id = $1', parameters: [1n], clusterKey: 'main' })
 * ```
 */
export function cacheKey(input: CacheKeyInput): string {
  return cacheKeyWith(cacheKeyPrefix(input), input.parameters);
}

/**
 * The part of a {@link cacheKey} that does not depend on the parameters, for callers that build many keys of
 * one SQL text: `cacheKeyWith(cacheKeyPrefix(input), parameters)` is `cacheKey(input)`.
 *
 * ### Examples
 * ```ts
 * const prefix = cacheKeyPrefix({ family: 'postgres', sql: 'select * from person where id = $1', clusterKey: 'main' })
 * ```
 */
export function cacheKeyPrefix(input: Omit<CacheKeyInput, 'parameters'>): string {
  const searchPath = typeof input.searchPath === 'string' ? [input.searchPath] : (input.searchPath ?? []);
  const head = JSON.stringify([KEY_VERSION, input.family, input.clusterKey, [...searchPath], input.sql]);
  return head.slice(0, -1);
}

/**
 * A {@link cacheKey} from its {@link cacheKeyPrefix} and the query's parameters (throws as `cacheKey` does).
 *
 * ### Examples
 * ```ts
 * cacheKeyWith(prefix, [1n])
 * ```
 */
export function cacheKeyWith(prefix: string, parameters: readonly unknown[]): string {
  return plainKey(prefix, parameters) ?? `${prefix},${JSON.stringify(parameters.map(encodeValue))}]`;
}

/**
 * The key of parameters that are all strings, booleans, null and finite numbers other than -0 (they encode as
 * themselves), written out directly: the same text as `JSON.stringify`, about 4x faster on a hit's key.
 * `undefined` when one is of another kind.
 */
function plainKey(prefix: string, parameters: readonly unknown[]): string | undefined {
  let key = `${prefix},[`;
  for (let index = 0; index < parameters.length; index++) {
    const value = parameters[index];
    if (index > 0) key += ',';
    switch (typeof value) {
      case 'number':
        if (!Number.isFinite(value) || Object.is(value, -0)) return undefined;
        key += String(value);
        break;
      case 'string':
        key += JSON.stringify(value);
        break;
      case 'boolean':
        key += value ? 'true' : 'false';
        break;
      default:
        if (value !== null) return undefined;
        key += 'null';
    }
  }
  return `${key}]]`;
}

/**
 * A JSON value that tags every non-JSON type with a one-letter marker inside an array. Arrays themselves are
 * tagged (`['a', ...]`), so a user's array can never look like a tagged value.
 */
function encodeValue(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0)
        ? value
        : ['n', Object.is(value, -0) ? '-0' : String(value)];
    case 'bigint':
      return ['b', value.toString()];
    case 'undefined':
      return ['u'];
    case 'object':
      return value === null ? null : encodeObject(value);
    default:
      throw new EdgeDbError(
        'UNSUPPORTED',
        `cannot build a cache key for a query parameter of type ${typeof value}; run this query without the cache`,
      );
  }
}

function encodeObject(value: object): unknown {
  if (Array.isArray(value)) return ['a', ...value.map(encodeValue)];
  if (value instanceof Date) return ['d', Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()];
  if (ArrayBuffer.isView(value))
    return ['x', hex(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))];
  if (value instanceof ArrayBuffer) return ['x', hex(new Uint8Array(value))];
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return ['j', encodeValue((value as { toJSON: () => unknown }).toJSON())];
  }
  const entries: unknown[] = ['o'];
  for (const key of Object.keys(value))
    entries.push(key, encodeValue((value as Record<string, unknown>)[key]));
  return entries;
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte < 16 ? `0${byte.toString(16)}` : byte.toString(16);
  return out;
}
