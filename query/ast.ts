/**
 * The abstract syntax tree of fairdb's SQL dialect: what `parse()` returns and
 * what the binder consumes.
 *
 * Every node is readonly, discriminated by `kind`, and carries a `span`: the
 * half-open range `[start, end)` of UTF-16 code-unit offsets into the SQL
 * text it was parsed from (the same indices as `sql.slice(start, end)`).
 * Spans serve two purposes:
 *  - errors found after parsing (unknown column, type errors) point at the
 *    text the user wrote;
 *  - an unaliased result column is named by its SQL text *as written*, like
 *    SQLite does: `SELECT a  +  b` names its column `a  +  b`, so the binder
 *    takes `sql.slice(item.expr.span.start, item.expr.span.end)`.
 * A parenthesised expression has no node of its own: the parentheses widen
 * the span of the expression they enclose, so `SELECT (a + 1)` names its
 * column `(a + 1)`, as SQLite does.
 *
 * Names are kept as written (unquoted, with quote escapes resolved) and are
 * compared case-insensitively by the binder, as in SQLite. Function and
 * keyword-like names (`Call.name`, `TypeName.name`) are upper-cased here.
 *
 * Compatibility: this file is a contract between the parser and the binder.
 * It only grows (new node kinds, new optional fields); existing kinds and
 * fields keep their meaning.
 */

/** Half-open range `[start, end)` of UTF-16 offsets into the SQL text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

// ---------------------------------------------------------------------------
// Names and types
// ---------------------------------------------------------------------------

/** A name: bare (`abc`) or quoted (`"a""b"`, `` `ab` ``, `[ab]`). */
export interface Identifier {
  readonly kind: 'Identifier';
  /** The name as written, with the quotes removed and doubled quotes resolved. */
  readonly name: string;
  /** True when the name was quoted in the source. */
  readonly quoted: boolean;
  readonly span: Span;
}

/**
 * The seven storage types of fairdb. Every type name the parser accepts maps
 * to one of them (see `typeAliases` in parser.ts):
 *
 * | type      | accepted names                                                   |
 * |-----------|------------------------------------------------------------------|
 * | INTEGER   | INTEGER, INT, BIGINT, SMALLINT, TINYINT, MEDIUMINT, INT2, INT4, INT8 |
 * | REAL      | REAL, DOUBLE [PRECISION], FLOAT, FLOAT4, FLOAT8, NUMERIC(p,s), DECIMAL(p,s) |
 * | TEXT      | TEXT, VARCHAR(n), CHAR(n), CHARACTER [VARYING](n), NVARCHAR(n), NCHAR(n), CLOB, STRING |
 * | BOOLEAN   | BOOLEAN, BOOL                                                    |
 * | BLOB      | BLOB, BYTEA, BINARY(n), VARBINARY(n)                             |
 * | DATE      | DATE                                                             |
 * | TIMESTAMP | TIMESTAMP, DATETIME                                              |
 *
 * NUMERIC and DECIMAL map to REAL (a binary double): fairdb has no decimal
 * type. Note that SQLite gives such columns NUMERIC affinity, which stores
 * integral values as integers, so `x / 2` on a DECIMAL column can differ
 * from SQLite; declare REAL to compare the two.
 */
export type ColumnType = 'INTEGER' | 'REAL' | 'TEXT' | 'BOOLEAN' | 'BLOB' | 'DATE' | 'TIMESTAMP';

export interface TypeName {
  readonly kind: 'TypeName';
  /** The storage type the written name maps to. */
  readonly type: ColumnType;
  /** The name as written, upper-cased, words joined by one space (`DOUBLE PRECISION`). */
  readonly name: string;
  /** The parenthesised numbers after the name (`VARCHAR(10)` → `[10]`); informational only. */
  readonly params: readonly number[];
  readonly span: Span;
}

// ---------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------

/** An integer literal (decimal or `0x` hex) that fits in a signed 64-bit integer. */
export interface IntegerLiteral {
  readonly kind: 'IntegerLiteral';
  /**
   * The exact value, in [-2^63, 2^63 - 1]. A decimal literal too large for
   * 64 bits is a `RealLiteral`, as in SQLite. `-9223372036854775808` is the
   * one negative integer literal (the minus sign is folded into it because
   * its magnitude alone does not fit).
   */
  readonly value: bigint;
  readonly span: Span;
}

export interface RealLiteral {
  readonly kind: 'RealLiteral';
  /** The value as a double (may be `Infinity` for `1e999`, as in SQLite). */
  readonly value: number;
  readonly span: Span;
}

