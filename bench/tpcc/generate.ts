/**
 * The TPC-C initial database population (clause 4.3.3.1) as a stream of
 * row batches, the same for every driver: a driver's loader only decides
 * how a row is stored. The rows are a function of the options alone (seed,
 * constants, warehouses, scale, load time), never of the batch size.
 *
 * Draw order (so that a reader can reproduce a row by hand): ITEM 1..N; then
 * per warehouse the WAREHOUSE row, STOCK 1..N, and per district the
 * DISTRICT row, its CUSTOMER rows each followed by its HISTORY row, the
 * permutation of customers for O_C_ID, the ORDER rows each followed by
 * their ORDER_LINE rows, and the NEW_ORDER rows.
 */
import { assert, type Random } from '../../storage/device/index.js';
import { lastName, nuRand, nuRandLastNameA, TpccText, type TpccConstants } from './random-data.js';
import { firstUndeliveredOrderId, fixedRowCounts, lastNameCount, lastNameMax, orderLinesMax, orderLinesMin, type TpccScale } from './scale.js';
import type { TpccRow, TpccTableName } from './schema.js';

export interface TpccGenerateOptions {
  /** Number of warehouses W (at least 1). */
  readonly warehouses: number;
  readonly scale: TpccScale;
  /** The constants of clause 2.1.6; the loader uses `lastNameLoad`. */
  readonly constants: TpccConstants;
  /** The seeded source of every random value of the load. */
  readonly random: Random;
  /** "The current date/time" of the load (C_SINCE, H_DATE, O_ENTRY_D), in ms since the epoch. */
  readonly loadTimeMs: number;
  /** Rows per batch, at most; default `tpccBatchRowsDefault`. */
  readonly batchRows?: number;
}

export const tpccBatchRowsDefault = 1_000;

/** Rows of one table, in load order; the loader may keep the arrays. */
export interface TpccBatch {
  readonly table: TpccTableName;
  readonly rows: TpccRow[];
}

/** Initial W_YTD: 300,000.00 (clause 4.3.3.1), in cents. */
export const warehouseYtdCents = 30_000_000;
/** Initial D_YTD: 30,000.00, in cents. */
export const districtYtdCents = 3_000_000;
/** C_CREDIT_LIM: 50,000.00, in cents. */
export const customerCreditLimitCents = 5_000_000;
/** Initial C_BALANCE: -10.00, in cents. */
export const customerBalanceCents = -1_000;
/** Initial C_YTD_PAYMENT and H_AMOUNT: 10.00, in cents. */
export const customerPaymentCents = 1_000;

/** The expected number of rows a load creates (ORDER_LINE by its mean of 10 lines per order). */
export function expectedRowCount(scale: TpccScale, warehouses: number): number {
  const fixed = fixedRowCounts(scale, warehouses);
  const orderLines = (fixed.orders * (orderLinesMin + orderLinesMax)) / 2;
  return Object.values(fixed).reduce((sum, n) => sum + n, 0) + orderLines;
}

