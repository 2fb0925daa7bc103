import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type BundleEntryOptions, type BundleEntryResult, bundleEntry } from './bundle-entry.js';
import { runGuestbookScenario } from './guestbook-scenario.js';
import { httpFetch } from './http-fetch.js';
import { envRecord, type LocalClusters, startLocalClusters } from './local-clusters.js';
import type { ServerProcess } from './start-server-process.js';

/** Where a runtime's server runs from: the bundled example in its own temp dir, and the env of one cluster. */
export interface GuestbookServerContext {
  /** The cluster's env for the example, with `PORT=0` (the server prints the port it listens on). */
  readonly env: Record<string, string>;
  readonly dir: string;
  /** The bundle, written into `dir`. */
  readonly script: string;
}

export interface GuestbookServerOptions {
  /** The example's entry, relative to the repository root. */
  readonly entry: string;
  readonly conditions: readonly string[];
  readonly bundle?: BundleEntryOptions;
  /** Prefix of the temp dir the bundle is written into. */
  readonly tempPrefix: string;
  /** File name of the bundle in the temp dir. */
  readonly scriptName: string;
  /** Checks the bundle and gives the script's text. @default the bundle's code */
  readonly script?: (bundle: BundleEntryResult) => string;
}

/** Runs the guestbook scenario on the server a runtime starts as `start` says, against one driver's cluster. */
export type ServeGuestbook = (
  driver: 'libsql' | 'neon',
  start: (context: GuestbookServerContext) => Promise<ServerProcess>,
) => Promise<void>;

/**
 * In the calling `describe`: before its tests, starts the local clusters and bundles the example into a temp
 * script; after them, stops every server started, the clusters, and removes the temp dir.
 */
export function guestbookServer(options: GuestbookServerOptions): ServeGuestbook {
  let clusters: LocalClusters;
  let dir: string;
  let script: string;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    const [started, bundle] = await Promise.all([
      startLocalClusters(),
      bundleEntry(options.entry, options.conditions, options.bundle),
    ]);
    clusters = started;
    const code = options.script === undefined ? bundle.code : options.script(bundle);
    dir = mkdtempSync(join(tmpdir(), options.tempPrefix));
    script = join(dir, options.scriptName);
    writeFileSync(script, code);
  });
  afterAll(async () => {
    await Promise.allSettled(servers.map((server) => server.stop()));
    await clusters?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  return async (driver, start) => {
    const target = clusters.targets.find((t) => t.driver === driver);
    if (target === undefined) throw new Error(`no ${driver} cluster`);
    const server = await start({ env: { ...envRecord(target.env), PORT: '0' }, dir, script });
    servers.push(server);
    await runGuestbookScenario(httpFetch(server.url), target);
  };
}
