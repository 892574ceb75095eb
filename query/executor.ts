/**
 * The executor: compiles a physical plan (plan.ts) into a push pipeline of
 * closures, once per statement (and once more per columnar variant, below).
 *
 * Every plan node compiles to `run(sink)`: it produces its rows by calling
 * `sink()` once per row, while its column getters read that row in place —
 * straight from the store's bytes for a table scan (row-format.ts), from a
 * typed array for a columnar scan, from a materialized array behind a hash
 * join, sort or aggregation. `sink` returns false to stop the producer
 * (LIMIT, EXISTS, a scalar subquery's first row), and `run` returns false
 * when it was stopped. Nothing allocates per row on the scan and filter
 * paths; joins, aggregation and sorting allocate per materialized row or
 * group only.
 *
 * Materializing operators learn which columns to keep lazily: the column
 * getters above them are requested while the upper part of the plan
 * compiles, which happens before the first run.
 *
 * Columnar variants: each full table scan is a "columnar slot". At every
 * execution the engine decides per slot whether the table's columnar cache
 * (columnar.ts) is usable; the statement then runs the variant compiled for
 * that set of slots, compiling it the first time it is needed.
 */
import { assert, FairdbError, unreachable } from '../storage/device/index.js';
import { forEachRowChild } from './binder.js';
import type { BoundAggregate, BoundExpr, BoundOrder, BoundQuery, BoundSource } from './bound.js';
import type { Catalog, TableDef } from './catalog.js';
import type { ColumnarTable, ColumnVector } from './columnar.js';
import { ExprCompiler, type CompileEnv, type CompileScope, type ExecState, type Getter, type Predicate, type QueryRunner } from './compile-expr.js';
import { KeyBuilder, keyEnd } from './key-format.js';
import { compileKeyAccess, scanRange, skipKeyElement } from './key-access.js';
import { NumberKeyTable, numberKeyColumnsMax } from './number-key-table.js';
import { columnarKeyable, indexCandidates, primaryCandidates, type ColumnarCandidates } from './columnar-access.js';
import type { Access, InSet, KeyBound, PlanNode, QueryPlan, SelectPlan, SetOpPlan } from './plan.js';
import { RowCursor, utf8Slice, type SlotKind } from './row-format.js';
import type { ColumnType, ValueType } from './sql-type.js';
import { coerceToColumn } from './table-writer.js';
import { compileVecGroupKeys, compileVecNumber, compileVecPredicate, vectorBatchRows, type VecNumber, type VecPredicate, type VectorContext, type VectorHolder } from './vector.js';
import { blobKey, compareText, compareValues, componentKey, textAsWholeNumber, toNumber, valueKey, type SqlValue } from './value.js';

/** Most rows a top-N sort keeps in its heap; larger LIMITs sort everything. */
export const topNRowsMax = 100_000;

/** Most columnar slots (full table scans) per statement that may use the columnar cache. */
export const columnarSlotsMax = 30;

/**
 * A read of a base table that may be served by the columnar cache: a full
 * scan, or a keyed read (primary key or secondary index) whose key columns
 * are numeric, answered by binary search or an ordering (columnar.ts).
 */
export interface ColumnarSlot {
  readonly table: TableDef;
  /** 'full' for a full scan, 'keyed' for a primary-key or index read. */
  readonly kind: 'full' | 'keyed';
  /** Stored columns the compiled variant reads (filled while compiling a columnar variant). */
  readonly columns: Set<number>;
  /** Columns whose ordering the variant looks rows up by (filled likewise). */
  readonly orderings: Set<number>;
  /** The cache entry for this execution (set before each run of a columnar variant). */
  entry: ColumnarTable | undefined;
  /** Keyed reads that went to the store since the engine last looked (they earn the table its entry). */
  lookups: number;
}

/** The columnar slots of a statement and the source each belongs to (its index in `slots`). */
export interface SlotRegistry {
  readonly slots: ColumnarSlot[];
  readonly bySource: Map<number, number>;
}

/** What the executor needs from the engine. */
export interface ExecHost {
  readonly catalog: Catalog;
  /** Plans a (sub)query; `columnar`: assume the columnar cache serves the tables it is likely to (see engine.ts). */
  plan(query: BoundQuery, columnar: boolean): QueryPlan;
}

interface Compiled {
  run(sink: () => boolean): boolean;
  readonly scope: CompileScope;
  /** Present on scans from the columnar cache: batch access for vectorized consumers. */
  readonly columnar?: {
    /** Points the column vectors at this execution's cache entry (batches() does it too); returns the row count. */
    bind(): number;
    batches(consumer: (sel: Int32Array, n: number) => boolean): boolean;
    readonly context: VectorContext;
    readonly cur: { i: number };
    /** The cache entry this execution reads. */
    entry(): ColumnarTable | undefined;
    /** Whether the rows the scan yields can change only with its entry: its filter reads no parameter and no subquery. */
    readonly fixed: boolean;
  };
}

const noScope = (parent: CompileScope | undefined): CompileScope => ({
  column: () => undefined,
  aggregate: () => undefined,
  groupKey: () => undefined,
  output: () => undefined,
  parent,
});

/** A scope that maps the columns of some sources to getters. */
function sourceScope(parent: CompileScope | undefined, resolve: (source: BoundSource, column: number) => Getter | undefined): CompileScope {
  return { column: resolve, aggregate: () => undefined, groupKey: () => undefined, output: () => undefined, parent };
}

/**
 * Compiles the plans of one statement. One instance per columnar variant:
 * `mask` has bit i set when columnar slot i reads from the cache.
 */
export class StatementCompiler implements CompileEnv {
  /**
   * The statement's columnar slots, found by its first (row-only)
   * compilation and shared by every variant: one per base-table source,
   * known by the source's id, so that a variant that compiles a part twice
   * (a subquery in both a vector and a row form) still numbers them alike.
   */
  readonly registry: SlotRegistry;
  private readonly registering: boolean;

  constructor(
    readonly host: ExecHost,
    readonly state: ExecState,
    private readonly mask: number,
    /** The slots of the statement's first compilation; undefined for that compilation itself. */
    registry: SlotRegistry | undefined,
    /** How subqueries are planned: as the statement's plan was (see ExecHost.plan). */
    private readonly columnarPlans = false,
  ) {
    this.registry = registry ?? { slots: [], bySource: new Map() };
    this.registering = registry === undefined;
  }

  /** The statement's columnar slots, in the order they were found. */
  get slots(): readonly ColumnarSlot[] {
    return this.registry.slots;
  }

  compileQuery(query: BoundQuery, outer: CompileScope): QueryRunner {
    return this.query(this.host.plan(query, this.columnarPlans), outer);
  }

  private readonly materialized = new Map<BoundQuery, () => readonly (readonly SqlValue[])[]>();

  materialize(query: BoundQuery, outer: CompileScope): () => readonly (readonly SqlValue[])[] {
    let rowsOf = this.materialized.get(query);
    if (rowsOf !== undefined) return rowsOf;
    const runner = this.compileQuery(query, outer);
    const state = this.state;
    let seen = -1;
    let rows: SqlValue[][] = [];
    rowsOf = () => {
      if (seen !== state.epoch) {
        rows = [];
        runner.run(() => {
          rows.push(runner.getters.map((g) => g()));
        });
        seen = state.epoch;
      }
      return rows;
    };
    this.materialized.set(query, rowsOf);
    return rowsOf;
  }

  // -------------------------------------------------------------------------
  // Queries
  // -------------------------------------------------------------------------

  query(plan: QueryPlan, outer: CompileScope): QueryRunner {
    const body = plan.body.kind === 'select' ? this.select(plan.body, outer) : this.setOp(plan.body, outer);
    const limit = plan.limit === undefined ? undefined : new ExprCompiler(this, noScope(outer)).value(plan.limit);
    const offset = plan.offset === undefined ? undefined : new ExprCompiler(this, noScope(outer)).value(plan.offset);
    const bounds = () => ({ limit: limit === undefined ? -1 : limitValue(limit(), 'LIMIT'), offset: offset === undefined ? 0 : Math.max(0, limitValue(offset(), 'OFFSET')) });
    if (plan.orderBy.length === 0 || plan.ordered) {
      if (limit === undefined && offset === undefined) {
        // One adapter for every run (no closure allocated per execution).
        let target: () => boolean | void = () => true;
        const adapter = (): boolean => target() !== false;
        return {
          getters: body.getters,
          run: (onRow) => {
            target = onRow;
            body.run(adapter);
          },
        };
      }
      return {
        getters: body.getters,
        run: (onRow) => {
          const { limit: n, offset: skip } = bounds();
          if (n === 0) return;
          let seen = 0;
          let emitted = 0;
          body.run(() => {
            if (seen++ < skip) return true;
            if (onRow() === false) return false;
            emitted++;
            return n < 0 || emitted < n;
          });
        },
      };
    }
    return this.sorted(body, plan.orderBy, bounds);
  }

