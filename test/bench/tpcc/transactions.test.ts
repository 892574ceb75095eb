/**
 * The effects of each transaction on a small database, for the SQL form on
 * better-sqlite3 and the KV form on lmdb: every test reads the rows it
 * expects to change before and after, through the driver-neutral inspector.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { NewOrderInput, PaymentInput } from '../../../bench/tpcc/inputs.js';
import { unusedItemId } from '../../../bench/tpcc/scale.js';
import { checkConsistency } from '../../../bench/tpcc/consistency.js';
import { historyData, totalAmountCents } from '../../../bench/tpcc/workload.js';
import { loadTimeMs, openLoaded, scale, type Kind, type LoadedDatabase, type Row } from './helpers.js';

// Loading and scanning real databases takes seconds on a busy machine; no test asserts a duration.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const T1 = loadTimeMs + 60_000;
const T2 = loadTimeMs + 120_000;
const shape = { warehouses: 2, districtsPerWarehouse: 10 };

// One load (one generation of the data) for both forms; each form's tests then change only its own database.
const databases = new Map<Kind, LoadedDatabase>();
beforeAll(async () => {
  const [sql, kv] = await openLoaded(['sql', 'kv'], { warehouses: 2, seed: 7 });
  databases.set('sql', sql!).set('kv', kv!);
});
afterAll(async () => {
  for (const db of databases.values()) await db.close();
});

describe.each(['sql', 'kv'] as Kind[])('TPC-C transactions, %s form', (kind) => {
  let db: LoadedDatabase;
  beforeAll(() => {
    db = databases.get(kind)!;
  });

  const need = (row: Row | undefined): Row => {
    expect(row).toBeDefined();
    return row!;
  };

  it('New-Order inserts the order, its new-order entry and lines, and updates stock', () => {
    const { inspect, workload } = db;
    // Item 5 ordered twice takes both branches of the quantity rule: 14 ≥ 3 + 10, then 11 < 2 + 10.
    inspect.update('stock', [1, 5], { s_quantity: 14 });
    const before = {
      district: need(inspect.row('district', 1, 3)),
      stock5: need(inspect.row('stock', 1, 5)),
      stock77: need(inspect.row('stock', 2, 77)),
      lines: inspect.count('order_line', 1, 3),
    };
    const input: NewOrderInput = {
      warehouseId: 1,
      districtId: 3,
      customerId: 17,
      lines: [
        { itemId: 5, supplyWarehouseId: 1, quantity: 3 },
        { itemId: 5, supplyWarehouseId: 1, quantity: 2 },
        { itemId: 77, supplyWarehouseId: 2, quantity: 9 },
        { itemId: 300, supplyWarehouseId: 1, quantity: 1 },
        { itemId: 9_999, supplyWarehouseId: 1, quantity: 10 },
      ],
      rollback: false,
      entryDateMs: T1,
    };
    const out = workload.newOrder(input);
    const orderId = before.district.d_next_o_id as number;
    expect(out.rolledBack).toBe(false);
    expect(out.orderId).toBe(orderId);
    expect(need(inspect.row('district', 1, 3)).d_next_o_id).toBe(orderId + 1);
    expect(inspect.row('orders', 1, 3, orderId)).toEqual({
      o_id: orderId, o_d_id: 3, o_w_id: 1, o_c_id: 17, o_entry_d: T1, o_carrier_id: null, o_ol_cnt: 5, o_all_local: 0,
    });
    expect(inspect.row('new_order', 1, 3, orderId)).toEqual({ no_o_id: orderId, no_d_id: 3, no_w_id: 1 });

    const lines = inspect.rows('order_line', 1, 3, orderId);
    expect(inspect.count('order_line', 1, 3)).toBe(before.lines + 5);
    expect(lines.map((l) => l.ol_number)).toEqual([1, 2, 3, 4, 5]);
    let sum = 0;
    for (const [n, line] of lines.entries()) {
      const price = need(inspect.row('item', input.lines[n]!.itemId)).i_price as number;
      const stock = need(inspect.row('stock', input.lines[n]!.supplyWarehouseId, input.lines[n]!.itemId));
      expect(line).toMatchObject({
        ol_i_id: input.lines[n]!.itemId,
        ol_supply_w_id: input.lines[n]!.supplyWarehouseId,
        ol_quantity: input.lines[n]!.quantity,
        ol_amount: input.lines[n]!.quantity * price,
        ol_delivery_d: null,
        ol_dist_info: stock.s_dist_03,
      });
      sum += line.ol_amount as number;
    }
    const customer = need(inspect.row('customer', 1, 3, 17));
    const wTax = need(inspect.row('warehouse', 1)).w_tax as number;
    expect(out.totalAmountCents).toBe(totalAmountCents(sum, customer.c_discount as number, wTax, before.district.d_tax as number));
    expect(out.customerLastName).toBe(customer.c_last);

    const stock5 = need(inspect.row('stock', 1, 5));
    expect(stock5.s_quantity).toBe(11 - 2 + 91);
    expect(stock5.s_ytd).toBe((before.stock5.s_ytd as number) + 5);
    expect(stock5.s_order_cnt).toBe((before.stock5.s_order_cnt as number) + 2);
    expect(stock5.s_remote_cnt).toBe(before.stock5.s_remote_cnt);
    const stock77 = need(inspect.row('stock', 2, 77));
    expect(stock77.s_remote_cnt).toBe((before.stock77.s_remote_cnt as number) + 1);
    expect(stock77.s_order_cnt).toBe((before.stock77.s_order_cnt as number) + 1);
    expect(out.lines.map((l) => l.stockQuantity)).toEqual([11, 100, stock77.s_quantity, expect.any(Number), expect.any(Number)]);
  });

  it('a New-Order on an unused item rolls back and leaves nothing', () => {
    const { inspect, workload } = db;
    const before = {
      district: need(inspect.row('district', 2, 4)),
      stock: need(inspect.row('stock', 2, 42)),
      orders: inspect.count('orders', 2, 4),
      newOrders: inspect.count('new_order', 2, 4),
      lines: inspect.count('order_line', 2, 4),
    };
    const out = workload.newOrder({
      warehouseId: 2,
      districtId: 4,
      customerId: 3,
      lines: [
        { itemId: 42, supplyWarehouseId: 2, quantity: 4 },
        { itemId: unusedItemId(scale), supplyWarehouseId: 2, quantity: 1 },
      ],
      rollback: true,
      entryDateMs: T1,
    });
    expect(out.rolledBack).toBe(true);
    expect(out.orderId).toBe(before.district.d_next_o_id);
    expect(out.lines).toEqual([]);
    expect(inspect.row('district', 2, 4)).toEqual(before.district);
    expect(inspect.row('stock', 2, 42)).toEqual(before.stock);
    expect(inspect.row('orders', 2, 4, out.orderId)).toBeUndefined();
    expect(inspect.count('orders', 2, 4)).toBe(before.orders);
    expect(inspect.count('new_order', 2, 4)).toBe(before.newOrders);
    expect(inspect.count('order_line', 2, 4)).toBe(before.lines);
  });

  it('Payment by id updates the warehouse, district and a remote customer, and appends history', () => {
    const { inspect, workload } = db;
    inspect.update('customer', [2, 4, 5], { c_credit: 'GC' });
    const before = {
      warehouse: need(inspect.row('warehouse', 1)),
      district: need(inspect.row('district', 1, 2)),
      customer: need(inspect.row('customer', 2, 4, 5)),
      history: inspect.count('history'),
    };
    const input: PaymentInput = {
      warehouseId: 1, districtId: 2, customerWarehouseId: 2, customerDistrictId: 4,
      customer: { byLastName: false, customerId: 5 }, amountCents: 12_345, dateMs: T1,
    };
    const out = workload.payment(input);
    expect(need(inspect.row('warehouse', 1)).w_ytd).toBe((before.warehouse.w_ytd as number) + 12_345);
    expect(need(inspect.row('district', 1, 2)).d_ytd).toBe((before.district.d_ytd as number) + 12_345);
    const customer = need(inspect.row('customer', 2, 4, 5));
    expect(customer.c_balance).toBe((before.customer.c_balance as number) - 12_345);
    expect(customer.c_ytd_payment).toBe((before.customer.c_ytd_payment as number) + 12_345);
    expect(customer.c_payment_cnt).toBe((before.customer.c_payment_cnt as number) + 1);
    expect(customer.c_data).toBe(before.customer.c_data);
    expect(out).toMatchObject({ customerId: 5, customerBalanceCents: customer.c_balance, customerData: null, warehouseName: before.warehouse.w_name });
    const history = inspect.rows('history');
    expect(history.length).toBe(before.history + 1);
    expect(history.at(-1)).toEqual({
      h_c_id: 5, h_c_d_id: 4, h_c_w_id: 2, h_d_id: 2, h_w_id: 1, h_date: T1, h_amount: 12_345,
      h_data: historyData(before.warehouse.w_name as string, before.district.d_name as string),
    });
  });

  it('Payment of a bad-credit customer prepends the payment to C_DATA, cut at 500 characters', () => {
    const { inspect, workload } = db;
    inspect.update('customer', [1, 1, 9], { c_credit: 'BC', c_data: 'z'.repeat(500) });
    const out = workload.payment({
      warehouseId: 1, districtId: 1, customerWarehouseId: 1, customerDistrictId: 1,
      customer: { byLastName: false, customerId: 9 }, amountCents: 12_345, dateMs: T1,
    });
    const data = need(inspect.row('customer', 1, 1, 9)).c_data as string;
    expect(data.startsWith('9 1 1 1 1 123.45 zzz')).toBe(true);
    expect(data.length).toBe(500);
    expect(out.customerData).toBe(data.slice(0, 200));
  });

  it('Payment and Order-Status by last name pick the middle customer by C_FIRST', () => {
    const { inspect, workload } = db;
    // District 1/6: five customers named BARBARBAR (customer 1 has it from the load).
    const firsts: [number, string][] = [[1, 'e'], [10, 'd'], [11, 'b'], [12, 'a'], [13, 'c']];
    for (const [c, first] of firsts) inspect.update('customer', [1, 6, c], { c_last: 'BARBARBAR', c_first: first });
    const before = need(inspect.row('customer', 1, 6, 13));
    const out = workload.payment({
      warehouseId: 1, districtId: 6, customerWarehouseId: 1, customerDistrictId: 6,
      customer: { byLastName: true, lastName: 'BARBARBAR' }, amountCents: 500, dateMs: T1,
    });
    // Sorted by C_FIRST: a(12) b(11) c(13) d(10) e(1); n = 5, position ceil(5/2) = 3.
    expect(out.customerId).toBe(13);
    expect(need(inspect.row('customer', 1, 6, 13)).c_balance).toBe((before.c_balance as number) - 500);
    // Four customers: position ceil(4/2) = 2, the second by C_FIRST: b(11).
    inspect.update('customer', [1, 6, 1], { c_last: 'OUGHTOUGHTOUGHT' });
    const status = workload.orderStatus({ warehouseId: 1, districtId: 6, customer: { byLastName: true, lastName: 'BARBARBAR' } });
    expect(status.customerId).toBe(11);
  });

  it("Order-Status returns the customer's newest order and its lines", () => {
    const { inspect, workload } = db;
    const loaded = inspect.rows('orders', 2, 5).filter((o) => o.o_c_id === 40);
    expect(loaded.length).toBe(1);
    const first = workload.orderStatus({ warehouseId: 2, districtId: 5, customer: { byLastName: false, customerId: 40 } });
    expect(first.orderId).toBe(loaded[0]!.o_id);
    expect(first.carrierId).toBe(loaded[0]!.o_carrier_id);
    expect(first.lines.map((l) => l.itemId)).toEqual(inspect.rows('order_line', 2, 5, loaded[0]!.o_id as number).map((l) => l.ol_i_id));

    const placed = workload.newOrder({
      warehouseId: 2, districtId: 5, customerId: 40, rollback: false, entryDateMs: T1,
      lines: [{ itemId: 8, supplyWarehouseId: 2, quantity: 2 }, { itemId: 9, supplyWarehouseId: 2, quantity: 3 }],
    });
    const status = workload.orderStatus({ warehouseId: 2, districtId: 5, customer: { byLastName: false, customerId: 40 } });
    const customer = need(inspect.row('customer', 2, 5, 40));
    expect(status).toMatchObject({
      customerId: 40, customerFirst: customer.c_first, customerLast: customer.c_last, customerBalanceCents: customer.c_balance,
      orderId: placed.orderId, entryDateMs: T1, carrierId: null,
    });
    expect(status.lines).toEqual(placed.lines.map((l) => ({ itemId: l.itemId, supplyWarehouseId: 2, quantity: l.quantity, amountCents: l.amountCents, deliveryDateMs: null })));
  });

  it('Delivery delivers the oldest new order of each district and credits its customer', () => {
    const { inspect, workload } = db;
    // District 2/10 has nothing left to deliver.
    for (const row of inspect.rows('new_order', 2, 10)) inspect.delete('new_order', [2, 10, row.no_o_id as number]);
    const oldest = new Map<number, number>();
    const customers = new Map<number, Row>();
    const totals = new Map<number, number>();
    for (let d = 1; d <= 9; d++) {
      const o = inspect.rows('new_order', 2, d)[0]!.no_o_id as number;
      oldest.set(d, o);
      const order = need(inspect.row('orders', 2, d, o));
      customers.set(d, need(inspect.row('customer', 2, d, order.o_c_id as number)));
      totals.set(d, inspect.rows('order_line', 2, d, o).reduce((s, l) => s + (l.ol_amount as number), 0));
    }
    const out = workload.delivery({ warehouseId: 2, carrierId: 7, deliveryDateMs: T2 });
    expect(out.skippedDistricts).toBe(1);
    expect(out.delivered).toEqual([...oldest].map(([districtId, orderId]) => ({ districtId, orderId })));
    for (const [d, o] of oldest) {
      expect(inspect.row('new_order', 2, d, o)).toBeUndefined();
      expect(inspect.rows('new_order', 2, d)[0]!.no_o_id).toBe(o + 1);
      expect(need(inspect.row('orders', 2, d, o)).o_carrier_id).toBe(7);
      const lines = inspect.rows('order_line', 2, d, o);
      expect(lines.length).toBeGreaterThanOrEqual(5);
      for (const line of lines) expect(line.ol_delivery_d).toBe(T2);
      const before = customers.get(d)!;
      const after = need(inspect.row('customer', 2, d, before.c_id as number));
      expect(after.c_balance).toBe((before.c_balance as number) + totals.get(d)!);
      expect(after.c_delivery_cnt).toBe((before.c_delivery_cnt as number) + 1);
    }
  });

  it('Stock-Level counts the distinct low-stock items of the last 20 orders', () => {
    const { inspect, workload } = db;
    const next = need(inspect.row('district', 1, 8)).d_next_o_id as number;
    const recent = inspect.rows('order_line', 1, 8).filter((l) => (l.ol_o_id as number) >= next - 20 && (l.ol_o_id as number) < next);
    const items = [...new Set(recent.map((l) => l.ol_i_id as number))];
    expect(items.length).toBeGreaterThan(20);
    // Make a few of them low and one item outside the window low too (it must not count).
    for (const item of items.slice(0, 7)) inspect.update('stock', [1, item], { s_quantity: 3 });
    const outside = inspect.rows('order_line', 1, 8, next - 21)[0]!.ol_i_id as number;
    if (!items.includes(outside)) inspect.update('stock', [1, outside], { s_quantity: 1 });
    const expected = items.filter((i) => (need(inspect.row('stock', 1, i)).s_quantity as number) < 15).length;
    expect(expected).toBeGreaterThanOrEqual(7);
    expect(workload.stockLevel({ warehouseId: 1, districtId: 8, threshold: 15 })).toEqual({ warehouseId: 1, districtId: 8, threshold: 15, lowStock: expected });
  });

  it('the database still meets consistency conditions 1-4, and each corruption fails its condition', () => {
    const { inspect, workload } = db;
    const check = () => checkConsistency(workload.consistencyFacts(), shape);
    const failed = () => check().conditions.filter((c) => !c.passed).map((c) => c.condition);
    expect(check().passed).toBe(true);
    expect(check().conditions.map((c) => c.checked)).toEqual([2, 20, 19, 20]);

    const ytd = need(inspect.row('warehouse', 2)).w_ytd as number;
    inspect.update('warehouse', [2], { w_ytd: ytd + 1 });
    expect(failed()).toEqual([1]);
    inspect.update('warehouse', [2], { w_ytd: ytd });

    const next = need(inspect.row('district', 1, 1)).d_next_o_id as number;
    inspect.update('district', [1, 1], { d_next_o_id: next + 1 });
    expect(failed()).toEqual([2]);
    inspect.update('district', [1, 1], { d_next_o_id: next });
    expect(failed()).toEqual([]);

    // Deleting one order line breaks sum(O_OL_CNT) = count(ORDER_LINE).
    inspect.delete('order_line', [1, 4, 100, 1]);
    expect(failed()).toEqual([4]);
    // A gap in NEW_ORDER breaks condition 3 (the newest and oldest entries stay).
    const newOrders = inspect.rows('new_order', 1, 9);
    inspect.delete('new_order', [1, 9, newOrders[10]!.no_o_id as number]);
    expect(failed()).toEqual([3, 4]);
    const report = check();
    expect(report.passed).toBe(false);
    expect(report.conditions[2]!.examples[0]).toMatch(/district 1\/9/);
  });
});
