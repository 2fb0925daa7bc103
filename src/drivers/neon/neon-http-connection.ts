import {
  type FullQueryResults,
  NeonDbError,
  type NeonQueryFunction,
  neon as neonHttp,
} from '@neondatabase/serverless';
import type { CompiledQuery, QueryResult } from 'kysely';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import type { NeonDialectConfig } from './neon-dialect-config.js';
import { mapNeonError } from './neon-error-mapping.js';
import { toQueryResult } from './neon-query-result.js';

/** Transaction settings of an HTTP batch, as Neon's `transaction()` accepts them. */
export interface NeonHttpBatchOptions {
  readonly isolationLevel?: 'ReadUncommitted' | 'ReadCommitted' | 'RepeatableRead' | 'Serializable';
  readonly readOnly?: boolean;
  /** Aborts the request (a lost hedge, a caller's cancel): the `fetch` itself is cancelled. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Runs statements over Neon's SQL over HTTP: one `fetch` per statement or per batch, no session.
 * Holds no I/O object, so one instance may serve every request of a Worker isolate.
 */
export class NeonHttpConnection {
  readonly #sql: NeonQueryFunction<false, true>;
  readonly #fetchOptions: Readonly<Record<string, unknown>>;
  readonly #timeoutMs: number;
  /** Per-query options: @neondatabase/serverless reads `types` only from each query's own options. */
  readonly #queryOptions: { readonly types?: NonNullable<NeonDialectConfig['types']> };
  readonly #nodeName: string;

  /** @param nodeName label for error messages (never holds credentials). */
  constructor(config: NeonDialectConfig, nodeName = 'neon') {
    this.#nodeName = nodeName;
    this.#sql = neonHttp(config.url, {
      fullResults: true,
      arrayMode: false,
      disableWarningInBrowsers: true,
      ...(config.types === undefined ? {} : { types: config.types }),
    });
    this.#fetchOptions = config.fetchOptions ?? {};
    this.#timeoutMs = config.requestTimeoutMs ?? 30_000;
    this.#queryOptions = config.types === undefined ? {} : { types: config.types };
  }

  /** Runs one statement in its own implicit transaction; `signal` cancels its `fetch`. */
  async execute<R>(query: CompiledQuery, signal?: AbortSignal): Promise<QueryResult<R>> {
    const deadline = this.#deadline(signal);
    try {
      const result = await this.#sql.query(query.sql, [...query.parameters], {
        ...this.#queryOptions,
        fetchOptions: { ...this.#fetchOptions, signal: deadline.signal },
      });
      return toQueryResult<R>(result);
    } catch (error) {
      throw deadline.explain(error);
    }
  }

  /** Runs `queries` as one non-interactive transaction in a single HTTP request. */
  async executeBatch(
    queries: readonly CompiledQuery[],
    options: NeonHttpBatchOptions,
  ): Promise<QueryResult<unknown>[]> {
    const { signal, ...transactionOptions } = options;
    const deadline = this.#deadline(signal);
    try {
      const results: FullQueryResults<false>[] = await this.#sql.transaction(
        queries.map((query) => this.#sql.query(query.sql, [...query.parameters], this.#queryOptions)),
        {
          ...transactionOptions,
          fullResults: true,
          arrayMode: false,
          fetchOptions: { ...this.#fetchOptions, signal: deadline.signal },
        },
      );
      return results.map((result) => toQueryResult(result));
    } catch (error) {
      throw deadline.explain(error);
    }
  }

  #deadline(attempt: AbortSignal | undefined) {
    const timeoutMs = this.#timeoutMs;
    const nodeName = this.#nodeName;
    const signal = AbortSignal.timeout(timeoutMs);
    return {
      signal: combineSignals(combineSignals(signal, this.#fetchOptions.signal), attempt),
      // The driver wraps a failed fetch into a NeonDbError, but an abort while it reads the response body
      // escapes raw (the signal's reason, a DOMException). After our deadline fired, both are a timeout.
      explain(error: unknown): unknown {
        if (signal.aborted && isAbortOutcome(error, signal.reason)) {
          return new EdgeDbError(
            'TIMEOUT',
            `Neon node ${nodeName} did not answer an SQL-over-HTTP request within ${timeoutMs} ms. Raise requestTimeoutMs or check the endpoint.`,
            { cause: error },
          );
        }
        return mapNeonError(error, nodeName);
      },
    };
  }
}

/** True when `error` is how an aborted request fails: the abort reason itself, an abort error, or a fetch failure. */
function isAbortOutcome(error: unknown, reason: unknown): boolean {
  if (error === reason) return true;
  if (error instanceof NeonDbError) return error.code === undefined;
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  return name === 'TimeoutError' || name === 'AbortError';
}

function combineSignals(ours: AbortSignal, theirs: unknown): AbortSignal {
  if (!(theirs instanceof AbortSignal)) return ours;
  const any = (AbortSignal as { any?: (signals: AbortSignal[]) => AbortSignal }).any;
  return any === undefined ? ours : any([ours, theirs]);
}
