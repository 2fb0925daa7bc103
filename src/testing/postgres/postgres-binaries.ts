import { access, constants, readdir, realpath } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { EdgeDbError } from '../../errors/edge-db-error.js';

/** Absolute paths of the PostgreSQL server programs a test cluster runs. */
export interface PostgresBinaries {
  /** The folder holding the programs, for example `/usr/lib/postgresql/15/bin`. */
  readonly binDir: string;
  readonly initdb: string;
  readonly pgCtl: string;
  readonly pgBasebackup: string;
}

const PROGRAMS = ['initdb', 'pg_ctl', 'pg_basebackup', 'postgres'] as const;
const DEBIAN_ROOT = '/usr/lib/postgresql';

/**
 * Finds the PostgreSQL server programs: in `binDir` when given, else in the newest
 * `/usr/lib/postgresql/<version>/bin` (Debian and Ubuntu packages), else next to an `initdb` on `PATH`.
 *
 * Throws an `EdgeDbError` with code `TESTING_SETUP_FAILED` that says what to install when they are missing.
 *
 * ### Examples
 * ```ts
 * const { binDir, initdb } = await findPostgresBinaries()
 * const custom = await findPostgresBinaries('/opt/pg16/bin')
 * ```
 */
export async function findPostgresBinaries(binDir?: string): Promise<PostgresBinaries> {
  const candidates = binDir !== undefined ? [binDir] : [...(await debianBinDirs()), ...(await pathBinDirs())];
  for (const dir of candidates) {
    if (await hasAllPrograms(dir)) {
      return {
        binDir: dir,
        initdb: join(dir, 'initdb'),
        pgCtl: join(dir, 'pg_ctl'),
        pgBasebackup: join(dir, 'pg_basebackup'),
      };
    }
  }
  const where = binDir !== undefined ? `in binDir ${binDir}` : `in ${DEBIAN_ROOT}/<version>/bin or on PATH`;
  throw new EdgeDbError(
    'TESTING_SETUP_FAILED',
    `PostgreSQL server programs (${PROGRAMS.join(', ')}) were not found ${where}. ` +
      'Install them with `apt-get update && apt-get install -y postgresql` (Debian/Ubuntu), ' +
      'or pass `binDir` pointing at the folder that contains initdb and pg_ctl.',
  );
}

async function debianBinDirs(): Promise<string[]> {
  let versions: string[];
  try {
    versions = await readdir(DEBIAN_ROOT);
  } catch {
    return [];
  }
  return versions
    .filter((name) => /^\d+(\.\d+)?$/.test(name))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
    .map((version) => join(DEBIAN_ROOT, version, 'bin'));
}

// Debian puts only wrappers or symlinks on PATH: resolve `initdb` to find the real folder.
async function pathBinDirs(): Promise<string[]> {
  const dirs: string[] = [];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      const resolved = await realpath(join(dir, 'initdb'));
      dirs.push(resolved.slice(0, resolved.length - '/initdb'.length));
    } catch {
      // Not in this folder.
    }
  }
  return dirs;
}

async function hasAllPrograms(dir: string): Promise<boolean> {
  try {
    await Promise.all(PROGRAMS.map((program) => access(join(dir, program), constants.X_OK)));
    return true;
  } catch {
    return false;
  }
}
