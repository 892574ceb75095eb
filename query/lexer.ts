/**
 * The SQL lexer: text → tokens with spans, in one left-to-right pass with
 * no backtracking (linear time), following SQLite's lexical rules:
 *
 * - whitespace: space, tab, line feed, form feed, carriage return;
 * - comments: `-- to end of line` and `/* ... *\/` (an unterminated block
 *   comment is an error, where SQLite would accept it);
 * - bare words: a letter, `_` or any non-ASCII character, then letters,
 *   digits, `_`, `$` or non-ASCII characters. A word in `reservedKeywords`
 *   is a `Keyword` token (upper-cased); every other word, including the
 *   grammar's non-reserved words (`DATE`, `KEY`, `FIRST`, ...), is an
 *   `Identifier` whose `upper` the parser compares;
 * - quoted identifiers: `"a""b"`, `` `a``b` ``, `[a b]` (never keywords);
 * - strings: `'it''s'`; blobs: `X'00ff'` (an even number of hex digits);
 * - numbers: `12`, `0x1F` (integers), `1.5`, `.5`, `1e-3`, `2.` (reals); a
 *   number directly followed by a word character is an error;
 * - parameters: `?`, `?NNN`, `$name`, `:name`, `@name`;
 * - operators: `|| * / % + - << >> & | ~ < <= > >= = == != <> ( ) , ; .`.
 *
 * Identifiers and parameter names longer than `identifierBytesMax` UTF-8
 * bytes, and texts longer than `sqlBytesMax`, are LIMIT errors.
 */
import { left, right, type Either } from 'fp-ts/lib/Either.js';
import { assert } from '../storage/device/index.js';
import { resolveSqlLimits, type SqlLimits, type SqlLimitsOptions } from './limits.js';
import { SqlLimitError, SqlParseError, locate, type ParseError } from './parse-error.js';

export type TokenKind =
  /** A bare word that is not reserved; `text` as written, `upper` upper-cased. */
  | 'Identifier'
  /** A quoted name; `text` is the name without quotes, escapes resolved. */
  | 'QuotedIdentifier'
  /** A reserved word; `text` and `upper` are upper-cased. */
  | 'Keyword'
  /** `text` is the literal as written (`12`, `0x1f`). */
  | 'Integer'
  /** `text` is the literal as written. */
  | 'Real'
  /** `text` is the value, with `''` resolved. */
  | 'String'
  /** `text` is the hex digits between the quotes. */
  | 'Blob'
  /** `text` is the parameter as written (`?`, `?3`, `$name`). */
  | 'Parameter'
  /** `text` is the operator or punctuation. */
  | 'Operator'
  /** The end of the text; `start === end === sql.length`. */
  | 'End';

export interface Token {
  readonly kind: TokenKind;
  /** UTF-16 offset of the first character. */
  readonly start: number;
  /** UTF-16 offset one past the last character. */
  readonly end: number;
  readonly text: string;
  /** Upper-cased `text` for `Identifier` and `Keyword`; empty otherwise. */
  readonly upper: string;
}

/**
 * Words that can never be names unless quoted. The grammar's other words
 * (DATE, TIMESTAMP, INTERVAL, EXTRACT, YEAR, MONTH, DAY, KEY, IF, BEGIN,
 * COMMIT, ROLLBACK, TRANSACTION, CONFLICT, DO, NOTHING, NULLS, FIRST, LAST,
 * ASC, DESC, OFFSET, QUERY, PLAN, the type names, ...) stay usable as table,
 * column and alias names, as most of them are in SQLite. Besides the words
 * the grammar uses, SQL words fairdb does not support (RIGHT, FULL, NATURAL,
 * USING, ...) are reserved so that `a RIGHT JOIN b` is an error rather than
 * a join of `a` aliased `RIGHT`.
 */
