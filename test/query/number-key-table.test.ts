/**
 * NumberKeyTable against a Map of composite-key strings: dense ids in order
 * of first insertion, lookups, growth, and SQL's equalities (0 = -0,
 * NaN standing for NULL equals itself).
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../storage/device/index.js';
import { NumberKeyTable, numberKeyColumnsMax } from '../../query/number-key-table.js';

describe('NumberKeyTable', () => {
  it('gives the ids a map of keys would, across growth, for 1 to numberKeyColumnsMax columns', () => {
    for (let width = 1; width <= numberKeyColumnsMax; width++) {
      const r = seededRandom(100 + width);
      const table = new NumberKeyTable(width, 4);
      const model = new Map<string, number>();
      const key = new Float64Array(width);
      const failures: string[] = [];
      const pool = [0, -0, 1, -1, 0.5, 2 ** 40, -(2 ** 52), 1e300, Number.MIN_VALUE, Number.NaN, 3, 7, 1 / 3];
      for (let i = 0; i < 5000; i++) {
        for (let c = 0; c < width; c++) key[c] = r.chance(0.5) ? r.pick(pool) : r.int(-200, 200);
        // The model's key: NaN as 'null', -0 as 0.
        const text = Array.from(key, (v) => (Number.isNaN(v) ? 'null' : String(v === 0 ? 0 : v))).join(',');
        const expected = model.get(text);
        if (r.chance(0.3)) {
          const found = table.find(key);
          if (found !== (expected ?? -1)) failures.push(`seed ${100 + width}: find ${text} gave ${found}, expected ${expected ?? -1}`);
          continue;
        }
        const id = table.insert(key);
        if (expected === undefined) model.set(text, model.size);
        if (id !== model.get(text)) failures.push(`seed ${100 + width}: insert ${text} gave ${id}, expected ${model.get(text)}`);
        if (table.size !== model.size) failures.push(`seed ${100 + width}: size ${table.size}, expected ${model.size}`);
      }
      expect(failures.slice(0, 5)).toEqual([]);
      for (const [text, id] of model) {
        const parts = text.split(',');
        for (let c = 0; c < width; c++) {
          const stored = table.keyOf(id, c);
          const ok = parts[c] === 'null' ? Number.isNaN(stored) : Object.is(stored, Number(parts[c]) === 0 ? 0 : Number(parts[c]));
          if (!ok) failures.push(`seed ${100 + width}: key ${text} column ${c} stored as ${stored}`);
        }
      }
      expect(failures.slice(0, 5)).toEqual([]);
    }
  });

  it('treats an INTEGER and an equal REAL as one key', () => {
    const table = new NumberKeyTable(2);
    const a = table.insert([1, 2]);
    expect(table.insert([1.0, 2.0])).toBe(a);
    expect(table.find([1, 2.5])).toBe(-1);
    expect(table.insert([-0, 0])).toBe(table.insert([0, -0]));
  });
});
