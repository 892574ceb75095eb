/**
 * INSERT, UPDATE and DELETE. Each statement first reads everything it will
 * change (the rows of INSERT ... SELECT, the target rows of UPDATE and
 * DELETE) and only then writes, so it never sees its own writes while
 * reading — the "Halloween problem" cannot occur — and its constraint checks
 * do see them (through the statement overlay inside a transaction).
 */
import { FairdbError } from '../storage/device/index.js';
import type { RawWriter } from '../storage/kv/index.js';
import type { BoundDelete, BoundExpr, BoundInsert, BoundSource, BoundUpdate } from './bound.js';
import type { TableDef } from './catalog.js';
import { ExprCompiler, type CompileScope, type Getter, type Predicate } from './compile-expr.js';
import type { EngineCore, WriteTracker } from './engine-core.js';
import type { StatementCompiler } from './executor.js';
import type { Planner } from './planner.js';
import type { ValueType } from './sql-type.js';
import { coerceToColumn, TableWriter } from './table-writer.js';
import type { SqlValue } from './value.js';

export interface RunResult {
  changes: number;
  lastInsertRowid: number;
}

export interface DmlStatement {
  /** Executes once the caller has bound parameters into the compiler's state. */
  run(engine: EngineCore): RunResult;
}

const emptyScope: CompileScope = { column: () => undefined, aggregate: () => undefined, groupKey: () => undefined, output: () => undefined, parent: undefined };

/** A scope reading the columns of `source` from `holder.row` (a stored row). */
function rowScope(source: BoundSource, holder: { row: SqlValue[] }, parent: CompileScope | undefined): CompileScope {
  return {
    column: (s, column) => {
      if (s.id !== source.id) return undefined;
      const stored = (s.columns[column] as { stored: number }).stored;
      return () => holder.row[stored] as SqlValue;
    },
    aggregate: () => undefined,
    groupKey: () => undefined,
    output: () => undefined,
    parent,
  };
}

/**
 * Fills the rowid of a new row (INTEGER PRIMARY KEY left NULL, or the
 * hidden rowid). Returns it, negated minus one when it was generated here:
 * a generated rowid is above every stored one, so no row can have it.
 */
function assignRowid(engine: EngineCore, table: TableDef, writer: RawWriter, values: SqlValue[]): number | undefined {
  if (table.rowid === 'none') return undefined;
  const at = table.primaryKey[0] as number;
  let rowid = values[at];
  let generated = false;
  if (rowid === null || rowid === undefined) {
    rowid = engine.nextRowid(table, writer);
    values[at] = rowid;
    generated = true;
  }
  engine.noteRowid(table, rowid as number);
  return generated ? -(rowid as number) - 1 : (rowid as number);
}

export function compileInsert(bound: BoundInsert, compiler: StatementCompiler, planner: Planner): DmlStatement {
  const table = bound.table;
  const writer = new TableWriter(table, compiler.host.catalog.indexesOf(table.id));
  const exprs = new ExprCompiler(compiler, emptyScope);
  // Each source row as getters with the static types of its values.
  let source: { rows: () => { values: SqlValue[]; types: readonly ValueType[] }[] };
  if (bound.rows !== undefined) {
    const rows = bound.rows.map((row) => ({ getters: row.map((e) => exprs.value(e)), types: row.map((e) => e.type) }));
    if (rows.length === 1) {
      // One row (the prepared single-row INSERT): reuse its holder.
      const only = rows[0] as { getters: Getter[]; types: ValueType[] };
      const holder = { values: new Array<SqlValue>(only.getters.length).fill(null), types: only.types };
      const list = [holder];
      source = {
        rows: () => {
          for (let i = 0; i < only.getters.length; i++) holder.values[i] = (only.getters[i] as Getter)();
          return list;
        },
      };
    } else {
      source = { rows: () => rows.map((r) => ({ values: r.getters.map((g) => g()), types: r.types })) };
    }
  } else {
    const runner = compiler.query(planner.query(bound.select as NonNullable<BoundInsert['select']>), emptyScope);
    const types = bound.sourceTypes;
    source = {
      rows: () => {
        const out: { values: SqlValue[]; types: readonly ValueType[] }[] = [];
        runner.run(() => {
          out.push({ values: runner.getters.map((g) => g()), types });
        });
        return out;
      },
    };
  }
  const width = table.storedTypes.length;
  const scratchValues: SqlValue[] = new Array<SqlValue>(width).fill(null);
  const conflict = bound.onConflict;
  let upsert: { set: { column: number; value: Getter; type: ValueType }[]; where: Predicate | undefined; existing: { row: SqlValue[] }; excluded: { row: SqlValue[] } } | undefined;
  if (conflict !== undefined && conflict.action === 'update') {
    const existing = { row: [] as SqlValue[] };
    const excluded = { row: [] as SqlValue[] };
    const scope = rowScope(conflict.existing, existing, rowScope(conflict.excluded, excluded, undefined));
    const c = new ExprCompiler(compiler, scope);
    upsert = {
      set: conflict.set.map((a) => ({ column: a.column, value: c.value(a.value), type: a.value.type })),
      where: conflict.where === undefined ? undefined : c.isTrue(conflict.where),
      existing,
      excluded,
    };
  }
  const singleRow = bound.rows !== undefined && bound.rows.length === 1 && upsert === undefined;
  // The engine and rows of the running execution (a statement never runs
  // re-entrantly: it is busy meanwhile), so that one closure serves every execution.
  let pendingEngine: EngineCore | undefined;
  const noRows: { values: SqlValue[]; types: readonly ValueType[] }[] = [];
  let pendingRows = noRows;
  function writeRows(w: RawWriter, tracker: WriteTracker): RunResult {
    const engine = pendingEngine as EngineCore;
    const rows = pendingRows;
    let changes = 0;
    let lastRowid = engine.lastInsertRowid;
    for (const row of rows) {
      // One array for every row: nothing below keeps it past the row.
      const values = scratchValues;
      values[width - 1] = null;
      for (let i = 0; i < table.columns.length; i++) {
        const column = table.columns[i] as TableDef['columns'][number];
        const m = bound.columnMap[i] as number;
        values[i] = m >= 0 ? coerceToColumn(column, row.values[m] as SqlValue, row.types[m] as ValueType) : column.defaultValue;
      }
      const assigned = assignRowid(engine, table, w, values);
      const generated = assigned !== undefined && assigned < 0;
      const rowid = assigned === undefined ? undefined : generated ? -assigned - 1 : assigned;
      writer.checkNotNull(values);
      const found = writer.findConflict(w, values, undefined, generated);
      if (found !== undefined) {
        const applies =
          conflict !== undefined &&
          (conflict.target === undefined ||
            (conflict.target.kind === 'primary' && found.kind === 'primary') ||
            (conflict.target.kind === 'unique' && found.kind === 'unique' && found.index.id === conflict.target.index.id));
        if (!applies) throw writer.conflictError(found);
        if (conflict.action === 'nothing' || upsert === undefined) continue;
        const old = writer.read(w, found.rowKey);
        if (old === undefined) throw new FairdbError('CORRUPTION', `index of table ${table.name} names a missing row`);
        upsert.existing.row = old;
        upsert.excluded.row = values;
        if (upsert.where !== undefined && !upsert.where()) continue;
        const next = old.slice();
        for (const a of upsert.set) next[a.column] = coerceToColumn(table.columns[a.column] as TableDef['columns'][number], a.value(), a.type);
        writer.checkNotNull(next);
        const again = writer.findConflict(w, next, found.rowKey);
        if (again !== undefined) throw writer.conflictError(again);
        writer.update(w, found.rowKey, old, next);
        if (table.rowid === 'column') engine.noteRowid(table, next[table.primaryKey[0] as number] as number);
        tracker.wrote(table.id, 0);
        changes++;
        continue;
      }
      writer.insert(w, values);
      tracker.wrote(table.id, 1);
      changes++;
      if (rowid !== undefined) lastRowid = rowid;
    }
    engine.lastInsertRowid = lastRowid;
    return { changes, lastInsertRowid: lastRowid };
  }
  return {
    run(engine) {
      // Read first (INSERT ... SELECT may read the target table).
      pendingRows = source.rows();
      pendingEngine = engine;
      try {
        return engine.write(writeRows, !singleRow);
      } finally {
        pendingEngine = undefined;
        pendingRows = noRows;
      }
    },
  };
}