export interface StringLiteral {
  readonly kind: 'StringLiteral';
  /** The text, with `''` escapes resolved. */
  readonly value: string;
  readonly span: Span;
}

/** `X'0aFF'`. */
export interface BlobLiteral {
  readonly kind: 'BlobLiteral';
  readonly value: Uint8Array;
  readonly span: Span;
}

/** `TRUE` / `FALSE`. */
export interface BooleanLiteral {
  readonly kind: 'BooleanLiteral';
  readonly value: boolean;
  readonly span: Span;
}

export interface NullLiteral {
  readonly kind: 'NullLiteral';
  readonly span: Span;
}

/** `DATE 'YYYY-MM-DD'`; the parser has checked that the date exists. */
export interface DateLiteral {
  readonly kind: 'DateLiteral';
  readonly year: number;
  /** 1..12. */
  readonly month: number;
  /** 1..31, valid for the month and year. */
  readonly day: number;
  /** The string as written inside the quotes. */
  readonly text: string;
  readonly span: Span;
}

/**
 * `TIMESTAMP 'YYYY-MM-DD[ |T]HH:MM[:SS[.fff...]][Z]'`; the parser has checked
 * every field. Without `Z` the time is taken as UTC too: fairdb timestamps
 * carry no time zone.
 */
export interface TimestampLiteral {
  readonly kind: 'TimestampLiteral';
  /** Milliseconds since 1970-01-01T00:00:00Z (fractions below 1 ms are truncated). */
  readonly epochMs: number;
  /** The string as written inside the quotes. */
  readonly text: string;
  readonly span: Span;
}

export type IntervalUnit = 'YEAR' | 'MONTH' | 'DAY';

/** `INTERVAL '90' DAY`, `INTERVAL '3' MONTH`, `INTERVAL '1' YEAR` (also `INTERVAL 90 DAY`, and TPC-H's `DAY (3)`). */
export interface IntervalLiteral {
  readonly kind: 'IntervalLiteral';
  /** The signed whole number of units. */
  readonly amount: number;
  readonly unit: IntervalUnit;
  readonly span: Span;
}

/**
 * A bound parameter. Slots are numbered per statement as in SQLite:
 * `?NNN` takes slot NNN; `?` takes one more than the largest slot used so
 * far in the statement; a named parameter takes a new slot the first time
 * its name appears and shares it afterwards (`$a`, `:a` and `@a` are the
 * same name `a`, as better-sqlite3 binds them all from `{ a: ... }`).
 */
export interface Parameter {
  readonly kind: 'Parameter';
  /** The 1-based slot, at most `paramsMax`. */
  readonly index: number;
  /** The name without its prefix for `$name`, `:name`, `@name`; undefined for `?` and `?NNN`. */
  readonly name: string | undefined;
  /** How the parameter was written. */
  readonly prefix: '?' | '$' | ':' | '@';
  readonly span: Span;
}

/** `c`, `t.c`, `excluded.c`. */
export interface ColumnRef {
  readonly kind: 'ColumnRef';
  /** The table or alias qualifier, if any. */
  readonly table: Identifier | undefined;
  readonly column: Identifier;
  readonly span: Span;
}

export type UnaryOperator = '-' | '+' | '~' | 'NOT';

export interface UnaryExpr {
  readonly kind: 'Unary';
  readonly op: UnaryOperator;
  readonly operand: Expr;
  readonly span: Span;
}

/**
 * Binary operators. Spelling variants are normalised: `==` is `=`, `<>` is
 * `!=`, `IS NOT DISTINCT FROM` is `IS`, `IS DISTINCT FROM` is `IS NOT`.
 * `x IS NULL` / `x IS NOT NULL` are `IsNull` nodes, not `IS` binaries.
 */
export type BinaryOperator =
  | '||'
  | '*'
  | '/'
  | '%'
  | '+'
  | '-'
  | '<<'
  | '>>'
  | '&'
  | '|'
  | '<'
  | '<='
  | '>'
  | '>='
  | '='
  | '!='
  | 'IS'
  | 'IS NOT'
  | 'AND'
  | 'OR';

export interface BinaryExpr {
  readonly kind: 'Binary';
  readonly op: BinaryOperator;
  readonly left: Expr;
  readonly right: Expr;
  readonly span: Span;
}

/** `x IS NULL`, `x ISNULL`; with `not`: `x IS NOT NULL`, `x NOTNULL`, `x NOT NULL`. */
export interface IsNullExpr {
  readonly kind: 'IsNull';
  readonly operand: Expr;
  readonly not: boolean;
  readonly span: Span;
}

