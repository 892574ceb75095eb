/**
 * CREATE/DROP TABLE and CREATE/DROP INDEX. Each runs as one write statement:
 * catalog records, rows and index entries change in the same transaction,
 * and a failure (a duplicate found while building a UNIQUE index, say)
 * leaves nothing behind.
 *
 * Deliberate differences from SQLite:
 * - primary-key columns are NOT NULL (SQLite allows NULL in the primary key
 *   of a rowid table, a documented legacy quirk);
 * - only `INTEGER PRIMARY KEY` (that exact type name, ascending, alone) is
 *   the rowid, as in SQLite; other single-column keys are plain keys;
 * - ASC/DESC in key and index definitions is accepted and ignored: keys are
 *   stored ascending, which affects only speed, never results.
 */
import { FairdbError } from '../storage/device/index.js';
import type { RawReader, RawWriter } from '../storage/kv/index.js';
import type * as A from './ast.js';
import type { Binder } from './binder.js';
import { foldName, indexColumnsMax, tableColumnsMax, type ColumnDef, type IndexDef, type RowidKind, type TableDef } from './catalog.js';
import { ExprCompiler, type CompileEnv, type ExecState } from './compile-expr.js';
import type { EngineCore } from './engine-core.js';
import { keyEnd } from './key-format.js';
import { semanticError } from './sql-error.js';
import { coerceToColumn, TableWriter } from './table-writer.js';
import type { SqlValue } from './value.js';

function fail(sql: string, code: 'INVALID_ARGUMENT' | 'UNKNOWN_TABLE' | 'UNKNOWN_COLUMN' | 'LIMIT' | 'CONSTRAINT', problem: string, span: A.Span): never {
  throw semanticError(code, problem, sql, span);
}

/** Evaluates a constant expression (DEFAULT): no table, no parameter, no subquery. */
function constantValue(binder: Binder, e: A.Expr, engine: EngineCore): { value: SqlValue; type: import('./sql-type.js').ValueType } {
  const bound = binder.bindConstant(e);
  const state: ExecState = { epoch: 0, params: [], reader: engine.store };
  const env: CompileEnv = {
    state,
    compileQuery: () => {
      throw new FairdbError('INVALID_ARGUMENT', 'default value of column is not constant');
    },
  };
  const scope = { column: () => undefined, aggregate: () => undefined, groupKey: () => undefined, output: () => undefined, parent: undefined };
  return { value: new ExprCompiler(env, scope).value(bound)(), type: bound.type };
}

function nameTaken(engine: EngineCore, name: string): string | undefined {
  if (engine.catalog.table(name) !== undefined) return 'table';
  if (engine.catalog.index(name) !== undefined) return 'index';
  if (engine.virtualTables.has(foldName(name))) return 'virtual table';
  return undefined;
}

