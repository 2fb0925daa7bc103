import { connect, type Socket } from 'node:net';
import { DelayedPipe } from './delayed-pipe.js';

/** What a relayed connection needs to know about its relay. */
export interface RelayConnectionContext {
  readonly targetHost: string;
  readonly targetPort: number;
  latencyMs(): number;
  isFlowing(): boolean;
  onClosed(connection: RelayConnection): void;
}

/**
 * One client connection through the latency relay and its connection to the target, with a delayed pipe
 * in each direction. Internal to the latency relay.
 */
export class RelayConnection {
  readonly #client: Socket;
  readonly #context: RelayConnectionContext;
  readonly #toTarget: DelayedPipe;
  #target: Socket | undefined;
  #fromTarget: DelayedPipe | undefined;
  #closed = false;

  constructor(client: Socket, context: RelayConnectionContext) {
    this.#client = client;
    this.#context = context;
    client.setNoDelay(true);
    this.#toTarget = new DelayedPipe(client, context.latencyMs, context.isFlowing);
    client.on('error', () => this.reset());
    client.on('close', (hadError) => (hadError ? this.reset() : this.#closeWhenBothDone()));
    if (context.isFlowing()) this.#connectTarget();
  }

  /** Re-evaluates flow after the relay's mode changed between `'up'` and `'blackhole'`. */
  resume(): void {
    if (this.#closed) return;
    if (this.#target === undefined && this.#context.isFlowing()) this.#connectTarget();
    this.#toTarget.pump();
    this.#fromTarget?.pump();
  }

  /** Aborts both sides with a TCP reset, as a crashed node would. */
  reset(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#toTarget.dispose();
    this.#fromTarget?.dispose();
    if (!this.#client.destroyed) this.#client.resetAndDestroy();
    if (this.#target !== undefined && !this.#target.destroyed) this.#target.resetAndDestroy();
    this.#context.onClosed(this);
  }

  #connectTarget(): void {
    const target = connect({
      host: this.#context.targetHost,
      port: this.#context.targetPort,
      allowHalfOpen: true,
    });
    this.#target = target;
    target.setNoDelay(true);
    this.#fromTarget = new DelayedPipe(target, this.#context.latencyMs, this.#context.isFlowing);
    this.#fromTarget.attach(this.#client);
    this.#toTarget.attach(target);
    target.on('error', () => this.reset());
    target.on('close', (hadError) => (hadError ? this.reset() : this.#closeWhenBothDone()));
  }

  // Both sockets closed cleanly (each side's FIN was relayed): forget the connection.
  #closeWhenBothDone(): void {
    if (this.#closed) return;
    const targetDone = this.#target === undefined || this.#target.destroyed;
    if (!this.#client.destroyed || !targetDone) return;
    this.#closed = true;
    this.#toTarget.dispose();
    this.#fromTarget?.dispose();
    this.#context.onClosed(this);
  }
}