  private sorted(body: SelectRunner, orderBy: readonly BoundOrder[], bounds: () => { limit: number; offset: number }): QueryRunner {
    // Rows are materialized as [outputs..., extra sort keys...].
    const width = body.getters.length;
    const keyGetters: Getter[] = [];
    const keyIndex: number[] = [];
    const keyTypes: ValueType[] = [];
    const compiler = new ExprCompiler(this, body.rowScope);
    for (const term of orderBy) {
      if (term.expr.kind === 'output') {
        keyIndex.push(term.expr.index);
      } else {
        keyIndex.push(width + keyGetters.length);
        keyGetters.push(compiler.value(term.expr));
      }
      keyTypes.push(term.expr.type);
    }
    const all = [...body.getters, ...keyGetters];
    const compare = rowComparator(orderBy, keyIndex, keyTypes);
    let current: SqlValue[] = [];
    const getters = body.getters.map((_, i) => () => current[i] as SqlValue);
    return {
      getters,
      run: (onRow) => {
        const { limit, offset } = bounds();
        if (limit === 0) return;
        const keep = limit < 0 ? -1 : limit + offset;
        let rows: SqlValue[][];
        if (keep >= 0 && keep <= topNRowsMax) {
          const heap = new TopN(keep, compare);
          body.run(() => {
            heap.offer(all);
            return true;
          });
          rows = heap.sorted();
        } else {
          rows = [];
          body.run(() => {
            const row = new Array<SqlValue>(all.length);
            for (let i = 0; i < all.length; i++) row[i] = (all[i] as Getter)();
            rows.push(row);
            return true;
          });
          rows.sort(compare);
        }
        const end = limit < 0 ? rows.length : Math.min(rows.length, offset + limit);
        for (let i = offset; i < end; i++) {
          current = rows[i] as SqlValue[];
          if (onRow() === false) return;
        }
      },
    };
  }

  private setOp(plan: SetOpPlan, outer: CompileScope): SelectRunner {
    const left = plan.left.kind === 'select' ? this.select(plan.left, outer) : this.setOp(plan.left, outer);
    const right = this.select(plan.right, outer);
    let current: SqlValue[] = [];
    const getters = left.getters.map((_, i) => () => current[i] as SqlValue);
    const read = (gs: readonly Getter[]) => gs.map((g) => g());
    const op = plan.op;
    const run = (sink: () => boolean): boolean => {
      if (op === 'UNION ALL') {
        let stopped = false;
        left.run(() => {
          current = read(left.getters);
          if (!sink()) stopped = true;
          return !stopped;
        });
        if (stopped) return false;
        right.run(() => {
          current = read(right.getters);
          if (!sink()) stopped = true;
          return !stopped;
        });
        return !stopped;
      }
      const seen = new Set<string>();
      let stopped = false;
      if (op === 'UNION') {
        const emit = (gs: readonly Getter[]) => () => {
          const row = read(gs);
          const key = compositeOf(row);
          if (seen.has(key)) return true;
          seen.add(key);
          current = row;
          if (!sink()) stopped = true;
          return !stopped;
        };
        left.run(emit(left.getters));
        if (!stopped) right.run(emit(right.getters));
        return !stopped;
      }
      // INTERSECT / EXCEPT: the right side's rows as a set, then the left side's distinct rows.
      const rightKeys = new Set<string>();
      right.run(() => {
        rightKeys.add(compositeOf(read(right.getters)));
        return true;
      });
      left.run(() => {
        const row = read(left.getters);
        const key = compositeOf(row);
        if (seen.has(key) || rightKeys.has(key) !== (op === 'INTERSECT')) return true;
        seen.add(key);
        current = row;
        if (!sink()) stopped = true;
        return !stopped;
      });
      return !stopped;
    };
    return { getters, run, rowScope: outputScope(getters, outer) };
  }

  select(plan: SelectPlan, outer: CompileScope): SelectRunner {
    const input = this.node(plan.input, outer);
    let scope = input.scope;
    let run = input.run;
    if (plan.aggregate !== undefined) {
      const agg = this.aggregate(plan, input);
      scope = agg.scope;
      run = agg.run;
    }
    const compiler = new ExprCompiler(this, scope);
    const getters = plan.items.map((e) => compiler.value(e));
    if (plan.distinct) {
      const inner = run;
      let current: SqlValue[] = [];
      const distinctGetters = getters.map((_, i) => () => current[i] as SqlValue);
      return {
        getters: distinctGetters,
        run: (sink) => {
          const seen = new Set<string>();
          return inner(() => {
            const row = getters.map((g) => g());
            const key = compositeOf(row);
            if (seen.has(key)) return true;
            seen.add(key);
            current = row;
            return sink();
          });
        },
        rowScope: withOutputs(scope, distinctGetters),
      };
    }
    return { getters, run, rowScope: withOutputs(scope, getters) };
  }

  // -------------------------------------------------------------------------
  // Aggregation
  // -------------------------------------------------------------------------

  private aggregate(plan: SelectPlan, input: Compiled): Compiled {
    const spec = plan.aggregate as NonNullable<SelectPlan['aggregate']>;
    const compiler = new ExprCompiler(this, input.scope);
    const keyGetters = spec.groupBy.map((e) => compiler.value(e));
    const k = keyGetters.length;
    let current = 0;
    let keyValues: SqlValue[][] = spec.groupBy.map(() => []);
    const accumulators = spec.aggregates.map((a) => newAccumulator(a, a.arg === undefined ? undefined : compiler.value(a.arg)));
    // Bare columns follow the row of the single MIN/MAX, else the first row.
    const follow = spec.bareColumnsFrom;
    const followers = accumulators.filter((_acc, i) => spec.aggregates[i]?.fn === 'ANY' && follow >= 0).map((a) => a as AnyAccumulator);
    let groupCount = 0;
    const newGroup = (): number => {
      const g = groupCount++;
      for (let i = 0; i < k; i++) (keyValues[i] as SqlValue[]).push((keyGetters[i] as Getter)());
      for (let a = 0; a < accumulators.length; a++) (accumulators[a] as Accumulator).init(g);
      return g;
    };
    const step = (g: number) => {
      for (let i = 0; i < accumulators.length; i++) {
        const acc = accumulators[i] as Accumulator;
        const changed = acc.add(g);
        if (changed && i === follow) for (const f of followers) f.capture(g);
      }
    };
    const scope: CompileScope = {
      column: (source, column) => {
        // Group key columns, then bare columns (ANY aggregates).
        const key = spec.groupBy.findIndex((e) => e.kind === 'column' && e.source.id === source.id && e.column === column);
        if (key >= 0) return () => (keyValues[key] as SqlValue[])[current] as SqlValue;
        const index = spec.aggregates.findIndex((a) => a.fn === 'ANY' && a.arg?.kind === 'column' && a.arg.source.id === source.id && a.arg.column === column);
        if (index >= 0) {
          const acc = accumulators[index] as Accumulator;
          return () => acc.result(current);
        }
        return undefined;
      },
      aggregate: (index) => {
        const acc = accumulators[index] as Accumulator | undefined;
        return acc === undefined ? undefined : () => acc.result(current);
      },
      groupKey: (index) => (index < k ? () => (keyValues[index] as SqlValue[])[current] as SqlValue : undefined),
      output: () => undefined,
      parent: input.scope.parent,
    };
    const havingPredicate = spec.having === undefined ? undefined : new ExprCompiler(this, scope).isTrue(spec.having);
    const numericKeys = k > 0 && k <= numberKeyColumnsMax && spec.groupBy.every((e) => numberDomain(e.type));
    const groupKey = new Float64Array(Math.max(1, k));
    const vectorized = input.columnar !== undefined && follow < 0 ? vectorAggregation(spec, input.columnar, accumulators) : undefined;
    const run = (sink: () => boolean): boolean => {
      groupCount = 0;
      keyValues = spec.groupBy.map(() => []);
      for (const acc of accumulators) acc.reset();
      if (vectorized !== undefined && vectorized(newGroup)) {
        // Accumulated batch by batch from the columnar scan.
      } else if (k === 0) {
        const g = newGroup();
        input.run(() => {
          step(g);
          return true;
        });
      } else if (numericKeys) {
        // Numbers (NULL as NaN) in a table that allocates nothing per row.
        const table = new NumberKeyTable(k, 64);
        input.run(() => {
          for (let i = 0; i < k; i++) {
            const v = (keyGetters[i] as Getter)();
            groupKey[i] = v === null ? Number.NaN : (v as number);
          }
          const groups = table.size;
          const g = table.insert(groupKey);
          // Table ids and group numbers are both dense in order of first sight.
          if (table.size > groups) newGroup();
          step(g);
          return true;
        });
      } else if (k === 1) {
        const map = new Map<number | string | null, number>();
        const key0 = keyGetters[0] as Getter;
        input.run(() => {
          const mk = valueKey(key0());
          let g = map.get(mk);
          if (g === undefined) {
            g = newGroup();
            map.set(mk, g);
          }
          step(g);
          return true;
        });
      } else {
        // Nested maps, one level per key: no per-row key allocation.
        const root = new Map<number | string | null, unknown>();
        input.run(() => {
          let m = root;
          for (let i = 0; i < k - 1; i++) {
            const mk = valueKey((keyGetters[i] as Getter)());
            let next = m.get(mk) as Map<number | string | null, unknown> | undefined;
            if (next === undefined) {
              next = new Map();
              m.set(mk, next);
            }
            m = next;
          }
          const last = valueKey((keyGetters[k - 1] as Getter)());
          let g = m.get(last) as number | undefined;
          if (g === undefined) {
            g = newGroup();
            m.set(last, g);
          }
          step(g);
          return true;
        });
      }
      for (let g = 0; g < groupCount; g++) {
        current = g;
        if (havingPredicate !== undefined && !havingPredicate()) continue;
        if (!sink()) return false;
      }
      return true;
    };
    return { run, scope };
  }

