import { describe, expect, it } from 'vitest';
import { copyStoredResult, objectKeysOf } from '../../../src/cache/copy-result.js';

describe('copyStoredResult (the copy a hit hands out)', () => {
  it('finds the keys that hold objects in any row, and gives up on rows that are not plain objects', () => {
    expect(objectKeysOf([{ id: 1, name: 'a' }])).toEqual([]);
    expect(
      objectKeysOf([
        { id: 1, at: null },
        { id: 2, at: new Date(1) },
        { id: 3, tags: ['x'] },
      ]),
    ).toEqual(['at', 'tags']);
    class Row {
      id = 1;
    }
    expect(objectKeysOf([{ id: 1 }, new Row()])).toBeUndefined();
    expect(objectKeysOf([Object.create(null)])).toBeUndefined();
    expect(objectKeysOf([[1, 2]])).toBeUndefined();
  });

  it('copies rows of primitives and deep-copies the object-valued keys, keeping their types', () => {
    const stored = {
      rows: [
        { id: 1, name: 'a', at: null as Date | null, blob: Buffer.from([1, 2]), json: { list: [1] } },
        { id: 2, name: 'b', at: new Date(7), blob: Buffer.from([3]), json: { list: [2] } },
      ],
      numAffectedRows: 2n,
    };
    const copy = copyStoredResult(stored, objectKeysOf(stored.rows));
    expect(copy).toEqual(stored);
    const [first, second] = copy.rows;
    expect(first).not.toBe(stored.rows[0]);
    expect(second!.at).not.toBe(stored.rows[1]!.at);
    expect(second!.at).toBeInstanceOf(Date);
    expect(Buffer.isBuffer(second!.blob)).toBe(true);
    first!.name = 'changed';
    first!.json.list.push(9);
    second!.blob[0] = 9;
    second!.at!.setTime(0);
    expect(stored.rows[0]).toEqual({
      id: 1,
      name: 'a',
      at: null,
      blob: Buffer.from([1, 2]),
      json: { list: [1] },
    });
    expect(stored.rows[1]!.blob[0]).toBe(3);
    expect(stored.rows[1]!.at!.getTime()).toBe(7);
  });

  it('copies rows that are not plain objects the general way (prototype kept)', () => {
    class Interval {
      constructor(public hours: number) {}
    }
    const stored = { rows: [new Interval(2)] };
    const copy = copyStoredResult(stored, objectKeysOf(stored.rows));
    expect(copy.rows[0]).toBeInstanceOf(Interval);
    expect(copy.rows[0]).not.toBe(stored.rows[0]);
    expect(copy.rows[0]!.hours).toBe(2);
  });
});
