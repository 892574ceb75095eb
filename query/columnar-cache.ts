/**
 * The columnar cache's policy: which tables get typed-array copies of their
 * columns (columnar.ts), when they are built, how much memory they may take
 * together, and the column statistics the planner reads from them.
 *
 * Consistency: an entry is tagged with its table's data version, which
 * increases whenever a transaction that wrote the table commits (`written`);
 * an entry of an older version is never used, and the engine never gives a
 * transaction that has written a table that table's entry. Eviction only
 * forgets entries: a statement running on an evicted entry keeps reading
 * the arrays it holds, which still match the committed state it started on.
 *
 * When an entry is built:
 * - on a table's first full scan (and on the first read of a plan that was
 *   chosen because the cache would serve it), as long as nothing forbids it;
 * - afterwards, once the reads since the last write have earned it: a full
 *   scan earns the table's row count, a keyed read `lookupCreditRows`; the
 *   entry is built when the credit reaches twice the row count (building
 *   costs about one scan, so a table written between every read never pays
 *   for it more than once, and a table read by key pays only once the reads
 *   have saved more than the build costs);
 * - only if it fits in `bytesMax` with the entries of the statement being
 *   run, after evicting the least recently used entries of other tables.
 */
import type { RawReader } from '../storage/kv/index.js';
import type { TableDef } from './catalog.js';
import { ColumnarTable } from './columnar.js';

/**
 * Row visits a keyed read of the store is worth when earning a table its
 * columnar entry: a random point read costs about as much as visiting 25
 * rows of a sequential scan.
 */
export const lookupCreditRows = 25;

export interface ColumnarCacheLimits {
  /** Whether the cache is used at all. */
  readonly enabled: boolean;
  /** Tables with fewer rows (the catalog's count) are never cached. */
  readonly rowsMin: number;
  /** Bytes all entries may hold together. */
  readonly bytesMax: number;
}

/** Why a read asks for an entry (see the file comment). */
export type ColumnarUse = 'scan' | 'lookup' | 'planned';

interface TableCache {
  /** Increases when a transaction that wrote the table commits. */
  dataVersion: number;
  entry: ColumnarTable | undefined;
  /** Whether an entry was ever built for the table since the engine started. */
  everBuilt: boolean;
  /** Row visits earned since the last write (see the file comment). */
  credit: number;
  /** `tick` of the last read that used the entry, for eviction. */
  lastUsed: number;
}

export interface ColumnarCacheFigures {
  readonly entries: number;
  readonly bytes: number;
  readonly bytesMax: number;
  readonly builds: number;
  readonly evictions: number;
  /** Builds refused because the statement's entries would not fit in `bytesMax`. */
  readonly refusals: number;
}

export class ColumnarCache {
  private readonly tables = new Map<number, TableCache>();
  private tick = 0;
  private builds = 0;
  private evictions = 0;
  private refusals = 0;
  /** Distinct counts the planner asked for, kept across entries: by `tableId:column`. */
  private readonly distincts = new Map<string, { rows: number; distinct: number }>();
  /** Columns (`tableId:column`) whose distinct values a plan asked for before any entry had them. */
  private readonly wanted = new Set<string>();
  /**
   * Increases when an entry gains a column whose statistics a plan asked
   * for and did not get, so that statements plan again with them.
   */
  statsVersion = 0;

  constructor(readonly limits: ColumnarCacheLimits) {}

  private state(tableId: number): TableCache {
    let state = this.tables.get(tableId);
    if (state === undefined) {
      state = { dataVersion: 0, entry: undefined, everBuilt: false, credit: 0, lastUsed: 0 };
      this.tables.set(tableId, state);
    }
    return state;
  }

  /** Whether tables of this size are ever cached. */
  eligible(rows: number): boolean {
    return this.limits.enabled && rows >= this.limits.rowsMin && rows > 0;
  }

  /**
   * For the planner: whether reads of `table` are likely to be served by the
   * cache (an entry is current, or one would be built on the next read).
   */
  likely(table: TableDef, rows: number): boolean {
    if (!this.eligible(rows)) return false;
    const state = this.tables.get(table.id);
    if (state === undefined || !state.everBuilt) return true;
    if (state.entry !== undefined && state.entry.version === state.dataVersion && state.entry.table === table) return true;
    return state.credit >= rows;
  }

