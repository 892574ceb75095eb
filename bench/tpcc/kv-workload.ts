/**
 * The five TPC-C transactions over an ordered KV store, with the layout of
 * kv-layout.ts: point reads and writes of whole rows, range reads for the
 * customer-by-name index, the newest order of a customer, the oldest new
 * order of a district and the lines of orders. The business rules are the
 * ones the SQL form uses (workload.ts), so both produce the same outputs
 * from the same database.
 *
 * Write transactions run in `transactionSync`; Order-Status, Stock-Level
 * and the consistency read-out in `readTransaction`.
 */
import { FairdbError } from '../../storage/device/index.js';
import type { Key } from '../../storage/kv/index.js';
import type { ConsistencyFacts, DistrictFacts, WarehouseFacts } from './consistency.js';
import type { KvDriver, KvRange } from './driver.js';
import type { CustomerSelector, DeliveryInput, NewOrderInput, OrderStatusInput, PaymentInput, StockLevelInput } from './inputs.js';
import * as L from './kv-layout.js';
import { districtsPerWarehouse } from './scale.js';
import type { TpccValue } from './schema.js';
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

/** A stored row value: the columns of kv-layout.ts, in order. */
type Row = TpccValue[];

/** Larger than every id: the exclusive end of "all keys under this prefix". */
const idAfterAll = Number.MAX_SAFE_INTEGER;

export class KvWorkload implements TpccWorkload {
  /** The last HISTORY sequence number used. */
  private historySeq: number;

  /** Call after the load: the HISTORY sequence continues after the stored rows. */
  constructor(private readonly db: KvDriver) {
    this.historySeq = 0;
    for (const entry of db.getRange({ start: [L.kvPrefixes.history, idAfterAll], end: [L.kvPrefixes.history], reverse: true, limit: 1, values: false })) {
      this.historySeq = (entry.key as readonly number[])[1] as number;
    }
  }

  newOrder(input: NewOrderInput): NewOrderOutput {
    try {
      return this.db.transactionSync(() => this.newOrderBody(input));
    } catch (error) {
      if (error instanceof NewOrderRollback) return error.output;
      throw error;
    }
  }

  payment(input: PaymentInput): PaymentOutput {
    return this.db.transactionSync(() => this.paymentBody(input));
  }

  orderStatus(input: OrderStatusInput): OrderStatusOutput {
    return this.db.readTransaction(() => this.orderStatusBody(input));
  }

  delivery(input: DeliveryInput): DeliveryOutput {
    return this.db.transactionSync(() => this.deliveryBody(input));
  }

  stockLevel(input: StockLevelInput): StockLevelOutput {
    return this.db.readTransaction(() => this.stockLevelBody(input));
  }

  consistencyFacts(): ConsistencyFacts {
    return this.db.readTransaction(() => this.factsBody());
  }

