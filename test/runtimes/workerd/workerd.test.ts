import { afterAll, beforeAll, describe, it } from 'vitest';
import { runGuestbookScenario } from '../support/guestbook-scenario.js';
import { type LocalClusters, startLocalClusters } from '../support/local-clusters.js';
import { type RunningWorker, startWorker } from '../support/start-worker.js';

// The example Worker (examples/cloudflare-worker), bundled for workerd and run by miniflare, against both
// local clusters. Requests go through dispatchFetch; the Worker itself reaches the databases with fetch and
// WebSocket, as on Cloudflare.
describe('workerd (miniflare): examples/cloudflare-worker', () => {
  let clusters: LocalClusters;
  const workers: RunningWorker[] = [];

  beforeAll(async () => {
    clusters = await startLocalClusters();
  });
  afterAll(async () => {
    await Promise.allSettled(workers.map((worker) => worker.dispose()));
    await clusters?.stop();
  });

  for (const driver of ['libsql', 'neon'] as const) {
    it(`runs the guestbook on ${driver}: routing, token in a cookie, cache, transaction`, async () => {
      const target = clusters.targets.find((t) => t.driver === driver);
      if (target === undefined) throw new Error(`no ${driver} cluster`);
      const worker = await startWorker(target.env);
      workers.push(worker);
      await runGuestbookScenario(worker.fetch, target);
    });
  }
});
