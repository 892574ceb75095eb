import { describe, expect, it } from 'vitest';
import { compareAnswers, exhaustiveMatchRowsMax, valuesEqual, type Row } from '../../../bench/tpch/index.js';

const ok = { equal: true };

describe('compareAnswers', () => {
  it('accepts numbers within the relative tolerance and rejects a deliberately wrong one', () => {
    const expected = [{ revenue: 123456.789 }];
    expect(compareAnswers(expected, [{ revenue: 123456.789 * (1 + 5e-7) }])).toEqual(ok);
    expect(compareAnswers(expected, [{ revenue: 123456.789 * (1 - 9e-7) }])).toEqual(ok);
    const wrong = compareAnswers(expected, [{ revenue: 123456.789 * (1 + 2e-6) }]);
    expect(wrong.equal).toBe(false);
    expect(!wrong.equal && wrong.reason).toMatch(/row 0: expected \(123456.789\)/);
    expect(compareAnswers(expected, [{ revenue: 123456.789 * (1 + 2e-6) }], { relativeTolerance: 1e-5 })).toEqual(ok);
  });

  it('accepts a tiny absolute difference around zero only up to the floor', () => {
    expect(compareAnswers([{ x: 0 }], [{ x: 1e-12 }])).toEqual(ok);
    expect(compareAnswers([{ x: 0 }], [{ x: 1e-6 }]).equal).toBe(false);
  });

  it('compares values by position and type: names may differ, a number is not its text', () => {
    expect(compareAnswers([{ 'sum(l_quantity)': 5 }], [{ sum_qty: 5 }])).toEqual(ok);
    expect(compareAnswers([{ y: 1995 }], [{ y: '1995' }]).equal).toBe(false);
    expect(compareAnswers([{ a: null }], [{ a: undefined }])).toEqual(ok);
    expect(compareAnswers([{ a: null }], [{ a: 0 }]).equal).toBe(false);
    expect(compareAnswers([{ a: 'x' }], [{ a: 'X' }]).equal).toBe(false);
    expect(compareAnswers([{ a: 1, b: 2 }], [{ a: 1 }])).toEqual({ equal: false, reason: 'row 0: expected 2 columns, got 1' });
    expect(compareAnswers([{ a: 1 }], [])).toEqual({ equal: false, reason: 'expected 1 rows, got 0' });
    expect(compareAnswers([], [])).toEqual(ok);
    expect(valuesEqual(10n, 10)).toBe(true);
    expect(valuesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(valuesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(valuesEqual(Number.NaN, Number.NaN)).toBe(true);
  });

  it('compares answers without ORDER BY as multisets, duplicates counted', () => {
    const expected: Row[] = [{ k: 'a', v: 1 }, { k: 'b', v: 2 }, { k: 'b', v: 2 }];
    expect(compareAnswers(expected, [{ k: 'b', v: 2 }, { k: 'a', v: 1 }, { k: 'b', v: 2 }])).toEqual(ok);
    expect(compareAnswers(expected, [{ k: 'b', v: 2 }, { k: 'a', v: 1 }, { k: 'a', v: 1 }]).equal).toBe(false);
    expect(compareAnswers(expected, [{ k: 'b', v: 2 }, { k: 'a', v: 1 }, { k: 'c', v: 2 }]).equal).toBe(false);
  });

  it('pairs rows whose numbers sort differently within the tolerance', () => {
    // Sorting puts (1 + 1e-9, 'a') after (1, 'b') on one side and before it
    // on the other; the exhaustive matching still pairs them.
    const expected: Row[] = [{ x: 1, s: 'b' }, { x: 1 + 1e-9, s: 'a' }];
    const actual: Row[] = [{ x: 1 + 2e-9, s: 'b' }, { x: 1, s: 'a' }];
    expect(compareAnswers(expected, actual)).toEqual(ok);
    expect(exhaustiveMatchRowsMax).toBeGreaterThan(1000);
  });

  it('requires ORDER BY order, but lets rows that tie on the ORDER BY columns come in any order', () => {
    const orderKeys = [1];
    const expected: Row[] = [
      { name: 'x', revenue: 30 },
      { name: 'y', revenue: 20 },
      { name: 'z', revenue: 20 },
      { name: 'w', revenue: 10 },
    ];
    const tiesSwapped: Row[] = [expected[0], expected[2], expected[1], expected[3]] as Row[];
    expect(compareAnswers(expected, tiesSwapped, { orderKeys })).toEqual(ok);
    const outOfOrder: Row[] = [expected[1], expected[0], expected[2], expected[3]] as Row[];
    const result = compareAnswers(expected, outOfOrder, { orderKeys });
    expect(result.equal).toBe(false);
    expect(!result.equal && result.reason).toMatch(/row 0/);
    // Without ORDER BY the same rows are a match.
    expect(compareAnswers(expected, outOfOrder)).toEqual(ok);
    // Ties within the tolerance count as ties.
    const nearTies: Row[] = [{ name: 'p', revenue: 5 }, { name: 'q', revenue: 5 * (1 + 1e-9) }];
    expect(compareAnswers(nearTies, [nearTies[1], nearTies[0]] as Row[], { orderKeys })).toEqual(ok);
    expect(compareAnswers(expected, tiesSwapped, { orderKeys: [0] }).equal).toBe(false);
  });

  it('rejects bad options, all at once', () => {
    expect(() => compareAnswers([], [], { relativeTolerance: -1, absoluteTolerance: -1 })).toThrow(/relativeTolerance.*absoluteTolerance/);
    expect(compareAnswers([{ a: 1 }], [{ a: 1 }], { orderKeys: [3] })).toEqual({ equal: false, reason: 'an ORDER BY column is beyond the 1 result columns' });
  });
});
