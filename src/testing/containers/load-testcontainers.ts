import { EdgeDbError } from '../../errors/edge-db-error.js';

/** The testcontainers module, loaded on first use. */
export type TestcontainersModule = typeof import('testcontainers');

let loading: Promise<TestcontainersModule> | undefined;

/**
 * Loads `testcontainers` lazily, so `edge-db/testing` works without it for the process provider.
 * Throws `EdgeDbError` `TESTING_SETUP_FAILED` saying what to install when it is missing or cannot load.
 *
 * ### Examples
 * ```ts
 * const { GenericContainer } = await loadTestcontainers()
 * ```
 */
export function loadTestcontainers(): Promise<TestcontainersModule> {
  loading ??= import('testcontainers').catch((error: unknown) => {
    loading = undefined;
    const missing = (error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND';
    throw new EdgeDbError(
      'TESTING_SETUP_FAILED',
      missing
        ? 'The containers provider needs the package `testcontainers`, which is not installed. Install it as a ' +
            'dev dependency: `npm install -D testcontainers` (on Node 20: `npm install -D testcontainers@12.0.1`).'
        : 'testcontainers is installed but failed to load. testcontainers >= 12.0.2 depends on undici 8, ' +
            'which needs Node >= 22.19; on Node 20 install `testcontainers@12.0.1` (or 11.x). ' +
            `Cause: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  });
  return loading;
}
