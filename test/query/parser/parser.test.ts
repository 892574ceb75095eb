import { describe, expect, it } from 'vitest';
import type { CallExpr, CreateTable, Expr, Insert, Parameter, Select, SelectCore, Statement } from '../../../query/ast.js';
import { SqlLimitError, SqlParseError } from '../../../query/parse-error.js';
import { typeAliases } from '../../../query/parser.js';
import { paren, parseExpr, parseFail, parseOk, parseOne, parseSelect, reprint } from './helpers.js';

function core(select: Select): SelectCore {
  if (select.body.kind !== 'SelectCore') throw new Error('expected a simple SELECT');
  return select.body;
}

function syntaxError(sql: string): SqlParseError {
  const error = parseFail(sql);
  expect(error, sql).toBeInstanceOf(SqlParseError);
  return error as SqlParseError;
}

describe('parser: precedence and associativity (SQLite order)', () => {
  const cases: [string, string][] = [
    ['1 + 2 * 3', '(1 + (2 * 3))'],
    ['1 * 2 + 3', '((1 * 2) + 3)'],
    ['1 - 2 - 3', '((1 - 2) - 3)'],
    ['1 / 2 % 3 * 4', '(((1 / 2) % 3) * 4)'],
    ["a || b * c", '((a || b) * c)'],
    ["a * b || c", '(a * (b || c))'],
    ['-a || b', '((-a) || b)'],
    ['-2 * 3', '((-2) * 3)'],
    ['a * -b', '(a * (-b))'],
    ['- - 1', '(-(-1))'],
    ['~a + +b', '((~a) + (+b))'],
    ['a & b | c << d >> e', '((((a & b) | c) << d) >> e)'],
    ['a + b << c', '((a + b) << c)'],
    ['a << b < c', '((a << b) < c)'],
    ['a < b = c < d', '((a < b) = (c < d))'],
    ['a = b = c', '((a = b) = c)'],
    ['a == b <> c != d', '(((a = b) != c) != d)'],
    ['a = b AND c = d OR e', '(((a = b) AND (c = d)) OR e)'],
    ['a OR b AND c', '(a OR (b AND c))'],
    ['a AND b AND c', '((a AND b) AND c)'],
    ['a OR b OR c', '((a OR b) OR c)'],
    ['NOT a = b', '(NOT (a = b))'],
    ['NOT a AND b', '((NOT a) AND b)'],
    ['NOT a OR NOT b', '((NOT a) OR (NOT b))'],
    ['NOT NOT a', '(NOT (NOT a))'],
    ['a = NOT b', '(a = (NOT b))'],
    ['a = NOT b AND c', '((a = (NOT b)) AND c)'],
    ['NOT a BETWEEN b AND c', '(NOT (a BETWEEN b AND c))'],
    ['a IS NULL', '(a IS NULL)'],
    ['a IS NOT NULL', '(a IS NOT NULL)'],
    ['a ISNULL', '(a IS NULL)'],
    ['a NOTNULL', '(a IS NOT NULL)'],
    ['a NOT NULL', '(a IS NOT NULL)'],
    ['a IS b', '(a IS b)'],
    ['a IS NOT b + 1', '(a IS NOT (b + 1))'],
    ['a IS DISTINCT FROM b', '(a IS NOT b)'],
    ['a IS NOT DISTINCT FROM b', '(a IS b)'],
    ['a IS NULL = b', '((a IS NULL) = b)'],
    ['a BETWEEN 1 AND 2 AND c', '((a BETWEEN 1 AND 2) AND c)'],
    ['a NOT BETWEEN b + 1 AND c * 2', '(a NOT BETWEEN (b + 1) AND (c * 2))'],
    ['a BETWEEN b AND c = d', '((a BETWEEN b AND c) = d)'],
    ['a < b BETWEEN c AND d', '((a < b) BETWEEN c AND d)'],
    ["a LIKE 'x%'", "(a LIKE 'x%')"],
    ["a NOT LIKE b || c ESCAPE '!'", "(a NOT LIKE (b || c) ESCAPE '!')"],
    ["a LIKE b AND c", '((a LIKE b) AND c)'],
    ['a IN (1, 2, 3)', '(a IN (1, 2, 3))'],
    ['a NOT IN (1)', '(a NOT IN (1))'],
    ['x = 1 IN (1)', '((x = 1) IN (1))'],
    ['a + 1 IN (b, c * 2)', '((a + 1) IN (b, (c * 2)))'],
    ['(1 + 2) * 3', '((1 + 2) * 3)'],
    ['((a))', 'a'],
    ['1 - -1', '(1 - (-1))'],
  ];
  for (const [input, expected] of cases) {
    it(`${input}  →  ${expected}`, () => {
      expect(paren(input)).toBe(expected);
    });
  }
});

