/**
 * The TPC-C schema (clause 1.3) as data: the SQL DDL, the loader's INSERT
 * statements and the KV layout are all derived from these definitions, so
 * the SQL and KV forms of the database hold the same columns in the same
 * order.
 *
 * Representation choices, the same for every driver:
 * - Money (numeric(n,2) in the specification) is an INTEGER number of
 *   cents, which represents numeric(12,2) exactly, so that consistency
 *   condition 1 is an exact equality rather than a float comparison.
 * - Rates (W_TAX, D_TAX, C_DISCOUNT, numeric(4,4)) are REAL.
 * - Dates and times are TIMESTAMP columns; SQL drivers bind them as ISO-8601
 *   strings (`2024-01-02T03:04:05.678Z`), which both SQLite and fairdb
 *   accept, and the KV form stores milliseconds since the epoch.
 * - ORDER is a reserved word, so the table is called `orders`.
 * - HISTORY has no primary key in the specification; the SQL table has
 *   none (a rowid table), the KV form keys it by a sequence number.
 */

export type TpccColumnType = 'INTEGER' | 'REAL' | 'TEXT' | 'TIMESTAMP';

export interface TpccColumn {
  readonly name: string;
  readonly type: TpccColumnType;
  /** NULL is allowed (only O_CARRIER_ID and OL_DELIVERY_D). */
  readonly nullable: boolean;
}

export type TpccTableName = 'warehouse' | 'district' | 'customer' | 'history' | 'new_order' | 'orders' | 'order_line' | 'item' | 'stock';

export interface TpccTable {
  readonly name: TpccTableName;
  readonly columns: readonly TpccColumn[];
  /** Primary-key column names in key order; empty for HISTORY. */
  readonly primaryKey: readonly string[];
}

export interface TpccIndex {
  readonly name: string;
  readonly table: TpccTableName;
  readonly columns: readonly string[];
}

/** A loader row: values in the table's column order (timestamps as ms since the epoch). */
export type TpccValue = number | string | null;
export type TpccRow = TpccValue[];

function table(name: TpccTableName, spec: string, primaryKey: readonly string[]): TpccTable {
  // `spec` is "name TYPE[?], ..." where "?" marks a nullable column.
  const columns = spec.split(',').map((part) => {
    const [column, rawType] = part.trim().split(/\s+/) as [string, string];
    const nullable = rawType.endsWith('?');
    return Object.freeze({ name: column, type: (nullable ? rawType.slice(0, -1) : rawType) as TpccColumnType, nullable });
  });
  return Object.freeze({ name, columns: Object.freeze(columns), primaryKey: Object.freeze([...primaryKey]) });
}

const address = (p: string): string => `${p}_street_1 TEXT, ${p}_street_2 TEXT, ${p}_city TEXT, ${p}_state TEXT, ${p}_zip TEXT`;
const stockDistricts = Array.from({ length: 10 }, (_, i) => `s_dist_${String(i + 1).padStart(2, '0')} TEXT`).join(', ');

