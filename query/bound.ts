/**
 * The bound tree: what the binder makes of the AST. Names are resolved to
 * sources and columns, every expression has a static type (`ValueType`),
 * aggregates are collected per query, and implicit conversions the
 * semantics require (a DATE used as text, say) are explicit `cast` nodes.
 * The planner and the compiler work on this tree only.
 */
import type { DateField } from './date-time.js';
import type { IndexDef, TableDef } from './catalog.js';
import type { Affinity, ColumnType, ValueType } from './sql-type.js';
import type { SqlValue } from './value.js';
import type { RawReader } from '../storage/kv/index.js';

/** A virtual table: read-only rows from a scan function (see `SqlEngine.registerVirtualTable`). */
export interface VirtualTableDef {
  readonly columns: readonly { readonly name: string; readonly type: ColumnType }[];
  scan(reader: RawReader): Iterable<readonly unknown[]>;
}

export interface BoundColumn {
  readonly name: string;
  readonly type: ValueType;
  readonly affinity: Affinity;
  /** Hidden columns (the rowid) are not part of `*`. */
  readonly hidden: boolean;
  /**
   * Where the value is: for a table, the index of the stored column (user
   * columns in order, then the hidden rowid); for other sources, the column
   * index itself.
   */
  readonly stored: number;
}

/** One item of a FROM clause (or the single empty row of a SELECT without FROM). */
export interface BoundSource {
  /** Unique within a statement; column references name it. */
  readonly id: number;
  /** The alias, or the table name, as written. */
  readonly name: string;
  readonly kind: 'table' | 'virtual' | 'subquery';
  readonly table: TableDef | undefined;
  readonly virtual: { readonly name: string; readonly def: VirtualTableDef } | undefined;
  readonly query: BoundQuery | undefined;
  readonly columns: readonly BoundColumn[];
}

export type BoundFrom =
  | { readonly kind: 'source'; readonly source: BoundSource }
  | { readonly kind: 'join'; readonly type: 'INNER' | 'LEFT' | 'CROSS'; readonly left: BoundFrom; readonly right: BoundFrom; readonly on: BoundExpr | undefined };

export type AggregateName = 'COUNT' | 'SUM' | 'AVG' | 'MIN' | 'MAX' | 'TOTAL' | 'ANY';

export interface BoundAggregate {
  readonly fn: AggregateName;
  /** Undefined for COUNT(*). */
  readonly arg: BoundExpr | undefined;
  readonly distinct: boolean;
  readonly type: ValueType;
}

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'IS' | 'IS NOT';

export type BoundExpr =
  | { readonly kind: 'const'; readonly value: SqlValue; readonly type: ValueType }
  | { readonly kind: 'param'; readonly slot: number; readonly type: 'param' }
  | { readonly kind: 'column'; readonly source: BoundSource; readonly column: number; readonly type: ValueType; readonly affinity: Affinity }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: BoundExpr; readonly right: BoundExpr; readonly type: 'integer' }
  | { readonly kind: 'arith'; readonly op: '+' | '-' | '*' | '/' | '%'; readonly left: BoundExpr; readonly right: BoundExpr; readonly type: ValueType }
  | { readonly kind: 'bit'; readonly op: '&' | '|' | '<<' | '>>'; readonly left: BoundExpr; readonly right: BoundExpr; readonly type: 'integer' }
  | { readonly kind: 'concat'; readonly left: BoundExpr; readonly right: BoundExpr; readonly type: 'text' }
  | { readonly kind: 'and' | 'or'; readonly left: BoundExpr; readonly right: BoundExpr; readonly type: 'integer' }
  | { readonly kind: 'not'; readonly operand: BoundExpr; readonly type: 'integer' }
  | { readonly kind: 'negate'; readonly operand: BoundExpr; readonly type: ValueType }
  | { readonly kind: 'bitnot'; readonly operand: BoundExpr; readonly type: 'integer' }
  /** Unary `+`: the operand's value without its affinity (as in SQLite). */
  | { readonly kind: 'plus'; readonly operand: BoundExpr; readonly type: ValueType }
  /** DATE/TIMESTAMP plus or minus a constant interval. */
  | { readonly kind: 'dateShift'; readonly operand: BoundExpr; readonly months: number; readonly days: number; readonly type: 'date' | 'timestamp' }
  /** DATE plus or minus a number of days given by an expression. */
  | { readonly kind: 'dateAddDays'; readonly operand: BoundExpr; readonly days: BoundExpr; readonly sign: 1 | -1; readonly type: 'date' }
  /** DATE - DATE in days, TIMESTAMP - TIMESTAMP in milliseconds. */
  | { readonly kind: 'dateDiff'; readonly left: BoundExpr; readonly right: BoundExpr; readonly type: 'integer' }
  | { readonly kind: 'isNull'; readonly operand: BoundExpr; readonly not: boolean; readonly type: 'integer' }
  | { readonly kind: 'like'; readonly operand: BoundExpr; readonly pattern: BoundExpr; readonly escape: BoundExpr | undefined; readonly not: boolean; readonly type: 'integer' }
  | { readonly kind: 'between'; readonly operand: BoundExpr; readonly low: BoundExpr; readonly high: BoundExpr; readonly not: boolean; readonly type: 'integer' }
  | { readonly kind: 'inList'; readonly operand: BoundExpr; readonly items: readonly BoundExpr[]; readonly not: boolean; readonly type: 'integer' }
  | { readonly kind: 'inSubquery'; readonly operand: BoundExpr; readonly query: BoundQuery; readonly not: boolean; readonly type: 'integer' }
  | { readonly kind: 'exists'; readonly query: BoundQuery; readonly type: 'integer' }
  | { readonly kind: 'subquery'; readonly query: BoundQuery; readonly type: ValueType }
  | { readonly kind: 'case'; readonly operand: BoundExpr | undefined; readonly whens: readonly { readonly when: BoundExpr; readonly then: BoundExpr }[]; readonly else: BoundExpr | undefined; readonly type: ValueType }
  | { readonly kind: 'cast'; readonly operand: BoundExpr; readonly to: ColumnType; readonly type: ValueType }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly BoundExpr[]; readonly type: ValueType }
  | { readonly kind: 'extract'; readonly field: DateField; readonly operand: BoundExpr; readonly type: ValueType }
  /** An aggregate call while binding; replaced by `aggregate` in the query that owns it. */
  | { readonly kind: 'aggCall'; readonly call: BoundAggregate; readonly type: ValueType }
  /** The result of `aggregates[index]` of the enclosing aggregate query. */
  | { readonly kind: 'aggregate'; readonly index: number; readonly type: ValueType }
  /** The value of `groupBy[index]` of the enclosing aggregate query. */
  | { readonly kind: 'groupKey'; readonly index: number; readonly type: ValueType }
  /** Column `index` of the projected row (ORDER BY of set operations and by alias). */
  | { readonly kind: 'output'; readonly index: number; readonly type: ValueType };