export const reservedKeywords: ReadonlySet<string> = new Set([
  'ALL', 'ALTER', 'AND', 'AS', 'AUTOINCREMENT', 'BETWEEN', 'BY', 'CASE', 'CAST', 'CHECK', 'COLLATE',
  'CONSTRAINT', 'CREATE', 'CROSS', 'CURRENT_DATE', 'CURRENT_TIME', 'CURRENT_TIMESTAMP', 'DEFAULT',
  'DELETE', 'DISTINCT', 'DROP', 'ELSE', 'END', 'ESCAPE', 'EXCEPT', 'EXISTS', 'EXPLAIN', 'FALSE',
  'FOREIGN', 'FROM', 'FULL', 'GLOB', 'GROUP', 'HAVING', 'IN', 'INDEX', 'INNER', 'INSERT', 'INTERSECT',
  'INTO', 'IS', 'ISNULL', 'JOIN', 'LEFT', 'LIKE', 'LIMIT', 'NATURAL', 'NOT', 'NOTNULL', 'NULL', 'ON',
  'OR', 'ORDER', 'OUTER', 'PRIMARY', 'REFERENCES', 'RETURNING', 'RIGHT', 'SELECT', 'SET', 'TABLE',
  'THEN', 'TRUE', 'UNION', 'UNIQUE', 'UPDATE', 'USING', 'VALUES', 'WHEN', 'WHERE', 'WINDOW', 'WITH',
]);

/** What `tokenize` returns: every token before the first error, and the error. */
export interface Tokenized {
  /** The tokens; ends with an `End` token when there is no error. */
  readonly tokens: readonly Token[];
  readonly error: ParseError | undefined;
}

/** Lexes `sql`; the `Left` is the first error. */
export function lex(sql: string, limits?: SqlLimitsOptions): Either<ParseError, readonly Token[]> {
  const result = tokenize(sql, resolveSqlLimits(limits));
  return result.error === undefined ? right(result.tokens) : left(result.error);
}

/**
 * Lexes `sql` and keeps the tokens read before an error, which a shell
 * needs to split a script into statements even when its tail is bad.
 */
export function tokenize(sql: string, limits: SqlLimits): Tokenized {
  const bytes = utf8Length(sql, limits.sqlBytesMax);
  if (bytes > limits.sqlBytesMax) {
    const error = new SqlLimitError({
      location: locate(sql, 0),
      what: 'SQL text length in bytes',
      limitName: 'sqlBytesMax',
      limit: limits.sqlBytesMax,
      actual: bytes,
    });
    return { tokens: [], error };
  }
  const lexer = new Lexer(sql, limits);
  const error = lexer.run();
  return { tokens: lexer.tokens, error };
}

/**
 * True when `sql` holds at least one statement and ends with a `;` outside
 * strings, quoted names and comments (trailing whitespace and comments
 * allowed): the rule a shell uses to know that a multi-line statement is
 * complete. Text that cannot be lexed is complete once its last line ends
 * with `;`, so that the error gets reported instead of waiting forever.
 */
export function endsWithTerminator(sql: string, limits: SqlLimits): boolean {
  const { tokens, error } = tokenize(sql, limits);
  if (error === undefined) {
    const last = tokens[tokens.length - 2];
    return last !== undefined && last.kind === 'Operator' && last.text === ';';
  }
  if (error instanceof SqlParseError && error.atEnd) return false;
  return /;\s*$/.test(sql);
}

/** UTF-8 length of `sql`, or a lower bound of it when that bound already proves it is at most `max`. */
function utf8Length(sql: string, max: number): number {
  // A UTF-16 unit encodes to at most 3 UTF-8 bytes (a surrogate pair, two units, to 4).
  if (sql.length * 3 <= max) return sql.length;
  return Buffer.byteLength(sql, 'utf8');
}

