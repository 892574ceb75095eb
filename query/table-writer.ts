/**
 * Writes table rows: converts values to the column types, checks NOT NULL,
 * PRIMARY KEY and UNIQUE constraints, and maintains every secondary index
 * in the same transaction as the row (see key-format.ts for the keys).
 *
 * Values are full stored rows: one value per user column, then the hidden
 * rowid for tables without a primary key, in the engine's run-time
 * representation (value.ts).
 */
import { FairdbError } from '../storage/device/index.js';
import type { RawReader, RawWriter } from '../storage/kv/index.js';
import type { ColumnDef, IndexDef, TableDef } from './catalog.js';
import { formatDate, formatTimestamp, isDateInRange, isTimestampInRange, msPerDay, parseDate, parseTimestamp } from './date-time.js';
import { KeyBuilder, keyEnd, skipElement } from './key-format.js';
import { RowCursor, RowEncoder } from './row-format.js';
import type { ColumnType, ValueType } from './sql-type.js';
import { blobToText, integerToText, realToText, textAsWholeNumber, type SqlValue } from './value.js';

function typeError(column: ColumnDef, message: string): FairdbError {
  return new FairdbError('TYPE', `column ${column.name} (${column.type}): ${message}`);
}

function describe(v: SqlValue): string {
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 40)}...` : v}'`;
  if (v instanceof Uint8Array) return `a ${v.length}-byte BLOB`;
  return String(v);
}

/**
 * Converts a value of static type `t` to what a column of `type` stores.
 * Rules (fairdb is stricter than SQLite, which would store a mismatching
 * value as it is):
 * - INTEGER: integral numbers within ±(2^53 - 1); text that is a whole
 *   number; REAL values with a fraction, larger integers and other text are
 *   TYPE errors;
 * - REAL: numbers; text that is a number;
 * - TEXT: text; numbers become their SQL text (INTEGER `5`, REAL `5.0`);
 *   DATE/TIMESTAMP values their ISO text;
 * - BLOB: blobs only;
 * - BOOLEAN: 0/1 numbers (JS booleans arrive as 0/1), and the texts
 *   'true'/'false'/'1'/'0' in any case;
 * - DATE: DATE values; TIMESTAMP values (the UTC date); text
 *   `YYYY-MM-DD` or ISO date-time (the time of day is dropped);
 * - TIMESTAMP: TIMESTAMP values; DATE values (midnight); numbers (ms since
 *   the epoch); ISO text.
 */
export function coerceToColumn(column: ColumnDef, v: SqlValue, t: ValueType): SqlValue {
  if (v === null) return null;
  const type: ColumnType = column.type;
  switch (type) {
    case 'INTEGER': {
      let n: number | undefined;
      if (typeof v === 'number') n = t === 'date' || t === 'timestamp' ? undefined : v;
      else if (typeof v === 'string') n = textAsWholeNumber(v);
      if (n === undefined || !Number.isInteger(n)) throw typeError(column, `${describe(v)} is not an integer`);
      if (!Number.isSafeInteger(n)) throw typeError(column, `${describe(v)} is outside the exact integer range ±(2^53 - 1)`);
      return n === 0 ? 0 : n;
    }
    case 'REAL': {
      if (typeof v === 'number') {
        if (t === 'date' || t === 'timestamp') throw typeError(column, `a ${t.toUpperCase()} is not a number`);
        return v;
      }
      const n = typeof v === 'string' ? textAsWholeNumber(v) : undefined;
      if (n === undefined) throw typeError(column, `${describe(v)} is not a number`);
      return n;
    }
    case 'TEXT':
      if (typeof v === 'string') return v;
      if (typeof v === 'number') {
        if (t === 'date') return formatDate(v);
        if (t === 'timestamp') return formatTimestamp(v);
        if (t === 'integer' || t === 'boolean' || (t === 'any' && Number.isInteger(v))) return integerToText(v);
        return realToText(v);
      }
      throw typeError(column, `${describe(v)} is not text`);
    case 'BLOB':
      if (v instanceof Uint8Array) return v;
      throw typeError(column, `${describe(v)} is not a BLOB`);
    case 'BOOLEAN': {
      if (typeof v === 'number' && (v === 0 || v === 1) && t !== 'date' && t !== 'timestamp') return v;
      if (typeof v === 'string') {
        const s = v.trim().toLowerCase();
        if (s === 'true' || s === '1') return 1;
        if (s === 'false' || s === '0') return 0;
      }
      throw typeError(column, `${describe(v)} is not a boolean (true, false, 1 or 0)`);
    }
    case 'DATE': {
      let days: number | undefined;
      if (typeof v === 'number') {
        if (t === 'date') days = v;
        else if (t === 'timestamp') days = Math.floor(v / msPerDay);
      } else if (typeof v === 'string') {
        days = parseDate(v);
      } else {
        days = parseDate(blobToText(v));
      }
      if (days === undefined || !isDateInRange(days)) throw typeError(column, `${describe(v)} is not a date (YYYY-MM-DD, years 0000-9999)`);
      return days;
    }
    case 'TIMESTAMP': {
      let ms: number | undefined;
      if (typeof v === 'number') ms = t === 'date' ? v * msPerDay : Number.isFinite(v) ? Math.trunc(v) : undefined;
      else if (typeof v === 'string') ms = parseTimestamp(v);
      if (ms === undefined || !isTimestampInRange(ms)) throw typeError(column, `${describe(v)} is not a timestamp (ISO 8601, years 0000-9999)`);
      return ms;
    }
  }
}

