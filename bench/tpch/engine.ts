/**
 * The interface through which the TPC-H harness drives a database, and a
 * generic implementation for any connection with better-sqlite3's shape
 * (`exec`, `prepare(sql).run/all`, `transaction(fn)`) — which is also the
 * shape of fairdb's SQL engine, so fairdb is `sqlTpchEngine({ name: 'fairdb',
 * dialect: 'fairdb', connection: createSqlEngine(store), close })`.
 */
import { assert } from '../../storage/device/index.js';
import { isoOfDay } from './dates.js';
import type { TpchBatch, TpchData } from './generate.js';
import { createIndexSql, createTableSql, insertSql, tpchTableNames, tpchTables, type TpchDialect, type TpchTableName } from './schema.js';

/** A result row: column name (or alias) → value, keys in select-list order. */
export type Row = Record<string, unknown>;

/** Load progress: `rows` of `total` rows of `table` are in (LINEITEM's total is the expected count). */
export interface TpchLoadProgress {
  readonly table: TpchTableName;
  readonly rows: number;
  readonly total: number;
}

export interface TpchEngine {
  /** Name in reports; unique within a run. */
  readonly name: string;
  /** Which text of each query this engine runs (see queries.ts). */
  readonly dialect: TpchDialect;
  /**
   * Creates the schema and indexes and inserts every table of `data`.
   * `ms` is the engine's own time: generating the rows is not counted.
   */
  load(data: TpchData, progress?: (p: TpchLoadProgress) => void): Promise<{ ms: number }>;
  /** Runs query number `n` (1–22) given as `sql`; rows in the order the engine returns them. */
  query(n: number, sql: string): Row[];
  close(): Promise<void>;
}

/** The part of a better-sqlite3 `Database` (or a fairdb `SqlEngine`) the harness uses. */
export interface SqlConnection {
  exec(sql: string): unknown;
  prepare(sql: string): SqlStatement;
  /** Wraps `fn` so that each call runs in one transaction, rolled back if `fn` throws. */
  transaction(fn: (batch: TpchBatch) => void): (batch: TpchBatch) => void;
}

export interface SqlStatement {
  /** Runs with positional parameters. The array is reused by the caller after the call returns. */
  run(params: unknown[]): unknown;
  all(): unknown[];
}

export interface SqlTpchEngineOptions {
  /** Name in reports. Required. */
  name: string;
  /** Query text flavour this connection understands. Required. */
  dialect: TpchDialect;
  /** An open connection to an empty database. Required. */
  connection: SqlConnection;
  /** Releases the connection; called once by `close()`. Default: nothing. */
  close?: () => Promise<void> | void;
  /** Names of the secondary indexes to build (see schema.ts). Default: all of `tpchIndexNames`. */
  indexes?: readonly string[];
  /** Runs after the indexes are built, inside the timed load (e.g. SQLite's ANALYZE). Default: nothing. */
  afterLoad?: (connection: SqlConnection) => void;
  /** Monotonic clock in milliseconds for the load time. Default: `performance.now`. */
  now?: () => number;
}

/**
 * Fills `out` with the SQL values of row `row` of a batch: numbers for int
 * and real columns, strings for text, 'YYYY-MM-DD' strings for dates.
 * Returns `out`.
 */
export function batchRowValues(batch: TpchBatch, row: number, out: unknown[]): unknown[] {
  assert(row >= 0 && row < batch.rowCount, 'row within the batch');
  const columns = tpchTables[batch.table].columns;
  for (let c = 0; c < columns.length; c++) {
    const data = batch.columns[c] as ArrayLike<unknown>;
    out[c] = columns[c]?.kind === 'date' ? isoOfDay(data[row] as number) : data[row];
  }
  return out;
}

/** A `TpchEngine` over any better-sqlite3-shaped connection. */
export function sqlTpchEngine(options: SqlTpchEngineOptions): TpchEngine {
  const { name, dialect, connection } = options;
  const now = options.now ?? (() => performance.now());
  // Resolved now so that an unknown index name fails before any loading.
  const indexSql = createIndexSql(options.indexes);
  // Statements are prepared once per query text, as an application would.
  const statements = new Map<string, SqlStatement>();
  let closed = false;

  async function load(data: TpchData, progress?: (p: TpchLoadProgress) => void): Promise<{ ms: number }> {
    assert(!closed, 'engine is open');
    let ms = 0;
    let t = now();
    for (const table of tpchTableNames) connection.exec(createTableSql(table, dialect));
    const inserts = new Map<TpchTableName, SqlStatement>(tpchTableNames.map((table) => [table, connection.prepare(insertSql(table))]));
    const insertBatch = connection.transaction((batch: TpchBatch) => {
      const insert = inserts.get(batch.table) as SqlStatement;
      const values = new Array<unknown>(batch.columns.length);
      for (let row = 0; row < batch.rowCount; row++) insert.run(batchRowValues(batch, row, values));
    });
    ms += now() - t;
    const loaded = new Map<TpchTableName, number>();
    // Only the engine's work is timed: the clock stops while the generator
    // produces the next batch.
    for (const batch of data.batches()) {
      t = now();
      insertBatch(batch);
      ms += now() - t;
      const rows = (loaded.get(batch.table) ?? 0) + batch.rowCount;
      loaded.set(batch.table, rows);
      progress?.({ table: batch.table, rows, total: Math.max(rows, data.rowCounts[batch.table]) });
      // Yield to the event loop between batches so that progress bars redraw.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    t = now();
    for (const sql of indexSql) connection.exec(sql);
    options.afterLoad?.(connection);
    ms += now() - t;
    return { ms };
  }

  function query(n: number, sql: string): Row[] {
    assert(!closed, 'engine is open');
    assert(Number.isInteger(n) && n >= 1 && n <= 22, 'query number in 1..22');
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = connection.prepare(sql);
      statements.set(sql, statement);
    }
    return statement.all() as Row[];
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    statements.clear();
    await options.close?.();
  }

  return { name, dialect, load, query, close };
}
