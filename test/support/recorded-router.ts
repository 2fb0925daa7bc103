import type { Kysely } from 'kysely';
import { type EdgeDbConfig, edgeDb, type RouteEvent } from '../../src/index.js';
import type { fakeCluster } from './recording-dialect.js';

/** A router session over a fake cluster, and every route it reported, in order. */
export interface RecordedRouter<DB> {
  readonly db: Kysely<DB>;
  readonly events: RouteEvent[];
}

/**
 * `edgeDb` over a fake cluster's primary and replicas, named `cluster`, recording its routes in `events`;
 * `config` adds to or overrides any of that.
 */
export function recordedRouter<DB>(
  fake: ReturnType<typeof fakeCluster>,
  cluster: string,
  config: Partial<EdgeDbConfig> = {},
): RecordedRouter<DB> {
  const events: RouteEvent[] = [];
  const db = edgeDb<DB>({
    primary: fake.primary,
    replicas: fake.replicas,
    cluster,
    onRoute: (e) => events.push(e),
    ...config,
  });
  return { db, events };
}
