import { connect, createServer, type Socket } from 'node:net';

/** A loopback TCP forwarder whose clients never see a reset; see {@link startGracefulForwarder}. */
export interface GracefulForwarder {
  /** `127.0.0.1`. */
  readonly host: string;
  readonly port: number;
  /** Stops listening, ends every client connection with a FIN and drops the targets. Idempotent. */
  close(): Promise<void>;
}

/**
 * Forwards every connection to `targetHost:targetPort`, turning the target's failures (refused, reset) into a
 * clean close towards the client.
 *
 * miniflare's local Hyperdrive proxy pipes each Worker connection to its origin with no `'error'` listener on
 * the origin socket, so an origin that refuses or resets (a relay in mode `'down'`, or the cluster stopping)
 * throws an uncaught `ECONNREFUSED`/`ECONNRESET` in the process that runs miniflare: the test runner. Placed
 * between that proxy and a node's relay, this forwarder keeps those failures inside, and the Worker sees what
 * Hyperdrive gives a client whose origin is unreachable: a connection that ends without an answer.
 */
export async function startGracefulForwarder(
  targetHost: string,
  targetPort: number,
): Promise<GracefulForwarder> {
  const clients = new Set<Socket>();
  const targets = new Set<Socket>();
  const server = createServer((client) => {
    const target = connect({ host: targetHost, port: targetPort });
    clients.add(client);
    targets.add(target);
    // end(), never destroy(), towards the client: destroying a socket with unread data sends a reset.
    target.on('error', () => client.end());
    target.on('close', () => {
      targets.delete(target);
      client.end();
    });
    client.on('error', () => target.destroy());
    client.on('close', () => {
      clients.delete(client);
      target.destroy();
    });
    client.pipe(target);
    target.pipe(client);
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('forwarder: no TCP address');
  let closed = false;
  return {
    host: '127.0.0.1',
    port: address.port,
    close: async () => {
      if (closed) return;
      closed = true;
      // Not awaiting server.close(): miniflare may keep its side of a connection open after dispose.
      server.close();
      for (const client of clients) client.end();
      for (const target of targets) target.destroy();
    },
  };
}
