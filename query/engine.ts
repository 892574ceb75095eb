/**
 * The SQL engine facade: `createSqlEngine(store)` gives better-sqlite3's
 * interface (exec, prepare, transaction) over any `RawKvStore`.
 *
 * Transactions:
 * - a statement outside a transaction runs in a KV transaction of its own
 *   (`store.transactionSync`), committed when it returns;
 * - `BEGIN` opens `store.begin()`: statements read and write through it, each
 *   through a statement overlay (statement-writer.ts) so a failed statement
 *   leaves the transaction as it was; `COMMIT`/`ROLLBACK` end it;
 * - `transaction(fn)` runs `fn` in one `store.transactionSync`, committing
 *   when it returns and rolling back when it throws; a nested call joins the
 *   enclosing transaction (fairdb has no savepoints: a nested function that
 *   throws does not undo its own writes if the outer function catches the
 *   error).
 * Reads outside a transaction go straight to the store: every statement
 * runs synchronously, so it sees one consistent state.
 *
 * IMPORTANT: the engine keeps the catalog, row counts, rowid counters and the
 * columnar cache in memory; only one engine may write a store's key prefix
 * at a time.
 */
import { FairdbError, InvalidArgumentError } from '../storage/device/index.js';
import type { RawKvStore, RawReader, RawTransaction, RawWriter } from '../storage/kv/index.js';
import * as E from 'fp-ts/lib/Either.js';
import type * as A from './ast.js';
import { Binder, tryBind, type BindContext } from './binder.js';
import type { VirtualTableDef } from './bound.js';
import { Catalog, foldName, type TableDef } from './catalog.js';
import { ColumnarCache, type ColumnarCacheFigures, type ColumnarUse } from './columnar-cache.js';
import type { ColumnarTable } from './columnar.js';
import type { CompileScope, ExecState } from './compile-expr.js';
import { createIndex, createTable, dropIndex, dropTable } from './ddl.js';
import { compileDelete, compileInsert, compileUpdate, type RunResult } from './dml.js';
import { WriteTracker, type EngineCore } from './engine-core.js';
import { StatementCompiler, type ColumnarSlot, type ExecHost } from './executor.js';
import { explainPlan } from './explain.js';
import { decodeElement, keyEnd, skipElement } from './key-format.js';
import { resolveSqlEngineOptions, type ResolvedSqlEngineOptions, type SqlEngineOptions } from './options.js';
import { parse } from './parser.js';
import type { QueryPlan } from './plan.js';
import { Planner, type PlannerStats } from './planner.js';
import { isColumnType } from './sql-type.js';
import { StatementWriter } from './statement-writer.js';
import { makeVariant, PreparedStatement, type PlanBundle, type Prepared, type PreparedQuery, type Row, type Statement, type StatementHost, type Variant } from './statement.js';

export interface SqlEngine {
  /** Runs one or more statements (DDL, DML, queries whose rows are discarded, BEGIN/COMMIT/ROLLBACK). */
  exec(sql: string): void;
  /** Prepares (cached by SQL text) and runs one query; rows as objects keyed by column name. */
  query(sql: string, params?: readonly unknown[] | Record<string, unknown>): Row[];
  /** Parses one statement; it is bound and planned on first use and again only after schema changes. */
  prepare(sql: string): Statement;
  /** The plan chosen for one statement, as indented text. */
  explain(sql: string): string;
  /** better-sqlite3 style: the returned function runs `fn` in one transaction (rolled back if it throws). */
  transaction<F extends (...args: never[]) => unknown>(fn: F): F;
  /** True while BEGIN ... COMMIT or a transaction function is open. */
  readonly inTransaction: boolean;
  /** Every table and the CREATE TABLE statement that made it (for a shell's .tables and .schema). */
  tables(): { name: string; sql: string }[];
  /** Registers a read-only table whose rows come from `def.scan` (see `VirtualTableDef`). */
  registerVirtualTable(name: string, def: VirtualTableDef): void;
  /** The columnar cache's figures: entries, bytes held and the bound, builds, evictions, refusals. */
  columnarFigures(): ColumnarCacheFigures;
}

/** Creates an engine over `store`, loading the catalog stored under the key prefix. */
export function createSqlEngine(store: RawKvStore, options?: SqlEngineOptions): SqlEngine {
  return new SqlEngineImpl(store, resolveSqlEngineOptions(options));
}