describe('parser: expressions', () => {
  it('parses literals to typed values', () => {
    expect(parseExpr('42')).toMatchObject({ kind: 'IntegerLiteral', value: 42n });
    expect(parseExpr('0x10')).toMatchObject({ kind: 'IntegerLiteral', value: 16n });
    expect(parseExpr('0xffffffffffffffff')).toMatchObject({ kind: 'IntegerLiteral', value: -1n });
    expect(parseExpr('0x7fffffffffffffff')).toMatchObject({ kind: 'IntegerLiteral', value: 9223372036854775807n });
    expect(parseExpr('9223372036854775807')).toMatchObject({ kind: 'IntegerLiteral', value: 9223372036854775807n });
    expect(parseExpr('9223372036854775808')).toMatchObject({ kind: 'RealLiteral', value: 9223372036854775808 });
    expect(parseExpr('-9223372036854775808')).toMatchObject({ kind: 'IntegerLiteral', value: -9223372036854775808n });
    expect(parseExpr('-9223372036854775807')).toMatchObject({ kind: 'Unary', op: '-', operand: { value: 9223372036854775807n } });
    expect(parseExpr('1.5')).toMatchObject({ kind: 'RealLiteral', value: 1.5 });
    expect(parseExpr('.25e1')).toMatchObject({ kind: 'RealLiteral', value: 2.5 });
    expect(parseExpr('1e999')).toMatchObject({ kind: 'RealLiteral', value: Infinity });
    expect(parseExpr("'it''s'")).toMatchObject({ kind: 'StringLiteral', value: "it's" });
    expect(parseExpr("''")).toMatchObject({ kind: 'StringLiteral', value: '' });
    const blob = parseExpr("X'00fF10'");
    expect(blob.kind).toBe('BlobLiteral');
    expect(Array.from((blob as { value: Uint8Array }).value)).toEqual([0, 255, 16]);
    expect(parseExpr('TRUE')).toMatchObject({ kind: 'BooleanLiteral', value: true });
    expect(parseExpr('false')).toMatchObject({ kind: 'BooleanLiteral', value: false });
    expect(parseExpr('NULL')).toMatchObject({ kind: 'NullLiteral' });
  });

  it('parses DATE, TIMESTAMP and INTERVAL literals, validating them', () => {
    expect(parseExpr("DATE '1998-12-01'")).toMatchObject({ kind: 'DateLiteral', year: 1998, month: 12, day: 1, text: '1998-12-01' });
    expect(parseExpr("date '2024-02-29'")).toMatchObject({ kind: 'DateLiteral', day: 29 });
    expect(parseExpr("TIMESTAMP '1970-01-02 00:00:01.5'")).toMatchObject({ kind: 'TimestampLiteral', epochMs: 86_401_500 });
    expect(parseExpr("TIMESTAMP '2024-03-01T12:30Z'")).toMatchObject({ epochMs: Date.UTC(2024, 2, 1, 12, 30) });
    expect(parseExpr("TIMESTAMP '1969-12-31 23:59:59'")).toMatchObject({ epochMs: -1000 });
    expect(parseExpr("TIMESTAMP '0001-01-01'")).toMatchObject({ epochMs: -62135596800000 });
    expect(parseExpr("INTERVAL '90' DAY")).toMatchObject({ kind: 'IntervalLiteral', amount: 90, unit: 'DAY' });
    expect(parseExpr("interval '3' month")).toMatchObject({ amount: 3, unit: 'MONTH' });
    expect(parseExpr("INTERVAL ' -1 ' YEARS")).toMatchObject({ amount: -1, unit: 'YEAR' });
    expect(parseExpr('INTERVAL 7 DAYS')).toMatchObject({ amount: 7, unit: 'DAY' });
    expect(parseExpr('INTERVAL -7 DAY')).toMatchObject({ amount: -7, unit: 'DAY' });
    // TPC-H's form, with a leading-field precision.
    expect(paren("date '1998-12-01' - interval '90' day (3)")).toBe("(DATE '1998-12-01' - INTERVAL '90' DAY)");
    for (const [sql, message] of [
      ["DATE '2023-02-29'", "invalid date '2023-02-29'"],
      ["DATE '2023-13-01'", "invalid date '2023-13-01'"],
      ["DATE '2023-1-01'", "invalid date '2023-1-01'"],
      ["TIMESTAMP '2023-01-01 24:00:00'", "invalid timestamp '2023-01-01 24:00:00'"],
      ["TIMESTAMP '2023-01-01 10:60'", "invalid timestamp '2023-01-01 10:60'"],
      ["INTERVAL '1.5' DAY", 'invalid interval amount'],
      ["INTERVAL 'x' DAY", 'invalid interval amount'],
    ]) {
      const error = syntaxError(`SELECT ${sql}`);
      expect(error.message.startsWith(`${message}: expected `), error.message).toBe(true);
      expect(error.message.endsWith(` at line 1, column ${sql.indexOf("'") + 8}`), error.message).toBe(true);
    }
    expect(syntaxError("SELECT INTERVAL '1' WEEK").expected).toEqual(['YEAR', 'MONTH', 'DAY']);
  });

  it('numbers parameters per statement as SQLite does', () => {
    const select = parseSelect('SELECT ?, ?5, ?, $a, :a, @b, ?2, $a');
    const params = core(select).items.map((item) => (item.kind === 'SelectExpr' ? (item.expr as Parameter) : undefined));
    expect(params.map((p) => [p?.index, p?.name, p?.prefix])).toEqual([
      [1, undefined, '?'],
      [5, undefined, '?'],
      [6, undefined, '?'],
      [7, 'a', '$'],
      [7, 'a', ':'],
      [8, 'b', '@'],
      [2, undefined, '?'],
      [7, 'a', '$'],
    ]);
    // A new statement starts again at 1.
    const [, second] = parseOk('SELECT ?, ?; SELECT ?');
    expect(core(second as Select).items[0]).toMatchObject({ expr: { index: 1 } });
    expect(syntaxError('SELECT ?0').message).toBe('parameter numbers start at ?1: expected ?1 to ?32766, found parameter ?0 at line 1, column 8');
  });

  it('parses column references, qualified and quoted', () => {
    expect(parseExpr('c')).toMatchObject({ kind: 'ColumnRef', table: undefined, column: { name: 'c', quoted: false } });
    expect(parseExpr('t.c')).toMatchObject({ kind: 'ColumnRef', table: { name: 't' }, column: { name: 'c' } });
    expect(parseExpr('"My Table"."a""b"')).toMatchObject({ table: { name: 'My Table', quoted: true }, column: { name: 'a"b', quoted: true } });
    expect(parseExpr('`x`.[y z]')).toMatchObject({ table: { name: 'x' }, column: { name: 'y z' } });
    expect(parseExpr('excluded.v')).toMatchObject({ table: { name: 'excluded' }, column: { name: 'v' } });
    // Grammar words stay usable as names.
    expect(paren('date + year + key + first + desc')).toBe('(((("date" + year) + "key") + "first") + "desc")');
  });

  it('parses CASE, CAST, EXISTS, subqueries and IN forms', () => {
    expect(paren("CASE WHEN a > 1 THEN 'x' WHEN a IS NULL THEN 'n' ELSE 'y' END")).toBe(
      "CASE WHEN (a > 1) THEN 'x' WHEN (a IS NULL) THEN 'n' ELSE 'y' END",
    );
    expect(paren('CASE a + 1 WHEN 2 THEN b END')).toBe('CASE (a + 1) WHEN 2 THEN b END');
    expect(parseExpr('CASE a WHEN 1 THEN 2 END')).toMatchObject({ kind: 'Case', operand: { kind: 'ColumnRef' }, else: undefined });
    expect(paren('CAST(a + 1 AS VARCHAR(10))')).toBe('CAST((a + 1) AS VARCHAR(10))');
    expect(parseExpr('CAST(a AS double precision)')).toMatchObject({ kind: 'Cast', type: { type: 'REAL', name: 'DOUBLE PRECISION' } });
    expect(paren('EXISTS (SELECT 1 FROM t WHERE t.a = u.a)')).toBe('EXISTS (SELECT 1 FROM t WHERE (t.a = u.a))');
    expect(paren('NOT EXISTS (SELECT 1)')).toBe('(NOT EXISTS (SELECT 1))');
    expect(paren('(SELECT max(a) FROM t) + 1')).toBe('((SELECT MAX(a) FROM t) + 1)');
    expect(paren('a NOT IN (SELECT b FROM t)')).toBe('(a NOT IN (SELECT b FROM t))');
    expect(parseExpr('a IN (SELECT b FROM t)')).toMatchObject({ kind: 'InSubquery', not: false });
  });

  it('parses function calls, COUNT(*), DISTINCT arguments, SUBSTRING and EXTRACT forms', () => {
    expect(parseExpr('count(*)')).toMatchObject({ kind: 'Call', name: 'COUNT', star: true, args: [] });
    expect(parseExpr('Count(DISTINCT a)')).toMatchObject({ kind: 'Call', name: 'COUNT', distinct: true, args: [{ kind: 'ColumnRef' }] });
    expect(paren('coalesce(a, b, 1)')).toBe('COALESCE(a, b, 1)');
    expect(paren('sum(ALL a * 2)')).toBe('SUM((a * 2))');
    expect(paren('random()')).toBe('RANDOM()');
    expect(paren('substring(a FROM 2 FOR 3)')).toBe('SUBSTRING(a, 2, 3)');
    expect(paren('substring(a FROM 2)')).toBe('SUBSTRING(a, 2)');
    expect(paren('substring(a, 2, 3)')).toBe('SUBSTRING(a, 2, 3)');
    expect(paren('substr(a, 2)')).toBe('SUBSTR(a, 2)');
    expect(paren('nullif(abs(a), round(b, 2))')).toBe('NULLIF(ABS(a), ROUND(b, 2))');
    expect(paren('length(lower(upper(a)))')).toBe('LENGTH(LOWER(UPPER(a)))');
    expect(paren('extract(year FROM l_shipdate)')).toBe('EXTRACT(YEAR FROM l_shipdate)');
    expect(parseExpr('EXTRACT(Day FROM d)')).toMatchObject({ kind: 'Extract', field: 'DAY' });
    expect(parseExpr('CURRENT_TIMESTAMP')).toMatchObject({ kind: 'Call', name: 'CURRENT_TIMESTAMP', args: [] });
    expect((parseExpr('"my func"(1)') as CallExpr).name).toBe('MY FUNC');
  });

  it('gives every expression the span of its text as written, parentheses included', () => {
    const sql = 'SELECT a  +  b, (a+1) AS x, count( * ), -9223372036854775808, (SELECT 1), t . c FROM t';
    const items = core(parseSelect(sql)).items;
    const texts = items.map((item) => (item.kind === 'SelectExpr' ? sql.slice(item.expr.span.start, item.expr.span.end) : '*'));
    expect(texts).toEqual(['a  +  b', '(a+1)', 'count( * )', '-9223372036854775808', '(SELECT 1)', 't . c']);
    expect(sql.slice(items[1]!.span.start, items[1]!.span.end)).toBe('(a+1) AS x');
    const call = (items[2] as { expr: CallExpr }).expr;
    expect(sql.slice(call.nameSpan.start, call.nameSpan.end)).toBe('count');
  });
});

