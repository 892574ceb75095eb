/**
 * The planner: turns a bound query into a physical plan (plan.ts).
 *
 * - WHERE and inner-join ON conditions are split into conjuncts; each is
 *   pushed down to the single table it reads, where it may choose the access
 *   path: a primary-key point lookup or range (equalities on a key prefix,
 *   then a bound on the next key column), or a secondary index lookup; every
 *   conjunct stays as a filter on the rows read, so an access path only ever
 *   narrows what is read and never decides the answer.
 * - Inner joins are ordered greedily: start from the table with the fewest
 *   estimated rows, then repeatedly add the connected table whose join keeps
 *   the estimate smallest, by an index nested-loop join when the new table
 *   can be looked up by key from few outer rows, else a hash join on the
 *   equality conjuncts that builds on the smaller side, else a nested loop.
 * - LEFT JOINs keep their order; their right side is the build side.
 * - Estimates come from the row counts the catalog keeps, the distinct
 *   values of columns the columnar cache has measured (an equality keeps
 *   1/distinct of the rows, a join on a non-unique key multiplies by the
 *   rows per key), key-prefix samples, the bounds of key columns, and fixed
 *   selectivities otherwise (equality 0.1, range 0.33, LIKE 0.25, ...).
 * - Costs (`planCost`) are in about microseconds of this engine's work, and
 *   depend on who serves a table's reads: the columnar cache (typed arrays:
 *   a full scan is a vector loop, a key lookup a binary search) or the store
 *   (a full scan visits every row, a key lookup is a random B+tree read).
 *   The engine plans every SELECT twice, assuming the columnar cache serves
 *   the tables it is likely to (`PlannerOptions.columnar`) and assuming it
 *   serves none, and runs the first only when the cache serves all its
 *   reads (engine.ts).
 * - ORDER BY ... LIMIT prefers a read in key order that stops after LIMIT
 *   rows when the key order is the ORDER BY.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { FairdbError } from '../storage/device/index.js';
import type { BoundExpr, BoundFrom, BoundOrder, BoundQuery, BoundSelect, BoundSetOp, BoundSource } from './bound.js';
import { forEachChild, sameExpr } from './binder.js';
import type { Catalog, IndexDef, TableDef } from './catalog.js';
import type { Access, InSet, KeyBound, PlanNode, QueryPlan, SelectPlan, SetOpPlan } from './plan.js';
import type { ValueType } from './sql-type.js';
import { addMonths, addMonthsToTimestamp, msPerDay } from './date-time.js';
import { columnarKeyable } from './columnar-access.js';

/**
 * Planner costs, each about a microsecond of work at this engine's measured
 * speeds (see bench/query/RESULTS.md): what reading a table costs depends on
 * whether the columnar cache or the store serves it.
 */
export const planCost = {
  /** Visiting one row of a sequential store read (a full scan or a key range). */
  storeRow: 0.15,
  /** A random read in the store: a point read, or positioning a range. */
  storeSeek: 2.5,
  /** One row of a full columnar scan, its vectorized filter included. */
  columnarRow: 0.01,
  /** Positioning a keyed columnar read (a binary search or an ordering lookup). */
  columnarSeek: 0.3,
  /** One candidate row of a keyed columnar read. */
  columnarCandidate: 0.03,
  /** A row handed to the operator above it. */
  outputRow: 0.05,
  /** Materializing one row into a join's hash table. */
  hashBuildRow: 0.2,
  /** Probing a join's hash table with one row. */
  hashProbeRow: 0.08,
  /** Sorting, per row and comparison level (rows · log2 rows). */
  sortRow: 0.02,
} as const;

/** Rows assumed for a LIMIT given by a parameter. */
const limitRowsGuess = 100;

export interface PlannerOptions {
  /**
   * Plan as if the columnar cache serves every table it is likely to
   * (`PlannerStats.columnarLikely`); false: plan for the store alone.
   */
  readonly columnar: boolean;
}

/** Estimated rows of a FROM subquery or virtual table, for ranking only. */
const derivedRowsEstimate = 1000;

export function planQuery(query: BoundQuery, catalog: Catalog, stats?: PlannerStats, options: PlannerOptions = { columnar: false }): E.Either<FairdbError, QueryPlan> {
  return E.right(new Planner(catalog, stats, options).query(query));
}

/**
 * Statistics the planner may ask for, beyond the catalog's row counts:
 * how many rows share one value of the first `k` columns of a key (the
 * primary key when `index` is undefined), or undefined when unknown.
 */
export interface PlannerStats {
  rowsPerKey(table: TableDef, index: IndexDef | undefined, k: number): number | undefined;
  /** Smallest and largest non-NULL value of a numeric (or date) column that starts the primary key or an index. */
  columnBounds(table: TableDef, storedColumn: number): { min: number; max: number } | undefined;
  /** Whether the columnar cache is likely to serve reads of `table` (a read-mostly table of some size). */
  columnarLikely(table: TableDef): boolean;
  /** Distinct non-NULL values of a stored column, when measured. */
  distinctValues(table: TableDef, storedColumn: number): number | undefined;
}

/** Source ids an expression reads (columns, and the outer references of its subqueries). */
export function refsOf(e: BoundExpr, out: Set<number> = new Set()): Set<number> {
  if (e.kind === 'column') out.add(e.source.id);
  else if (e.kind === 'exists' || e.kind === 'subquery' || e.kind === 'inSubquery') for (const id of e.query.outerRefs) out.add(id);
  forEachChild(e, (c) => refsOf(c, out));
  return out;
}

export function conjunctsOf(e: BoundExpr | undefined, out: BoundExpr[] = []): BoundExpr[] {
  if (e === undefined) return out;
  if (e.kind === 'and') {
    conjunctsOf(e.left, out);
    conjunctsOf(e.right, out);
  } else {
    out.push(e);
  }
  return out;
}

function subsetOf(a: ReadonlySet<number>, b: ReadonlySet<number>): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

