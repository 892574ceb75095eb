import { describe, expect, it } from 'vitest';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { endsWithTerminator, lex, type Token } from '../../../query/lexer.js';
import { defaultSqlLimits } from '../../../query/limits.js';
import { SqlLimitError, SqlParseError, type ParseError } from '../../../query/parse-error.js';

function tokens(sql: string): Token[] {
  const result = lex(sql);
  if (isLeft(result)) throw new Error(`unexpected lex error: ${result.left.message}`);
  return [...result.right];
}

function lexError(sql: string): ParseError {
  const result = lex(sql);
  if (isRight(result)) throw new Error(`expected a lex error for ${JSON.stringify(sql)}`);
  return result.left;
}

/** [kind, text, source slice] of each token but the End token. */
function summary(sql: string): [string, string, string][] {
  return tokens(sql)
    .filter((t) => t.kind !== 'End')
    .map((t) => [t.kind, t.text, sql.slice(t.start, t.end)]);
}

describe('lexer: token kinds and spans', () => {
  it('lexes every kind of token with its value and exact span', () => {
    const sql = `SELECT foo "a""b" \`c\`\`d\` [e f] 12 0x1F 1.5 .5 1e3 2. 7E-2 'it''s' X'0aFF' x'' ? ?3 $n :n1 @n_2`;
    expect(summary(sql)).toEqual([
      ['Keyword', 'SELECT', 'SELECT'],
      ['Identifier', 'foo', 'foo'],
      ['QuotedIdentifier', 'a"b', '"a""b"'],
      ['QuotedIdentifier', 'c`d', '`c``d`'],
      ['QuotedIdentifier', 'e f', '[e f]'],
      ['Integer', '12', '12'],
      ['Integer', '0x1F', '0x1F'],
      ['Real', '1.5', '1.5'],
      ['Real', '.5', '.5'],
      ['Real', '1e3', '1e3'],
      ['Real', '2.', '2.'],
      ['Real', '7E-2', '7E-2'],
      ['String', "it's", "'it''s'"],
      ['Blob', '0aFF', "X'0aFF'"],
      ['Blob', '', "x''"],
      ['Parameter', '?', '?'],
      ['Parameter', '?3', '?3'],
      ['Parameter', '$n', '$n'],
      ['Parameter', ':n1', ':n1'],
      ['Parameter', '@n_2', '@n_2'],
    ]);
  });

  it('lexes every operator, longest match first', () => {
    const ops = ['||', '*', '/', '%', '+', '-', '<<', '>>', '&', '|', '~', '<', '<=', '>', '>=', '=', '==', '!=', '<>', '(', ')', ',', ';', '.'];
    expect(summary(ops.join(' ')).map((t) => t[1])).toEqual(ops);
    expect(summary('a<=b<>c||d').map((t) => t[1])).toEqual(['a', '<=', 'b', '<>', 'c', '||', 'd']);
  });

  it('upper-cases keywords, keeps identifiers as written and marks grammar words as identifiers', () => {
    expect(summary('sElEcT Foo date Interval')).toEqual([
      ['Keyword', 'SELECT', 'sElEcT'],
      ['Identifier', 'Foo', 'Foo'],
      ['Identifier', 'date', 'date'],
      ['Identifier', 'Interval', 'Interval'],
    ]);
    const t = tokens('date')[0] as Token;
    expect(t.upper).toBe('DATE');
    // Quoted names are never keywords.
    expect(summary('"select"')).toEqual([['QuotedIdentifier', 'select', '"select"']]);
  });

  it('takes non-ASCII characters and $ as word characters, as SQLite does', () => {
    expect(summary('café a$b 名前')).toEqual([
      ['Identifier', 'café', 'café'],
      ['Identifier', 'a$b', 'a$b'],
      ['Identifier', '名前', '名前'],
    ]);
  });

  it('skips whitespace and both kinds of comments, and ends with an End token at the text length', () => {
    const sql = 'a -- one\n\t/* two\n three */ b\r\n\f--';
    const all = tokens(sql);
    expect(all.map((t) => t.text)).toEqual(['a', 'b', '']);
    const end = all[all.length - 1] as Token;
    expect(end.kind).toBe('End');
    expect([end.start, end.end]).toEqual([sql.length, sql.length]);
    expect(tokens('').map((t) => t.kind)).toEqual(['End']);
    expect(summary('a/**/b')).toHaveLength(2);
  });

  it('treats x followed by a quote as a blob and x alone as a name', () => {
    expect(summary("x 'a'").map((t) => t[0])).toEqual(['Identifier', 'String']);
  });
});