  // -------------------------------------------------------------------------
  // Row-producing nodes
  // -------------------------------------------------------------------------

  node(node: PlanNode, outer: CompileScope): Compiled {
    switch (node.kind) {
      case 'scan':
        return this.scan(node, outer);
      case 'values':
        return this.values(node, outer);
      case 'single': {
        const scope = noScope(outer);
        const filter = predicateOf(new ExprCompiler(this, scope), node.filter);
        return { scope, run: (sink) => (filter === undefined || filter() ? sink() : true) };
      }
      case 'filter': {
        const input = this.node(node.input, outer);
        const filter = predicateOf(new ExprCompiler(this, input.scope), node.filter) as Predicate;
        return { scope: input.scope, run: (sink) => input.run(() => (filter() ? sink() : true)) };
      }
      case 'hashJoin':
        return this.hashJoin(node, outer);
      case 'nestedLoop':
        return node.lookup ? this.lookupJoin(node, outer) : this.loopJoin(node, outer);
      default:
        return unreachable(node, 'plan node');
    }
  }

  private values(node: Extract<PlanNode, { kind: 'values' }>, outer: CompileScope): Compiled {
    const source = node.source;
    let current: SqlValue[] = [];
    const scope = sourceScope(outer, (s, column) => (s.id === source.id ? () => current[(s.columns[column] as { stored: number }).stored] as SqlValue : undefined));
    const filter = predicateOf(new ExprCompiler(this, scope), node.filter);
    const state = this.state;
    let rows: SqlValue[][] = [];
    let seen = -1;
    let load: () => void;
    if (source.query !== undefined) {
      const runner = this.compileQuery(source.query, outer);
      const correlated = source.query.outerRefs.size > 0;
      load = () => {
        if (!correlated && seen === state.epoch) return;
        seen = state.epoch;
        rows = [];
        runner.run(() => {
          rows.push(runner.getters.map((g) => g()));
        });
      };
    } else {
      const virtual = source.virtual;
      assert(virtual !== undefined, 'a values node reads a subquery or a virtual table');
      const columns = virtual.def.columns;
      load = () => {
        if (seen === state.epoch) return;
        seen = state.epoch;
        rows = [];
        for (const raw of virtual.def.scan(state.reader)) rows.push(columns.map((c, i) => fromVirtual(virtual.name, c, raw[i])));
      };
    }
    return {
      scope,
      run: (sink) => {
        load();
        for (const row of rows) {
          current = row;
          if (filter !== undefined && !filter()) continue;
          if (!sink()) return false;
        }
        return true;
      },
    };
  }

  private scan(node: Extract<PlanNode, { kind: 'scan' }>, outer: CompileScope): Compiled {
    const source = node.source;
    const table = source.table as TableDef;
    let slot: ColumnarSlot | undefined;
    if (node.access.kind === 'full' || columnarKeyable(table, node.access)) {
      const registry = this.registry;
      let index = registry.bySource.get(source.id);
      if (index === undefined && this.registering && registry.slots.length < columnarSlotsMax) {
        index = registry.slots.length;
        registry.slots.push({ table, kind: node.access.kind === 'full' ? 'full' : 'keyed', columns: new Set(), orderings: new Set(), entry: undefined, lookups: 0 });
        registry.bySource.set(source.id, index);
      }
      if (index !== undefined) {
        slot = registry.slots[index] as ColumnarSlot;
        if ((this.mask & (1 << index)) !== 0) return this.columnarScan(node, outer, slot);
      }
    }
    const cursor = new RowCursor(table.layout, `table ${table.name}`);
    const readers = new Map<number, Getter>();
    const scope: CompileScope = {
      ...sourceScope(outer, (s, column) => {
        if (s.id !== source.id) return undefined;
        const stored = (s.columns[column] as { stored: number }).stored;
        let g = readers.get(stored);
        if (g === undefined) {
          g = rowColumnGetter(table, stored, cursor);
          readers.set(stored, g);
        }
        return g;
      }),
      textEquals: (s, column) => {
        if (s.id !== source.id) return undefined;
        const stored = (s.columns[column] as { stored: number }).stored;
        if (table.storedTypes[stored] !== 'TEXT') return undefined;
        return (bytes) => {
          if (cursor.isNull(stored)) return null;
          const start = cursor.varStart(stored);
          const end = cursor.varEnd(stored);
          if (end - start !== bytes.length) return false;
          const u8 = cursor.u8;
          for (let i = 0; i < bytes.length; i++) if (u8[start + i] !== bytes[i]) return false;
          return true;
        };
      },
    };
    const compiler = new ExprCompiler(this, scope);
    const filter = predicateOf(compiler, node.filter);
    // Key expressions read enclosing rows (outer), never this table.
    const keyCompiler = new ExprCompiler(this, outer);
    const access = node.access;
    const state = this.state;
    const prefix = table.rowPrefix;
    const reverse = node.reverse;
    let sinkRef: () => boolean = () => true;
    let stopped = false;
    const visit = (_key: string, buffer: Uint8Array, offset: number, length: number): boolean => {
      cursor.set(buffer, offset, length);
      if (filter !== undefined && !filter()) return true;
      if (!sinkRef()) {
        stopped = true;
        return false;
      }
      return true;
    };
    if (access.kind === 'full') {
      return {
        scope,
        run: (sink) => {
          sinkRef = sink;
          stopped = false;
          state.reader.scanRaw(reverse ? { start: prefix + keyEnd, end: prefix, reverse: true } : { start: prefix, end: prefix + keyEnd }, visit);
          return !stopped;
        },
      };
    }
    const setValues = access.inSet === undefined ? undefined : this.setValues(access.inSet, keyCompiler, outer);
    const keys = compileKeyAccess(keyCompiler, access, table, setValues);
    if (access.kind === 'primary') {
      const point = access.eq.length === table.primaryKey.length;
      return {
        scope,
        run: (sink) => {
          sinkRef = sink;
          stopped = false;
          if (slot !== undefined) slot.lookups++;
          if (setValues !== undefined) {
            const list = keys.ranges(prefix);
            if (list === null) return true;
            const reader = state.reader;
            for (const range of list) {
              if (range.point) {
                const bytes = reader.getRaw(range.start);
                if (bytes !== undefined) visit(range.start, bytes, 0, bytes.length);
              } else {
                scanRange(reader, range, false, visit);
              }
              if (stopped) return false;
            }
            return true;
          }
          if (point) {
            const key = keys.point(prefix);
            if (key === null) return true;
            if (key !== undefined) {
              const bytes = state.reader.getRaw(key);
              if (bytes === undefined) return true;
              visit(key, bytes, 0, bytes.length);
              return !stopped;
            }
          }
          const range = keys.range(prefix);
          if (range === null) return true;
          scanRange(state.reader, range, reverse, visit);
          return !stopped;
        },
      };
    }
    // Secondary index: each entry names a row to fetch, in its value (a
    // value-keyed unique entry) or at the end of its key (key-format.ts).
    const index = access.index;
    const entryPrefix = index.entryPrefix;
    const columns = index.columns.length;
    const rowKeys = new KeyBuilder();
    const rowKeyOf = (entry: string, buffer: Uint8Array, offset: number, length: number): string => {
      if (length > 0) return rowKeys.start(prefix).appendBytes(buffer, offset, offset + length).finish();
      let at = entryPrefix.length;
      for (let i = 0; i < columns; i++) at = skipKeyElement(entry, at);
      return rowKeys.start(prefix).raw(entry, at).finish();
    };
    const fetch = (entry: string, buffer: Uint8Array, offset: number, length: number): boolean => {
      const rowKey = rowKeyOf(entry, buffer, offset, length);
      const bytes = state.reader.getRaw(rowKey);
      if (bytes === undefined) {
        throw new FairdbError('CORRUPTION', `index ${index.name} names a row that does not exist in table ${table.name}`);
      }
      return visit(rowKey, bytes, 0, bytes.length);
    };
    // Equality on every column of a value-keyed unique index: one point read.
    const pointEntry = index.valueKeyed && access.eq.length === columns && access.low === undefined && access.high === undefined && setValues === undefined;
    return {
      scope,
      run: (sink) => {
        sinkRef = sink;
        stopped = false;
        if (slot !== undefined) slot.lookups++;
        if (pointEntry) {
          const key = keys.point(entryPrefix);
          if (key === null) return true;
          if (key !== undefined) {
            const entry = state.reader.getRaw(key);
            if (entry !== undefined) fetch(key, entry, 0, entry.length);
            return !stopped;
          }
        }
        if (setValues === undefined) {
          const range = keys.range(entryPrefix);
          if (range === null) return true;
          // Index entries may continue with the primary key: a "point" is a prefix (its end is already set).
          scanRange(state.reader, range, reverse, fetch);
          return !stopped;
        }
        const list = keys.ranges(entryPrefix);
        if (list === null) return true;
        for (const range of list) {
          scanRange(state.reader, range.point ? { start: range.start, end: range.start + keyEnd, point: false } : range, reverse, fetch);
          if (stopped) return false;
        }
        return true;
      },
    };
  }

