import type { ReplicationFamily } from '../consistency/replication-adapter.js';
import { cacheKeyPrefix, cacheKeyWith } from './cache-key.js';

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

/** The id last used for each SQL text (its memo object: the router's analysis), with the cluster it was built for. */
const lastIds = new WeakMap<
  object,
  { readonly family: string; readonly scope: string; readonly id: string }
>();

/** What identifies one read for {@link readKey}. */
export interface ReadKeyInput {
  /** An object that stands for the SQL text for as long as it lives (the router passes the text's analysis). */
  readonly memo: object;
  readonly family: ReplicationFamily;
  /** The cluster's cache scope. */
  readonly scope: string;
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/**
 * The isolate cache's key of a read. The SQL text and the cluster (the key's prefix, see `cacheKeyPrefix`) are
 * replaced by a short id interned per prefix, so a hit neither JSON-encodes the SQL again nor hashes a key as long
 * as the SQL: on a 10-row hit those were a third of the cache's own cost. An id stands for one prefix only (ids
 * are never reused); when the table of ids is full it starts over with new ids. Throws as `cacheKey` does for a
 * parameter that cannot be a database value.
 *
 * ### Examples
 * ```ts
 * const key = readKey({ memo: analyzeQuery(compiled), family: 'postgres', scope, sql: compiled.sql, parameters }) // '#12,[10]]'
 * ```
 */
export function readKey(input: ReadKeyInput): string {
  const { memo, family, scope } = input;
  const last = lastIds.get(memo);
  // The family too: the same `cluster` name could in principle name a PostgreSQL and a libSQL database.
  if (last !== undefined && last.scope === scope && last.family === family) {
    return cacheKeyWith(last.id, input.parameters);
  }
  const prefix = cacheKeyPrefix({ family, sql: input.sql, clusterKey: scope });
  // A full prefix starts with '[' and an id with '#': the two kinds of keys never meet.
  const id = prefix.length > MAX_INTERNED_PREFIX ? prefix : internedId(prefix);
  lastIds.set(memo, { family, scope, id });
  return cacheKeyWith(id, input.parameters);
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
