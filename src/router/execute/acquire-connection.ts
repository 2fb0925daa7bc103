import type { DatabaseConnection } from 'kysely';
import type { RoutedNode } from '../routed-node.js';
import { withDeadline } from './with-deadline.js';

/**
 * A real connection of `node` within `timeoutMs`. A connection that arrives after the deadline is released
 * as soon as it arrives, so a slow connect never leaks one.
 *
 * Most drivers hand a connection over at once (a virtual one per statement, or an idle one of a pool): those
 * are taken without arming a timer, which costs more than the rest of the hand-over. Only a driver that makes
 * the caller wait gets the deadline.
 */
export function acquireConnection(
  node: RoutedNode,
  timeoutMs: number,
  purpose = 'connecting to',
): Promise<DatabaseConnection> {
  // Promise.resolve: a driver that answers with a plain value (off Kysely's contract) is taken as well.
  const acquiring = Promise.resolve(node.driver.acquireConnection());
  let ready: DatabaseConnection | undefined;
  // A promise that already settled runs this reaction before the one below, queued after it.
  acquiring.then(
    (connection) => {
      ready = connection;
    },
    () => undefined,
  );
  return RESOLVED.then(
    () =>
      ready ??
      withDeadline(acquiring, timeoutMs, `${purpose} "${node.name}"`, (late) => {
        if (late.status === 'fulfilled')
          void node.driver.releaseConnection(late.value).catch(() => undefined);
      }),
  );
}

const RESOLVED: Promise<void> = Promise.resolve();
