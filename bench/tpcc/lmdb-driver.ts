/**
 * lmdb-js as a TPC-C `KvDriver`: one environment, keys in lmdb-js's
 * default ordered-binary encoding, values in its default msgpack encoding.
 *
 * Durability: for `sync`, `transactionSync` commits with LMDB's own sync
 * (data pages, then the meta page) before it returns, and `overlappingSync`
 * is off so the flush is not deferred past the return. For `group`,
 * `noSync`: a commit writes to the OS page cache (it survives a process
 * crash) and the OS writes it back later; lmdb-js documents that a system
 * crash may then lose or corrupt recent data, a weaker promise than
 * SQLite's synchronous=NORMAL, which favours lmdb in that mode.
 *
 * Read-only transactions run without a write transaction: lmdb-js reads
 * through a read transaction that stays on one snapshot until the next
 * write commits, and in this single-threaded benchmark no write can commit
 * while a read-only transaction function runs.
 */
import { open, type RootDatabase } from 'lmdb';
import type { Key } from '../../storage/kv/index.js';
import type { KvDriver, KvEntry, KvRange, TpccDriverFactory, TpccDriverOpenOptions } from './driver.js';

export interface LmdbDriverOptions {
  /** Name in reports; default 'lmdb'. */
  readonly name?: string;
}

export function lmdbDriver(options: LmdbDriverOptions = {}): TpccDriverFactory {
  const name = options.name ?? 'lmdb';
  return Object.freeze({
    kind: 'kv' as const,
    name,
    open({ directory, durability }: TpccDriverOpenOptions): KvDriver {
      const db: RootDatabase = open({
        path: directory,
        compression: false,
        noSync: durability === 'group',
        overlappingSync: false,
      });
      return {
        name,
        durability: durability === 'sync' ? 'sync commit (overlappingSync off)' : 'noSync',
        get: (key: Key) => db.get(key as never),
        put: (key: Key, value: unknown) => void db.put(key as never, value),
        del: (key: Key) => void db.remove(key as never),
        // With `values: false`, lmdb-js iterates bare keys; wrap them as entries.
        getRange: (range: KvRange) =>
          range.values === false
            ? (db.getRange(range as never).map((key) => ({ key, value: undefined })) as Iterable<KvEntry>)
            : (db.getRange(range as never) as Iterable<KvEntry>),
        transactionSync: <T>(fn: () => T): T => db.transactionSync(fn),
        readTransaction: <T>(fn: () => T): T => fn(),
        close: () => db.close(),
      };
    },
  });
}
