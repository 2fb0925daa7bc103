import type { Dialect, QueryCompiler } from 'kysely';
import type { ReplicationAdapter, ReplicationFamily } from '../consistency/replication-adapter.js';
import { ConsistencySession } from '../consistency/session.js';
import type { Backend } from '../drivers/backend.js';
import type { Coordinates } from '../drivers/region-spec.js';
import { ClusterState } from './cluster/cluster-state.js';
import type { ResolvedRouterSettings } from './config/resolved-settings.js';
import { ConfiguredTokens, type TokenOptions } from './configured-tokens.js';
import type { RouteEvent } from './observe/route-event.js';
import type { RoutedNode } from './routed-node.js';
import { RouterContext } from './router-context.js';
import type { CallerLocation } from './select/location/detect-caller-location.js';

/** What one `edgeDbDialect(config)` call checked and resolved. */
export interface RouterBlueprintParts {
  /** The primary, then the replicas. */
  readonly backends: readonly Backend[];
  readonly names: readonly string[];
  readonly adapters: readonly (ReplicationAdapter | undefined)[];
  readonly coordinates: readonly (Coordinates | undefined)[];
  readonly family: ReplicationFamily;
  readonly settings: ResolvedRouterSettings;
  /** The cluster's isolate state from the registry; `undefined` when the cluster has no identity. */
  readonly cluster: ClusterState | undefined;
  /** What tokens are bound to (the cluster state of an unidentified cluster is made per instance from it). */
  readonly tokenKey: string;
  readonly tokens: TokenOptions;
  readonly now: () => number;
  readonly caller: CallerLocation | undefined;
  readonly waitUntil: ((promise: Promise<unknown>) => void) | undefined;
  readonly onRoute: ((event: RouteEvent) => void) | undefined;
}

/**
 * A checked configuration, from which the routing dialect makes one {@link RouterContext} per Kysely
 * instance (Kysely asks for its driver once). Everything that outlives a request is the cluster's isolate
 * state; what is made here per instance is what belongs to one session: its node drivers (I/O objects) and
 * its consistency session.
 */
export class RouterBlueprint {
  readonly #parts: RouterBlueprintParts;

  constructor(parts: RouterBlueprintParts) {
    this.#parts = parts;
  }

  /** The primary's dialect: its compiler, adapter and introspector are the instance's. */
  get primaryDialect(): Dialect {
    return this.#parts.backends[0]!.dialect;
  }

  /** The primary dialect's query compiler, shared by the instances of an identified cluster. */
  queryCompiler(): QueryCompiler {
    const { cluster } = this.#parts;
    const dialect = this.primaryDialect;
    return cluster === undefined ? dialect.createQueryCompiler() : cluster.queryCompiler(dialect);
  }

  /** A new instance's context: its nodes' drivers and a fresh session over the cluster's shared state. */
  context(): RouterContext {
    const parts = this.#parts;
    const { backends, names, settings } = parts;
    const cluster =
      parts.cluster ??
      new ClusterState(`instance:${names.join('|')}`, parts.tokenKey, settings.health, parts.now);
    const nodes: RoutedNode[] = [];
    for (let index = 0; index < backends.length; index++) {
      const backend = backends[index]!;
      const name = names[index]!;
      const key = backend.id ?? name;
      nodes.push({
        name,
        key,
        role: index === 0 ? 'primary' : 'replica',
        backend,
        driver: backend.dialect.createDriver(),
        adapter: parts.adapters[index],
        state: cluster.node(key),
        coordinates: parts.coordinates[index],
      });
    }
    return new RouterContext({
      nodes,
      session: new ConsistencySession(),
      cluster,
      identified: parts.cluster !== undefined,
      settings,
      tokens: new ConfiguredTokens(parts.tokens, cluster, parts.family),
      now: parts.now,
      caller: parts.caller,
      waitUntil: parts.waitUntil,
      onRoute: parts.onRoute,
    });
  }
}