function intersects(a: ReadonlySet<number>, b: ReadonlySet<number>): boolean {
  for (const x of a) if (b.has(x)) return true;
  return false;
}

/** Types whose run-time values hash and compare alike, so an equality between them can key a hash join. */
function hashDomain(t: ValueType): string | undefined {
  switch (t) {
    case 'integer':
    case 'real':
    case 'boolean':
      return 'number';
    case 'text':
      return 'text';
    case 'blob':
      return 'blob';
    case 'date':
      return 'date';
    case 'timestamp':
      return 'timestamp';
    default:
      return undefined;
  }
}

interface Planned {
  readonly node: PlanNode;
  readonly sources: ReadonlySet<number>;
  readonly estimate: number;
  /** Estimated work: rows read, hashed and probed. */
  readonly cost: number;
  /** For a single table: what an index nested-loop lookup needs. */
  readonly leaf: { readonly source: BoundSource; readonly filter: readonly BoundExpr[] } | undefined;
}

type Item = { readonly kind: 'leaf'; readonly source: BoundSource } | { readonly kind: 'left'; readonly left: BoundFrom; readonly right: BoundFrom; readonly on: BoundExpr | undefined };

function sourcesOfFrom(f: BoundFrom, out: Set<number> = new Set()): Set<number> {
  if (f.kind === 'source') out.add(f.source.id);
  else {
    sourcesOfFrom(f.left, out);
    sourcesOfFrom(f.right, out);
  }
  return out;
}

export class Planner {
  constructor(
    private readonly catalog: Catalog,
    private readonly stats?: PlannerStats,
    private readonly options: PlannerOptions = { columnar: false },
  ) {}

  /** Whether this plan assumes the columnar cache serves `table`. */
  private columnar(table: TableDef): boolean {
    return this.options.columnar && this.stats?.columnarLikely(table) === true;
  }

  /** Distinct values of a column of a base table, when measured. */
  private distinctOf(e: BoundExpr): number | undefined {
    if (e.kind !== 'column' || e.source.table === undefined || this.stats === undefined) return undefined;
    const d = this.stats.distinctValues(e.source.table, (e.source.columns[e.column] as { stored: number }).stored);
    return d === undefined || d <= 0 ? undefined : d;
  }

  /** The selectivity of conjuncts over one table, with what the engine knows of its columns. */
  private selectivityOf(conjuncts: readonly BoundExpr[], bounds?: ColumnBounds): number {
    return selectivity(conjuncts, bounds, (e) => this.distinctOf(e));
  }

  query(q: BoundQuery): QueryPlan {
    const saved = this.orderHint;
    this.orderHint = orderHintOf(q);
    let body: SelectPlan | SetOpPlan;
    try {
      body = q.body.kind === 'select' ? this.select(q.body) : this.setOp(q.body);
    } finally {
      this.orderHint = saved;
    }
    let ordered = false;
    if (body.kind === 'select' && q.orderBy.length > 0) ordered = this.orderBySatisfied(body, q.orderBy);
    return { body: ordered && body.kind === 'select' ? this.withReverse(body, q.orderBy) : body, orderBy: q.orderBy, ordered, limit: q.limit, offset: q.offset, width: q.columns.length };
  }

  private setOp(s: BoundSetOp): SetOpPlan {
    return { kind: 'setop', op: s.op, left: s.left.kind === 'select' ? this.select(s.left) : this.setOp(s.left), right: this.select(s.right) };
  }

  select(s: BoundSelect): SelectPlan {
    const own = new Set(s.sources.map((x) => x.id));
    const conjuncts = conjunctsOf(s.where);
    const from = s.from;
    const input = from === undefined ? this.single(conjuncts) : this.withLocal(own, () => this.from(from, conjuncts, own).node);
    return {
      kind: 'select',
      input,
      sources: s.sources,
      aggregate: s.aggregate ? { groupBy: s.groupBy, aggregates: s.aggregates, having: s.having, bareColumnsFrom: s.bareColumnsFrom } : undefined,
      items: s.items,
      distinct: s.distinct,
    };
  }

  private single(conjuncts: readonly BoundExpr[]): PlanNode {
    return { kind: 'single', filter: conjuncts, estimate: 1 };
  }

  // -------------------------------------------------------------------------
  // ORDER BY from the scan order
  // -------------------------------------------------------------------------

  /**
   * True when a single-table select without aggregation or DISTINCT reads its
   * table in primary-key order and the ORDER BY terms are the key columns
   * after the equality prefix, all ascending or all descending.
   */
  private orderBySatisfied(plan: SelectPlan, orderBy: readonly BoundOrder[]): boolean {
    if (plan.aggregate !== undefined || plan.distinct) return false;
    const scan = plan.input;
    if (scan.kind !== 'scan' || scan.source.table === undefined) return false;
    if (scan.access.kind === 'index') return false;
    const table = scan.source.table;
    const eq = scan.access.kind === 'primary' ? scan.access.eq.length : 0;
    const descending = (orderBy[0] as BoundOrder).descending;
    for (let i = 0; i < orderBy.length; i++) {
      const term = orderBy[i] as BoundOrder;
      if (term.descending !== descending) return false;
      let e = term.expr;
      if (e.kind === 'output') e = plan.items[e.index] as BoundExpr;
      if (e.kind !== 'column' || e.source.id !== scan.source.id) return false;
      const stored = (e.source.columns[e.column] as { stored: number }).stored;
      if (table.primaryKey[eq + i] !== stored) return false;
    }
    return true;
  }

  private withReverse(plan: SelectPlan, orderBy: readonly BoundOrder[]): SelectPlan {
    const scan = plan.input;
    if (scan.kind !== 'scan' || !(orderBy[0] as BoundOrder).descending) return plan;
    return { ...plan, input: { ...scan, reverse: true } };
  }

  // -------------------------------------------------------------------------
  // FROM
  // -------------------------------------------------------------------------

