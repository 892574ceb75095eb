/**
 * The SQL parser: tokens → readonly AST (`ast.ts`), by recursive descent
 * with one token of lookahead (three in a few places: `t.*`, `IF NOT
 * EXISTS`, `(SELECT`), never backtracking, so it runs in time linear in the
 * number of tokens.
 *
 * `parse(sql)` is pure: bad input yields a `Left` holding a `ParseError`
 * (code PARSE with line, column, expected tokens and a caret excerpt, or
 * code LIMIT); it never throws for any input. Internally a failure unwinds
 * the recursion with a private exception that `parse` turns into the
 * `Left`; assertions (fairdb's own bugs) are not caught.
 *
 * Operator precedence is SQLite's, loosest first:
 *
 * | level | operators                                                       | assoc |
 * |-------|-----------------------------------------------------------------|-------|
 * | 1     | OR                                                              | left  |
 * | 2     | AND                                                             | left  |
 * | 3     | NOT (prefix)                                                    | right |
 * | 4     | = == != <> IS [NOT] IS [NOT] DISTINCT FROM [NOT] BETWEEN [NOT] IN [NOT] LIKE ISNULL NOTNULL NOT NULL | left |
 * | 5     | < <= > >=                                                       | left  |
 * | 6     | & \| << >>                                                      | left  |
 * | 7     | + -                                                             | left  |
 * | 8     | * / %                                                           | left  |
 * | 9     | \|\|                                                            | left  |
 * | 10    | - + ~ (prefix)                                                  | right |
 *
 * Binary operators are parsed by precedence climbing (one loop per
 * expression, recursing only for a tighter right operand), which keeps the
 * JS stack shallow; the depth limit (`parseDepthMax`) bounds it (see
 * limits.ts for how depth is counted).
 */
import { left, right, type Either } from 'fp-ts/lib/Either.js';
import { AssertionError, assert, unreachable } from '../storage/device/index.js';
import type {
  Assignment,
  BinaryOperator,
  ColumnDef,
  ColumnType,
  CreateIndex,
  CreateTable,
  Delete,
  Expr,
  ExtractField,
  FromSource,
  Identifier,
  IndexedColumn,
  Insert,
  InsertSource,
  IntervalUnit,
  OnConflict,
  OrderingTerm,
  Select,
  SelectBody,
  SelectCore,
  SelectItem,
  SetOperator,
  Span,
  Statement,
  TableConstraint,
  TypeName,
  Update,
  WhenClause,
} from './ast.js';
import { tokenize, type Token } from './lexer.js';
import { resolveSqlLimits, type SqlLimits, type SqlLimitsOptions } from './limits.js';
import { SqlLimitError, SqlParseError, locate, type ParseError } from './parse-error.js';

/**
 * Parses one or more `;`-separated statements. Empty statements (`;;`) and
 * a text of only comments yield no statement.
 */
export function parse(sql: string, limits?: SqlLimitsOptions): Either<ParseError, Statement[]> {
  return parseCounted(sql, limits).result;
}

/** `parse` plus a measure of its work, for tests of its linearity. */
export interface CountedParse {
  readonly result: Either<ParseError, Statement[]>;
  /** Tokens lexed, including the end token. */
  readonly tokens: number;
  /** Token inspections made by the parser: its work. */
  readonly steps: number;
}

/** Parses like `parse` and reports how much work it took. */
export function parseCounted(sql: string, limits?: SqlLimitsOptions): CountedParse {
  const resolved = resolveSqlLimits(limits);
  const lexed = tokenize(sql, resolved);
  if (lexed.error !== undefined) return { result: left(lexed.error), tokens: lexed.tokens.length, steps: 0 };
  // The first pass records no expectations, which keeps the common case
  // fast; a syntax error is described by a second, recording pass over the
  // same tokens, which fails at the same token (the parser is deterministic).
  const fast = new Parser(sql, lexed.tokens, resolved, false);
  try {
    const statements = fast.script();
    return { result: right(statements), tokens: lexed.tokens.length, steps: fast.steps };
  } catch (error) {
    if (!(error instanceof ParseFailure)) throw error;
    if (error.error !== undefined) return { result: left(error.error), tokens: lexed.tokens.length, steps: fast.steps };
  }
  const recording = new Parser(sql, lexed.tokens, resolved, true);
  try {
    recording.script();
  } catch (error) {
    if (error instanceof ParseFailure && error.error !== undefined) {
      return { result: left(error.error), tokens: lexed.tokens.length, steps: fast.steps + recording.steps };
    }
    throw error;
  }
  throw new AssertionError('the recording pass parsed what the first pass rejected');
}

/**
 * Type names and the storage type each maps to (see `ColumnType` in
 * ast.ts). Two-word names are keyed with one space.
 */
export const typeAliases: ReadonlyMap<string, ColumnType> = new Map<string, ColumnType>([
  ['INTEGER', 'INTEGER'],
  ['INT', 'INTEGER'],
  ['BIGINT', 'INTEGER'],
  ['SMALLINT', 'INTEGER'],
  ['TINYINT', 'INTEGER'],
  ['MEDIUMINT', 'INTEGER'],
  ['INT2', 'INTEGER'],
  ['INT4', 'INTEGER'],
  ['INT8', 'INTEGER'],
  ['REAL', 'REAL'],
  ['DOUBLE', 'REAL'],
  ['DOUBLE PRECISION', 'REAL'],
  ['FLOAT', 'REAL'],
  ['FLOAT4', 'REAL'],
  ['FLOAT8', 'REAL'],
  ['NUMERIC', 'REAL'],
  ['DECIMAL', 'REAL'],
  ['TEXT', 'TEXT'],
  ['VARCHAR', 'TEXT'],
  ['CHAR', 'TEXT'],
  ['CHARACTER', 'TEXT'],
  ['CHARACTER VARYING', 'TEXT'],
  ['NVARCHAR', 'TEXT'],
  ['NCHAR', 'TEXT'],
  ['CLOB', 'TEXT'],
  ['STRING', 'TEXT'],
  ['BOOLEAN', 'BOOLEAN'],
  ['BOOL', 'BOOLEAN'],
  ['BLOB', 'BLOB'],
  ['BYTEA', 'BLOB'],
  ['BINARY', 'BLOB'],
  ['VARBINARY', 'BLOB'],
  ['DATE', 'DATE'],
  ['TIMESTAMP', 'TIMESTAMP'],
  ['DATETIME', 'TIMESTAMP'],
]);

/** The second word of the two-word type names, by first word. */
const typeSecondWords: ReadonlyMap<string, string> = new Map([
  ['DOUBLE', 'PRECISION'],
  ['CHARACTER', 'VARYING'],
]);

const intervalUnits: ReadonlyMap<string, IntervalUnit> = new Map<string, IntervalUnit>([
  ['YEAR', 'YEAR'],
  ['YEARS', 'YEAR'],
  ['MONTH', 'MONTH'],
  ['MONTHS', 'MONTH'],
  ['DAY', 'DAY'],
  ['DAYS', 'DAY'],
]);

const extractFields: ReadonlySet<string> = new Set<ExtractField>(['YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND']);

