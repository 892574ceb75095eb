/**
 * Prepared statements, with better-sqlite3's interface: parsed once, bound
 * and planned on first use and again only when the schema changes (like
 * SQLite's automatic re-prepare), compiled once per columnar variant.
 */
import { FairdbError } from '../storage/device/index.js';
import type * as A from './ast.js';
import type { ParamInfo } from './binder.js';
import type { BoundQuery } from './bound.js';
import { outputConverter, type CompileScope, type ExecState, type Getter, type QueryRunner } from './compile-expr.js';
import type { DmlStatement, RunResult } from './dml.js';
import type { EngineCore } from './engine-core.js';
import type { StatementCompiler } from './executor.js';
import { bindParams } from './params.js';
import type { QueryPlan } from './plan.js';
import { declaredTypeName, type ValueType } from './sql-type.js';
import type { SqlValue } from './value.js';

/** A result row: column names (or aliases) to values, in select-list order. */
export type Row = Record<string, unknown>;

export interface Statement {
  /** Every result row (arrays in raw mode). */
  all(...params: unknown[]): Row[];
  /** The first result row, or undefined. */
  get(...params: unknown[]): Row | undefined;
  /** Executes the statement; `changes` counts rows inserted, updated or deleted. */
  run(...params: unknown[]): { changes: number; lastInsertRowid: number };
  /**
   * The result rows one by one. The result is computed when iteration
   * starts (in one consistent view) and then handed out; the statement is
   * busy until the iterator finishes or is returned.
   */
  iterate(...params: unknown[]): IterableIterator<Row>;
  /** Rows as arrays (`raw()` or `raw(true)`) or objects (`raw(false)`). */
  raw(on?: boolean): this;
  /** Result column names and declared types (null for expressions without one). */
  columns(): { name: string; type: string | null }[];
  /** True when the statement returns rows (SELECT, EXPLAIN). */
  readonly reader: boolean;
  /** The SQL text it was prepared from. */
  readonly source: string;
}

/** One plan of a SELECT and its compilations. */
export interface PlanBundle {
  readonly plan: QueryPlan;
  /** The row-only compilation; its slots list the reads the columnar cache may serve. */
  readonly base: StatementCompiler;
  /** Compilations by the set of slots the columnar cache serves (a bit mask). */
  readonly variants: Map<number, Variant>;
  /** Planned on the assumption that the columnar cache serves its tables: it runs only when the cache serves every slot. */
  readonly columnar: boolean;
}

/** A SELECT, ready to run: its plans and compiled variants. */
export interface PreparedQuery {
  readonly kind: 'query';
  readonly params: ParamInfo;
  readonly state: ExecState;
  readonly bound: BoundQuery;
  readonly columns: readonly { readonly name: string; readonly type: ValueType }[];
  readonly root: CompileScope;
  /**
   * The plan to run when the columnar cache can serve it and, when it
   * differs, the plan for reading the store (inside a transaction that wrote
   * the tables, say); the last one always runs.
   */
  readonly plans: readonly PlanBundle[];
}

export interface Variant {
  readonly runner: QueryRunner;
  readonly object: () => Row;
  readonly array: () => unknown[];
  /** Every row, as objects or arrays (no closure allocated per call). */
  all(raw: boolean): (Row | unknown[])[];
  /** The first row, or undefined. */
  first(raw: boolean): Row | unknown[] | undefined;
}

export type Prepared =
  | PreparedQuery
  | { readonly kind: 'dml'; readonly params: ParamInfo; readonly state: ExecState; readonly dml: DmlStatement }
  | { readonly kind: 'explain'; readonly text: string }
  | { readonly kind: 'direct' };

