/**
 * The two small interfaces the TPC-C workload runs against. One SQL
 * implementation of the transactions serves every `SqlDriver` (better-sqlite3,
 * fairdb SQL) and one KV implementation every `KvDriver` (lmdb, fairdb KV);
 * a driver is a thin adapter over its library and does nothing else.
 *
 * Durability is chosen per run and is the same for every driver:
 * - `sync`: a transaction is durable when its commit returns (one fsync or
 *   persist barrier per write transaction): SQLite WAL with
 *   synchronous=FULL, lmdb with sync commits, fairdb `sync`.
 * - `group`: commits are atomic and survive a process crash at once, but
 *   reach stable storage later, so a power failure may lose the latest ones:
 *   SQLite WAL with synchronous=NORMAL, lmdb `noSync`, fairdb `group`.
 */
import type { Key } from '../../storage/kv/index.js';

export type TpccDurability = 'sync' | 'group';

export const tpccDurabilities: readonly TpccDurability[] = Object.freeze(['sync', 'group']);

/** What each durability level promises, for the report. */
export const tpccDurabilityNotes: { readonly [level in TpccDurability]: string } = Object.freeze({
  sync: 'every write transaction is durable when its commit returns (fsync or persist barrier per commit)',
  group: 'commits are atomic and survive a process crash; stable storage is updated later, so a power failure may lose the latest commits',
});

/** A value bound to or read from SQL: INTEGER/REAL as number, TEXT and TIMESTAMP as string. */
export type SqlValue = number | string | null;
/** A result row keyed by column name or alias. */
export type SqlRow = Record<string, SqlValue>;

export interface SqlStatement {
  /** Runs a DML statement with positional parameters. */
  run(params: readonly SqlValue[]): { changes: number };
  /** The first result row, or undefined. */
  get(params: readonly SqlValue[]): SqlRow | undefined;
  /** Every result row, in the statement's order. */
  all(params: readonly SqlValue[]): SqlRow[];
}

export interface SqlDriver {
  readonly name: string;
  /** How this driver implements the run's durability level (for the report). */
  readonly durability: string;
  /** Runs DDL (one statement per call). */
  exec(sql: string): void;
  /** Parses and plans once; the statement is reused for the whole run. */
  prepare(sql: string): SqlStatement;
  /**
   * better-sqlite3's `transaction`: wraps `fn` so that each call runs it in
   * one transaction, committed on return and rolled back if it throws (the
   * error is rethrown).
   */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  /**
   * Appended to `CREATE TABLE` of tables with a primary key; a dialect's
   * storage clause, or undefined for none.
   */
  readonly tableSuffix?: string;
  /**
   * Runs once after the bulk load and the index builds, inside the load's
   * timing: what a DBA would do next (e.g. gather planner statistics).
   */
  afterLoad?(): void;
  close(): Promise<void>;
}

export interface KvRange {
  /** Inclusive lower bound (upper bound when `reverse`). */
  readonly start?: Key;
  /** Exclusive upper bound (lower bound when `reverse`). */
  readonly end?: Key;
  readonly reverse?: boolean;
  readonly limit?: number;
  /** When false, the caller needs only the keys: entries may come without values. Default true. */
  readonly values?: boolean;
}

export interface KvEntry {
  readonly key: Key;
  readonly value: unknown;
}

/**
 * An ordered KV store with lmdb-js's synchronous API. Keys are tuples in
 * ordered-binary order; values are msgpack-able arrays. A value returned by
 * `get` or `getRange` belongs to the caller, who may modify it and `put` it
 * back (lmdb-js decodes a fresh value on each read).
 */
export interface KvDriver {
  readonly name: string;
  /** How this driver implements the run's durability level (for the report). */
  readonly durability: string;
  get(key: Key): unknown;
  /** Only inside `transactionSync`. */
  put(key: Key, value: unknown): void;
  /** Only inside `transactionSync`. */
  del(key: Key): void;
  /** Entries in key order within the range; reads inside a transaction see its writes. */
  getRange(range: KvRange): Iterable<KvEntry>;
  /** Runs `fn` as one write transaction: committed on return, rolled back if it throws. */
  transactionSync<T>(fn: () => T): T;
  /** Runs `fn`, which only reads, against one consistent state of the store. */
  readTransaction<T>(fn: () => T): T;
  close(): Promise<void>;
}

export interface TpccDriverOpenOptions {
  /** An empty directory that belongs to this driver for the run. */
  readonly directory: string;
  readonly durability: TpccDurability;
}

/** How the runner creates a driver: a fresh database per run. */
export type TpccDriverFactory =
  | { readonly kind: 'sql'; readonly name: string; open(options: TpccDriverOpenOptions): SqlDriver | Promise<SqlDriver> }
  | { readonly kind: 'kv'; readonly name: string; open(options: TpccDriverOpenOptions): KvDriver | Promise<KvDriver> };
