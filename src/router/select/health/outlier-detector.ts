import type { HealthStatus } from './health-status.js';

/** Options of {@link OutlierDetector}. Bad values throw `TypeError`. */
export interface OutlierDetectorOptions {
  /** Clock in milliseconds, read only when a method is called. @default () => Date.now() */
  readonly now?: (() => number) | undefined;
  /** Failures or timeouts in a row that eject a node. @default 3 */
  readonly consecutiveFailures?: number | undefined;
  /** First ejection period; the n-th ejection in a row lasts `baseEjectionMs * 2^(n-1)`. @default 5_000 */
  readonly baseEjectionMs?: number | undefined;
  /**
   * Longest ejection period. A node that stays healthy this long after returning starts again from
   * `baseEjectionMs`. @default 120_000
   */
  readonly maxEjectionMs?: number | undefined;
  /**
   * Largest share of nodes ejected at once (probes in flight count as ejected). At least one node may always
   * be ejected unless this is 0: ejecting the only replica sends reads to the primary. @default 0.5
   */
  readonly maxEjectedShare?: number | undefined;
  /**
   * A claimed probe that has not been reported after this long is released (status `probe` again) without
   * judging the node: the request that claimed it was probably never sent. @default 30_000
   */
  readonly probeTimeoutMs?: number | undefined;
}

interface NodeHealth {
  phase: 'healthy' | 'ejected' | 'probing';
  failures: number;
  /** Ejections in a row without a lasting recovery; decides the next period. */
  level: number;
  ejectedUntil: number;
  probeStartedAt: number;
  healthySince: number;
}

/**
 * Passive health checking of a fixed set of nodes from the outcomes of real requests, without timers or I/O.
 *
 * Consecutive failures eject a node for a growing period (`baseEjectionMs * 2^(n-1)`, capped at
 * `maxEjectionMs`), never more than `maxEjectedShare` of the nodes at once. Any success resets the failure
 * count. When the period ends the node is offered one probe request: success brings it back, failure ejects
 * it again for longer.
 *
 * Report only node failures (connection errors, timeouts, read-only refusals): a SQL syntax error says
 * nothing about the node.
 *
 * ### Examples
 * ```ts
 * const health = new OutlierDetector(['replica-0', 'replica-1'], { consecutiveFailures: 3 })
 * if (health.status('replica-0') === 'probe') health.startProbe('replica-0')
 * try {
 *   await query(replica0)
 *   health.recordSuccess('replica-0')
 * } catch (error) {
 *   if (isNodeFailure(error)) health.recordFailure('replica-0')
 *   throw error
 * }
 * ```
 */
export class OutlierDetector {
  readonly #nodes = new Map<string, NodeHealth>();
  readonly #now: () => number;
  readonly #threshold: number;
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #share: number;
  readonly #probeTimeoutMs: number;