/** The engine side of a statement (see engine.ts). */
export interface StatementHost {
  readonly schemaVersion: number;
  prepareStatement(ast: A.Statement, sql: string): Prepared;
  /** Runs a statement that is not prepared ahead (DDL, BEGIN/COMMIT/ROLLBACK). */
  runDirect(ast: A.Statement, sql: string): RunResult;
  /** Sets the read view and picks the columnar variant for this execution. */
  beginQuery(prepared: PreparedQuery): Variant;
  beginDml(prepared: { readonly state: ExecState }): void;
  checkUsable(): void;
  readonly core: EngineCore;
  readonly lastInsertRowid: number;
}

export function makeVariant(runner: QueryRunner, columns: readonly { readonly name: string; readonly type: ValueType }[]): Variant {
  const getters = runner.getters;
  const names = columns.map((c) => c.name);
  const converters = columns.map((c) => outputConverter(c.type));
  const n = names.length;
  const unsafe = names.some((name) => name === '__proto__');
  const value = (i: number): unknown => {
    const v = (getters[i] as Getter)();
    const convert = converters[i];
    return convert === undefined ? v : convert(v);
  };
  const object = (): Row => {
    const row: Row = {};
    for (let i = 0; i < n; i++) {
      const name = names[i] as string;
      // `__proto__` must become an own property, not the row's prototype.
      if (unsafe && name === '__proto__') Object.defineProperty(row, name, { value: value(i), enumerable: true, writable: true, configurable: true });
      else row[name] = value(i);
    }
    return row;
  };
  const array = (): unknown[] => {
    const row = new Array<unknown>(n);
    for (let i = 0; i < n; i++) row[i] = value(i);
    return row;
  };
  // Collectors shared by every call, so that a call allocates only its rows.
  let rows: (Row | unknown[])[] = [];
  let found: Row | unknown[] | undefined;
  const pushObject = () => {
    rows.push(object());
  };
  const pushArray = () => {
    rows.push(array());
  };
  const firstObject = () => {
    found = object();
    return false;
  };
  const firstArray = () => {
    found = array();
    return false;
  };
  return {
    runner,
    object,
    array,
    all(raw) {
      const out: (Row | unknown[])[] = [];
      rows = out;
      runner.run(raw ? pushArray : pushObject);
      rows = [];
      return out;
    },
    first(raw) {
      found = undefined;
      runner.run(raw ? firstArray : firstObject);
      const result = found;
      found = undefined;
      return result;
    },
  };
}

export class PreparedStatement implements Statement {
  private prepared: Prepared | undefined;
  private preparedVersion = -1;
  private rawMode = false;
  private busy = false;
  readonly reader: boolean;

  constructor(
    private readonly host: StatementHost,
    readonly source: string,
    private readonly ast: A.Statement,
  ) {
    this.reader = ast.kind === 'Select' || ast.kind === 'Explain';
  }

  private ensure(): Prepared {
    if (this.prepared === undefined || this.preparedVersion !== this.host.schemaVersion) {
      this.prepared = undefined;
      this.prepared = this.host.prepareStatement(this.ast, this.source);
      this.preparedVersion = this.host.schemaVersion;
    }
    return this.prepared;
  }

  private enter(): void {
    this.host.checkUsable();
    if (this.busy) throw new FairdbError('CONFLICT', 'this statement is busy (an iteration of it is still open)');
  }

  /** Runs a reader, handing each row to `onRow`. */
  private query(args: readonly unknown[], onRow: (row: Row | unknown[]) => boolean | void): void {
    this.enter();
    const prepared = this.ensure();
    if (prepared.kind === 'explain') {
      for (const line of prepared.text.split('\n')) if (onRow(this.rawMode ? [line] : { detail: line }) === false) return;
      return;
    }
    if (prepared.kind !== 'query') throw new FairdbError('INVALID_ARGUMENT', 'this statement does not return data; use run() instead');
    this.busy = true;
    try {
      const variant = this.bindAndBegin(prepared, args);
      const make = this.rawMode ? variant.array : variant.object;
      variant.runner.run(() => onRow(make()));
    } finally {
      this.busy = false;
    }
  }

