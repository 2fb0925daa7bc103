import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { type Dialect, MysqlDialect, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { isolateCache } from '../../../src/cache/index.js';
import { libsql } from '../../../src/drivers/libsql/index.js';
import { edgeDb, isEdgeDbError, type RouteEvent, resetClusterState } from '../../../src/index.js';
import { dbSystemOf, otelOnRoute } from '../../../src/integrations/opentelemetry/index.js';
import { fakeCluster } from '../../support/recording-dialect.js';

interface DB {
  person: { id: number; name: string };
}

afterEach(() => resetClusterState());

/** A tracer provider that keeps every finished span in memory (the OpenTelemetry SDK's own test exporter). */
function recordingTracer() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { tracer: provider.getTracer('edge-db-test'), spans: () => exporter.getFinishedSpans() };
}

const millis = (time: ReadableSpan['startTime']) => time[0] * 1000 + time[1] / 1e6;

/** A clock that moves only when told, shared by edgeDb (durations) and the hook (span ends). */
function manualClock(start = 1_800_000_000_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('otelOnRoute', () => {
  it('records one client span per statement with db.system, node, role, reason and attempts', async () => {
    const { tracer, spans } = recordingTracer();
    const fake = fakeCluster(1);
    const db = edgeDb<DB>({
      primary: fake.primary,
      replicas: fake.replicas,
      onRoute: otelOnRoute({ tracer, backend: fake.primary }),
    });
    await db.selectFrom('person').selectAll().execute();
    await db.insertInto('person').values({ id: 1, name: 'Ada' }).execute();
    await db.destroy();

    const [read, write] = spans();
    expect(spans()).toHaveLength(2);
    expect(read?.kind).toBe(SpanKind.CLIENT);
    expect(read?.name).toBe('SELECT');
    expect(read?.attributes).toMatchObject({
      'db.system': 'postgresql',
      'db.system.name': 'postgresql',
      'db.operation.name': 'SELECT',
      'db.query.text': 'select * from "person"',
      'edge_db.node': 'replica-0',
      'edge_db.role': 'replica',
      'edge_db.route.reason': 'nearest',
      'edge_db.attempts': 1,
      'edge_db.attempt.nodes': ['replica-0'],
      'edge_db.attempt.outcomes': ['ok'],
    });
    expect(read?.status.code).toBe(SpanStatusCode.UNSET);
    expect(write?.name).toBe('INSERT');
    expect(write?.attributes).toMatchObject({
      'edge_db.node': 'primary',
      'edge_db.role': 'primary',
      'edge_db.route.reason': 'write',
    });
  });

  it('ends a span when its event arrives and starts it durationMs earlier', () => {
    const { tracer, spans } = recordingTracer();
    const clock = manualClock();
    const onRoute = otelOnRoute({ tracer, now: clock.now, system: 'sqlite' });
    const event: RouteEvent = {
      sql: 'select 1',
      node: 'replica-1',
      role: 'replica',
      reason: 'checked',
      durationMs: 42.5,
      attempts: [{ node: 'replica-1', role: 'replica', outcome: 'ok', durationMs: 41 }],
      requiredPosition: '1234',
      detail: 'caller in fra',
    };
    clock.advance(1_000);
    onRoute(event);
    const [span] = spans();
    expect(millis(span!.endTime)).toBeCloseTo(clock.now(), 3);
    expect(millis(span!.endTime) - millis(span!.startTime)).toBeCloseTo(42.5, 3);
    expect(span?.attributes).toMatchObject({
      'db.system': 'sqlite',
      'edge_db.route.reason': 'checked',
      'edge_db.route.detail': 'caller in fra',
      'edge_db.required_position': '1234',
      'edge_db.attempt.durations_ms': [41],
    });
  });

  it('marks failed statements as errors with error.type and keeps fallback attempts', async () => {
    const { tracer, spans } = recordingTracer();
    const fake = fakeCluster(1);
    const db = edgeDb<DB>({
      primary: fake.primary,
      replicas: fake.replicas,
      health: { consecutiveFailures: 100 },
      onRoute: otelOnRoute({ tracer }),
    });
    fake.cluster.node('replica-0').failWith = new Error('replica down');
    await db.selectFrom('person').selectAll().execute();
    const [fallback] = spans();
    expect(fallback?.attributes).toMatchObject({
      'edge_db.node': 'primary',
      'edge_db.route.reason': 'fallback',
      'edge_db.attempts': 2,
      'edge_db.attempt.nodes': ['replica-0', 'primary'],
      'edge_db.attempt.outcomes': ['error', 'ok'],
    });
    expect(fallback?.attributes['db.system']).toBeUndefined();
    expect(fallback?.status.code).toBe(SpanStatusCode.UNSET);

    // A constraint violation: the driver's own error reaches the application, and the span.
    fake.cluster.node('primary').failWith = Object.assign(new Error('duplicate key value'), {
      code: '23505',
    });
    const thrown = await db
      .insertInto('person')
      .values({ id: 2, name: 'Bo' })
      .execute()
      .catch((error: unknown) => error);
    const failed = spans()[1];
    expect(failed?.status).toEqual({ code: SpanStatusCode.ERROR, message: (thrown as Error).message });
    expect(failed?.attributes['error.type']).toBe(isEdgeDbError(thrown) ? thrown.code : '23505');
    expect(failed?.events.map((event) => event.name)).toEqual(['exception']);
    await db.destroy();
  });

  it('records the cache status of cached reads and can leave the SQL text out', async () => {
    const { tracer, spans } = recordingTracer();
    const fake = fakeCluster(1);
    const db = edgeDb<DB>({
      primary: fake.primary,
      replicas: fake.replicas,
      consistency: 'eventual',
      cache: isolateCache({ ttlMs: 60_000 }),
      onRoute: otelOnRoute({ tracer, queryText: false }),
    });
    await db.selectFrom('person').selectAll().execute();
    await db.selectFrom('person').selectAll().execute();
    const [miss, hit] = spans();
    expect(miss?.attributes['edge_db.cache.status']).toBe('miss');
    expect(hit?.attributes).toMatchObject({
      'edge_db.cache.status': 'hit',
      'edge_db.route.reason': 'cache',
      'edge_db.role': 'cache',
      'edge_db.attempts': 0,
    });
    expect(hit?.attributes['db.query.text']).toBeUndefined();
    await db.destroy();
  });
});

describe('dbSystemOf', () => {
  it('tells PostgreSQL and SQLite backends apart, from edge-db drivers and plain Kysely dialects', () => {
    expect(dbSystemOf(libsql({ url: 'http://127.0.0.1:1' }))).toBe('sqlite');
    expect(dbSystemOf(fakeCluster(0).primary)).toBe('postgresql');
    expect(dbSystemOf({ dialect: new SqliteDialect({ database: {} as never }) })).toBe('sqlite');
    expect(dbSystemOf({ dialect: new MysqlDialect({ pool: {} as never }) })).toBe('mysql');
    const sqlite = new SqliteDialect({ database: {} as never });
    const unknown: Dialect = {
      createAdapter: () => ({}) as never,
      createDriver: () => sqlite.createDriver(),
      createQueryCompiler: () => sqlite.createQueryCompiler(),
      createIntrospector: (db) => sqlite.createIntrospector(db),
    };
    expect(dbSystemOf({ dialect: unknown })).toBeUndefined();
  });
});
