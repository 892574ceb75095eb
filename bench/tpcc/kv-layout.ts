/**
 * How the TPC-C tables are laid out in an ordered KV store (lmdb, fairdb KV).
 *
 * A row is stored under the key `[prefix, ...primary key]` (keys are tuples
 * in ordered-binary order, so the rows of one district, one order or one
 * customer are contiguous), and its value is the array of the row's other
 * columns in schema order (the positions are the constants below). Two
 * secondary indexes hold no data, only keys (value 0):
 *
 *   KEY                                   VALUE                 FOR
 *   ['I', i_id]                           item columns          ITEM
 *   ['W', w_id]                           warehouse columns     WAREHOUSE
 *   ['S', w_id, i_id]                     stock columns         STOCK
 *   ['D', w_id, d_id]                     district columns      DISTRICT
 *   ['C', w_id, d_id, c_id]               customer columns      CUSTOMER
 *   ['CL', w_id, d_id, c_last, c_first, c_id]  0                customers by last name, in C_FIRST order
 *   ['H', seq]                            all history columns   HISTORY (no key in the spec; seq from 1)
 *   ['O', w_id, d_id, o_id]               order columns         ORDER
 *   ['OC', w_id, d_id, c_id, o_id]        0                     orders by customer, newest last
 *   ['OL', w_id, d_id, o_id, ol_number]   order-line columns    ORDER_LINE
 *   ['NO', w_id, d_id, o_id]              [] (no other column)  NEW_ORDER
 *
 * Dates are numbers (ms since the epoch), money integer cents (see schema.ts).
 */
import { assert } from '../../storage/device/index.js';
import type { Key } from '../../storage/kv/index.js';
import { columnIndex, tpccTables, type TpccRow, type TpccTableName, type TpccValue } from './schema.js';

export const kvPrefixes: { readonly [name in TpccTableName]: string } = Object.freeze({
  item: 'I',
  warehouse: 'W',
  stock: 'S',
  district: 'D',
  customer: 'C',
  history: 'H',
  orders: 'O',
  order_line: 'OL',
  new_order: 'NO',
});
export const customerByLastNamePrefix = 'CL';
export const orderByCustomerPrefix = 'OC';
/** The value of an index entry (the key says everything). */
export const indexEntryValue = 0;

/**
 * Sorts after every C_FIRST: a range end for "every customer with this last
 * name". C_FIRST values are ASCII a-strings, and U+FFFF encodes as bytes
 * (EF BF BF) above every ASCII byte.
 */
export const stringAfterAscii = '\uffff';

// Positions in the value arrays (schema order without the key columns).
// A test checks them against `kvValueColumns`.
export const item = { im: 0, name: 1, price: 2, data: 3 } as const;
export const warehouse = { name: 0, street1: 1, street2: 2, city: 3, state: 4, zip: 5, tax: 6, ytd: 7 } as const;
export const stock = { quantity: 0, dist01: 1, ytd: 11, orderCnt: 12, remoteCnt: 13, data: 14 } as const;
export const district = { name: 0, street1: 1, street2: 2, city: 3, state: 4, zip: 5, tax: 6, ytd: 7, nextOrderId: 8 } as const;
export const customer = {
  first: 0, middle: 1, last: 2, street1: 3, street2: 4, city: 5, state: 6, zip: 7, phone: 8, since: 9, credit: 10,
  creditLim: 11, discount: 12, balance: 13, ytdPayment: 14, paymentCnt: 15, deliveryCnt: 16, data: 17,
} as const;
export const order = { customerId: 0, entryDate: 1, carrierId: 2, lineCount: 3, allLocal: 4 } as const;
export const orderLine = { itemId: 0, supplyWarehouseId: 1, deliveryDate: 2, quantity: 3, amount: 4, distInfo: 5 } as const;

/** The columns of a table's KV value, in order. */
export function kvValueColumns(table: TpccTableName): string[] {
  const def = tpccTables[table];
  return def.columns.map((c) => c.name).filter((c) => !def.primaryKey.includes(c));
}

// Positions of the indexed columns in loader rows.
const customerRow = Object.freeze({
  id: columnIndex('customer', 'c_id'),
  d: columnIndex('customer', 'c_d_id'),
  w: columnIndex('customer', 'c_w_id'),
  first: columnIndex('customer', 'c_first'),
  last: columnIndex('customer', 'c_last'),
});
const orderRow = Object.freeze({
  id: columnIndex('orders', 'o_id'),
  d: columnIndex('orders', 'o_d_id'),
  w: columnIndex('orders', 'o_w_id'),
  customerId: columnIndex('orders', 'o_c_id'),
});

interface RowMapping {
  readonly prefix: string;
  readonly keyPositions: readonly number[];
  readonly valuePositions: readonly number[];
}

/**
 * Turns loader rows into KV entries. HISTORY rows get the sequence numbers
 * 1, 2, ... in load order.
 */
export class KvRowMapper {
  private readonly mappings = new Map<TpccTableName, RowMapping>();
  private historySeq = 0;

  constructor() {
    for (const def of Object.values(tpccTables)) {
      const names = def.columns.map((c) => c.name);
      this.mappings.set(def.name, {
        prefix: kvPrefixes[def.name],
        keyPositions: def.primaryKey.map((k) => names.indexOf(k)),
        valuePositions: kvValueColumns(def.name).map((c) => names.indexOf(c)),
      });
    }
  }

  /** Calls `put` for the row's entry and its index entries. */
  map(table: TpccTableName, row: TpccRow, put: (key: Key, value: unknown) => void): void {
    const mapping = this.mappings.get(table);
    assert(mapping !== undefined, 'every table has a mapping');
    const key: (string | number)[] = [mapping.prefix];
    if (table === 'history') key.push(++this.historySeq);
    for (const p of mapping.keyPositions) key.push(row[p] as number);
    const value: TpccValue[] = [];
    for (const p of mapping.valuePositions) value.push(row[p] as TpccValue);
    put(key, value);
    if (table === 'customer') {
      const c = customerRow;
      put([customerByLastNamePrefix, row[c.w] as number, row[c.d] as number, row[c.last] as string, row[c.first] as string, row[c.id] as number], indexEntryValue);
    } else if (table === 'orders') {
      const o = orderRow;
      put([orderByCustomerPrefix, row[o.w] as number, row[o.d] as number, row[o.customerId] as number, row[o.id] as number], indexEntryValue);
    }
  }
}