  /** The values of an access path's IN set with their static types, per execution (a subquery runs once). */
  private setValues(set: InSet, compiler: ExprCompiler, outer: CompileScope): () => { values: SqlValue[]; type: ValueType[] } {
    if (set.kind === 'inList') {
      const getters = set.items.map((e) => compiler.value(e));
      const type = set.items.map((e) => e.type);
      return () => ({ values: getters.map((g) => g()), type });
    }
    const rowsOf = this.materialize(set.query, outer);
    const column = (set.query.columns[0] as { type: ValueType }).type;
    const state = this.state;
    let seen = -1;
    let cached: { values: SqlValue[]; type: ValueType[] } = { values: [], type: [] };
    return () => {
      if (seen !== state.epoch) {
        const values = rowsOf().map((r) => r[0] as SqlValue);
        cached = { values, type: values.map(() => column) };
        seen = state.epoch;
      }
      return cached;
    };
  }

  /**
   * A scan served by the columnar cache: a full scan in primary-key order, or
   * a keyed read whose candidate rows come from a binary search over the
   * primary-key columns or from an ordering of the first index column. The
   * candidates go through the filter a batch at a time, vectorized where the
   * conjuncts allow (vector.ts), the rest row by row on the survivors.
   */
  private columnarScan(node: Extract<PlanNode, { kind: 'scan' }>, outer: CompileScope, slot: ColumnarSlot): Compiled {
    const source = node.source;
    const table = slot.table;
    const cur = { i: 0 };
    const holders = new Map<number, VectorHolder>();
    const holderOf = (column: number): VectorHolder => {
      const stored = (source.columns[column] as { stored: number }).stored;
      return holderOfStored(stored);
    };
    const holderOfStored = (stored: number): VectorHolder => {
      let holder = holders.get(stored);
      if (holder === undefined) {
        holder = { vector: undefined };
        holders.set(stored, holder);
        slot.columns.add(stored);
      }
      return holder;
    };
    const scope = sourceScope(outer, (s, column) => {
      if (s.id !== source.id) return undefined;
      const stored = (s.columns[column] as { stored: number }).stored;
      return vectorGetter(holderOf(column), cur, table.columns[stored]?.notNull === true || table.primaryKey.includes(stored), table.layout.kinds[stored] as SlotKind);
    });
    const rowCompiler = new ExprCompiler(this, scope);
    const context: VectorContext = { source, holder: holderOf, scalar: new ExprCompiler(this, outer) };
    // Each conjunct in vector form when it has one (chosen per execution), and row form always.
    const conjuncts = node.filter.map((c) => ({ vector: compileVecPredicate(c, context), row: rowCompiler.isTrue(c) }));
    const reverse = node.reverse;
    const sel = new Int32Array(vectorBatchRows);
    const active: VecPredicate[] = [];
    const rowOnly: Predicate[] = [];
    const candidates = node.access.kind === 'full' ? undefined : this.columnarCandidates(node.access, table, slot, holderOfStored, outer);
    const state = this.state;
    let preparedAt = -1;
    let preparedEntry: ColumnarTable | undefined;
    /** Points the holders at this execution's entry and picks the vector forms; once per execution. */
    const prepare = (): number => {
      const entry = slot.entry;
      assert(entry !== undefined, 'the engine sets the columnar entry before running a columnar variant');
      if (preparedAt === state.epoch && preparedEntry === entry) return entry.rowCount;
      for (const [stored, holder] of holders) {
        holder.vector = entry.columns.get(stored);
        assert(holder.vector !== undefined, 'the engine builds every column a variant reads');
      }
      active.length = 0;
      rowOnly.length = 0;
      for (const c of conjuncts) {
        if (c.vector !== undefined && c.vector.prepare()) active.push(c.vector);
        else rowOnly.push(c.row);
      }
      candidates?.prepare(entry);
      preparedAt = state.epoch;
      preparedEntry = entry;
      return entry.rowCount;
    };
    /** Filters the first `size` rows of `sel` and hands the survivors to `consumer`. */
    const filterBatch = (size: number, consumer: (sel: Int32Array, n: number) => boolean): boolean => {
      let n = size;
      for (let k = 0; k < active.length && n > 0; k++) n = (active[k] as VecPredicate).filter(sel, n);
      if (rowOnly.length > 0 && n > 0) {
        let m = 0;
        outer: for (let j = 0; j < n; j++) {
          const row = sel[j] as number;
          cur.i = row;
          for (let k = 0; k < rowOnly.length; k++) if (!(rowOnly[k] as Predicate)()) continue outer;
          sel[m++] = row;
        }
        n = m;
      }
      return n === 0 || consumer(sel, n);
    };
    /** Feeds the rows that pass the filter to `consumer`, a batch at a time, in scan order. */
    const batches = (consumer: (sel: Int32Array, n: number) => boolean): boolean => {
      const total = prepare();
      if (candidates !== undefined) return candidates.batches(sel, reverse, (size: number) => filterBatch(size, consumer));
      for (let b = 0; b < total; b += vectorBatchRows) {
        const size = Math.min(vectorBatchRows, total - b);
        if (!reverse) for (let j = 0; j < size; j++) sel[j] = b + j;
        else for (let j = 0; j < size; j++) sel[j] = total - 1 - b - j;
        if (!filterBatch(size, consumer)) return false;
      }
      return true;
    };
    return {
      scope,
      run: (sink) =>
        batches((rows, n) => {
          for (let j = 0; j < n; j++) {
            cur.i = rows[j] as number;
            if (!sink()) return false;
          }
          return true;
        }),
      columnar: { batches, context, cur, bind: prepare, entry: () => slot.entry, fixed: node.access.kind === 'full' && node.filter.every(readsOnlyRow) },
    };
  }

  /**
   * The candidate rows of a keyed columnar read, per run: the key values are
   * read (they may come from an enclosing row) and converted to the key
   * domain as the store's key encoding would, then located by binary search
   * (primary key) or in the ordering (index). A value with no numeric key
   * form leaves the range as wide as the prefix before it: the filter, which
   * holds every conjunct, decides.
   */
  private columnarCandidates(
    access: Exclude<Access, { kind: 'full' }>,
    table: TableDef,
    slot: ColumnarSlot,
    holderOf: (stored: number) => VectorHolder,
    outer: CompileScope,
  ): ColumnarCandidates {
    const compiler = new ExprCompiler(this, outer);
    const columns = access.kind === 'primary' ? table.primaryKey : access.index.columns;
    const eq = access.eq.map((e) => ({ get: compiler.value(e), type: e.type }));
    const bound = (b: KeyBound | undefined) => (b === undefined ? undefined : { get: compiler.value(b.expr), type: b.expr.type, inclusive: b.inclusive });
    const low = bound(access.low);
    const high = bound(access.high);
    const setValues = access.inSet === undefined ? undefined : this.setValues(access.inSet, compiler, outer);
    const colTypes = columns.map((c) => table.storedTypes[c] as ColumnType);
    if (access.kind === 'primary') {
      // Every key column the read narrows by is read by binary search.
      const used = Math.min(columns.length, access.eq.length + (low !== undefined || high !== undefined || setValues !== undefined ? 1 : 0));
      const keyHolders = columns.slice(0, used).map((c) => holderOf(c));
      return primaryCandidates(keyHolders, colTypes, eq, low, high, setValues);
    }
    const first = columns[0] as number;
    holderOf(first);
    slot.orderings.add(first);
    return indexCandidates(first, colTypes[0] as ColumnType, eq[0], eq.length === 0 ? low : undefined, eq.length === 0 ? high : undefined, eq.length === 0 ? setValues : undefined);
  }