const enum Char {
  Tab = 9,
  LineFeed = 10,
  FormFeed = 12,
  CarriageReturn = 13,
  Space = 32,
  Bang = 33,
  DoubleQuote = 34,
  Dollar = 36,
  Percent = 37,
  Ampersand = 38,
  Quote = 39,
  LeftParen = 40,
  RightParen = 41,
  Star = 42,
  Plus = 43,
  Comma = 44,
  Minus = 45,
  Dot = 46,
  Slash = 47,
  Digit0 = 48,
  Digit9 = 57,
  Colon = 58,
  Semicolon = 59,
  Less = 60,
  Equals = 61,
  Greater = 62,
  Question = 63,
  At = 64,
  UpperA = 65,
  UpperE = 69,
  UpperF = 70,
  UpperX = 88,
  UpperZ = 90,
  LeftBracket = 91,
  RightBracket = 93,
  Underscore = 95,
  Backtick = 96,
  LowerA = 97,
  LowerE = 101,
  LowerF = 102,
  LowerX = 120,
  LowerZ = 122,
  Pipe = 124,
  Tilde = 126,
}

function isDigit(c: number): boolean {
  return c >= Char.Digit0 && c <= Char.Digit9;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= Char.UpperA && c <= Char.UpperF) || (c >= Char.LowerA && c <= Char.LowerF);
}

/** A character that can start a bare word (SQLite: letters, `_`, any non-ASCII). */
function isWordStart(c: number): boolean {
  return (c >= Char.UpperA && c <= Char.UpperZ) || (c >= Char.LowerA && c <= Char.LowerZ) || c === Char.Underscore || c >= 0x80;
}

function isWordPart(c: number): boolean {
  return isWordStart(c) || isDigit(c) || c === Char.Dollar;
}

function isSpace(c: number): boolean {
  return c === Char.Space || c === Char.Tab || c === Char.LineFeed || c === Char.CarriageReturn || c === Char.FormFeed;
}

