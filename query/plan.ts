/**
 * Physical plans: what the planner chooses and the executor compiles.
 *
 * A query plan is a tree of row-producing nodes (scans and joins with
 * their filters) under a select stage (aggregation, projection, DISTINCT)
 * and a result stage (ORDER BY, LIMIT, OFFSET). Every expression is a bound
 * expression; scans read only the columns the query uses.
 */
import type { BoundAggregate, BoundExpr, BoundOrder, BoundSource } from './bound.js';
import type { IndexDef } from './catalog.js';

/** A bound on the next key column after the equality prefix. */
export interface KeyBound {
  readonly expr: BoundExpr;
  readonly inclusive: boolean;
}

/**
 * How a table is read:
 * - `full`: every row, in primary-key order (or from the columnar cache);
 * - `primary`: rows whose leading primary-key columns equal `eq` and whose
 *   next key column lies between `low` and `high`; a point lookup when `eq`
 *   covers the whole key;
 * - `index`: the same over a secondary index, each entry fetching its row.
 * Key expressions never reference the table itself; they may reference
 * tables joined before it (an index nested-loop join) or enclosing queries.
 */
export type Access =
  | { readonly kind: 'full' }
  | { readonly kind: 'primary'; readonly eq: readonly BoundExpr[]; readonly low: KeyBound | undefined; readonly high: KeyBound | undefined; readonly inSet?: InSet }
  | { readonly kind: 'index'; readonly index: IndexDef; readonly eq: readonly BoundExpr[]; readonly low: KeyBound | undefined; readonly high: KeyBound | undefined; readonly inSet?: InSet };

/**
 * The key column after the equality prefix takes each value of an IN list
 * or of an uncorrelated IN subquery: one lookup per distinct value, in key
 * order (a semi-join driven by the set).
 */
export type InSet = Extract<BoundExpr, { kind: 'inList' | 'inSubquery' }>;

export type PlanNode =
  | {
      readonly kind: 'scan';
      readonly source: BoundSource;
      readonly access: Access;
      /** Visit in descending key order (ORDER BY ... DESC satisfied by the scan). */
      readonly reverse: boolean;
      /** Conditions checked on each row read (all of them, including those that chose the access path). */
      readonly filter: readonly BoundExpr[];
      readonly estimate: number;
    }
  | { readonly kind: 'values'; readonly source: BoundSource; readonly filter: readonly BoundExpr[]; readonly estimate: number }
  | { readonly kind: 'single'; readonly filter: readonly BoundExpr[]; readonly estimate: 1 }
  | {
      readonly kind: 'hashJoin';
      readonly join: 'inner' | 'left';
      /** Streams; its rows are matched against the hash table. */
      readonly probe: PlanNode;
      /** Materialized into the hash table, once per execution unless it depends on an enclosing row. */
      readonly build: PlanNode;
      readonly probeKeys: readonly BoundExpr[];
      readonly buildKeys: readonly BoundExpr[];
      /** Checked per matching pair; for a LEFT join they decide whether a pair matches. */
      readonly residual: readonly BoundExpr[];
      readonly estimate: number;
    }
  | {
      readonly kind: 'nestedLoop';
      readonly join: 'inner' | 'left';
      readonly outer: PlanNode;
      /** Re-run per outer row when `lookup` (its access keys read the outer row), else materialized once. */
      readonly inner: PlanNode;
      readonly lookup: boolean;
      readonly condition: readonly BoundExpr[];
      readonly estimate: number;
    }
  | { readonly kind: 'filter'; readonly input: PlanNode; readonly filter: readonly BoundExpr[]; readonly estimate: number };

export interface SelectPlan {
  readonly kind: 'select';
  readonly input: PlanNode;
  /** The sources the input produces (for column resolution). */
  readonly sources: readonly BoundSource[];
  readonly aggregate:
    | {
        readonly groupBy: readonly BoundExpr[];
        readonly aggregates: readonly BoundAggregate[];
        readonly having: BoundExpr | undefined;
        readonly bareColumnsFrom: number;
      }
    | undefined;
  readonly items: readonly BoundExpr[];
  readonly distinct: boolean;
}

export interface SetOpPlan {
  readonly kind: 'setop';
  readonly op: 'UNION' | 'UNION ALL' | 'INTERSECT' | 'EXCEPT';
  readonly left: SelectPlan | SetOpPlan;
  readonly right: SelectPlan;
}

export interface QueryPlan {
  readonly body: SelectPlan | SetOpPlan;
  readonly orderBy: readonly BoundOrder[];
  /** True when the input already yields rows in ORDER BY order (no sort needed). */
  readonly ordered: boolean;
  readonly limit: BoundExpr | undefined;
  readonly offset: BoundExpr | undefined;
  readonly width: number;
}
