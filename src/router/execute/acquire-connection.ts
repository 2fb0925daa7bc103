import type { DatabaseConnection } from 'kysely';
import type { RoutedNode } from '../routed-node.js';
import { withDeadline } from './with-deadline.js';

/** What a driver's answer is raced against to learn whether it is already there. */
const NOT_YET = Symbol('not yet');

/**
 * A real connection of `node` within `timeoutMs`. A connection that arrives after the deadline is released
 * as soon as it arrives, so a slow connect never leaks one.
 *
 * Most drivers hand a connection over at once (a virtual one per statement, or an idle one of a pool): those
 * are taken without arming a timer, which costs more than the rest of the hand-over. Only a driver that makes
 * the caller wait gets the deadline.
 */
export async function acquireConnection(
  node: RoutedNode,
  timeoutMs: number,
  purpose = 'connecting to',
): Promise<DatabaseConnection> {
  const acquiring = node.driver.acquireConnection();
  // A promise that already settled wins: its reaction is queued before the one of `NOT_YET`.
  const ready = await Promise.race([acquiring, Promise.resolve(NOT_YET)]);
  if (ready !== NOT_YET) return ready;
  return await withDeadline(acquiring, timeoutMs, `${purpose} "${node.name}"`, (late) => {
    if (late.status === 'fulfilled') void node.driver.releaseConnection(late.value).catch(() => undefined);
  });
}
