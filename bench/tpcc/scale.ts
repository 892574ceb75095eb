/**
 * Cardinalities of a TPC-C database (TPC-C v5.11 clause 1.2 and clause
 * 4.3.3.1) and the scaled-down variant the test suite uses.
 *
 * The benchmark always runs at `full` scale. `tenth` divides the item count
 * and the per-district customer, order and new-order counts by 10 so that a
 * test can load and check two warehouses in a fraction of a second; every
 * rule of the specification is kept, with the domains of the random keys
 * shrunk to the smaller tables (see `lastNameMax`). A report produced at
 * `tenth` scale says so in its `scale` field: it is not a TPC-C result.
 */
import { assert } from '../../storage/device/index.js';

/** `full` is the specification; `tenth` is for tests only (see the header). */
export type TpccScaleName = 'full' | 'tenth';

export interface TpccScale {
  readonly name: TpccScaleName;
  /** ITEM rows, and STOCK rows per warehouse (specification: 100,000). */
  readonly items: number;
  /** DISTRICT rows per warehouse (specification: 10; never scaled). */
  readonly districtsPerWarehouse: number;
  /** CUSTOMER rows per district (specification: 3,000). */
  readonly customersPerDistrict: number;
  /** ORDER rows per district at load, one per customer (specification: 3,000). */
  readonly ordersPerDistrict: number;
  /** NEW_ORDER rows per district at load: the last orders (specification: 900). */
  readonly newOrdersPerDistrict: number;
}

/** DISTRICT rows per warehouse: 10 at every scale (the transactions assume it). */
export const districtsPerWarehouse = 10;

export const tpccScales: { readonly [name in TpccScaleName]: TpccScale } = Object.freeze({
  full: Object.freeze({
    name: 'full',
    items: 100_000,
    districtsPerWarehouse,
    customersPerDistrict: 3_000,
    ordersPerDistrict: 3_000,
    newOrdersPerDistrict: 900,
  }),
  tenth: Object.freeze({
    name: 'tenth',
    items: 10_000,
    districtsPerWarehouse,
    customersPerDistrict: 300,
    ordersPerDistrict: 300,
    newOrdersPerDistrict: 90,
  }),
});

/** Number of distinct C_LAST values the syllable table can make (clause 4.3.2.3). */
export const lastNameCount = 1_000;

/**
 * Largest C_LAST number used at this scale. At full scale it is 999: the
 * first 1,000 customers of every district take the names 0..999 in order, so
 * every name drawn by NURand(255, 0, 999) exists in every district. At a
 * smaller scale only the first `customersPerDistrict` names are loaded, so
 * the domain shrinks to keep that property.
 */
export function lastNameMax(scale: TpccScale): number {
  return Math.min(lastNameCount, scale.customersPerDistrict) - 1;
}

/** First order id that is undelivered at load (specification: 2,101). */
export function firstUndeliveredOrderId(scale: TpccScale): number {
  return scale.ordersPerDistrict - scale.newOrdersPerDistrict + 1;
}

/**
 * An item id that no ITEM row has: the New-Order transactions that must roll
 * back (clause 2.4.1.4) order it as their last line.
 */
export function unusedItemId(scale: TpccScale): number {
  return scale.items + 1;
}

/** Rows a load of `warehouses` warehouses creates in each fixed-size table. */
export function fixedRowCounts(scale: TpccScale, warehouses: number): {
  item: number;
  warehouse: number;
  stock: number;
  district: number;
  customer: number;
  history: number;
  orders: number;
  new_order: number;
} {
  assert(Number.isSafeInteger(warehouses) && warehouses >= 1, 'warehouses is a positive integer');
  const districts = warehouses * scale.districtsPerWarehouse;
  return {
    item: scale.items,
    warehouse: warehouses,
    stock: warehouses * scale.items,
    district: districts,
    customer: districts * scale.customersPerDistrict,
    history: districts * scale.customersPerDistrict,
    orders: districts * scale.ordersPerDistrict,
    new_order: districts * scale.newOrdersPerDistrict,
  };
}

/** Order lines per order at load and in New-Order: uniform in [5, 15] (clauses 4.3.3.1, 2.4.1.3). */
export const orderLinesMin = 5;
export const orderLinesMax = 15;