describe('parser: statements', () => {
  it('parses SELECT with every clause', () => {
    expect(
      reprint(
        'select distinct a, t.*, b + 1 total, * from t as x join u on x.id = u.id left outer join v on v.k = u.k, w ' +
          'cross join z where a > 1 group by a, b having count(*) > 2 order by 1 desc, total nulls first, b asc nulls last limit 10 offset 5',
      ),
    ).toBe(
      'SELECT DISTINCT a, t.*, (b + 1) AS total, * FROM t AS x JOIN u ON (x.id = u.id) LEFT JOIN v ON (v.k = u.k) CROSS JOIN w ' +
        'CROSS JOIN z WHERE (a > 1) GROUP BY a, b HAVING (COUNT(*) > 2) ORDER BY 1 DESC, total NULLS FIRST, b NULLS LAST LIMIT 10 OFFSET 5',
    );
    expect(reprint('SELECT 1')).toBe('SELECT 1');
    expect(reprint('SELECT ALL a FROM t INNER JOIN u')).toBe('SELECT a FROM t JOIN u');
    expect(reprint('SELECT * FROM t LIMIT 5, 10')).toBe('SELECT * FROM t LIMIT 10 OFFSET 5');
  });

  it('reads joins left-associatively and keeps parenthesised joins', () => {
    const from = core(parseSelect('SELECT * FROM a JOIN b ON p JOIN c ON q')).from;
    expect(from).toMatchObject({ kind: 'Join', left: { kind: 'Join', left: { name: { name: 'a' } } }, right: { name: { name: 'c' } } });
    expect(reprint('SELECT * FROM a JOIN (b JOIN c ON q) ON p')).toBe('SELECT * FROM a JOIN (b JOIN c ON q) ON p');
    const comma = core(parseSelect('SELECT * FROM a, b')).from;
    expect(comma).toMatchObject({ kind: 'Join', type: 'CROSS', on: undefined });
  });

  it('parses subqueries in FROM with and without aliases', () => {
    expect(reprint('SELECT s.n FROM (SELECT count(*) AS n FROM t) s')).toBe('SELECT s.n FROM (SELECT COUNT(*) AS n FROM t) AS s');
    expect(reprint('SELECT * FROM (SELECT 1)')).toBe('SELECT * FROM (SELECT 1)');
  });

  it('parses set operations left-associatively with ORDER BY and LIMIT over the whole', () => {
    const select = parseSelect('SELECT a FROM t UNION SELECT b FROM u UNION ALL SELECT c FROM v EXCEPT SELECT 1 INTERSECT SELECT 2 ORDER BY 1 LIMIT 3');
    expect(select.body).toMatchObject({
      kind: 'SetOperation',
      op: 'INTERSECT',
      left: { kind: 'SetOperation', op: 'EXCEPT', left: { op: 'UNION ALL', left: { op: 'UNION' } } },
    });
    expect(select.orderBy).toHaveLength(1);
    expect(select.limit).toMatchObject({ value: 3n });
  });

  it('parses CREATE TABLE with every type alias and constraint', () => {
    const statement = parseOne(
      'CREATE TABLE IF NOT EXISTS lineitem (l_orderkey BIGINT NOT NULL, l_linenumber INT, l_price DECIMAL(15,2) DEFAULT 0.0, ' +
        "l_flag CHAR(1) DEFAULT 'N' NOT NULL UNIQUE, l_date DATE, l_ts datetime NULL, l_ok boolean default true, l_b blob DEFAULT X'00', " +
        'l_n double precision default -1, l_e real default (1 + 2), id integer primary key desc, PRIMARY KEY (l_orderkey, l_linenumber), UNIQUE (l_flag, l_date))',
    ) as CreateTable;
    expect(statement.ifNotExists).toBe(true);
    expect(statement.columns.map((c) => [c.name.name, c.type.type, c.type.name, c.type.params])).toEqual([
      ['l_orderkey', 'INTEGER', 'BIGINT', []],
      ['l_linenumber', 'INTEGER', 'INT', []],
      ['l_price', 'REAL', 'DECIMAL', [15, 2]],
      ['l_flag', 'TEXT', 'CHAR', [1]],
      ['l_date', 'DATE', 'DATE', []],
      ['l_ts', 'TIMESTAMP', 'DATETIME', []],
      ['l_ok', 'BOOLEAN', 'BOOLEAN', []],
      ['l_b', 'BLOB', 'BLOB', []],
      ['l_n', 'REAL', 'DOUBLE PRECISION', []],
      ['l_e', 'REAL', 'REAL', []],
      ['id', 'INTEGER', 'INTEGER', []],
    ]);
    const flag = statement.columns[3]!;
    expect([flag.notNull, flag.unique, flag.default?.kind]).toEqual([true, true, 'StringLiteral']);
    expect(statement.columns[0]!.notNull).toBe(true);
    expect(statement.columns[5]!.notNull).toBe(false);
    expect(statement.columns[8]!.default).toMatchObject({ kind: 'Unary', op: '-' });
    expect(statement.columns[9]!.default).toMatchObject({ kind: 'Binary', op: '+' });
    expect(statement.columns[10]!.primaryKey).toMatchObject({ descending: true });
    expect(statement.constraints.map((c) => [c.kind, c.columns.map((n) => n.name)])).toEqual([
      ['PrimaryKey', ['l_orderkey', 'l_linenumber']],
      ['Unique', ['l_flag', 'l_date']],
    ]);
    for (const [name, type] of typeAliases) {
      expect((parseOne(`CREATE TABLE t (c ${name})`) as CreateTable).columns[0]!.type.type, name).toBe(type);
    }
  });

  it('parses DROP TABLE, CREATE INDEX and DROP INDEX', () => {
    expect(reprint('drop table t; DROP TABLE IF EXISTS "t t"')).toBe('DROP TABLE t; DROP TABLE IF EXISTS "t t"');
    expect(reprint('create unique index if not exists i on t (a desc, b asc)')).toBe('CREATE UNIQUE INDEX IF NOT EXISTS i ON t (a DESC, b)');
    expect(reprint('CREATE INDEX i ON t (a)')).toBe('CREATE INDEX i ON t (a)');
    expect(reprint('DROP INDEX i; drop index if exists i')).toBe('DROP INDEX i; DROP INDEX IF EXISTS i');
    // IF is an ordinary name where it is not followed by NOT EXISTS / EXISTS.
    expect(reprint('CREATE TABLE if (a INT); DROP TABLE if')).toBe('CREATE TABLE "if" (a INT); DROP TABLE "if"');
  });

  it('parses INSERT with VALUES, SELECT, DEFAULT VALUES and both ON CONFLICT actions', () => {
    expect(reprint('INSERT INTO t VALUES (1, 2), (3, 4)')).toBe('INSERT INTO t VALUES (1, 2), (3, 4)');
    expect(reprint('INSERT INTO t (a, b) SELECT x, y FROM u WHERE x > 0')).toBe('INSERT INTO t (a, b) SELECT x, y FROM u WHERE (x > 0)');
    expect(reprint('INSERT INTO t DEFAULT VALUES')).toBe('INSERT INTO t DEFAULT VALUES');
    expect(reprint('INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING')).toBe('INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING');
    expect(reprint('INSERT INTO t SELECT * FROM u ON CONFLICT (a) DO NOTHING')).toBe('INSERT INTO t SELECT * FROM u ON CONFLICT (a) DO NOTHING');
    expect(reprint('INSERT INTO t (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v + t.v, n = n + 1 WHERE t.v < excluded.v')).toBe(
      'INSERT INTO t (k, v) VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE SET v = (excluded.v + t.v), n = (n + 1) WHERE (t.v < excluded.v)',
    );
    const insert = parseOne('INSERT INTO t VALUES (1)') as Insert;
    expect(insert.columns).toBeUndefined();
    expect(insert.onConflict).toBeUndefined();
  });

  it('parses UPDATE and DELETE with and without WHERE and aliases', () => {
    expect(reprint('UPDATE t SET a = 1, b = b * 2 WHERE id = 3')).toBe('UPDATE t SET a = 1, b = (b * 2) WHERE (id = 3)');
    expect(reprint('update t as x set a = x.a')).toBe('UPDATE t AS x SET a = x.a');
    expect(reprint('DELETE FROM t')).toBe('DELETE FROM t');
    expect(reprint('DELETE FROM t x WHERE x.a IS NULL')).toBe('DELETE FROM t AS x WHERE (x.a IS NULL)');
  });

  it('parses transaction statements and EXPLAIN', () => {
    expect(reprint('BEGIN; begin transaction; BEGIN IMMEDIATE TRANSACTION; COMMIT; END TRANSACTION; end; ROLLBACK; rollback transaction')).toBe(
      'BEGIN; BEGIN; BEGIN IMMEDIATE; COMMIT; COMMIT; COMMIT; ROLLBACK; ROLLBACK',
    );
    expect(parseOne('EXPLAIN SELECT 1')).toMatchObject({ kind: 'Explain', queryPlan: false, statement: { kind: 'Select' } });
    expect(parseOne('EXPLAIN QUERY PLAN DELETE FROM t')).toMatchObject({ kind: 'Explain', queryPlan: true, statement: { kind: 'Delete' } });
  });

  it('splits scripts on ; with empty statements, comments and statement spans', () => {
    const sql = ';; SELECT 1 ; -- c\n /* x */ SELECT 2;\n;';
    const statements = parseOk(sql);
    expect(statements.map((s: Statement) => sql.slice(s.span.start, s.span.end))).toEqual(['SELECT 1', 'SELECT 2']);
    expect(parseOk('')).toEqual([]);
    expect(parseOk('-- only a comment')).toEqual([]);
    expect(parseOk('SELECT 1; SELECT 2')).toHaveLength(2);
  });

  it('parses TPC-H style queries', () => {
    const q1 = `
      select l_returnflag, l_linestatus, sum(l_quantity) as sum_qty, sum(l_extendedprice) as sum_base_price,
        sum(l_extendedprice * (1 - l_discount)) as sum_disc_price,
        sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) as sum_charge,
        avg(l_quantity) as avg_qty, avg(l_extendedprice) as avg_price, avg(l_discount) as avg_disc, count(*) as count_order
      from lineitem
      where l_shipdate <= date '1998-12-01' - interval '90' day (3)
      group by l_returnflag, l_linestatus
      order by l_returnflag, l_linestatus;`;
    expect(reprint(q1)).toContain("WHERE (l_shipdate <= (DATE '1998-12-01' - INTERVAL '90' DAY)) GROUP BY l_returnflag, l_linestatus");
    const q6 = `select sum(l_extendedprice * l_discount) as revenue from lineitem
      where l_shipdate >= date '1994-01-01' and l_shipdate < date '1994-01-01' + interval '1' year
        and l_discount between .06 - 0.01 and .06 + 0.01 and l_quantity < 24`;
    expect(reprint(q6)).toContain('(l_discount BETWEEN (0.06 - 0.01) AND (0.06 + 0.01))');
    const q19 = `select sum(l_extendedprice* (1 - l_discount)) as revenue from lineitem, part
      where (p_partkey = l_partkey and p_brand = 'Brand#12' and p_container in ('SM CASE', 'SM BOX', 'SM PACK', 'SM PKG')
          and l_quantity >= 1 and l_quantity <= 1 + 10 and p_size between 1 and 5 and l_shipmode in ('AIR', 'AIR REG')
          and l_shipinstruct = 'DELIVER IN PERSON')
        or (p_partkey = l_partkey and p_brand = 'Brand#23' and l_quantity >= 10)`;
    expect(parseOk(q19)).toHaveLength(1);
    const q4 = `select o_orderpriority, count(*) as order_count from orders
      where o_orderdate >= date '1993-07-01' and o_orderdate < date '1993-07-01' + interval '3' month
        and exists (select * from lineitem where l_orderkey = o_orderkey and l_commitdate < l_receiptdate)
      group by o_orderpriority order by o_orderpriority`;
    expect(parseOk(q4)).toHaveLength(1);
  });
});

