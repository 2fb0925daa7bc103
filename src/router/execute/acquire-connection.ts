import type { DatabaseConnection } from 'kysely';
import type { RoutedNode } from '../routed-node.js';
import { withDeadline } from './with-deadline.js';

/**
 * A real connection of `node` within `timeoutMs`. A connection that arrives after the deadline is released
 * as soon as it arrives, so a slow connect never leaks one.
 */
export function acquireConnection(
  node: RoutedNode,
  timeoutMs: number,
  purpose = 'connecting to',
): Promise<DatabaseConnection> {
  return withDeadline(node.driver.acquireConnection(), timeoutMs, `${purpose} "${node.name}"`, (late) => {
    if (late.status === 'fulfilled') void node.driver.releaseConnection(late.value).catch(() => undefined);
  });
}
