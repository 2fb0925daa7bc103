import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { describe, expectTypeOf, it } from 'vitest';
import type { EdgeDbConfig } from '../../../src/index.js';
import {
  type EdgeDbEnv,
  type EdgeDbMiddlewareOptions,
  edgeDbMiddleware,
} from '../../../src/integrations/hono/index.js';

interface DB {
  person: { id: number; name: string };
}
type Bindings = { PRIMARY_URL: string; TOKEN_SECRET: string };

declare const config: EdgeDbConfig;

// Checked by `tsc --noEmit` (test/ is in the project); the `it` bodies only build apps, no request runs.
describe('edgeDbMiddleware types', () => {
  it('types c.get("db") and c.var.db through Hono variables after .use()', () => {
    new Hono<{ Bindings: Bindings }>()
      .use(edgeDbMiddleware<DB, { Bindings: Bindings }>({ config: () => config }))
      .get('/', async (c) => {
        expectTypeOf(c.get('db')).toEqualTypeOf<Kysely<DB>>();
        expectTypeOf(c.var.db).toEqualTypeOf<Kysely<DB>>();
        expectTypeOf(c.env.PRIMARY_URL).toEqualTypeOf<string>();
        // @ts-expect-error: no such table
        c.get('db').selectFrom('pet');
        return c.text('ok');
      });
  });

  it('hands the config function the app’s context, bindings included', () => {
    edgeDbMiddleware<DB, { Bindings: Bindings }>({
      config: (c) => {
        expectTypeOf(c.env).toEqualTypeOf<Bindings>();
        return { ...config, consistency: { secret: c.env.TOKEN_SECRET } };
      },
      onError: (error, c) => {
        expectTypeOf(error).toBeUnknown();
        expectTypeOf(c.env.TOKEN_SECRET).toEqualTypeOf<string>();
      },
    });
    // An async config works too (secrets from a KV binding, say).
    expectTypeOf<EdgeDbMiddlewareOptions['config']>().returns.toEqualTypeOf<
      EdgeDbConfig | Promise<EdgeDbConfig>
    >();
  });

  it('declares the variables up front with EdgeDbEnv', () => {
    const app = new Hono<{ Bindings: Bindings } & EdgeDbEnv<DB>>();
    app.use(edgeDbMiddleware<DB, { Bindings: Bindings }>({ config: () => config }));
    app.get('/', (c) => {
      expectTypeOf(c.get('db')).toEqualTypeOf<Kysely<DB>>();
      return c.text('ok');
    });
  });

  it('rejects options that are not options', () => {
    // @ts-expect-error: config is required
    edgeDbMiddleware<DB>({});
    // @ts-expect-error: serverTiming is a boolean
    edgeDbMiddleware<DB>({ config: () => config, serverTiming: 'yes' });
    // @ts-expect-error: the config function must return an EdgeDbConfig
    edgeDbMiddleware<DB>({ config: () => ({ replicas: [] }) });
  });
});