describe('parser: names', () => {
  it('treats __proto__, constructor and prototype as ordinary names that pollute nothing', () => {
    const sql =
      'CREATE TABLE __proto__ (constructor INTEGER PRIMARY KEY, prototype TEXT, "__proto__" TEXT); ' +
      'SELECT __proto__.constructor AS prototype, $__proto__, :constructor, toString(hasOwnProperty) FROM __proto__ AS constructor';
    const [create, select] = parseOk(sql) as [CreateTable, Select];
    expect(create.name.name).toBe('__proto__');
    expect(create.columns.map((c) => c.name.name)).toEqual(['constructor', 'prototype', '__proto__']);
    const items = core(select).items;
    expect(items[0]).toMatchObject({ expr: { table: { name: '__proto__' }, column: { name: 'constructor' } }, alias: { name: 'prototype' } });
    expect(items[1]).toMatchObject({ expr: { kind: 'Parameter', name: '__proto__', index: 1 } });
    expect(items[2]).toMatchObject({ expr: { kind: 'Parameter', name: 'constructor', index: 2 } });
    expect(items[3]).toMatchObject({ expr: { kind: 'Call', name: 'TOSTRING' } });
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'constructor')).toBe(true);
    expect(({} as Record<string, unknown>).prototype).toBeUndefined();
    expect(Object.getPrototypeOf(create)).toBe(Object.prototype);
  });
});

