// A Hono Worker on edge-db/hono, bundled for workerd by hono-workerd.test.ts. Counters live at module scope
// (plain data may outlive a request; I/O objects may not) so the test can see every instance destroyed.
import type { Attributes, Span, SpanOptions, SpanStatus, TimeInput, Tracer } from '@opentelemetry/api';
import { Hono } from 'hono';
import type { Dialect, Driver } from 'kysely';
import { libsql } from '../../../src/drivers/libsql/index.js';
import type { Backend } from '../../../src/index.js';
import { edgeDbMiddleware } from '../../../src/integrations/hono/index.js';
import { otelOnRoute } from '../../../src/integrations/opentelemetry/index.js';

interface Database {
  entry: { id: number; name: string };
}

type Bindings = { PRIMARY_URL: string; REPLICA_URL: string };

const lifecycle = { built: 0, destroyed: 0 };

/** A finished span as plain data (readable through /spans). */
interface RecordedSpan {
  name: string;
  attributes: Attributes;
  status: number;
  durationMs: number;
}

// A recording tracer on @opentelemetry/api's interfaces. (The SDK's own in-memory exporter, used by the unit
// tests, bundles its Node platform under workerd's conditions: its `browser` field is honoured only by
// bundlers targeting browsers.)
const finished: RecordedSpan[] = [];
const millis = (time: TimeInput | undefined): number =>
  typeof time === 'number' ? time : time instanceof Date ? time.getTime() : Number.NaN;
const tracer = {
  startSpan(name: string, options: SpanOptions = {}): Span {
    const attributes: Attributes = { ...options.attributes };
    let status: SpanStatus = { code: 0 };
    const span = {
      setAttribute: (key: string, value: Attributes[string]) => {
        attributes[key] = value;
        return span;
      },
      setStatus: (next: SpanStatus) => {
        status = next;
        return span;
      },
      recordException: () => undefined,
      end: (endTime?: TimeInput) => {
        finished.push({
          name,
          attributes,
          status: status.code,
          durationMs: millis(endTime) - millis(options.startTime),
        });
      },
    };
    return span as unknown as Span;
  },
} as unknown as Tracer;
const onRoute = otelOnRoute({ tracer, system: 'sqlite' });

/** The backend with a driver that counts its destruction; everything else is the libSQL driver's own. */
function counted(backend: Backend): Backend {
  const inner = backend.dialect;
  const dialect: Dialect = {
    createAdapter: () => inner.createAdapter(),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createIntrospector: (db) => inner.createIntrospector(db),
    createDriver: (): Driver => {
      const driver = inner.createDriver();
      const destroy = async () => {
        await driver.destroy();
        lifecycle.destroyed++;
      };
      // A proxy, not a subclass: the driver keeps its private fields and every method it has.
      return new Proxy(driver, {
        get: (target, key) => {
          if (key === 'destroy') return destroy;
          const value: unknown = Reflect.get(target, key, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
  };
  return { ...backend, dialect };
}

const app = new Hono<{ Bindings: Bindings }>();

app.get('/lifecycle', (c) => c.json(lifecycle));
app.get('/spans', (c) => c.json(finished));

const entries = new Hono<{ Bindings: Bindings }>()
  .use(
    edgeDbMiddleware<Database, { Bindings: Bindings }>({
      config: (c) => {
        lifecycle.built++;
        return {
          primary: counted(libsql({ url: c.env.PRIMARY_URL, name: 'primary' })),
          replicas: [counted(libsql({ url: c.env.REPLICA_URL, name: 'replica-0' }))],
          onRoute,
        };
      },
    }),
  )
  .get('/', async (c) => {
    const rows = await c.get('db').selectFrom('entry').select('name').orderBy('id').execute();
    return c.json(rows.map((row) => row.name));
  })
  .post('/', async (c) => {
    const { name } = await c.req.json<{ name: string }>();
    await c.var.db.insertInto('entry').values({ id: Date.now(), name }).execute();
    return c.json({ ok: true }, 201);
  });

app.route('/entries', entries);

export default app;
