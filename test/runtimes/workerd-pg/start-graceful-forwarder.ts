import { connect, createServer, type Socket } from 'node:net';

/** A loopback TCP forwarder that never closes or resets its clients; see {@link startGracefulForwarder}. */
export interface GracefulForwarder {
  /** `127.0.0.1`. */
  readonly host: string;
  readonly port: number;
  /** Connections from clients that are still open. */
  readonly openClients: number;
  /** Stops listening and drops the targets; leaves client sockets to their peers (unreferenced). Idempotent. */
  close(): Promise<void>;
}

/**
 * A PostgreSQL ErrorResponse (FATAL, SQLSTATE 08006 connection_failure), what a pooler such as Hyperdrive sends
 * a client when it cannot reach the origin.
 */
function connectionFailure(message: string): Buffer {
  const fields = Buffer.concat([
    Buffer.from(`SFATAL\0VFATAL\0C08006\0M${message}\0`, 'utf8'),
    Buffer.from([0]),
  ]);
  const head = Buffer.alloc(5);
  head.write('E', 0, 'ascii');
  head.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([head, fields]);
}

/**
 * Forwards every connection to `targetHost:targetPort`. When the target refuses or resets, the client gets a
 * PostgreSQL connection-failure error instead, and its socket is left open for the client to close.
 *
 * Why: miniflare's local Hyperdrive proxy pipes each Worker connection to its origin with no `'error'`
 * listener on the origin socket. An origin that refuses (`ECONNREFUSED`) or resets (`ECONNRESET`), or that
 * closes its side while the Worker still writes (`EPIPE`), throws an uncaught exception in the process that
 * runs miniflare: the test runner. Between that proxy and a node's relay, this forwarder keeps the relay's
 * failures inside, never ends a connection first, and answers as a pooler would when its origin is down.
 */
export async function startGracefulForwarder(
  targetHost: string,
  targetPort: number,
): Promise<GracefulForwarder> {
  const clients = new Set<Socket>();
  const targets = new Set<Socket>();
  const server = createServer((client) => {
    clients.add(client);
    const target = connect({ host: targetHost, port: targetPort });
    targets.add(target);
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      target.unpipe(client);
      client.unpipe(target);
      if (client.writable)
        client.write(connectionFailure(`origin ${targetHost}:${targetPort}: ${error.message}`));
      // Keep reading what the client still sends (its Terminate), so the peer never writes into a closed pipe.
      client.resume();
    };
    target.on('error', fail);
    target.on('close', () => {
      targets.delete(target);
      fail(new Error('connection closed'));
    });
    target.on('end', () => fail(new Error('connection ended')));
    client.on('error', () => target.destroy());
    client.on('close', () => {
      clients.delete(client);
      target.destroy();
    });
    client.pipe(target, { end: false });
    target.pipe(client, { end: false });
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
    get openClients() {
      return clients.size;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      server.close();
      for (const target of targets) target.destroy();
      // Ending or destroying a client could still reach miniflare's proxy as an error it does not handle; the
      // peer closes them, and unref keeps a leftover from holding this process open.
      for (const client of clients) client.unref();
    },
  };
}