describe('parser: errors', () => {
  it('reports line, column, expected tokens, the found token and a caret excerpt', () => {
    const e = syntaxError('SELECT a, b\nFROM t\nWHERE a = 1 +\n  ORDER BY a');
    expect(e.code).toBe('PARSE');
    expect([e.line, e.column]).toEqual([4, 3]);
    expect(e.expected).toEqual(['expression']);
    expect(e.found).toBe('ORDER');
    expect(e.atEnd).toBe(false);
    expect(e.message).toBe('syntax error: expected expression, found ORDER at line 4, column 3');
    expect(e.excerpt).toBe('  ORDER BY a\n  ^');
  });

  it('lists every token that would have been accepted', () => {
    const e = syntaxError('SELECT * FROM t ORDER a');
    expect(e.expected).toEqual(['BY']);
    expect(e.found).toBe('identifier "a"');
    const afterTable = syntaxError('SELECT * FROM t 7');
    expect(afterTable.expected).toEqual([
      'AS', 'alias', '","', 'CROSS', 'INNER', 'JOIN', 'LEFT', 'WHERE', 'GROUP', 'HAVING', 'UNION', 'INTERSECT', 'EXCEPT', 'ORDER', 'LIMIT', '";"', 'end of input',
    ]);
    expect(afterTable.message).toContain('(or others), found number 7');
    const start = syntaxError('FROB t');
    expect(start.expected).toEqual(['";"', 'SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'BEGIN', 'COMMIT', 'END', 'ROLLBACK', 'EXPLAIN']);
    expect(syntaxError('INSERT INTO t VALUES (1').expected).toEqual(['operator', '","', '")"']);
    expect(syntaxError('CREATE TABLE t (a VARCHAR2)').expected).toEqual(['type name']);
    expect(syntaxError('CREATE TABLE t (a)').found).toBe('")"');
  });

  it('marks errors at the end of the text so that a shell can keep reading', () => {
    for (const sql of ['SELECT', 'SELECT a FROM', 'SELECT (1 + 2', 'CREATE TABLE t (a INT,', 'SELECT CASE WHEN a THEN b']) {
      const e = syntaxError(sql);
      expect(e.atEnd, sql).toBe(true);
      expect(e.found, sql).toBe('end of input');
      expect(e.column, sql).toBe(sql.length + 1);
    }
  });

  it('rejects what the grammar does not have', () => {
    const cases: [string, string][] = [
      ['SELECT * FROM a RIGHT JOIN b ON a.x = b.x', 'RIGHT'],
      ['SELECT * FROM a LEFT JOIN b', 'end of input'],
      ['SELECT a IN () FROM t', '")"'],
      ['SELECT count(DISTINCT *) FROM t', '"*"'],
      ['SELECT 1 2', 'number 2'],
      ['SELECT a FROM t WHERE a NOT 1', 'NOT'],
      ['CREATE TABLE t (PRIMARY KEY (a))', '")"'],
      ['CREATE TABLE t (a INT, PRIMARY KEY (a), b INT)', 'identifier "b"'],
      ['CREATE TABLE t (a INT AUTOINCREMENT)', 'AUTOINCREMENT'],
      ['EXPLAIN EXPLAIN SELECT 1', 'EXPLAIN'],
      ['SELECT CASE END', 'END'],
      ['SELECT 0x12345678901234567', 'number 0x12345678901234567'],
      ['SELECT 1 SELECT 2', 'SELECT'],
      ['INSERT INTO t VALUES (1) ON CONFLICT DO SOMETHING', 'identifier "SOMETHING"'],
      ['SELECT t.* + 1 FROM t', '"+"'],
      ['SELECT * FROM t ORDER BY a NULLS', 'end of input'],
    ];
    for (const [sql, found] of cases) expect(syntaxError(sql).found, sql).toBe(found);
    expect(syntaxError('CREATE TABLE t (PRIMARY KEY (a))').message).toMatch(/^a table needs at least one column/);
    expect(syntaxError('SELECT 0x12345678901234567').message).toMatch(/^hex literal too big/);
  });

  it('returns LIMIT errors as SqlLimitError', () => {
    const e = parseFail('SELECT ?32767');
    expect(e).toBeInstanceOf(SqlLimitError);
    expect(e.code).toBe('LIMIT');
  });
});

describe('parser: ambiguities and hostile literals', () => {
  it('reads INTERVAL as a name unless an amount and a unit follow', () => {
    expect(paren('interval - 1')).toBe('("interval" - 1)');
    expect(paren('interval - 1 day')).toBe("INTERVAL '-1' DAY");
    expect(paren('interval * 2')).toBe('("interval" * 2)');
    expect(paren('interval.x')).toBe('"interval".x');
  });

  it('accepts NOT after a unary operator, as SQLite does', () => {
    expect(paren('- NOT 1')).toBe('(-(NOT 1))');
    expect(paren('- NOT a = b')).toBe('(-(NOT (a = b)))');
    expect(paren('1 + NOT 1')).toBe('(1 + (NOT 1))');
  });

  it('reads a decimal literal of a million digits as a real without quadratic BigInt parsing', () => {
    expect(parseExpr('9'.repeat(1_000_000 - 8))).toMatchObject({ kind: 'RealLiteral', value: Infinity });
    expect(parseExpr(`${'0'.repeat(100_000)}42`)).toMatchObject({ kind: 'IntegerLiteral', value: 42n });
    expect(parseExpr(`0x${'0'.repeat(100_000)}ff`)).toMatchObject({ kind: 'IntegerLiteral', value: 255n });
  });
});

describe('parser: exhaustive expression kinds', () => {
  it('produces every expression kind of the AST', () => {
    const sql =
      "SELECT 1, 1.5, 'a', X'00', TRUE, NULL, DATE '2020-01-01', TIMESTAMP '2020-01-01 00:00:00', INTERVAL '1' DAY, ?, c, -c, c + 1, " +
      "c IS NULL, c LIKE 'a', c BETWEEN 1 AND 2, c IN (1), c IN (SELECT 1), EXISTS (SELECT 1), (SELECT 1), CASE WHEN c THEN 1 END, " +
      'CAST(c AS INT), f(c), EXTRACT(YEAR FROM c)';
    const kinds = core(parseSelect(sql)).items.map((item) => (item.kind === 'SelectExpr' ? (item.expr as Expr).kind : item.kind));
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(kinds).toHaveLength(24);
  });
});