export interface BoundSelect {
  readonly kind: 'select';
  readonly sources: readonly BoundSource[];
  readonly from: BoundFrom | undefined;
  readonly where: BoundExpr | undefined;
  /** True when the select has GROUP BY, HAVING or aggregate calls. */
  readonly aggregate: boolean;
  readonly groupBy: readonly BoundExpr[];
  readonly aggregates: readonly BoundAggregate[];
  /** Post-aggregation when `aggregate`. */
  readonly having: BoundExpr | undefined;
  /** Post-aggregation when `aggregate`. */
  readonly items: readonly BoundExpr[];
  readonly distinct: boolean;
  /**
   * Index of the MIN/MAX aggregate whose row supplies bare columns (SQLite:
   * `SELECT max(a), b` takes b from the row with the largest a), or -1.
   */
  readonly bareColumnsFrom: number;
}

export interface BoundSetOp {
  readonly kind: 'setop';
  readonly op: 'UNION' | 'UNION ALL' | 'INTERSECT' | 'EXCEPT';
  readonly left: BoundSelect | BoundSetOp;
  readonly right: BoundSelect;
}

export interface BoundOrder {
  /** For a simple select: evaluated like the select items; for a set operation: an `output` reference. */
  readonly expr: BoundExpr;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

export interface BoundQuery {
  readonly body: BoundSelect | BoundSetOp;
  readonly orderBy: readonly BoundOrder[];
  readonly limit: BoundExpr | undefined;
  readonly offset: BoundExpr | undefined;
  readonly columns: readonly { readonly name: string; readonly type: ValueType; readonly affinity: Affinity }[];
  /** Ids of sources of enclosing queries that this query references (empty: uncorrelated). */
  readonly outerRefs: ReadonlySet<number>;
}

export interface BoundInsert {
  readonly kind: 'insert';
  readonly table: TableDef;
  /** For each table column, the index into each source row, or -1 for the default. */
  readonly columnMap: readonly number[];
  readonly rows: readonly (readonly BoundExpr[])[] | undefined;
  readonly select: BoundQuery | undefined;
  readonly sourceTypes: readonly ValueType[];
  readonly onConflict:
    | {
        /** The constraint the clause applies to (undefined: any). */
        readonly target: { readonly kind: 'primary' } | { readonly kind: 'unique'; readonly index: IndexDef } | undefined;
        readonly action: 'nothing' | 'update';
        /** The existing row as a source, and `excluded` as another. */
        readonly existing: BoundSource;
        readonly excluded: BoundSource;
        readonly set: readonly { readonly column: number; readonly value: BoundExpr }[];
        readonly where: BoundExpr | undefined;
      }
    | undefined;
}

export interface BoundUpdate {
  readonly kind: 'update';
  readonly table: TableDef;
  readonly source: BoundSource;
  readonly set: readonly { readonly column: number; readonly value: BoundExpr }[];
  readonly where: BoundExpr | undefined;
}

export interface BoundDelete {
  readonly kind: 'delete';
  readonly table: TableDef;
  readonly source: BoundSource;
  readonly where: BoundExpr | undefined;
}
