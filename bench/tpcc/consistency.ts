/**
 * Consistency conditions 1–4 of TPC-C (clause 3.3.2), checked on every
 * database after a run. Each workload (SQL or KV) reads the facts below from
 * its database in one consistent view; the conditions themselves are
 * evaluated here, once, for all drivers.
 *
 * 1. W_YTD = sum(D_YTD) over the warehouse's districts.
 * 2. D_NEXT_O_ID − 1 = max(O_ID) = max(NO_O_ID) in each district (the
 *    NEW_ORDER part only when the district has rows in NEW_ORDER).
 * 3. max(NO_O_ID) − min(NO_O_ID) + 1 = the number of NEW_ORDER rows of the
 *    district (when it has any).
 * 4. sum(O_OL_CNT) = the number of ORDER_LINE rows of the district.
 *
 * A warehouse or district that should exist and has no facts is a
 * violation too: a check that cannot see its rows must not pass.
 */

export interface WarehouseFacts {
  readonly warehouseId: number;
  readonly ytdCents: number;
}

export interface DistrictFacts {
  readonly warehouseId: number;
  readonly districtId: number;
  readonly ytdCents: number;
  readonly nextOrderId: number;
  /** max(O_ID), or null when the district has no orders. */
  readonly maxOrderId: number | null;
  /** sum(O_OL_CNT) over the district's orders. */
  readonly orderLineCountSum: number;
  readonly newOrderCount: number;
  readonly newOrderMin: number | null;
  readonly newOrderMax: number | null;
  /** Number of ORDER_LINE rows of the district. */
  readonly orderLineRows: number;
}

export interface ConsistencyFacts {
  readonly warehouses: readonly WarehouseFacts[];
  readonly districts: readonly DistrictFacts[];
}

export interface ConsistencyConditionResult {
  readonly condition: 1 | 2 | 3 | 4;
  readonly title: string;
  /** Warehouses (condition 1) or districts (2–4) checked. */
  readonly checked: number;
  readonly violations: number;
  /** The first few violations, described. */
  readonly examples: readonly string[];
  readonly passed: boolean;
}

export interface ConsistencyReport {
  readonly passed: boolean;
  readonly conditions: readonly ConsistencyConditionResult[];
}

/** Violations described per condition, at most. */
export const consistencyExamplesMax = 5;

export const consistencyTitles = Object.freeze({
  1: 'W_YTD = sum(D_YTD)',
  2: 'D_NEXT_O_ID - 1 = max(O_ID) = max(NO_O_ID)',
  3: 'max(NO_O_ID) - min(NO_O_ID) + 1 = count(NEW_ORDER)',
  4: 'sum(O_OL_CNT) = count(ORDER_LINE)',
} as const);

class ConditionCheck {
  checked = 0;
  violations = 0;
  readonly examples: string[] = [];

  constructor(readonly condition: 1 | 2 | 3 | 4) {}

  check(ok: boolean, describe: () => string): void {
    this.checked++;
    if (ok) return;
    this.violations++;
    if (this.examples.length < consistencyExamplesMax) this.examples.push(describe());
  }

  result(): ConsistencyConditionResult {
    return {
      condition: this.condition,
      title: consistencyTitles[this.condition],
      checked: this.checked,
      violations: this.violations,
      examples: this.examples,
      passed: this.violations === 0,
    };
  }
}

/** Evaluates conditions 1–4 over the facts of a database of `warehouses` × `districtsPerWarehouse` districts. */
export function checkConsistency(facts: ConsistencyFacts, shape: { warehouses: number; districtsPerWarehouse: number }): ConsistencyReport {
  const c1 = new ConditionCheck(1);
  const c2 = new ConditionCheck(2);
  const c3 = new ConditionCheck(3);
  const c4 = new ConditionCheck(4);
  const warehouses = new Map(facts.warehouses.map((w) => [w.warehouseId, w]));
  const districts = new Map(facts.districts.map((d) => [`${d.warehouseId}/${d.districtId}`, d]));

  for (let w = 1; w <= shape.warehouses; w++) {
    const warehouse = warehouses.get(w);
    let districtYtd = 0;
    let missing = 0;
    for (let d = 1; d <= shape.districtsPerWarehouse; d++) {
      const district = districts.get(`${w}/${d}`);
      if (district === undefined) {
        missing++;
        for (const check of [c2, c3, c4]) check.check(false, () => `district ${w}/${d} is missing`);
        continue;
      }
      districtYtd += district.ytdCents;
      checkDistrict(district, c2, c3, c4);
    }
    if (warehouse === undefined) c1.check(false, () => `warehouse ${w} is missing`);
    else c1.check(missing === 0 && warehouse.ytdCents === districtYtd, () => `warehouse ${w}: W_YTD ${warehouse.ytdCents} != sum(D_YTD) ${districtYtd}${missing > 0 ? ` (${missing} districts missing)` : ''}`);
  }
  const conditions = [c1.result(), c2.result(), c3.result(), c4.result()];
  return { passed: conditions.every((c) => c.passed), conditions };
}

function checkDistrict(d: DistrictFacts, c2: ConditionCheck, c3: ConditionCheck, c4: ConditionCheck): void {
  const id = `district ${d.warehouseId}/${d.districtId}`;
  const expected = d.nextOrderId - 1;
  const newOrderOk = d.newOrderCount === 0 || d.newOrderMax === expected;
  c2.check(d.maxOrderId === expected && newOrderOk, () => `${id}: D_NEXT_O_ID - 1 = ${expected}, max(O_ID) = ${d.maxOrderId}, max(NO_O_ID) = ${d.newOrderMax}`);
  if (d.newOrderCount > 0) {
    const span = d.newOrderMax === null || d.newOrderMin === null ? null : d.newOrderMax - d.newOrderMin + 1;
    c3.check(span === d.newOrderCount, () => `${id}: max - min + 1 of NO_O_ID = ${span}, count = ${d.newOrderCount}`);
  }
  c4.check(d.orderLineCountSum === d.orderLineRows, () => `${id}: sum(O_OL_CNT) = ${d.orderLineCountSum}, ORDER_LINE rows = ${d.orderLineRows}`);
}