  /** Binds and starts a SELECT (the common path, with no closure per call); undefined for other kinds. */
  private startQuery(args: readonly unknown[]): Variant | undefined {
    this.enter();
    const prepared = this.ensure();
    if (prepared.kind !== 'query') return undefined;
    return this.bindAndBegin(prepared, args);
  }

  /**
   * Binds `args` and picks the variant to run. Building the columnar entries
   * an execution reads measures the column statistics its plan may have
   * asked for and not had; then the statement is planned again at once, so
   * that this execution already runs the plan made with them (and builds
   * what that plan reads) instead of one known to be stale. At most once per
   * call: the new plan's own builds do not trigger a third plan.
   */
  private bindAndBegin(prepared: PreparedQuery, args: readonly unknown[]): Variant {
    bindParams(prepared.params, args, prepared.state.params);
    const variant = this.host.beginQuery(prepared);
    if (this.preparedVersion === this.host.schemaVersion) return variant;
    const again = this.ensure();
    if (again.kind !== 'query') return variant;
    bindParams(again.params, args, again.state.params);
    return this.host.beginQuery(again);
  }

  all(...params: unknown[]): Row[] {
    const variant = this.startQuery(params);
    if (variant === undefined) {
      const rows: Row[] = [];
      this.query(params, (row) => {
        rows.push(row as Row);
      });
      return rows;
    }
    this.busy = true;
    try {
      return variant.all(this.rawMode) as Row[];
    } finally {
      this.busy = false;
    }
  }

  get(...params: unknown[]): Row | undefined {
    const variant = this.startQuery(params);
    if (variant === undefined) {
      let first: Row | undefined;
      this.query(params, (row) => {
        first = row as Row;
        return false;
      });
      return first;
    }
    this.busy = true;
    try {
      return variant.first(this.rawMode) as Row | undefined;
    } finally {
      this.busy = false;
    }
  }

  run(...params: unknown[]): { changes: number; lastInsertRowid: number } {
    this.enter();
    const prepared = this.ensure();
    switch (prepared.kind) {
      case 'direct':
        if (params.length > 0 && !(params.length === 1 && Array.isArray(params[0]) && params[0].length === 0)) {
          throw new FairdbError('INVALID_ARGUMENT', 'this statement takes no parameters');
        }
        return this.host.runDirect(this.ast, this.source);
      case 'dml': {
        bindParams(prepared.params, params, prepared.state.params);
        this.busy = true;
        try {
          this.host.beginDml(prepared);
          const result = prepared.dml.run(this.host.core);
          return { changes: result.changes, lastInsertRowid: result.lastInsertRowid };
        } finally {
          this.busy = false;
        }
      }
      case 'query':
        this.query(params, () => undefined);
        return { changes: 0, lastInsertRowid: this.host.lastInsertRowid };
      case 'explain':
        return { changes: 0, lastInsertRowid: this.host.lastInsertRowid };
    }
  }

  iterate(...params: unknown[]): IterableIterator<Row> {
    const rows = this.all(...params);
    this.busy = true;
    let i = 0;
    const done = () => {
      this.busy = false;
    };
    const iterator: IterableIterator<Row> = {
      next: () => {
        if (i < rows.length) return { value: rows[i++] as Row, done: false };
        done();
        return { value: undefined, done: true };
      },
      return: (value?: unknown) => {
        done();
        i = rows.length;
        return { value: value as Row, done: true };
      },
      [Symbol.iterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  raw(on = true): this {
    if (!this.reader) throw new FairdbError('INVALID_ARGUMENT', 'raw() is only for statements that return data');
    this.rawMode = on;
    return this;
  }

  columns(): { name: string; type: string | null }[] {
    const prepared = this.ensure();
    if (prepared.kind === 'explain') return [{ name: 'detail', type: 'TEXT' }];
    if (prepared.kind !== 'query') throw new FairdbError('INVALID_ARGUMENT', 'columns() is only for statements that return data');
    return prepared.columns.map((c) => ({ name: c.name, type: declaredTypeName(c.type) }));
  }
}

export type { SqlValue };
