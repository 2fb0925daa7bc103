import {
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { NodeRole, ReplicationAdapter } from '../../src/consistency/replication-adapter.js';
import type { Backend } from '../../src/drivers/backend.js';
import { EdgeDbError } from '../../src/errors/edge-db-error.js';

/** One statement a fake node ran. */
export interface RecordedStatement {
  readonly node: string;
  readonly sql: string;
  readonly connection: number;
}

/** Shared log of a fake cluster, plus scripted behaviour per node. */
export class FakeCluster {
  readonly log: RecordedStatement[] = [];
  readonly nodes = new Map<string, FakeNode>();
  /** The primary's position; writes advance it. */
  primaryPosition = 0n;

  node(name: string): FakeNode {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`no fake node ${name}`);
    return node;
  }

  statementsOn(name: string): string[] {
    return this.log.filter((s) => s.node === name).map((s) => s.sql);
  }

  /** Which node ran the last statement whose SQL contains `fragment`. */
  whoRan(fragment: string): string | undefined {
    for (let i = this.log.length - 1; i >= 0; i--)
      if (this.log[i]!.sql.includes(fragment)) return this.log[i]!.node;
    return undefined;
  }

  /** Node names and all connections that are still acquired. */
  openConnections(): string[] {
    return [...this.nodes.values()].flatMap((n) => [...n.open].map((id) => `${n.name}#${id}`));
  }
}

/** Behaviour knobs of one fake node. */
export class FakeNode {
  readonly open = new Set<number>();
  /** Applied position (replicas); the primary reports the cluster's position. */
  position = 0n;
  /** Throw this on every statement (simulates a dead node) when set. */
  failWith: unknown;
  /** Throw this from commitTransaction when set. */
  commitFailWith: unknown;
  /** Throw this from acquireConnection when set. */
  connectFailWith: unknown;
  /** Fails init/destroy when set. */
  initError: unknown;
  destroyError: unknown;
  /** Rows returned by selects. */
  rows: Record<string, unknown>[] = [{ value: 1 }];
  /** Called when this replica answers REPLICA_BEHIND (tests use it to let the replica catch up). */
  onBehind: (() => void) | undefined;
  /** Milliseconds each statement takes (real timers). */
  delayMs = 0;
  acquired = 0;
  released = 0;
  initCalls = 0;
  destroyCalls = 0;

  constructor(
    readonly cluster: FakeCluster,
    readonly name: string,
    readonly role: NodeRole,
  ) {}
}

let connectionIds = 0;

class FakeConnection implements DatabaseConnection {
  readonly id = ++connectionIds;
  constructor(readonly node: FakeNode) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const { node } = this;
    if (node.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, node.delayMs));
    if (node.failWith !== undefined) throw node.failWith;
    node.cluster.log.push({ node: node.name, sql: query.sql, connection: this.id });
    const isSelect = /^\s*(select|with|values|table|show|explain|\(|--|\/\*)/i.test(query.sql);
    const isControl = /^\s*(begin|commit|rollback|savepoint|release)/i.test(query.sql);
    if (!isSelect && !isControl) {
      if (node.role === 'replica')
        throw new EdgeDbError('READ_ONLY_NODE', `fake replica ${node.name} refuses writes`);
      node.cluster.primaryPosition += 10n;
      return { rows: [], numAffectedRows: 1n };
    }
    if (isControl) return { rows: [] };
    return { rows: node.rows as R[] };
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize = 1): AsyncIterableIterator<QueryResult<R>> {
    const result = await this.executeQuery<R>(query);
    for (let i = 0; i < result.rows.length; i += chunkSize)
      yield { rows: result.rows.slice(i, i + chunkSize) };
  }

  /** Kysely 0.29-style cancellation: records which node was asked, through which node's control connection. */
  async cancelQuery(provider: (consumer: (control: DatabaseConnection) => Promise<void>) => Promise<void>) {
    await provider(async (control) => {
      this.node.cluster.log.push({
        node: this.node.name,
        sql: `cancel via ${(control as FakeConnection).node.name}`,
        connection: this.id,
      });
    });
  }

  currentPosition(): bigint {
    return this.node.role === 'primary' ? this.node.cluster.primaryPosition : this.node.position;
  }
}

