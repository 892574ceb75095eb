/**
 * The reference engine: better-sqlite3 in WAL mode, with the schema's
 * primary keys and secondary indexes, loaded in one transaction per batch
 * through prepared inserts, and ANALYZEd after loading so that its planner
 * knows the table sizes and the selectivity of the date ranges (otherwise
 * it may drive Q1 through the ship-date index over 98% of the table).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { OptionsViolations } from '../../storage/device/index.js';
import { sqlTpchEngine, type SqlConnection, type TpchEngine } from './engine.js';
import { tpchIndexNames } from './schema.js';

/** Largest page cache the options accept, in MiB. */
export const sqliteCacheMiBMax = 64 * 1024;

export type SqliteSynchronous = 'OFF' | 'NORMAL' | 'FULL';

export interface SqliteEngineOptions {
  /** Name in reports. Default 'sqlite'. */
  name?: string;
  /**
   * Database file, which must not exist yet; ':memory:' for an in-memory
   * database. Default: a file in a new temporary directory, removed by `close()`.
   */
  path?: string;
  /** PRAGMA synchronous (WAL mode). Default 'NORMAL'. */
  synchronous?: SqliteSynchronous;
  /**
   * Page cache size in MiB (PRAGMA cache_size). Default 2048, enough to hold
   * the SF 1 database, so that queries measure the engine and not the OS
   * page cache — as fairdb, whose data lives in the JS heap. Range [1, `sqliteCacheMiBMax`].
   */
  cacheMiB?: number;
  /** Names of the secondary indexes to build (see schema.ts). Default: all of `tpchIndexNames`. */
  indexes?: readonly string[];
  /** Run ANALYZE after loading (counted in the load time). Default true. */
  analyze?: boolean;
  /** Monotonic clock in milliseconds. Default `performance.now`. */
  now?: () => number;
}

/** Creates the better-sqlite3 engine; throws InvalidArgumentError listing every bad option. */
export function sqliteEngine(options: SqliteEngineOptions = {}): TpchEngine {
  const resolved = {
    name: options.name ?? 'sqlite',
    synchronous: options.synchronous ?? 'NORMAL',
    cacheMiB: options.cacheMiB ?? 2048,
    analyze: options.analyze ?? true,
  };
  const v = new OptionsViolations('SQLite engine options');
  v.check(resolved.name.length > 0, 'name must not be empty');
  v.check(['OFF', 'NORMAL', 'FULL'].includes(resolved.synchronous), `synchronous must be OFF, NORMAL or FULL, got ${String(resolved.synchronous)}`);
  v.check(
    Number.isSafeInteger(resolved.cacheMiB) && resolved.cacheMiB >= 1 && resolved.cacheMiB <= sqliteCacheMiBMax,
    `cacheMiB must be an integer in [1, ${sqliteCacheMiBMax}], got ${resolved.cacheMiB}`,
  );
  const unknownIndexes = (options.indexes ?? []).filter((n) => !tpchIndexNames.includes(n));
  v.check(unknownIndexes.length === 0, `unknown index ${unknownIndexes.join(', ')}; known: ${tpchIndexNames.join(', ')}`);
  v.throwIfAny();

  const directory = options.path === undefined ? mkdtempSync(join(tmpdir(), 'fairdb-tpch-')) : undefined;
  const path = options.path ?? join(directory as string, 'tpch.sqlite');
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${resolved.synchronous}`);
    db.pragma(`cache_size = ${-resolved.cacheMiB * 1024}`);
    db.pragma('temp_store = MEMORY');
  } catch (error) {
    db.close();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  const connection: SqlConnection = {
    exec: (sql) => db.exec(sql),
    prepare: (sql) => {
      const statement = db.prepare(sql);
      return { run: (params) => statement.run(params), all: () => statement.all() };
    },
    transaction: (fn) => db.transaction(fn),
  };
  return sqlTpchEngine({
    name: resolved.name,
    dialect: 'sqlite',
    connection,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.indexes === undefined ? {} : { indexes: options.indexes }),
    afterLoad: resolved.analyze ? () => db.exec('ANALYZE') : undefined,
    close: () => {
      db.close();
      if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
    },
  });
}