/** Binary operator tokens → (normalised operator, precedence level). */
const operatorLevels: ReadonlyMap<string, readonly [BinaryOperator, number]> = new Map<string, readonly [BinaryOperator, number]>([
  ['||', ['||', 9]],
  ['*', ['*', 8]],
  ['/', ['/', 8]],
  ['%', ['%', 8]],
  ['+', ['+', 7]],
  ['-', ['-', 7]],
  ['<<', ['<<', 6]],
  ['>>', ['>>', 6]],
  ['&', ['&', 6]],
  ['|', ['|', 6]],
  ['<', ['<', 5]],
  ['<=', ['<=', 5]],
  ['>', ['>', 5]],
  ['>=', ['>=', 5]],
  ['=', ['=', 4]],
  ['==', ['=', 4]],
  ['!=', ['!=', 4]],
  ['<>', ['!=', 4]],
]);

const levelOr = 1;
const levelAnd = 2;
const levelNot = 3;
const levelEquality = 4;

/** 2^63: the magnitude of the one integer literal that needs its minus sign. */
const int64Overflow = 9223372036854775808n;
const int64Max = 9223372036854775807n;

/**
 * Unwinds the parser's recursion on the first error; caught by
 * `parseCounted`. `error` is undefined for a syntax error found by a pass
 * that does not record expectations.
 */
class ParseFailure {
  constructor(readonly error: ParseError | undefined) {}
}

/** Operators as they appear in expected-token lists, quoted once rather than on every failed check. */
const quotedOperators: ReadonlyMap<string, string> = new Map(
  ['(', ')', ',', ';', '.', '*', '=', '-'].map((op) => [op, JSON.stringify(op)]),
);

/** Expected-token lists longer than this are cut in messages (the field keeps them all). */
const expectedInMessageMax = 12;

function describeToken(token: Token): string {
  switch (token.kind) {
    case 'End':
      return 'end of input';
    case 'Keyword':
      return token.text;
    case 'Identifier':
    case 'QuotedIdentifier':
      return `identifier ${JSON.stringify(clip(token.text))}`;
    case 'Integer':
    case 'Real':
      return `number ${clip(token.text)}`;
    case 'String':
      return `string '${clip(token.text)}'`;
    case 'Blob':
      return `blob X'${clip(token.text)}'`;
    case 'Parameter':
      return `parameter ${clip(token.text)}`;
    case 'Operator':
      return JSON.stringify(token.text);
    default:
      return unreachable(token.kind, 'token kind');
  }
}

function clip(text: string): string {
  return text.length <= 40 ? text : `${text.slice(0, 40)}...`;
}

function span(start: number, end: number): Span {
  return { start, end };
}

class Parser {
  /** Token inspections so far. */
  steps = 0;
  private pos = 0;
  /** End offset of the last consumed token. */
  private lastEnd = 0;
  /** Current descent depth (see limits.ts). */
  private depth = 0;
  /** Token index the expectations below were recorded at. */
  private expectedAt = -1;
  /** Reused: the parser records expectations at every token it looks at. */
  private readonly expected: string[] = [];
  /** Largest parameter slot used so far in the current statement. */
  private paramMax = 0;
  /** Named parameter → slot, for the current statement (a Map: names are hostile). */
  private paramNames = new Map<string, number>();

  constructor(
    private readonly sql: string,
    private readonly tokens: readonly Token[],
    private readonly limits: SqlLimits,
    /** Whether to record what each failed check expected (see `parseCounted`). */
    private readonly recording: boolean,
  ) {
    assert(tokens.length > 0 && tokens[tokens.length - 1]?.kind === 'End', 'the token list ends with End');
  }

  // -------------------------------------------------------------------------
  // Token access and errors
  // -------------------------------------------------------------------------

  private cur(): Token {
    this.steps++;
    return this.tokens[this.pos] as Token;
  }

  /** The token `n` ahead, or the End token. */
  private ahead(n: number): Token {
    this.steps++;
    return this.tokens[Math.min(this.pos + n, this.tokens.length - 1)] as Token;
  }

  private advance(): Token {
    const token = this.tokens[this.pos] as Token;
    assert(token.kind !== 'End', 'never advance past the end');
    this.pos++;
    this.lastEnd = token.end;
    return token;
  }

  /** Records that `what` would have been accepted at the current token. */
  private note(what: string): void {
    if (!this.recording) return;
    if (this.pos > this.expectedAt) {
      this.expectedAt = this.pos;
      this.expected.length = 0;
    }
    if (this.pos === this.expectedAt) this.expected.push(what);
  }

  private isKeyword(keyword: string): boolean {
    const token = this.cur();
    if (token.kind === 'Keyword' && token.text === keyword) return true;
    this.note(keyword);
    return false;
  }

  /** A non-reserved word of the grammar (an `Identifier` token, never a quoted one). */
  private isWord(word: string): boolean {
    const token = this.cur();
    if (token.kind === 'Identifier' && token.upper === word) return true;
    this.note(word);
    return false;
  }

  private isOperator(op: string): boolean {
    const token = this.cur();
    if (token.kind === 'Operator' && token.text === op) return true;
    this.note(quotedOperators.get(op) ?? JSON.stringify(op));
    return false;
  }

  private acceptKeyword(keyword: string): boolean {
    if (!this.isKeyword(keyword)) return false;
    this.advance();
    return true;
  }

