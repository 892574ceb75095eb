/**
 * Limits of the SQL front end. Every one is checked by the lexer or the
 * parser and reported as a `Left` whose error has code `LIMIT`
 * (`SqlLimitError`, a `LimitError`): hostile SQL can make parsing fail,
 * never crash, hang or overflow the stack.
 *
 * The defaults are the named constants below; `parse(sql, limits)` and
 * `lex(sql, limits)` accept lower (or, for tests and tools, higher) values
 * through `SqlLimitsOptions`.
 */
import { OptionsViolations } from '../storage/device/index.js';

/**
 * Longest SQL text passed to one `parse()` / `exec()`, in UTF-8 bytes
 * (1 MiB). Bulk loads belong in prepared statements, which parse once.
 */
export const sqlBytesMax = 1024 * 1024;

/**
 * Deepest nesting of a statement, in levels. Two measures are bounded by it:
 *
 * 1. The height of the statement's tree, counting one level for each
 *    expression node, each query (`SELECT` statement or subquery), each set
 *    operation and each FROM item (table, subquery source, join). A chain of
 *    `n` left-associative operators (`1 + 1 + ... + 1`, `a AND b AND ...`)
 *    is `n` levels deep because the binder and the compiled executor recurse
 *    through it; so are `n` joins and `n` set operations.
 *    Example: `SELECT -1` is 3 deep (query, minus, literal).
 * 2. The descent of the parser, counting one level for each query, each
 *    expression the parser starts (the whole select item, every parenthesised
 *    expression, every function argument, CASE part, list item, ...) and each
 *    prefix operator. Example: `SELECT ((1))` is 4 deep (query, item, two
 *    parenthesised expressions).
 *
 * Why 200: the parser takes a handful of JS frames per level, the binder
 * and the executor's compiled closures a few more, and every one of them
 * must fit on the caller's stack, which may already be deep. Measured on
 * Node 20 (x64), with fresh (unoptimised, largest) frames: at the limit, the
 * costliest shape of every kind (nested parentheses, NOT chains, nested
 * subqueries, CASE nesting, every precedence level open at once) parses on
 * a 200 KiB stack, a fifth of Node's default 984 KiB; without the limit the
 * parser overflows the default stack only past about 1,950 levels (nested
 * subqueries) to 9,450 (unary minus). That leaves the binder and executor
 * most of the stack. SQLite's default (SQLITE_MAX_EXPR_DEPTH) is 1000 for a
 * C stack. Real queries are far from the limit: TPC-H's deepest (Q19's OR
 * of ANDs of comparisons) is 12 levels by this count.
 */
export const parseDepthMax = 200;

/** Longest identifier (table, column, index, alias, parameter name), in UTF-8 bytes. */
export const identifierBytesMax = 128;

/** Most statements in one SQL text (one `exec`). */
export const statementsMax = 10_000;

/**
 * Most rows in one `INSERT ... VALUES`. The executor applies one statement
 * in one transaction; larger loads should loop over a prepared statement.
 */
export const valuesRowsMax = 10_000;

/** Most items in one `IN (...)` list. */
export const inListMax = 10_000;

/**
 * Most arguments of one function call (SQLite: SQLITE_MAX_FUNCTION_ARG,
 * 1000), so that an executor may spread them into a JS call.
 */
export const functionArgsMax = 1000;

/**
 * Most columns or terms in one list: the columns of `CREATE TABLE`, `CREATE
 * INDEX` and `INSERT`, the items of a select list, `GROUP BY` and `ORDER BY`
 * terms, the values of one `VALUES` row and the assignments of one `SET`
 * (SQLite: SQLITE_MAX_COLUMN, 2000). A row format may rely on it.
 */
export const columnsMax = 2000;

/**
 * Highest parameter slot (`?NNN`, or the count of distinct parameters) in
 * one statement: 32,766, SQLite's SQLITE_MAX_VARIABLE_NUMBER default.
 */
export const paramsMax = 32_766;

/** The limits a parse runs under; see the constants above for meaning and unit. */
export interface SqlLimits {
  readonly sqlBytesMax: number;
  readonly parseDepthMax: number;
  readonly identifierBytesMax: number;
  readonly statementsMax: number;
  readonly valuesRowsMax: number;
  readonly inListMax: number;
  readonly functionArgsMax: number;
  readonly columnsMax: number;
  readonly paramsMax: number;
}

/** Overrides of the default limits; every field is a positive integer. */
export interface SqlLimitsOptions {
  /** UTF-8 bytes of the SQL text; default `sqlBytesMax` (1 MiB). */
  readonly sqlBytesMax?: number;
  /** Nesting levels; default `parseDepthMax` (200). */
  readonly parseDepthMax?: number;
  /** UTF-8 bytes per identifier; default `identifierBytesMax` (128). */
  readonly identifierBytesMax?: number;
  /** Statements per text; default `statementsMax` (10,000). */
  readonly statementsMax?: number;
  /** Rows per VALUES; default `valuesRowsMax` (10,000). */
  readonly valuesRowsMax?: number;
  /** Items per IN list; default `inListMax` (10,000). */
  readonly inListMax?: number;
  /** Arguments per function call; default `functionArgsMax` (1000). */
  readonly functionArgsMax?: number;
  /** Columns or terms per list; default `columnsMax` (2000). */
  readonly columnsMax?: number;
  /** Parameter slots per statement; default `paramsMax` (32,766). */
  readonly paramsMax?: number;
}

/** The default limits, frozen. */
export const defaultSqlLimits: SqlLimits = Object.freeze({
  sqlBytesMax,
  parseDepthMax,
  identifierBytesMax,
  statementsMax,
  valuesRowsMax,
  inListMax,
  functionArgsMax,
  columnsMax,
  paramsMax,
});

/**
 * Resolves `options` against the defaults, once; throws INVALID_ARGUMENT
 * listing every field that is not a positive safe integer.
 */
export function resolveSqlLimits(options: SqlLimitsOptions | undefined): SqlLimits {
  if (options === undefined) return defaultSqlLimits;
  const resolved: SqlLimits = {
    sqlBytesMax: options.sqlBytesMax ?? sqlBytesMax,
    parseDepthMax: options.parseDepthMax ?? parseDepthMax,
    identifierBytesMax: options.identifierBytesMax ?? identifierBytesMax,
    statementsMax: options.statementsMax ?? statementsMax,
    valuesRowsMax: options.valuesRowsMax ?? valuesRowsMax,
    inListMax: options.inListMax ?? inListMax,
    functionArgsMax: options.functionArgsMax ?? functionArgsMax,
    columnsMax: options.columnsMax ?? columnsMax,
    paramsMax: options.paramsMax ?? paramsMax,
  };
  const violations = new OptionsViolations('SQL limits');
  for (const key of Object.keys(defaultSqlLimits) as (keyof SqlLimits)[]) {
    const value = resolved[key];
    violations.check(Number.isSafeInteger(value) && value > 0, `${key} must be a positive integer, got ${String(value)}`);
  }
  violations.throwIfAny();
  return Object.freeze(resolved);
}
