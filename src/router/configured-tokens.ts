import { importTokenSecret } from '../consistency/consistency-token.js';
import type { ReplicationFamily } from '../consistency/replication-adapter.js';
import type { ClusterState } from './cluster/cluster-state.js';
import type { TokenSettings } from './router-context.js';

/** What an instance's `consistency` option says about tokens, validated. */
export interface TokenOptions {
  readonly initial: string | null | undefined;
  readonly onInvalid: 'ignore' | 'throw';
  readonly secret: string | Uint8Array | CryptoKey | undefined;
  readonly maxAgeSeconds: number;
}

/**
 * The token settings of one instance. The cluster's hash is the cluster state's (computed when a token is
 * first read or issued, not per instance) and the signing key is imported once per secret and isolate.
 */
export class ConfiguredTokens implements TokenSettings {
  readonly initial: string | null | undefined;
  readonly onInvalid: 'ignore' | 'throw';
  readonly family: ReplicationFamily;
  readonly maxAgeSeconds: number;
  readonly #secret: string | Uint8Array | CryptoKey | undefined;
  readonly #cluster: ClusterState;

  constructor(options: TokenOptions, cluster: ClusterState, family: ReplicationFamily) {
    this.initial = options.initial;
    this.onInvalid = options.onInvalid;
    this.maxAgeSeconds = options.maxAgeSeconds;
    this.family = family;
    this.#secret = options.secret;
    this.#cluster = cluster;
  }

  get cluster(): bigint {
    return this.#cluster.tokenCluster;
  }

  key(): Promise<CryptoKey | undefined> {
    return signingKey(this.#secret);
  }
}

/** Imported keys are plain data and cost a WebCrypto call to make: keep a few per isolate. */
const signingKeys = new Map<unknown, Promise<CryptoKey>>();

function signingKey(secret: string | Uint8Array | CryptoKey | undefined): Promise<CryptoKey | undefined> {
  if (secret === undefined) return Promise.resolve(undefined);
  let key = signingKeys.get(secret);
  if (key === undefined) {
    key = importTokenSecret(secret);
    key.catch(() => signingKeys.delete(secret));
    if (signingKeys.size > 16) signingKeys.clear();
    signingKeys.set(secret, key);
  }
  return key;
}