/** `x [NOT] LIKE pattern [ESCAPE e]`. */
export interface LikeExpr {
  readonly kind: 'Like';
  readonly operand: Expr;
  readonly pattern: Expr;
  readonly escape: Expr | undefined;
  readonly not: boolean;
  readonly span: Span;
}

/** `x [NOT] BETWEEN low AND high`. */
export interface BetweenExpr {
  readonly kind: 'Between';
  readonly operand: Expr;
  readonly low: Expr;
  readonly high: Expr;
  readonly not: boolean;
  readonly span: Span;
}

/** `x [NOT] IN (a, b, ...)`; `items` is non-empty and at most `inListMax` long. */
export interface InListExpr {
  readonly kind: 'InList';
  readonly operand: Expr;
  readonly items: readonly Expr[];
  readonly not: boolean;
  readonly span: Span;
}

/** `x [NOT] IN (SELECT ...)`. */
export interface InSubqueryExpr {
  readonly kind: 'InSubquery';
  readonly operand: Expr;
  readonly query: Select;
  readonly not: boolean;
  readonly span: Span;
}

/** `EXISTS (SELECT ...)`; `NOT EXISTS` is a `Unary` NOT around it. */
export interface ExistsExpr {
  readonly kind: 'Exists';
  readonly query: Select;
  readonly span: Span;
}

/** A scalar subquery `(SELECT ...)`; its span includes the parentheses. */
export interface SubqueryExpr {
  readonly kind: 'Subquery';
  readonly query: Select;
  readonly span: Span;
}

export interface WhenClause {
  readonly when: Expr;
  readonly then: Expr;
  readonly span: Span;
}

/** `CASE [operand] WHEN .. THEN .. [...] [ELSE ..] END` (simple when `operand` is set, else searched). */
export interface CaseExpr {
  readonly kind: 'Case';
  readonly operand: Expr | undefined;
  /** Non-empty. */
  readonly whens: readonly WhenClause[];
  readonly else: Expr | undefined;
  readonly span: Span;
}

/** `CAST(x AS type)`. */
export interface CastExpr {
  readonly kind: 'Cast';
  readonly operand: Expr;
  readonly type: TypeName;
  readonly span: Span;
}

/**
 * A function call. The parser does not know which functions exist: any
 * name is a call, and the binder rejects the unknown ones.
 * `COUNT(*)` has `star` set and no args; `COUNT(DISTINCT x)` has `distinct`.
 * `SUBSTRING(x FROM a [FOR b])` is a call named `SUBSTRING` with args
 * `[x, a]` or `[x, a, b]`, the same as `SUBSTRING(x, a, b)`.
 * `CURRENT_DATE`, `CURRENT_TIME` and `CURRENT_TIMESTAMP` (written without
 * parentheses) are calls of that name with no args.
 */
export interface CallExpr {
  readonly kind: 'Call';
  /** The function name, upper-cased (`count` → `COUNT`). */
  readonly name: string;
  readonly nameSpan: Span;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  readonly star: boolean;
  readonly span: Span;
}

export type ExtractField = 'YEAR' | 'MONTH' | 'DAY' | 'HOUR' | 'MINUTE' | 'SECOND';

/** `EXTRACT(YEAR FROM d)`. */
export interface ExtractExpr {
  readonly kind: 'Extract';
  readonly field: ExtractField;
  readonly operand: Expr;
  readonly span: Span;
}

export type Literal =
  | IntegerLiteral
  | RealLiteral
  | StringLiteral
  | BlobLiteral
  | BooleanLiteral
  | NullLiteral
  | DateLiteral
  | TimestampLiteral
  | IntervalLiteral;

export type Expr =
  | Literal
  | Parameter
  | ColumnRef
  | UnaryExpr
  | BinaryExpr
  | IsNullExpr
  | LikeExpr
  | BetweenExpr
  | InListExpr
  | InSubqueryExpr
  | ExistsExpr
  | SubqueryExpr
  | CaseExpr
  | CastExpr
  | CallExpr
  | ExtractExpr;

// ---------------------------------------------------------------------------
// SELECT
// ---------------------------------------------------------------------------

/** `*` or `t.*` in a select list. */
export interface SelectStar {
  readonly kind: 'SelectStar';
  readonly table: Identifier | undefined;
  readonly span: Span;
}