interface TableState {
  /** max(rowid) + 1 when known. */
  nextRowid: number | undefined;
}

/** A tracker with no changes, for rollbacks of statements that changed nothing. */
const emptyTracker = new WriteTracker();

const rootScope: CompileScope = { column: () => undefined, aggregate: () => undefined, groupKey: () => undefined, output: () => undefined, parent: undefined };

/** Entries a key-prefix statistic reads (see `rowsPerKey`). */
export const keySampleEntriesMax = 2000;

/** Longest virtual table name, in UTF-16 code units. */
export const virtualTableNameLengthMax = 128;

class SqlEngineImpl implements SqlEngine, StatementHost, EngineCore, ExecHost, PlannerStats {
  readonly catalog: Catalog;
  readonly virtualTables = new Map<string, { readonly name: string; readonly def: VirtualTableDef }>();
  private virtualVersion = 0;
  private explicit: { tx: RawTransaction; tracker: WriteTracker } | undefined;
  private fnTx: { writer: RawWriter; tracker: WriteTracker } | undefined;
  private readonly tableStates = new Map<number, TableState>();
  private readonly statementCache = new Map<string, PreparedStatement>();
  private readonly keyStats = new Map<string, { rows: number; perKey: number | undefined }>();
  private readonly boundStats = new Map<string, { rows: number; bounds: { min: number; max: number } | undefined }>();
  private commitFailure: unknown;
  lastInsertRowid = 0;
  readonly columnar: ColumnarCache;

  constructor(
    readonly store: RawKvStore,
    readonly options: ResolvedSqlEngineOptions,
  ) {
    this.catalog = new Catalog(options.keyPrefix);
    this.catalog.load(store);
    this.columnar = new ColumnarCache({ enabled: options.columnarCache, rowsMin: options.columnarRowsMin, bytesMax: options.columnarCacheBytes });
  }

  get core(): EngineCore {
    return this;
  }

  get schemaVersion(): number {
    // Plans depend on the catalog, the virtual tables and the column
    // statistics the columnar cache provides.
    return this.catalog.version + this.virtualVersion + this.columnar.statsVersion;
  }

  get inTransaction(): boolean {
    return this.explicit !== undefined || this.fnTx !== undefined;
  }

  // -------------------------------------------------------------------------
  // Public API
  // -------------------------------------------------------------------------

  private parseAll(sql: string): A.Statement[] {
    if (typeof sql !== 'string') throw new InvalidArgumentError('SQL must be a string');
    const result = parse(sql, this.options.limits);
    if (E.isLeft(result)) throw result.left;
    return result.right;
  }

  private parseOne(sql: string): A.Statement {
    const statements = this.parseAll(sql);
    if (statements.length === 0) throw new InvalidArgumentError('the SQL text contains no statement');
    if (statements.length > 1) throw new InvalidArgumentError('the SQL text contains more than one statement; use exec() for scripts');
    return statements[0] as A.Statement;
  }

  exec(sql: string): void {
    this.checkUsable();
    for (const ast of this.parseAll(sql)) {
      const statement = new PreparedStatement(this, sql, ast);
      if (statement.reader) statement.all();
      else statement.run();
    }
  }

  prepare(sql: string): Statement {
    this.checkUsable();
    return new PreparedStatement(this, sql, this.parseOne(sql));
  }

  query(sql: string, params?: readonly unknown[] | Record<string, unknown>): Row[] {
    let statement = this.statementCache.get(sql);
    if (statement === undefined) {
      statement = this.prepare(sql) as PreparedStatement;
      if (this.options.statementCacheSize > 0) {
        if (this.statementCache.size >= this.options.statementCacheSize) {
          const oldest = this.statementCache.keys().next().value as string;
          this.statementCache.delete(oldest);
        }
        this.statementCache.set(sql, statement);
      }
    } else {
      // Least recently used first: move the hit to the end.
      this.statementCache.delete(sql);
      this.statementCache.set(sql, statement);
    }
    return params === undefined ? statement.all() : statement.all(params);
  }

  explain(sql: string): string {
    this.checkUsable();
    let ast = this.parseOne(sql);
    if (ast.kind === 'Explain') ast = ast.statement;
    return this.explainStatement(ast, sql);
  }

