/**
 * Loads the generated initial database into drivers: schema, rows in one
 * transaction per batch, then the secondary indexes (SQL); the KV form
 * writes its index entries with the rows.
 */
import type { Key } from '../../storage/kv/index.js';
import type { KvDriver, SqlDriver, SqlStatement, SqlValue } from './driver.js';
import { generateTpcc, type TpccGenerateOptions } from './generate.js';
import { KvRowMapper } from './kv-layout.js';
import { createIndexSql, createTableSql, insertSql, tpccIndexes, tpccTableNames, tpccTables, type TpccRow, type TpccTableName } from './schema.js';

export type TpccTarget = { readonly kind: 'sql'; readonly driver: SqlDriver } | { readonly kind: 'kv'; readonly driver: KvDriver };

export interface TpccLoadHooks {
  /** High-resolution time in ms (e.g. `performance.now`). */
  readonly now: () => number;
  /** Called after each batch with the number of rows loaded so far (into each target). */
  readonly onRows?: (rows: number) => void;
}

export interface TpccLoadResult {
  /** Time spent inside this database (DDL, insert transactions, index builds), in ms. */
  readonly ms: number;
  /** Rows loaded per table. */
  readonly rows: { readonly [name in TpccTableName]: number };
}

export interface TpccLoadResults {
  /** One result per target, in order. */
  readonly targets: readonly TpccLoadResult[];
  /** Wall time of the whole load, in ms. */
  readonly ms: number;
  /** Time spent generating the rows (wall time minus the time inside the databases), in ms. */
  readonly generateMs: number;
}

/**
 * Loads the same generated database into every target at once: each batch
 * is generated once and inserted into each target in turn, so the cost of
 * generating the data is paid once per run, not once per database, and is
 * not part of any database's load time.
 */
export function loadTpcc(targets: readonly TpccTarget[], generate: TpccGenerateOptions, hooks: TpccLoadHooks): TpccLoadResults {
  const start = hooks.now();
  const rows = Object.fromEntries(tpccTableNames.map((t) => [t, 0])) as { [name in TpccTableName]: number };
  const dbMs = targets.map(() => 0);
  const timed = (i: number, fn: () => void): void => {
    const t = hooks.now();
    fn();
    dbMs[i]! += hooks.now() - t;
  };
  const inserters = targets.map((target, i) =>
    target.kind === 'sql' ? sqlInserter(target.driver, (fn) => timed(i, fn)) : kvInserter(target.driver),
  );
  let loaded = 0;
  for (const batch of generateTpcc(generate)) {
    const rowCount = batch.rows.length;
    inserters.forEach((inserter, i) => timed(i, () => inserter.batch(batch.table, batch.rows)));
    rows[batch.table] += rowCount;
    loaded += rowCount;
    hooks.onRows?.(loaded);
  }
  inserters.forEach((inserter, i) => timed(i, () => inserter.finish()));
  const ms = hooks.now() - start;
  return {
    targets: dbMs.map((m) => ({ ms: m, rows: { ...rows } })),
    ms,
    generateMs: ms - dbMs.reduce((a, b) => a + b, 0),
  };
}

/** Inserts batches of rows; never modifies the rows (every target sees the same arrays). */
interface Inserter {
  batch(table: TpccTableName, rows: readonly TpccRow[]): void;
  finish(): void;
}

function sqlInserter(driver: SqlDriver, timed: (fn: () => void) => void): Inserter {
  timed(() => {
    for (const name of tpccTableNames) driver.exec(createTableSql(tpccTables[name], driver.tableSuffix ?? ''));
  });
  const tables = Object.fromEntries(
    tpccTableNames.map((name) => {
      const def = tpccTables[name];
      return [
        name,
        {
          statement: driver.prepare(insertSql(def)),
          timestamps: def.columns.map((c) => c.type === 'TIMESTAMP'),
          // The parameters of one row, reused for every row of the table.
          params: def.columns.map((): SqlValue => null),
        },
      ];
    }),
  ) as { [name in TpccTableName]: { statement: SqlStatement; timestamps: boolean[]; params: SqlValue[] } };
  // Most timestamps of a load are the same instant: convert it once.
  let lastMs = NaN;
  let lastIso = '';
  const iso = (ms: number): string => {
    if (ms !== lastMs) {
      lastMs = ms;
      lastIso = new Date(ms).toISOString();
    }
    return lastIso;
  };
  const insertRows = driver.transaction((table: TpccTableName, rows: readonly TpccRow[]) => {
    const { statement, timestamps, params } = tables[table];
    for (const row of rows) {
      for (let i = 0; i < params.length; i++) {
        const value = row[i] as SqlValue;
        params[i] = timestamps[i] && value !== null ? iso(value as number) : value;
      }
      statement.run(params);
    }
  });
  return {
    batch: (table, rows) => insertRows(table, rows),
    finish: () => {
      for (const index of tpccIndexes) driver.exec(createIndexSql(index));
      driver.afterLoad?.();
    },
  };
}

function kvInserter(driver: KvDriver): Inserter {
  const mapper = new KvRowMapper();
  const put = (key: Key, value: unknown): void => driver.put(key, value);
  return {
    batch: (table, rows) =>
      driver.transactionSync(() => {
        for (const row of rows) mapper.map(table, row, put);
      }),
    finish: () => {},
  };
}