/** Describes the character at `offset` for an error message. */
function describeChar(sql: string, offset: number): string {
  const cp = sql.codePointAt(offset);
  if (cp === undefined) return 'end of input';
  if (cp < 32 || cp === 127) return `character U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return JSON.stringify(String.fromCodePoint(cp));
}

class Lexer {
  readonly tokens: Token[] = [];
  position = 0;

  constructor(
    private readonly sql: string,
    private readonly limits: SqlLimits,
  ) {}

  /** Lexes the whole text; returns the first error, if any. */
  run(): ParseError | undefined {
    const sql = this.sql;
    const length = sql.length;
    for (;;) {
      const error = this.skipSpaceAndComments();
      if (error !== undefined) return error;
      if (this.position >= length) break;
      const start = this.position;
      const c = sql.charCodeAt(start);
      const result = this.token(c, start);
      if (result !== undefined) return result;
      assert(this.position > start, 'the lexer advances on every token');
    }
    this.tokens.push({ kind: 'End', start: length, end: length, text: '', upper: '' });
    return undefined;
  }

  private push(kind: TokenKind, start: number, end: number, text: string, upper = ''): undefined {
    this.tokens.push({ kind, start, end, text, upper });
    this.position = end;
    return undefined;
  }

  private skipSpaceAndComments(): ParseError | undefined {
    const sql = this.sql;
    const length = sql.length;
    let i = this.position;
    while (i < length) {
      const c = sql.charCodeAt(i);
      if (isSpace(c)) {
        i++;
      } else if (c === Char.Minus && sql.charCodeAt(i + 1) === Char.Minus) {
        const lineEnd = sql.indexOf('\n', i + 2);
        i = lineEnd < 0 ? length : lineEnd + 1;
      } else if (c === Char.Slash && sql.charCodeAt(i + 1) === Char.Star) {
        const close = sql.indexOf('*/', i + 2);
        if (close < 0) {
          this.position = length;
          return this.error(i, 'unterminated block comment', ['"*/"'], 'end of input', true);
        }
        i = close + 2;
      } else {
        break;
      }
    }
    this.position = i;
    return undefined;
  }

  private error(offset: number, problem: string, expected: readonly string[], found: string, atEnd: boolean): SqlParseError {
    return new SqlParseError({ location: locate(this.sql, offset), problem, expected, found, atEnd });
  }

  private limitError(offset: number, what: string, limitName: string, limit: number, actual: number): SqlLimitError {
    return new SqlLimitError({ location: locate(this.sql, offset), what, limitName, limit, actual });
  }

  /** Lexes the token that starts with `c` at `start`. */
  private token(c: number, start: number): ParseError | undefined {
    const sql = this.sql;
    const next = sql.charCodeAt(start + 1);
    if ((c === Char.UpperX || c === Char.LowerX) && next === Char.Quote) return this.blob(start);
    if (isWordStart(c)) return this.word(start);
    if (isDigit(c) || (c === Char.Dot && isDigit(next))) return this.number(start);
    switch (c) {
      case Char.Quote:
        return this.string(start);
      case Char.DoubleQuote:
        return this.quoted(start, '"', '"');
      case Char.Backtick:
        return this.quoted(start, '`', '`');
      case Char.LeftBracket:
        return this.quoted(start, '[', ']');
      case Char.Question:
        return this.positionalParameter(start);
      case Char.Dollar:
      case Char.Colon:
      case Char.At:
        return this.namedParameter(start);
      case Char.Pipe:
        return this.push('Operator', start, start + (next === Char.Pipe ? 2 : 1), next === Char.Pipe ? '||' : '|');
      case Char.Less:
        if (next === Char.Equals) return this.push('Operator', start, start + 2, '<=');
        if (next === Char.Greater) return this.push('Operator', start, start + 2, '<>');
        if (next === Char.Less) return this.push('Operator', start, start + 2, '<<');
        return this.push('Operator', start, start + 1, '<');
      case Char.Greater:
        if (next === Char.Equals) return this.push('Operator', start, start + 2, '>=');
        if (next === Char.Greater) return this.push('Operator', start, start + 2, '>>');
        return this.push('Operator', start, start + 1, '>');
      case Char.Equals:
        return this.push('Operator', start, start + (next === Char.Equals ? 2 : 1), next === Char.Equals ? '==' : '=');
      case Char.Bang:
        if (next === Char.Equals) return this.push('Operator', start, start + 2, '!=');
        return this.error(start, 'unrecognized character', [], describeChar(sql, start), false);
      case Char.Star:
      case Char.Slash:
      case Char.Percent:
      case Char.Plus:
      case Char.Minus:
      case Char.Ampersand:
      case Char.Tilde:
      case Char.LeftParen:
      case Char.RightParen:
      case Char.Comma:
      case Char.Semicolon:
      case Char.Dot:
        return this.push('Operator', start, start + 1, sql[start] as string);
      default:
        return this.error(start, 'unrecognized character', [], describeChar(sql, start), false);
    }
  }

  private word(start: number): ParseError | undefined {
    const sql = this.sql;
    let i = start + 1;
    while (i < sql.length && isWordPart(sql.charCodeAt(i))) i++;
    const text = sql.slice(start, i);
    const tooLong = this.checkIdentifierLength(start, text);
    if (tooLong !== undefined) return tooLong;
    const upper = text.toUpperCase();
    return this.push(reservedKeywords.has(upper) ? 'Keyword' : 'Identifier', start, i, reservedKeywords.has(upper) ? upper : text, upper);
  }

  private checkIdentifierLength(start: number, name: string): SqlLimitError | undefined {
    const max = this.limits.identifierBytesMax;
    if (name.length * 3 <= max) return undefined;
    const bytes = Buffer.byteLength(name, 'utf8');
    if (bytes <= max) return undefined;
    return this.limitError(start, 'identifier length in bytes', 'identifierBytesMax', max, bytes);
  }

  private quoted(start: number, open: string, close: string): ParseError | undefined {
    const sql = this.sql;
    // Brackets cannot be escaped (as in SQLite); the other quotes double.
    const doubles = open === close;
    let i = start + 1;
    let name = '';
    for (;;) {
      const at = sql.indexOf(close, i);
      if (at < 0) {
        this.position = sql.length;
        return this.error(start, 'unterminated quoted identifier', [JSON.stringify(close)], 'end of input', true);
      }
      name += sql.slice(i, at);
      if (doubles && sql[at + 1] === close) {
        name += close;
        i = at + 2;
        continue;
      }
      i = at + 1;
      break;
    }
    const tooLong = this.checkIdentifierLength(start, name);
    if (tooLong !== undefined) return tooLong;
    return this.push('QuotedIdentifier', start, i, name);
  }

  private string(start: number): ParseError | undefined {
    const sql = this.sql;
    let i = start + 1;
    let value = '';
    for (;;) {
      const at = sql.indexOf("'", i);
      if (at < 0) {
        this.position = sql.length;
        return this.error(start, 'unterminated string literal', ['"\'"'], 'end of input', true);
      }
      value += sql.slice(i, at);
      if (sql.charCodeAt(at + 1) === Char.Quote) {
        value += "'";
        i = at + 2;
        continue;
      }
      i = at + 1;
      break;
    }
    return this.push('String', start, i, value);
  }

  private blob(start: number): ParseError | undefined {
    const sql = this.sql;
    const close = sql.indexOf("'", start + 2);
    if (close < 0) {
      this.position = sql.length;
      return this.error(start, 'unterminated blob literal', ['"\'"'], 'end of input', true);
    }
    for (let i = start + 2; i < close; i++) {
      if (!isHexDigit(sql.charCodeAt(i))) {
        return this.error(i, 'malformed blob literal', ['hex digit', '"\'"'], describeChar(sql, i), false);
      }
    }
    if ((close - start - 2) % 2 !== 0) {
      return this.error(start, 'malformed blob literal (an odd number of hex digits)', [], `blob X'${sql.slice(start + 2, close)}'`, false);
    }
    return this.push('Blob', start, close + 1, sql.slice(start + 2, close));
  }

  private number(start: number): ParseError | undefined {
    const sql = this.sql;
    let i = start;
    let kind: TokenKind = 'Integer';
    if (sql.charCodeAt(i) === Char.Digit0 && (sql.charCodeAt(i + 1) === Char.LowerX || sql.charCodeAt(i + 1) === Char.UpperX) && isHexDigit(sql.charCodeAt(i + 2))) {
      i += 2;
      while (isHexDigit(sql.charCodeAt(i))) i++;
    } else {
      while (isDigit(sql.charCodeAt(i))) i++;
      if (sql.charCodeAt(i) === Char.Dot) {
        kind = 'Real';
        i++;
        while (isDigit(sql.charCodeAt(i))) i++;
      }
      const e = sql.charCodeAt(i);
      if (e === Char.LowerE || e === Char.UpperE) {
        let j = i + 1;
        const sign = sql.charCodeAt(j);
        if (sign === Char.Plus || sign === Char.Minus) j++;
        if (isDigit(sql.charCodeAt(j))) {
          kind = 'Real';
          i = j;
          while (isDigit(sql.charCodeAt(i))) i++;
        }
      }
    }
    if (i < sql.length && isWordPart(sql.charCodeAt(i))) {
      let j = i;
      while (j < sql.length && isWordPart(sql.charCodeAt(j))) j++;
      return this.error(start, 'malformed number', ['number'], JSON.stringify(sql.slice(start, j)), false);
    }
    return this.push(kind, start, i, sql.slice(start, i));
  }

  private positionalParameter(start: number): ParseError | undefined {
    const sql = this.sql;
    let i = start + 1;
    while (isDigit(sql.charCodeAt(i))) i++;
    if (i < sql.length && isWordPart(sql.charCodeAt(i))) {
      return this.error(i, 'malformed parameter', ['digit'], describeChar(sql, i), false);
    }
    return this.push('Parameter', start, i, sql.slice(start, i));
  }

  private namedParameter(start: number): ParseError | undefined {
    const sql = this.sql;
    let i = start + 1;
    while (i < sql.length && isWordPart(sql.charCodeAt(i))) i++;
    if (i === start + 1) {
      return this.error(start + 1, 'malformed parameter', ['parameter name'], describeChar(sql, i), false);
    }
    const tooLong = this.checkIdentifierLength(start, sql.slice(start + 1, i));
    if (tooLong !== undefined) return tooLong;
    return this.push('Parameter', start, i, sql.slice(start, i));
  }
}