  private flatten(f: BoundFrom, items: Item[], conjuncts: BoundExpr[]): void {
    if (f.kind === 'source') {
      items.push({ kind: 'leaf', source: f.source });
      return;
    }
    if (f.type === 'LEFT') {
      items.push({ kind: 'left', left: f.left, right: f.right, on: f.on });
      return;
    }
    this.flatten(f.left, items, conjuncts);
    this.flatten(f.right, items, conjuncts);
    conjunctsOf(f.on, conjuncts);
  }

  private itemSources(item: Item): Set<number> {
    return item.kind === 'leaf' ? new Set([item.source.id]) : sourcesOfFrom({ kind: 'join', type: 'LEFT', left: item.left, right: item.right, on: item.on });
  }

  from(f: BoundFrom, conjunctsIn: readonly BoundExpr[], own: ReadonlySet<number>): Planned {
    const items: Item[] = [];
    const flat = [...conjunctsIn];
    this.flatten(f, items, flat);
    const itemSources = items.map((item) => this.itemSources(item));
    const localRefs = (e: BoundExpr) => {
      const refs = refsOf(e);
      return new Set([...refs].filter((id) => own.has(id)));
    };
    // Disjunctions: factor out what every branch shares (a join key hidden
    // in an OR, as in TPC-H Q19), and push down to each table the
    // disjunction of what each branch requires of it alone.
    const conjuncts: BoundExpr[] = [];
    for (const c of flat) {
      const factored = factorOr(c);
      conjuncts.push(...factored);
      for (const part of factored) {
        if (part.kind !== 'or') continue;
        for (const sources of itemSources) conjuncts.push(...impliedFor(part, sources, localRefs));
      }
    }
    // Push each conjunct to the one item that holds every table it reads;
    // conjuncts that read no table of this query go to the first item.
    const pushed: BoundExpr[][] = items.map(() => []);
    let pending: { expr: BoundExpr; refs: Set<number> }[] = [];
    // A correlated subquery runs once per row it is evaluated on: with
    // joins, evaluate it after them, on the fewest rows.
    const late: BoundExpr[] = [];
    for (const c of conjuncts) {
      const refs = localRefs(c);
      if (refs.size === 0) {
        (pushed[0] as BoundExpr[]).push(c);
        continue;
      }
      if (items.length > 1 && hasCorrelatedSubquery(c, own)) {
        late.push(c);
        continue;
      }
      const at = itemSources.findIndex((s) => subsetOf(refs, s));
      if (at >= 0) (pushed[at] as BoundExpr[]).push(c);
      else pending.push({ expr: c, refs });
    }
    const planned = items.map((item, i) => this.item(item, pushed[i] as BoundExpr[], own));
    if (planned.length === 1) return this.finishPending(planned[0] as Planned, pending);

    // Greedy join ordering from each starting table (all of them for up to
    // ten items): repeatedly add the connected item whose join costs least;
    // keep the cheapest complete order.
    const starts = planned.map((_, i) => i).sort((a, b) => (planned[a] as Planned).estimate - (planned[b] as Planned).estimate || a - b);
    let best: { plan: Planned; pending: typeof pending } | undefined;
    for (const start of starts.slice(0, planned.length <= 10 ? planned.length : 3)) {
      const result = this.greedy(planned, start, pending);
      if (best === undefined || result.plan.cost < best.plan.cost) best = result;
    }
    const chosen = best as { plan: Planned; pending: typeof pending };
    return this.finishPending(chosen.plan, [...chosen.pending, ...late.map((expr) => ({ expr }))]);
  }

  private greedy(
    planned: readonly Planned[],
    start: number,
    pendingIn: readonly { expr: BoundExpr; refs: Set<number> }[],
  ): { plan: Planned; pending: { expr: BoundExpr; refs: Set<number> }[] } {
    let pending = [...pendingIn];
    const remaining = planned.map((p, i) => ({ p, i })).filter((r) => r.i !== start);
    let current = planned[start] as Planned;
    while (remaining.length > 0) {
      let best: { index: number; step: JoinStep } | undefined;
      for (let r = 0; r < remaining.length; r++) {
        const cand = (remaining[r] as { p: Planned }).p;
        const union = new Set([...current.sources, ...cand.sources]);
        const applicable = pending.filter((c) => subsetOf(c.refs, union) && intersects(c.refs, cand.sources));
        const step = this.joinStep(current, cand, applicable.map((c) => c.expr));
        if (best === undefined || (step.connected && !best.step.connected) || (step.connected === best.step.connected && step.cost < best.step.cost)) {
          best = { index: r, step };
        }
      }
      const chosen = best as { index: number; step: JoinStep };
      const used = new Set(chosen.step.used);
      pending = pending.filter((c) => !used.has(c.expr));
      remaining.splice(chosen.index, 1);
      current = { node: chosen.step.node, sources: chosen.step.sources, estimate: chosen.step.estimate, cost: chosen.step.cost, leaf: undefined };
    }
    return { plan: current, pending };
  }

  private finishPending(p: Planned, pending: readonly { expr: BoundExpr }[]): Planned {
    if (pending.length === 0) return p;
    return { ...p, node: { kind: 'filter', input: p.node, filter: pending.map((c) => c.expr), estimate: p.estimate * 0.5 }, cost: p.cost + p.estimate * planCost.outputRow, leaf: undefined };
  }

