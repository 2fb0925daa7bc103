import type {
  D1DatabaseLike,
  D1PreparedStatementLike,
  D1ResultLike,
  D1SessionLike,
} from '../../../src/drivers/d1/index.js';

/**
 * A D1 database with a primary and lagging read replicas, as the Sessions API describes it: a session serves
 * each statement from any node at or past its bookmark (the primary for writes and for `first-primary`), and
 * its bookmark advances to the serving node's. Statements are recognised by their first word; rows are kept
 * per table name in the statement (`insert into "t"` / `from "t"`).
 */
export class FakeD1 implements D1DatabaseLike {
  readonly primary = new FakeD1Node('ENAM', true);
  readonly replicas: FakeD1Node[];
  /** Every argument `withSession` received, in order. */
  readonly sessionsStarted: string[] = [];

  constructor(replicaRegions: readonly string[] = ['WEUR']) {
    this.replicas = replicaRegions.map((region) => new FakeD1Node(region, false));
  }

  withSession(constraintOrBookmark: string): D1SessionLike {
    this.sessionsStarted.push(constraintOrBookmark);
    return new FakeD1Session(this, constraintOrBookmark);
  }

  /** Replicas apply everything the primary has. */
  catchUp(): void {
    for (const replica of this.replicas) replica.copyFrom(this.primary);
  }
}

export class FakeD1Node {
  version = 0;
  rows = new Map<string, Record<string, unknown>[]>();
  constructor(
    readonly region: string,
    readonly isPrimary: boolean,
  ) {}
  copyFrom(other: FakeD1Node): void {
    this.version = other.version;
    this.rows = new Map([...other.rows].map(([table, rows]) => [table, [...rows]]));
  }
}

/** The bookmark of a version, in D1's format. */
export function fakeBookmark(version: number): string {
  return `00000000-${version.toString(16).padStart(8, '0')}-00000000-${'0'.repeat(32)}`;
}

class FakeD1Session implements D1SessionLike {
  #bookmark: string | null;
  #firstPrimary: boolean;

  constructor(
    readonly db: FakeD1,
    start: string,
  ) {
    this.#bookmark = start.startsWith('first-') ? null : start;
    this.#firstPrimary = start === 'first-primary';
  }

  getBookmark(): string | null {
    return this.#bookmark;
  }

  prepare(query: string): D1PreparedStatementLike {
    const statement: D1PreparedStatementLike & { params: unknown[] } = {
      params: [],
      bind: (...values: unknown[]) => {
        statement.params = values;
        return statement;
      },
      all: async () => this.run(query, statement.params),
    };
    return statement;
  }

  async batch(statements: D1PreparedStatementLike[]): Promise<D1ResultLike[]> {
    const results: D1ResultLike[] = [];
    for (const statement of statements) results.push(await statement.all());
    return results;
  }

  run(sql: string, params: unknown[]): D1ResultLike {
    if (/no_such_table/.test(sql)) throw new Error('D1_ERROR: no such table: no_such_table: SQLITE_ERROR');
    const writes = /^\s*(insert|update|delete|create|drop)/i.test(sql);
    const node = writes || this.#firstPrimary ? this.db.primary : this.#pick();
    this.#firstPrimary = false;
    const table = /(?:into|from|update|table(?: if not exists)?)\s+"?(\w+)"?/i.exec(sql)?.[1] ?? '';
    let results: Record<string, unknown>[] = [];
    let changes = 0;
    if (writes) {
      node.version++;
      if (/^\s*insert/i.test(sql)) {
        const rows = node.rows.get(table) ?? [];
        rows.push({ id: params[0], name: params[1] });
        node.rows.set(table, rows);
        changes = 1;
      }
    } else {
      results = [...(node.rows.get(table) ?? [])];
    }
    const mine = fakeBookmark(node.version);
    if (this.#bookmark === null || mine > this.#bookmark) this.#bookmark = mine;
    return {
      results,
      meta: { changes, last_row_id: 0, served_by_region: node.region, served_by_primary: node.isPrimary },
    };
  }

  /** The first replica at or past the bookmark, else the primary. */
  #pick(): FakeD1Node {
    const required = this.#bookmark;
    return (
      this.db.replicas.find((replica) => required === null || fakeBookmark(replica.version) >= required) ??
      this.db.primary
    );
  }
}
