/**
 * The catalog: tables, their columns and indexes, id allocation and row
 * count statistics — held in memory for planning and stored under the
 * engine's key prefix so that a new engine over the same store (reopen,
 * crash recovery) sees every table.
 *
 * Records (keys in key-format.ts). Each value is a header and a UTF-8 JSON
 * body; integers little-endian:
 *
 *   OFFSET  SIZE  FIELD
 *   0       4     magic: 'FQCH' catalog header, 'FQTB' table, 'FQIX' index,
 *                 'FQST' table statistics
 *   4       1     record version (catalogRecordVersion = 1)
 *   5       ...   JSON body:
 *                   header: { nextId }
 *                   table:  { id, name, sql, columns: [{ name, type, notNull,
 *                             default }], primaryKey: [column indexes],
 *                             rowid: 'hidden' | 'column' | 'none' }
 *                   index:  { id, name, tableId, sql, columns: [column
 *                             indexes], unique, constraint, valueKeyed? }
 *                           (valueKeyed: true for UNIQUE indexes created by
 *                           this version, whose entries are keyed by the
 *                           indexed values alone, see key-format.ts; absent
 *                           or false: the primary key ends every entry key)
 *                   stats:  { rowCount }
 *
 * A record is valid iff its magic and version match and its body parses to
 * an object of the documented shape with ids, names and column references
 * in range; anything else is CORRUPTION when the catalog loads.
 *
 * Names are matched case-insensitively for ASCII letters, as in SQLite;
 * maps are keyed by the folded name (Map, so `__proto__` is an ordinary name).
 */
import { CorruptionError, FairdbError } from '../storage/device/index.js';
import type { RawReader, RawWriter } from '../storage/kv/index.js';
import { keyEnd, keySpace, readU32Key, u32Key } from './key-format.js';
import { rowLayout, type RowLayout } from './row-format.js';
import { isColumnType, type ColumnType } from './sql-type.js';
import type { SqlValue } from './value.js';

export const catalogRecordVersion = 1;

/** Most columns in one table (SQLite's default SQLITE_MAX_COLUMN). */
export const tableColumnsMax = 2000;

/** Most columns in one index or primary key. */
export const indexColumnsMax = 64;

/** Largest table or index id; ids are never reused. */
export const catalogIdMax = 0xffff_fffe;

const magic = {
  header: 'FQCH',
  table: 'FQTB',
  index: 'FQIX',
  stats: 'FQST',
} as const;

export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  readonly notNull: boolean;
  /** The DEFAULT value, already converted to the column type; null when none. */
  readonly defaultValue: SqlValue;
}

/**
 * How a table identifies rows:
 * - `column`: a single INTEGER PRIMARY KEY column, which is the rowid
 *   (NULL inserts the next rowid, as in SQLite);
 * - `hidden`: no primary key; a hidden INTEGER rowid column is appended to
 *   the stored row and readable as `rowid`, `_rowid_` or `oid`;
 * - `none`: a primary key of other types or several columns.
 */
export type RowidKind = 'column' | 'hidden' | 'none';

export interface TableDef {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
  readonly columns: readonly ColumnDef[];
  /** Column indexes of the primary key, in key order; for `hidden` the hidden column. */
  readonly primaryKey: readonly number[];
  readonly rowid: RowidKind;
  /** Column types as stored (user columns, then the hidden rowid if any). */
  readonly storedTypes: readonly ColumnType[];
  readonly layout: RowLayout;
  /** Binary-string prefix of every row key: keyPrefix | 0x10 | id. */
  readonly rowPrefix: string;
  /** Lower-cased column name → column index (user columns only). */
  readonly columnIndex: ReadonlyMap<string, number>;
}

export interface IndexDef {
  readonly id: number;
  readonly name: string;
  readonly tableId: number;
  readonly sql: string;
  readonly columns: readonly number[];
  readonly unique: boolean;
  /** True for the index behind a UNIQUE constraint of CREATE TABLE. */
  readonly constraint: boolean;
  /**
   * Entry layout of a UNIQUE index (see key-format.ts): true when an entry
   * whose indexed values are all non-NULL is keyed by those values alone,
   * with the primary key tuple as its value, so that a uniqueness check or
   * an equality lookup is one point read. False for non-unique indexes and
   * for unique indexes created before this layout existed (their entry keys
   * end with the primary key, and a uniqueness check scans a key range).
   */
  readonly valueKeyed: boolean;
  /** Binary-string prefix of every entry key: keyPrefix | 0x11 | id. */
  readonly entryPrefix: string;
}

