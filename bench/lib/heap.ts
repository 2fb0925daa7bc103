import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined | null;

/** V8's `gc()`, enabled at run time (`--expose-gc` for a fresh context), or `null` when V8 refuses. */
function gcFunction(): (() => void) | null {
  if (collect !== undefined) return collect;
  try {
    setFlagsFromString('--expose-gc');
    const fn = runInNewContext('gc') as unknown;
    collect = typeof fn === 'function' ? (fn as () => void) : null;
  } catch {
    collect = null;
  }
  return collect;
}

/** Heap in use after a full collection, in MiB; `collected` says whether a collection could be forced. */
export function heapAfterGc(): {
  readonly heapMiB: number;
  readonly rssMiB: number;
  /** Memory of C++ objects bound to JavaScript ones (Buffers, ArrayBuffers included), in MiB. */
  readonly externalMiB: number;
  readonly collected: boolean;
} {
  const gc = gcFunction();
  if (gc !== null) {
    gc();
    gc();
  }
  const usage = process.memoryUsage();
  const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  return {
    heapMiB: mib(usage.heapUsed),
    rssMiB: mib(usage.rss),
    externalMiB: mib(usage.external),
    collected: gc !== null,
  };
}