class FakeDriver implements Driver {
  constructor(readonly node: FakeNode) {}
  async init(): Promise<void> {
    this.node.initCalls++;
    if (this.node.initError !== undefined) throw this.node.initError;
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.node.connectFailWith !== undefined) throw this.node.connectFailWith;
    const connection = new FakeConnection(this.node);
    this.node.open.add(connection.id);
    this.node.acquired++;
    return connection;
  }
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const mode = settings.accessMode ? ` ${settings.accessMode}` : '';
    await connection.executeQuery({
      sql: `begin${mode}`,
      parameters: [],
      query: { kind: 'RawNode' },
    } as never);
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.node.commitFailWith !== undefined) throw this.node.commitFailWith;
    await connection.executeQuery({ sql: 'commit', parameters: [], query: { kind: 'RawNode' } } as never);
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery({ sql: 'rollback', parameters: [], query: { kind: 'RawNode' } } as never);
  }
  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery({
      sql: `savepoint ${name}`,
      parameters: [],
      query: { kind: 'RawNode' },
    } as never);
  }
  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery({
      sql: `rollback to savepoint ${name}`,
      parameters: [],
      query: { kind: 'RawNode' },
    } as never);
  }
  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery({
      sql: `release savepoint ${name}`,
      parameters: [],
      query: { kind: 'RawNode' },
    } as never);
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    this.node.open.delete((connection as FakeConnection).id);
    this.node.released++;
  }
  async destroy(): Promise<void> {
    this.node.destroyCalls++;
    if (this.node.destroyError !== undefined) throw this.node.destroyError;
  }
}

class FakeDialect implements Dialect {
  constructor(readonly node: FakeNode) {}
  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new FakeDriver(this.node);
  }
  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}

/** A replication adapter over fake nodes; `piggyback` decides whether it implements executeWithPosition. */
export function fakeReplication(piggyback: boolean): ReplicationAdapter {
  const adapter: ReplicationAdapter = {
    family: 'postgres',
    async readPosition(connection) {
      return (connection as FakeConnection).currentPosition();
    },
  };
  if (piggyback) {
    return {
      ...adapter,
      async executeWithPosition(connection, query, options) {
        const fake = connection as FakeConnection;
        const position = fake.currentPosition();
        if (options.minPosition !== undefined && position < options.minPosition) {
          fake.node.onBehind?.();
          throw new EdgeDbError('REPLICA_BEHIND', `fake replica at ${position} < ${options.minPosition}`);
        }
        const result = await fake.executeQuery(query);
        return { result: result as never, position: fake.currentPosition(), floor: position };
      },
    };
  }
  return adapter;
}

/** Builds a fake cluster of a primary and `replicas` replicas as edge-db backends. */
export function fakeCluster(
  replicas: number,
  options: { replication?: 'piggyback' | 'probe' | 'none' } = {},
): { cluster: FakeCluster; primary: Backend; replicas: Backend[] } {
  const cluster = new FakeCluster();
  const make = (name: string, role: NodeRole): Backend => {
    const node = new FakeNode(cluster, name, role);
    cluster.nodes.set(name, node);
    const mode = options.replication ?? 'piggyback';
    const backend: Backend = {
      name,
      dialect: new FakeDialect(node),
      id: `fake-${cluster.nodes.size}-${Math.random()}`,
    };
    return mode === 'none'
      ? { ...backend, replication: { family: 'libsql', readPosition: async () => undefined } }
      : { ...backend, replication: fakeReplication(mode === 'piggyback') };
  };
  return {
    cluster,
    primary: make('primary', 'primary'),
    replicas: Array.from({ length: replicas }, (_, i) => make(`replica-${i}`, 'replica')),
  };
}
