/**
 * Test support: a small TPC-C database (the `tenth` scale) in either form,
 * loaded through the benchmark's own loader, plus an inspector that reads
 * and edits rows by table and primary key in the same way for SQL and KV,
 * with timestamps as ms since the epoch.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ManualClock } from '../../../storage/device/index.js';
import type { Key } from '../../../storage/kv/index.js';
import { betterSqlite3Driver } from '../../../bench/tpcc/better-sqlite3-driver.js';
import type { KvDriver, SqlDriver, SqlValue, TpccDriverFactory } from '../../../bench/tpcc/driver.js';
import { TpccInputGenerator } from '../../../bench/tpcc/inputs.js';
import { KvWorkload } from '../../../bench/tpcc/kv-workload.js';
import { customerByLastNamePrefix, indexEntryValue, kvPrefixes, kvValueColumns } from '../../../bench/tpcc/kv-layout.js';
import { lmdbDriver } from '../../../bench/tpcc/lmdb-driver.js';
import { loadTpcc, type TpccLoadResults, type TpccTarget } from '../../../bench/tpcc/load.js';
import { tpccStreams } from '../../../bench/tpcc/run.js';
import { tpccScales } from '../../../bench/tpcc/scale.js';
import { tpccTables, type TpccTableName, type TpccValue } from '../../../bench/tpcc/schema.js';
import { SqlWorkload } from '../../../bench/tpcc/sql-workload.js';
import type { TpccWorkload } from '../../../bench/tpcc/workload.js';

export type Kind = 'sql' | 'kv';
export type Row = Record<string, TpccValue>;

/** The load's "current time", fixed so that loads are reproducible. */
export const loadTimeMs = Date.UTC(2024, 0, 1);
export const scale = tpccScales.tenth;

export function factoryFor(kind: Kind): TpccDriverFactory {
  return kind === 'sql' ? betterSqlite3Driver() : lmdbDriver();
}

export function tempDirectory(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `fairdb-test-tpcc-${label}-`));
}

export interface Inspector {
  row(table: TpccTableName, ...key: number[]): Row | undefined;
  /** Rows whose primary key starts with `prefix`, in key order (HISTORY: in insertion order). */
  rows(table: TpccTableName, ...prefix: number[]): Row[];
  count(table: TpccTableName, ...prefix: number[]): number;
  /** Overwrites columns of one row, outside the workload (to corrupt or to set up a case). */
  update(table: TpccTableName, key: readonly number[], changes: Row): void;
  delete(table: TpccTableName, key: readonly number[]): void;
}

export interface LoadedDatabase {
  readonly kind: Kind;
  readonly target: TpccTarget;
  readonly workload: TpccWorkload;
  readonly inspect: Inspector;
  readonly load: TpccLoadResults;
  /** The run's transaction inputs, as `runTpcc` draws them for this seed. */
  inputs(clock?: ManualClock): TpccInputGenerator;
  close(): Promise<void>;
}

