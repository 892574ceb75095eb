/**
 * What statements need from the engine: the current read view, the write
 * path with its transaction bookkeeping, rowid allocation and the columnar
 * cache. `engine.ts` implements it; dml.ts, ddl.ts and statement.ts use it.
 */
import type { RawKvStore, RawReader, RawWriter } from '../storage/kv/index.js';
import type { VirtualTableDef } from './bound.js';
import type { Catalog, TableDef } from './catalog.js';
import type { ColumnarTable } from './columnar.js';
import type { ColumnarUse } from './columnar-cache.js';
import type { ResolvedSqlEngineOptions } from './options.js';

/** What one write statement (or transaction) changed, applied when it commits. */
export class WriteTracker {
  /** Tables written (their columnar caches become stale at commit). */
  readonly dirty = new Set<number>();
  /** Net change in row count per table. */
  readonly deltas = new Map<number, number>();
  /** The catalog changed (reload it on rollback). */
  ddl = false;

  wrote(tableId: number, rowDelta: number): void {
    this.dirty.add(tableId);
    if (rowDelta !== 0) this.deltas.set(tableId, (this.deltas.get(tableId) ?? 0) + rowDelta);
  }

  merge(other: WriteTracker): void {
    for (const id of other.dirty) this.dirty.add(id);
    for (const [id, d] of other.deltas) this.deltas.set(id, (this.deltas.get(id) ?? 0) + d);
    if (other.ddl) this.ddl = true;
  }
}

export interface EngineCore {
  readonly store: RawKvStore;
  readonly catalog: Catalog;
  readonly options: ResolvedSqlEngineOptions;
  readonly virtualTables: ReadonlyMap<string, { readonly name: string; readonly def: VirtualTableDef }>;
  /** Changes whenever a prepared statement must be bound again (catalog or virtual tables changed). */
  readonly schemaVersion: number;
  /** The view reads go through now: the open transaction, or the store. */
  reader(): RawReader;
  /**
   * Runs a write statement: in the open transaction (through a statement
   * overlay when `overlay`, so a failure leaves the transaction untouched),
   * or in a transaction of its own that commits on return.
   */
  write<T>(fn: (writer: RawWriter, tracker: WriteTracker) => T, overlay: boolean): T;
  /** The rowid for the next row of a table without an explicit one (max + 1, as SQLite). */
  nextRowid(table: TableDef, reader: RawReader): number;
  /** Records a rowid used by an insert. */
  noteRowid(table: TableDef, rowid: number): void;
  /** The rowid of the last row inserted into a rowid table, engine-wide (better-sqlite3's lastInsertRowid). */
  lastInsertRowid: number;
  /**
   * The committed store when the open transaction (if any) has not written
   * `table`, so that its rows read there are the rows the transaction sees
   * and a long read of them pays nothing for the transaction's other
   * writes; undefined when the transaction has written the table.
   */
  committedRowsOf(table: TableDef): RawReader | undefined;
  /** The columnar cache entry a read of `table` may use now, if any (see columnar-cache.ts). */
  columnarEntry(table: TableDef, use: ColumnarUse): ColumnarTable | undefined;
}
