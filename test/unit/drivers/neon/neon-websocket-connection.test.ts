import { Client } from '@neondatabase/serverless';
import { Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NeonDialect } from '../../../../src/drivers/neon/neon-dialect.js';

/** PostgreSQL's command tags (CreateCommandTag): `ROLLBACK TO SAVEPOINT x` answers `ROLLBACK`. */
function tagOf(text: string): string {
  const t = text
    .replace(/^\s*\/\*[\s\S]*?\*\//, '')
    .trim()
    .toLowerCase();
  if (t.startsWith('start transaction') || t === 'begin') return 'BEGIN';
  if (t.startsWith('rollback')) return 'ROLLBACK';
  if (t === 'commit') return 'COMMIT';
  if (t.startsWith('savepoint')) return 'SAVEPOINT';
  if (t.startsWith('release')) return 'RELEASE';
  if (t.startsWith('declare')) return 'DECLARE CURSOR';
  if (t.startsWith('fetch')) return 'FETCH';
  if (t.startsWith('close')) return 'CLOSE CURSOR';
  if (t.startsWith('insert')) return 'INSERT';
  return 'SELECT';
}

/** The transaction status PostgreSQL reports in ReadyForQuery after `text`, given the one before. */
function statusAfter(text: string, before: string): string {
  const t = text.trim().toLowerCase();
  if (t.startsWith('start transaction') || t === 'begin') return 'T';
  if (t === 'commit' || /^rollback\s*$/.test(t)) return 'I';
  return before;
}

/**
 * Replaces the WebSocket `Client` with a scripted server: records statements, answers with PostgreSQL's
 * command tags and, when `reportStatus`, emits ReadyForQuery with the transaction status like pg does.
 */
function scriptClient(options: { reportStatus: boolean }) {
  const sent: string[] = [];
  let status = 'I';
  vi.spyOn(Client.prototype, 'connect').mockImplementation(async () => {});
  vi.spyOn(Client.prototype, 'end').mockImplementation(async () => {});
  vi.spyOn(Client.prototype, 'query').mockImplementation(async function (this: Client, text: unknown) {
    sent.push(String(text));
    status = statusAfter(String(text), status);
    if (options.reportStatus) this.connection.emit('readyForQuery', { name: 'readyForQuery', status });
    return { command: tagOf(String(text)), rowCount: 0, rows: [], fields: [], oid: 0 };
  } as never);
  return sent;
}

const config = { url: 'postgresql://u@example.test/db', wsProxy: 'proxy.example.test/v1' };

describe('NeonWebSocketConnection', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each([
    ['with ReadyForQuery status', true],
    ['from command tags only', false],
  ])('keeps the transaction open after ROLLBACK TO SAVEPOINT (%s)', async (_label, reportStatus) => {
    const sent = scriptClient({ reportStatus });
    const db = new Kysely<{ t: { id: number } }>({ dialect: new NeonDialect(config) });
    try {
      const trx = await db.startTransaction().execute();
      await sql`insert into t values (1)`.execute(trx);
      const sp = await trx.savepoint('a').execute();
      await sp.rollbackToSavepoint('a').execute();
      for await (const _ of sp.selectFrom('t').selectAll().stream()) {
        // Drain.
      }
      await sql`insert into t values (2)`.execute(sp);
      await sp.rollback().execute();
    } finally {
      await db.destroy();
    }
    // The stream's cursor runs in the caller's transaction: no BEGIN/COMMIT of its own.
    expect(sent).not.toContain('begin');
    expect(sent).not.toContain('commit');
    expect(sent.at(-1)).toBe('rollback');
    expect(sent.filter((text) => text.startsWith('declare'))).toHaveLength(1);
  });

  it.each([
    'rollback to savepoint "a"',
    'ROLLBACK WORK TO a',
    'rollback transaction to savepoint a',
    '/* c */ rollback to a',
  ])('treats %j as staying in the transaction when no status is reported', async (statement) => {
    const sent = scriptClient({ reportStatus: false });
    const db = new Kysely<{ t: { id: number } }>({ dialect: new NeonDialect(config) });
    try {
      await db.connection().execute(async (connection) => {
        await sql`begin`.execute(connection);
        await sql.raw(statement).execute(connection);
        for await (const _ of connection.selectFrom('t').selectAll().stream()) {
          // Drain.
        }
        await sql`rollback`.execute(connection);
      });
    } finally {
      await db.destroy();
    }
    expect(sent.filter((text) => text === 'begin')).toHaveLength(1);
    expect(sent).not.toContain('commit');
  });

  it('opens its own transaction for a stream outside one, after a plain ROLLBACK', async () => {
    const sent = scriptClient({ reportStatus: true });
    const db = new Kysely<{ t: { id: number } }>({ dialect: new NeonDialect(config) });
    try {
      await db.connection().execute(async (connection) => {
        await sql`begin`.execute(connection);
        await sql`rollback`.execute(connection);
        for await (const _ of connection.selectFrom('t').selectAll().stream()) {
          // Drain.
        }
      });
    } finally {
      await db.destroy();
    }
    expect(sent.filter((text) => text === 'begin')).toHaveLength(2);
    expect(sent).toContain('commit');
  });
});