  private item(item: Item, pushed: readonly BoundExpr[], own: ReadonlySet<number>): Planned {
    if (item.kind === 'leaf') return this.leaf(item.source, pushed, new Set());
    // LEFT JOIN: conjuncts on the preserved side go below the join; the
    // others filter its result.
    const leftSources = sourcesOfFrom(item.left);
    const rightSources = sourcesOfFrom(item.right);
    const below: BoundExpr[] = [];
    const above: BoundExpr[] = [];
    for (const c of pushed) {
      const refs = new Set([...refsOf(c)].filter((id) => own.has(id)));
      if (subsetOf(refs, leftSources)) below.push(c);
      else above.push(c);
    }
    const left = this.from(item.left, below, own);
    const on = conjunctsOf(item.on);
    const rightLocal: BoundExpr[] = [];
    const rest: BoundExpr[] = [];
    for (const c of on) {
      const refs = new Set([...refsOf(c)].filter((id) => own.has(id)));
      if (subsetOf(refs, rightSources)) rightLocal.push(c);
      else rest.push(c);
    }
    const right = this.from(item.right, rightLocal, own);
    const sources = new Set([...leftSources, ...rightSources]);
    const keys = this.equiKeys(rest, leftSources, rightSources);
    let node: PlanNode;
    const estimate = Math.max(left.estimate, 1);
    if (keys.probe.length > 0) {
      node = { kind: 'hashJoin', join: 'left', probe: left.node, build: right.node, probeKeys: keys.probe, buildKeys: keys.build, residual: rest.filter((c) => !keys.used.includes(c)), estimate };
    } else {
      const lookup = right.leaf === undefined ? undefined : this.lookup(right.leaf.source, right.leaf.filter, rest, leftSources);
      if (lookup !== undefined) {
        node = { kind: 'nestedLoop', join: 'left', outer: left.node, inner: lookup.node, lookup: true, condition: rest, estimate };
      } else {
        node = { kind: 'nestedLoop', join: 'left', outer: left.node, inner: right.node, lookup: false, condition: rest, estimate };
      }
    }
    if (above.length > 0) node = { kind: 'filter', input: node, filter: above, estimate: estimate * 0.5 };
    const cost = left.cost + right.cost + right.estimate * planCost.hashBuildRow + left.estimate * planCost.hashProbeRow + estimate * planCost.outputRow;
    return { node, sources, estimate, cost, leaf: undefined };
  }

  /** Equality conjuncts usable as hash keys between two sets of tables. */
  private equiKeys(conjuncts: readonly BoundExpr[], probeSources: ReadonlySet<number>, buildSources: ReadonlySet<number>): { probe: BoundExpr[]; build: BoundExpr[]; used: BoundExpr[] } {
    const probe: BoundExpr[] = [];
    const build: BoundExpr[] = [];
    const used: BoundExpr[] = [];
    for (const c of conjuncts) {
      if (c.kind !== 'compare' || c.op !== '=') continue;
      const lr = refsOf(c.left);
      const rr = refsOf(c.right);
      const dl = hashDomain(c.left.type);
      if (dl === undefined || dl !== hashDomain(c.right.type)) continue;
      if (lr.size > 0 && rr.size > 0 && subsetOf(lr, probeSources) && subsetOf(rr, buildSources) && !intersects(lr, buildSources) && !intersects(rr, probeSources)) {
        probe.push(c.left);
        build.push(c.right);
        used.push(c);
      } else if (lr.size > 0 && rr.size > 0 && subsetOf(rr, probeSources) && subsetOf(lr, buildSources) && !intersects(rr, buildSources) && !intersects(lr, probeSources)) {
        probe.push(c.right);
        build.push(c.left);
        used.push(c);
      }
    }
    return { probe, build, used };
  }

  private joinStep(current: Planned, cand: Planned, conjuncts: readonly BoundExpr[]): JoinStep {
    const sources = new Set([...current.sources, ...cand.sources]);
    const connected = conjuncts.length > 0;
    const keys = this.equiKeys(conjuncts, current.sources, cand.sources);
    const residual = conjuncts.filter((c) => !keys.used.includes(c));
    // Output estimate. A key that is unique on the new table keeps the
    // current rows (scaled by the share of the new table its filters keep);
    // with the distinct values of both key columns known, the classic
    // |A|·|B| / max(distinct); else a key the new table has an index or key
    // prefix on multiplies the rows by the rows per key value; otherwise a
    // foreign-key-like join is assumed.
    let estimate: number;
    const candTable = cand.leaf?.source.table;
    const candShare = candTable === undefined ? 1 : Math.min(1, cand.estimate / this.rows(candTable));
    const perKey = cand.leaf === undefined ? undefined : this.rowsPerJoinKey(cand.leaf.source, keys.build);
    const probeDistinct = keys.probe.length === 1 ? this.distinctOf(keys.probe[0] as BoundExpr) : undefined;
    const buildDistinct = keys.build.length === 1 ? this.distinctOf(keys.build[0] as BoundExpr) : undefined;
    if (keys.probe.length === 0) estimate = current.estimate * cand.estimate;
    else if (cand.leaf !== undefined && this.keyIsUnique(cand.leaf.source, keys.build)) estimate = current.estimate * candShare;
    else if (probeDistinct !== undefined && buildDistinct !== undefined) estimate = (current.estimate * cand.estimate) / Math.max(probeDistinct, buildDistinct);
    else if (perKey !== undefined) estimate = current.estimate * perKey * candShare;
    else if (current.leaf !== undefined && this.keyIsUnique(current.leaf.source, keys.probe)) estimate = cand.estimate;
    else estimate = Math.max(current.estimate, cand.estimate);
    if (residual.length > 0) estimate *= 0.5;
    estimate = Math.max(1, estimate);
    const output = estimate * planCost.outputRow;

    // A hash join reads both sides, materializes the smaller into its
    // table and probes with the other; an index nested loop reads the new
    // table by key once per current row.
    const build = Math.min(current.estimate, cand.estimate);
    const probe = Math.max(current.estimate, cand.estimate);
    const hashCost = current.cost + cand.cost + build * planCost.hashBuildRow + probe * planCost.hashProbeRow + output;
    if (cand.leaf !== undefined && cand.leaf.source.table !== undefined) {
      const lookup = this.lookup(cand.leaf.source, cand.leaf.filter, conjuncts, current.sources);
      if (lookup !== undefined) {
        const lookupCost = current.cost + current.estimate * lookup.cost + output;
        if (keys.probe.length === 0 || lookupCost < hashCost) {
          return {
            node: { kind: 'nestedLoop', join: 'inner', outer: current.node, inner: lookup.node, lookup: true, condition: [], estimate },
            sources,
            estimate,
            cost: lookupCost,
            connected,
            used: conjuncts,
          };
        }
      }
    }
    if (keys.probe.length > 0) {
      // Build on the smaller side.
      const node: PlanNode =
        cand.estimate <= current.estimate
          ? { kind: 'hashJoin', join: 'inner', probe: current.node, build: cand.node, probeKeys: keys.probe, buildKeys: keys.build, residual, estimate }
          : { kind: 'hashJoin', join: 'inner', probe: cand.node, build: current.node, probeKeys: keys.build, buildKeys: keys.probe, residual, estimate };
      return { node, sources, estimate, cost: hashCost, connected, used: conjuncts };
    }
    return {
      node: { kind: 'nestedLoop', join: 'inner', outer: current.node, inner: cand.node, lookup: false, condition: conjuncts, estimate },
      sources,
      estimate,
      cost: current.cost + cand.cost + cand.estimate * planCost.hashBuildRow + current.estimate * cand.estimate * planCost.hashProbeRow + output,
      connected,
      used: conjuncts,
    };
  }