/** The nine tables, in load order (clause 1.3; money in cents, see the header). */
export const tpccTables: { readonly [name in TpccTableName]: TpccTable } = Object.freeze({
  item: table('item', 'i_id INTEGER, i_im_id INTEGER, i_name TEXT, i_price INTEGER, i_data TEXT', ['i_id']),
  warehouse: table('warehouse', `w_id INTEGER, w_name TEXT, ${address('w')}, w_tax REAL, w_ytd INTEGER`, ['w_id']),
  stock: table(
    'stock',
    `s_i_id INTEGER, s_w_id INTEGER, s_quantity INTEGER, ${stockDistricts}, s_ytd INTEGER, s_order_cnt INTEGER, s_remote_cnt INTEGER, s_data TEXT`,
    ['s_w_id', 's_i_id'],
  ),
  district: table(
    'district',
    `d_id INTEGER, d_w_id INTEGER, d_name TEXT, ${address('d')}, d_tax REAL, d_ytd INTEGER, d_next_o_id INTEGER`,
    ['d_w_id', 'd_id'],
  ),
  customer: table(
    'customer',
    `c_id INTEGER, c_d_id INTEGER, c_w_id INTEGER, c_first TEXT, c_middle TEXT, c_last TEXT, ${address('c')}, c_phone TEXT, ` +
      'c_since TIMESTAMP, c_credit TEXT, c_credit_lim INTEGER, c_discount REAL, c_balance INTEGER, c_ytd_payment INTEGER, ' +
      'c_payment_cnt INTEGER, c_delivery_cnt INTEGER, c_data TEXT',
    ['c_w_id', 'c_d_id', 'c_id'],
  ),
  history: table(
    'history',
    'h_c_id INTEGER, h_c_d_id INTEGER, h_c_w_id INTEGER, h_d_id INTEGER, h_w_id INTEGER, h_date TIMESTAMP, h_amount INTEGER, h_data TEXT',
    [],
  ),
  orders: table(
    'orders',
    'o_id INTEGER, o_d_id INTEGER, o_w_id INTEGER, o_c_id INTEGER, o_entry_d TIMESTAMP, o_carrier_id INTEGER?, o_ol_cnt INTEGER, o_all_local INTEGER',
    ['o_w_id', 'o_d_id', 'o_id'],
  ),
  order_line: table(
    'order_line',
    'ol_o_id INTEGER, ol_d_id INTEGER, ol_w_id INTEGER, ol_number INTEGER, ol_i_id INTEGER, ol_supply_w_id INTEGER, ' +
      'ol_delivery_d TIMESTAMP?, ol_quantity INTEGER, ol_amount INTEGER, ol_dist_info TEXT',
    ['ol_w_id', 'ol_d_id', 'ol_o_id', 'ol_number'],
  ),
  new_order: table('new_order', 'no_o_id INTEGER, no_d_id INTEGER, no_w_id INTEGER', ['no_w_id', 'no_d_id', 'no_o_id']),
});

export const tpccTableNames: readonly TpccTableName[] = Object.freeze(Object.keys(tpccTables) as TpccTableName[]);

/**
 * Secondary indexes: customers by last name (Payment and Order-Status look
 * 60% of customers up by C_LAST and take the middle one by C_FIRST) and
 * orders by customer (Order-Status reads the customer's newest order).
 * Created after the bulk load, as a DBA would.
 */
export const tpccIndexes: readonly TpccIndex[] = Object.freeze([
  Object.freeze({ name: 'customer_last_name', table: 'customer', columns: Object.freeze(['c_w_id', 'c_d_id', 'c_last', 'c_first']) }),
  Object.freeze({ name: 'orders_customer', table: 'orders', columns: Object.freeze(['o_w_id', 'o_d_id', 'o_c_id', 'o_id']) }),
] as const);

/** Position of `column` in `table`'s rows. */
export function columnIndex(tableName: TpccTableName, column: string): number {
  const i = tpccTables[tableName].columns.findIndex((c) => c.name === column);
  if (i < 0) throw new RangeError(`${tableName} has no column ${column}`);
  return i;
}

/**
 * `CREATE TABLE` for one table, in the common SQL subset. `suffix` is
 * appended after the closing parenthesis of tables with a primary key (a
 * driver may use it for a storage clause of its dialect).
 */
export function createTableSql(def: TpccTable, suffix = ''): string {
  const columns = def.columns.map((c) => `${c.name} ${c.type}${c.nullable ? '' : ' NOT NULL'}`);
  if (def.primaryKey.length > 0) columns.push(`PRIMARY KEY (${def.primaryKey.join(', ')})`);
  return `CREATE TABLE ${def.name} (${columns.join(', ')})${def.primaryKey.length > 0 ? suffix : ''}`;
}

export function createIndexSql(index: TpccIndex): string {
  return `CREATE INDEX ${index.name} ON ${index.table} (${index.columns.join(', ')})`;
}

/** The loader's prepared `INSERT` for one table (positional parameters in column order). */
export function insertSql(def: TpccTable): string {
  return `INSERT INTO ${def.name} (${def.columns.map((c) => c.name).join(', ')}) VALUES (${def.columns.map(() => '?').join(', ')})`;
}
