import type * as ws from 'ws';
import { EdgeDbError } from '../../errors/edge-db-error.js';
import { importOptionalDependency } from '../import-optional-dependency.js';

/** The parts of the `ws` package the local Neon proxy uses. */
export interface WsModule {
  readonly WebSocket: typeof ws.WebSocket;
  readonly WebSocketServer: typeof ws.WebSocketServer;
}

let loading: Promise<WsModule> | undefined;
let loaded: WsModule | undefined;

/**
 * Loads `ws` (an optional peer of `edge-db/testing`) on first use: the local Neon proxy serves its
 * WebSocket relay with it, and on Node 20 (no global `WebSocket`) the driver connects with it. Without
 * it, rejects with an `EdgeDbError` of code `TESTING_SETUP_FAILED` that says `npm install -D ws`.
 *
 * ### Examples
 * ```ts
 * const { WebSocketServer } = await loadWs('startNeonProxy()')
 * ```
 */
export function loadWs(usedBy: string): Promise<WsModule> {
  loading ??= importOptionalDependency(() => import('ws'), 'ws', usedBy).then(
    (module) => {
      // ws's ESM wrapper has named exports; a CommonJS interop copy has them on the default export.
      const namespace = module as Partial<WsModule> & { default?: Partial<WsModule> };
      const WebSocket = namespace.WebSocket ?? namespace.default?.WebSocket;
      const WebSocketServer = namespace.WebSocketServer ?? namespace.default?.WebSocketServer;
      if (WebSocket === undefined || WebSocketServer === undefined) {
        throw new EdgeDbError(
          'TESTING_SETUP_FAILED',
          `${usedBy} needs ws >= 8 (no WebSocket/WebSocketServer export found): \`npm install -D ws@8\`.`,
        );
      }
      loaded = { WebSocket, WebSocketServer };
      return loaded;
    },
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/** The `ws` module if {@link loadWs} has loaded it in this process (a proxy was started), else undefined. */
export function loadedWs(): WsModule | undefined {
  return loaded;
}