  /** Rows of `source` per value of the join keys, when they start its primary key or an index. */
  private rowsPerJoinKey(source: BoundSource, keys: readonly BoundExpr[]): number | undefined {
    const table = source.table;
    if (table === undefined || this.stats === undefined) return undefined;
    const stored = new Set<number>();
    for (const k of keys) if (k.kind === 'column' && k.source.id === source.id) stored.add((source.columns[k.column] as { stored: number }).stored);
    if (stored.size === 0) return undefined;
    const prefixOf = (columns: readonly number[]) => {
      let n = 0;
      while (n < columns.length && stored.has(columns[n] as number)) n++;
      return n;
    };
    let best: number | undefined;
    const pk = prefixOf(table.primaryKey);
    if (pk > 0) best = this.stats.rowsPerKey(table, undefined, pk);
    for (const index of this.catalog.indexesOf(table.id)) {
      const n = prefixOf(index.columns);
      if (n === 0) continue;
      const r = this.stats.rowsPerKey(table, index, n);
      if (r !== undefined && (best === undefined || r < best)) best = r;
    }
    return best;
  }

  private keyIsUnique(source: BoundSource, keys: readonly BoundExpr[]): boolean {
    const table = source.table;
    if (table === undefined) return false;
    const stored = new Set<number>();
    for (const k of keys) if (k.kind === 'column' && k.source.id === source.id) stored.add((source.columns[k.column] as { stored: number }).stored);
    if (table.primaryKey.every((c) => stored.has(c))) return true;
    return this.catalog.indexesOf(table.id).some((i) => i.unique && i.columns.every((c) => stored.has(c)));
  }

  /** A scan of `source` keyed by conjuncts that read `outer` tables, if one exists. */
  private lookup(source: BoundSource, filter: readonly BoundExpr[], joinConjuncts: readonly BoundExpr[], outer: ReadonlySet<number>): { node: PlanNode; cost: number } | undefined {
    const table = source.table;
    if (table === undefined) return undefined;
    const all = [...filter, ...joinConjuncts];
    const chosen = this.access(table, source, all, outer);
    if (chosen.access.kind === 'full') return undefined;
    const usesOuter = [...(chosen.access.eq ?? []), ...(chosen.access.low ? [chosen.access.low.expr] : []), ...(chosen.access.high ? [chosen.access.high.expr] : [])].some((e) => intersects(refsOf(e), outer));
    if (!usesOuter) return undefined;
    return { node: { kind: 'scan', source, access: chosen.access, reverse: false, filter: all, estimate: chosen.estimate }, cost: chosen.cost };
  }

  leaf(source: BoundSource, filter: readonly BoundExpr[], available: ReadonlySet<number>): Planned {
    if (source.table === undefined) {
      const estimate = derivedRowsEstimate * this.selectivityOf(filter);
      return { node: { kind: 'values', source, filter, estimate }, sources: new Set([source.id]), estimate, cost: derivedRowsEstimate * planCost.outputRow, leaf: undefined };
    }
    const chosen = this.access(source.table, source, filter, available);
    const estimate = Math.max(1, chosen.estimate);
    return {
      node: { kind: 'scan', source, access: chosen.access, reverse: false, filter, estimate },
      sources: new Set([source.id]),
      estimate,
      cost: chosen.cost,
      leaf: { source, filter },
    };
  }

  private rows(table: TableDef): number {
    return Math.max(1, this.catalog.rowCount(table.id));
  }

  // -------------------------------------------------------------------------
  // Access paths
  // -------------------------------------------------------------------------