  // -------------------------------------------------------------------------
  // Joins
  // -------------------------------------------------------------------------

  /** A scope whose columns of `sources` read the materialized row `holder.row`, registering each column read. */
  private materializedScope(inner: Compiled, outer: CompileScope, innerSources: ReadonlySet<number>, holder: { row: SqlValue[] }, getters: Getter[]): CompileScope {
    const index = new Map<string, number>();
    return sourceScope(outer, (s, column) => {
      if (!innerSources.has(s.id)) return undefined;
      const key = `${s.id}:${column}`;
      let i = index.get(key);
      if (i === undefined) {
        const g = findColumn(inner.scope, s, column);
        assert(g !== undefined, 'materialized columns resolve in their input');
        i = getters.length;
        getters.push(g);
        index.set(key, i);
      }
      const at = i;
      return () => holder.row[at] as SqlValue;
    });
  }

  /**
   * Hash join: the build side goes into a table once per execution (or per
   * outer row when it reads one), the probe side streams past it.
   *
   * - Numeric keys (numbers, dates, timestamps on both sides) go into a
   *   `NumberKeyTable`, which allocates nothing per row; other keys into
   *   nested Maps, one level per key column, so no key string is built.
   * - Rows with the same key are chained through `next`.
   * - A build side that is one columnar scan is not materialized: the table
   *   keeps row indexes and a match points the scan's cursor at its row, so
   *   the build side's columns are read from the cache's vectors.
   */
  private hashJoin(node: Extract<PlanNode, { kind: 'hashJoin' }>, outer: CompileScope): Compiled {
    const probe = this.node(node.probe, outer);
    const build = this.node(node.build, outer);
    const buildSources = sourcesOfPlan(node.build);
    const late = build.columnar !== undefined ? build.columnar.cur : undefined;
    const holder = { row: [] as SqlValue[] };
    const buildGetters: Getter[] = [];
    // Late materialization: build-side columns read through the scan's own scope.
    let nulls = false;
    const buildScope: CompileScope =
      late === undefined
        ? this.materializedScope(build, probe.scope, buildSources, holder, buildGetters)
        : sourceScope(probe.scope, (s, column) => {
            if (!buildSources.has(s.id)) return undefined;
            const g = findColumn(build.scope, s, column);
            assert(g !== undefined, 'build columns resolve in the build scan');
            return () => (nulls ? null : g());
          });
    const probeKeys = keyReaders(node.probeKeys.map((e) => new ExprCompiler(this, probe.scope).value(e)), node.probeKeys);
    const buildKeys = keyReaders(node.buildKeys.map((e) => new ExprCompiler(this, build.scope).value(e)), node.buildKeys);
    const depth = probeKeys.length;
    const numeric = node.probeKeys.every((e, i) => numberDomain(e.type) && numberDomain((node.buildKeys[i] as BoundExpr).type)) && depth <= numberKeyColumnsMax;
    const residual = predicateOf(new ExprCompiler(this, buildScope), node.residual);
    const left = node.join === 'left';
    const state = this.state;
    const cacheable = !dependsOnOuter(node.build);
    let builtAt = -1;
    const key = new Float64Array(depth);
    let numbers = new NumberKeyTable(Math.max(1, depth));
    let maps = new Map<number | string, unknown>();
    /** Per key id: the last build row with that key (the head of its chain). */
    let heads: Int32Array = new Int32Array(64);
    /** Per build row: the previous row with the same key, or -1. */
    let next: Int32Array = new Int32Array(64);
    /** Per build row: its row index in the cache (late) or its materialized values. */
    let rowIndexes: Int32Array = new Int32Array(64);
    let rows: SqlValue[][] = [];
    let count = 0;
    /** Reads the build row's key; false when a column is NULL (it never matches). */
    const readKey = (readers: readonly KeyReader[]): boolean => {
      for (let i = 0; i < depth; i++) {
        const v = (readers[i] as KeyReader)();
        if (v === null) return false;
        key[i] = v as number;
      }
      return true;
    };
    const mapHead = (readers: readonly KeyReader[], create: boolean): { m: Map<number | string, unknown>; last: number | string } | undefined => {
      let m = maps;
      for (let i = 0; i < depth - 1; i++) {
        const v = (readers[i] as KeyReader)();
        if (v === null) return undefined;
        let inner = m.get(v) as Map<number | string, unknown> | undefined;
        if (inner === undefined) {
          if (!create) return undefined;
          inner = new Map();
          m.set(v, inner);
        }
        m = inner;
      }
      const last = (readers[depth - 1] as KeyReader)();
      if (last === null) return undefined;
      return { m, last };
    };
    // A build side that is a whole cached table under a fixed filter yields
    // the same rows while its entry is the same: the table is kept across
    // executions (dimension tables are built once, not per query).
    const fixed = cacheable && late !== undefined && build.columnar?.fixed === true;
    let builtEntry: ColumnarTable | undefined;
    const buildTable = () => {
      if (cacheable && builtAt === state.epoch) return;
      if (fixed && builtEntry !== undefined && builtEntry === (build.columnar as NonNullable<Compiled['columnar']>).entry()) {
        // The scan's vectors still point at this entry: matches read them in place.
        builtAt = state.epoch;
        return;
      }
      builtAt = state.epoch;
      builtEntry = undefined;
      numbers = new NumberKeyTable(Math.max(1, depth), Math.max(16, Math.min(node.build.estimate, 1 << 20)));
      maps = new Map();
      rows = [];
      count = 0;
      build.run(() => {
        let previous: number;
        if (numeric) {
          if (!readKey(buildKeys)) return true;
          const before = numbers.size;
          const id = numbers.insert(key);
          if (id >= heads.length) heads = grown(heads, id);
          previous = numbers.size > before ? -1 : (heads[id] as number);
          heads[id] = count;
        } else {
          const at = mapHead(buildKeys, true);
          if (at === undefined) return true;
          const head = at.m.get(at.last) as number | undefined;
          previous = head ?? -1;
          at.m.set(at.last, count);
        }
        if (count >= next.length) {
          next = grown(next, count);
          if (late !== undefined) rowIndexes = grown(rowIndexes, count);
        }
        next[count] = previous;
        if (late !== undefined) {
          rowIndexes[count] = late.i;
        } else {
          const row = new Array<SqlValue>(buildGetters.length);
          for (let i = 0; i < buildGetters.length; i++) row[i] = (buildGetters[i] as Getter)();
          rows.push(row);
        }
        count++;
        return true;
      });
      if (fixed) builtEntry = (build.columnar as NonNullable<Compiled['columnar']>).entry();
    };
    const headOf = (): number => {
      if (numeric) {
        if (!readKey(probeKeys)) return -1;
        const id = numbers.find(key);
        return id < 0 ? -1 : (heads[id] as number);
      }
      const at = mapHead(probeKeys, false);
      if (at === undefined) return -1;
      return (at.m.get(at.last) as number | undefined) ?? -1;
    };
    return {
      scope: buildScope,
      run: (sink) => {
        buildTable();
        const nullRow = new Array<SqlValue>(buildGetters.length).fill(null);
        return probe.run(() => {
          let matched = false;
          for (let j = headOf(); j >= 0; j = next[j] as number) {
            if (late !== undefined) late.i = rowIndexes[j] as number;
            else holder.row = rows[j] as SqlValue[];
            if (residual !== undefined && !residual()) continue;
            matched = true;
            if (!sink()) return false;
          }
          if (left && !matched) {
            if (late !== undefined) {
              nulls = true;
              const r = sink();
              nulls = false;
              return r;
            }
            holder.row = nullRow;
            return sink();
          }
          return true;
        });
      },
    };
  }

