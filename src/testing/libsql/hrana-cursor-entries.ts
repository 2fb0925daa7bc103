import type { HranaBatchResult, HranaErrorBody } from './hrana-types.js';

/** One entry of a Hrana cursor (`/v3/cursor` lines, WebSocket `fetch_cursor` entries). */
export type HranaCursorEntry =
  | { readonly type: 'step_begin'; readonly step: number; readonly cols: unknown[] }
  | { readonly type: 'row'; readonly row: unknown[] }
  | {
      readonly type: 'step_end';
      readonly affected_row_count: number;
      readonly last_insert_rowid: string | null;
    }
  | { readonly type: 'step_error'; readonly step: number; readonly error: HranaErrorBody }
  | { readonly type: 'error'; readonly error: HranaErrorBody };

/**
 * The cursor entries of a batch that already ran: the server runs a cursor's batch at once and streams
 * its result, which a client cannot tell from a lazily executed cursor.
 */
export function cursorEntries(result: HranaBatchResult): HranaCursorEntry[] {
  const entries: HranaCursorEntry[] = [];
  result.step_results.forEach((stepResult, step) => {
    const stepError = result.step_errors[step];
    if (stepError != null) {
      entries.push({ type: 'step_error', step, error: stepError });
    } else if (stepResult != null) {
      entries.push({ type: 'step_begin', step, cols: stepResult.cols });
      for (const row of stepResult.rows) entries.push({ type: 'row', row });
      entries.push({
        type: 'step_end',
        affected_row_count: stepResult.affected_row_count,
        last_insert_rowid: stepResult.last_insert_rowid,
      });
    }
  });
  return entries;
}