  private newOrderBody(input: NewOrderInput): NewOrderOutput {
    const { warehouseId: w, districtId: d, customerId: c } = input;
    const db = this.db;
    const warehouse = this.row([L.kvPrefixes.warehouse, w]);
    const districtKey = [L.kvPrefixes.district, w, d];
    const district = this.row(districtKey);
    const orderId = district[L.district.nextOrderId] as number;
    district[L.district.nextOrderId] = orderId + 1;
    db.put(districtKey, district);
    const customer = this.row([L.kvPrefixes.customer, w, d, c]);
    const allLocal = input.lines.every((line) => line.supplyWarehouseId === w) ? 1 : 0;
    db.put([L.kvPrefixes.orders, w, d, orderId], [c, input.entryDateMs, null, input.lines.length, allLocal]);
    db.put([L.orderByCustomerPrefix, w, d, c, orderId], L.indexEntryValue);
    db.put([L.kvPrefixes.new_order, w, d, orderId], []);

    const output = {
      rolledBack: false,
      warehouseId: w,
      districtId: d,
      customerId: c,
      orderId,
      customerLastName: customer[L.customer.last] as string,
      customerCredit: customer[L.customer.credit] as string,
      customerDiscount: customer[L.customer.discount] as number,
      warehouseTax: warehouse[L.warehouse.tax] as number,
      districtTax: district[L.district.tax] as number,
      lineCount: input.lines.length,
      entryDateMs: input.entryDateMs,
      totalAmountCents: 0,
      lines: [] as NewOrderLineOutput[],
    };
    const distInfo = L.stock.dist01 + d - 1;
    let sumCents = 0;
    for (let n = 0; n < input.lines.length; n++) {
      const line = input.lines[n]!;
      const item = db.get([L.kvPrefixes.item, line.itemId]) as Row | undefined;
      if (item === undefined) throw new NewOrderRollback({ ...output, rolledBack: true, lines: [] });
      const stockKey = [L.kvPrefixes.stock, line.supplyWarehouseId, line.itemId];
      const stock = this.row(stockKey);
      const quantity = stockQuantityAfter(stock[L.stock.quantity] as number, line.quantity);
      stock[L.stock.quantity] = quantity;
      stock[L.stock.ytd] = (stock[L.stock.ytd] as number) + line.quantity;
      stock[L.stock.orderCnt] = (stock[L.stock.orderCnt] as number) + 1;
      if (line.supplyWarehouseId !== w) stock[L.stock.remoteCnt] = (stock[L.stock.remoteCnt] as number) + 1;
      db.put(stockKey, stock);
      const priceCents = item[L.item.price] as number;
      const amountCents = line.quantity * priceCents;
      sumCents += amountCents;
      db.put([L.kvPrefixes.order_line, w, d, orderId, n + 1], [line.itemId, line.supplyWarehouseId, null, line.quantity, amountCents, stock[distInfo] as string]);
      output.lines.push({
        itemId: line.itemId,
        supplyWarehouseId: line.supplyWarehouseId,
        quantity: line.quantity,
        itemName: item[L.item.name] as string,
        itemPriceCents: priceCents,
        stockQuantity: quantity,
        brandGeneric: brandGeneric(item[L.item.data] as string, stock[L.stock.data] as string),
        amountCents,
      });
    }
    output.totalAmountCents = totalAmountCents(sumCents, output.customerDiscount, output.warehouseTax, output.districtTax);
    return output;
  }

  private paymentBody(input: PaymentInput): PaymentOutput {
    const { warehouseId: w, districtId: d, customerWarehouseId: cw, customerDistrictId: cd, amountCents } = input;
    const db = this.db;
    const warehouseKey = [L.kvPrefixes.warehouse, w];
    const warehouse = this.row(warehouseKey);
    warehouse[L.warehouse.ytd] = (warehouse[L.warehouse.ytd] as number) + amountCents;
    db.put(warehouseKey, warehouse);
    const districtKey = [L.kvPrefixes.district, w, d];
    const district = this.row(districtKey);
    district[L.district.ytd] = (district[L.district.ytd] as number) + amountCents;
    db.put(districtKey, district);
    const c = this.customerId(cw, cd, input.customer);
    const customerKey = [L.kvPrefixes.customer, cw, cd, c];
    const customer = this.row(customerKey);
    const balance = (customer[L.customer.balance] as number) - amountCents;
    customer[L.customer.balance] = balance;
    customer[L.customer.ytdPayment] = (customer[L.customer.ytdPayment] as number) + amountCents;
    customer[L.customer.paymentCnt] = (customer[L.customer.paymentCnt] as number) + 1;
    let customerData: string | null = null;
    if (customer[L.customer.credit] === 'BC') {
      const data = badCreditData(input, c, customer[L.customer.data] as string);
      customer[L.customer.data] = data;
      customerData = data.slice(0, customerDataOutputChars);
    }
    db.put(customerKey, customer);
    const warehouseName = warehouse[L.warehouse.name] as string;
    const districtName = district[L.district.name] as string;
    db.put([L.kvPrefixes.history, ++this.historySeq], [c, cd, cw, d, w, input.dateMs, amountCents, historyData(warehouseName, districtName)]);
    return {
      warehouseId: w,
      districtId: d,
      warehouseName,
      warehouseAddress: address(warehouse, L.warehouse.street1),
      districtName,
      districtAddress: address(district, L.district.street1),
      customerId: c,
      customerWarehouseId: cw,
      customerDistrictId: cd,
      customerFirst: customer[L.customer.first] as string,
      customerMiddle: customer[L.customer.middle] as string,
      customerLast: customer[L.customer.last] as string,
      customerAddress: address(customer, L.customer.street1),
      customerPhone: customer[L.customer.phone] as string,
      customerSinceMs: customer[L.customer.since] as number,
      customerCredit: customer[L.customer.credit] as string,
      customerCreditLimitCents: customer[L.customer.creditLim] as number,
      customerDiscount: customer[L.customer.discount] as number,
      customerBalanceCents: balance,
      customerData,
      amountCents,
      dateMs: input.dateMs,
    };
  }

