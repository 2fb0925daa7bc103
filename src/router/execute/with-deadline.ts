import { EdgeDbError } from '../../errors/edge-db-error.js';

/**
 * Resolves or rejects like `promise`, or rejects with `EdgeDbError('TIMEOUT')` after `ms`. The timer never
 * outlives the race. `onLate` receives the original promise's outcome if it settles after the deadline, so
 * its resources (a connection still busy with the query) can be released then. One promise and one timer per
 * call, no `Promise.race`: it is on every statement's path.
 */
export function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  onLate?: (outcome: PromiseSettledResult<T>) => void,
): Promise<T> {
  if (!Number.isFinite(ms)) return promise;
  return new Promise<T>((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      reject(
        new EdgeDbError(
          'TIMEOUT',
          `${what} did not answer within ${ms} ms; raise timeoutMs or check the node`,
        ),
      );
    }, ms);
    promise.then(
      (value) => {
        if (!timedOut) {
          clearTimeout(timer);
          resolve(value);
        } else onLate?.({ status: 'fulfilled', value });
      },
      (reason: unknown) => {
        if (!timedOut) {
          clearTimeout(timer);
          reject(reason);
        } else onLate?.({ status: 'rejected', reason });
      },
    );
  });
}
