import { type CompiledQuery, type DatabaseConnection, CompiledQuery as Query } from 'kysely';
import type {
  NodeRole,
  PositionedResult,
  ReplicationAdapter,
} from '../../consistency/replication-adapter.js';
import type { ReplicationPosition } from '../../consistency/replication-position.js';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import { bookmarkPosition } from './d1-bookmark.js';
import { D1Connection } from './d1-connection.js';

const POSITION_PROBE = Query.raw('select 1');

/**
 * Positions of a D1 session: the order-preserving number of its bookmark (see `bookmarkPosition`), read
 * from the session after each statement, without a round trip. D1 picks the replica itself and keeps the
 * session sequentially consistent, so every statement's rows reflect at least the bookmark the session
 * held before it (`floorGuaranteed`): the cache stamps entries with it.
 *
 * ### Examples
 * ```ts
 * const { result, position } = await new D1ReplicationAdapter().executeWithPosition(connection, compiled, {
 *   role: 'primary',
 * })
 * ```
 */
export class D1ReplicationAdapter implements ReplicationAdapter {
  readonly family = 'd1' as const;
  readonly floorGuaranteed = true;

  async readPosition(connection: DatabaseConnection): Promise<ReplicationPosition | undefined> {
    const d1 = asD1(connection);
    const known = bookmarkPosition(d1.bookmark);
    if (known !== undefined) return known;
    // A session that ran nothing yet has no bookmark: one statement gives it one.
    await d1.executeQuery(POSITION_PROBE);
    return bookmarkPosition(d1.bookmark);
  }

  async executeWithPosition<R>(
    connection: DatabaseConnection,
    query: CompiledQuery,
    _options: { readonly role: NodeRole; readonly minPosition?: ReplicationPosition | undefined },
  ): Promise<PositionedResult<R>> {
    const d1 = asD1(connection);
    const floor = bookmarkPosition(d1.bookmark);
    const result = await d1.executeQuery<R>(query);
    return { result, position: bookmarkPosition(d1.bookmark) ?? floor, floor };
  }
}

function asD1(connection: DatabaseConnection): D1Connection {
  if (D1Connection.is(connection)) return connection;
  throw new EdgeDbError(
    'CONFIG_INVALID',
    'D1ReplicationAdapter got a connection of another driver; use it only with d1() backends.',
  );
}
