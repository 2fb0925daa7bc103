import type { CompiledQuery } from 'kysely';
import { cacheKeyPrefix, cacheKeyWith } from '../../cache/cache-key.js';
import type { QueryAnalysis } from '../../sql/analyze-query.js';
import type { RouterContext } from '../router-context.js';

/**
 * The characters of key prefixes kept with a short id (about 1 MiB); past it the ids start over, and the entries
 * of the old ones are no longer found (they age out). Longer prefixes than `MAX_INTERNED_PREFIX` keep their full
 * text as the key.
 */
const MAX_INTERNED_CHARS = 512 * 1024;
const MAX_INTERNED_PREFIX = 4096;

/** The short id of each full key prefix (SQL text, cluster, family): ids are never reused, so never shared. */
const interned = new Map<string, string>();
let internedChars = 0;
let nextId = 0;

/** The id last used for each SQL text (its analysis), with the cluster it was built for. */
const lastIds = new WeakMap<
  QueryAnalysis,
  { readonly family: string; readonly scope: string; readonly id: string }
>();

/**
 * The isolate cache's key of a read. The SQL text and the cluster (the key's prefix, see `cacheKeyPrefix`) are
 * replaced by a short id interned per prefix, so a hit neither JSON-encodes the SQL again nor hashes a key as long
 * as the SQL: on a 10-row hit those were a third of the cache's own cost. An id stands for one prefix only (ids
 * are never reused); when the table of ids is full it starts over with new ids. Throws as `cacheKey` does for a
 * parameter that cannot be a database value.
 *
 * ### Examples
 * ```ts
 * const key = readCacheKey(ctx, compiled, analyzeQuery(compiled)) // '#12,[10]]'
 * ```
 */
export function readCacheKey(ctx: RouterContext, query: CompiledQuery, analysis: QueryAnalysis): string {
  const family = ctx.tokens.family === 'libsql' ? 'libsql' : 'postgres';
  const scope = ctx.cacheScope;
  const last = lastIds.get(analysis);
  // The family too: the same `cluster` name could in principle name a PostgreSQL and a libSQL database.
  if (last !== undefined && last.scope === scope && last.family === family) {
    return cacheKeyWith(last.id, query.parameters);
  }
  const prefix = cacheKeyPrefix({ family, sql: query.sql, clusterKey: scope });
  // A full prefix starts with '[' and an id with '#': the two kinds of keys never meet.
  const id = prefix.length > MAX_INTERNED_PREFIX ? prefix : internedId(prefix);
  lastIds.set(analysis, { family, scope, id });
  return cacheKeyWith(id, query.parameters);
}

function internedId(prefix: string): string {
  const known = interned.get(prefix);
  if (known !== undefined) return known;
  if (internedChars + prefix.length > MAX_INTERNED_CHARS) {
    interned.clear();
    internedChars = 0;
  }
  const id = `#${nextId++}`;
  interned.set(prefix, id);
  internedChars += prefix.length;
  return id;
}
