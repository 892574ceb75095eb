/**
 * The five TPC-C transactions in SQL, with prepared statements in the
 * common subset of SQLite and fairdb (positional `?` parameters, comma
 * joins, `ORDER BY ... LIMIT`, aggregates; no dialect-specific syntax).
 * Each transaction is one SQL transaction through `SqlDriver.transaction`.
 *
 * The statements follow the transaction profiles of clauses 2.4.2–2.8.2 in
 * order; where the profile reads and then updates a row, the read comes
 * first and the update writes the new value computed in JavaScript.
 */
import { FairdbError } from '../../storage/device/index.js';
import type { ConsistencyFacts, DistrictFacts } from './consistency.js';
import type { SqlDriver, SqlRow, SqlStatement, SqlValue } from './driver.js';
import { districtsPerWarehouse } from './scale.js';
import type { CustomerSelector, DeliveryInput, NewOrderInput, OrderStatusInput, PaymentInput, StockLevelInput } from './inputs.js';
import {
  badCreditData,
  brandGeneric,
  customerDataOutputChars,
  historyData,
  middleCustomerIndex,
  NewOrderRollback,
  stockLevelOrders,
  stockQuantityAfter,
  totalAmountCents,
  type Address,
  type DeliveryOutput,
  type NewOrderLineOutput,
  type NewOrderOutput,
  type OrderStatusLineOutput,
  type OrderStatusOutput,
  type PaymentOutput,
  type StockLevelOutput,
  type TpccWorkload,
} from './workload.js';

