/**
 * The TPC-H schema (v3 clause 1.4): eight tables, their columns in
 * specification order, primary keys, and the secondary indexes both engines
 * get (one per foreign key used in a join, plus the two date columns that
 * queries restrict by range).
 *
 * Column kinds and how each engine stores them:
 *
 * | kind   | generator batch | fairdb DDL | SQLite DDL | value in rows      |
 * |--------|-----------------|------------|------------|--------------------|
 * | `int`  | `Int32Array`    | INTEGER    | INTEGER    | number             |
 * | `real` | `Float64Array`  | REAL       | REAL       | number             |
 * | `text` | `string[]`      | TEXT       | TEXT       | string             |
 * | `date` | `Int32Array` of day numbers (see dates.ts) | DATE | TEXT 'YYYY-MM-DD' | 'YYYY-MM-DD' |
 *
 * The specification's DECIMAL columns (prices, quantities, discounts, taxes,
 * balances) are REAL here: both engines compute in IEEE doubles, and the
 * answers are compared with a relative tolerance (see compare.ts).
 */
import { InvalidArgumentError, unreachable } from '../../storage/device/index.js';

export type TpchTableName = 'region' | 'nation' | 'supplier' | 'customer' | 'part' | 'partsupp' | 'orders' | 'lineitem';

/** Tables in load order (a referenced table before the tables that reference it). */
export const tpchTableNames: readonly TpchTableName[] = Object.freeze([
  'region', 'nation', 'supplier', 'customer', 'part', 'partsupp', 'orders', 'lineitem',
]);

export type TpchColumnKind = 'int' | 'real' | 'text' | 'date';

export interface TpchColumn {
  readonly name: string;
  readonly kind: TpchColumnKind;
}

export interface TpchTable {
  readonly name: TpchTableName;
  readonly columns: readonly TpchColumn[];
  readonly primaryKey: readonly string[];
}

export interface TpchIndex {
  readonly name: string;
  readonly table: TpchTableName;
  readonly columns: readonly string[];
}

/** SQL flavour of a query or DDL text: fairdb's language (issue 4) or SQLite's. */
export type TpchDialect = 'fairdb' | 'sqlite';

function table(name: TpchTableName, primaryKey: readonly string[], columns: string): TpchTable {
  const parsed = columns
    .trim()
    .split(/\s*,\s*/)
    .map((entry) => {
      const [column, kind] = entry.split(/\s+/) as [string, TpchColumnKind];
      return Object.freeze({ name: column, kind });
    });
  return Object.freeze({ name, columns: Object.freeze(parsed), primaryKey: Object.freeze(primaryKey.slice()) });
}

export const tpchTables: Readonly<Record<TpchTableName, TpchTable>> = Object.freeze({
  region: table('region', ['r_regionkey'], 'r_regionkey int, r_name text, r_comment text'),
  nation: table('nation', ['n_nationkey'], 'n_nationkey int, n_name text, n_regionkey int, n_comment text'),
  supplier: table(
    'supplier',
    ['s_suppkey'],
    's_suppkey int, s_name text, s_address text, s_nationkey int, s_phone text, s_acctbal real, s_comment text',
  ),
  customer: table(
    'customer',
    ['c_custkey'],
    'c_custkey int, c_name text, c_address text, c_nationkey int, c_phone text, c_acctbal real, c_mktsegment text, c_comment text',
  ),
  part: table(
    'part',
    ['p_partkey'],
    'p_partkey int, p_name text, p_mfgr text, p_brand text, p_type text, p_size int, p_container text, p_retailprice real, p_comment text',
  ),
  partsupp: table(
    'partsupp',
    ['ps_partkey', 'ps_suppkey'],
    'ps_partkey int, ps_suppkey int, ps_availqty int, ps_supplycost real, ps_comment text',
  ),
  orders: table(
    'orders',
    ['o_orderkey'],
    'o_orderkey int, o_custkey int, o_orderstatus text, o_totalprice real, o_orderdate date, o_orderpriority text, o_clerk text, o_shippriority int, o_comment text',
  ),
  lineitem: table(
    'lineitem',
    ['l_orderkey', 'l_linenumber'],
    'l_orderkey int, l_partkey int, l_suppkey int, l_linenumber int, l_quantity real, l_extendedprice real, l_discount real, l_tax real, ' +
      'l_returnflag text, l_linestatus text, l_shipdate date, l_commitdate date, l_receiptdate date, l_shipinstruct text, l_shipmode text, l_comment text',
  ),
});

