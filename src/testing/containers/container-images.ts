import { EdgeDbError } from '../../errors/edge-db-error.js';

/**
 * Images the containers provider starts unless told otherwise.
 *
 * ### Examples
 * ```ts
 * await startPostgresContainers({ image: DEFAULT_CONTAINER_IMAGES.postgres }) // 'postgres:15'
 * ```
 */
export const DEFAULT_CONTAINER_IMAGES = {
  /** The official PostgreSQL image; any tag from 12 on works (standbys use `pg_basebackup -R`). */
  postgres: 'postgres:15',
  /** The real libSQL server (`sqld`), primary and replica nodes from one image. */
  sqld: 'ghcr.io/tursodatabase/libsql-server:latest',
} as const;

// `name[:tag][@digest]` with an optional registry host; strict enough to catch a stray space or an empty tag.
const IMAGE_REFERENCE =
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/;

/**
 * Returns `image` when it looks like a Docker image reference (`postgres:16`, `ghcr.io/org/name:tag`,
 * `name@sha256:...`), else throws an `EdgeDbError` with code `CONFIG_INVALID`.
 *
 * ### Examples
 * ```ts
 * checkImageReference('image', 'postgres:16-alpine') // 'postgres:16-alpine'
 * checkImageReference('image', 'postgres 16') // throws CONFIG_INVALID
 * ```
 */
export function checkImageReference(option: string, image: unknown): string {
  if (typeof image !== 'string' || !IMAGE_REFERENCE.test(image)) {
    throw new EdgeDbError(
      'CONFIG_INVALID',
      `${option} must be a Docker image reference such as 'postgres:15' or ` +
        `'ghcr.io/tursodatabase/libsql-server:latest', got ${JSON.stringify(image)}.`,
    );
  }
  return image;
}