export function createTable(engine: EngineCore, binder: Binder, stmt: A.CreateTable, sql: string): void {
  const name = stmt.name.name;
  const taken = nameTaken(engine, name);
  if (taken !== undefined) {
    if (stmt.ifNotExists && taken === 'table') return;
    fail(sql, 'INVALID_ARGUMENT', `${taken} ${name} already exists`, stmt.name.span);
  }
  if (stmt.columns.length > tableColumnsMax) fail(sql, 'LIMIT', `a table may have at most ${tableColumnsMax} columns`, stmt.span);
  const seen = new Map<string, number>();
  const columns: ColumnDef[] = [];
  stmt.columns.forEach((c, i) => {
    const folded = foldName(c.name.name);
    if (seen.has(folded)) fail(sql, 'INVALID_ARGUMENT', `duplicate column name: ${c.name.name}`, c.name.span);
    seen.set(folded, i);
    let defaultValue: SqlValue = null;
    if (c.default !== undefined) {
      const { value, type } = constantValue(binder, c.default, engine);
      defaultValue = coerceToColumn({ name: c.name.name, type: c.type.type, notNull: false, defaultValue: null }, value, type);
    }
    columns.push({ name: c.name.name, type: c.type.type, notNull: c.notNull, defaultValue });
  });
  const resolve = (id: A.Identifier): number => {
    const i = seen.get(foldName(id.name));
    if (i === undefined) fail(sql, 'UNKNOWN_COLUMN', `no such column: ${id.name}`, id.span);
    return i;
  };
  let primaryKey: number[] | undefined;
  let rowidAlias = false;
  stmt.columns.forEach((c, i) => {
    if (c.primaryKey === undefined) return;
    if (primaryKey !== undefined) fail(sql, 'INVALID_ARGUMENT', `table ${name} has more than one primary key`, c.primaryKey.span);
    primaryKey = [i];
    rowidAlias = c.type.name === 'INTEGER' && !c.primaryKey.descending;
  });
  const uniques: number[][] = [];
  for (const constraint of stmt.constraints) {
    const cols = constraint.columns.map(resolve);
    if (cols.length > indexColumnsMax) fail(sql, 'LIMIT', `a key may have at most ${indexColumnsMax} columns`, constraint.span);
    if (new Set(cols).size !== cols.length) fail(sql, 'INVALID_ARGUMENT', 'a column appears twice in a key', constraint.span);
    if (constraint.kind === 'PrimaryKey') {
      if (primaryKey !== undefined) fail(sql, 'INVALID_ARGUMENT', `table ${name} has more than one primary key`, constraint.span);
      primaryKey = cols;
      rowidAlias = cols.length === 1 && stmt.columns[cols[0] as number]?.type.name === 'INTEGER';
    } else {
      uniques.push(cols);
    }
  }
  stmt.columns.forEach((c, i) => {
    if (c.unique) uniques.push([i]);
  });
  let rowid: RowidKind;
  if (primaryKey === undefined) {
    rowid = 'hidden';
    primaryKey = [columns.length];
  } else {
    rowid = rowidAlias ? 'column' : 'none';
  }
  const pk = primaryKey;
  engine.write((w, tracker) => {
    tracker.ddl = true;
    const id = engine.catalog.allocateId(w);
    const table = engine.catalog.makeTable(id, name, sql.slice(stmt.span.start, stmt.span.end), columns, pk, rowid);
    engine.catalog.createTable(w, table);
    uniques.forEach((cols, i) => {
      // A UNIQUE constraint equal to the primary key adds nothing.
      if (rowid !== 'hidden' && cols.length === pk.length && cols.every((c) => pk.includes(c))) return;
      const indexId = engine.catalog.allocateId(w);
      const index: IndexDef = {
        id: indexId,
        name: `autoindex_${name}_${i + 1}`,
        tableId: id,
        sql: '',
        columns: cols,
        unique: true,
        constraint: true,
        valueKeyed: true,
        entryPrefix: engine.catalog.entryPrefix(indexId),
      };
      engine.catalog.createIndex(w, index);
    });
  }, true);
}

/** Deletes every key in [start, start + 0xFF) (collected first: never write while scanning). */
function deleteRange(w: RawWriter, prefix: string): number {
  const keys: string[] = [];
  w.scanRaw({ start: prefix, end: prefix + keyEnd }, (key) => {
    keys.push(key);
  });
  for (const k of keys) w.delRaw(k);
  return keys.length;
}

export function dropTable(engine: EngineCore, stmt: A.DropTable, sql: string): void {
  const table = engine.catalog.table(stmt.name.name);
  if (table === undefined) {
    if (stmt.ifExists) return;
    if (engine.virtualTables.has(foldName(stmt.name.name))) fail(sql, 'INVALID_ARGUMENT', `table ${stmt.name.name} is a virtual table`, stmt.name.span);
    fail(sql, 'UNKNOWN_TABLE', `no such table: ${stmt.name.name}`, stmt.name.span);
  }
  engine.write((w, tracker) => {
    tracker.ddl = true;
    for (const index of engine.catalog.indexesOf(table.id)) deleteRange(w, index.entryPrefix);
    const rows = deleteRange(w, table.rowPrefix);
    engine.catalog.dropTable(w, table);
    tracker.wrote(table.id, -rows);
  }, true);
}