  private orderStatusBody(input: OrderStatusInput): OrderStatusOutput {
    const { warehouseId: w, districtId: d } = input;
    const db = this.db;
    const c = this.customerId(w, d, input.customer);
    const customer = this.row([L.kvPrefixes.customer, w, d, c]);
    let orderId: number | null = null;
    const newest: KvRange = { start: [L.orderByCustomerPrefix, w, d, c + 1], end: [L.orderByCustomerPrefix, w, d, c], reverse: true, limit: 1 };
    for (const entry of db.getRange({ ...newest, values: false })) orderId = (entry.key as readonly number[])[4] as number;
    const lines: OrderStatusLineOutput[] = [];
    let order: Row | null = null;
    if (orderId !== null) {
      order = this.row([L.kvPrefixes.orders, w, d, orderId]);
      for (const { value } of db.getRange({ start: [L.kvPrefixes.order_line, w, d, orderId], end: [L.kvPrefixes.order_line, w, d, orderId + 1] })) {
        const line = value as Row;
        lines.push({
          itemId: line[L.orderLine.itemId] as number,
          supplyWarehouseId: line[L.orderLine.supplyWarehouseId] as number,
          quantity: line[L.orderLine.quantity] as number,
          amountCents: line[L.orderLine.amount] as number,
          deliveryDateMs: line[L.orderLine.deliveryDate] as number | null,
        });
      }
    }
    return {
      warehouseId: w,
      districtId: d,
      customerId: c,
      customerFirst: customer[L.customer.first] as string,
      customerMiddle: customer[L.customer.middle] as string,
      customerLast: customer[L.customer.last] as string,
      customerBalanceCents: customer[L.customer.balance] as number,
      orderId,
      entryDateMs: order === null ? null : (order[L.order.entryDate] as number),
      carrierId: order === null ? null : (order[L.order.carrierId] as number | null),
      lines,
    };
  }

  private deliveryBody(input: DeliveryInput): DeliveryOutput {
    const w = input.warehouseId;
    const db = this.db;
    const delivered: { districtId: number; orderId: number }[] = [];
    let skippedDistricts = 0;
    for (let d = 1; d <= districtsPerWarehouse; d++) {
      let o: number | null = null;
      for (const entry of db.getRange({ start: [L.kvPrefixes.new_order, w, d], end: [L.kvPrefixes.new_order, w, d + 1], limit: 1, values: false })) {
        o = (entry.key as readonly number[])[3] as number;
      }
      if (o === null) {
        skippedDistricts++;
        continue;
      }
      db.del([L.kvPrefixes.new_order, w, d, o]);
      const orderKey = [L.kvPrefixes.orders, w, d, o];
      const order = this.row(orderKey);
      order[L.order.carrierId] = input.carrierId;
      db.put(orderKey, order);
      // Read the lines first: the store is not written while a range is being read.
      const lines = [...db.getRange({ start: [L.kvPrefixes.order_line, w, d, o], end: [L.kvPrefixes.order_line, w, d, o + 1] })];
      let totalCents = 0;
      for (const { key, value } of lines) {
        const line = value as Row;
        line[L.orderLine.deliveryDate] = input.deliveryDateMs;
        totalCents += line[L.orderLine.amount] as number;
        db.put(key, line);
      }
      const customerKey = [L.kvPrefixes.customer, w, d, order[L.order.customerId] as number];
      const customer = this.row(customerKey);
      customer[L.customer.balance] = (customer[L.customer.balance] as number) + totalCents;
      customer[L.customer.deliveryCnt] = (customer[L.customer.deliveryCnt] as number) + 1;
      db.put(customerKey, customer);
      delivered.push({ districtId: d, orderId: o });
    }
    return { warehouseId: w, carrierId: input.carrierId, delivered, skippedDistricts };
  }

