import type { LibsqlNodeMode, LibsqlReplicaMode } from './libsql-server-options.js';

/** Configuration the parent passes to a replica child process (as JSON in `EDGE_DB_LIBSQL_REPLICA`). */
export interface ReplicaChildConfig {
  readonly dbPath: string;
  readonly syncUrl: string;
  readonly port: number;
  readonly replicaMode: LibsqlReplicaMode;
  /** The primary's Hrana URL (forwarding and pulling replicas send writes there). */
  readonly primaryUrl: string;
  readonly authToken?: string;
  readonly latencyMs: number;
  readonly pullIntervalMs: number;
  readonly replicationWaitMs?: number;
  readonly streamIdleTimeoutMs?: number;
}

/** The environment variable carrying {@link ReplicaChildConfig}. */
export const REPLICA_CONFIG_ENV = 'EDGE_DB_LIBSQL_REPLICA';

/** A control request from the parent to a replica child over the IPC channel. */
export type ReplicaCommand =
  | { readonly type: 'setLatency'; readonly ms: number }
  | { readonly type: 'setMode'; readonly mode: LibsqlNodeMode }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  | { readonly type: 'setPullInterval'; readonly ms: number }
  | { readonly type: 'replicationIndex' }
  | { readonly type: 'waitForIndex'; readonly index: string; readonly timeoutMs: number }
  | { readonly type: 'stop' };

/** Messages a replica child sends to its parent. */
export type ReplicaMessage =
  | { readonly type: 'ready'; readonly port: number }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'reply'; readonly id: number; readonly ok: true; readonly value?: string }
  | {
      readonly type: 'reply';
      readonly id: number;
      readonly ok: false;
      readonly message: string;
      readonly code?: string;
    };