  constructor(nodeIds: Iterable<string>, options: OutlierDetectorOptions = {}) {
    this.#now = options.now ?? (() => Date.now());
    this.#threshold = atLeast(options.consecutiveFailures, 3, 1, 'consecutiveFailures');
    if (!Number.isInteger(this.#threshold))
      throw new TypeError('consecutiveFailures must be an integer >= 1');
    this.#baseMs = atLeast(options.baseEjectionMs, 5_000, 0, 'baseEjectionMs');
    this.#maxMs = atLeast(options.maxEjectionMs, 120_000, this.#baseMs, 'maxEjectionMs');
    this.#probeTimeoutMs = atLeast(options.probeTimeoutMs, 30_000, 0, 'probeTimeoutMs');
    const share = atLeast(options.maxEjectedShare, 0.5, 0, 'maxEjectedShare');
    if (share > 1) throw new TypeError('maxEjectedShare must be between 0 and 1');
    this.#share = share;
    for (const id of nodeIds) this.#nodes.set(id, newNodeHealth());
  }

  /** The node's current {@link HealthStatus}. */
  status(id: string): HealthStatus {
    const node = this.#node(id);
    const now = this.#now();
    if (node.phase === 'ejected') return now < node.ejectedUntil ? 'ejected' : 'probe';
    if (node.phase === 'probing') {
      const probeLost = now - node.probeStartedAt >= this.#probeTimeoutMs;
      return probeLost ? 'probe' : 'probing';
    }
    return 'healthy';
  }

  /**
   * Claims the probe of a node whose status is `probe`. Returns `false` when there is nothing to probe or
   * another request already probes it; then send the request elsewhere.
   */
  startProbe(id: string): boolean {
    if (this.status(id) !== 'probe') return false;
    const node = this.#node(id);
    node.phase = 'probing';
    node.probeStartedAt = this.#now();
    return true;
  }

  /**
   * Gives back a probe claimed with {@link OutlierDetector.startProbe} whose request was not sent (an earlier
   * attempt answered first). The node stays unjudged and the next request may probe it.
   */
  releaseProbe(id: string): void {
    const node = this.#node(id);
    if (node.phase === 'probing') node.phase = 'ejected';
  }

  /** Reports a request the node answered (including with a SQL error that is not the node's fault). */
  recordSuccess(id: string): void {
    const node = this.#node(id);
    const now = this.#now();
    node.failures = 0;
    if (node.phase === 'healthy') {
      if (node.level > 0 && now - node.healthySince >= this.#maxMs) node.level = 0;
      return;
    }
    // A late answer to a request sent before the ejection proves little; only a probe-time answer returns it.
    if (node.phase === 'ejected' && now < node.ejectedUntil) return;
    node.phase = 'healthy';
    node.healthySince = now;
  }

  /** Reports a connection failure or timeout of the node. */
  recordFailure(id: string): void {
    const node = this.#node(id);
    const now = this.#now();
    if (node.phase === 'ejected') {
      // A failure after the period is over is an unclaimed probe failing; during it, old news.
      if (now >= node.ejectedUntil) this.#failProbe(node, now);
      return;
    }
    if (node.phase === 'probing') {
      this.#failProbe(node, now);
      return;
    }
    if (node.level > 0 && now - node.healthySince >= this.#maxMs) node.level = 0;
    node.failures++;
    if (node.failures >= this.#threshold) this.#eject(node, now);
  }

  /** How many nodes are ejected or being probed right now. */
  ejectedCount(): number {
    let count = 0;
    for (const id of this.#nodes.keys()) {
      const status = this.status(id);
      if (status === 'ejected' || status === 'probing') count++;
    }
    return count;
  }

  #failProbe(node: NodeHealth, now: number): void {
    node.phase = 'healthy';
    node.healthySince = now;
    node.failures = this.#threshold;
    this.#eject(node, now);
  }

  #eject(node: NodeHealth, now: number): void {
    // Over the cap the node keeps serving with its failure count at the threshold: the next failure after
    // another node returns ejects it.
    if (this.ejectedCount() >= this.#maxEjected) return;
    node.level++;
    node.phase = 'ejected';
    node.failures = 0;
    node.ejectedUntil = now + Math.min(this.#maxMs, this.#baseMs * 2 ** (node.level - 1));
  }

  /** A node's health, created healthy on first mention (instances of one cluster may list different nodes). */
  #node(id: string): NodeHealth {
    let node = this.#nodes.get(id);
    if (node === undefined) {
      node = newNodeHealth();
      this.#nodes.set(id, node);
    }
    return node;
  }

  /** At most this many nodes are ejected at once: a share of the nodes known so far, at least one. */
  get #maxEjected(): number {
    return this.#share === 0 ? 0 : Math.max(1, Math.floor(this.#share * this.#nodes.size));
  }
}

function newNodeHealth(): NodeHealth {
  return { phase: 'healthy', failures: 0, level: 0, ejectedUntil: 0, probeStartedAt: 0, healthySince: 0 };
}

function atLeast(value: number | undefined, fallback: number, min: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new TypeError(`${name} must be a finite number >= ${min}`);
  }
  return value;
}
