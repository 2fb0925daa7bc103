import { EdgeDbError } from '../../errors/edge-db-error.js';

/**
 * Resolves or rejects like `promise`, or rejects with `EdgeDbError('TIMEOUT')` after `ms`. The timer never
 * outlives the race. `onLate` receives the original promise's outcome if it settles after the deadline, so
 * its resources (a connection still busy with the query) can be released then. Written with `await` so a
 * failing query's error keeps the caller's async stack.
 */
export async function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  onLate?: (outcome: PromiseSettledResult<T>) => void,
): Promise<T> {
  if (!Number.isFinite(ms)) return await promise;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(
        new EdgeDbError(
          'TIMEOUT',
          `${what} did not answer within ${ms} ms; raise timeoutMs or check the node`,
        ),
      );
    }, ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
    if (timedOut && onLate !== undefined) {
      promise.then(
        (value) => onLate({ status: 'fulfilled', value }),
        (reason: unknown) => onLate({ status: 'rejected', reason }),
      );
    }
  }
}
