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
  private readonly notNullColumns: number[];
  /** The primary key tuple of the last `rowKey` as bytes (the value of a value-keyed index entry). */
  private pkScratch = new Uint8Array(64);

  constructor(
    readonly table: TableDef,
    readonly indexes: readonly IndexDef[],
  ) {
    this.encoder = new RowEncoder(table.layout);
    this.cursor = new RowCursor(table.layout, `table ${table.name}`);
    this.blobColumns = table.storedTypes.map((t) => t === 'BLOB');
    this.notNullColumns = [];
    for (let i = 0; i < table.columns.length; i++) if (table.columns[i]?.notNull === true || table.primaryKey.includes(i)) this.notNullColumns.push(i);
  }

  private readonly keys = new KeyBuilder();

  rowKey(values: readonly SqlValue[]): string {
    const b = this.keys.start(this.table.rowPrefix);
    for (const c of this.table.primaryKey) b.value(values[c] as SqlValue);
    return b.finish();
  }

  /** True when the row's entry in `index` is keyed by the indexed values alone (see key-format.ts). */
  private keyedByValues(index: IndexDef, values: readonly SqlValue[]): boolean {
    if (!index.valueKeyed) return false;
    for (const c of index.columns) if (values[c] === null) return false;
    return true;
  }

  /** The key of a row's entry in `index`: the indexed values, then the primary key unless the entry is value-keyed. */
  entryKey(index: IndexDef, values: readonly SqlValue[]): string {
    const b = this.keys.start(index.entryPrefix);
    for (const c of index.columns) b.value(values[c] as SqlValue);
    if (!this.keyedByValues(index, values)) for (const c of this.table.primaryKey) b.value(values[c] as SqlValue);
    return b.finish();
  }

  /** The value of a row's entry in `index`: the primary key tuple of `rowKey` for a value-keyed entry, else empty. */
  private entryValue(index: IndexDef, values: readonly SqlValue[], rowKey: string): Uint8Array {
    if (!this.keyedByValues(index, values)) return emptyValue;
    const from = this.table.rowPrefix.length;
    const length = rowKey.length - from;
    if (length > this.pkScratch.length) this.pkScratch = new Uint8Array(Math.max(length, this.pkScratch.length * 2));
    const out = this.pkScratch;
    for (let i = 0; i < length; i++) out[i] = rowKey.charCodeAt(from + i);
    // The store copies the value: the scratch may be reused at once.
    return out.subarray(0, length);
  }

  /** The row key an index entry points to: from the entry's value when it holds the primary key, else from the key's tail. */
  rowKeyOfEntry(index: IndexDef, entryKey: string, value: Uint8Array | undefined): string {
    if (value !== undefined && value.length > 0) return this.keys.start(this.table.rowPrefix).appendBytes(value, 0, value.length).finish();
    let at = index.entryPrefix.length;
    for (let i = 0; i < index.columns.length; i++) at = skipElement(entryKey, at);
    return this.table.rowPrefix + entryKey.slice(at);
  }

  /** Throws CONSTRAINT when a NOT NULL column (or a primary-key column) is NULL. */
  checkNotNull(values: readonly SqlValue[]): void {
    const columns = this.notNullColumns;
    for (let i = 0; i < columns.length; i++) {
      const c = columns[i] as number;
      if (values[c] === null) throw new FairdbError('CONSTRAINT', `NOT NULL constraint failed: ${this.table.name}.${(this.table.columns[c] as ColumnDef).name}`);
    }
  }

  /**
   * The first PRIMARY KEY or UNIQUE constraint the row would violate,
   * ignoring the row stored under `selfKey` (the row being updated).
   * `knownNew`: the caller knows no row has this primary key (a fresh rowid).
   */
  findConflict(reader: RawReader, values: readonly SqlValue[], selfKey: string | undefined, knownNew = false): Conflict | undefined {
    if (!knownNew) {
      const key = this.rowKey(values);
      if (key !== selfKey && reader.getRaw(key) !== undefined) return { kind: 'primary', rowKey: key };
    }
    for (const index of this.indexes) {
      if (!index.unique) continue;
      // NULLs are distinct from each other in UNIQUE constraints (SQL, SQLite).
      let hasNull = false;
      for (const c of index.columns) if (values[c] === null) hasNull = true;
      if (hasNull) continue;
      const b = this.keys.start(index.entryPrefix);
      for (const c of index.columns) b.value(values[c] as SqlValue);
      const prefix = b.finish();
      if (index.valueKeyed) {
        // One point read: the entry of these values, if any, names its row.
        const found = reader.getRaw(prefix);
        if (found === undefined) continue;
        const rowKey = this.rowKeyOfEntry(index, prefix, found);
        if (rowKey !== selfKey) return { kind: 'unique', index, rowKey };
        continue;
      }
      let conflict: string | undefined;
      reader.scanRaw({ start: prefix, end: prefix + keyEnd, limit: 2 }, (entry) => {
        const rowKey = this.rowKeyOfEntry(index, entry, undefined);
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
    writer.putRaw(key, this.encoder.encode(values));
    this.insertEntries(writer, values, key);
    return key;
  }

  /** Writes the index entries of a row stored under `rowKey` (a new row, or an existing one when building a new index). */
  insertEntries(writer: RawWriter, values: readonly SqlValue[], rowKey: string): void {
    for (const index of this.indexes) {
      const entry = this.entryKey(index, values);
      writer.putRaw(entry, this.entryValue(index, values, rowKey));
    }
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
      // A value-keyed entry holds the primary key: it changes with the row key too.
      if (oldEntry !== newEntry || (newKey !== oldKey && this.keyedByValues(index, newValues))) changes.push({ index, oldEntry, newEntry });
    }
    const encoded = this.encoder.encode(newValues);
    if (newKey !== oldKey) writer.delRaw(oldKey);
    writer.putRaw(newKey, encoded);
    for (const c of changes) {
      if (c.oldEntry !== c.newEntry) writer.delRaw(c.oldEntry);
      writer.putRaw(c.newEntry, this.entryValue(c.index, newValues, newKey));
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
