import type { DatabaseConnection, Dialect, Driver } from 'kysely';
import type { Backend } from '../../../src/index.js';

/** One statement a node ran, with how many statements of the same connection were in flight when it was sent. */
export interface CountedStatement {
  readonly node: string;
  readonly sql: string;
  /** Statements of the same connection sent before this one and not yet answered, when this one was sent. */
  readonly alongside: number;
}

/**
 * Wraps a backend's dialect so every statement its nodes run is recorded in `into`, in order (the router sees
 * the same connection API). `alongside` shows whether statements were handed to one connection without waiting.
 */
export function counted(backend: Backend, into: CountedStatement[]): Backend {
  const dialect = backend.dialect;
  const wrapped: Dialect = {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: (): Driver => {
      const driver = dialect.createDriver();
      const originals = new WeakMap<DatabaseConnection, DatabaseConnection>();
      const original = (c: DatabaseConnection) => originals.get(c) ?? c;
      return {
        init: () => driver.init(),
        destroy: () => driver.destroy(),
        beginTransaction: (c, settings) => driver.beginTransaction(original(c), settings),
        commitTransaction: (c) => driver.commitTransaction(original(c)),
        rollbackTransaction: (c) => driver.rollbackTransaction(original(c)),
        releaseConnection: (c) => driver.releaseConnection(original(c)),
        async acquireConnection(): Promise<DatabaseConnection> {
          const connection = await driver.acquireConnection();
          let inFlight = 0;
          const wrapped: DatabaseConnection = {
            async executeQuery(query, ...rest: []) {
              into.push({ node: backend.name!, sql: query.sql, alongside: inFlight });
              inFlight++;
              try {
                return await connection.executeQuery(query, ...rest);
              } finally {
                inFlight--;
              }
            },
            streamQuery: connection.streamQuery.bind(connection),
          };
          originals.set(wrapped, connection);
          return wrapped;
        },
      };
    },
  };
  return { ...backend, dialect: wrapped };
}
