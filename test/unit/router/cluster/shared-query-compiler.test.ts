import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  DummyDriver,
  type Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { edgeDb, resetClusterState } from '../../../../src/index.js';

afterEach(() => resetClusterState());

/** A compiler that marks its SQL, so a test sees which compiler compiled a statement. */
class MarkingCompiler extends SqliteQueryCompiler {
  constructor(readonly mark: string) {
    super();
  }
  override compileQuery(...args: Parameters<SqliteQueryCompiler['compileQuery']>): CompiledQuery {
    const compiled = super.compileQuery(...args);
    return { ...compiled, sql: `${compiled.sql} /* ${this.mark} */` };
  }
}

/** A plain-object dialect that records the SQL it ran and counts the compilers it made. */
function countingDialect(mark: string): { dialect: Dialect; compilers: () => number; ran: string[] } {
  let compilers = 0;
  const ran: string[] = [];
  class RecordingDriver extends DummyDriver {
    override async acquireConnection(): Promise<DatabaseConnection> {
      return {
        executeQuery: async (query) => {
          ran.push(query.sql);
          return { rows: [] };
        },
        async *streamQuery() {},
      };
    }
  }
  const dialect: Dialect = {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new RecordingDriver(),
    createIntrospector: (db: Kysely<any>) => new SqliteIntrospector(db),
    createQueryCompiler: () => {
      compilers++;
      return new MarkingCompiler(mark);
    },
  };
  return { dialect, compilers: () => compilers, ran };
}

const select = (db: Kysely<any>) => db.selectFrom('item').select('id').where('id', '=', 1).execute();

describe("the primary's query compiler", () => {
  it('is made once for the instances of a named cluster', async () => {
    const { dialect, compilers, ran } = countingDialect('a');
    for (let i = 0; i < 3; i++) await select(edgeDb<any>({ primary: { dialect }, cluster: 'app' }));
    expect(compilers()).toBe(1);
    expect(ran).toEqual(Array(3).fill('select "id" from "item" where "id" = ? /* a */'));
  });

  it("is the new dialect's own when an instance of the cluster brings another dialect", async () => {
    const a = countingDialect('a');
    const b = countingDialect('b');
    await select(edgeDb<any>({ primary: { dialect: a.dialect }, cluster: 'app' }));
    await select(edgeDb<any>({ primary: { dialect: b.dialect }, cluster: 'app' }));
    expect(b.ran).toEqual(['select "id" from "item" where "id" = ? /* b */']);
    expect([a.compilers(), b.compilers()]).toEqual([1, 1]);
  });

  it('is made per instance for a cluster without identity (no name, no ids)', async () => {
    const { dialect, compilers } = countingDialect('a');
    await select(edgeDb<any>({ primary: { dialect } }));
    await select(edgeDb<any>({ primary: { dialect } }));
    expect(compilers()).toBe(2);
  });
});