/** A constraint a new or changed row collides with. */
export type Conflict =
  | { readonly kind: 'primary'; readonly rowKey: string }
  | { readonly kind: 'unique'; readonly index: IndexDef; readonly rowKey: string };

/** Reads and writes the rows of one table. */
export class TableWriter {
  private readonly encoder: RowEncoder;
  readonly cursor: RowCursor;
  private readonly blobColumns: boolean[];

  constructor(
    readonly table: TableDef,
    readonly indexes: readonly IndexDef[],
  ) {
    this.encoder = new RowEncoder(table.layout);
    this.cursor = new RowCursor(table.layout, `table ${table.name}`);
    this.blobColumns = table.storedTypes.map((t) => t === 'BLOB');
  }

  private readonly keys = new KeyBuilder();

  rowKey(values: readonly SqlValue[]): string {
    const b = this.keys.start(this.table.rowPrefix);
    for (const c of this.table.primaryKey) b.value(values[c] as SqlValue);
    return b.finish();
  }

  /** The key of a row's entry in `index`: indexed values, then the primary key. */
  entryKey(index: IndexDef, values: readonly SqlValue[]): string {
    const b = this.keys.start(index.entryPrefix);
    for (const c of index.columns) b.value(values[c] as SqlValue);
    for (const c of this.table.primaryKey) b.value(values[c] as SqlValue);
    return b.finish();
  }

  /** The row key an index entry points to. */
  rowKeyOfEntry(index: IndexDef, entryKey: string): string {
    let at = index.entryPrefix.length;
    for (let i = 0; i < index.columns.length; i++) at = skipElement(entryKey, at);
    return this.table.rowPrefix + entryKey.slice(at);
  }

  /** Throws CONSTRAINT when a NOT NULL column (or a primary-key column) is NULL. */
  checkNotNull(values: readonly SqlValue[]): void {
    const t = this.table;
    for (let i = 0; i < t.columns.length; i++) {
      const c = t.columns[i] as ColumnDef;
      if (values[i] === null && (c.notNull || t.primaryKey.includes(i))) {
        throw new FairdbError('CONSTRAINT', `NOT NULL constraint failed: ${t.name}.${c.name}`);
      }
    }
  }