const sql = {
  warehouseTax: 'SELECT w_tax FROM warehouse WHERE w_id = ?',
  districtForNewOrder: 'SELECT d_tax, d_next_o_id FROM district WHERE d_w_id = ? AND d_id = ?',
  districtNextOrderId: 'UPDATE district SET d_next_o_id = ? WHERE d_w_id = ? AND d_id = ?',
  customerForNewOrder: 'SELECT c_discount, c_last, c_credit FROM customer WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?',
  insertOrder:
    'INSERT INTO orders (o_id, o_d_id, o_w_id, o_c_id, o_entry_d, o_carrier_id, o_ol_cnt, o_all_local) VALUES (?, ?, ?, ?, ?, NULL, ?, ?)',
  insertNewOrder: 'INSERT INTO new_order (no_o_id, no_d_id, no_w_id) VALUES (?, ?, ?)',
  item: 'SELECT i_price, i_name, i_data FROM item WHERE i_id = ?',
  // One statement per district: S_DIST_xx is the district's column.
  stock: (district: string) => `SELECT s_quantity, s_data, s_dist_${district} AS s_dist FROM stock WHERE s_w_id = ? AND s_i_id = ?`,
  updateStock:
    'UPDATE stock SET s_quantity = ?, s_ytd = s_ytd + ?, s_order_cnt = s_order_cnt + 1, s_remote_cnt = s_remote_cnt + ? WHERE s_w_id = ? AND s_i_id = ?',
  insertOrderLine:
    'INSERT INTO order_line (ol_o_id, ol_d_id, ol_w_id, ol_number, ol_i_id, ol_supply_w_id, ol_delivery_d, ol_quantity, ol_amount, ol_dist_info) ' +
    'VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)',

  warehouseYtd: 'UPDATE warehouse SET w_ytd = w_ytd + ? WHERE w_id = ?',
  warehouseForPayment: 'SELECT w_name, w_street_1, w_street_2, w_city, w_state, w_zip FROM warehouse WHERE w_id = ?',
  districtYtd: 'UPDATE district SET d_ytd = d_ytd + ? WHERE d_w_id = ? AND d_id = ?',
  districtForPayment: 'SELECT d_name, d_street_1, d_street_2, d_city, d_state, d_zip FROM district WHERE d_w_id = ? AND d_id = ?',
  customersByLastName: 'SELECT c_id FROM customer WHERE c_w_id = ? AND c_d_id = ? AND c_last = ? ORDER BY c_first, c_id',
  customerForPayment:
    'SELECT c_first, c_middle, c_last, c_street_1, c_street_2, c_city, c_state, c_zip, c_phone, c_since, c_credit, c_credit_lim, ' +
    'c_discount, c_balance FROM customer WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?',
  customerData: 'SELECT c_data FROM customer WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?',
  customerPayment:
    'UPDATE customer SET c_balance = c_balance - ?, c_ytd_payment = c_ytd_payment + ?, c_payment_cnt = c_payment_cnt + 1 ' +
    'WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?',
  customerPaymentBadCredit:
    'UPDATE customer SET c_balance = c_balance - ?, c_ytd_payment = c_ytd_payment + ?, c_payment_cnt = c_payment_cnt + 1, c_data = ? ' +
    'WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?',
  insertHistory:
    'INSERT INTO history (h_c_id, h_c_d_id, h_c_w_id, h_d_id, h_w_id, h_date, h_amount, h_data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',

  customerForOrderStatus: 'SELECT c_balance, c_first, c_middle, c_last FROM customer WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?',
  newestOrder: 'SELECT o_id, o_entry_d, o_carrier_id FROM orders WHERE o_w_id = ? AND o_d_id = ? AND o_c_id = ? ORDER BY o_id DESC LIMIT 1',
  orderLines:
    'SELECT ol_i_id, ol_supply_w_id, ol_quantity, ol_amount, ol_delivery_d FROM order_line ' +
    'WHERE ol_w_id = ? AND ol_d_id = ? AND ol_o_id = ? ORDER BY ol_number',

  oldestNewOrder: 'SELECT no_o_id FROM new_order WHERE no_w_id = ? AND no_d_id = ? ORDER BY no_o_id LIMIT 1',
  deleteNewOrder: 'DELETE FROM new_order WHERE no_w_id = ? AND no_d_id = ? AND no_o_id = ?',
  orderCustomer: 'SELECT o_c_id FROM orders WHERE o_w_id = ? AND o_d_id = ? AND o_id = ?',
  orderCarrier: 'UPDATE orders SET o_carrier_id = ? WHERE o_w_id = ? AND o_d_id = ? AND o_id = ?',
  orderLinesDelivered: 'UPDATE order_line SET ol_delivery_d = ? WHERE ol_w_id = ? AND ol_d_id = ? AND ol_o_id = ?',
  orderLinesTotal: 'SELECT SUM(ol_amount) AS total FROM order_line WHERE ol_w_id = ? AND ol_d_id = ? AND ol_o_id = ?',
  customerDelivery:
    'UPDATE customer SET c_balance = c_balance + ?, c_delivery_cnt = c_delivery_cnt + 1 WHERE c_w_id = ? AND c_d_id = ? AND c_id = ?',

  districtNextOrder: 'SELECT d_next_o_id FROM district WHERE d_w_id = ? AND d_id = ?',
  stockLevel:
    'SELECT COUNT(DISTINCT s_i_id) AS low_stock FROM order_line, stock ' +
    'WHERE ol_w_id = ? AND ol_d_id = ? AND ol_o_id < ? AND ol_o_id >= ? AND s_w_id = ? AND s_i_id = ol_i_id AND s_quantity < ?',

  warehouseFacts: 'SELECT w_id, w_ytd FROM warehouse ORDER BY w_id',
  districtFacts: 'SELECT d_w_id, d_id, d_ytd, d_next_o_id FROM district ORDER BY d_w_id, d_id',
  orderFacts: 'SELECT o_w_id, o_d_id, MAX(o_id) AS max_o_id, SUM(o_ol_cnt) AS ol_cnt_sum FROM orders GROUP BY o_w_id, o_d_id',
  newOrderFacts:
    'SELECT no_w_id, no_d_id, COUNT(*) AS n, MIN(no_o_id) AS min_o_id, MAX(no_o_id) AS max_o_id FROM new_order GROUP BY no_w_id, no_d_id',
  orderLineFacts: 'SELECT ol_w_id, ol_d_id, COUNT(*) AS n FROM order_line GROUP BY ol_w_id, ol_d_id',
} as const;

const noParams: readonly SqlValue[] = Object.freeze([]);

export class SqlWorkload implements TpccWorkload {
  private readonly st: { [name in Exclude<keyof typeof sql, 'stock'>]: SqlStatement };
  /** The stock statement of district d is at index d - 1. */
  private readonly stockByDistrict: SqlStatement[];
  private readonly newOrderTx: (input: NewOrderInput) => NewOrderOutput;
  private readonly paymentTx: (input: PaymentInput) => PaymentOutput;
  private readonly orderStatusTx: (input: OrderStatusInput) => OrderStatusOutput;
  private readonly deliveryTx: (input: DeliveryInput) => DeliveryOutput;
  private readonly stockLevelTx: (input: StockLevelInput) => StockLevelOutput;
  private readonly factsTx: () => ConsistencyFacts;