  /**
   * Chooses how to read `table` given conjuncts over it. Key expressions may
   * read the tables in `available` (joined before) and enclosing queries,
   * never `source` itself. `estimate` is the rows that pass every conjunct;
   * `cost` the work of one execution of the read (see `planCost`).
   */
  access(table: TableDef, source: BoundSource, conjuncts: readonly BoundExpr[], available: ReadonlySet<number>): { access: Access; estimate: number; cost: number } {
    const rows = this.rows(table);
    const columnar = this.columnar(table);
    const usable = (e: BoundExpr) => {
      const refs = refsOf(e);
      if (refs.has(source.id)) return false;
      for (const id of refs) if (!available.has(id) && this.localSources.has(id)) return false;
      return true;
    };
    // Per stored column: equality and bound candidates.
    const eqs = new Map<number, BoundExpr>();
    const lows = new Map<number, KeyBound>();
    const highs = new Map<number, KeyBound>();
    const storedOf = (e: BoundExpr): number | undefined => (e.kind === 'column' && e.source.id === source.id ? (source.columns[e.column] as { stored: number }).stored : undefined);
    const note = (col: number, op: string, expr: BoundExpr) => {
      switch (op) {
        case '=':
          if (!eqs.has(col)) eqs.set(col, expr);
          break;
        case '>':
        case '>=':
          if (!lows.has(col)) lows.set(col, { expr, inclusive: op === '>=' });
          break;
        case '<':
        case '<=':
          if (!highs.has(col)) highs.set(col, { expr, inclusive: op === '<=' });
          break;
      }
    };
    const flip: Record<string, string> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
    const sets = new Map<number, InSet>();
    for (const c of conjuncts) {
      if ((c.kind === 'inList' || c.kind === 'inSubquery') && !c.not) {
        const col = storedOf(c.operand);
        const usableSet = c.kind === 'inList' ? c.items.every(usable) : !intersects(c.query.outerRefs, this.localSources);
        if (col !== undefined && usableSet && !sets.has(col)) sets.set(col, c);
        continue;
      }
      if (c.kind === 'compare' && c.op in flip) {
        const l = storedOf(c.left);
        const r = storedOf(c.right);
        if (l !== undefined && r === undefined && usable(c.right)) note(l, c.op, c.right);
        else if (r !== undefined && l === undefined && usable(c.left)) note(r, flip[c.op] as string, c.left);
      } else if (c.kind === 'between' && !c.not) {
        const col = storedOf(c.operand);
        if (col !== undefined && usable(c.low) && usable(c.high)) {
          note(col, '>=', c.low);
          note(col, '<=', c.high);
        }
      }
    }
    const bounds: ColumnBounds = (c) => (c.source.id === source.id ? this.stats?.columnBounds(table, (source.columns[c.column] as { stored: number }).stored) : undefined);
    // Rows that pass every conjunct, whichever way the table is read.
    const out = Math.max(1, rows * this.selectivityOf(conjuncts, bounds));
    // ORDER BY ... LIMIT over this table alone: a read in the ORDER BY's key
    // order stops after enough rows; any other read pays for sorting.
    const hint = this.orderHint?.source === source.id ? this.orderHint : undefined;
    const sortCost = hint === undefined ? 0 : out * planCost.sortRow * Math.log2(out + 1);
    /** Rows an ordered read visits to find `hint.limit` of its `read` rows that pass. */
    const orderedRead = (read: number): number => (hint === undefined ? read : Math.min(read, (hint.limit * read) / Math.min(read, out)));
    /** Whether key columns `columns` from `from` on are the ORDER BY's columns (so a read in key order is in ORDER BY order). */
    const inOrder = (columns: readonly number[], from: number): boolean => hint !== undefined && hint.columns.every((c, i) => columns[from + i] === c);
    const fullOrdered = inOrder(table.primaryKey, 0);
    const fullRead = fullOrdered ? orderedRead(rows) : rows;
    let best: { access: Access; estimate: number; cost: number } = {
      access: { kind: 'full' },
      estimate: out,
      cost: fullRead * (columnar ? planCost.columnarRow : planCost.storeRow) + Math.min(out, fullRead) * planCost.outputRow + (fullOrdered ? 0 : sortCost) + 1,
    };
    const consider = (
      columns: readonly number[],
      unique: boolean,
      make: (eq: BoundExpr[], low: KeyBound | undefined, high: KeyBound | undefined, inSet?: InSet) => Access,
      index: IndexDef | undefined,
    ) => {
      const eq: BoundExpr[] = [];
      for (const col of columns) {
        const e = eqs.get(col);
        if (e === undefined) break;
        eq.push(e);
      }
      const next = columns[eq.length];
      // Rows per distinct prefix of k key columns: one for a whole unique
      // key; else from the distinct values of a one-column prefix or a
      // sample of the key range when the engine knows them; else a unique
      // key spreads rows evenly (rows^((n-k)/n)) and other keys keep a tenth
      // per equality.
      const perPrefix = (k: number) => {
        if (k === columns.length && unique) return 1;
        if (k === 1) {
          const column = source.columns.findIndex((c) => c.stored === columns[0]);
          const d = column < 0 ? undefined : this.distinctOf({ kind: 'column', source, column, type: 'integer', affinity: 'numeric' });
          if (d !== undefined) return Math.max(1, rows / d);
        }
        const sampled = k > 0 ? this.stats?.rowsPerKey(table, index, k) : undefined;
        if (sampled !== undefined) return Math.max(1, sampled);
        return Math.max(1, unique ? Math.min(rows * 0.1 ** k, rows ** ((columns.length - k) / columns.length)) : rows * 0.1 ** k);
      };
      /** The cost of reading `read` candidate rows with `seeks` positionings, through this key. */
      const readCost = (access: Access, seeks: number, read: number) => {
        if (columnar && columnarKeyable(table, access)) return seeks * planCost.columnarSeek + read * planCost.columnarCandidate;
        // A secondary index fetches each row by key, at random.
        return seeks * planCost.storeSeek + read * (index === undefined ? planCost.storeRow : planCost.storeRow + planCost.storeSeek);
      };
      const set = next === undefined ? undefined : sets.get(next);
      if (set !== undefined) {
        // One read per value of the set (its size guessed when a subquery).
        const values = set.kind === 'inList' ? set.items.length : 50;
        const read = Math.max(1, Math.min(rows, values * perPrefix(eq.length + 1)));
        const access = make(eq, undefined, undefined, set);
        const cost = readCost(access, values, read) + Math.min(out, read) * planCost.outputRow + sortCost;
        if (cost < best.cost) best = { access, estimate: Math.min(out, read), cost };
      }
      const low = next === undefined ? undefined : lows.get(next);
      const high = next === undefined ? undefined : highs.get(next);
      if (eq.length === 0 && low === undefined && high === undefined) return;
      let read: number;
      if (eq.length === columns.length && unique) read = 1;
      else {
        read = perPrefix(eq.length);
        if (low !== undefined || high !== undefined) {
          // The range part of the selectivity, from the column's bounds when known.
          const col = { kind: 'column', source, column: source.columns.findIndex((c) => c.stored === next), type: 'integer', affinity: 'numeric' } as Extract<BoundExpr, { kind: 'column' }>;
          const conds: BoundExpr[] = [];
          if (low !== undefined) conds.push({ kind: 'compare', op: low.inclusive ? '>=' : '>', left: col, right: low.expr, type: 'integer' });
          if (high !== undefined) conds.push({ kind: 'compare', op: high.inclusive ? '<=' : '<', left: col, right: high.expr, type: 'integer' });
          read *= selectivity(conds, bounds);
        }
        read = Math.max(1, read);
      }
      const access = make(eq, low, high);
      // Rows come in key order: the ORDER BY's, when the key continues with its columns.
      const ordered = index === undefined && inOrder(columns, eq.length);
      const visited = ordered ? orderedRead(read) : read;
      const cost = readCost(access, 1, visited) + Math.min(out, visited) * planCost.outputRow + (ordered ? 0 : sortCost);
      if (cost < best.cost) best = { access, estimate: Math.min(out, read), cost };
    };
    consider(table.primaryKey, true, (eq, low, high, inSet) => (inSet === undefined ? { kind: 'primary', eq, low, high } : { kind: 'primary', eq, low, high, inSet }), undefined);
    for (const index of this.catalog.indexesOf(table.id)) {
      consider(index.columns, index.unique, (eq, low, high, inSet) => (inSet === undefined ? { kind: 'index', index, eq, low, high } : { kind: 'index', index, eq, low, high, inSet }), index);
    }
    return { access: best.access, estimate: Math.max(1, best.estimate), cost: best.cost };
  }