/** `expr [[AS] alias]` in a select list. */
export interface SelectExpr {
  readonly kind: 'SelectExpr';
  readonly expr: Expr;
  readonly alias: Identifier | undefined;
  readonly span: Span;
}

export type SelectItem = SelectStar | SelectExpr;

/** `name [[AS] alias]` in FROM. */
export interface TableSource {
  readonly kind: 'TableSource';
  readonly name: Identifier;
  readonly alias: Identifier | undefined;
  readonly span: Span;
}

/** `(SELECT ...) [[AS] alias]` in FROM. */
export interface SubquerySource {
  readonly kind: 'SubquerySource';
  readonly query: Select;
  readonly alias: Identifier | undefined;
  readonly span: Span;
}

/**
 * `INNER`: `a JOIN b ON c`, `a INNER JOIN b ON c` (and `a JOIN b` without ON).
 * `LEFT`: `a LEFT [OUTER] JOIN b ON c`.
 * `CROSS`: `a, b` and `a CROSS JOIN b` (never an `on`).
 */
export type JoinType = 'INNER' | 'LEFT' | 'CROSS';

/** Joins associate to the left: `a JOIN b JOIN c` is `(a JOIN b) JOIN c`. */
export interface JoinSource {
  readonly kind: 'Join';
  readonly type: JoinType;
  readonly left: FromSource;
  readonly right: FromSource;
  readonly on: Expr | undefined;
  readonly span: Span;
}

export type FromSource = TableSource | SubquerySource | JoinSource;

/** One `SELECT ... FROM ... WHERE ... GROUP BY ... HAVING ...` block. */
export interface SelectCore {
  readonly kind: 'SelectCore';
  readonly distinct: boolean;
  /** Non-empty. */
  readonly items: readonly SelectItem[];
  readonly from: FromSource | undefined;
  readonly where: Expr | undefined;
  /** Empty when there is no GROUP BY. */
  readonly groupBy: readonly Expr[];
  readonly having: Expr | undefined;
  readonly span: Span;
}

export type SetOperator = 'UNION' | 'UNION ALL' | 'INTERSECT' | 'EXCEPT';

/** `left UNION [ALL] right` etc.; associates to the left, all operators at one precedence (as in SQLite). */
export interface SetOperation {
  readonly kind: 'SetOperation';
  readonly op: SetOperator;
  readonly left: SelectBody;
  readonly right: SelectCore;
  readonly span: Span;
}

export type SelectBody = SelectCore | SetOperation;

/**
 * `ORDER BY expr [ASC|DESC] [NULLS FIRST|LAST]`. An integer literal is a
 * 1-based position in the select list and a bare name may be a select-list
 * alias; the binder resolves both.
 */
export interface OrderingTerm {
  readonly expr: Expr;
  readonly descending: boolean;
  /** Undefined: SQLite's default (NULLs first ascending, last descending). */
  readonly nulls: 'FIRST' | 'LAST' | undefined;
  readonly span: Span;
}

/**
 * A query: a select body plus the ORDER BY / LIMIT / OFFSET that apply to
 * its whole result (for a set operation: to the combined result). Used as a
 * statement, a subquery and the source of `INSERT ... SELECT`.
 * `LIMIT a, b` is read as SQLite does: offset `a`, limit `b`.
 */
export interface Select {
  readonly kind: 'Select';
  readonly body: SelectBody;
  /** Empty when there is no ORDER BY. */
  readonly orderBy: readonly OrderingTerm[];
  readonly limit: Expr | undefined;
  readonly offset: Expr | undefined;
  readonly span: Span;
}

// ---------------------------------------------------------------------------
// DDL
// ---------------------------------------------------------------------------

export interface ColumnDef {
  readonly name: Identifier;
  readonly type: TypeName;
  /** Set for a column-level `PRIMARY KEY [ASC|DESC]`; its span is the constraint's. */
  readonly primaryKey: { readonly descending: boolean; readonly span: Span } | undefined;
  readonly notNull: boolean;
  readonly unique: boolean;
  /** `DEFAULT literal`, `DEFAULT -1`, `DEFAULT (expr)`. */
  readonly default: Expr | undefined;
  readonly span: Span;
}

/** `PRIMARY KEY (a, b)` / `UNIQUE (a, b)` after the columns. */
export interface TableConstraint {
  readonly kind: 'PrimaryKey' | 'Unique';
  /** Non-empty. */
  readonly columns: readonly Identifier[];
  readonly span: Span;
}