  constructor(private readonly driver: SqlDriver) {
    const statements: Record<string, SqlStatement> = Object.create(null);
    for (const [name, text] of Object.entries(sql)) if (typeof text === 'string') statements[name] = driver.prepare(text);
    this.st = statements as SqlWorkload['st'];
    this.stockByDistrict = Array.from({ length: districtsPerWarehouse }, (_, i) => driver.prepare(sql.stock(String(i + 1).padStart(2, '0'))));
    this.newOrderTx = driver.transaction((input: NewOrderInput) => this.newOrderBody(input));
    this.paymentTx = driver.transaction((input: PaymentInput) => this.paymentBody(input));
    this.orderStatusTx = driver.transaction((input: OrderStatusInput) => this.orderStatusBody(input));
    this.deliveryTx = driver.transaction((input: DeliveryInput) => this.deliveryBody(input));
    this.stockLevelTx = driver.transaction((input: StockLevelInput) => this.stockLevelBody(input));
    this.factsTx = driver.transaction(() => this.factsBody());
  }

  newOrder(input: NewOrderInput): NewOrderOutput {
    try {
      return this.newOrderTx(input);
    } catch (error) {
      if (error instanceof NewOrderRollback) return error.output;
      throw error;
    }
  }

  payment(input: PaymentInput): PaymentOutput {
    return this.paymentTx(input);
  }

  orderStatus(input: OrderStatusInput): OrderStatusOutput {
    return this.orderStatusTx(input);
  }

  delivery(input: DeliveryInput): DeliveryOutput {
    return this.deliveryTx(input);
  }

  stockLevel(input: StockLevelInput): StockLevelOutput {
    return this.stockLevelTx(input);
  }

  consistencyFacts(): ConsistencyFacts {
    return this.factsTx();
  }

  private newOrderBody(input: NewOrderInput): NewOrderOutput {
    const { warehouseId: w, districtId: d, customerId: c } = input;
    const warehouse = found(this.st.warehouseTax.get([w]), 'warehouse', w);
    const district = found(this.st.districtForNewOrder.get([w, d]), 'district', w, d);
    const orderId = district.d_next_o_id as number;
    this.st.districtNextOrderId.run([orderId + 1, w, d]);
    const customer = found(this.st.customerForNewOrder.get([w, d, c]), 'customer', w, d, c);
    const allLocal = input.lines.every((line) => line.supplyWarehouseId === w) ? 1 : 0;
    const entryDate = new Date(input.entryDateMs).toISOString();
    this.st.insertOrder.run([orderId, d, w, c, entryDate, input.lines.length, allLocal]);
    this.st.insertNewOrder.run([orderId, d, w]);

    const output = {
      rolledBack: false,
      warehouseId: w,
      districtId: d,
      customerId: c,
      orderId,
      customerLastName: customer.c_last as string,
      customerCredit: customer.c_credit as string,
      customerDiscount: customer.c_discount as number,
      warehouseTax: warehouse.w_tax as number,
      districtTax: district.d_tax as number,
      lineCount: input.lines.length,
      entryDateMs: input.entryDateMs,
      totalAmountCents: 0,
      lines: [] as NewOrderLineOutput[],
    };
    const stock = this.stockByDistrict[d - 1] as SqlStatement;
    let sumCents = 0;
    for (let n = 0; n < input.lines.length; n++) {
      const line = input.lines[n]!;
      const item = this.st.item.get([line.itemId]);
      if (item === undefined) throw new NewOrderRollback({ ...output, rolledBack: true, lines: [] });
      const s = found(stock.get([line.supplyWarehouseId, line.itemId]), 'stock', line.supplyWarehouseId, line.itemId);
      const quantity = stockQuantityAfter(s.s_quantity as number, line.quantity);
      const remote = line.supplyWarehouseId === w ? 0 : 1;
      this.st.updateStock.run([quantity, line.quantity, remote, line.supplyWarehouseId, line.itemId]);
      const amountCents = line.quantity * (item.i_price as number);
      sumCents += amountCents;
      this.st.insertOrderLine.run([orderId, d, w, n + 1, line.itemId, line.supplyWarehouseId, line.quantity, amountCents, s.s_dist as string]);
      output.lines.push({
        itemId: line.itemId,
        supplyWarehouseId: line.supplyWarehouseId,
        quantity: line.quantity,
        itemName: item.i_name as string,
        itemPriceCents: item.i_price as number,
        stockQuantity: quantity,
        brandGeneric: brandGeneric(item.i_data as string, s.s_data as string),
        amountCents,
      });
    }
    output.totalAmountCents = totalAmountCents(sumCents, output.customerDiscount, output.warehouseTax, output.districtTax);
    return output;
  }