  private acceptWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.advance();
    return true;
  }

  private acceptOperator(op: string): boolean {
    if (!this.isOperator(op)) return false;
    this.advance();
    return true;
  }

  private expectKeyword(keyword: string): Token {
    if (!this.isKeyword(keyword)) this.fail();
    return this.advance();
  }

  private expectWord(word: string): Token {
    if (!this.isWord(word)) this.fail();
    return this.advance();
  }

  private expectOperator(op: string): Token {
    if (!this.isOperator(op)) this.fail();
    return this.advance();
  }

  /** Fails at the current token with what was expected there. */
  private fail(problem = 'syntax error'): never {
    if (!this.recording) throw new ParseFailure(undefined);
    const token = this.tokens[this.pos] as Token;
    const expected = this.expectedAt === this.pos ? [...new Set(this.expected)] : [];
    this.failAt(token, problem, expected);
  }

  private failAt(token: Token, problem: string, expected: readonly string[]): never {
    const found = describeToken(token);
    let detail: string;
    if (expected.length === 0) {
      detail = `unexpected ${found}`;
    } else {
      const shown = expected.slice(0, expectedInMessageMax);
      const list = shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}`;
      detail = `expected ${list}${expected.length > shown.length ? ' (or others)' : ''}, found ${found}`;
    }
    throw new ParseFailure(
      new SqlParseError({
        location: locate(this.sql, token.start),
        problem: `${problem}: ${detail}`,
        expected,
        found,
        atEnd: token.kind === 'End',
      }),
    );
  }

  private failLimit(offset: number, what: string, limitName: keyof SqlLimits, actual: number): never {
    throw new ParseFailure(
      new SqlLimitError({ location: locate(this.sql, offset), what, limitName, limit: this.limits[limitName], actual }),
    );
  }

  /** Enters one level of nesting (see `parseDepthMax`). */
  private enter(): void {
    this.depth++;
    if (this.depth > this.limits.parseDepthMax) {
      this.failLimit(this.cur().start, 'nesting depth', 'parseDepthMax', this.depth);
    }
  }

  private leave(): void {
    this.depth--;
    assert(this.depth >= 0, 'enter and leave pair up');
  }

  private checkCount(count: number, limitName: 'columnsMax' | 'inListMax' | 'functionArgsMax' | 'valuesRowsMax', what: string, offset: number): void {
    if (count > this.limits[limitName]) this.failLimit(offset, what, limitName, count);
  }

  // -------------------------------------------------------------------------
  // Script and statements
  // -------------------------------------------------------------------------

  script(): Statement[] {
    const statements: Statement[] = [];
    for (;;) {
      while (this.acceptOperator(';'));
      if (this.cur().kind === 'End') break;
      const start = this.cur().start;
      if (statements.length === this.limits.statementsMax) {
        this.failLimit(start, 'statement count', 'statementsMax', statements.length + 1);
      }
      this.paramMax = 0;
      this.paramNames.clear();
      const statement = this.statement(true);
      assert(this.depth === 0, 'every enter has its leave');
      if (!this.isOperator(';') && this.cur().kind !== 'End') {
        this.note('end of input');
        this.fail();
      }
      checkTreeDepth(statement, this.limits.parseDepthMax, (offset, depth) =>
        this.failLimit(offset, 'nesting depth', 'parseDepthMax', depth),
      );
      statements.push(statement);
    }
    return statements;
  }

  private statement(explainable: boolean): Statement {
    const token = this.cur();
    if (token.kind === 'Keyword') {
      switch (token.text) {
        case 'SELECT':
          return this.select();
        case 'CREATE':
          return this.create();
        case 'DROP':
          return this.drop();
        case 'INSERT':
          return this.insert();
        case 'UPDATE':
          return this.update();
        case 'DELETE':
          return this.delete();
        case 'END':
          return this.commit();
        case 'EXPLAIN':
          if (explainable) return this.explain();
          break;
        default:
          break;
      }
    } else if (token.kind === 'Identifier') {
      switch (token.upper) {
        case 'BEGIN':
          return this.begin();
        case 'COMMIT':
          return this.commit();
        case 'ROLLBACK':
          return this.rollback();
        default:
          break;
      }
    }
    for (const word of ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'BEGIN', 'COMMIT', 'END', 'ROLLBACK']) this.note(word);
    if (explainable) this.note('EXPLAIN');
    this.fail();
  }

  private explain(): Statement {
    const start = this.advance().start;
    let queryPlan = false;
    if (this.isWord('QUERY') && this.ahead(1).kind === 'Identifier' && this.ahead(1).upper === 'PLAN') {
      this.advance();
      this.advance();
      queryPlan = true;
    }
    const statement = this.statement(false);
    return { kind: 'Explain', queryPlan, statement, span: span(start, this.lastEnd) };
  }

  private begin(): Statement {
    const start = this.advance().start;
    let mode: 'DEFERRED' | 'IMMEDIATE' | 'EXCLUSIVE' | undefined;
    if (this.acceptWord('DEFERRED')) mode = 'DEFERRED';
    else if (this.acceptWord('IMMEDIATE')) mode = 'IMMEDIATE';
    else if (this.acceptWord('EXCLUSIVE')) mode = 'EXCLUSIVE';
    this.acceptWord('TRANSACTION');
    return { kind: 'Begin', mode, span: span(start, this.lastEnd) };
  }

  private commit(): Statement {
    const start = this.advance().start;
    this.acceptWord('TRANSACTION');
    return { kind: 'Commit', span: span(start, this.lastEnd) };
  }

  private rollback(): Statement {
    const start = this.advance().start;
    this.acceptWord('TRANSACTION');
    return { kind: 'Rollback', span: span(start, this.lastEnd) };
  }

  // -------------------------------------------------------------------------
  // DDL
  // -------------------------------------------------------------------------

  private create(): Statement {
    const start = this.advance().start;
    if (this.acceptKeyword('TABLE')) return this.createTable(start);
    if (this.acceptKeyword('UNIQUE')) {
      this.expectKeyword('INDEX');
      return this.createIndex(start, true);
    }
    if (this.acceptKeyword('INDEX')) return this.createIndex(start, false);
    this.fail();
  }

  /** `IF NOT EXISTS`, where IF is a non-reserved word. */
  private ifNotExists(): boolean {
    if (!this.isWord('IF') || this.ahead(1).kind !== 'Keyword' || this.ahead(1).text !== 'NOT') return false;
    this.advance();
    this.advance();
    this.expectKeyword('EXISTS');
    return true;
  }

  /** `IF EXISTS`. */
  private ifExists(): boolean {
    if (!this.isWord('IF') || this.ahead(1).kind !== 'Keyword' || this.ahead(1).text !== 'EXISTS') return false;
    this.advance();
    this.advance();
    return true;
  }

  private createTable(start: number): CreateTable {
    const ifNotExists = this.ifNotExists();
    const name = this.identifier('table name');
    this.expectOperator('(');
    const columns: ColumnDef[] = [];
    const constraints: TableConstraint[] = [];
    do {
      const token = this.cur();
      if (this.acceptKeyword('PRIMARY')) {
        this.expectWord('KEY');
        constraints.push({ kind: 'PrimaryKey', columns: this.nameList('column name'), span: span(token.start, this.lastEnd) });
      } else if (this.acceptKeyword('UNIQUE')) {
        constraints.push({ kind: 'Unique', columns: this.nameList('column name'), span: span(token.start, this.lastEnd) });
      } else if (constraints.length > 0) {
        // Column definitions come before table constraints, as in SQLite.
        this.fail();
      } else {
        columns.push(this.columnDef());
        this.checkCount(columns.length, 'columnsMax', 'column count', token.start);
      }
    } while (this.acceptOperator(','));
    this.expectOperator(')');
    if (columns.length === 0) {
      this.failAt(this.tokens[this.pos - 1] as Token, 'a table needs at least one column', ['column definition']);
    }
    return { kind: 'CreateTable', ifNotExists, name, columns, constraints, span: span(start, this.lastEnd) };
  }

  private columnDef(): ColumnDef {
    const name = this.identifier('column name');
    const type = this.typeName();
    let primaryKey: ColumnDef['primaryKey'];
    let notNull = false;
    let unique = false;
    let defaultValue: Expr | undefined;
    for (;;) {
      const token = this.cur();
      if (this.acceptKeyword('PRIMARY')) {
        this.expectWord('KEY');
        let descending = false;
        if (this.acceptWord('DESC')) descending = true;
        else this.acceptWord('ASC');
        primaryKey = { descending, span: span(token.start, this.lastEnd) };
      } else if (this.acceptKeyword('NOT')) {
        this.expectKeyword('NULL');
        notNull = true;
      } else if (this.acceptKeyword('NULL')) {
        // An explicit "nullable" is the default.
      } else if (this.acceptKeyword('UNIQUE')) {
        unique = true;
      } else if (this.acceptKeyword('DEFAULT')) {
        // A literal, a signed number or a parenthesised expression (as in
        // SQLite): a full expression would swallow a following NOT NULL.
        this.enter();
        defaultValue = this.unary();
        this.leave();
      } else {
        break;
      }
    }
    return { name, type, primaryKey, notNull, unique, default: defaultValue, span: span(name.span.start, this.lastEnd) };
  }

  private typeName(): TypeName {
    const first = this.cur();
    if (first.kind !== 'Identifier' || !typeAliases.has(first.upper)) {
      this.note('type name');
      this.fail();
    }
    this.advance();
    let name = first.upper;
    const second = typeSecondWords.get(name);
    if (second !== undefined && this.acceptWord(second)) name = `${name} ${second}`;
    const type = typeAliases.get(name);
    assert(type !== undefined, 'every accepted type name maps to a type');
    const params: number[] = [];
    if (this.acceptOperator('(')) {
      do {
        const token = this.cur();
        if (token.kind !== 'Integer' || !/^\d+$/.test(token.text) || !Number.isSafeInteger(Number(token.text))) {
          this.note('integer');
          this.fail();
        }
        this.advance();
        params.push(Number(token.text));
      } while (params.length < 2 && this.acceptOperator(','));
      this.expectOperator(')');
    }
    return { kind: 'TypeName', type, name, params, span: span(first.start, this.lastEnd) };
  }

  private createIndex(start: number, unique: boolean): CreateIndex {
    const ifNotExists = this.ifNotExists();
    const name = this.identifier('index name');
    this.expectKeyword('ON');
    const table = this.identifier('table name');
    this.expectOperator('(');
    const columns: IndexedColumn[] = [];
    do {
      const column = this.identifier('column name');
      let descending = false;
      if (this.acceptWord('DESC')) descending = true;
      else this.acceptWord('ASC');
      columns.push({ name: column, descending, span: span(column.span.start, this.lastEnd) });
      this.checkCount(columns.length, 'columnsMax', 'index column count', column.span.start);
    } while (this.acceptOperator(','));
    this.expectOperator(')');
    return { kind: 'CreateIndex', unique, ifNotExists, name, table, columns, span: span(start, this.lastEnd) };
  }

  private drop(): Statement {
    const start = this.advance().start;
    if (this.acceptKeyword('TABLE')) {
      const ifExists = this.ifExists();
      const name = this.identifier('table name');
      return { kind: 'DropTable', ifExists, name, span: span(start, this.lastEnd) };
    }
    if (this.acceptKeyword('INDEX')) {
      const ifExists = this.ifExists();
      const name = this.identifier('index name');
      return { kind: 'DropIndex', ifExists, name, span: span(start, this.lastEnd) };
    }
    this.fail();
  }

  // -------------------------------------------------------------------------
  // DML
  // -------------------------------------------------------------------------

  private insert(): Insert {
    const start = this.advance().start;
    this.expectKeyword('INTO');
    const table = this.identifier('table name');
    const columns = this.isOperator('(') ? this.nameList('column name') : undefined;
    let source: InsertSource;
    const token = this.cur();
    if (this.isKeyword('VALUES')) {
      source = this.values();
    } else if (this.isKeyword('SELECT')) {
      source = this.select();
    } else if (this.acceptKeyword('DEFAULT')) {
      this.expectKeyword('VALUES');
      source = { kind: 'DefaultValues', span: span(token.start, this.lastEnd) };
    } else {
      this.fail();
    }
    let onConflict: OnConflict | undefined;
    const on = this.cur();
    if (this.acceptKeyword('ON')) {
      this.expectWord('CONFLICT');
      const target = this.isOperator('(') ? this.nameList('column name') : undefined;
      this.expectWord('DO');
      if (this.acceptWord('NOTHING')) {
        onConflict = { target, action: { kind: 'DoNothing' }, span: span(on.start, this.lastEnd) };
      } else if (this.acceptKeyword('UPDATE')) {
        this.expectKeyword('SET');
        const set = this.assignments();
        const where = this.acceptKeyword('WHERE') ? this.expr() : undefined;
        onConflict = { target, action: { kind: 'DoUpdate', set, where }, span: span(on.start, this.lastEnd) };
      } else {
        this.fail();
      }
    }
    return { kind: 'Insert', table, columns, source, onConflict, span: span(start, this.lastEnd) };
  }

  private values(): InsertSource {
    const start = this.advance().start;
    const rows: Expr[][] = [];
    do {
      const open = this.expectOperator('(');
      this.checkCount(rows.length + 1, 'valuesRowsMax', 'VALUES row count', open.start);
      const row: Expr[] = [];
      do {
        row.push(this.expr());
        this.checkCount(row.length, 'columnsMax', 'VALUES row width', open.start);
      } while (this.acceptOperator(','));
      this.expectOperator(')');
      rows.push(row);
    } while (this.acceptOperator(','));
    return { kind: 'Values', rows, span: span(start, this.lastEnd) };
  }

  private update(): Update {
    const start = this.advance().start;
    const table = this.identifier('table name');
    const alias = this.alias();
    this.expectKeyword('SET');
    const set = this.assignments();
    const where = this.acceptKeyword('WHERE') ? this.expr() : undefined;
    return { kind: 'Update', table, alias, set, where, span: span(start, this.lastEnd) };
  }

  private delete(): Delete {
    const start = this.advance().start;
    this.expectKeyword('FROM');
    const table = this.identifier('table name');
    const alias = this.alias();
    const where = this.acceptKeyword('WHERE') ? this.expr() : undefined;
    return { kind: 'Delete', table, alias, where, span: span(start, this.lastEnd) };
  }

  private assignments(): Assignment[] {
    const set: Assignment[] = [];
    do {
      const column = this.identifier('column name');
      this.expectOperator('=');
      const value = this.expr();
      set.push({ column, value, span: span(column.span.start, this.lastEnd) });
      this.checkCount(set.length, 'columnsMax', 'assignment count', column.span.start);
    } while (this.acceptOperator(','));
    return set;
  }

  // -------------------------------------------------------------------------
  // SELECT
  // -------------------------------------------------------------------------

  private select(): Select {
    const start = this.cur().start;
    this.enter();
    let body: SelectBody = this.selectCore();
    for (;;) {
      let op: SetOperator;
      if (this.acceptKeyword('UNION')) op = this.acceptKeyword('ALL') ? 'UNION ALL' : 'UNION';
      else if (this.acceptKeyword('INTERSECT')) op = 'INTERSECT';
      else if (this.acceptKeyword('EXCEPT')) op = 'EXCEPT';
      else break;
      const rightCore = this.selectCore();
      body = { kind: 'SetOperation', op, left: body, right: rightCore, span: span(body.span.start, rightCore.span.end) };
    }
    const orderBy: OrderingTerm[] = [];
    if (this.acceptKeyword('ORDER')) {
      this.expectKeyword('BY');
      do {
        const expr = this.expr();
        let descending = false;
        if (this.acceptWord('DESC')) descending = true;
        else this.acceptWord('ASC');
        let nulls: 'FIRST' | 'LAST' | undefined;
        if (this.acceptWord('NULLS')) {
          if (this.acceptWord('FIRST')) nulls = 'FIRST';
          else if (this.acceptWord('LAST')) nulls = 'LAST';
          else this.fail();
        }
        orderBy.push({ expr, descending, nulls, span: span(expr.span.start, this.lastEnd) });
        this.checkCount(orderBy.length, 'columnsMax', 'ORDER BY term count', expr.span.start);
      } while (this.acceptOperator(','));
    }
    let limit: Expr | undefined;
    let offset: Expr | undefined;
    if (this.acceptKeyword('LIMIT')) {
      limit = this.expr();
      if (this.acceptOperator(',')) {
        offset = limit;
        limit = this.expr();
      } else if (this.acceptWord('OFFSET')) {
        offset = this.expr();
      }
    }
    this.leave();
    return { kind: 'Select', body, orderBy, limit, offset, span: span(start, this.lastEnd) };
  }

  private selectCore(): SelectCore {
    const start = this.expectKeyword('SELECT').start;
    const distinct = this.acceptKeyword('DISTINCT');
    if (!distinct) this.acceptKeyword('ALL');
    const items: SelectItem[] = [];
    do {
      items.push(this.selectItem());
      this.checkCount(items.length, 'columnsMax', 'select list length', start);
    } while (this.acceptOperator(','));
    const from = this.acceptKeyword('FROM') ? this.from() : undefined;
    const where = this.acceptKeyword('WHERE') ? this.expr() : undefined;
    const groupBy: Expr[] = [];
    if (this.acceptKeyword('GROUP')) {
      this.expectKeyword('BY');
      do {
        groupBy.push(this.expr());
        this.checkCount(groupBy.length, 'columnsMax', 'GROUP BY term count', start);
      } while (this.acceptOperator(','));
    }
    const having = this.acceptKeyword('HAVING') ? this.expr() : undefined;
    return { kind: 'SelectCore', distinct, items, from, where, groupBy, having, span: span(start, this.lastEnd) };
  }

  private selectItem(): SelectItem {
    const token = this.cur();
    if (this.acceptOperator('*')) return { kind: 'SelectStar', table: undefined, span: span(token.start, token.end) };
    if (isName(token) && isOperatorToken(this.ahead(1), '.') && isOperatorToken(this.ahead(2), '*')) {
      const table = this.identifier('table name');
      this.advance();
      this.advance();
      return { kind: 'SelectStar', table, span: span(token.start, this.lastEnd) };
    }
    const expr = this.expr();
    const alias = this.alias();
    return { kind: 'SelectExpr', expr, alias, span: span(expr.span.start, this.lastEnd) };
  }

  /** `[AS] alias`, or nothing. */
  private alias(): Identifier | undefined {
    if (this.acceptKeyword('AS')) return this.identifier('alias');
    if (isName(this.cur())) return this.identifier('alias');
    this.note('alias');
    return undefined;
  }

  private from(): FromSource {
    let source = this.fromItem();
    for (;;) {
      let type: 'INNER' | 'LEFT' | 'CROSS';
      if (this.acceptOperator(',')) {
        type = 'CROSS';
      } else if (this.acceptKeyword('CROSS')) {
        this.expectKeyword('JOIN');
        type = 'CROSS';
      } else if (this.acceptKeyword('INNER')) {
        this.expectKeyword('JOIN');
        type = 'INNER';
      } else if (this.acceptKeyword('JOIN')) {
        type = 'INNER';
      } else if (this.acceptKeyword('LEFT')) {
        this.acceptKeyword('OUTER');
        this.expectKeyword('JOIN');
        type = 'LEFT';
      } else {
        break;
      }
      const rightSource = this.fromItem();
      let on: Expr | undefined;
      if (type === 'LEFT') {
        this.expectKeyword('ON');
        on = this.expr();
      } else if (type === 'INNER' && this.acceptKeyword('ON')) {
        on = this.expr();
      }
      source = { kind: 'Join', type, left: source, right: rightSource, on, span: span(source.span.start, this.lastEnd) };
    }
    return source;
  }

  private fromItem(): FromSource {
    const token = this.cur();
    if (this.isOperator('(')) {
      const next = this.ahead(1);
      this.advance();
      if (next.kind === 'Keyword' && next.text === 'SELECT') {
        const query = this.select();
        this.expectOperator(')');
        const alias = this.alias();
        return { kind: 'SubquerySource', query, alias, span: span(token.start, this.lastEnd) };
      }
      this.enter();
      const inner = this.from();
      this.expectOperator(')');
      this.leave();
      return { ...inner, span: span(token.start, this.lastEnd) };
    }
    const name = this.identifier('table name');
    const alias = this.alias();
    return { kind: 'TableSource', name, alias, span: span(token.start, this.lastEnd) };
  }

  // -------------------------------------------------------------------------
  // Expressions
  // -------------------------------------------------------------------------

  /** A whole expression: one level of depth. */
  private expr(): Expr {
    this.enter();
    const expr = this.binary(levelOr);
    this.leave();
    return expr;
  }

  /** Precedence climbing: operators at `minLevel` or tighter, left-associative. */
  private binary(minLevel: number): Expr {
    let leftExpr = this.prefix();
    for (;;) {
      const token = this.cur();
      const level = this.infixLevel(token);
      if (level === 0) {
        this.note('operator');
        return leftExpr;
      }
      if (level < minLevel) return leftExpr;
      leftExpr = this.infix(leftExpr, level);
    }
  }

  /** The precedence level of the infix operator at `token`, or 0 when it is none. */
  private infixLevel(token: Token): number {
    if (token.kind === 'Operator') return operatorLevels.get(token.text)?.[1] ?? 0;
    if (token.kind !== 'Keyword') return 0;
    switch (token.text) {
      case 'OR':
        return levelOr;
      case 'AND':
        return levelAnd;
      case 'IS':
      case 'ISNULL':
      case 'NOTNULL':
      case 'BETWEEN':
      case 'IN':
      case 'LIKE':
        return levelEquality;
      case 'NOT': {
        const next = this.ahead(1);
        if (next.kind !== 'Keyword') return 0;
        return next.text === 'NULL' || next.text === 'BETWEEN' || next.text === 'IN' || next.text === 'LIKE' ? levelEquality : 0;
      }
      default:
        return 0;
    }
  }

  /** The right operand of an operator at `level`: one level of depth. */
  private operand(level: number): Expr {
    this.enter();
    const expr = this.binary(level + 1);
    this.leave();
    return expr;
  }

  private infix(leftExpr: Expr, level: number): Expr {
    const token = this.advance();
    const start = leftExpr.span.start;
    if (token.kind === 'Operator') {
      const entry = operatorLevels.get(token.text);
      assert(entry !== undefined, 'infixLevel accepted only binary operators');
      const rightExpr = this.operand(level);
      return { kind: 'Binary', op: entry[0], left: leftExpr, right: rightExpr, span: span(start, rightExpr.span.end) };
    }
    let not = false;
    let keyword = token.text;
    if (keyword === 'NOT') {
      not = true;
      keyword = this.advance().text;
    }
    switch (keyword) {
      case 'OR':
      case 'AND': {
        const rightExpr = this.operand(level);
        return { kind: 'Binary', op: keyword, left: leftExpr, right: rightExpr, span: span(start, rightExpr.span.end) };
      }
      case 'IS': {
        let negated = this.acceptKeyword('NOT');
        let distinctFrom = false;
        if (this.acceptKeyword('DISTINCT')) {
          this.expectKeyword('FROM');
          // IS DISTINCT FROM is IS NOT; IS NOT DISTINCT FROM is IS.
          negated = !negated;
          distinctFrom = true;
        }
        const rightExpr = this.operand(level);
        if (!distinctFrom && rightExpr.kind === 'NullLiteral') {
          return { kind: 'IsNull', operand: leftExpr, not: negated, span: span(start, rightExpr.span.end) };
        }
        return { kind: 'Binary', op: negated ? 'IS NOT' : 'IS', left: leftExpr, right: rightExpr, span: span(start, rightExpr.span.end) };
      }
      case 'ISNULL':
        return { kind: 'IsNull', operand: leftExpr, not: false, span: span(start, this.lastEnd) };
      case 'NOTNULL':
        return { kind: 'IsNull', operand: leftExpr, not: true, span: span(start, this.lastEnd) };
      case 'NULL':
        assert(not, 'NULL is an infix only after NOT');
        return { kind: 'IsNull', operand: leftExpr, not: true, span: span(start, this.lastEnd) };
      case 'BETWEEN': {
        const low = this.operand(level);
        this.expectKeyword('AND');
        const high = this.operand(level);
        return { kind: 'Between', operand: leftExpr, low, high, not, span: span(start, high.span.end) };
      }
      case 'LIKE': {
        const pattern = this.operand(level);
        const escape = this.acceptKeyword('ESCAPE') ? this.operand(level) : undefined;
        return { kind: 'Like', operand: leftExpr, pattern, escape, not, span: span(start, this.lastEnd) };
      }
      case 'IN':
        return this.inTail(leftExpr, not);
      default:
        throw new AssertionError(`infixLevel accepted only infix keywords, not ${keyword}`);
    }
  }

  private inTail(operand: Expr, not: boolean): Expr {
    const open = this.expectOperator('(');
    const next = this.cur();
    if (next.kind === 'Keyword' && next.text === 'SELECT') {
      const query = this.select();
      this.expectOperator(')');
      return { kind: 'InSubquery', operand, query, not, span: span(operand.span.start, this.lastEnd) };
    }
    const items: Expr[] = [];
    do {
      items.push(this.expr());
      this.checkCount(items.length, 'inListMax', 'IN list length', open.start);
    } while (this.acceptOperator(','));
    this.expectOperator(')');
    return { kind: 'InList', operand, items, not, span: span(operand.span.start, this.lastEnd) };
  }

  /** Prefix NOT (level 3), then the unary operators. */
  private prefix(): Expr {
    const token = this.cur();
    if (token.kind === 'Keyword' && token.text === 'NOT') {
      this.advance();
      this.enter();
      // NOT binds looser than comparisons: NOT a = b is NOT (a = b).
      const operand = this.binary(levelNot + 1);
      this.leave();
      return { kind: 'Unary', op: 'NOT', operand, span: span(token.start, operand.span.end) };
    }
    return this.unary();
  }

  /** `-`, `+`, `~` (level 10), then a primary. */
  private unary(): Expr {
    const token = this.cur();
    if (token.kind === 'Operator' && (token.text === '-' || token.text === '+' || token.text === '~')) {
      this.advance();
      const next = this.cur();
      if (token.text === '-' && next.kind === 'Integer' && !isHex(next.text) && decimalInteger(next.text) === int64Overflow) {
        // -9223372036854775808 is an integer although its magnitude is not.
        this.advance();
        return { kind: 'IntegerLiteral', value: -int64Overflow, span: span(token.start, next.end) };
      }
      this.enter();
      // As in SQLite, `- NOT x` is -(NOT x); any other operand is a unary or a primary.
      const operand = this.prefix();
      this.leave();
      return { kind: 'Unary', op: token.text, operand, span: span(token.start, operand.span.end) };
    }
    return this.primary();
  }

  private primary(): Expr {
    const token = this.cur();
    switch (token.kind) {
      case 'Integer':
        this.advance();
        return this.integer(token);
      case 'Real':
        this.advance();
        return { kind: 'RealLiteral', value: Number(token.text), span: span(token.start, token.end) };
      case 'String':
        this.advance();
        return { kind: 'StringLiteral', value: token.text, span: span(token.start, token.end) };
      case 'Blob':
        this.advance();
        return { kind: 'BlobLiteral', value: Uint8Array.from(Buffer.from(token.text, 'hex')), span: span(token.start, token.end) };
      case 'Parameter':
        this.advance();
        return this.parameter(token);
      case 'Keyword':
        return this.keywordPrimary(token);
      case 'Operator':
        if (token.text === '(') return this.parenthesised(token);
        break;
      case 'Identifier':
      case 'QuotedIdentifier':
        return this.namePrimary(token);
      case 'End':
        break;
      default:
        return unreachable(token.kind, 'token kind');
    }
    this.note('expression');
    this.fail();
  }

  private integer(token: Token): Expr {
    const text = token.text;
    const where = span(token.start, token.end);
    if (isHex(text)) {
      // As in SQLite: up to 16 significant hex digits, read as a two's
      // complement 64-bit integer (0xffffffffffffffff is -1).
      const digits = text.slice(2).replace(/^0+/, '');
      if (digits.length > 16) this.failAt(token, 'hex literal too big', ['at most 16 hex digits']);
      return { kind: 'IntegerLiteral', value: BigInt.asIntN(64, BigInt(`0x${digits === '' ? '0' : digits}`)), span: where };
    }
    const value = decimalInteger(text);
    if (value === undefined || value > int64Max) return { kind: 'RealLiteral', value: Number(text), span: where };
    return { kind: 'IntegerLiteral', value, span: where };
  }

  private parameter(token: Token): Expr {
    const text = token.text;
    const prefix = text[0] as '?' | '$' | ':' | '@';
    let index: number;
    let name: string | undefined;
    if (prefix === '?') {
      if (text.length === 1) {
        index = this.paramMax + 1;
      } else {
        index = Number(text.slice(1));
        if (index === 0) this.failAt(token, `parameter numbers start at ?1`, [`?1 to ?${this.limits.paramsMax}`]);
      }
    } else {
      name = text.slice(1);
      index = this.paramNames.get(name) ?? this.paramMax + 1;
    }
    if (index > this.limits.paramsMax) this.failLimit(token.start, 'parameter number', 'paramsMax', index);
    if (name !== undefined) this.paramNames.set(name, index);
    if (index > this.paramMax) this.paramMax = index;
    return { kind: 'Parameter', index, name, prefix, span: span(token.start, token.end) };
  }

  private keywordPrimary(token: Token): Expr {
    const where = span(token.start, token.end);
    switch (token.text) {
      case 'NULL':
        this.advance();
        return { kind: 'NullLiteral', span: where };
      case 'TRUE':
        this.advance();
        return { kind: 'BooleanLiteral', value: true, span: where };
      case 'FALSE':
        this.advance();
        return { kind: 'BooleanLiteral', value: false, span: where };
      case 'CURRENT_DATE':
      case 'CURRENT_TIME':
      case 'CURRENT_TIMESTAMP':
        this.advance();
        return { kind: 'Call', name: token.text, nameSpan: where, args: [], distinct: false, star: false, span: where };
      case 'CASE':
        return this.caseExpr();
      case 'CAST': {
        this.advance();
        this.expectOperator('(');
        const operand = this.expr();
        this.expectKeyword('AS');
        const type = this.typeName();
        this.expectOperator(')');
        return { kind: 'Cast', operand, type, span: span(token.start, this.lastEnd) };
      }
      case 'EXISTS': {
        this.advance();
        this.expectOperator('(');
        const query = this.select();
        this.expectOperator(')');
        return { kind: 'Exists', query, span: span(token.start, this.lastEnd) };
      }
      default:
        this.note('expression');
        this.fail();
    }
  }

  private caseExpr(): Expr {
    const start = this.advance().start;
    const operand = this.isKeyword('WHEN') ? undefined : this.expr();
    const whens: WhenClause[] = [];
    for (;;) {
      const token = this.cur();
      if (!this.acceptKeyword('WHEN')) break;
      const when = this.expr();
      this.expectKeyword('THEN');
      const then = this.expr();
      whens.push({ when, then, span: span(token.start, this.lastEnd) });
    }
    if (whens.length === 0) this.fail();
    const elseExpr = this.acceptKeyword('ELSE') ? this.expr() : undefined;
    this.expectKeyword('END');
    return { kind: 'Case', operand, whens, else: elseExpr, span: span(start, this.lastEnd) };
  }

  private parenthesised(open: Token): Expr {
    const next = this.ahead(1);
    this.advance();
    if (next.kind === 'Keyword' && next.text === 'SELECT') {
      const query = this.select();
      this.expectOperator(')');
      return { kind: 'Subquery', query, span: span(open.start, this.lastEnd) };
    }
    const inner = this.expr();
    this.expectOperator(')');
    // The parentheses belong to the expression's text (its column name).
    return { ...inner, span: span(open.start, this.lastEnd) };
  }

  private namePrimary(token: Token): Expr {
    const next = this.ahead(1);
    if (token.kind === 'Identifier') {
      const word = token.upper;
      if ((word === 'DATE' || word === 'TIMESTAMP') && next.kind === 'String') {
        this.advance();
        this.advance();
        return word === 'DATE' ? this.dateLiteral(token, next) : this.timestampLiteral(token, next);
      }
      if (word === 'INTERVAL' && this.intervalAhead()) return this.interval(token);
      if (word === 'EXTRACT' && isOperatorToken(next, '(')) return this.extract(token);
    }
    if (isOperatorToken(next, '(')) return this.call(token);
    const first = this.identifier('column name');
    if (this.acceptOperator('.')) {
      const column = this.identifier('column name');
      return { kind: 'ColumnRef', table: first, column, span: span(token.start, this.lastEnd) };
    }
    return { kind: 'ColumnRef', table: undefined, column: first, span: first.span };
  }

  /**
   * Whether the INTERVAL at the current token starts an interval literal:
   * a string (a name is never followed by one), or an optionally negative
   * integer followed by a unit. Otherwise it is a name, so that a column
   * called `interval` still works in `interval - 1`.
   */
  private intervalAhead(): boolean {
    let at = 1;
    const amount = this.ahead(at);
    if (amount.kind === 'String') return true;
    if (isOperatorToken(amount, '-')) at++;
    const value = this.ahead(at);
    if (value.kind !== 'Integer' || isHex(value.text)) return false;
    const unit = this.ahead(at + 1);
    return unit.kind === 'Identifier' && intervalUnits.has(unit.upper);
  }

  private call(nameToken: Token): Expr {
    this.advance();
    const open = this.advance();
    const name = nameToken.kind === 'Identifier' ? nameToken.upper : nameToken.text.toUpperCase();
    const nameSpan = span(nameToken.start, nameToken.end);
    if (this.acceptOperator('*')) {
      this.expectOperator(')');
      return { kind: 'Call', name, nameSpan, args: [], distinct: false, star: true, span: span(nameToken.start, this.lastEnd) };
    }
    const args: Expr[] = [];
    let distinct = false;
    if (!this.acceptOperator(')')) {
      distinct = this.acceptKeyword('DISTINCT');
      if (!distinct) this.acceptKeyword('ALL');
      args.push(this.expr());
      if (name === 'SUBSTRING' && this.acceptKeyword('FROM')) {
        args.push(this.expr());
        if (this.acceptWord('FOR')) args.push(this.expr());
      } else {
        while (this.acceptOperator(',')) {
          args.push(this.expr());
          this.checkCount(args.length, 'functionArgsMax', 'function argument count', open.start);
        }
      }
      this.expectOperator(')');
    }
    return { kind: 'Call', name, nameSpan, args, distinct, star: false, span: span(nameToken.start, this.lastEnd) };
  }

  private extract(token: Token): Expr {
    this.advance();
    this.advance();
    const fieldToken = this.cur();
    if (fieldToken.kind !== 'Identifier' || !extractFields.has(fieldToken.upper)) {
      for (const field of extractFields) this.note(field);
      this.fail();
    }
    this.advance();
    this.expectKeyword('FROM');
    const operand = this.expr();
    this.expectOperator(')');
    return { kind: 'Extract', field: fieldToken.upper as ExtractField, operand, span: span(token.start, this.lastEnd) };
  }

  private interval(token: Token): Expr {
    this.advance();
    const amountToken = this.cur();
    let amount: number | undefined;
    if (amountToken.kind === 'String') {
      const match = /^\s*([+-]?\d+)\s*$/.exec(amountToken.text);
      if (match !== null) amount = Number(match[1]);
      this.advance();
    } else {
      const negative = this.acceptOperator('-');
      const digits = this.cur();
      if (digits.kind !== 'Integer' || digits.text.startsWith('0x') || digits.text.startsWith('0X')) {
        this.note('integer');
        this.fail();
      }
      this.advance();
      amount = (negative ? -1 : 1) * Number(digits.text);
    }
    if (amount === undefined || !Number.isSafeInteger(amount)) {
      this.failAt(amountToken, 'invalid interval amount', ['a whole number of units']);
    }
    const unitToken = this.cur();
    const unit = unitToken.kind === 'Identifier' ? intervalUnits.get(unitToken.upper) : undefined;
    if (unit === undefined) {
      for (const name of ['YEAR', 'MONTH', 'DAY']) this.note(name);
      this.fail();
    }
    this.advance();
    // TPC-H writes `interval '90' day (3)`: a leading-field precision, ignored.
    if (this.acceptOperator('(')) {
      const precision = this.cur();
      if (precision.kind !== 'Integer') {
        this.note('integer');
        this.fail();
      }
      this.advance();
      this.expectOperator(')');
    }
    return { kind: 'IntervalLiteral', amount: amount === 0 ? 0 : amount, unit, span: span(token.start, this.lastEnd) };
  }

  private dateLiteral(keyword: Token, text: Token): Expr {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.text);
    const date = match === null ? undefined : civilDate(Number(match[1]), Number(match[2]), Number(match[3]));
    if (date === undefined) this.failAt(text, `invalid date '${clip(text.text)}'`, ["a date 'YYYY-MM-DD'"]);
    return { kind: 'DateLiteral', year: date.year, month: date.month, day: date.day, text: text.text, span: span(keyword.start, text.end) };
  }

  private timestampLiteral(keyword: Token, text: Token): Expr {
    const match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z)?$/.exec(text.text);
    let epochMs: number | undefined;
    if (match !== null) {
      const date = civilDate(Number(match[1]), Number(match[2]), Number(match[3]));
      const hour = Number(match[4] ?? '0');
      const minute = Number(match[5] ?? '0');
      const second = Number(match[6] ?? '0');
      const ms = Number((match[7] ?? '0').padEnd(3, '0').slice(0, 3));
      if (date !== undefined && hour <= 23 && minute <= 59 && second <= 59) {
        epochMs = daysFromCivil(date.year, date.month, date.day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + ms;
      }
    }
    if (epochMs === undefined) {
      this.failAt(text, `invalid timestamp '${clip(text.text)}'`, ["a timestamp 'YYYY-MM-DD HH:MM:SS[.fff]'"]);
    }
    return { kind: 'TimestampLiteral', epochMs, text: text.text, span: span(keyword.start, text.end) };
  }

  // -------------------------------------------------------------------------
  // Names
  // -------------------------------------------------------------------------

  private identifier(what: string): Identifier {
    const token = this.cur();
    if (!isName(token)) {
      this.note(what);
      this.fail();
    }
    this.advance();
    return { kind: 'Identifier', name: token.text, quoted: token.kind === 'QuotedIdentifier', span: span(token.start, token.end) };
  }

  /** `(a, b, ...)`: a non-empty parenthesised list of names. */
  private nameList(what: string): Identifier[] {
    const open = this.expectOperator('(');
    const names: Identifier[] = [];
    do {
      names.push(this.identifier(what));
      this.checkCount(names.length, 'columnsMax', 'column list length', open.start);
    } while (this.acceptOperator(','));
    this.expectOperator(')');
    return names;
  }
}

function isHex(text: string): boolean {
  return text.startsWith('0x') || text.startsWith('0X');
}

/**
 * The value of a decimal integer literal, or undefined when it is above
 * 2^63. Long texts are rejected by length first: BigInt parsing is quadratic
 * in the number of digits, and a hostile literal may have a million.
 */
function decimalInteger(text: string): bigint | undefined {
  const digits = text.replace(/^0+(?=\d)/, '');
  if (digits.length > 19) return undefined;
  const value = BigInt(digits);
  return value <= int64Overflow ? value : undefined;
}

function isName(token: Token): boolean {
  return token.kind === 'Identifier' || token.kind === 'QuotedIdentifier';
}

function isOperatorToken(token: Token, op: string): boolean {
  return token.kind === 'Operator' && token.text === op;
}

/** The date if it exists in the proleptic Gregorian calendar (years 0000-9999). */
function civilDate(year: number, month: number, day: number): { year: number; month: number; day: number } | undefined {
  if (month < 1 || month > 12 || day < 1) return undefined;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
  return day <= days ? { year, month, day } : undefined;
}

/** Days from 1970-01-01 to the given proleptic Gregorian date (H. Hinnant's algorithm). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

// ---------------------------------------------------------------------------
// Tree depth
// ---------------------------------------------------------------------------

/** Any node that counts towards, or contains nodes that count towards, the depth. */
type DepthNode = Statement | Expr | SelectBody | FromSource | SelectItem | InsertSource;

/**
 * Checks the height of a statement's tree against `max` (see `parseDepthMax`)
 * without recursion, so that a left-deep chain of any length is measured
 * safely; `fail` reports the first node found too deep.
 */
function checkTreeDepth(statement: Statement, max: number, fail: (offset: number, depth: number) => never): void {
  const nodes: DepthNode[] = [statement];
  const depths: number[] = [0];
  const push = (node: DepthNode | undefined, depth: number): void => {
    if (node === undefined) return;
    nodes.push(node);
    depths.push(depth);
  };
  while (nodes.length > 0) {
    const node = nodes.pop() as DepthNode;
    const depth = (depths.pop() as number) + (countsForDepth(node) ? 1 : 0);
    if (depth > max) fail(node.span.start, depth);
    forEachChild(node, (child) => push(child, depth));
  }
}

function countsForDepth(node: DepthNode): boolean {
  switch (node.kind) {
    case 'SelectCore':
    case 'SelectStar':
    case 'SelectExpr':
    case 'Values':
    case 'DefaultValues':
    case 'CreateTable':
    case 'DropTable':
    case 'CreateIndex':
    case 'DropIndex':
    case 'Insert':
    case 'Update':
    case 'Delete':
    case 'Begin':
    case 'Commit':
    case 'Rollback':
    case 'Explain':
      return false;
    default:
      return true;
  }
}

/** Calls `visit` with each child of `node` that can contain expressions or queries. */
function forEachChild(node: DepthNode, visit: (child: DepthNode | undefined) => void): void {
  switch (node.kind) {
    case 'IntegerLiteral':
    case 'RealLiteral':
    case 'StringLiteral':
    case 'BlobLiteral':
    case 'BooleanLiteral':
    case 'NullLiteral':
    case 'DateLiteral':
    case 'TimestampLiteral':
    case 'IntervalLiteral':
    case 'Parameter':
    case 'ColumnRef':
    case 'TableSource':
    case 'SelectStar':
    case 'DefaultValues':
    case 'DropTable':
    case 'CreateIndex':
    case 'DropIndex':
    case 'Begin':
    case 'Commit':
    case 'Rollback':
      return;
    case 'Unary':
      visit(node.operand);
      return;
    case 'Binary':
      visit(node.left);
      visit(node.right);
      return;
    case 'IsNull':
      visit(node.operand);
      return;
    case 'Like':
      visit(node.operand);
      visit(node.pattern);
      visit(node.escape);
      return;
    case 'Between':
      visit(node.operand);
      visit(node.low);
      visit(node.high);
      return;
    case 'InList':
      visit(node.operand);
      for (const item of node.items) visit(item);
      return;
    case 'InSubquery':
      visit(node.operand);
      visit(node.query);
      return;
    case 'Exists':
    case 'Subquery':
      visit(node.query);
      return;
    case 'Case':
      visit(node.operand);
      for (const when of node.whens) {
        visit(when.when);
        visit(when.then);
      }
      visit(node.else);
      return;
    case 'Cast':
    case 'Extract':
      visit(node.operand);
      return;
    case 'Call':
      for (const arg of node.args) visit(arg);
      return;
    case 'SelectExpr':
      visit(node.expr);
      return;
    case 'SubquerySource':
      visit(node.query);
      return;
    case 'Join':
      visit(node.left);
      visit(node.right);
      visit(node.on);
      return;
    case 'SelectCore':
      for (const item of node.items) visit(item);
      visit(node.from);
      visit(node.where);
      for (const term of node.groupBy) visit(term);
      visit(node.having);
      return;
    case 'SetOperation':
      visit(node.left);
      visit(node.right);
      return;
    case 'Select':
      visit(node.body);
      for (const term of node.orderBy) visit(term.expr);
      visit(node.limit);
      visit(node.offset);
      return;
    case 'Values':
      for (const row of node.rows) for (const value of row) visit(value);
      return;
    case 'CreateTable':
      for (const column of node.columns) visit(column.default);
      return;
    case 'Insert':
      visit(node.source);
      if (node.onConflict !== undefined && node.onConflict.action.kind === 'DoUpdate') {
        for (const assignment of node.onConflict.action.set) visit(assignment.value);
        visit(node.onConflict.action.where);
      }
      return;
    case 'Update':
      for (const assignment of node.set) visit(assignment.value);
      visit(node.where);
      return;
    case 'Delete':
      visit(node.where);
      return;
    case 'Explain':
      visit(node.statement);
      return;
    default:
      unreachable(node, 'node');
  }
}
