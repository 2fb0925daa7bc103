import { CompiledQuery } from 'kysely';

/** Where a statement of the corpus comes from. */
export type CorpusFamily = 'builder' | 'raw' | 'catalogue';

/**
 * Why a misroute of this statement is a documented limitation rather than a bug: the statement calls a user
 * function (or reads a view or calls a procedure) that writes, which no text-based classifier can see.
 * Applications route such statements with `route(db, { readPreference: 'primary' })`.
 */
export type KnownLimitation = 'user-function-writes';

/** One statement of the differential corpus, with the compiled query edge-db classifies. */
export interface CorpusStatement {
  /** Stable and unique: `<family>/<shape>/<variant>`. */
  readonly id: string;
  readonly family: CorpusFamily;
  /** What edge-db classifies: the Kysely-compiled query (builder) or `CompiledQuery.raw(sql)`. */
  readonly query: CompiledQuery;
  /** Set when a misroute is an accepted, documented limitation. */
  readonly limitation?: KnownLimitation;
}

/** A raw statement with no parameters. */
export function rawStatement(
  id: string,
  family: CorpusFamily,
  text: string,
  limitation?: KnownLimitation,
): CorpusStatement {
  const query = CompiledQuery.raw(text);
  return limitation === undefined ? { id, family, query } : { id, family, query, limitation };
}