/** Folds ASCII letters to lower case, as SQLite compares identifiers. */
export function foldName(name: string): string {
  return name.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

export function hiddenRowidNames(): readonly string[] {
  return ['rowid', '_rowid_', 'oid'];
}

export class Catalog {
  private tablesByName = new Map<string, TableDef>();
  private tablesById = new Map<number, TableDef>();
  private indexesByName = new Map<string, IndexDef>();
  private indexesByTable = new Map<number, IndexDef[]>();
  private stats = new Map<number, { rowCount: number; persisted: number }>();
  private nextId = 1;
  /**
   * Increases on every schema change, on reload, and when a table's row
   * count changes size class (a factor of four); prepared statements plan
   * again when it moves.
   */
  version = 0;

  constructor(private readonly prefix: string) {}

  // -------------------------------------------------------------------------
  // Reading
  // -------------------------------------------------------------------------

  table(name: string): TableDef | undefined {
    return this.tablesByName.get(foldName(name));
  }

  tableById(id: number): TableDef | undefined {
    return this.tablesById.get(id);
  }

  index(name: string): IndexDef | undefined {
    return this.indexesByName.get(foldName(name));
  }

  indexesOf(tableId: number): readonly IndexDef[] {
    return this.indexesByTable.get(tableId) ?? [];
  }

  allTables(): readonly TableDef[] {
    return [...this.tablesById.values()].sort((a, b) => a.id - b.id);
  }

  /** Approximate number of rows (exact within this engine's lifetime unless another engine wrote the store). */
  rowCount(tableId: number): number {
    return this.stats.get(tableId)?.rowCount ?? 0;
  }

  // -------------------------------------------------------------------------
  // Keys
  // -------------------------------------------------------------------------

  rowPrefix(tableId: number): string {
    return this.prefix + String.fromCharCode(keySpace.row) + u32Key(tableId);
  }

  entryPrefix(indexId: number): string {
    return this.prefix + String.fromCharCode(keySpace.indexEntry) + u32Key(indexId);
  }

  private recordKey(space: number, id: number): string {
    return this.prefix + String.fromCharCode(space) + u32Key(id);
  }

  private headerKey(): string {
    return this.prefix + String.fromCharCode(keySpace.catalogHeader);
  }

  // -------------------------------------------------------------------------
  // Loading
  // -------------------------------------------------------------------------

  /** Replaces the in-memory catalog with the one stored in `reader`. */
  load(reader: RawReader): void {
    this.tablesByName = new Map();
    this.tablesById = new Map();
    this.indexesByName = new Map();
    this.indexesByTable = new Map();
    this.stats = new Map();
    this.nextId = 1;
    const header = reader.getRaw(this.headerKey());
    if (header !== undefined) {
      const body = readRecord(header, magic.header, 'catalog header');
      const nextId = body['nextId'];
      if (!isId(nextId) && nextId !== catalogIdMax + 1) throw corrupt('catalog header', 'bad nextId');
      this.nextId = nextId as number;
    }
    const tableSpace = this.prefix + String.fromCharCode(keySpace.tableRecord);
    reader.scanRaw({ start: tableSpace, end: tableSpace + keyEnd }, (key, buffer, offset, length) => {
      const id = readU32Key(key, tableSpace.length);
      const table = this.parseTable(id, readRecord(buffer.subarray(offset, offset + length), magic.table, `table record ${id}`));
      this.addTable(table);
    });
    const indexSpace = this.prefix + String.fromCharCode(keySpace.indexRecord);
    reader.scanRaw({ start: indexSpace, end: indexSpace + keyEnd }, (key, buffer, offset, length) => {
      const id = readU32Key(key, indexSpace.length);
      this.addIndex(this.parseIndex(id, readRecord(buffer.subarray(offset, offset + length), magic.index, `index record ${id}`)));
    });
    const statsSpace = this.prefix + String.fromCharCode(keySpace.tableStats);
    reader.scanRaw({ start: statsSpace, end: statsSpace + keyEnd }, (key, buffer, offset, length) => {
      const id = readU32Key(key, statsSpace.length);
      const body = readRecord(buffer.subarray(offset, offset + length), magic.stats, `statistics of table ${id}`);
      const rowCount = body['rowCount'];
      if (typeof rowCount !== 'number' || !Number.isSafeInteger(rowCount) || rowCount < 0) throw corrupt(`statistics of table ${id}`, 'bad rowCount');
      if (this.tablesById.has(id)) this.stats.set(id, { rowCount, persisted: rowCount });
    });
    for (const id of this.tablesById.keys()) {
      if (id >= this.nextId) throw corrupt('catalog header', `table id ${id} is not below nextId ${this.nextId}`);
    }
    this.version++;
  }

  private parseTable(id: number, body: Record<string, unknown>): TableDef {
    const where = `table record ${id}`;
    if (body['id'] !== id) throw corrupt(where, 'id does not match its key');
    const name = body['name'];
    const sql = body['sql'];
    const columnsRaw = body['columns'];
    const pkRaw = body['primaryKey'];
    const rowid = body['rowid'];
    if (typeof name !== 'string' || name.length === 0) throw corrupt(where, 'bad name');
    if (typeof sql !== 'string') throw corrupt(where, 'bad sql');
    if (!Array.isArray(columnsRaw) || columnsRaw.length === 0 || columnsRaw.length > tableColumnsMax) throw corrupt(where, 'bad columns');
    if (rowid !== 'column' && rowid !== 'hidden' && rowid !== 'none') throw corrupt(where, 'bad rowid kind');
    const columns: ColumnDef[] = columnsRaw.map((c: unknown, i: number) => {
      if (typeof c !== 'object' || c === null) throw corrupt(where, `bad column ${i}`);
      const r = c as Record<string, unknown>;
      if (typeof r['name'] !== 'string' || !isColumnType(r['type']) || typeof r['notNull'] !== 'boolean') throw corrupt(where, `bad column ${i}`);
      return { name: r['name'], type: r['type'], notNull: r['notNull'], defaultValue: decodeStoredValue(r['default'], where) };
    });
    const width = columns.length + (rowid === 'hidden' ? 1 : 0);
    if (!Array.isArray(pkRaw) || pkRaw.length === 0 || pkRaw.length > indexColumnsMax || !pkRaw.every((i) => Number.isInteger(i) && i >= 0 && i < width)) {
      throw corrupt(where, 'bad primary key');
    }
    return this.makeTable(id, name, sql, columns, pkRaw as number[], rowid);
  }

  private parseIndex(id: number, body: Record<string, unknown>): IndexDef {
    const where = `index record ${id}`;
    if (body['id'] !== id) throw corrupt(where, 'id does not match its key');
    const { name, tableId, sql, columns, unique, constraint } = body;
    const valueKeyed = body['valueKeyed'] ?? false;
    if (typeof name !== 'string' || name.length === 0) throw corrupt(where, 'bad name');
    if (typeof sql !== 'string' || typeof unique !== 'boolean' || typeof constraint !== 'boolean') throw corrupt(where, 'bad fields');
    if (typeof valueKeyed !== 'boolean' || (valueKeyed && !unique)) throw corrupt(where, 'bad valueKeyed');
    const table = typeof tableId === 'number' ? this.tablesById.get(tableId) : undefined;
    if (table === undefined) throw corrupt(where, `unknown table ${String(tableId)}`);
    if (!Array.isArray(columns) || columns.length === 0 || columns.length > indexColumnsMax || !columns.every((i) => Number.isInteger(i) && i >= 0 && i < table.columns.length)) {
      throw corrupt(where, 'bad columns');
    }
    return { id, name, tableId: table.id, sql, columns: columns as number[], unique, constraint, valueKeyed, entryPrefix: this.entryPrefix(id) };
  }

  makeTable(id: number, name: string, sql: string, columns: readonly ColumnDef[], primaryKey: readonly number[], rowid: RowidKind): TableDef {
    const storedTypes = columns.map((c) => c.type);
    if (rowid === 'hidden') storedTypes.push('INTEGER');
    const columnIndex = new Map<string, number>();
    columns.forEach((c, i) => columnIndex.set(foldName(c.name), i));
    return { id, name, sql, columns, primaryKey, rowid, storedTypes, layout: rowLayout(storedTypes), rowPrefix: this.rowPrefix(id), columnIndex };
  }

  private addTable(table: TableDef): void {
    const key = foldName(table.name);
    if (this.tablesByName.has(key)) throw corrupt(`table record ${table.id}`, `duplicate table name ${table.name}`);
    this.tablesByName.set(key, table);
    this.tablesById.set(table.id, table);
  }

  private addIndex(index: IndexDef): void {
    const key = foldName(index.name);
    if (this.indexesByName.has(key)) throw corrupt(`index record ${index.id}`, `duplicate index name ${index.name}`);
    this.indexesByName.set(key, index);
    const list = this.indexesByTable.get(index.tableId) ?? [];
    list.push(index);
    list.sort((a, b) => a.id - b.id);
    this.indexesByTable.set(index.tableId, list);
  }

  // -------------------------------------------------------------------------
  // Changing (always inside the caller's write transaction)
  // -------------------------------------------------------------------------

  allocateId(writer: RawWriter): number {
    if (this.nextId > catalogIdMax) throw new FairdbError('LIMIT', `table and index ids are exhausted (${catalogIdMax})`);
    const id = this.nextId++;
    writer.putRaw(this.headerKey(), writeRecord(magic.header, { nextId: this.nextId }));
    return id;
  }

  createTable(writer: RawWriter, table: TableDef): void {
    writer.putRaw(this.recordKey(keySpace.tableRecord, table.id), writeRecord(magic.table, tableBody(table)));
    writer.putRaw(this.recordKey(keySpace.tableStats, table.id), writeRecord(magic.stats, { rowCount: 0 }));
    this.addTable(table);
    this.stats.set(table.id, { rowCount: 0, persisted: 0 });
    this.version++;
  }

  createIndex(writer: RawWriter, index: IndexDef): void {
    writer.putRaw(this.recordKey(keySpace.indexRecord, index.id), writeRecord(magic.index, indexBody(index)));
    this.addIndex(index);
    this.version++;
  }

  /** Removes the table's catalog records and its indexes' records (not its rows). */
  dropTable(writer: RawWriter, table: TableDef): void {
    for (const index of this.indexesOf(table.id)) this.dropIndexRecord(writer, index);
    writer.delRaw(this.recordKey(keySpace.tableRecord, table.id));
    writer.delRaw(this.recordKey(keySpace.tableStats, table.id));
    this.tablesByName.delete(foldName(table.name));
    this.tablesById.delete(table.id);
    this.indexesByTable.delete(table.id);
    this.stats.delete(table.id);
    this.version++;
  }

  dropIndex(writer: RawWriter, index: IndexDef): void {
    this.dropIndexRecord(writer, index);
    this.version++;
  }

  private dropIndexRecord(writer: RawWriter, index: IndexDef): void {
    writer.delRaw(this.recordKey(keySpace.indexRecord, index.id));
    this.indexesByName.delete(foldName(index.name));
    const list = (this.indexesByTable.get(index.tableId) ?? []).filter((i) => i.id !== index.id);
    this.indexesByTable.set(index.tableId, list);
  }

  /**
   * Applies a committed change in a table's row count. The count is
   * persisted (inside `writer`, the committing transaction) only when it has
   * drifted by more than 1/8 from the stored value or by more than 64 rows
   * for small tables, so most writes add no catalog write; after a crash the
   * stored count is approximate, which is all the planner needs.
   */
  adjustRowCount(writer: RawWriter, tableId: number, delta: number): void {
    const s = this.stats.get(tableId);
    if (s === undefined || delta === 0) return;
    const before = sizeClass(s.rowCount);
    s.rowCount = Math.max(0, s.rowCount + delta);
    // Plans depend on row counts: when a table's size changes by a factor
    // of about four, prepared statements plan again (see `version`).
    if (sizeClass(s.rowCount) !== before) this.version++;
    const drift = Math.abs(s.rowCount - s.persisted);
    if (drift > 64 || drift * 8 > s.persisted) {
      writer.putRaw(this.recordKey(keySpace.tableStats, tableId), writeRecord(magic.stats, { rowCount: s.rowCount }));
      s.persisted = s.rowCount;
    }
  }

  /** Sets a table's row count after a statement that counted it exactly (CREATE INDEX, DROP). */
  setRowCount(writer: RawWriter, tableId: number, rowCount: number): void {
    const s = this.stats.get(tableId);
    if (s === undefined) return;
    s.rowCount = rowCount;
    s.persisted = rowCount;
    writer.putRaw(this.recordKey(keySpace.tableStats, tableId), writeRecord(magic.stats, { rowCount }));
  }
}

/** Size classes of row counts, a factor of four apart (0 below 16 rows). */
function sizeClass(rows: number): number {
  return rows < 16 ? 0 : Math.floor(Math.log2(rows) / 2);
}

function isId(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= catalogIdMax;
}

function corrupt(where: string, message: string): CorruptionError {
  return new CorruptionError(`SQL catalog (${where})`, 0, message);
}

function tableBody(table: TableDef): Record<string, unknown> {
  return {
    id: table.id,
    name: table.name,
    sql: table.sql,
    columns: table.columns.map((c) => ({ name: c.name, type: c.type, notNull: c.notNull, default: encodeStoredValue(c.defaultValue) })),
    primaryKey: table.primaryKey,
    rowid: table.rowid,
  };
}

function indexBody(index: IndexDef): Record<string, unknown> {
  const body: Record<string, unknown> = { id: index.id, name: index.name, tableId: index.tableId, sql: index.sql, columns: index.columns, unique: index.unique, constraint: index.constraint };
  // Written only when true, so that records of the older layout read back as they were.
  if (index.valueKeyed) body['valueKeyed'] = true;
  return body;
}

/** A value in a JSON body: null, { n: number }, { t: text }, { b: hex }. */
function encodeStoredValue(v: SqlValue): unknown {
  if (v === null) return null;
  if (typeof v === 'number') return { n: Number.isFinite(v) ? v : String(v) };
  if (typeof v === 'string') return { t: v };
  return { b: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex') };
}

function decodeStoredValue(raw: unknown, where: string): SqlValue {
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== 'object') throw corrupt(where, 'bad default value');
  const r = raw as Record<string, unknown>;
  if (Object.hasOwn(r, 'n')) {
    const n = r['n'];
    if (typeof n === 'number') return n;
    if (n === 'Infinity') return Infinity;
    if (n === '-Infinity') return -Infinity;
  }
  if (Object.hasOwn(r, 't') && typeof r['t'] === 'string') return r['t'];
  if (Object.hasOwn(r, 'b') && typeof r['b'] === 'string' && /^(?:[0-9a-f]{2})*$/.test(r['b'])) return new Uint8Array(Buffer.from(r['b'], 'hex'));
  throw corrupt(where, 'bad default value');
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function writeRecord(recordMagic: string, body: Record<string, unknown>): Uint8Array {
  const json = encoder.encode(JSON.stringify(body));
  const out = new Uint8Array(5 + json.length);
  for (let i = 0; i < 4; i++) out[i] = recordMagic.charCodeAt(i);
  out[4] = catalogRecordVersion;
  out.set(json, 5);
  return out;
}

function readRecord(bytes: Uint8Array, recordMagic: string, where: string): Record<string, unknown> {
  if (bytes.length < 5) throw corrupt(where, 'record is shorter than its header');
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== recordMagic.charCodeAt(i)) throw corrupt(where, `bad magic, expected ${recordMagic}`);
  }
  if (bytes[4] !== catalogRecordVersion) throw corrupt(where, `unsupported record version ${bytes[4]}`);
  let body: unknown;
  try {
    body = JSON.parse(decoder.decode(bytes.subarray(5)));
  } catch {
    throw corrupt(where, 'body is not valid UTF-8 JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw corrupt(where, 'body is not an object');
  // Copy into a null-prototype object so that names like __proto__ in a
  // damaged record cannot reach Object.prototype.
  return Object.assign(Object.create(null) as Record<string, unknown>, body);
}
