/**
 * better-sqlite3 as a TPC-C `SqlDriver`: one file database in WAL mode,
 * synchronous=FULL for `sync` durability (the WAL is fsynced at every
 * commit) and synchronous=NORMAL for `group` (fsync only at checkpoints;
 * SQLite's documentation: a commit may roll back after a power loss, never
 * after an application crash).
 *
 * After the load it runs ANALYZE, as a DBA would, so that the planner has
 * statistics.
 *
 * The page cache (512 MiB by default; a warehouse takes about 85 MB) holds
 * the whole database of a few warehouses, so that SQLite, like lmdb's
 * memory map and fairdb's heap index, serves reads from memory: the
 * comparison is between engines, not cache sizes.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { OptionsViolations } from '../../storage/device/index.js';
import type { SqlDriver, SqlRow, SqlStatement, SqlValue, TpccDriverFactory, TpccDurability } from './driver.js';

export interface BetterSqlite3DriverOptions {
  /** Name in reports; default 'better-sqlite3'. */
  readonly name?: string;
  /** Page cache size in MiB (PRAGMA cache_size); default 512. */
  readonly cacheMiB?: number;
  /**
   * Store tables with a primary key as `WITHOUT ROWID` tables, clustered by
   * their key as fairdb and lmdb store them, instead of a rowid table plus a
   * separate primary-key index; default true.
   */
  readonly withoutRowid?: boolean;
}

/** Largest accepted cache, in MiB. */
export const sqliteCacheMiBMax = 64 * 1024;

const synchronousByDurability: { readonly [level in TpccDurability]: 'FULL' | 'NORMAL' } = { sync: 'FULL', group: 'NORMAL' };

export function betterSqlite3Driver(options: BetterSqlite3DriverOptions = {}): TpccDriverFactory {
  const name = options.name ?? 'better-sqlite3';
  const cacheMiB = options.cacheMiB ?? 512;
  const withoutRowid = options.withoutRowid ?? true;
  const violations = new OptionsViolations('better-sqlite3 driver options');
  violations.check(name.length > 0, 'name must not be empty');
  violations.check(Number.isSafeInteger(cacheMiB) && cacheMiB >= 1 && cacheMiB <= sqliteCacheMiBMax, `cacheMiB must be an integer in [1, ${sqliteCacheMiBMax}], got ${cacheMiB}`);
  violations.throwIfAny();
  return Object.freeze({
    kind: 'sql' as const,
    name,
    open({ directory, durability }: { directory: string; durability: TpccDurability }): SqlDriver {
      const db = new Database(path.join(directory, 'tpcc.sqlite'));
      const synchronous = synchronousByDurability[durability];
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${synchronous}`);
      db.pragma(`cache_size = ${-cacheMiB * 1024}`);
      return {
        name,
        durability: `WAL, synchronous=${synchronous}${withoutRowid ? ', WITHOUT ROWID tables' : ''}, cache ${cacheMiB} MiB`,
        tableSuffix: withoutRowid ? ' WITHOUT ROWID' : undefined,
        // Without statistics the planner reads a customer's newest order by
        // scanning the district's orders backwards instead of using the
        // orders_customer index; ANALYZE after the load fixes the plan.
        afterLoad: () => void db.exec('ANALYZE'),
        exec: (sql) => void db.exec(sql),
        prepare(sql): SqlStatement {
          const st = db.prepare(sql);
          // better-sqlite3 binds an array argument to the positional parameters.
          const reader = st.reader;
          return {
            run: (params: readonly SqlValue[]) => ({ changes: st.run(params).changes }),
            get: reader ? (params: readonly SqlValue[]) => st.get(params) as SqlRow | undefined : notReader(sql),
            all: reader ? (params: readonly SqlValue[]) => st.all(params) as SqlRow[] : notReader(sql),
          };
        },
        transaction: (fn) => db.transaction(fn) as never,
        close: async () => void db.close(),
      };
    },
  });
}

function notReader(sql: string): () => never {
  return () => {
    throw new RangeError(`statement returns no rows: ${sql}`);
  };
}
