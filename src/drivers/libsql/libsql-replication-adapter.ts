import { type CompiledQuery, type DatabaseConnection, CompiledQuery as Query } from 'kysely';
import type {
  NodeRole,
  PositionedResult,
  ReplicationAdapter,
} from '../../consistency/replication-adapter.js';
import type { ReplicationPosition } from '../../consistency/replication-position.js';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import { LibsqlConnection } from './libsql-connection.js';

const POSITION_PROBE = Query.raw('select 1');

/**
 * How the router learns and requires sqld's `replication_index` (the WAL frame number) on a libSQL node.
 * The index rides on the query's own HTTP round trip: read from every response, and sent as the
 * minimum a replica must have applied before it answers.
 *
 * ### Examples
 * ```ts
 * const adapter = new LibsqlReplicationAdapter()
 * const { result, position } = await adapter.executeWithPosition(connection, compiled, {
 *   role: 'replica',
 *   minPosition: 42n,
 * })
 * ```
 */
export class LibsqlReplicationAdapter implements ReplicationAdapter {
  readonly family = 'libsql' as const;
  /** False for nodes reached over `file:` or WebSocket: no response ever carries a replication index. */
  readonly reportsPositions: boolean;

  /** @param options.reportsPositions whether the node's transport carries indexes (`libsql()` sets it). */
  constructor(options: { readonly reportsPositions?: boolean } = {}) {
    this.reportsPositions = options.reportsPositions ?? true;
  }

  async readPosition(
    connection: DatabaseConnection,
    role: NodeRole,
  ): Promise<ReplicationPosition | undefined> {
    const { position } = await this.executeWithPosition(connection, POSITION_PROBE, { role });
    return position;
  }

  async executeWithPosition<R>(
    connection: DatabaseConnection,
    query: CompiledQuery,
    options: {
      readonly role: NodeRole;
      readonly minPosition?: ReplicationPosition | undefined;
      readonly signal?: AbortSignal | undefined;
    },
  ): Promise<PositionedResult<R>> {
    if (!LibsqlConnection.is(connection)) {
      throw new EdgeDbError(
        'CONFIG_INVALID',
        'LibsqlReplicationAdapter got a connection of another driver; use it only with libsql() backends.',
      );
    }
    // A primary has applied every index it ever handed out: requiring one there would only add work.
    const minIndex = options.role === 'replica' ? options.minPosition : undefined;
    if (minIndex !== undefined && !connection.tracksReplicationIndex) {
      throw new EdgeDbError(
        'REPLICA_BEHIND',
        'This libSQL replica is reached over a transport that cannot carry a replication index (only http:, ' +
          'https: and libsql: URLs can), so freshness cannot be guaranteed. Read from the primary.',
      );
    }
    const { result, index } = await connection.executeWithIndex<R>(query, minIndex, options.signal);
    // The response's index is the node's position when it answered (an upper bound of what the rows show).
    // The rows are only known to reflect the index the replica waited for; a primary reflects every index it
    // handed out before this statement, which the response does not tell apart from later commits.
    return { result, position: index, floor: minIndex };
  }
}