export interface CreateTable {
  readonly kind: 'CreateTable';
  readonly ifNotExists: boolean;
  readonly name: Identifier;
  /** Non-empty, in declaration order. The parser does not check for duplicate names or several primary keys. */
  readonly columns: readonly ColumnDef[];
  readonly constraints: readonly TableConstraint[];
  readonly span: Span;
}

export interface DropTable {
  readonly kind: 'DropTable';
  readonly ifExists: boolean;
  readonly name: Identifier;
  readonly span: Span;
}

export interface IndexedColumn {
  readonly name: Identifier;
  readonly descending: boolean;
  readonly span: Span;
}

export interface CreateIndex {
  readonly kind: 'CreateIndex';
  readonly unique: boolean;
  readonly ifNotExists: boolean;
  readonly name: Identifier;
  readonly table: Identifier;
  /** Non-empty. */
  readonly columns: readonly IndexedColumn[];
  readonly span: Span;
}

export interface DropIndex {
  readonly kind: 'DropIndex';
  readonly ifExists: boolean;
  readonly name: Identifier;
  readonly span: Span;
}

// ---------------------------------------------------------------------------
// DML
// ---------------------------------------------------------------------------

/** `column = value` in UPDATE ... SET and ON CONFLICT DO UPDATE SET. */
export interface Assignment {
  readonly column: Identifier;
  readonly value: Expr;
  readonly span: Span;
}

/** `VALUES (..), (..)`: non-empty, at most `valuesRowsMax` rows; row widths are not checked here. */
export interface ValuesSource {
  readonly kind: 'Values';
  readonly rows: readonly (readonly Expr[])[];
  readonly span: Span;
}

/** `DEFAULT VALUES`. */
export interface DefaultValuesSource {
  readonly kind: 'DefaultValues';
  readonly span: Span;
}

export type InsertSource = ValuesSource | Select | DefaultValuesSource;

export interface DoNothing {
  readonly kind: 'DoNothing';
}

/** `DO UPDATE SET ... [WHERE ...]`; `excluded.c` refers to the row that was proposed. */
export interface DoUpdate {
  readonly kind: 'DoUpdate';
  /** Non-empty. */
  readonly set: readonly Assignment[];
  readonly where: Expr | undefined;
}

/** `ON CONFLICT [(a, b)] DO NOTHING | DO UPDATE SET ...`. */
export interface OnConflict {
  /** The conflict target columns; undefined when omitted. */
  readonly target: readonly Identifier[] | undefined;
  readonly action: DoNothing | DoUpdate;
  readonly span: Span;
}

export interface Insert {
  readonly kind: 'Insert';
  readonly table: Identifier;
  /** The column list; undefined when omitted (all columns in declaration order). */
  readonly columns: readonly Identifier[] | undefined;
  readonly source: InsertSource;
  readonly onConflict: OnConflict | undefined;
  readonly span: Span;
}

export interface Update {
  readonly kind: 'Update';
  readonly table: Identifier;
  readonly alias: Identifier | undefined;
  /** Non-empty. */
  readonly set: readonly Assignment[];
  readonly where: Expr | undefined;
  readonly span: Span;
}

export interface Delete {
  readonly kind: 'Delete';
  readonly table: Identifier;
  readonly alias: Identifier | undefined;
  readonly where: Expr | undefined;
  readonly span: Span;
}

// ---------------------------------------------------------------------------
// Transactions and EXPLAIN
// ---------------------------------------------------------------------------

/** `BEGIN [DEFERRED|IMMEDIATE|EXCLUSIVE] [TRANSACTION]`. */
export interface Begin {
  readonly kind: 'Begin';
  readonly mode: 'DEFERRED' | 'IMMEDIATE' | 'EXCLUSIVE' | undefined;
  readonly span: Span;
}

/** `COMMIT [TRANSACTION]` or `END [TRANSACTION]`. */
export interface Commit {
  readonly kind: 'Commit';
  readonly span: Span;
}

/** `ROLLBACK [TRANSACTION]`. */
export interface Rollback {
  readonly kind: 'Rollback';
  readonly span: Span;
}

/** `EXPLAIN [QUERY PLAN] statement`; the statement is never an `Explain`. */
export interface Explain {
  readonly kind: 'Explain';
  readonly queryPlan: boolean;
  readonly statement: Statement;
  readonly span: Span;
}

export type Statement =
  | CreateTable
  | DropTable
  | CreateIndex
  | DropIndex
  | Insert
  | Update
  | Delete
  | Select
  | Begin
  | Commit
  | Rollback
  | Explain;

export type StatementKind = Statement['kind'];
export type ExprKind = Expr['kind'];