  private loopJoin(node: Extract<PlanNode, { kind: 'nestedLoop' }>, outer: CompileScope): Compiled {
    const outerNode = this.node(node.outer, outer);
    const inner = this.node(node.inner, outer);
    const innerSources = sourcesOfPlan(node.inner);
    const holder = { row: [] as SqlValue[] };
    const innerGetters: Getter[] = [];
    const scope = this.materializedScope(inner, outerNode.scope, innerSources, holder, innerGetters);
    const condition = predicateOf(new ExprCompiler(this, scope), node.condition);
    const left = node.join === 'left';
    const state = this.state;
    const cacheable = !dependsOnOuter(node.inner);
    let builtAt = -1;
    let rows: SqlValue[][] = [];
    return {
      scope,
      run: (sink) => {
        if (!cacheable || builtAt !== state.epoch) {
          builtAt = state.epoch;
          rows = [];
          inner.run(() => {
            rows.push(innerGetters.map((g) => g()));
            return true;
          });
        }
        const nullRow = new Array<SqlValue>(innerGetters.length).fill(null);
        return outerNode.run(() => {
          let matched = false;
          for (let j = 0; j < rows.length; j++) {
            holder.row = rows[j] as SqlValue[];
            if (condition !== undefined && !condition()) continue;
            matched = true;
            if (!sink()) return false;
          }
          if (left && !matched) {
            holder.row = nullRow;
            return sink();
          }
          return true;
        });
      },
    };
  }

  /** Index nested loop: the inner scan's keys read the outer row; it runs once per outer row. */
  private lookupJoin(node: Extract<PlanNode, { kind: 'nestedLoop' }>, outer: CompileScope): Compiled {
    const outerNode = this.node(node.outer, outer);
    const inner = this.node(node.inner, outerNode.scope);
    const innerSources = sourcesOfPlan(node.inner);
    const left = node.join === 'left';
    let nulls = false;
    const scope: CompileScope = left
      ? sourceScope(outerNode.scope, (s, column) => {
          if (!innerSources.has(s.id)) return undefined;
          const g = findColumn(inner.scope, s, column);
          assert(g !== undefined, 'inner columns resolve in the inner scan');
          return () => (nulls ? null : g());
        })
      : inner.scope;
    const condition = predicateOf(new ExprCompiler(this, scope), node.condition);
    return {
      scope,
      run: (sink) =>
        outerNode.run(() => {
          let matched = false;
          let stop = false;
          nulls = false;
          inner.run(() => {
            if (condition !== undefined && !condition()) return true;
            matched = true;
            if (!sink()) {
              stop = true;
              return false;
            }
            return true;
          });
          if (stop) return false;
          if (left && !matched) {
            nulls = true;
            const r = sink();
            nulls = false;
            return r;
          }
          return true;
        }),
    };
  }
}

/**
 * Aggregation fed by a columnar scan, a batch at a time: group slots from
 * dictionary codes, aggregate arguments as vectors. Returns undefined when
 * the shape has no vector form, and the returned function returns false
 * (having done nothing) when this execution cannot use it.
 */
function vectorAggregation(
  spec: NonNullable<SelectPlan['aggregate']>,
  columnar: NonNullable<Compiled['columnar']>,
  accumulators: readonly Accumulator[],
): ((newGroup: () => number) => boolean) | undefined {
  const ctx = columnar.context;
  const keys = spec.groupBy.length > 0 ? compileVecGroupKeys(spec.groupBy, ctx) : undefined;
  if (spec.groupBy.length > 0 && keys === undefined) return undefined;
  type Part = { kind: 'row' } | { kind: 'count' } | { kind: 'countArg' | 'sum' | 'minmax'; v: VecNumber };
  const parts: Part[] = spec.aggregates.map((a) => {
    if (a.distinct || a.fn === 'ANY') return { kind: 'row' };
    if (a.fn === 'COUNT' && a.arg === undefined) return { kind: 'count' };
    const v = a.arg === undefined ? undefined : compileVecNumber(a.arg, ctx);
    if (v === undefined) return { kind: 'row' };
    if (a.fn === 'COUNT') return { kind: 'countArg', v };
    if (a.fn === 'MIN' || a.fn === 'MAX') return { kind: 'minmax', v };
    return { kind: 'sum', v };
  });
  if (parts.every((p) => p.kind === 'row')) return undefined;
  const cur = columnar.cur;
  const gids = new Int32Array(vectorBatchRows);
  const vals = new Float64Array(vectorBatchRows);
  return (newGroup) => {
    // The vectors must be this execution's before any vector form is prepared.
    columnar.bind();
    if (keys !== undefined && !keys.prepare()) return false;
    const modes = parts.map((p) => (p.kind === 'row' || p.kind === 'count' ? p.kind : p.v.prepare() ? p.kind : 'row'));
    const only = keys === undefined ? newGroup() : -1;
    const create = (row: number): number => {
      cur.i = row;
      return newGroup();
    };
    columnar.batches((sel, n) => {
      if (keys !== undefined) keys.groups(sel, n, gids, create);
      else gids.fill(only, 0, n);
      for (let a = 0; a < parts.length; a++) {
        const acc = accumulators[a] as Accumulator;
        const part = parts[a] as Part;
        switch (modes[a]) {
          case 'count':
          case 'countArg':
            (acc as CountAccumulator).countBatch(gids, n);
            break;
          case 'sum':
            (part as { v: VecNumber }).v.eval(sel, n, vals);
            (acc as SumAccumulator).addBatch(gids, vals, n);
            break;
          case 'minmax':
            (part as { v: VecNumber }).v.eval(sel, n, vals);
            (acc as MinMaxAccumulator).addBatch(gids, vals, n);
            break;
          default:
            for (let j = 0; j < n; j++) {
              cur.i = sel[j] as number;
              acc.add(gids[j] as number);
            }
        }
      }
      return true;
    });
    return true;
  };
}

interface SelectRunner {
  readonly getters: readonly Getter[];
  run(sink: () => boolean): boolean;
  /** Where ORDER BY expressions that are not outputs are evaluated. */
  readonly rowScope: CompileScope;
}

function withOutputs(scope: CompileScope, getters: readonly Getter[]): CompileScope {
  return { ...scope, output: (index) => getters[index], parent: scope.parent };
}

function outputScope(getters: readonly Getter[], parent: CompileScope): CompileScope {
  return { column: () => undefined, aggregate: () => undefined, groupKey: () => undefined, output: (index) => getters[index], parent };
}

function findColumn(scope: CompileScope | undefined, source: BoundSource, column: number): Getter | undefined {
  for (let s = scope; s !== undefined; s = s.parent) {
    const g = s.column(source, column);
    if (g !== undefined) return g;
  }
  return undefined;
}

function predicateOf(compiler: ExprCompiler, conjuncts: readonly BoundExpr[]): Predicate | undefined {
  if (conjuncts.length === 0) return undefined;
  const preds = conjuncts.map((c) => compiler.isTrue(c));
  if (preds.length === 1) return preds[0];
  if (preds.length === 2) {
    const [a, b] = preds as [Predicate, Predicate];
    return () => a() && b();
  }
  return () => {
    for (let i = 0; i < preds.length; i++) if (!(preds[i] as Predicate)()) return false;
    return true;
  };
}

/** The ids of the sources a plan subtree produces. */
export function sourcesOfPlan(node: PlanNode, out: Set<number> = new Set()): Set<number> {
  switch (node.kind) {
    case 'scan':
    case 'values':
      out.add(node.source.id);
      break;
    case 'single':
      break;
    case 'filter':
      sourcesOfPlan(node.input, out);
      break;
    case 'hashJoin':
      sourcesOfPlan(node.probe, out);
      sourcesOfPlan(node.build, out);
      break;
    case 'nestedLoop':
      sourcesOfPlan(node.outer, out);
      sourcesOfPlan(node.inner, out);
      break;
  }
  return out;
}

/** Whether a subtree reads a row from outside it (a correlated reference), so it cannot be cached per execution. */
function dependsOnOuter(node: PlanNode): boolean {
  const own = sourcesOfPlan(node);
  let depends = false;
  const check = (e: BoundExpr) => {
    if (depends) return;
    const refs = refsOfExpr(e);
    for (const id of refs) if (!own.has(id)) depends = true;
  };
  const visit = (n: PlanNode): void => {
    switch (n.kind) {
      case 'scan':
        n.filter.forEach(check);
        if (n.access.kind !== 'full') {
          n.access.eq.forEach(check);
          if (n.access.low) check(n.access.low.expr);
          if (n.access.high) check(n.access.high.expr);
        }
        break;
      case 'values':
        n.filter.forEach(check);
        if (n.source.query !== undefined && n.source.query.outerRefs.size > 0) depends = true;
        break;
      case 'single':
        n.filter.forEach(check);
        break;
      case 'filter':
        n.filter.forEach(check);
        visit(n.input);
        break;
      case 'hashJoin':
        n.residual.forEach(check);
        n.probeKeys.forEach(check);
        n.buildKeys.forEach(check);
        visit(n.probe);
        visit(n.build);
        break;
      case 'nestedLoop':
        n.condition.forEach(check);
        visit(n.outer);
        visit(n.inner);
        break;
    }
  };
  visit(node);
  return depends;
}