  /**
   * The first PRIMARY KEY or UNIQUE constraint the row would violate,
   * ignoring the row stored under `selfKey` (the row being updated).
   */
  findConflict(reader: RawReader, values: readonly SqlValue[], selfKey: string | undefined): Conflict | undefined {
    const key = this.rowKey(values);
    if (key !== selfKey && reader.getRaw(key) !== undefined) return { kind: 'primary', rowKey: key };
    for (const index of this.indexes) {
      if (!index.unique) continue;
      const cols = index.columns.map((c) => values[c] as SqlValue);
      // NULLs are distinct from each other in UNIQUE constraints (SQL, SQLite).
      if (cols.some((v) => v === null)) continue;
      const b = this.keys.start(index.entryPrefix);
      for (const v of cols) b.value(v);
      const prefix = b.finish();
      let conflict: string | undefined;
      reader.scanRaw({ start: prefix, end: prefix + keyEnd, limit: 2 }, (entry) => {
        const rowKey = this.rowKeyOfEntry(index, entry);
        if (rowKey === selfKey) return true;
        conflict = rowKey;
        return false;
      });
      if (conflict !== undefined) return { kind: 'unique', index, rowKey: conflict };
    }
    return undefined;
  }

  conflictError(conflict: Conflict): FairdbError {
    const t = this.table;
    const columns = conflict.kind === 'primary' ? t.primaryKey : conflict.index.columns;
    const names = columns.map((c) => `${t.name}.${t.columns[c]?.name ?? 'rowid'}`).join(', ');
    return new FairdbError('CONSTRAINT', `${conflict.kind === 'primary' && t.rowid !== 'hidden' ? 'PRIMARY KEY' : 'UNIQUE'} constraint failed: ${names}`);
  }

  /** Writes a new row and its index entries (constraints already checked). */
  insert(writer: RawWriter, values: readonly SqlValue[]): string {
    const key = this.rowKey(values);
    const entries = this.indexes.map((index) => this.entryKey(index, values));
    writer.putRaw(key, this.encoder.encode(values));
    for (const e of entries) writer.putRaw(e, emptyValue);
    return key;
  }

  /** Writes the index entries of an existing row (building a new index). */
  insertEntries(writer: RawWriter, values: readonly SqlValue[]): void {
    for (const index of this.indexes) writer.putRaw(this.entryKey(index, values), emptyValue);
  }

  /** Deletes a row and its index entries. */
  delete(writer: RawWriter, key: string, values: readonly SqlValue[]): void {
    writer.delRaw(key);
    for (const index of this.indexes) writer.delRaw(this.entryKey(index, values));
  }

  /** Replaces a row (constraints already checked); returns the new key. */
  update(writer: RawWriter, oldKey: string, oldValues: readonly SqlValue[], newValues: readonly SqlValue[]): string {
    const newKey = this.rowKey(newValues);
    const changes: { index: IndexDef; oldEntry: string; newEntry: string }[] = [];
    for (const index of this.indexes) {
      const oldEntry = this.entryKey(index, oldValues);
      const newEntry = this.entryKey(index, newValues);
      if (oldEntry !== newEntry) changes.push({ index, oldEntry, newEntry });
    }
    const encoded = this.encoder.encode(newValues);
    if (newKey !== oldKey) writer.delRaw(oldKey);
    writer.putRaw(newKey, encoded);
    for (const c of changes) {
      writer.delRaw(c.oldEntry);
      writer.putRaw(c.newEntry, emptyValue);
    }
    return newKey;
  }

  /** Reads and decodes the row stored under `key`, if any. */
  read(reader: RawReader, key: string): SqlValue[] | undefined {
    const bytes = reader.getRaw(key);
    if (bytes === undefined) return undefined;
    this.cursor.set(bytes, 0, bytes.length);
    return this.decodeCurrent();
  }

  /** Decodes the row the cursor is on. */
  decodeCurrent(): SqlValue[] {
    const out: SqlValue[] = new Array(this.table.storedTypes.length);
    const cursor = this.cursor;
    for (let i = 0; i < out.length; i++) {
      if (cursor.isNull(i)) out[i] = null;
      else if (this.table.layout.kinds[i] === 'var') out[i] = this.blobColumns[i] ? cursor.blob(i) : cursor.text(i);
      else out[i] = cursor.value(i);
    }
    return out;
  }
}

const emptyValue = new Uint8Array(0);