/** Compiles the read of the target rows of UPDATE/DELETE: every stored column of each row. */
function targetReader(source: BoundSource, where: BoundExpr | undefined, compiler: StatementCompiler, planner: Planner): () => SqlValue[][] {
  const table = source.table as TableDef;
  const node = compiler.node(planner.target(source, where), emptyScope);
  const getters: Getter[] = [];
  for (let stored = 0; stored < table.storedTypes.length; stored++) {
    const column = source.columns.findIndex((c) => c.stored === stored);
    const g = node.scope.column(source, column);
    if (g === undefined) throw new FairdbError('CORRUPTION', `column ${stored} of ${table.name} is not readable`);
    getters.push(g);
  }
  return () => {
    const rows: SqlValue[][] = [];
    node.run(() => {
      rows.push(getters.map((g) => g()));
      return true;
    });
    return rows;
  };
}

export function compileUpdate(bound: BoundUpdate, compiler: StatementCompiler, planner: Planner): DmlStatement {
  const table = bound.table;
  const writer = new TableWriter(table, compiler.host.catalog.indexesOf(table.id));
  const read = targetReader(bound.source, bound.where, compiler, planner);
  const holder = { row: [] as SqlValue[] };
  const c = new ExprCompiler(compiler, rowScope(bound.source, holder, undefined));
  const set = bound.set.map((a) => ({ column: a.column, value: c.value(a.value), type: a.value.type }));
  return {
    run(engine) {
      const rows = read();
      return engine.write((w, tracker) => {
        let changes = 0;
        for (const old of rows) {
          holder.row = old;
          const next = old.slice();
          for (const a of set) next[a.column] = coerceToColumn(table.columns[a.column] as TableDef['columns'][number], a.value(), a.type);
          writer.checkNotNull(next);
          const oldKey = writer.rowKey(old);
          const found = writer.findConflict(w, next, oldKey);
          if (found !== undefined) throw writer.conflictError(found);
          writer.update(w, oldKey, old, next);
          if (table.rowid === 'column') engine.noteRowid(table, next[table.primaryKey[0] as number] as number);
          tracker.wrote(table.id, 0);
          changes++;
        }
        return { changes, lastInsertRowid: engine.lastInsertRowid };
      }, rows.length > 1);
    },
  };
}

export function compileDelete(bound: BoundDelete, compiler: StatementCompiler, planner: Planner): DmlStatement {
  const table = bound.table;
  const writer = new TableWriter(table, compiler.host.catalog.indexesOf(table.id));
  const read = targetReader(bound.source, bound.where, compiler, planner);
  return {
    run(engine) {
      const rows = read();
      return engine.write((w, tracker) => {
        for (const old of rows) writer.delete(w, writer.rowKey(old), old);
        if (rows.length > 0) tracker.wrote(table.id, -rows.length);
        return { changes: rows.length, lastInsertRowid: engine.lastInsertRowid };
      }, rows.length > 1);
    },
  };
}
