import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QueryCache } from '../../../src/cache/query-cache.js';

type Operation =
  | { type: 'read'; key: number; minPosition: 'none' | 'latest' | 'older'; ttlMs: number }
  | { type: 'burst'; keys: number[] }
  | { type: 'write'; key: number; size: number; invalidate: boolean }
  | { type: 'tick'; ms: number }
  | { type: 'tag'; key: number };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({
    type: fc.constant('read' as const),
    key: fc.nat(3),
    minPosition: fc.constantFrom('none' as const, 'latest' as const, 'older' as const),
    ttlMs: fc.integer({ min: 1, max: 50 }),
  }),
  fc.record({
    type: fc.constant('burst' as const),
    keys: fc.array(fc.nat(3), { minLength: 1, maxLength: 6 }),
  }),
  fc.record({
    type: fc.constant('write' as const),
    key: fc.nat(3),
    size: fc.integer({ min: 0, max: 3_000 }),
    invalidate: fc.boolean(),
  }),
  fc.record({ type: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 60 }) }),
  fc.record({ type: fc.constant('tag' as const), key: fc.nat(3) }),
);

describe('QueryCache under a random workload', () => {
  it('never exceeds maxBytes and never serves rows older than the required position', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(operation, { minLength: 10, maxLength: 80, size: 'max' }),
        fc.integer({ min: 500, max: 20_000 }),
        fc.integer({ min: 0, max: 40 }),
        async (operations, maxBytes, swrMs) => {
          const clock = { now: 0 };
          const cache = new QueryCache({
            maxBytes,
            maxEntryBytes: maxBytes,
            ttlMs: 20,
            swrMs,
            now: () => clock.now,
          });
          // The "database": each key's text and the position of its last write; loads read the primary.
          let position = 1n;
          const texts = new Map<number, { text: string; writtenAt: bigint }>();
          const session = { seen: 0n };

          const read = async (key: number, minPosition: bigint | undefined, ttlMs?: number) => {
            const outcome = await cache.read<{ text: string; writtenAt: bigint }>(
              `k${key}`,
              { tables: [`t${key % 3}`], tags: [`tag${key}`], minPosition, ttlMs },
              async () => {
                const row = texts.get(key) ?? { text: '', writtenAt: 0n };
                return { result: { rows: [{ ...row }] }, position };
              },
            );
            if (minPosition !== undefined) {
              expect(outcome.position).toBeDefined();
              expect(outcome.position! >= minPosition).toBe(true);
            }
            if (minPosition === session.seen) {
              // Read-your-writes: the session's last write (to any key) is reflected.
              expect(outcome.result.rows[0]!.writtenAt).toBe(texts.get(key)?.writtenAt ?? 0n);
            }
          };

          for (const op of operations) {
            switch (op.type) {
              case 'read': {
                const min =
                  op.minPosition === 'none' ? undefined : op.minPosition === 'latest' ? session.seen : 0n;
                await read(op.key, min, op.ttlMs);
                break;
              }
              case 'burst':
                await Promise.all(op.keys.map((key) => read(key, undefined)));
                break;
              case 'write':
                position += 1n;
                texts.set(op.key, { text: 'x'.repeat(op.size), writtenAt: position });
                session.seen = position;
                if (op.invalidate) cache.invalidateTables([`t${op.key % 3}`]);
                break;
              case 'tick':
                clock.now += op.ms;
                break;
              case 'tag':
                cache.invalidateTags([`tag${op.key}`]);
                break;
            }
            const stats = cache.stats();
            expect(stats.bytes).toBeLessThanOrEqual(maxBytes);
            expect(stats.bytes).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
