import type { Client } from 'pg';
import { normalizeInsertLsn, parseLsn } from '../../consistency/postgres-lsn.js';

/**
 * A WAL position at or after every commit that returned so far, read on the primary. Internal to the
 * PostgreSQL test bed.
 *
 * With synchronous commit the write position (`pg_current_wal_lsn()`) covers every returned commit.
 * Under asynchronous commit it can trail the last commit record, so the insert position is used instead.
 */
export function readCommittedPosition(client: Client, synchronousCommit: boolean): Promise<bigint> {
  return synchronousCommit ? currentWriteLsn(client) : currentInsertEndLsn(client);
}

async function currentWriteLsn(client: Client): Promise<bigint> {
  const { rows } = await client.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
  return parseLsn(rows[0]!.lsn);
}

/**
 * Under asynchronous commit the write position can trail the last commit record, so use the insert position.
 * At a page boundary that position points past the next page's header, where no record can end, and an idle
 * standby stops short of it forever (seen: replay 0/3002000, insert 0/3002018): step back over the header.
 */
async function currentInsertEndLsn(client: Client): Promise<bigint> {
  const { rows } = await client.query<{ lsn: string; block: string; segment: string }>(
    "select pg_current_wal_insert_lsn()::text as lsn, current_setting('wal_block_size') as block, " +
      "(select setting from pg_settings where name = 'wal_segment_size') as segment",
  );
  const row = rows[0]!;
  return normalizeInsertLsn(parseLsn(row.lsn), BigInt(row.block), BigInt(row.segment));
}