describe('lexer: errors', () => {
  it('reports an unterminated string at its opening quote, as an error at the end of input', () => {
    const error = lexError("SELECT\n  'abc");
    expect(error).toBeInstanceOf(SqlParseError);
    const e = error as SqlParseError;
    expect(e.code).toBe('PARSE');
    expect([e.line, e.column, e.offset]).toEqual([2, 3, 9]);
    expect(e.atEnd).toBe(true);
    expect(e.found).toBe('end of input');
    expect(e.message).toBe('unterminated string literal at line 2, column 3');
    expect(e.excerpt).toBe("  'abc\n  ^");
  });

  it('reports unterminated quoted identifiers, blobs and block comments', () => {
    for (const [sql, message] of [
      ['"abc', 'unterminated quoted identifier'],
      ['`abc', 'unterminated quoted identifier'],
      ['[abc', 'unterminated quoted identifier'],
      ["X'00", 'unterminated blob literal'],
      ['SELECT /* never closed', 'unterminated block comment'],
    ] as const) {
      const e = lexError(sql) as SqlParseError;
      expect(e.message.startsWith(message), `${sql}: ${e.message}`).toBe(true);
      expect(e.atEnd).toBe(true);
    }
  });

  it('reports bad characters, malformed numbers, blobs and parameters where they are', () => {
    const cases: [string, string, number][] = [
      ['SELECT #', 'unrecognized character', 8],
      ['SELECT a ! b', 'unrecognized character', 10],
      ['SELECT \u0001', 'unrecognized character', 8],
      ['SELECT 12abc', 'malformed number', 8],
      ['SELECT 1.5e', 'malformed number', 8],
      ["SELECT X'0g'", 'malformed blob literal', 11],
      ["SELECT X'abc'", 'malformed blob literal (an odd number of hex digits)', 8],
      ['SELECT $', 'malformed parameter', 9],
      ['SELECT : a', 'malformed parameter', 9],
      ['SELECT ?1a', 'malformed parameter', 10],
    ];
    for (const [sql, message, column] of cases) {
      const e = lexError(sql) as SqlParseError;
      expect(e, sql).toBeInstanceOf(SqlParseError);
      expect(e.message, sql).toBe(`${message} at line 1, column ${column}`);
      expect(e.column, sql).toBe(column);
      expect(e.atEnd, sql).toBe(false);
    }
    expect((lexError('SELECT #') as SqlParseError).found).toBe('"#"');
    expect((lexError('SELECT \u0001') as SqlParseError).found).toBe('character U+0001');
  });

  it('counts columns in code points and cuts long lines around the column', () => {
    const e = lexError('SELECT \u{1F600}\u{1F600} #') as SqlParseError;
    expect(e.column).toBe(11);
    const long = `SELECT ${'a '.repeat(250)}# ${'b '.repeat(250)}`;
    const far = lexError(long) as SqlParseError;
    expect(far.column).toBe(508);
    const [line, caret] = far.excerpt.split('\n') as [string, string];
    expect(line.startsWith('...')).toBe(true);
    expect(line.endsWith('...')).toBe(true);
    expect(line.length).toBeLessThanOrEqual(130);
    expect(line[caret.length - 1]).toBe('#');
  });

  it('keeps tabs in the caret line so that the caret sits under the error', () => {
    const e = lexError('\tSELECT\t#') as SqlParseError;
    expect(e.excerpt).toBe('\tSELECT\t#\n\t      \t^');
  });
});

describe('lexer: limits', () => {
  it('accepts identifiers and parameter names of identifierBytesMax bytes and rejects one byte more', () => {
    const max = defaultSqlLimits.identifierBytesMax;
    expect(summary(`${'a'.repeat(max)}`)).toHaveLength(1);
    expect(summary(`"${'a'.repeat(max)}"`)).toHaveLength(1);
    expect(summary(`$${'a'.repeat(max)}`)).toHaveLength(1);
    // Two-byte characters: the limit is in UTF-8 bytes, not characters.
    expect(summary(`${'é'.repeat(max / 2)}`)).toHaveLength(1);
    for (const sql of [`${'a'.repeat(max + 1)}`, `"${'a'.repeat(max + 1)}"`, `:${'a'.repeat(max + 1)}`, `${'é'.repeat(max / 2)}a`]) {
      const e = lexError(sql);
      expect(e).toBeInstanceOf(SqlLimitError);
      expect(e.code).toBe('LIMIT');
      expect((e as SqlLimitError).limitName).toBe('identifierBytesMax');
      expect((e as SqlLimitError).limit).toBe(max);
      expect((e as SqlLimitError).actual).toBe(max + 1);
    }
  });

  it('accepts a text of sqlBytesMax bytes and rejects one byte more, counting UTF-8 bytes', () => {
    const max = defaultSqlLimits.sqlBytesMax;
    const head = 'SELECT 1; -- ';
    expect(isRight(lex(head + 'x'.repeat(max - head.length)))).toBe(true);
    const over = lexError(head + 'x'.repeat(max - head.length + 1)) as SqlLimitError;
    expect(over).toBeInstanceOf(SqlLimitError);
    expect([over.limitName, over.limit, over.actual]).toEqual(['sqlBytesMax', max, max + 1]);
    // 'é' is two bytes: half as many characters reach the limit.
    const evenHead = `${head}-`;
    expect(isRight(lex(evenHead + 'é'.repeat((max - evenHead.length) / 2)))).toBe(true);
    expect((lexError(`${evenHead}${'é'.repeat((max - evenHead.length) / 2)}a`) as SqlLimitError).actual).toBe(max + 1);
    expect(isRight(lex('SELECT 1', { sqlBytesMax: 8 }))).toBe(true);
    expect(isLeft(lex('SELECT 12', { sqlBytesMax: 8 }))).toBe(true);
  });
});

describe('endsWithTerminator', () => {
  const ends = (sql: string) => endsWithTerminator(sql, defaultSqlLimits);

  it('is true only after a ; outside strings, names and comments', () => {
    expect(ends('SELECT 1;')).toBe(true);
    expect(ends('SELECT 1; -- done\n  ')).toBe(true);
    expect(ends('SELECT 1; /* c */')).toBe(true);
    expect(ends('SELECT 1')).toBe(false);
    expect(ends('')).toBe(false);
    expect(ends("SELECT ';")).toBe(false);
    expect(ends('SELECT "a;')).toBe(false);
    expect(ends('SELECT 1 /* ; ')).toBe(false);
    expect(ends('SELECT 1 -- ;')).toBe(false);
    expect(ends("SELECT 'a;\nb';")).toBe(true);
  });

  it('is true for a text that cannot be lexed once its line ends with ;, so that the error gets shown', () => {
    expect(ends('SELECT #;')).toBe(true);
    expect(ends('SELECT #')).toBe(false);
  });
});