function refsOfExpr(e: BoundExpr, out: Set<number> = new Set()): Set<number> {
  if (e.kind === 'column') out.add(e.source.id);
  else if (e.kind === 'exists' || e.kind === 'subquery' || e.kind === 'inSubquery') for (const id of e.query.outerRefs) out.add(id);
  childrenOf(e).forEach((c) => refsOfExpr(c, out));
  return out;
}

function childrenOf(e: BoundExpr): BoundExpr[] {
  const out: BoundExpr[] = [];
  forEachRowChild(e, (child) => void out.push(child));
  return out;
}

// ---------------------------------------------------------------------------
// Column getters
// ---------------------------------------------------------------------------

/** A getter reading one stored column of the row under `cursor`, in place. */
function rowColumnGetter(table: TableDef, column: number, cursor: RowCursor): Getter {
  const layout = table.layout;
  const kind = layout.kinds[column];
  const slot = layout.slots[column] as number;
  const nullByte = 1 + (column >> 3);
  const nullBit = 1 << (column & 7);
  const notNull = (table.columns[column]?.notNull ?? false) || table.primaryKey.includes(column);
  if (kind === 'f64') {
    if (notNull) return () => cursor.view.getFloat64(cursor.pos + slot, true);
    return () => (((cursor.u8[cursor.pos + nullByte] as number) & nullBit) !== 0 ? null : cursor.view.getFloat64(cursor.pos + slot, true));
  }
  if (kind === 'bool') {
    return () => (((cursor.u8[cursor.pos + nullByte] as number) & nullBit) !== 0 ? null : (cursor.u8[cursor.pos + slot] as number));
  }
  if (table.storedTypes[column] === 'BLOB') {
    return () => (((cursor.u8[cursor.pos + nullByte] as number) & nullBit) !== 0 ? null : cursor.blob(column));
  }
  // TEXT: decode once per row even when read several times.
  let lastSeq = -1;
  let lastValue: SqlValue = null;
  return () => {
    if (cursor.seq === lastSeq) return lastValue;
    if (((cursor.u8[cursor.pos + nullByte] as number) & nullBit) !== 0) return null;
    const end = cursor.varEnd(column);
    lastValue = utf8Slice(cursor.u8, cursor.varStart(column), end);
    lastSeq = cursor.seq;
    return lastValue;
  };
}

/**
 * A getter reading one column of the cached row `cur.i`. The vector's kind
 * follows from the column's slot kind (f64, bool), except for TEXT, whose
 * vector is dictionary-coded or plain strings depending on the data.
 */
function vectorGetter(holder: VectorHolder, cur: { i: number }, notNull: boolean, kind: SlotKind): Getter {
  if (kind === 'f64') {
    type F64 = Extract<ColumnVector, { kind: 'f64' }>;
    if (notNull) return () => (holder.vector as F64).data[cur.i] as number;
    return () => {
      const v = holder.vector as F64;
      const i = cur.i;
      return v.nulls !== null && v.nulls[i] === 1 ? null : (v.data[i] as number);
    };
  }
  if (kind === 'bool') {
    return () => {
      const b = (holder.vector as Extract<ColumnVector, { kind: 'bool' }>).data[cur.i] as number;
      return b === 255 ? null : b;
    };
  }
  return () => {
    const v = holder.vector as ColumnVector;
    const i = cur.i;
    if (v.kind === 'dict') {
      const code = v.codes[i] as number;
      return code < 0 ? null : (v.dict[code] as string);
    }
    return (v as Extract<ColumnVector, { kind: 'strings' | 'blobs' }>).data[i] as SqlValue;
  };
}

/** Whether an expression reads nothing but the current row and constants (no parameter, no subquery). */
function readsOnlyRow(e: BoundExpr): boolean {
  if (e.kind === 'param' || e.kind === 'exists' || e.kind === 'subquery' || e.kind === 'inSubquery') return false;
  return childrenOf(e).every(readsOnlyRow);
}

/** Whether values of a static type are numbers at run time (hash-joinable as numbers). */
function numberDomain(t: ValueType): boolean {
  return t === 'integer' || t === 'real' || t === 'boolean' || t === 'date' || t === 'timestamp';
}

/** `a` doubled until index `at` fits, its contents kept. */
function grown(a: Int32Array, at: number): Int32Array {
  let size = a.length * 2;
  while (size <= at) size *= 2;
  const out = new Int32Array(size);
  out.set(a);
  return out;
}

/** Reads one join key of the current row as a Map key (blobs as tagged strings), or null for NULL. */
type KeyReader = () => number | string | null;

function keyReaders(getters: readonly Getter[], exprs: readonly BoundExpr[]): KeyReader[] {
  return getters.map((g, i) => {
    if ((exprs[i] as BoundExpr).type === 'blob') {
      return () => {
        const v = g();
        return v === null ? null : blobKey(v as Uint8Array);
      };
    }
    return g as KeyReader;
  });
}

// ---------------------------------------------------------------------------
// Sorting
// ---------------------------------------------------------------------------

function rowComparator(orderBy: readonly BoundOrder[], keyIndex: readonly number[], keyTypes: readonly ValueType[]): (a: SqlValue[], b: SqlValue[]) => number {
  const n = orderBy.length;
  const desc = orderBy.map((o) => (o.descending ? -1 : 1));
  const nullsFirst = orderBy.map((o) => o.nullsFirst);
  const numeric = keyTypes.map((t) => t === 'integer' || t === 'real' || t === 'boolean' || t === 'date' || t === 'timestamp');
  const text = keyTypes.map((t) => t === 'text');
  return (a, b) => {
    for (let i = 0; i < n; i++) {
      const k = keyIndex[i] as number;
      const x = a[k] as SqlValue;
      const y = b[k] as SqlValue;
      if (x === null || y === null) {
        if (x === y) continue;
        // NULLs sort by their own rule, independent of the direction.
        return (x === null) === (nullsFirst[i] as boolean) ? -1 : 1;
      }
      let c: number;
      if (numeric[i]) c = (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
      else if (text[i]) c = compareText(x as string, y as string);
      else c = compareValues(x, y);
      if (c !== 0) return c * (desc[i] as number);
    }
    return 0;
  };
}

/** Keeps the `k` smallest rows offered (a bounded max-heap), for ORDER BY ... LIMIT. */
class TopN {
  private readonly heap: SqlValue[][] = [];

  constructor(
    private readonly k: number,
    private readonly compare: (a: SqlValue[], b: SqlValue[]) => number,
  ) {}

  offer(getters: readonly Getter[]): void {
    const heap = this.heap;
    if (heap.length < this.k) {
      const row = getters.map((g) => g());
      heap.push(row);
      this.up(heap.length - 1);
      return;
    }
    // Compare against the largest kept row before materializing.
    const row = getters.map((g) => g());
    if (this.compare(row, heap[0] as SqlValue[]) >= 0) return;
    heap[0] = row;
    this.down(0);
  }

  private up(i: number): void {
    const heap = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.compare(heap[i] as SqlValue[], heap[p] as SqlValue[]) <= 0) break;
      [heap[i], heap[p]] = [heap[p] as SqlValue[], heap[i] as SqlValue[]];
      i = p;
    }
  }

  private down(i: number): void {
    const heap = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && this.compare(heap[l] as SqlValue[], heap[m] as SqlValue[]) > 0) m = l;
      if (r < heap.length && this.compare(heap[r] as SqlValue[], heap[m] as SqlValue[]) > 0) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m] as SqlValue[], heap[i] as SqlValue[]];
      i = m;
    }
  }

  sorted(): SqlValue[][] {
    // Stable with respect to arrival is not required: SQL leaves ties unordered.
    return this.heap.slice().sort(this.compare);
  }
}

function compositeOf(row: readonly SqlValue[]): string {
  let s = '';
  for (let i = 0; i < row.length; i++) s += componentKey(row[i] as SqlValue);
  return s;
}

function limitValue(v: SqlValue, what: string): number {
  if (v === null) throw new FairdbError('TYPE', `${what} must be an integer, not NULL`);
  let n: number | undefined;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') n = textAsWholeNumber(v);
  if (n === undefined || !Number.isInteger(n)) throw new FairdbError('TYPE', `${what} must be an integer`);
  return n < 0 ? -1 : n;
}

