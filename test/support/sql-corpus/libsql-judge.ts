import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import type { CorpusStatement } from './corpus-statement.js';
import { type EngineVerdict, errorFacts } from './engine-verdict.js';
import { SQLITE_FIXTURE_SQL } from './sqlite-fixture.js';

/**
 * Runs statements with the real libSQL engine (the `libsql` package) and reports what it decided: each
 * statement runs on a fresh copy of the fixture database read-write (the baseline of validity), then on a
 * connection with `PRAGMA query_only = 1` (the read-only mode of the libSQL test bed's replicas) and on one
 * opened `file:...?mode=ro` (a statement can lift query_only with `PRAGMA query_only = 0`). The package's
 * `readonly: true` open option is ignored by libsql 0.5: such a connection writes.
 */
export class LibsqlJudge {
  readonly #dir: string;
  readonly #fixture: string;
  #copies = 0;

  constructor() {
    this.#dir = mkdtempSync(join(tmpdir(), 'edge-db-sqlite-corpus-'));
    this.#fixture = join(this.#dir, 'fixture.db');
    const db = new Database(this.#fixture);
    db.exec(SQLITE_FIXTURE_SQL);
    db.close();
  }

  async judge(statement: CorpusStatement): Promise<EngineVerdict> {
    const baseline = this.#runOnCopy(statement, 'read-write');
    if (baseline !== undefined) return { kind: 'invalid', ...baseline };
    const queryOnly = this.#runOnCopy(statement, 'query-only');
    if (queryOnly !== undefined) return { kind: 'refused', where: 'query_only connection', ...queryOnly };
    // `PRAGMA query_only = 0` inside the statement lifts query_only: a read-only open is the second judge.
    const readOnly = this.#runOnCopy(statement, 'read-only');
    if (readOnly !== undefined) return { kind: 'refused', where: 'mode=ro connection', ...readOnly };
    return { kind: 'accepted' };
  }

  close(): void {
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #runOnCopy(
    statement: CorpusStatement,
    mode: 'read-write' | 'query-only' | 'read-only',
  ): { code: string; message: string } | undefined {
    const file = join(this.#dir, `copy-${this.#copies++}.db`);
    copyFileSync(this.#fixture, file);
    const db = new Database(mode === 'read-only' ? `file:${file}?mode=ro` : file);
    try {
      if (mode === 'query-only') db.exec('pragma query_only = 1');
      const { sql, parameters } = statement.query;
      if (parameters.length === 0) {
        db.exec(sql);
      } else {
        const prepared = db.prepare(sql);
        if (prepared.reader) prepared.all(...parameters);
        else prepared.run(...parameters);
      }
      return undefined;
    } catch (error) {
      return errorFacts(error);
    } finally {
      db.close();
      rmSync(file, { force: true });
      rmSync(`${file}-journal`, { force: true });
      rmSync(`${file}-wal`, { force: true });
    }
  }
}
