import { describe, expect, it } from 'vitest';
import { checkConsistency, consistencyExamplesMax, type DistrictFacts } from '../../../bench/tpcc/consistency.js';

const district = (w: number, d: number, changes: Partial<DistrictFacts> = {}): DistrictFacts => ({
  warehouseId: w, districtId: d, ytdCents: 3_000_000, nextOrderId: 3001, maxOrderId: 3000, orderLineCountSum: 30_000,
  newOrderCount: 900, newOrderMin: 2101, newOrderMax: 3000, orderLineRows: 30_000, ...changes,
});
const shape = { warehouses: 2, districtsPerWarehouse: 10 };
const healthy = () => ({
  warehouses: [1, 2].map((w) => ({ warehouseId: w, ytdCents: 30_000_000 })),
  districts: [1, 2].flatMap((w) => Array.from({ length: 10 }, (_, i) => district(w, i + 1))),
});
const failed = (report: ReturnType<typeof checkConsistency>) => report.conditions.filter((c) => !c.passed).map((c) => c.condition);

describe('consistency conditions 1-4 (clause 3.3.2)', () => {
  it('pass on a consistent database and count what they checked', () => {
    const report = checkConsistency(healthy(), shape);
    expect(report.passed).toBe(true);
    expect(report.conditions.map((c) => [c.condition, c.checked, c.violations])).toEqual([[1, 2, 0], [2, 20, 0], [3, 20, 0], [4, 20, 0]]);
  });

  it('skip the NEW_ORDER parts of conditions 2 and 3 for a district without new orders', () => {
    const facts = healthy();
    facts.districts[3] = district(1, 4, { newOrderCount: 0, newOrderMin: null, newOrderMax: null });
    const report = checkConsistency(facts, shape);
    expect(report.passed).toBe(true);
    expect(report.conditions[2]!.checked).toBe(19);
  });

  it('fail the condition each corruption breaks, with a description', () => {
    const cases: [string, (f: ReturnType<typeof healthy>) => void, number[]][] = [
      ['W_YTD off by a cent', (f) => void (f.warehouses[1] = { warehouseId: 2, ytdCents: 30_000_001 }), [1]],
      ['D_YTD off by a cent', (f) => void (f.districts[0] = district(1, 1, { ytdCents: 2_999_999 })), [1]],
      ['D_NEXT_O_ID ahead of the orders', (f) => void (f.districts[5] = district(1, 6, { nextOrderId: 3002, newOrderMin: 2102, newOrderMax: 3001, maxOrderId: 3000 })), [2]],
      ['newest NEW_ORDER missing', (f) => void (f.districts[5] = district(1, 6, { newOrderMax: 2999, newOrderCount: 899 })), [2]],
      ['a gap in NEW_ORDER', (f) => void (f.districts[7] = district(1, 8, { newOrderCount: 899 })), [3]],
      ['an ORDER_LINE row missing', (f) => void (f.districts[12] = district(2, 3, { orderLineRows: 29_999 })), [4]],
      ['a district missing', (f) => void f.districts.splice(15, 1), [1, 2, 3, 4]],
      ['a warehouse missing', (f) => void f.warehouses.splice(0, 1), [1]],
    ];
    for (const [name, corrupt, conditions] of cases) {
      const facts = healthy();
      corrupt(facts);
      const report = checkConsistency(facts, shape);
      expect(report.passed, name).toBe(false);
      expect(failed(report), name).toEqual(conditions);
      for (const c of report.conditions) expect(c.examples.length, name).toBe(c.violations);
    }
  });

  it(`describe at most ${consistencyExamplesMax} violations per condition, and count them all`, () => {
    for (const broken of [consistencyExamplesMax, consistencyExamplesMax + 1]) {
      const facts = healthy();
      for (let i = 0; i < broken; i++) facts.districts[i] = district(1, i + 1, { orderLineRows: 1 });
      const c4 = checkConsistency(facts, shape).conditions[3]!;
      expect(c4.violations).toBe(broken);
      expect(c4.examples.length).toBe(consistencyExamplesMax);
      expect(c4.examples[0]).toBe('district 1/1: sum(O_OL_CNT) = 30000, ORDER_LINE rows = 1');
    }
  });
});
