/**
 * Errors of the SQL front end. The `Left` of `lex()` and `parse()` is a
 * `ParseError`: already a `FairdbError` (code `PARSE` or `LIMIT`), so the
 * facade throws it as it is, the way better-sqlite3 throws `SqliteError`.
 *
 * Both kinds say where: `line` and `column` (1-based; the column counts
 * code points from the start of the line), the UTF-16 `offset` into the SQL
 * text, and an `excerpt` of two lines, the source line and a caret under the
 * column:
 *
 *     SELECT a + FROM t
 *                ^
 */
import { FairdbError, LimitError } from '../storage/device/index.js';

/** Where an error is, in a form for people. */
export interface SourceLocation {
  /** UTF-16 offset into the SQL text. */
  readonly offset: number;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column, in code points. */
  readonly column: number;
  /** The source line and a caret line (see the file comment). */
  readonly excerpt: string;
}

/** The SQL text is not valid: `expected` lists what would have been, `found` what was. */
export class SqlParseError extends FairdbError implements SourceLocation {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  readonly excerpt: string;
  /**
   * What the parser would have accepted at the error, e.g.
   * `['FROM', 'WHERE', '","', 'end of input']`: keywords bare, punctuation
   * quoted, classes of tokens in words. Empty when nothing would do (a bad
   * character, an unterminated string).
   */
  readonly expected: readonly string[];
  /** What was there instead, e.g. `identifier "frm"`, `")"`, `end of input`. */
  readonly found: string;
  /**
   * True when the text ended before the statement did (`found` is
   * `end of input`): a shell keeps reading lines instead of reporting it.
   */
  readonly atEnd: boolean;

  constructor(init: {
    readonly location: SourceLocation;
    readonly problem: string;
    readonly expected: readonly string[];
    readonly found: string;
    readonly atEnd: boolean;
  }) {
    super('PARSE', `${init.problem} at line ${init.location.line}, column ${init.location.column}`);
    this.offset = init.location.offset;
    this.line = init.location.line;
    this.column = init.location.column;
    this.excerpt = init.location.excerpt;
    this.expected = Object.freeze(init.expected.slice());
    this.found = init.found;
    this.atEnd = init.atEnd;
  }

  override get name(): string {
    return 'SqlParseError';
  }
}

/** A limit of `limits.ts` was exceeded; `limitName` names the constant. */
export class SqlLimitError extends LimitError implements SourceLocation {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  readonly excerpt: string;
  /** The name of the limit, e.g. `parseDepthMax`. */
  readonly limitName: string;

  constructor(init: {
    readonly location: SourceLocation;
    readonly what: string;
    readonly limitName: string;
    readonly limit: number;
    readonly actual: number;
  }) {
    super(`${init.what} (${init.limitName})`, init.limit, init.actual);
    this.message += ` at line ${init.location.line}, column ${init.location.column}`;
    this.offset = init.location.offset;
    this.line = init.location.line;
    this.column = init.location.column;
    this.excerpt = init.location.excerpt;
    this.limitName = init.limitName;
  }

  override get name(): string {
    return 'SqlLimitError';
  }
}

/** The `Left` of `lex()` and `parse()`. */
export type ParseError = SqlParseError | SqlLimitError;

/** True for the errors `lex()` and `parse()` return. */
export function isParseError(value: unknown): value is ParseError {
  return value instanceof SqlParseError || value instanceof SqlLimitError;
}

/** Widest excerpt line, in code points; longer lines are cut around the column. */
const excerptWidthMax = 120;

/**
 * The line, column and excerpt of `offset` in `sql`. Linear in the length
 * of the text before the offset plus the length of the line; called only
 * when an error is made.
 */
export function locate(sql: string, offset: number): SourceLocation {
  const at = Math.max(0, Math.min(offset, sql.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at; i++) {
    if (sql.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  let lineEnd = sql.indexOf('\n', at);
  if (lineEnd < 0) lineEnd = sql.length;
  if (lineEnd > lineStart && sql.charCodeAt(lineEnd - 1) === 13) lineEnd--;
  const lineHead = Math.max(lineStart, Math.min(at, lineEnd));
  const column = codePoints(sql, lineStart, lineHead) + 1;
  // Cut long lines to a window around the column so that an error in a
  // megabyte-long single-line statement stays readable (and cheap).
  const half = excerptWidthMax >> 1;
  const before = Array.from(sql.slice(Math.max(lineStart, lineHead - 2 * half), lineHead));
  let shownBefore = before;
  let prefix = lineHead - 2 * half > lineStart ? '...' : '';
  if (before.length > half) {
    shownBefore = before.slice(before.length - half);
    prefix = '...';
  }
  const after = Array.from(sql.slice(lineHead, Math.min(lineEnd, lineHead + 2 * excerptWidthMax)));
  let shownAfter = after;
  let suffix = lineHead + 2 * excerptWidthMax < lineEnd ? '...' : '';
  if (after.length > excerptWidthMax - shownBefore.length) {
    shownAfter = after.slice(0, excerptWidthMax - shownBefore.length);
    suffix = '...';
  }
  // The caret line copies tabs so that the caret lines up under tabs too.
  let caret = ' '.repeat(prefix.length);
  for (const ch of shownBefore) caret += ch === '\t' ? '\t' : ' ';
  const excerpt = `${prefix}${shownBefore.join('')}${shownAfter.join('')}${suffix}\n${caret}^`;
  return { offset: at, line, column, excerpt };
}

/** Code points in `sql[start, end)`: UTF-16 units minus low surrogates that follow a high one. */
function codePoints(sql: string, start: number, end: number): number {
  let count = 0;
  for (let i = start; i < end; i++) {
    const unit = sql.charCodeAt(i);
    if (unit >= 0xdc00 && unit <= 0xdfff && i > start) {
      const previous = sql.charCodeAt(i - 1);
      if (previous >= 0xd800 && previous <= 0xdbff) continue;
    }
    count++;
  }
  return count;
}
