import type { Dialect, Kysely } from 'kysely';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type IsolateCacheConfig,
  type IsolateCacheOptions,
  isolateCache,
  type QueryCacheStore,
  type CacheStats as StoreStats,
} from '../../src/cache/index.js';
import { type LibsqlBackendOptions, libsql } from '../../src/drivers/libsql/index.js';
import { type NeonOptions, neon } from '../../src/drivers/neon/index.js';
import {
  type Backend,
  type CacheStats,
  cacheStats,
  consistencyToken,
  type EdgeDbConfig,
  type EdgeDbError,
  type EdgeDbErrorCode,
  edgeDb,
  edgeDbDialect,
  explainRoute,
  invalidateCache,
  type RouteEvent,
  type RouteExplanation,
  type RouteHint,
  readToken,
  route,
  type SessionInfo,
  sessionInfo,
  withToken,
} from '../../src/index.js';

interface Database {
  person: { id: number; name: string };
}

describe('public API types', () => {
  it('edgeDb gives a Kysely of the database type; edgeDbDialect a Kysely dialect', () => {
    expectTypeOf(edgeDb<Database>).returns.toEqualTypeOf<Kysely<Database>>();
    expectTypeOf(edgeDbDialect).returns.toEqualTypeOf<Dialect>();
    expectTypeOf(edgeDb<Database>)
      .parameter(0)
      .toEqualTypeOf<EdgeDbConfig>();
  });

  it('drivers build backends', () => {
    expectTypeOf(neon).parameter(0).toEqualTypeOf<NeonOptions>();
    expectTypeOf(neon).returns.toMatchTypeOf<Backend>();
    expectTypeOf(libsql).parameter(0).toEqualTypeOf<LibsqlBackendOptions>();
    expectTypeOf(libsql).returns.toMatchTypeOf<Backend>();
  });

  it('configuration types what it accepts', () => {
    expectTypeOf<EdgeDbConfig['readPreference']>().toEqualTypeOf<
      'primary' | 'primaryPreferred' | 'replica' | 'replicaPreferred' | 'nearest' | undefined
    >();
    expectTypeOf<{ primary: Backend; cache: IsolateCacheConfig }>().toMatchTypeOf<EdgeDbConfig>();
    // The cache comes from edge-db/cache: a plain options object (the old API) does not type-check.
    expectTypeOf<{ primary: Backend; cache: { ttlMs: number } }>().not.toMatchTypeOf<EdgeDbConfig>();
    expectTypeOf<{ primary: Backend; cache: 'yes' }>().not.toMatchTypeOf<EdgeDbConfig>();
    expectTypeOf<EdgeDbConfig['onRoute']>().toEqualTypeOf<((event: RouteEvent) => void) | undefined>();
  });

  it('edge-db/cache builds the cache option', () => {
    expectTypeOf(isolateCache).parameter(0).toEqualTypeOf<IsolateCacheOptions | undefined>();
    expectTypeOf(isolateCache).returns.toEqualTypeOf<IsolateCacheConfig>();
    expectTypeOf(isolateCache).returns.toMatchTypeOf<NonNullable<EdgeDbConfig['cache']>>();
    expectTypeOf<IsolateCacheOptions>().toEqualTypeOf<{
      readonly ttlMs?: number;
      readonly swrMs?: number;
      readonly maxBytes?: number;
      readonly allReads?: boolean;
    }>();
    expectTypeOf<{ ttlMs: '2s' }>().not.toMatchTypeOf<IsolateCacheOptions>();
    expectTypeOf<IsolateCacheConfig['createStore']>().returns.toEqualTypeOf<QueryCacheStore>();
    expectTypeOf<ReturnType<QueryCacheStore['stats']>>().toEqualTypeOf<StoreStats>();
    expectTypeOf<StoreStats>().toEqualTypeOf<CacheStats>();
  });

  it('instance functions are asynchronous and typed', () => {
    expectTypeOf(consistencyToken).returns.toEqualTypeOf<Promise<string | undefined>>();
    expectTypeOf(sessionInfo).returns.toEqualTypeOf<Promise<SessionInfo>>();
    expectTypeOf(cacheStats).returns.toEqualTypeOf<Promise<CacheStats>>();
    expectTypeOf(invalidateCache).returns.toEqualTypeOf<Promise<number>>();
    expectTypeOf(explainRoute).returns.toEqualTypeOf<Promise<RouteExplanation>>();
  });

  it('route keeps the Kysely type; hints are typed', () => {
    expectTypeOf(route<Kysely<Database>>).returns.toEqualTypeOf<Kysely<Database>>();
    expectTypeOf<{ readPreference: 'primary'; cache: { ttlMs: 5 } }>().toMatchTypeOf<RouteHint>();
    expectTypeOf<{ readPreference: 'fastest' }>().not.toMatchTypeOf<RouteHint>();
  });

  it('tokens travel in requests and responses', () => {
    expectTypeOf(readToken).returns.toEqualTypeOf<string | undefined>();
    expectTypeOf(readToken).returns.not.toEqualTypeOf<string>();
    expectTypeOf(withToken).returns.toEqualTypeOf<Response>();
  });

  it('errors carry a code', () => {
    expectTypeOf<EdgeDbError['code']>().toEqualTypeOf<EdgeDbErrorCode>();
    expectTypeOf<'CONFIG_INVALID'>().toMatchTypeOf<EdgeDbErrorCode>();
  });
});
