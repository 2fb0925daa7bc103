import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { fakeCluster } from '../../support/recording-dialect.js';
import { bundleEntry, REPO_ROOT, RUNTIME_CONDITIONS } from '../support/bundle-entry.js';

const INTEGRATIONS = ['hono', 'opentelemetry'] as const;

describe('edge-db/hono and edge-db/opentelemetry bundle for edge runtimes', () => {
  for (const integration of INTEGRATIONS) {
    for (const [runtime, conditions] of Object.entries(RUNTIME_CONDITIONS)) {
      it(`${integration} imports no Node built-in under ${runtime} conditions`, async () => {
        const bundle = await bundleEntry(`src/integrations/${integration}/index.ts`, conditions);
        expect(bundle.nodeImports).toEqual([]);
      });
    }
  }
});

const hasDist = INTEGRATIONS.every((name) =>
  existsSync(join(REPO_ROOT, `dist/integrations/${name}/index.js`)),
);
if (!hasDist)
  console.warn(
    'built integration tests not run: dist/ is missing; run `npm run build` first (npm test does).',
  );

// The built integrations must use the built core, not a copy of it: a copy has its own router classes and
// isolate registries, so the core's consistencyToken/route/cacheStats would reject or miss their instances.
describe.skipIf(!hasDist)('the built integrations share the core entry', () => {
  for (const integration of INTEGRATIONS) {
    it(`${integration}: ESM imports ../../index.js, CommonJS requires ../../index.cjs, no router inside`, () => {
      const esm = readFileSync(join(REPO_ROOT, `dist/integrations/${integration}/index.js`), 'utf8');
      const cjs = readFileSync(join(REPO_ROOT, `dist/integrations/${integration}/index.cjs`), 'utf8');
      expect(esm).toMatch(/from '\.\.\/\.\.\/index\.js'/);
      expect(cjs).toMatch(/require\('\.\.\/\.\.\/index\.cjs'\)/);
      for (const code of [esm, cjs]) expect(code).not.toMatch(/class RoutingConnection|function edgeDb\(/);
    });
  }

  for (const format of ['esm', 'cjs'] as const) {
    it(`${format}: the core's consistencyToken and sessionInfo accept the middleware's instance`, async () => {
      const load = async (file: string) =>
        format === 'esm'
          ? await import(pathToFileURL(join(REPO_ROOT, file)).href)
          : createRequire(import.meta.url)(join(REPO_ROOT, file.replace(/\.js$/, '.cjs')));
      const core = await load('dist/index.js');
      const { edgeDbMiddleware } = await load('dist/integrations/hono/index.js');
      const fake = fakeCluster(1);
      const app = new Hono().use(
        edgeDbMiddleware({ config: () => ({ primary: fake.primary, replicas: fake.replicas }) }),
      );
      app.post('/', async (c) => {
        const db = c.get('db' as never) as import('kysely').Kysely<{ person: { id: number } }>;
        await db.insertInto('person').values({ id: 1 }).execute();
        const info = await core.sessionInfo(db);
        return c.json({ token: await core.consistencyToken(db), required: info.requiredPosition });
      });
      const response = await app.request('http://app.test/', { method: 'POST' });
      const body = (await response.json()) as { token?: string; required?: string };
      expect(response.status).toBe(200);
      expect(body.token).toBe(response.headers.get('x-edge-db-token'));
      expect(body.required).toBe(String(fake.cluster.primaryPosition));
    });
  }
});
