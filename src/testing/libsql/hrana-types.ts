/**
 * The JSON shapes of Hrana over HTTP (versions 2 and 3) that the local libSQL server speaks.
 * Field names follow HRANA_3_SPEC.md of the libSQL repository; `replication_index` follows sqld.
 */

/** A SQLite value on the wire. Integers travel as decimal strings so 64-bit values stay exact. */
export type HranaValue =
  | { readonly type: 'null' }
  | { readonly type: 'integer'; readonly value: string }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'text'; readonly value: string }
  | { readonly type: 'blob'; readonly base64: string };

/** A Hrana error. `code` is machine-readable (`SQLITE_CONSTRAINT`, `READONLY`, `REPLICATION_INDEX_TIMEOUT`, ...). */
export interface HranaErrorBody {
  readonly message: string;
  readonly code?: string | null;
}

/** A named argument; the name may carry SQLite's `:`, `@` or `$` prefix or not. */
export interface HranaNamedArg {
  readonly name: string;
  readonly value: HranaValue;
}

/** A statement. `replication_index` (sqld extension) makes a replica wait until it has applied that frame. */
export interface HranaStmt {
  readonly sql?: string | null;
  readonly sql_id?: number | null;
  readonly args?: readonly HranaValue[];
  readonly named_args?: readonly HranaNamedArg[];
  readonly want_rows?: boolean;
  readonly replication_index?: string | number | null;
}

/** A column of a statement result. */
export interface HranaCol {
  readonly name: string | null;
  readonly decltype: string | null;
}

/** The result of one statement; `replication_index` is the node's frame index after it ran. */
export interface HranaStmtResult {
  readonly cols: HranaCol[];
  readonly rows: HranaValue[][];
  readonly affected_row_count: number;
  readonly last_insert_rowid: string | null;
  readonly replication_index: string;
}

/** A condition of a batch step. */
export type HranaBatchCond =
  | { readonly type: 'ok'; readonly step: number }
  | { readonly type: 'error'; readonly step: number }
  | { readonly type: 'not'; readonly cond: HranaBatchCond }
  | { readonly type: 'and'; readonly conds: readonly HranaBatchCond[] }
  | { readonly type: 'or'; readonly conds: readonly HranaBatchCond[] }
  | { readonly type: 'is_autocommit' };

/** A batch of conditional steps. */
export interface HranaBatch {
  readonly steps: readonly { readonly condition?: HranaBatchCond | null; readonly stmt: HranaStmt }[];
  readonly replication_index?: string | number | null;
}

/** The result of a batch: per step a result or an error, both `null` when the step was skipped. */
export interface HranaBatchResult {
  readonly step_results: (HranaStmtResult | null)[];
  readonly step_errors: (HranaErrorBody | null)[];
  readonly replication_index: string;
}

/** The result of `describe`. */
export interface HranaDescribeResult {
  readonly params: { readonly name: string | null }[];
  readonly cols: { readonly name: string; readonly decltype: string | null }[];
  readonly is_explain: boolean;
  readonly is_readonly: boolean;
}

/** A request inside a pipeline. */
export type HranaStreamRequest =
  | { readonly type: 'close' }
  | { readonly type: 'execute'; readonly stmt: HranaStmt }
  | { readonly type: 'batch'; readonly batch: HranaBatch }
  | { readonly type: 'sequence'; readonly sql?: string | null; readonly sql_id?: number | null }
  | { readonly type: 'describe'; readonly sql?: string | null; readonly sql_id?: number | null }
  | { readonly type: 'store_sql'; readonly sql_id: number; readonly sql: string }
  | { readonly type: 'close_sql'; readonly sql_id: number }
  | { readonly type: 'get_autocommit' };

/** A successful response inside a pipeline. */
export type HranaStreamResponse =
  | { readonly type: 'close' }
  | { readonly type: 'execute'; readonly result: HranaStmtResult }
  | { readonly type: 'batch'; readonly result: HranaBatchResult }
  | { readonly type: 'sequence' }
  | { readonly type: 'describe'; readonly result: HranaDescribeResult }
  | { readonly type: 'store_sql' }
  | { readonly type: 'close_sql' }
  | { readonly type: 'get_autocommit'; readonly is_autocommit: boolean };

/** One entry of a pipeline response. */
export type HranaStreamResult =
  | { readonly type: 'ok'; readonly response: HranaStreamResponse }
  | { readonly type: 'error'; readonly error: HranaErrorBody };

/** Body of `POST /v2/pipeline` and `POST /v3/pipeline`. */
export interface HranaPipelineRequest {
  readonly baton?: string | null;
  readonly requests: readonly HranaStreamRequest[];
}

/** Answer of `POST /v2/pipeline` and `POST /v3/pipeline`. */
export interface HranaPipelineResponse {
  readonly baton: string | null;
  readonly base_url: string | null;
  readonly results: HranaStreamResult[];
}
