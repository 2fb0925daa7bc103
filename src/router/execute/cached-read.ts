import type { QueryResult } from 'kysely';
import type { CacheReadResult } from '../../cache/cache-read-result.js';
import type { ReplicationPosition } from '../../consistency/replication-position.js';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import type { RouterContext } from '../router-context.js';
import { isPromise } from './is-promise.js';
import type { ReadRequest } from './read-statement.js';

/** What loading from the nodes tells the cache. */
export interface NodeRead<R> {
  readonly result: QueryResult<R>;
  /** The position the rows are known to reflect (stored with the entry). */
  readonly floor: ReplicationPosition | undefined;
}

/**
 * A read through the cluster's isolate cache when the instance or the query's hint enables it; otherwise (or
 * when the key cannot be built) straight from the nodes. Entries are served only to sessions whose requirement
 * they meet; strong reads, volatile SQL and sessions with an unconfirmed write bypass it. Emits the route event
 * of hits and of reads answered by another request's load; `load` emits its own.
 */
export function cachedRead<R>(
  ctx: RouterContext,
  request: ReadRequest,
  load: (cacheOutcome?: {
    readonly status: 'miss' | 'bypass';
    readonly reason?: string;
  }) => Promise<NodeRead<R>>,
): QueryResult<R> | Promise<QueryResult<R>> {
  const { query, hint, started, analysis } = request;
  const cacheHint = hint?.cache;
  const wantsCache = cacheHint === undefined ? ctx.settings.cacheAllReads : cacheHint !== false;
  if (!wantsCache) return load().then(resultOf);
  // Only a hint gets here without the option (allReads needs it): refused rather than silently uncached, so
  // a forgotten `cache` option shows up in development instead of as load on the replicas in production.
  if (ctx.settings.cache === undefined) throw cacheNotConfigured();
  const cache = ctx.cache();
  // A cluster without an identity (a plain dialect without `id` or `cluster`) could share keys with another
  // database: never cached.
  if (cache === undefined) return load({ status: 'bypass', reason: 'no-cluster-identity' }).then(resultOf);

  const options = typeof cacheHint === 'object' ? cacheHint : undefined;
  const consistency = hint?.consistency ?? ctx.settings.consistency;
  const bypass =
    consistency === 'strong'
      ? 'strong-consistency'
      : consistency === 'session' &&
          (ctx.session.positionPending || ctx.session.pendingTransactions.length > 0)
        ? 'write-position-pending'
        : consistency === 'session' && ctx.session.unlearnedNode !== undefined
          ? 'read-position-unknown'
          : options?.allowVolatile !== true && analysis.isVolatile(query)
            ? 'volatile-function'
            : undefined;
  let key: string;
  try {
    key = cache.keyOf({
      memo: analysis,
      family: ctx.tokens.family === 'libsql' ? 'libsql' : 'postgres',
      scope: ctx.cacheScope,
      sql: query.sql,
      parameters: query.parameters,
    });
  } catch {
    // Parameters the key cannot represent (functions, symbols): not cacheable.
    return load().then(resultOf);
  }
  let loadedHere = false;
  const defaults = ctx.settings.cache;
  const read = cache.read<R>(
    key,
    {
      scope: ctx.cacheScope,
      now: ctx.now,
      tables: analysis.readTables(query),
      minPosition: consistency === 'session' ? ctx.session.minPosition : undefined,
      ttlMs: options?.ttlMs ?? defaults?.ttlMs,
      swrMs: options?.swrMs ?? defaults?.swrMs,
      scopeMaxBytes: defaults?.maxBytes,
      // Absent and `undefined` mean the same to the cache: one object shape for every read (no spreads).
      tags: options?.tags,
      waitUntil: ctx.waitUntil,
      bypass,
    },
    async (reason) => {
      // What the cache decided reaches the load's route event: an entry bypassed for the session's position,
      // or a background refresh.
      const read = await load(
        bypass !== undefined
          ? { status: 'bypass', reason: bypass }
          : reason === undefined
            ? MISS
            : reason === 'refresh'
              ? REFRESH
              : { status: 'bypass', reason },
      );
      loadedHere = true;
      // An entry is served only to sessions whose requirement is at or below what its rows are known to
      // reflect: the floor, not the node's later position.
      return { result: read.result, position: read.floor };
    },
  );
  // A hit answers synchronously: no async frame on the path of every cached read.
  const finish = (outcome: CacheReadResult<R>): QueryResult<R> => {
    if (loadedHere) {
      const counters = ctx.cluster.cacheCounters;
      if (outcome.status === 'bypass') counters.bypasses++;
      else counters.misses++;
    }
    if (outcome.status === 'hit' || outcome.status === 'stale' || !loadedHere) {
      // Rows from memory or from another request's load: the session moves to their position (monotonic reads).
      if (consistency === 'session') {
        if (outcome.position !== undefined) ctx.session.noteRead(outcome.position);
        // Rows of unknown position (read from the primary, or through an adapter that cannot tell): the
        // primary is at or past them, so the session's next read goes there and learns a position.
        else ctx.session.noteServedBy(ctx.primary.name, 'primary', undefined);
      }
      const counters = ctx.cluster.cacheCounters;
      if (outcome.status === 'hit') counters.hits++;
      else if (outcome.status === 'stale') counters.stale++;
      else if (outcome.status === 'bypass') counters.bypasses++;
      else counters.misses++;
      if (ctx.observed) {
        ctx.emit({
          sql: query.sql,
          node: 'cache',
          role: 'cache',
          reason: 'cache',
          durationMs: ctx.now() - started,
          attempts: [],
          cache: outcome.status,
          ...(outcome.reason !== undefined
            ? { cacheReason: outcome.reason }
            : !loadedHere && outcome.status === 'miss'
              ? { cacheReason: 'joined an identical read in flight' }
              : NO_REASON),
        });
      }
    }
    return outcome.result;
  };
  return isPromise(read) ? Promise.resolve(read).then(finish) : finish(read);
}

/** The rows of a read from the nodes. */
export function resultOf<R>(read: NodeRead<R>): QueryResult<R> {
  return read.result;
}

const NO_REASON = {} as const;
const MISS = { status: 'miss' } as const;
const REFRESH = { status: 'miss', reason: 'refresh' } as const;

function cacheNotConfigured(): EdgeDbError {
  return new EdgeDbError(
    'CONFIG_INVALID',
    'this query asks for the cache (route(db, { cache })) but its edgeDb instance has no `cache` option: configure ' +
      "`cache: isolateCache({ allReads: false })` (`import { isolateCache } from 'edge-db/cache'`) to cache only " +
      'hinted reads, or drop the hint',
  );
}
