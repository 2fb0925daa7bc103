import { readFileSync } from 'node:fs';
import type { WalCommitTracker } from './wal-commit-tracker.js';

/** The only generation the local primary serves (it never checkpoints). */
export const SYNC_GENERATION = 1;

/** An HTTP answer of a sync endpoint. */
export interface SyncAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer | string;
}

function json(status: number, value: unknown): SyncAnswer {
  return { status, contentType: 'application/json', body: JSON.stringify(value) };
}

/**
 * Answers the pull side of libSQL's sync protocol that embedded replicas
 * (`new Database(file, { syncUrl, offline: true })` + `sync()`) speak:
 * - `GET /info` -> `{ "current_generation": 1 }`
 * - `GET /export/1` -> the database file as of frame 0 (the WAL is never checkpointed, so the main file is it)
 * - `GET /sync/1/{start}/{end}` -> raw frames `[start, end)` up to the last commit frame, or
 *   `400 { "generation": 1 }` when there is nothing newer.
 * Returns `undefined` for paths that are not sync endpoints.
 */
export function answerSyncRequest(
  path: string,
  dbPath: string,
  wal: WalCommitTracker,
): SyncAnswer | undefined {
  if (path === '/info') return json(200, { current_generation: SYNC_GENERATION });
  const exportMatch = /^\/export\/(\d+)$/.exec(path);
  if (exportMatch !== null) {
    if (Number(exportMatch[1]) !== SYNC_GENERATION) return json(404, { error: 'unknown generation' });
    return { status: 200, contentType: 'application/octet-stream', body: readFileSync(dbPath) };
  }
  const syncMatch = /^\/sync\/(\d+)\/(\d+)\/(\d+)$/.exec(path);
  if (syncMatch !== null) {
    const [, generation, start, end] = syncMatch.map(Number) as [number, number, number, number];
    if (generation !== SYNC_GENERATION) return json(400, { generation: SYNC_GENERATION });
    const frames = wal.readFrames(start, end);
    if (frames.length === 0) return json(400, { generation: SYNC_GENERATION });
    return { status: 200, contentType: 'application/octet-stream', body: frames };
  }
  return undefined;
}