  private paymentBody(input: PaymentInput): PaymentOutput {
    const { warehouseId: w, districtId: d, customerWarehouseId: cw, customerDistrictId: cd, amountCents } = input;
    this.st.warehouseYtd.run([amountCents, w]);
    const warehouse = found(this.st.warehouseForPayment.get([w]), 'warehouse', w);
    this.st.districtYtd.run([amountCents, w, d]);
    const district = found(this.st.districtForPayment.get([w, d]), 'district', w, d);
    const c = this.customerId(cw, cd, input.customer);
    const customer = found(this.st.customerForPayment.get([cw, cd, c]), 'customer', cw, cd, c);
    let customerData: string | null = null;
    if (customer.c_credit === 'BC') {
      const old = found(this.st.customerData.get([cw, cd, c]), 'customer', cw, cd, c).c_data as string;
      const data = badCreditData(input, c, old);
      this.st.customerPaymentBadCredit.run([amountCents, amountCents, data, cw, cd, c]);
      customerData = data.slice(0, customerDataOutputChars);
    } else {
      this.st.customerPayment.run([amountCents, amountCents, cw, cd, c]);
    }
    const warehouseName = warehouse.w_name as string;
    const districtName = district.d_name as string;
    this.st.insertHistory.run([c, cd, cw, d, w, new Date(input.dateMs).toISOString(), amountCents, historyData(warehouseName, districtName)]);
    return {
      warehouseId: w,
      districtId: d,
      warehouseName,
      warehouseAddress: address(warehouse, 'w'),
      districtName,
      districtAddress: address(district, 'd'),
      customerId: c,
      customerWarehouseId: cw,
      customerDistrictId: cd,
      customerFirst: customer.c_first as string,
      customerMiddle: customer.c_middle as string,
      customerLast: customer.c_last as string,
      customerAddress: address(customer, 'c'),
      customerPhone: customer.c_phone as string,
      customerSinceMs: Date.parse(customer.c_since as string),
      customerCredit: customer.c_credit as string,
      customerCreditLimitCents: customer.c_credit_lim as number,
      customerDiscount: customer.c_discount as number,
      customerBalanceCents: (customer.c_balance as number) - amountCents,
      customerData,
      amountCents,
      dateMs: input.dateMs,
    };
  }

  private orderStatusBody(input: OrderStatusInput): OrderStatusOutput {
    const { warehouseId: w, districtId: d } = input;
    const c = this.customerId(w, d, input.customer);
    const customer = found(this.st.customerForOrderStatus.get([w, d, c]), 'customer', w, d, c);
    const order = this.st.newestOrder.get([w, d, c]);
    const lines: OrderStatusLineOutput[] = [];
    if (order !== undefined) {
      for (const line of this.st.orderLines.all([w, d, order.o_id as number])) {
        lines.push({
          itemId: line.ol_i_id as number,
          supplyWarehouseId: line.ol_supply_w_id as number,
          quantity: line.ol_quantity as number,
          amountCents: line.ol_amount as number,
          deliveryDateMs: line.ol_delivery_d === null ? null : Date.parse(line.ol_delivery_d as string),
        });
      }
    }
    return {
      warehouseId: w,
      districtId: d,
      customerId: c,
      customerFirst: customer.c_first as string,
      customerMiddle: customer.c_middle as string,
      customerLast: customer.c_last as string,
      customerBalanceCents: customer.c_balance as number,
      orderId: order === undefined ? null : (order.o_id as number),
      entryDateMs: order === undefined ? null : Date.parse(order.o_entry_d as string),
      carrierId: order === undefined ? null : (order.o_carrier_id as number | null),
      lines,
    };
  }

