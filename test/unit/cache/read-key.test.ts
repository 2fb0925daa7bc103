import { CompiledQuery } from 'kysely';
import { describe, expect, it } from 'vitest';
import { readKey } from '../../../src/cache/read-key.js';
import { analyzeQuery } from '../../../src/sql/analyze-query.js';

interface Cluster {
  readonly scope: string;
  readonly family: 'postgres' | 'libsql';
}

function ctxOf(scope: string, family: 'postgres' | 'libsql' = 'postgres'): Cluster {
  return { scope, family };
}

function keyOf(ctx: Cluster, sql: string, parameters: readonly unknown[]): string {
  const query = CompiledQuery.raw(sql, [...parameters]);
  return readKey({ memo: analyzeQuery(query), ...ctx, sql: query.sql, parameters: query.parameters });
}

describe('readKey', () => {
  it('gives one key to the same SQL, parameters, cluster and family, and another when any differs', () => {
    const a = ctxOf('cluster-a');
    const sql = 'select * from person where id = $1';
    const key = keyOf(a, sql, [1]);
    expect(keyOf(a, sql, [1])).toBe(key);
    expect(keyOf(ctxOf('cluster-a'), `${sql} `.trim(), [1])).toBe(key); // another string object, same text
    const others = [
      keyOf(a, sql, [2]),
      keyOf(a, sql, ['1']),
      keyOf(a, sql, [1n]),
      keyOf(a, 'select * from pet where id = $1', [1]),
      keyOf(ctxOf('cluster-b'), sql, [1]),
      keyOf(ctxOf('cluster-a', 'libsql'), sql, [1]),
    ];
    expect(new Set([key, ...others]).size).toBe(others.length + 1);
    // Clusters reading the same text in turn keep their own keys.
    expect(keyOf(a, sql, [1])).toBe(key);
  });

  it('never gives two SQL texts one key, also after the table of short ids started over', () => {
    const ctx = ctxOf('many');
    const keys = new Map<string, string>();
    // About 1.5 MiB of prefixes: more than the interned budget, so the ids start over at least once.
    for (let i = 0; i < 12_000; i++) {
      const sql = `select * from t${i} where note = $1 and padding = '${'x'.repeat(80)}'`;
      const key = keyOf(ctx, sql, [1]);
      expect(keys.has(key), `key of ${sql} reused`).toBe(false);
      keys.set(key, sql);
    }
  });

  it('keeps the full text as the key of a very long SQL text, and refuses parameters no database takes', () => {
    const ctx = ctxOf('long');
    const sql = `select * from person where name in (${Array.from({ length: 2000 }, (_, i) => `'n${i}'`).join(', ')})`;
    expect(keyOf(ctx, sql, [])).toContain('select * from person');
    expect(() => keyOf(ctx, 'select $1', [() => 1])).toThrow(/cache key/);
  });
});
