import type { QueryResult } from 'kysely';
import type { CacheLoadResult } from '../../../src/cache/cache-read-options.js';

/** A loader whose calls are counted and whose answers the test releases by hand. */
export function controlledLoader<R>() {
  const waiting: Array<{ resolve: (value: CacheLoadResult<R>) => void; reject: (error: unknown) => void }> =
    [];
  const load = () =>
    new Promise<CacheLoadResult<R>>((resolve, reject) => {
      waiting.push({ resolve, reject });
    });
  return {
    load,
    get calls() {
      return waiting.length;
    },
    resolve(index: number, rows: R[], position: bigint | undefined) {
      waiting[index]?.resolve({ result: { rows }, position });
    },
    reject(index: number, error: unknown) {
      waiting[index]?.reject(error);
    },
  };
}

/** A loader that answers at once with the given rows and position, counting calls. */
export function countingLoader<R>(rows: () => R[], position: () => bigint | undefined) {
  let calls = 0;
  return {
    load: async (): Promise<CacheLoadResult<R>> => {
      calls++;
      const result: QueryResult<R> = { rows: rows() };
      return { result, position: position() };
    },
    get calls() {
      return calls;
    },
  };
}

/** Lets pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
