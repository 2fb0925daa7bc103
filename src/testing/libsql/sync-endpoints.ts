import { readFileSync } from 'node:fs';
import type { PrimaryWalLog } from './primary-wal-log.js';

/** An HTTP answer of a sync endpoint. */
export interface SyncAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer | string;
}

/** Path of the endpoint replicas of the local server read generation bases from. */
export const GENERATIONS_PATH = '/edge-db/generations';

function json(status: number, value: unknown): SyncAnswer {
  return { status, contentType: 'application/json', body: JSON.stringify(value) };
}

/**
 * Answers the pull side of libSQL's sync protocol that embedded replicas
 * (`new Database(file, { syncUrl, offline: true })` + `sync()`) speak:
 * - `GET /info` -> `{ "current_generation": G }`
 * - `GET /export/G` -> the database file as of frame 0 of generation G
 * - `GET /sync/G/{start}/{end}` -> raw frames `[start, end)` up to the last commit frame, or
 *   `400 { "generation": current }` at the end of G (the replica then moves to the next generation);
 *   `410` when G was dropped (a replica that far behind bootstraps again from `/export`).
 * - `GET /edge-db/generations` -> `{ current_generation, bases: { "G": "<index of frame 0 of G>" } }`
 * Returns `undefined` for paths that are not sync endpoints.
 */
export function answerSyncRequest(path: string, log: PrimaryWalLog): SyncAnswer | undefined {
  if (path === '/info') return json(200, { current_generation: log.generation });
  if (path === GENERATIONS_PATH) {
    return json(200, { current_generation: log.generation, bases: log.bases() });
  }
  const exportMatch = /^\/export\/(\d+)$/.exec(path);
  if (exportMatch !== null) {
    const file = log.exportPath(Number(exportMatch[1]));
    if (file === undefined) return json(404, { error: 'unknown generation' });
    return { status: 200, contentType: 'application/octet-stream', body: readFileSync(file) };
  }
  const syncMatch = /^\/sync\/(\d+)\/(\d+)\/(\d+)$/.exec(path);
  if (syncMatch !== null) {
    const [, generation, start, end] = syncMatch.map(Number) as [number, number, number, number];
    const answer = log.readFrames(generation, start, end);
    if (answer.kind === 'frames') {
      return { status: 200, contentType: 'application/octet-stream', body: answer.frames };
    }
    if (answer.kind === 'end') return json(400, { generation: answer.generation });
    return json(410, {
      error: `generation ${generation} was checkpointed away (the primary keeps the last few); bootstrap the replica again`,
      generation: answer.generation,
    });
  }
  return undefined;
}
