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
import { open, type Database } from '../../engine/index.js';
import { createSqlEngine } from '../../query/index.js';
import type { Key, KvTransaction } from '../../storage/kv/index.js';
import type { KvDriver, KvEntry, KvRange, SqlDriver, SqlRow, SqlValue, TpccDriverFactory, TpccDriverOpenOptions, TpccDurability } from './driver.js';

function openDatabase({ directory, durability }: TpccDriverOpenOptions): Database {
  return open(directory, { durability: 'sync', pmem: { fsync: durability === 'sync' } });
}

function durabilityNote(durability: TpccDurability): string {
  return durability === 'sync' ? "pmem device, fsync at every commit (durability 'sync')" : "pmem device, persist barrier (pwrite) at every commit, no fsync";
}

export function fairdbSqlDriver(options: { name?: string } = {}): TpccDriverFactory {
  const name = options.name ?? 'fairdb SQL';
  return Object.freeze({
    kind: 'sql' as const,
    name,
    open(openOptions: TpccDriverOpenOptions): SqlDriver {
      const db = openDatabase(openOptions);
      const sql = createSqlEngine(db.store);
      return {
        name,
        durability: durabilityNote(openOptions.durability),
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
        close: () => db.close(),
      };
    },
  });
}

export function fairdbKvDriver(options: { name?: string } = {}): TpccDriverFactory {
  const name = options.name ?? 'fairdb KV';
  return Object.freeze({
    kind: 'kv' as const,
    name,
    open(openOptions: TpccDriverOpenOptions): KvDriver {
      const db = openDatabase(openOptions);
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
        durability: durabilityNote(openOptions.durability),
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
        close: () => db.close(),
      };
    },
  });
}
