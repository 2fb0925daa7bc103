import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryId,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import type { ConsistencyMode } from '../../consistency/consistency-mode.js';
import type { ReadPreference } from './read-preference.js';

/** Per-query routing and caching instructions. Every field is optional; unset fields use the instance config. */
export interface RouteHint {
  /** Where this read may go. A strict `replica` on a write is an `EdgeDbError` with code `WRITE_ON_REPLICA`. */
  readonly readPreference?: ReadPreference;
  /** Send the statement to this node (by backend name). Writes may only name the primary. */
  readonly node?: string;
  /** Freshness required by this read. */
  readonly consistency?: ConsistencyMode;
  /** Skip replicas whose estimated lag exceeds this many milliseconds. */
  readonly maxStalenessMs?: number;
  /** Deadline for the whole query including fallbacks, in milliseconds. */
  readonly timeoutMs?: number;
  /** Cache this read (`true` or options), or never cache it (`false`). */
  readonly cache?:
    | boolean
    | {
        readonly ttlMs?: number;
        readonly swrMs?: number;
        readonly tags?: readonly string[];
        readonly allowVolatile?: boolean;
      };
}

/**
 * The hints of queries being executed, keyed by the `QueryId` object Kysely passes from the plugin to the
 * compiled query. A WeakMap: entries disappear with the query.
 */
const hints = new WeakMap<QueryId, RouteHint>();

/** The hint attached to a compiled query by {@link RouteHintPlugin}, if any. */
export function routeHintOf(queryId: QueryId | undefined): RouteHint | undefined {
  return queryId === undefined ? undefined : hints.get(queryId);
}

/**
 * A Kysely plugin that attaches a {@link RouteHint} to every query built through it. Use it with
 * `db.withPlugin(...)`, or through the {@link route} shortcut.
 *
 * ### Examples
 * ```ts
 * const fresh = await db.withPlugin(new RouteHintPlugin({ consistency: 'strong' }))
 *   .selectFrom('account').selectAll().execute()
 * ```
 */
export class RouteHintPlugin implements KyselyPlugin {
  readonly #hint: RouteHint;

  constructor(hint: RouteHint) {
    this.#hint = Object.freeze({ ...hint });
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const previous = hints.get(args.queryId);
    // Several hint plugins compose; the one applied last (outermost withPlugin call) wins per field.
    hints.set(args.queryId, previous === undefined ? this.#hint : { ...previous, ...this.#hint });
    return args.node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

/**
 * Returns `db` with a routing hint for every query built from it.
 *
 * ### Examples
 * ```ts
 * const rows = await route(db, { readPreference: 'primary' }).selectFrom('order').selectAll().execute()
 * await route(db, { cache: { ttlMs: 5_000, tags: ['catalog'] } }).selectFrom('product').selectAll().execute()
 * ```
 */
export function route<DB extends { withPlugin(plugin: KyselyPlugin): DB }>(db: DB, hint: RouteHint): DB {
  return db.withPlugin(new RouteHintPlugin(hint));
}
