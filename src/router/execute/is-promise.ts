/**
 * True for a promise or any thenable (a custom cache store may answer with one), so the caller awaits it; false
 * for an answer that is already there.
 */
export function isPromise<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
