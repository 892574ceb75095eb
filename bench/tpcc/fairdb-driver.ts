/**
 * fairdb as TPC-C drivers: through its SQL engine (prepared statements, one
 * SQL transaction per TPC-C transaction) and through its KV API (tuples as
 * keys, msgpack values), on the embedded default (pmem device).
 *
 * Durability maps to the same promise as the other drivers, with a persist
 * barrier inside every commit (the runner's loop is synchronous, so nothing
 * is left for the event loop to finish):
 * - `sync`: durability 'sync' on a pmem device with fsync, so every commit
 *   is fdatasync-ed before it returns — survives power loss, as SQLite FULL
 *   and lmdb sync commits.
 * - `group`: durability 'sync' on a pmem device without fsync: every commit
 *   is written to the backing file before it returns (survives a process
 *   crash), and the OS writes it back later — as SQLite NORMAL and lmdb
 *   noSync.
 */
import { open, type Database, type DatabaseStats, type OpenOptions } from '../../engine/index.js';
import type { Key, KvTransaction } from '../../storage/kv/index.js';
import type { KvDriver, KvEntry, KvRange, SqlDriver, SqlRow, SqlValue, TpccDriverFactory, TpccDriverOpenOptions, TpccDurability } from './driver.js';

export interface FairdbDriverOptions {
  /** Name in reports. */
  readonly name?: string;
  /**
   * Options of `open()` for a durability level; default: the pmem device,
   * durability 'sync', fsync for 'sync' (see the header comment).
   */
  readonly openOptions?: (durability: TpccDurability) => OpenOptions;
  /** Receives the database's statistics just before it closes. */
  readonly onClose?: (stats: DatabaseStats) => void;
}

function defaultOpenOptions(durability: TpccDurability): OpenOptions {
  return { durability: 'sync', pmem: { fsync: durability === 'sync' } };
}

function openDatabase({ directory, durability }: TpccDriverOpenOptions, options: FairdbDriverOptions): Database {
  return open(directory, (options.openOptions ?? defaultOpenOptions)(durability));
}

function closer(db: Database, options: FairdbDriverOptions): () => Promise<void> {
  return async () => {
    options.onClose?.(db.stats());
    await db.close();
  };
}

function durabilityNote(durability: TpccDurability): string {
  return durability === 'sync' ? "pmem device, fsync at every commit (durability 'sync')" : "pmem device, persist barrier (pwrite) at every commit, no fsync";
}

export function fairdbSqlDriver(options: FairdbDriverOptions = {}): TpccDriverFactory {
  const name = options.name ?? 'fairdb SQL';
  return Object.freeze({
    kind: 'sql' as const,
    name,
    open(openOptions: TpccDriverOpenOptions): SqlDriver {
      const db = openDatabase(openOptions, options);
      const sql = db.sql;
      return {
        name,
        durability: options.openOptions === undefined ? durabilityNote(openOptions.durability) : 'as configured by the caller',
        exec: (text: string) => sql.exec(text),
        prepare(text: string) {
          const statement = sql.prepare(text);
          return {
            run: (params: readonly SqlValue[]) => statement.run(params as SqlValue[]),
            get: (params: readonly SqlValue[]) => statement.get(params as SqlValue[]) as SqlRow | undefined,
            all: (params: readonly SqlValue[]) => statement.all(params as SqlValue[]) as SqlRow[],
          };
        },
        transaction: <A extends unknown[], R>(fn: (...args: A) => R) => sql.transaction(fn),
        close: closer(db, options),
      };
    },
  });
}

export function fairdbKvDriver(options: FairdbDriverOptions = {}): TpccDriverFactory {
  const name = options.name ?? 'fairdb KV';
  return Object.freeze({
    kind: 'kv' as const,
    name,
    open(openOptions: TpccDriverOpenOptions): KvDriver {
      const db = openDatabase(openOptions, options);
      // The TPC-C KV workload writes through the driver inside
      // transactionSync, as with lmdb-js; route those calls to the open
      // transaction.
      let tx: KvTransaction<unknown> | undefined;
      const inTransaction = (): KvTransaction<unknown> => {
        if (tx === undefined) throw new Error('put and del are only allowed inside transactionSync');
        return tx;
      };
      return {
        name,
        durability: options.openOptions === undefined ? durabilityNote(openOptions.durability) : 'as configured by the caller',
        get: (key: Key) => (tx === undefined ? db.get(key) : tx.get(key)),
        put: (key: Key, value: unknown) => inTransaction().put(key, value),
        del: (key: Key) => void inTransaction().del(key),
        getRange: (range: KvRange): Iterable<KvEntry> => {
          const { values: _values, ...bounds } = range;
          return tx === undefined ? db.getRange(bounds) : tx.getRange(bounds);
        },
        transactionSync<T>(fn: () => T): T {
          return db.transactionSync((t) => {
            tx = t;
            try {
              return fn();
            } finally {
              tx = undefined;
            }
          });
        },
        readTransaction: <T>(fn: () => T): T => fn(),
        close: closer(db, options),
      };
    },
  });
}