export function createIndex(engine: EngineCore, stmt: A.CreateIndex, sql: string): void {
  const name = stmt.name.name;
  const taken = nameTaken(engine, name);
  if (taken !== undefined) {
    if (stmt.ifNotExists && taken === 'index') return;
    fail(sql, 'INVALID_ARGUMENT', `${taken} ${name} already exists`, stmt.name.span);
  }
  const table = engine.catalog.table(stmt.table.name);
  if (table === undefined) {
    if (engine.virtualTables.has(foldName(stmt.table.name))) fail(sql, 'INVALID_ARGUMENT', `cannot index the virtual table ${stmt.table.name}`, stmt.table.span);
    fail(sql, 'UNKNOWN_TABLE', `no such table: ${stmt.table.name}`, stmt.table.span);
  }
  if (stmt.columns.length > indexColumnsMax) fail(sql, 'LIMIT', `an index may have at most ${indexColumnsMax} columns`, stmt.span);
  const columns = stmt.columns.map((c) => {
    const i = table.columnIndex.get(foldName(c.name.name));
    if (i === undefined) fail(sql, 'UNKNOWN_COLUMN', `table ${table.name} has no column named ${c.name.name}`, c.name.span);
    return i;
  });
  if (new Set(columns).size !== columns.length) fail(sql, 'INVALID_ARGUMENT', 'a column appears twice in the index', stmt.span);
  engine.write((w, tracker) => {
    tracker.ddl = true;
    const id = engine.catalog.allocateId(w);
    const index: IndexDef = { id, name, tableId: table.id, sql: sql.slice(stmt.span.start, stmt.span.end), columns, unique: stmt.unique, constraint: false, valueKeyed: stmt.unique, entryPrefix: engine.catalog.entryPrefix(id) };
    engine.catalog.createIndex(w, index);
    backfill(w, engine.committedRowsOf(table), table, index);
  }, true);
}

/** Rows whose index entries a CREATE INDEX collects before writing them (bounded memory for any table size). */
export const backfillChunkRows = 4096;

/**
 * Adds the entries of a new index for every existing row, checking
 * uniqueness, decoding only the indexed and primary-key columns. Writing
 * never overlaps a scan: rows are read a chunk at a time from the committed
 * store (bounded memory for any table), or, when the open transaction has
 * written the table itself, in one pass through the transaction first.
 */
function backfill(w: RawWriter, committed: RawReader | undefined, table: TableDef, index: IndexDef): void {
  const writer = new TableWriter(table, [index]);
  const cursor = writer.cursor;
  const needed = [...new Set([...index.columns, ...table.primaryKey])];
  const values: SqlValue[] = new Array<SqlValue>(table.storedTypes.length).fill(null);
  const end = table.rowPrefix + keyEnd;
  // The needed values of a chunk's rows, row after row.
  const chunk: SqlValue[] = [];
  const reader = committed ?? w;
  const limit = committed === undefined ? undefined : backfillChunkRows;
  let start = table.rowPrefix;
  for (;;) {
    chunk.length = 0;
    let rows = 0;
    let last: string | undefined;
    reader.scanRaw(limit === undefined ? { start, end } : { start, end, limit }, (key, buffer, offset, length) => {
      cursor.set(buffer, offset, length);
      for (let i = 0; i < needed.length; i++) chunk.push(cursor.value(needed[i] as number));
      rows++;
      last = key;
    });
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < needed.length; i++) values[needed[i] as number] = chunk[r * needed.length + i] as SqlValue;
      const rowKey = writer.rowKey(values);
      if (index.unique) {
        const conflict = writer.findConflict(w, values, rowKey);
        if (conflict !== undefined && conflict.kind === 'unique') throw writer.conflictError(conflict);
      }
      // Only the index entry is new: write it without rewriting the row.
      writer.insertEntries(w, values, rowKey);
    }
    if (limit === undefined || last === undefined || rows < limit) return;
    // The smallest key after the last one read.
    start = last + '\x00';
  }
}

export function dropIndex(engine: EngineCore, stmt: A.DropIndex, sql: string): void {
  const index = engine.catalog.index(stmt.name.name);
  if (index === undefined) {
    if (stmt.ifExists) return;
    fail(sql, 'UNKNOWN_TABLE', `no such index: ${stmt.name.name}`, stmt.name.span);
  }
  if (index.constraint) fail(sql, 'CONSTRAINT', `index ${index.name} belongs to a UNIQUE constraint and cannot be dropped`, stmt.name.span);
  engine.write((w, tracker) => {
    tracker.ddl = true;
    deleteRange(w, index.entryPrefix);
    engine.catalog.dropIndex(w, index);
  }, true);
}