  /**
   * The entry a read of `table` may use now, creating it (empty: columns are
   * built by `ensure`) when the policy allows; undefined otherwise. `rows` is
   * the catalog's row count. The caller has checked that the reading
   * transaction has not written the table.
   */
  entry(table: TableDef, rows: number, use: ColumnarUse): ColumnarTable | undefined {
    if (!this.eligible(rows)) return undefined;
    const state = this.state(table.id);
    const current = state.entry;
    if (current !== undefined && current.version === state.dataVersion && current.table === table) {
      state.lastUsed = ++this.tick;
      return current;
    }
    if (current !== undefined) state.entry = undefined;
    // Keyed reads earn their credit as they run (noteLookups).
    if (use === 'scan') state.credit += rows;
    const build = (!state.everBuilt && use !== 'lookup') || state.credit >= 2 * rows;
    if (!build) return undefined;
    const entry = new ColumnarTable(table, state.dataVersion);
    state.entry = entry;
    state.everBuilt = true;
    state.lastUsed = ++this.tick;
    return entry;
  }

  /** Credits `count` keyed reads of the store to `table` (reads the cache could have served). */
  noteLookups(tableId: number, count: number): void {
    if (count > 0) this.state(tableId).credit += count * lookupCreditRows;
  }

  /**
   * Builds the columns (and orderings) a statement needs in `entry`, within
   * the memory bound: evicts the least recently used entries that are not
   * in `pinned` (the statement's own) until they fit. Returns false, having
   * built nothing, when they cannot fit.
   */
  ensure(entry: ColumnarTable, reader: RawReader, columns: ReadonlySet<number>, orderings: ReadonlySet<number>, rows: number, pinned: ReadonlySet<ColumnarTable>): boolean {
    // An ordering takes an Int32Array of the rows and one of the value span (at most as large, see columnar.ts).
    let orderingBytes = 0;
    for (const c of orderings) if (!entry.hasOrdering(c)) orderingBytes += 8 * rows + 8;
    const need = entry.missingBytes(columns, rows) + orderingBytes;
    if (need > 0 && !this.makeRoom(need, pinned)) {
      this.refusals++;
      return false;
    }
    if (!entry.has(columns)) {
      const added = [...columns].filter((c) => !entry.columns.has(c));
      entry.ensure(reader, [...columns]);
      this.builds++;
      let news = false;
      for (const c of added) if (this.wanted.delete(`${entry.table.id}:${c}`)) news = true;
      if (news) this.statsVersion++;
    }
    for (const c of orderings) if (entry.ordering(c) === undefined) return false;
    return true;
  }

  /** Evicts least recently used entries outside `pinned` until `need` more bytes fit; false if they cannot. */
  private makeRoom(need: number, pinned: ReadonlySet<ColumnarTable>): boolean {
    const max = this.limits.bytesMax;
    if (need > max) return false;
    let total = this.bytes();
    if (total + need <= max) return true;
    const victims = [...this.tables.values()].filter((s) => s.entry !== undefined && !pinned.has(s.entry)).sort((a, b) => a.lastUsed - b.lastUsed);
    for (const v of victims) {
      total -= (v.entry as ColumnarTable).bytes;
      v.entry = undefined;
      this.evictions++;
      if (total + need <= max) return true;
    }
    return total + need <= max;
  }

  /** A transaction that wrote the table committed: its entry is stale, its credit spent. */
  written(tableId: number): void {
    const state = this.state(tableId);
    state.dataVersion++;
    state.entry = undefined;
    state.credit = 0;
  }

  /** Forgets a dropped table. */
  dropped(tableId: number): void {
    this.tables.delete(tableId);
  }

  /**
   * Distinct non-NULL values of a stored column, from a current entry that
   * has the column built, or as last measured while the row count stays
   * within a factor of two; undefined when never measured.
   */
  distinct(table: TableDef, column: number, rows: number): number | undefined {
    const key = `${table.id}:${column}`;
    const state = this.tables.get(table.id);
    const entry = state?.entry;
    if (entry !== undefined && entry.table === table && entry.version === state?.dataVersion && entry.columns.has(column)) {
      const known = this.distincts.get(key);
      if (known !== undefined && known.rows === entry.rowCount) return known.distinct;
      const distinct = entry.distinct(column) as number;
      this.distincts.set(key, { rows: entry.rowCount, distinct });
      return distinct;
    }
    const known = this.distincts.get(key);
    if (known !== undefined && rows <= known.rows * 2 && rows * 2 >= known.rows) return known.distinct;
    if (this.eligible(rows)) this.wanted.add(key);
    return undefined;
  }

  bytes(): number {
    let total = 0;
    for (const s of this.tables.values()) if (s.entry !== undefined) total += s.entry.bytes;
    return total;
  }

  figures(): ColumnarCacheFigures {
    let entries = 0;
    for (const s of this.tables.values()) if (s.entry !== undefined) entries++;
    return { entries, bytes: this.bytes(), bytesMax: this.limits.bytesMax, builds: this.builds, evictions: this.evictions, refusals: this.refusals };
  }
}