  private stockLevelBody(input: StockLevelInput): StockLevelOutput {
    const { warehouseId: w, districtId: d, threshold } = input;
    const db = this.db;
    const next = this.row([L.kvPrefixes.district, w, d])[L.district.nextOrderId] as number;
    const items = new Set<number>();
    for (const { value } of db.getRange({ start: [L.kvPrefixes.order_line, w, d, next - stockLevelOrders], end: [L.kvPrefixes.order_line, w, d, next] })) {
      items.add((value as Row)[L.orderLine.itemId] as number);
    }
    let lowStock = 0;
    for (const itemId of items) {
      // The join of the specification matches an order line with the stock of the home warehouse.
      const stock = db.get([L.kvPrefixes.stock, w, itemId]) as Row | undefined;
      if (stock !== undefined && (stock[L.stock.quantity] as number) < threshold) lowStock++;
    }
    return { warehouseId: w, districtId: d, threshold, lowStock };
  }

  /** The customer's id: given, or the middle one by C_FIRST among those with the last name. */
  private customerId(w: number, d: number, selector: CustomerSelector): number {
    if (!selector.byLastName) return selector.customerId;
    const ids: number[] = [];
    const range: KvRange = {
      start: [L.customerByLastNamePrefix, w, d, selector.lastName],
      end: [L.customerByLastNamePrefix, w, d, selector.lastName, L.stringAfterAscii],
    };
    for (const entry of this.db.getRange({ ...range, values: false })) ids.push((entry.key as readonly number[])[5] as number);
    if (ids.length === 0) throw new FairdbError('NOT_FOUND', `no customer named ${selector.lastName} in district ${w}/${d}`);
    return ids[middleCustomerIndex(ids.length)] as number;
  }

  private factsBody(): ConsistencyFacts {
    const db = this.db;
    const warehouses: WarehouseFacts[] = [];
    for (const { key, value } of db.getRange(prefixRange(L.kvPrefixes.warehouse))) {
      warehouses.push({ warehouseId: (key as readonly number[])[1] as number, ytdCents: (value as Row)[L.warehouse.ytd] as number });
    }
    const districts: DistrictFacts[] = [];
    // Collected first so that the per-district ranges below are not read inside this one.
    for (const { key, value } of [...db.getRange(prefixRange(L.kvPrefixes.district))]) {
      const [, w, d] = key as readonly [string, number, number];
      const district = value as Row;
      let maxOrderId: number | null = null;
      let orderLineCountSum = 0;
      for (const order of db.getRange(prefixRange(L.kvPrefixes.orders, w, d))) {
        maxOrderId = (order.key as readonly number[])[3] as number;
        orderLineCountSum += (order.value as Row)[L.order.lineCount] as number;
      }
      let newOrderCount = 0;
      let newOrderMin: number | null = null;
      let newOrderMax: number | null = null;
      for (const newOrder of db.getRange({ ...prefixRange(L.kvPrefixes.new_order, w, d), values: false })) {
        const o = (newOrder.key as readonly number[])[3] as number;
        newOrderMin ??= o;
        newOrderMax = o;
        newOrderCount++;
      }
      let orderLineRows = 0;
      for (const _ of db.getRange({ ...prefixRange(L.kvPrefixes.order_line, w, d), values: false })) orderLineRows++;
      districts.push({
        warehouseId: w,
        districtId: d,
        ytdCents: district[L.district.ytd] as number,
        nextOrderId: district[L.district.nextOrderId] as number,
        maxOrderId,
        orderLineCountSum,
        newOrderCount,
        newOrderMin,
        newOrderMax,
        orderLineRows,
      });
    }
    return { warehouses, districts };
  }

  private row(key: Key): Row {
    const value = this.db.get(key);
    if (value === undefined) throw new FairdbError('NOT_FOUND', `${JSON.stringify(key)} not found`);
    return value as Row;
  }
}

/** Every key `[prefix, ...ids, ...]` (ids are numbers below `idAfterAll`). */
function prefixRange(prefix: string, ...ids: number[]): KvRange {
  return { start: [prefix, ...ids], end: [prefix, ...ids, idAfterAll] };
}

function address(row: Row, street1: number): Address {
  return {
    street1: row[street1] as string,
    street2: row[street1 + 1] as string,
    city: row[street1 + 2] as string,
    state: row[street1 + 3] as string,
    zip: row[street1 + 4] as string,
  };
}