/** A virtual table's JS value converted to the column's run-time value. */
function fromVirtual(table: string, column: { name: string; type: ColumnType }, raw: unknown): SqlValue {
  let v: SqlValue;
  if (raw === null || raw === undefined) v = null;
  else if (typeof raw === 'boolean') v = raw ? 1 : 0;
  else if (typeof raw === 'number' || typeof raw === 'string') v = raw;
  else if (typeof raw === 'bigint') v = Number(raw);
  else if (raw instanceof Date) v = raw.toISOString();
  else if (raw instanceof Uint8Array) v = raw;
  else throw new FairdbError('TYPE', `virtual table ${table} returned a ${typeof raw} for column ${column.name}`);
  return coerceToColumn({ name: column.name, type: column.type, notNull: false, defaultValue: null }, v, 'any');
}

// ---------------------------------------------------------------------------
// Aggregate accumulators
// ---------------------------------------------------------------------------

interface Accumulator {
  reset(): void;
  init(group: number): void;
  /** Adds the current row; returns true when the aggregate's value changed (MIN/MAX). */
  add(group: number): boolean;
  result(group: number): SqlValue;
}

/** Growable Float64Array. */
class F64 {
  data = new Float64Array(16);
  ensure(i: number): void {
    if (i < this.data.length) return;
    let size = this.data.length;
    while (size <= i) size *= 2;
    const next = new Float64Array(size);
    next.set(this.data);
    this.data = next;
  }
}

class CountAccumulator implements Accumulator {
  private counts = new F64();
  constructor(private readonly arg: Getter | undefined) {}
  reset(): void {
    // Storage is kept across executions: init() sets every group it hands out.
  }
  init(g: number): void {
    this.counts.ensure(g);
    this.counts.data[g] = 0;
  }
  add(g: number): boolean {
    if (this.arg === undefined || this.arg() !== null) (this.counts.data[g] as number)++;
    return false;
  }
  /** Counts one row per entry of `gids` (no NULL argument). */
  countBatch(gids: Int32Array, n: number): void {
    const counts = this.counts.data;
    for (let j = 0; j < n; j++) counts[gids[j] as number]++;
  }
  result(g: number): SqlValue {
    return this.counts.data[g] as number;
  }
}

/**
 * SUM, TOTAL and AVG with Kahan-Babuska-Neumaier compensation, as SQLite
 * (3.43 and later) sums REALs; INTEGER sums are plain (exact within 2^53).
 */
class SumAccumulator implements Accumulator {
  private sums = new F64();
  private comps = new F64();
  private counts = new F64();
  constructor(
    private readonly arg: Getter,
    private readonly mode: 'SUM' | 'TOTAL' | 'AVG',
    private readonly exact: boolean,
    private readonly numeric: boolean,
  ) {}
  reset(): void {
    // Storage is kept across executions: init() sets every group it hands out.
  }
  init(g: number): void {
    this.sums.ensure(g);
    this.comps.ensure(g);
    this.counts.ensure(g);
    this.sums.data[g] = 0;
    this.comps.data[g] = 0;
    this.counts.data[g] = 0;
  }
  add(g: number): boolean {
    const raw = this.arg();
    if (raw === null) return false;
    const v = this.numeric ? (raw as number) : (toNumber(raw) as number);
    const sums = this.sums.data;
    (this.counts.data[g] as number)++;
    if (this.exact) {
      sums[g] = (sums[g] as number) + v;
      return false;
    }
    const s = sums[g] as number;
    const t = s + v;
    if (Math.abs(s) >= Math.abs(v)) this.comps.data[g] = (this.comps.data[g] as number) + (s - t + v);
    else this.comps.data[g] = (this.comps.data[g] as number) + (v - t + s);
    sums[g] = t;
    return false;
  }
  /** Adds `vals[j]` to group `gids[j]` for j < n (no NULLs). */
  addBatch(gids: Int32Array, vals: Float64Array, n: number): void {
    const sums = this.sums.data;
    const counts = this.counts.data;
    if (this.exact) {
      for (let j = 0; j < n; j++) {
        const g = gids[j] as number;
        sums[g] = (sums[g] as number) + (vals[j] as number);
        counts[g]++;
      }
      return;
    }
    const comps = this.comps.data;
    for (let j = 0; j < n; j++) {
      const g = gids[j] as number;
      const v = vals[j] as number;
      const s = sums[g] as number;
      const t = s + v;
      comps[g] = (comps[g] as number) + (Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s);
      sums[g] = t;
      counts[g]++;
    }
  }
  result(g: number): SqlValue {
    const count = this.counts.data[g] as number;
    const sum = (this.sums.data[g] as number) + (this.exact ? 0 : (this.comps.data[g] as number));
    if (this.mode === 'TOTAL') return sum;
    if (count === 0) return null;
    if (this.mode === 'AVG') return sum / count;
    return Number.isNaN(sum) ? null : sum;
  }
}

class MinMaxAccumulator implements Accumulator {
  private values: SqlValue[] = [];
  constructor(
    private readonly arg: Getter,
    private readonly max: boolean,
    private readonly numeric: boolean,
  ) {}
  reset(): void {
    // Kept across executions: init() sets every group it hands out.
  }
  init(g: number): void {
    this.values[g] = null;
  }
  add(g: number): boolean {
    const v = this.arg();
    if (v === null) return false;
    const current = this.values[g] as SqlValue;
    if (current === null) {
      this.values[g] = v;
      return true;
    }
    const c = this.numeric ? (v as number) - (current as number) : compareValues(v, current);
    if (this.max ? c > 0 : c < 0) {
      this.values[g] = v;
      return true;
    }
    return false;
  }
  /** Numeric MIN/MAX over `vals[j]` for group `gids[j]`. */
  addBatch(gids: Int32Array, vals: Float64Array, n: number): void {
    const values = this.values;
    for (let j = 0; j < n; j++) {
      const g = gids[j] as number;
      const v = vals[j] as number;
      const current = values[g];
      if (current === null || current === undefined || (this.max ? v > (current as number) : v < (current as number))) values[g] = v;
    }
  }
  result(g: number): SqlValue {
    return this.values[g] as SqlValue;
  }
}

/** A bare column: the first row's value, or the value on the row that set the designated MIN/MAX. */
class AnyAccumulator implements Accumulator {
  private values: SqlValue[] = [];
  private set: boolean[] = [];
  constructor(
    private readonly arg: Getter,
    private readonly follows: boolean,
  ) {}
  reset(): void {
    this.values = [];
    this.set = [];
  }
  init(g: number): void {
    this.values[g] = null;
    this.set[g] = false;
  }
  add(g: number): boolean {
    if (!this.set[g]) {
      this.values[g] = this.arg();
      this.set[g] = true;
    }
    return false;
  }
  capture(g: number): void {
    if (this.follows) this.values[g] = this.arg();
  }
  result(g: number): SqlValue {
    return this.values[g] as SqlValue;
  }
}

/** Wraps an accumulator so that each group sees each distinct argument value once. */
class DistinctAccumulator implements Accumulator {
  private seen: Set<number | string>[] = [];
  constructor(
    private readonly inner: Accumulator,
    private readonly arg: Getter,
  ) {}
  reset(): void {
    this.seen = [];
    this.inner.reset();
  }
  init(g: number): void {
    this.seen[g] = new Set();
    this.inner.init(g);
  }
  add(g: number): boolean {
    const v = this.arg();
    if (v === null) return false;
    const k = valueKey(v) as number | string;
    const seen = this.seen[g] as Set<number | string>;
    if (seen.has(k)) return false;
    seen.add(k);
    return this.inner.add(g);
  }
  result(g: number): SqlValue {
    return this.inner.result(g);
  }
}

function newAccumulator(a: BoundAggregate, arg: Getter | undefined): Accumulator {
  const t = a.arg?.type;
  const numeric = t === 'integer' || t === 'real' || t === 'boolean';
  let acc: Accumulator;
  switch (a.fn) {
    case 'COUNT':
      acc = new CountAccumulator(arg);
      break;
    case 'SUM':
    case 'TOTAL':
    case 'AVG':
      acc = new SumAccumulator(arg as Getter, a.fn, (t === 'integer' || t === 'boolean') && a.fn === 'SUM', numeric);
      break;
    case 'MIN':
    case 'MAX':
      acc = new MinMaxAccumulator(arg as Getter, a.fn === 'MAX', numeric || t === 'date' || t === 'timestamp');
      break;
    case 'ANY':
      acc = new AnyAccumulator(arg as Getter, true);
      break;
  }
  if (a.distinct && arg !== undefined) acc = new DistinctAccumulator(acc, arg);
  return acc;
}

export type { Compiled };