/** Opens one database per kind and loads them all with one generated data set. */
export async function openLoaded(kinds: readonly Kind[], options: { warehouses: number; seed: number }): Promise<LoadedDatabase[]> {
  const opened: { kind: Kind; target: TpccTarget; directory: string }[] = [];
  for (const kind of kinds) {
    const directory = tempDirectory(kind);
    const factory = factoryFor(kind);
    const target: TpccTarget =
      factory.kind === 'sql'
        ? { kind: 'sql', driver: await factory.open({ directory, durability: 'group' }) }
        : { kind: 'kv', driver: await factory.open({ directory, durability: 'group' }) };
    opened.push({ kind, target, directory });
  }
  const streams = tpccStreams(options.seed);
  const load = loadTpcc(
    opened.map((o) => o.target),
    { warehouses: options.warehouses, scale, constants: streams.constants, random: streams.load, loadTimeMs },
    { now: () => performance.now() },
  );
  return opened.map(({ kind, target, directory }) => ({
    kind,
    target,
    workload: target.kind === 'sql' ? new SqlWorkload(target.driver) : new KvWorkload(target.driver),
    load,
    inspect: target.kind === 'sql' ? sqlInspector(target.driver) : kvInspector(target.driver),
    inputs: (clock = new ManualClock(loadTimeMs + 1000)) =>
      new TpccInputGenerator({ warehouses: options.warehouses, scale, constants: streams.constants, random: tpccStreams(options.seed).run, clock }),
    close: async () => {
      await target.driver.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  }));
}

const timestampColumns = (table: TpccTableName): Set<string> => new Set(tpccTables[table].columns.filter((c) => c.type === 'TIMESTAMP').map((c) => c.name));

function sqlInspector(driver: SqlDriver): Inspector {
  const normalize = (table: TpccTableName, row: Record<string, SqlValue>): Row => {
    const out: Row = {};
    const timestamps = timestampColumns(table);
    for (const [column, value] of Object.entries(row)) out[column] = timestamps.has(column) && value !== null ? Date.parse(value as string) : value;
    return out;
  };
  const where = (table: TpccTableName, n: number): string => {
    const keys = tpccTables[table].primaryKey.slice(0, n);
    return keys.length === 0 ? '' : ` WHERE ${keys.map((k) => `${k} = ?`).join(' AND ')}`;
  };
  const orderBy = (table: TpccTableName): string => (table === 'history' ? ' ORDER BY rowid' : ` ORDER BY ${tpccTables[table].primaryKey.join(', ')}`);
  return {
    row: (table, ...key) => {
      const row = driver.prepare(`SELECT * FROM ${table}${where(table, key.length)}`).get(key);
      return row === undefined ? undefined : normalize(table, row);
    },
    rows: (table, ...prefix) => driver.prepare(`SELECT * FROM ${table}${where(table, prefix.length)}${orderBy(table)}`).all(prefix).map((r) => normalize(table, r)),
    count: (table, ...prefix) => driver.prepare(`SELECT COUNT(*) AS n FROM ${table}${where(table, prefix.length)}`).get(prefix)!.n as number,
    update: (table, key, changes) => {
      const timestamps = timestampColumns(table);
      const columns = Object.keys(changes);
      const values = columns.map((c) => (timestamps.has(c) && changes[c] !== null ? new Date(changes[c] as number).toISOString() : changes[c]!));
      driver.prepare(`UPDATE ${table} SET ${columns.map((c) => `${c} = ?`).join(', ')}${where(table, key.length)}`).run([...values, ...key]);
    },
    delete: (table, key) => void driver.prepare(`DELETE FROM ${table}${where(table, key.length)}`).run([...key]),
  };
}

function kvInspector(driver: KvDriver): Inspector {
  const decode = (table: TpccTableName, key: readonly unknown[], value: unknown): Row => {
    const def = tpccTables[table];
    const out: Row = {};
    const values = value as TpccValue[];
    if (table === 'history') def.columns.forEach((c, i) => (out[c.name] = values[i] as TpccValue));
    else {
      def.primaryKey.forEach((k, i) => (out[k] = key[i + 1] as TpccValue));
      kvValueColumns(table).forEach((c, i) => (out[c] = values[i] as TpccValue));
    }
    // In schema column order, like SELECT *.
    return Object.fromEntries(def.columns.map((c) => [c.name, out[c.name] as TpccValue]));
  };
  const range = (table: TpccTableName, prefix: readonly number[]) => ({ start: [kvPrefixes[table], ...prefix], end: [kvPrefixes[table], ...prefix, Number.MAX_SAFE_INTEGER] });
  const rows = (table: TpccTableName, ...prefix: number[]): Row[] =>
    [...driver.getRange(range(table, prefix))].map((e) => decode(table, e.key as readonly unknown[], e.value));
  return {
    row: (table, ...key) => {
      const fullKey = [kvPrefixes[table], ...key];
      const value = driver.get(fullKey);
      return value === undefined ? undefined : decode(table, fullKey, value);
    },
    rows,
    count: (table, ...prefix) => rows(table, ...prefix).length,
    update: (table, key, changes) =>
      driver.transactionSync(() => {
        const fullKey: Key = [kvPrefixes[table], ...key];
        const value = driver.get(fullKey) as TpccValue[];
        const columns = kvValueColumns(table);
        const before = decode(table, fullKey as readonly unknown[], value.slice());
        for (const [column, v] of Object.entries(changes)) {
          const i = columns.indexOf(column);
          if (i < 0) throw new RangeError(`cannot update key column ${column}`);
          value[i] = v;
        }
        driver.put(fullKey, value);
        if (table === 'customer' && ('c_last' in changes || 'c_first' in changes)) {
          // Keep the last-name index in step, as the SQL engine does for its index.
          const [w, d, c] = key;
          driver.del([customerByLastNamePrefix, w!, d!, before.c_last as string, before.c_first as string, c!]);
          const after = decode(table, fullKey as readonly unknown[], value);
          driver.put([customerByLastNamePrefix, w!, d!, after.c_last as string, after.c_first as string, c!], indexEntryValue);
        }
      }),
    delete: (table, key) => driver.transactionSync(() => driver.del([kvPrefixes[table], ...key])),
  };
}

/**
 * lmdb with a lost-update bug: every write of a WAREHOUSE row after the
 * first (the load) is dropped, so Payment's W_YTD increments vanish and
 * consistency condition 1 must fail.
 */
export function lostWarehouseUpdatesDriver(name = 'lmdb-lost-updates'): TpccDriverFactory {
  const inner = lmdbDriver({ name });
  return {
    kind: 'kv',
    name,
    async open(options) {
      const driver = (await inner.open(options)) as KvDriver;
      const written = new Set<string>();
      return {
        ...driver,
        put(key: Key, value: unknown) {
          const parts = key as readonly unknown[];
          if (parts[0] === kvPrefixes.warehouse) {
            const id = JSON.stringify(parts);
            if (written.has(id)) return;
            written.add(id);
          }
          driver.put(key, value);
        },
      };
    },
  };
}