  private deliveryBody(input: DeliveryInput): DeliveryOutput {
    const w = input.warehouseId;
    const date = new Date(input.deliveryDateMs).toISOString();
    const delivered: { districtId: number; orderId: number }[] = [];
    let skippedDistricts = 0;
    for (let d = 1; d <= districtsPerWarehouse; d++) {
      const newOrder = this.st.oldestNewOrder.get([w, d]);
      if (newOrder === undefined) {
        skippedDistricts++;
        continue;
      }
      const o = newOrder.no_o_id as number;
      this.st.deleteNewOrder.run([w, d, o]);
      const c = found(this.st.orderCustomer.get([w, d, o]), 'order', w, d, o).o_c_id as number;
      this.st.orderCarrier.run([input.carrierId, w, d, o]);
      this.st.orderLinesDelivered.run([date, w, d, o]);
      const total = (found(this.st.orderLinesTotal.get([w, d, o]), 'order lines', w, d, o).total as number | null) ?? 0;
      this.st.customerDelivery.run([total, w, d, c]);
      delivered.push({ districtId: d, orderId: o });
    }
    return { warehouseId: w, carrierId: input.carrierId, delivered, skippedDistricts };
  }

  private stockLevelBody(input: StockLevelInput): StockLevelOutput {
    const { warehouseId: w, districtId: d, threshold } = input;
    const next = found(this.st.districtNextOrder.get([w, d]), 'district', w, d).d_next_o_id as number;
    const row = found(this.st.stockLevel.get([w, d, next, next - stockLevelOrders, w, threshold]), 'stock level', w, d);
    return { warehouseId: w, districtId: d, threshold, lowStock: row.low_stock as number };
  }

  /** The customer's id: given, or the middle one by C_FIRST among those with the last name. */
  private customerId(w: number, d: number, selector: CustomerSelector): number {
    if (!selector.byLastName) return selector.customerId;
    const rows = this.st.customersByLastName.all([w, d, selector.lastName]);
    if (rows.length === 0) throw new FairdbError('NOT_FOUND', `no customer named ${selector.lastName} in district ${w}/${d}`);
    return rows[middleCustomerIndex(rows.length)]!.c_id as number;
  }

  private factsBody(): ConsistencyFacts {
    const warehouses = this.st.warehouseFacts.all(noParams).map((r) => ({ warehouseId: r.w_id as number, ytdCents: r.w_ytd as number }));
    const key = (w: SqlValue, d: SqlValue): string => `${w}/${d}`;
    const orders = new Map(this.st.orderFacts.all(noParams).map((r) => [key(r.o_w_id, r.o_d_id), r]));
    const newOrders = new Map(this.st.newOrderFacts.all(noParams).map((r) => [key(r.no_w_id, r.no_d_id), r]));
    const lines = new Map(this.st.orderLineFacts.all(noParams).map((r) => [key(r.ol_w_id, r.ol_d_id), r]));
    const districts = this.st.districtFacts.all(noParams).map((r): DistrictFacts => {
      const k = key(r.d_w_id, r.d_id);
      const o = orders.get(k);
      const no = newOrders.get(k);
      return {
        warehouseId: r.d_w_id as number,
        districtId: r.d_id as number,
        ytdCents: r.d_ytd as number,
        nextOrderId: r.d_next_o_id as number,
        maxOrderId: o === undefined ? null : (o.max_o_id as number),
        orderLineCountSum: o === undefined ? 0 : (o.ol_cnt_sum as number),
        newOrderCount: no === undefined ? 0 : (no.n as number),
        newOrderMin: no === undefined ? null : (no.min_o_id as number),
        newOrderMax: no === undefined ? null : (no.max_o_id as number),
        orderLineRows: (lines.get(k)?.n as number | undefined) ?? 0,
      };
    });
    return { warehouses, districts };
  }
}

function address(row: SqlRow, prefix: 'w' | 'd' | 'c'): Address {
  return {
    street1: row[`${prefix}_street_1`] as string,
    street2: row[`${prefix}_street_2`] as string,
    city: row[`${prefix}_city`] as string,
    state: row[`${prefix}_state`] as string,
    zip: row[`${prefix}_zip`] as string,
  };
}

/** A row the database must have; its absence means the database is not a TPC-C database. */
function found(row: SqlRow | undefined, what: string, ...key: number[]): SqlRow {
  if (row === undefined) throw new FairdbError('NOT_FOUND', `${what} ${key.join('/')} not found`);
  return row;
}
