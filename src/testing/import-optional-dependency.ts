import { EdgeDbError } from '../errors/edge-db-error.js';

/**
 * Imports an optional peer dependency of a test bed when the bed starts, never at import time, so
 * `import 'edge-db/testing'` works with only the dependencies of the beds a project uses (a libSQL-only
 * project has no `pg` or `ws`). A missing package becomes an `EdgeDbError` of code `TESTING_SETUP_FAILED`
 * whose message gives the install command; any other load failure keeps its cause.
 *
 * `load` is a literal `() => import('pkg')` so types and bundlers see the specifier.
 *
 * ### Examples
 * ```ts
 * const ws = await importOptionalDependency(() => import('ws'), 'ws', 'startNeonProxy()')
 * ```
 */
export async function importOptionalDependency<T>(
  load: () => Promise<T>,
  packageName: string,
  usedBy: string,
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw optionalDependencyError(error, packageName, usedBy);
  }
}

/** The error {@link importOptionalDependency} throws, for loaders that must load synchronously. */
export function optionalDependencyError(error: unknown, packageName: string, usedBy: string): EdgeDbError {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  // Only the package itself being absent gets the install hint; a missing dependency *of* the package is
  // a broken install and keeps its own message.
  const missing =
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    new RegExp(`['"]${packageName.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}['"/]`).test(message);
  return new EdgeDbError(
    'TESTING_SETUP_FAILED',
    missing
      ? `${usedBy} needs the package \`${packageName}\`, which is not installed. ` +
          `Install it as a dev dependency: \`npm install -D ${packageName}\`.`
      : `${usedBy} could not load \`${packageName}\`: ${message}`,
    { cause: error },
  );
}