  transaction<F extends (...args: never[]) => unknown>(fn: F): F {
    if (typeof fn !== 'function') throw new InvalidArgumentError('transaction() expects a function');
    const engine = this;
    const wrapped = function (this: unknown, ...args: never[]): unknown {
      engine.checkUsable();
      if (engine.inTransaction) return fn.apply(this, args);
      const tracker = new WriteTracker();
      try {
        const result = engine.store.transactionSync((writer) => {
          engine.fnTx = { writer, tracker };
          try {
            const r = fn.apply(this, args);
            if (r instanceof Promise || (typeof r === 'object' && r !== null && typeof (r as { then?: unknown }).then === 'function')) {
              throw new InvalidArgumentError('a transaction function cannot return a promise');
            }
            engine.commitTracker(writer, tracker);
            return r;
          } finally {
            engine.fnTx = undefined;
          }
        });
        engine.applyCommitted(tracker);
        return result;
      } catch (error) {
        engine.afterRollback(tracker, engine.store);
        throw error;
      }
    };
    return wrapped as unknown as F;
  }

  tables(): { name: string; sql: string }[] {
    return this.catalog.allTables().map((t) => ({ name: t.name, sql: t.sql }));
  }

  registerVirtualTable(name: string, def: VirtualTableDef): void {
    if (typeof name !== 'string' || name.length === 0 || name.length > virtualTableNameLengthMax) {
      throw new InvalidArgumentError(`a virtual table name must be a non-empty string of at most ${virtualTableNameLengthMax} characters`);
    }
    if (typeof def !== 'object' || def === null || typeof def.scan !== 'function' || !Array.isArray(def.columns) || def.columns.length === 0) {
      throw new InvalidArgumentError('a virtual table needs columns and a scan function');
    }
    const seen = new Set<string>();
    for (const c of def.columns) {
      if (typeof c?.name !== 'string' || c.name.length === 0 || !isColumnType(c.type)) throw new InvalidArgumentError(`virtual table ${name}: bad column ${JSON.stringify(c)}`);
      if (seen.has(foldName(c.name))) throw new InvalidArgumentError(`virtual table ${name}: duplicate column ${c.name}`);
      seen.add(foldName(c.name));
    }
    if (this.catalog.table(name) !== undefined) throw new InvalidArgumentError(`a table named ${name} already exists`);
    this.virtualTables.set(foldName(name), { name, def: { columns: def.columns.map((c) => ({ name: c.name, type: c.type })), scan: def.scan.bind(def) } });
    this.virtualVersion++;
  }

  // -------------------------------------------------------------------------
  // StatementHost
  // -------------------------------------------------------------------------