  /**
   * Set while planning a single-table SELECT with ORDER BY and LIMIT: the
   * ORDER BY's columns (stored indexes, all ascending or all descending) and
   * the rows the LIMIT (and OFFSET) ask for.
   */
  private orderHint: { readonly source: number; readonly columns: readonly number[]; readonly limit: number } | undefined;

  /** Sources of the select being planned; key expressions may not read those not yet joined. */
  private localSources: ReadonlySet<number> = new Set();

  /** Plans the access for an UPDATE or DELETE target. */
  target(source: BoundSource, where: BoundExpr | undefined): PlanNode {
    this.localSources = new Set([source.id]);
    return this.leaf(source, conjunctsOf(where), new Set()).node;
  }

  withLocal<T>(own: ReadonlySet<number>, fn: () => T): T {
    const saved = this.localSources;
    this.localSources = own;
    try {
      return fn();
    } finally {
      this.localSources = saved;
    }
  }
}

/** The ORDER BY ... LIMIT of a single-table SELECT as a hint for choosing its read (see `Planner.access`). */
function orderHintOf(q: BoundQuery): { source: number; columns: number[]; limit: number } | undefined {
  const body = q.body;
  if (body.kind !== 'select' || body.aggregate || body.distinct || q.orderBy.length === 0 || q.limit === undefined) return undefined;
  const from = body.from;
  if (from === undefined || from.kind !== 'source' || from.source.table === undefined) return undefined;
  const source = from.source;
  const descending = (q.orderBy[0] as BoundOrder).descending;
  const columns: number[] = [];
  for (const term of q.orderBy) {
    let e = term.expr;
    if (e.kind === 'output') e = body.items[e.index] as BoundExpr;
    if (term.descending !== descending || e.kind !== 'column' || e.source.id !== source.id) return undefined;
    columns.push((source.columns[e.column] as { stored: number }).stored);
  }
  const limit = constantNumber(q.limit) ?? limitRowsGuess;
  const offset = q.offset === undefined ? 0 : (constantNumber(q.offset) ?? 0);
  return { source: source.id, columns, limit: Math.max(1, limit + Math.max(0, offset)) };
}

interface JoinStep {
  readonly node: PlanNode;
  readonly sources: ReadonlySet<number>;
  readonly estimate: number;
  readonly cost: number;
  readonly connected: boolean;
  readonly used: readonly BoundExpr[];
}

/** Whether `e` contains a subquery that reads a row of the tables in `own`. */
function hasCorrelatedSubquery(e: BoundExpr, own: ReadonlySet<number>): boolean {
  if ((e.kind === 'exists' || e.kind === 'subquery' || e.kind === 'inSubquery') && intersects(e.query.outerRefs, own)) return true;
  let found = false;
  forEachChild(e, (c) => {
    if (!found && hasCorrelatedSubquery(c, own)) found = true;
  });
  return found;
}

function disjunctsOf(e: BoundExpr, out: BoundExpr[] = []): BoundExpr[] {
  if (e.kind === 'or') {
    disjunctsOf(e.left, out);
    disjunctsOf(e.right, out);
  } else {
    out.push(e);
  }
  return out;
}

function andOf(list: readonly BoundExpr[]): BoundExpr {
  return list.reduce((a, b) => ({ kind: 'and', left: a, right: b, type: 'integer' }) as BoundExpr);
}

function orOf(list: readonly BoundExpr[]): BoundExpr {
  return list.reduce((a, b) => ({ kind: 'or', left: a, right: b, type: 'integer' }) as BoundExpr);
}

/**
 * (A AND B) OR (A AND C) as A AND (B OR C): equal in SQL's three-valued
 * logic too (AND and OR distribute and absorb in Kleene logic). A branch
 * left with nothing makes the OR equal to the common part alone.
 */
export function factorOr(e: BoundExpr): BoundExpr[] {
  if (e.kind !== 'or') return [e];
  const branches = disjunctsOf(e).map((d) => conjunctsOf(d));
  const first = branches[0] as BoundExpr[];
  const common = first.filter((c) => branches.every((b) => b.some((x) => sameExpr(x, c))));
  if (common.length === 0) return [e];
  const rest = branches.map((b) => b.filter((x) => !common.some((c) => sameExpr(c, x))));
  if (rest.some((r) => r.length === 0)) return common;
  return [...common, orOf(rest.map(andOf))];
}