/**
 * Secondary indexes: the foreign keys the queries join on, and the order and
 * ship dates — the kinds of index clause 1.5.7 permits (a composite index
 * only on the composite foreign key of LINEITEM into PARTSUPP).
 *
 * Every engine gets the same set. Note on SQLite's planner, measured at SF
 * 0.1: even after ANALYZE it drives Q1 and Q6 through `lineitem_shipdate`,
 * which is slower for them than a full scan (Q1 about 1.6x, Q6 about 4x),
 * while Q7, Q14 and Q15 are several times faster with it than without. The
 * index stays, as in the usual TPC-H kits; an engine can be given another
 * set with its `indexes` option.
 */
export const tpchIndexes: readonly TpchIndex[] = Object.freeze([
  { name: 'nation_regionkey', table: 'nation', columns: ['n_regionkey'] },
  { name: 'supplier_nationkey', table: 'supplier', columns: ['s_nationkey'] },
  { name: 'customer_nationkey', table: 'customer', columns: ['c_nationkey'] },
  { name: 'partsupp_suppkey', table: 'partsupp', columns: ['ps_suppkey'] },
  { name: 'orders_custkey', table: 'orders', columns: ['o_custkey'] },
  { name: 'orders_orderdate', table: 'orders', columns: ['o_orderdate'] },
  { name: 'lineitem_partkey_suppkey', table: 'lineitem', columns: ['l_partkey', 'l_suppkey'] },
  { name: 'lineitem_suppkey', table: 'lineitem', columns: ['l_suppkey'] },
  { name: 'lineitem_shipdate', table: 'lineitem', columns: ['l_shipdate'] },
] as const satisfies readonly TpchIndex[]);

function sqlType(kind: TpchColumnKind, dialect: TpchDialect): string {
  switch (kind) {
    case 'int':
      return 'INTEGER';
    case 'real':
      return 'REAL';
    case 'text':
      return 'TEXT';
    case 'date':
      return dialect === 'fairdb' ? 'DATE' : 'TEXT';
    default:
      return unreachable(kind, 'column kind');
  }
}

/** `CREATE TABLE` for one table, with NOT NULL columns and its primary key. */
export function createTableSql(name: TpchTableName, dialect: TpchDialect): string {
  const t = tpchTables[name];
  const columns = t.columns.map((c) => `  ${c.name} ${sqlType(c.kind, dialect)} NOT NULL`);
  return `CREATE TABLE ${name} (\n${columns.join(',\n')},\n  PRIMARY KEY (${t.primaryKey.join(', ')})\n)`;
}

/** Names of every secondary index, the default index set of the engines. */
export const tpchIndexNames: readonly string[] = Object.freeze(tpchIndexes.map((i) => i.name));

/**
 * `CREATE INDEX` statements (same text in both dialects) for the named
 * secondary indexes, in schema order. Throws InvalidArgumentError for an
 * unknown name.
 */
export function createIndexSql(names: readonly string[] = tpchIndexNames): string[] {
  const unknown = names.filter((n) => !tpchIndexNames.includes(n));
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown TPC-H index ${unknown.join(', ')}; known: ${tpchIndexNames.join(', ')}`);
  return tpchIndexes.filter((i) => names.includes(i.name)).map((i) => `CREATE INDEX ${i.name} ON ${i.table} (${i.columns.join(', ')})`);
}

/** `INSERT INTO t VALUES (?, ...)` with one positional parameter per column. */
export function insertSql(name: TpchTableName): string {
  const t = tpchTables[name];
  return `INSERT INTO ${name} VALUES (${t.columns.map(() => '?').join(', ')})`;
}