  checkUsable(): void {
    if (this.commitFailure !== undefined) {
      const cause = this.commitFailure;
      this.commitFailure = undefined;
      throw new FairdbError('IO', `an earlier COMMIT failed to become durable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
  }

  private bindContext(sql: string): BindContext {
    return { sql, catalog: this.catalog, virtualTables: this.virtualTables };
  }

  plan(query: import('./bound.js').BoundQuery, columnar: boolean): QueryPlan {
    return new Planner(this.catalog, this, { columnar }).query(query);
  }

  /**
   * Planner statistics: rows per distinct value of a key prefix, from the
   * first `keySampleEntriesMax` entries of the key range (keys are sorted,
   * so equal prefixes are adjacent). Cached until the table's row count
   * doubles or halves. A sample from the start of the range can be skewed;
   * it only ranks plans.
   */
  rowsPerKey(table: TableDef, index: import('./catalog.js').IndexDef | undefined, k: number): number | undefined {
    const rows = this.catalog.rowCount(table.id);
    const cacheKey = `${table.id}:${index?.id ?? 'pk'}:${k}`;
    const cached = this.keyStats.get(cacheKey);
    if (cached !== undefined && rows <= cached.rows * 2 && rows * 2 >= cached.rows) return cached.perKey;
    const prefix = index === undefined ? table.rowPrefix : index.entryPrefix;
    let seen = 0;
    let distinct = 0;
    let last = '';
    this.reader().scanRaw({ start: prefix, end: prefix + keyEnd, limit: keySampleEntriesMax }, (key) => {
      let at = prefix.length;
      for (let i = 0; i < k; i++) at = skipElement(key, at);
      const head = key.slice(prefix.length, at);
      if (seen === 0 || head !== last) distinct++;
      last = head;
      seen++;
    });
    const perKey = seen === 0 ? undefined : seen / distinct;
    this.keyStats.set(cacheKey, { rows, perKey });
    return perKey;
  }

  prepareStatement(ast: A.Statement, sql: string): Prepared {
    const binder = new Binder(this.bindContext(sql));
    const state: ExecState = { epoch: 0, params: [], reader: this.store };
    const unwrap = <T>(e: E.Either<FairdbError, T>): T => {
      if (E.isLeft(e)) throw e.left;
      return e.right;
    };
    switch (ast.kind) {
      case 'Select': {
        const bound = unwrap(tryBind(() => binder.bindQuery(ast, undefined)));
        const subplan = (q: import('./bound.js').BoundQuery, columnar: boolean) => this.plan(q, columnar);
        const bundle = (plan: QueryPlan, columnar: boolean): PlanBundle => {
          const base = new StatementCompiler(this, state, 0, undefined, columnar);
          const runner = base.query(plan, rootScope);
          return { plan, base, variants: new Map<number, Variant>([[0, makeVariant(runner, bound.columns)]]), columnar };
        };
        // The plan for when the columnar cache serves the tables it is
        // likely to, and the plan for reading the store; kept apart only
        // when they differ (compared by their EXPLAIN text, subqueries included).
        const columnarPlan = this.plan(bound, true);
        const storePlan = this.plan(bound, false);
        const names = bound.columns.map((c) => c.name);
        const same = explainPlan(columnarPlan, names, (q) => subplan(q, true)) === explainPlan(storePlan, names, (q) => subplan(q, false));
        const plans = same ? [bundle(storePlan, false)] : [bundle(columnarPlan, true), bundle(storePlan, false)];
        return { kind: 'query', params: binder.params(), state, bound, columns: bound.columns, root: rootScope, plans };
      }
      // Writes plan their reads for the store: the tables they write are
      // about to change, and a transaction that wrote a table reads it from
      // the store anyway.
      case 'Insert': {
        const bound = unwrap(tryBind(() => binder.bindInsert(ast)));
        const dml = compileInsert(bound, new StatementCompiler(this, state, 0, undefined), new Planner(this.catalog, this, { columnar: false }));
        return { kind: 'dml', params: binder.params(), state, dml };
      }
      case 'Update': {
        const bound = unwrap(tryBind(() => binder.bindUpdate(ast)));
        const dml = compileUpdate(bound, new StatementCompiler(this, state, 0, undefined), new Planner(this.catalog, this, { columnar: false }));
        return { kind: 'dml', params: binder.params(), state, dml };
      }
      case 'Delete': {
        const bound = unwrap(tryBind(() => binder.bindDelete(ast)));
        const dml = compileDelete(bound, new StatementCompiler(this, state, 0, undefined), new Planner(this.catalog, this, { columnar: false }));
        return { kind: 'dml', params: binder.params(), state, dml };
      }
      case 'Explain':
        return { kind: 'explain', text: this.explainStatement(ast.statement, sql) };
      default:
        return { kind: 'direct' };
    }
  }

  private explainStatement(ast: A.Statement, sql: string): string {
    const binder = new Binder(this.bindContext(sql));
    const unwrap = <T>(e: E.Either<FairdbError, T>): T => {
      if (E.isLeft(e)) throw e.left;
      return e.right;
    };
    const subplan = (q: import('./bound.js').BoundQuery) => this.plan(q, false);
    switch (ast.kind) {
      case 'Select': {
        const bound = unwrap(tryBind(() => binder.bindQuery(ast, undefined)));
        const names = bound.columns.map((c) => c.name);
        const columnar = explainPlan(this.plan(bound, true), names, (q) => this.plan(q, true));
        const store = explainPlan(this.plan(bound, false), names, subplan);
        if (columnar === store) return store;
        return `${columnar}\nwhen the columnar cache cannot serve it:\n${store.split('\n').map((l) => `  ${l}`).join('\n')}`;
      }
      case 'Insert': {
        const bound = unwrap(tryBind(() => binder.bindInsert(ast)));
        const head = `Insert into ${bound.table.name}${bound.onConflict === undefined ? '' : ` on conflict do ${bound.onConflict.action}`}`;
        if (bound.select === undefined) return `${head} (${bound.rows?.length ?? 0} row${bound.rows?.length === 1 ? '' : 's'} of values)`;
        const text = explainPlan(this.plan(bound.select, false), bound.select.columns.map((c) => c.name), subplan);
        return `${head}\n${text.split('\n').map((l) => `  ${l}`).join('\n')}`;
      }
      case 'Update':
      case 'Delete': {
        const bound = unwrap(tryBind(() => (ast.kind === 'Update' ? binder.bindUpdate(ast) : binder.bindDelete(ast))));
        const node = new Planner(this.catalog, this, { columnar: false }).target(bound.source, bound.where);
        const head = `${ast.kind} ${bound.table.name}`;
        const text = explainPlan(
          { body: { kind: 'select', input: node, sources: [bound.source], aggregate: undefined, items: [], distinct: false }, orderBy: [], ordered: false, limit: undefined, offset: undefined, width: 0 },
          [],
          subplan,
        );
        // Drop the empty projection line.
        return `${head}\n${text.split('\n').slice(1).join('\n')}`;
      }
      default:
        return `${ast.kind} (executed directly, no plan)`;
    }
  }

  runDirect(ast: A.Statement, sql: string): RunResult {
    const binder = new Binder(this.bindContext(sql));
    switch (ast.kind) {
      case 'CreateTable':
        createTable(this, binder, ast, sql);
        break;
      case 'DropTable':
        dropTable(this, ast, sql);
        break;
      case 'CreateIndex':
        createIndex(this, ast, sql);
        break;
      case 'DropIndex':
        dropIndex(this, ast, sql);
        break;
      case 'Begin':
        this.begin();
        break;
      case 'Commit':
        this.commit();
        break;
      case 'Rollback':
        this.rollback();
        break;
      default:
        throw new FairdbError('INVALID_ARGUMENT', `cannot run a ${ast.kind} statement directly`);
    }
    return { changes: 0, lastInsertRowid: this.lastInsertRowid };
  }

  beginQuery(prepared: PreparedQuery): Variant {
    const state = prepared.state;
    state.reader = this.reader();
    state.epoch++;
    const plans = prepared.plans;
    for (let p = 0; p < plans.length - 1; p++) {
      const variant = this.variantOf(prepared, plans[p] as PlanBundle);
      if (variant !== undefined) return variant;
    }
    return this.variantOf(prepared, plans[plans.length - 1] as PlanBundle) as Variant;
  }

  /**
   * The compilation of `bundle` for this execution: each slot's read is
   * served by the columnar cache when the cache has (or may now build) the
   * table's entry and the columns fit in its memory bound. Undefined when
   * the bundle was planned for the cache and the cache cannot serve all of
   * its slots.
   */
  private variantOf(prepared: PreparedQuery, bundle: PlanBundle): Variant | undefined {
    const slots = bundle.base.slots;
    const state = prepared.state;
    let mask = 0;
    // A plan made for the cache needs it for the tables it assumed the cache
    // serves: those big enough to be cached at all.
    let required = 0;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i];
      if (slot === undefined) continue;
      if (bundle.columnar && this.columnar.eligible(this.catalog.rowCount(slot.table.id))) required |= 1 << i;
      if (slot.lookups > 0) {
        // Keyed reads of the store since the last execution earn the table its entry.
        this.columnar.noteLookups(slot.table.id, slot.lookups);
        slot.lookups = 0;
      }
      const use: ColumnarUse = slot.kind === 'full' ? 'scan' : bundle.columnar ? 'planned' : 'lookup';
      slot.entry = this.columnarEntry(slot.table, use);
      if (slot.entry !== undefined) mask |= 1 << i;
    }
    for (;;) {
      if ((mask & required) !== required) return undefined;
      if (mask === 0) return bundle.variants.get(0) as Variant;
      let variant = bundle.variants.get(mask);
      if (variant === undefined) {
        const compiler = new StatementCompiler(this, state, mask, bundle.base.registry, bundle.columnar);
        variant = makeVariant(compiler.query(bundle.plan, prepared.root), prepared.columns);
        bundle.variants.set(mask, variant);
      }
      // Build what the variant reads; a slot whose columns do not fit in
      // the cache's memory bound reads the store instead.
      const pinned = new Set<ColumnarTable>();
      for (let i = 0; i < slots.length; i++) if ((mask & (1 << i)) !== 0) pinned.add((slots[i] as ColumnarSlot).entry as ColumnarTable);
      let refused = 0;
      for (let i = 0; i < slots.length; i++) {
        if ((mask & (1 << i)) === 0) continue;
        const slot = slots[i] as ColumnarSlot;
        const entry = slot.entry as ColumnarTable;
        if (!this.columnar.ensure(entry, state.reader, slot.columns, slot.orderings, this.catalog.rowCount(slot.table.id), pinned)) refused |= 1 << i;
      }
      if (refused === 0) return variant;
      mask &= ~refused;
      for (let i = 0; i < slots.length; i++) if ((refused & (1 << i)) !== 0) (slots[i] as ColumnarSlot).entry = undefined;
    }
  }

  beginDml(prepared: { readonly state: ExecState }): void {
    prepared.state.reader = this.reader();
    prepared.state.epoch++;
  }

  // -------------------------------------------------------------------------
  // Transactions
  // -------------------------------------------------------------------------

  reader(): RawReader {
    return this.explicit?.tx ?? this.fnTx?.writer ?? this.store;
  }

  private currentTracker(): WriteTracker | undefined {
    return this.explicit?.tracker ?? this.fnTx?.tracker;
  }

  private begin(): void {
    if (this.inTransaction) throw new FairdbError('CONFLICT', 'cannot start a transaction within a transaction');
    this.explicit = { tx: this.store.begin(), tracker: new WriteTracker() };
  }

  private commit(): void {
    if (this.fnTx !== undefined) throw new FairdbError('CONFLICT', 'cannot COMMIT inside a transaction function');
    const open = this.explicit;
    if (open === undefined) throw new FairdbError('INVALID_ARGUMENT', 'cannot commit - no transaction is active');
    this.commitTracker(open.tx, open.tracker);
    let durable: Promise<void>;
    try {
      durable = open.tx.commit();
    } catch (error) {
      if (open.tx.open) open.tx.rollback();
      this.explicit = undefined;
      this.afterRollback(open.tracker, this.store);
      throw error;
    }
    this.explicit = undefined;
    this.applyCommitted(open.tracker);
    // The commit is applied; its durability resolves later. A failure is
    // reported by the next call into the engine.
    durable.catch((error: unknown) => {
      this.commitFailure = error;
    });
  }

  private rollback(): void {
    if (this.fnTx !== undefined) throw new FairdbError('CONFLICT', 'cannot ROLLBACK inside a transaction function; throw instead');
    const open = this.explicit;
    if (open === undefined) throw new FairdbError('INVALID_ARGUMENT', 'cannot rollback - no transaction is active');
    open.tx.rollback();
    this.explicit = undefined;
    this.afterRollback(open.tracker, this.store);
  }

  write<T>(fn: (writer: RawWriter, tracker: WriteTracker) => T, overlay: boolean): T {
    const open = this.explicit ?? this.fnTx;
    if (open !== undefined) {
      const base = 'tx' in open ? open.tx : open.writer;
      if (!overlay) {
        // A statement that checks everything before its one write cannot
        // fail half-way: it writes straight into the transaction.
        try {
          return fn(base, open.tracker);
        } catch (error) {
          this.afterRollback(emptyTracker, base);
          throw error;
        }
      }
      const local = new WriteTracker();
      const writer = new StatementWriter(base);
      try {
        const result = fn(writer, local);
        writer.flush();
        open.tracker.merge(local);
        return result;
      } catch (error) {
        this.afterRollback(local, base);
        throw error;
      }
    }
    const tracker = new WriteTracker();
    try {
      const result = this.store.transactionSync((writer) => {
        const r = fn(writer, tracker);
        this.commitTracker(writer, tracker);
        return r;
      });
      this.applyCommitted(tracker);
      return result;
    } catch (error) {
      this.afterRollback(tracker, this.store);
      throw error;
    }
  }

  /** Inside the committing transaction: persist row counts that drifted. */
  private commitTracker(writer: RawWriter, tracker: WriteTracker): void {
    for (const [id, delta] of tracker.deltas) this.catalog.adjustRowCount(writer, id, delta);
  }

  /** After commit: the written tables' columnar caches are stale; dropped tables' entries go. */
  private applyCommitted(tracker: WriteTracker): void {
    for (const id of tracker.dirty) this.columnar.written(id);
    if (tracker.ddl) for (const id of tracker.dirty) if (this.catalog.tableById(id) === undefined) this.columnar.dropped(id);
  }

  /** After a rollback (of a transaction or a statement): restore the in-memory state from `reader`. */
  private afterRollback(tracker: WriteTracker, reader: RawReader): void {
    if (tracker.ddl) this.catalog.load(reader);
    for (const state of this.tableStates.values()) state.nextRowid = undefined;
  }

  // -------------------------------------------------------------------------
  // Tables
  // -------------------------------------------------------------------------

  private tableState(id: number): TableState {
    let state = this.tableStates.get(id);
    if (state === undefined) {
      state = { nextRowid: undefined };
      this.tableStates.set(id, state);
    }
    return state;
  }

  /**
   * Planner statistics: the bounds of a numeric column that starts the
   * primary key or an index, from the first and last keys of its range (the
   * first entry after the NULLs). Cached like `rowsPerKey`.
   */
  columnBounds(table: TableDef, storedColumn: number): { min: number; max: number } | undefined {
    const rows = this.catalog.rowCount(table.id);
    const cacheKey = `${table.id}:${storedColumn}`;
    const cached = this.boundStats.get(cacheKey);
    if (cached !== undefined && rows <= cached.rows * 2 && rows * 2 >= cached.rows) return cached.bounds;
    let prefix: string | undefined;
    if (table.primaryKey[0] === storedColumn) prefix = table.rowPrefix;
    else prefix = this.catalog.indexesOf(table.id).find((i) => i.columns[0] === storedColumn)?.entryPrefix;
    let bounds: { min: number; max: number } | undefined;
    if (prefix !== undefined) {
      const edge = (range: { start: string; end: string; reverse?: boolean }): number | undefined => {
        let value: number | undefined;
        this.reader().scanRaw({ ...range, limit: 1 }, (key) => {
          const v = decodeElement(key, (prefix as string).length).value;
          if (typeof v === 'number') value = v;
        });
        return value;
      };
      // NULL (tag 0x05) sorts first: start after it; numbers end before text (0x20).
      const min = edge({ start: prefix + '\x10', end: prefix + '\x11' });
      const max = edge({ start: prefix + '\x11', end: prefix + '\x10', reverse: true });
      if (min !== undefined && max !== undefined) bounds = { min, max };
    }
    this.boundStats.set(cacheKey, { rows, bounds });
    return bounds;
  }

  /** Planner statistics: whether the columnar cache is likely to serve reads of `table` (see columnar-cache.ts). */
  columnarLikely(table: TableDef): boolean {
    return this.columnar.likely(table, this.catalog.rowCount(table.id));
  }

  /** Planner statistics: distinct non-NULL values of a stored column, when the columnar cache has measured them. */
  distinctValues(table: TableDef, storedColumn: number): number | undefined {
    return this.columnar.distinct(table, storedColumn, this.catalog.rowCount(table.id));
  }

  /** The columnar cache's figures (entries, bytes held, builds, evictions). */
  columnarFigures(): ColumnarCacheFigures {
    return this.columnar.figures();
  }

  nextRowid(table: TableDef, reader: RawReader): number {
    const state = this.tableState(table.id);
    if (state.nextRowid === undefined) {
      let max = 0;
      reader.scanRaw({ start: table.rowPrefix + keyEnd, end: table.rowPrefix, reverse: true, limit: 1 }, (key) => {
        const { value } = decodeElement(key, table.rowPrefix.length);
        if (typeof value === 'number') max = value;
      });
      state.nextRowid = Math.max(1, max + 1);
    }
    if (state.nextRowid > Number.MAX_SAFE_INTEGER) throw new FairdbError('LIMIT', `table ${table.name} has used every rowid up to 2^53 - 1`);
    return state.nextRowid;
  }

  noteRowid(table: TableDef, rowid: number): void {
    const state = this.tableState(table.id);
    if (state.nextRowid !== undefined && rowid + 1 > state.nextRowid) state.nextRowid = rowid + 1;
  }

  committedRowsOf(table: TableDef): RawReader | undefined {
    return this.currentTracker()?.dirty.has(table.id) ? undefined : this.store;
  }

  columnarEntry(table: TableDef, use: ColumnarUse): ColumnarTable | undefined {
    // A transaction that wrote the table must read its own writes.
    if (this.currentTracker()?.dirty.has(table.id)) return undefined;
    return this.columnar.entry(table, this.catalog.rowCount(table.id), use);
  }

}