/**
 * For a disjunction whose every branch constrains the tables `sources` on
 * their own, the disjunction of those constraints: implied by the
 * original (any TRUE branch makes its part TRUE), so filtering by it early
 * removes no row the original keeps. Empty when a branch has no such part.
 */
function impliedFor(e: BoundExpr, sources: ReadonlySet<number>, localRefs: (e: BoundExpr) => Set<number>): BoundExpr[] {
  const parts: BoundExpr[] = [];
  for (const branch of disjunctsOf(e)) {
    const own = conjunctsOf(branch).filter((c) => {
      const refs = localRefs(c);
      return refs.size > 0 && subsetOf(refs, sources);
    });
    if (own.length === 0) return [];
    parts.push(andOf(own));
  }
  // The original reads only these tables: nothing to derive.
  if (subsetOf(localRefs(e), sources)) return [];
  return [orOf(parts)];
}

/** The number a constant expression folds to at plan time (numbers and dates only), or undefined. */
export function constantNumber(e: BoundExpr): number | undefined {
  switch (e.kind) {
    case 'const':
      return typeof e.value === 'number' ? e.value : undefined;
    case 'negate': {
      const v = constantNumber(e.operand);
      return v === undefined ? undefined : -v;
    }
    case 'plus':
      return constantNumber(e.operand);
    case 'dateShift': {
      const v = constantNumber(e.operand);
      if (v === undefined) return undefined;
      if (e.type === 'date') return (e.months === 0 ? v : addMonths(v, e.months)) + e.days;
      return (e.months === 0 ? v : addMonthsToTimestamp(v, e.months)) + e.days * msPerDay;
    }
    case 'arith': {
      const a = constantNumber(e.left);
      const b = constantNumber(e.right);
      if (a === undefined || b === undefined) return undefined;
      if (e.op === '+') return a + b;
      if (e.op === '-') return a - b;
      if (e.op === '*') return a * b;
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Smallest and largest value of a column, when the engine knows them. */
export type ColumnBounds = (column: Extract<BoundExpr, { kind: 'column' }>) => { min: number; max: number } | undefined;

/**
 * Fixed selectivity guesses, multiplied over conjuncts; except that the
 * range conditions on one numeric or date column against constants are
 * combined and measured against the column's known bounds (a month of
 * seven years of dates is about 1%, not the 25% a guess would give).
 */
export function selectivity(conjuncts: readonly BoundExpr[], bounds?: ColumnBounds, distinct?: DistinctValues): number {
  let s = 1;
  const ranges = new Map<string, { column: Extract<BoundExpr, { kind: 'column' }>; low: number; high: number }>();
  const range = (column: BoundExpr, op: string, value: BoundExpr): boolean => {
    if (bounds === undefined || column.kind !== 'column') return false;
    const v = constantNumber(value);
    if (v === undefined) return false;
    const key = `${column.source.id}:${column.column}`;
    const r = ranges.get(key) ?? { column, low: -Infinity, high: Infinity };
    if (op === '>' || op === '>=') r.low = Math.max(r.low, v);
    else if (op === '<' || op === '<=') r.high = Math.min(r.high, v);
    else return false;
    ranges.set(key, r);
    return true;
  };
  const flip: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
  for (const c of conjuncts) {
    if (c.kind === 'compare' && c.op in flip && (range(c.left, c.op, c.right) || range(c.right, flip[c.op] as string, c.left))) continue;
    if (c.kind === 'between' && !c.not && range(c.operand, '>=', c.low) && range(c.operand, '<=', c.high)) continue;
    s *= selectivityOf(c, distinct);
  }
  for (const r of ranges.values()) {
    const b = (bounds as ColumnBounds)(r.column);
    if (b === undefined || !(b.max > b.min)) {
      s *= r.low > -Infinity && r.high < Infinity ? 0.25 : 0.33;
      continue;
    }
    const low = Math.max(r.low, b.min);
    const high = Math.min(r.high, b.max);
    s *= high < low ? 0.001 : Math.max(0.001, Math.min(1, (high - low) / (b.max - b.min)));
  }
  return s;
}

/** Distinct values of a column expression, when known. */
export type DistinctValues = (e: BoundExpr) => number | undefined;

/**
 * One conjunct's selectivity: an equality keeps 1/distinct of the rows when
 * the column's distinct values are known; otherwise fixed guesses, with
 * SQLite's for ranges on values unknown at plan time (a bound keeps a
 * quarter, BETWEEN a sixty-fourth).
 */
function selectivityOf(e: BoundExpr, distinct?: DistinctValues): number {
  const d = (x: BoundExpr) => (distinct === undefined ? undefined : distinct(x));
  switch (e.kind) {
    case 'compare':
      if (e.op === '=' || e.op === 'IS') {
        const n = d(e.left) ?? d(e.right);
        return n === undefined ? 0.1 : 1 / n;
      }
      if (e.op === '!=' || e.op === 'IS NOT') {
        const n = d(e.left) ?? d(e.right);
        return n === undefined ? 0.9 : 1 - 1 / n;
      }
      return 0.25;
    case 'between':
      return e.not ? 0.75 : 1 / 64;
    case 'like':
      return e.not ? 0.75 : 0.25;
    case 'inList': {
      const n = d(e.operand);
      const p = n === undefined ? 0.1 * e.items.length : e.items.length / n;
      return e.not ? 1 - Math.min(0.9, p) : Math.min(1, p);
    }
    case 'isNull':
      return e.not ? 0.9 : 0.1;
    case 'and':
      return selectivityOf(e.left, distinct) * selectivityOf(e.right, distinct);
    case 'or':
      return Math.min(1, selectivityOf(e.left, distinct) + selectivityOf(e.right, distinct));
    case 'not':
      return 1 - selectivityOf(e.operand, distinct);
    default:
      return 0.5;
  }
}
