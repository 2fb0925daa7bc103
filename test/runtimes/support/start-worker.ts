import { Miniflare } from 'miniflare';
import type { GuestbookEnv } from '../../../examples/shared/guestbook.js';
import { bundleEntry, RUNTIME_CONDITIONS } from './bundle-entry.js';
import { type GuestbookFetch, toRequestInit } from './guestbook-scenario.js';
import { envRecord } from './local-clusters.js';

/** The example Worker running in workerd (through miniflare). */
export interface RunningWorker {
  readonly fetch: GuestbookFetch;
  dispose(): Promise<void>;
}

/** Where the example Worker's entry point is, relative to the repository root. */
export const WORKER_ENTRY = 'examples/cloudflare-worker/src/index.ts';

/**
 * Bundles the example Worker as wrangler would (esbuild, neutral platform, `workerd` conditions) and starts
 * it in workerd with `env` as its bindings. One Worker serves one cluster.
 */
export async function startWorker(env: GuestbookEnv): Promise<RunningWorker> {
  const bundle = await bundleEntry(WORKER_ENTRY, RUNTIME_CONDITIONS.workerd);
  if (bundle.nodeImports.length > 0) {
    throw new Error(`the Worker bundle imports Node built-ins: ${JSON.stringify(bundle.nodeImports)}`);
  }
  const miniflare = new Miniflare({
    modules: true,
    script: bundle.code,
    compatibilityDate: '2025-09-01',
    bindings: envRecord(env),
  });
  await miniflare.ready;
  return {
    fetch: async (path, init) => {
      const response = await miniflare.dispatchFetch(
        `http://guestbook.local${path}`,
        toRequestInit(init) as never,
      );
      // Miniflare's Response is undici's; re-wrap it as the global one the scenario expects.
      return new Response(await response.arrayBuffer(), {
        status: response.status,
        headers: [...response.headers] as never,
      });
    },
    dispose: () => miniflare.dispose(),
  };
}
