import { createServer } from 'node:net';

/**
 * Asks the kernel for a currently free TCP port on `host` by listening on port 0, then releases it.
 *
 * For programs that must be told their port up front (a PostgreSQL server). Another process can take
 * the port between this call and its use, so callers retry with a new port when binding fails.
 *
 * ### Examples
 * ```ts
 * const port = await findFreePort()
 * await startServer({ port })
 * ```
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => {
        if (port === undefined) reject(new Error(`Could not read the port of a listener on ${host}`));
        else resolve(port);
      });
    });
  });
}
