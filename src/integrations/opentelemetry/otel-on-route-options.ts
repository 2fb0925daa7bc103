import type { Tracer } from '@opentelemetry/api';
import type { Backend } from '../../index.js';
import type { DbSystem } from './db-system-of.js';

/** Options of {@link otelOnRoute}. */
export interface OtelOnRouteOptions {
  /**
   * The tracer that records the spans.
   * @default trace.getTracer('edge-db') (the globally registered provider, or a no-op)
   */
  readonly tracer?: Tracer;
  /** `db.system` of every span. Wins over `backend`. */
  readonly system?: DbSystem;
  /** A backend of the cluster (the primary) to infer `db.system` from when `system` is not given. */
  readonly backend?: Backend;
  /**
   * Record the compiled SQL as `db.query.text`. Kysely compiles values to placeholders (`$1`, `?`), so the
   * text carries no parameter values; raw SQL built by string concatenation would.
   * @default true
   */
  readonly queryText?: boolean;
  /**
   * The clock, in milliseconds since the epoch; a span ends when its event arrives and starts `durationMs`
   * earlier. Give the same clock as `EdgeDbConfig.now` when you inject one.
   * @default Date.now
   */
  readonly now?: () => number;
}