/** Yields the whole initial database in batches of at most `batchRows` rows of one table. */
export function* generateTpcc(options: TpccGenerateOptions): Generator<TpccBatch, void, void> {
  const { warehouses, scale, constants, random, loadTimeMs } = options;
  const batchRows = options.batchRows ?? tpccBatchRowsDefault;
  assert(Number.isSafeInteger(warehouses) && warehouses >= 1, 'warehouses is a positive integer');
  assert(Number.isSafeInteger(batchRows) && batchRows >= 1, 'batchRows is a positive integer');
  const text = new TpccText(random);
  const batches = new Batcher(batchRows);
  const namesInOrder = Math.min(lastNameCount, scale.customersPerDistrict);
  const undelivered = firstUndeliveredOrderId(scale);
  const state = (): string => String.fromCharCode(65 + random.int(0, 25), 65 + random.int(0, 25));
  // Rates numeric(4,4): a whole number of ten-thousandths.
  const rate = (maxTenThousandths: number): number => random.int(0, maxTenThousandths) / 10_000;

  for (let i = 1; i <= scale.items; i++) {
    const full = batches.push('item', [i, random.int(1, 10_000), text.aString(14, 24), random.int(100, 10_000), text.data()]);
    if (full) yield full;
  }

  for (let w = 1; w <= warehouses; w++) {
    const warehouse: TpccRow = [w, text.aString(6, 10), text.aString(10, 20), text.aString(10, 20), text.aString(10, 20), state(), text.zip(), rate(2000), warehouseYtdCents];
    const fullWarehouse = batches.push('warehouse', warehouse);
    if (fullWarehouse) yield fullWarehouse;

    for (let i = 1; i <= scale.items; i++) {
      const row: TpccRow = [i, w, random.int(10, 100)];
      for (let d = 0; d < 10; d++) row.push(text.aString(24, 24));
      row.push(0, 0, 0, text.data());
      const full = batches.push('stock', row);
      if (full) yield full;
    }

    for (let d = 1; d <= scale.districtsPerWarehouse; d++) {
      const district: TpccRow = [
        d, w, text.aString(6, 10), text.aString(10, 20), text.aString(10, 20), text.aString(10, 20), state(), text.zip(),
        rate(2000), districtYtdCents, scale.ordersPerDistrict + 1,
      ];
      const fullDistrict = batches.push('district', district);
      if (fullDistrict) yield fullDistrict;

      for (let c = 1; c <= scale.customersPerDistrict; c++) {
        const lastNumber = c <= namesInOrder ? c - 1 : nuRand(random, nuRandLastNameA, constants.lastNameLoad, 0, lastNameMax(scale));
        const customer: TpccRow = [
          c, d, w, text.aString(8, 16), 'OE', lastName(lastNumber),
          text.aString(10, 20), text.aString(10, 20), text.aString(10, 20), state(), text.zip(),
          text.nString(16), loadTimeMs, random.int(1, 10) === 1 ? 'BC' : 'GC', customerCreditLimitCents, rate(5000),
          customerBalanceCents, customerPaymentCents, 1, 0, text.aString(300, 500),
        ];
        const fullCustomer = batches.push('customer', customer);
        if (fullCustomer) yield fullCustomer;
        const fullHistory = batches.push('history', [c, d, w, d, w, loadTimeMs, customerPaymentCents, text.aString(12, 24)]);
        if (fullHistory) yield fullHistory;
      }

      // O_C_ID is "selected sequentially from a random permutation of [1 .. 3,000]".
      const customers = random.shuffle(Array.from({ length: scale.customersPerDistrict }, (_, i) => i + 1));
      for (let o = 1; o <= scale.ordersPerDistrict; o++) {
        const delivered = o < undelivered;
        const lines = random.int(orderLinesMin, orderLinesMax);
        const order: TpccRow = [o, d, w, customers[(o - 1) % customers.length] as number, loadTimeMs, delivered ? random.int(1, 10) : null, lines, 1];
        const fullOrder = batches.push('orders', order);
        if (fullOrder) yield fullOrder;
        for (let n = 1; n <= lines; n++) {
          const line: TpccRow = [
            o, d, w, n, random.int(1, scale.items), w, delivered ? loadTimeMs : null, 5,
            delivered ? 0 : random.int(1, 999_999), text.aString(24, 24),
          ];
          const fullLine = batches.push('order_line', line);
          if (fullLine) yield fullLine;
        }
      }

      for (let o = undelivered; o <= scale.ordersPerDistrict; o++) {
        const full = batches.push('new_order', [o, d, w]);
        if (full) yield full;
      }
    }
  }
  yield* batches.drain();
}

/** Per-table buffers that hand out a batch whenever one fills up. */
class Batcher {
  private readonly buffers = new Map<TpccTableName, TpccRow[]>();

  constructor(private readonly batchRows: number) {}

  push(table: TpccTableName, row: TpccRow): TpccBatch | undefined {
    let rows = this.buffers.get(table);
    if (rows === undefined) {
      rows = [];
      this.buffers.set(table, rows);
    }
    rows.push(row);
    if (rows.length < this.batchRows) return undefined;
    this.buffers.delete(table);
    return { table, rows };
  }

  *drain(): Generator<TpccBatch, void, void> {
    for (const [table, rows] of this.buffers) if (rows.length > 0) yield { table, rows };
    this.buffers.clear();
  }
}
