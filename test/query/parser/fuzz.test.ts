/**
 * Parser fuzzing. Property: every input yields a `Right` or a `Left` whose
 * error is a typed `FairdbError` (code PARSE or LIMIT) with a location —
 * never another exception, a hang or a stack overflow — and names such as
 * `__proto__`, `constructor` and `prototype` pollute no object.
 * "No hang" is checked by counting, not timing: the parser's token
 * inspections must stay within a constant factor of the token count.
 *
 * Inputs: random token soup, token- and character-level mutations of a
 * corpus of valid statements (TPC-H queries among them), and random valid
 * statements and expressions from a grammar, which must parse (expressions
 * to exactly the tree the generator intended).
 *
 * FAIRDB_SOAK=1 runs 50 times as many inputs; FAIRDB_SEED=n changes the seed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { Statement } from '../../../query/ast.js';
import { lex, reservedKeywords, type Token } from '../../../query/lexer.js';
import { SqlLimitError, SqlParseError, isParseError } from '../../../query/parse-error.js';
import { parseCounted } from '../../../query/parser.js';
import { FairdbError, seededRandom, type Random } from '../../../storage/device/index.js';
import { printExpr, printStatement } from './print.js';
import { SqlGenerator } from './sql-generator.js';

const soak = process.env.FAIRDB_SOAK === '1';
const scale = soak ? 50 : 1;
const baseSeed = Number(process.env.FAIRDB_SEED ?? 20_261_123);

/**
 * Token inspections per token allowed. The parser looks at each token a
 * bounded number of times: a few checks where it is consumed, plus one per
 * precedence level and per enclosing construct unwinding at it, each of
 * which consumed a token of its own; a syntax error doubles it (the second,
 * recording pass). The largest ratio seen over every input is reported.
 */
const stepsPerTokenMax = 64;

interface Tally {
  inputs: number;
  right: number;
  parse: number;
  limit: number;
  maxStepsPerToken: number;
}

const tallies = new Map<string, Tally>();

function tally(name: string): Tally {
  let t = tallies.get(name);
  if (t === undefined) {
    t = { inputs: 0, right: 0, parse: 0, limit: 0, maxStepsPerToken: 0 };
    tallies.set(name, t);
  }
  return t;
}

afterAll(() => {
  const lines = [...tallies].map(
    ([name, t]) =>
      `  ${name.padEnd(22)} ${String(t.inputs).padStart(7)} inputs: ${String(t.right).padStart(6)} Right, ${String(t.parse).padStart(6)} PARSE, ${String(t.limit).padStart(5)} LIMIT; max steps/token ${t.maxStepsPerToken.toFixed(1)}`,
  );
  const total = [...tallies.values()].reduce((sum, t) => sum + t.inputs, 0);
  console.log(`parser fuzz (seed ${baseSeed}${soak ? ', soak' : ''}): ${total} inputs\n${lines.join('\n')}`);
});

const objectPrototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort().join(',');

/** Checks every object of a parsed tree: plain prototypes, spans inside the text. */
function checkTree(value: unknown, sqlLength: number, where: string): void {
  if (value === null || typeof value !== 'object') return;
  if (value instanceof Uint8Array) return;
  if (Array.isArray(value)) {
    for (const item of value) checkTree(item, sqlLength, where);
    return;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) throw new Error(`${where}: a node with a foreign prototype`);
  const record = value as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(record, '__proto__')) throw new Error(`${where}: a node with an own __proto__`);
  const span = record.span as { start: number; end: number } | undefined;
  if (span !== undefined && !(span.start >= 0 && span.start <= span.end && span.end <= sqlLength)) {
    throw new Error(`${where}: span ${JSON.stringify(span)} outside the text of length ${sqlLength}`);
  }
  for (const key of Object.keys(record)) checkTree(record[key], sqlLength, where);
}

/** Parses `sql` and checks the property; returns the statements when it parsed. */
function check(sql: string, t: Tally, where: string): Statement[] | undefined {
  t.inputs++;
  let counted: ReturnType<typeof parseCounted>;
  try {
    counted = parseCounted(sql);
  } catch (error) {
    throw new Error(`${where}: parse threw ${String(error)} for ${JSON.stringify(sql)}`);
  }
  const ratio = counted.steps / counted.tokens;
  if (ratio > t.maxStepsPerToken) t.maxStepsPerToken = ratio;
  if (counted.steps > stepsPerTokenMax * counted.tokens) {
    throw new Error(`${where}: ${counted.steps} steps for ${counted.tokens} tokens in ${JSON.stringify(sql)}`);
  }
  const result = counted.result;
  if (isLeft(result)) {
    const error = result.left;
    if (!isParseError(error) || !(error instanceof FairdbError)) throw new Error(`${where}: Left is not a typed error: ${String(error)}`);
    if (error instanceof SqlParseError) {
      t.parse++;
      if (error.code !== 'PARSE' || !Array.isArray(error.expected) || typeof error.found !== 'string') throw new Error(`${where}: malformed parse error`);
    } else {
      t.limit++;
      if (!(error instanceof SqlLimitError) || error.code !== 'LIMIT') throw new Error(`${where}: malformed limit error`);
    }
    if (!(error.line >= 1 && error.column >= 1 && error.offset >= 0 && error.offset <= sql.length && error.excerpt.includes('^'))) {
      throw new Error(`${where}: bad location ${error.line}:${error.column}@${error.offset} in ${JSON.stringify(sql)}`);
    }
    return undefined;
  }
  t.right++;
  checkTree(result.right, sql.length, where);
  return result.right;
}

// ---------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------

const corpus = [
  // TPC-H Q1.
  `select l_returnflag, l_linestatus, sum(l_quantity) as sum_qty, sum(l_extendedprice) as sum_base_price,
     sum(l_extendedprice * (1 - l_discount)) as sum_disc_price, sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) as sum_charge,
     avg(l_quantity) as avg_qty, avg(l_extendedprice) as avg_price, avg(l_discount) as avg_disc, count(*) as count_order
   from lineitem where l_shipdate <= date '1998-12-01' - interval '90' day (3)
   group by l_returnflag, l_linestatus order by l_returnflag, l_linestatus;`,
  // TPC-H Q3.
  `select l_orderkey, sum(l_extendedprice * (1 - l_discount)) as revenue, o_orderdate, o_shippriority
   from customer, orders, lineitem
   where c_mktsegment = 'BUILDING' and c_custkey = o_custkey and l_orderkey = o_orderkey
     and o_orderdate < date '1995-03-15' and l_shipdate > date '1995-03-15'
   group by l_orderkey, o_orderdate, o_shippriority order by revenue desc, o_orderdate limit 10`,
  // TPC-H Q5 (joins written with JOIN ... ON).
  `SELECT n_name, SUM(l_extendedprice * (1 - l_discount)) AS revenue FROM customer c
   JOIN orders o ON c.c_custkey = o.o_custkey JOIN lineitem l ON l.l_orderkey = o.o_orderkey
   JOIN supplier s ON l.l_suppkey = s.s_suppkey AND c.c_nationkey = s.s_nationkey
   JOIN nation n ON s.s_nationkey = n.n_nationkey JOIN region r ON n.n_regionkey = r.r_regionkey
   WHERE r.r_name = 'ASIA' AND o.o_orderdate >= DATE '1994-01-01' AND o.o_orderdate < DATE '1994-01-01' + INTERVAL '1' YEAR
   GROUP BY n_name ORDER BY revenue DESC`,
  // TPC-H Q6.
  `select sum(l_extendedprice * l_discount) as revenue from lineitem where l_shipdate >= date '1994-01-01'
   and l_shipdate < date '1994-01-01' + interval '1' year and l_discount between .06 - 0.01 and .06 + 0.01 and l_quantity < 24`,
  // TPC-H Q12 style with CASE and IN.
  `select l_shipmode, sum(case when o_orderpriority = '1-URGENT' or o_orderpriority = '2-HIGH' then 1 else 0 end) as high_line_count,
   sum(case when o_orderpriority <> '1-URGENT' and o_orderpriority <> '2-HIGH' then 1 else 0 end) as low_line_count
   from orders, lineitem where o_orderkey = l_orderkey and l_shipmode in ('MAIL', 'SHIP') and l_commitdate < l_receiptdate
   and l_receiptdate >= date '1994-01-01' and extract(year from l_receiptdate) = 1994 group by l_shipmode order by l_shipmode`,
  // TPC-H Q14 style with LIKE and NULLIF.
  `select 100.00 * sum(case when p_type like 'PROMO%' then l_extendedprice * (1 - l_discount) else 0 end) /
   nullif(sum(l_extendedprice * (1 - l_discount)), 0) as promo_revenue from lineitem, part
   where l_partkey = p_partkey and l_shipdate >= date '1995-09-01' and l_shipdate < date '1995-09-01' + interval '1' month`,
  // TPC-H Q17/Q20 style correlated subqueries.
  `select sum(l_extendedprice) / 7.0 as avg_yearly from lineitem, part where p_partkey = l_partkey and p_brand = 'Brand#23'
   and l_quantity < (select 0.2 * avg(l_quantity) from lineitem where l_partkey = p_partkey)`,
  `select s_name from supplier where s_suppkey in (select ps_suppkey from partsupp where ps_partkey in
   (select p_partkey from part where p_name like 'forest%') and not exists (select 1 from lineitem where l_suppkey = ps_suppkey))`,
  `CREATE TABLE IF NOT EXISTS lineitem (l_orderkey BIGINT NOT NULL, l_linenumber INT NOT NULL, l_quantity DECIMAL(15,2),
   l_shipdate DATE, l_comment VARCHAR(44) DEFAULT '', PRIMARY KEY (l_orderkey, l_linenumber))`,
  `CREATE UNIQUE INDEX IF NOT EXISTS by_date ON lineitem (l_shipdate DESC, l_orderkey)`,
  `INSERT INTO kv (k, v) VALUES (?, ?), (:k, $v), (@k, ?3) ON CONFLICT (k) DO UPDATE SET v = excluded.v || kv.v WHERE kv.v IS NOT NULL`,
  `INSERT INTO t SELECT a, b FROM u WHERE a NOT BETWEEN 1 AND 10 UNION ALL SELECT 1, 'x'`,
  `UPDATE accounts SET balance = balance - 100, updated = TIMESTAMP '2024-01-01 10:00:00' WHERE id = 7 AND balance >= 100`,
  `DELETE FROM jobs WHERE state IN ('done', 'failed') AND finished_at < CURRENT_TIMESTAMP`,
  `BEGIN; INSERT INTO t DEFAULT VALUES; COMMIT; EXPLAIN QUERY PLAN SELECT DISTINCT a FROM t LEFT JOIN u ON t.id = u.id ORDER BY 1 DESC NULLS LAST LIMIT 5 OFFSET 2`,
  `SELECT "__proto__".constructor, [prototype], \`toString\`, X'DEADbeef', CAST(a AS DOUBLE PRECISION), -0x7fffffffffffffff, COUNT(DISTINCT b) FROM "__proto__"`,
  `/* comment */ SELECT a -- trailing\n FROM t WHERE b ISNULL OR c NOTNULL OR d NOT NULL OR e IS NOT DISTINCT FROM f; ;`,
];

/** Fragments for token soup and for token insertions. */
const vocabulary: readonly string[] = [
  ...reservedKeywords,
  'DATE', 'TIMESTAMP', 'INTERVAL', 'EXTRACT', 'YEAR', 'DAY', 'KEY', 'IF', 'BEGIN', 'COMMIT', 'ROLLBACK', 'CONFLICT', 'DO', 'NOTHING',
  'NULLS', 'FIRST', 'LAST', 'ASC', 'DESC', 'OFFSET', 'QUERY', 'PLAN', 'INTEGER', 'VARCHAR', 'DOUBLE', 'PRECISION', 'FOR', 'SUBSTRING',
  '||', '*', '/', '%', '+', '-', '<<', '>>', '&', '|', '~', '<', '<=', '>', '>=', '=', '==', '!=', '<>', '(', ')', ',', ';', '.',
  '(', '(', ')', ')', ',', ',',
  'a', 't', 'x1', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '"q""n"', '[b r]', '`c`', '""',
  '0', '1', '42', '0x1F', '0xffffffffffffffffff', '1.5', '.5', '1e10', '1e999', '9223372036854775808', '99999999999999999999999',
  "'s'", "'it''s'", "''", "X'00ff'", "x''", "'1998-12-01'", "'90'", "'2024-02-30'",
  '?', '?1', '?32766', '?32767', '?0', '$a', ':__proto__', '@constructor',
  "'unterminated", '"unterminated', '/*', '*/', '--', '#', '!', '$', "X'0'", '12abc', '\u0000', '\uD800', '😀', '\t', '\n',
];

const soupSeparators = [' ', ' ', ' ', '', '\n', '/**/', '-- x\n'];

function soup(random: Random): string {
  let sql = '';
  for (let i = random.int(1, 60); i > 0; i--) sql += random.pick(vocabulary) + random.pick(soupSeparators);
  return sql;
}

const mutationChars = ["'", '"', '`', '[', ']', '(', ')', ',', ';', '-', '*', '/', '\n', ' ', '0', 'x', 'E', '.', '?', '$', ':', '\u0000', '\uDC00', '😀', 'é'];

/** 1-4 character-level mutations: insert, delete, replace, duplicate a range, truncate. */
function mutateChars(random: Random, sql: string): string {
  let s = sql;
  for (let n = random.int(1, 4); n > 0; n--) {
    const at = random.int(0, s.length);
    switch (random.int(0, 4)) {
      case 0:
        s = s.slice(0, at) + random.pick(mutationChars) + s.slice(at);
        break;
      case 1:
        s = s.slice(0, at) + s.slice(at + random.int(1, 8));
        break;
      case 2:
        s = s.slice(0, at) + String.fromCharCode(random.int(0, 0x7f)) + s.slice(at + 1);
        break;
      case 3: {
        const end = Math.min(s.length, at + random.int(1, 40));
        s = s.slice(0, end) + s.slice(at, end) + s.slice(end);
        break;
      }
      default:
        s = s.slice(0, at);
    }
  }
  return s;
}

/** 1-4 token-level mutations of a lexable statement: delete, duplicate, swap, insert or replace tokens. */
function mutateTokens(random: Random, sql: string): string {
  const lexed = lex(sql);
  if (isLeft(lexed)) return mutateChars(random, sql);
  const pieces = lexed.right.filter((t: Token) => t.kind !== 'End').map((t: Token) => sql.slice(t.start, t.end));
  for (let n = random.int(1, 4); n > 0 && pieces.length > 0; n--) {
    const i = random.int(0, pieces.length - 1);
    switch (random.int(0, 4)) {
      case 0:
        pieces.splice(i, 1);
        break;
      case 1:
        pieces.splice(i, 0, ...pieces.slice(i, i + random.int(1, 6)));
        break;
      case 2: {
        const j = random.int(0, pieces.length - 1);
        const a = pieces[i] as string;
        pieces[i] = pieces[j] as string;
        pieces[j] = a;
        break;
      }
      case 3:
        pieces.splice(i, 0, random.pick(vocabulary));
        break;
      default:
        pieces[i] = random.pick(vocabulary);
    }
  }
  return pieces.join(' ');
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

describe('parser fuzz', () => {
  it('token soup yields Right or a typed error, in linear work', () => {
    const random = seededRandom(baseSeed);
    const t = tally('token soup');
    for (let i = 0; i < 1500 * scale; i++) check(soup(random), t, `soup seed ${baseSeed} #${i}`);
    expect(t.inputs).toBe(1500 * scale);
    expect(t.parse).toBeGreaterThan(0);
  });

  it('mutations of valid statements yield Right or a typed error, in linear work', () => {
    const random = seededRandom(baseSeed + 1);
    const tokens = tally('token mutations');
    const chars = tally('character mutations');
    for (const sql of corpus) expect(check(sql, tally('corpus'), 'corpus'), sql).toBeDefined();
    for (let i = 0; i < 1500 * scale; i++) check(mutateTokens(random, random.pick(corpus)), tokens, `token mutation seed ${baseSeed + 1} #${i}`);
    for (let i = 0; i < 1500 * scale; i++) check(mutateChars(random, random.pick(corpus)), chars, `char mutation seed ${baseSeed + 1} #${i}`);
    expect(tokens.right + tokens.parse + tokens.limit).toBe(1500 * scale);
    expect(chars.right).toBeGreaterThan(0);
  });

  it('random valid expressions parse to exactly the intended tree', () => {
    const random = seededRandom(baseSeed + 2);
    const generator = new SqlGenerator(random);
    const t = tally('grammar expressions');
    for (let i = 0; i < 1000 * scale; i++) {
      const { sql, printed } = generator.topExpr(random.int(1, 5));
      const where = `expression seed ${baseSeed + 2} #${i}`;
      const statements = check(`SELECT ${sql}`, t, where);
      if (statements === undefined) throw new Error(`${where}: a valid expression failed to parse: SELECT ${sql}`);
      const select = statements[0];
      if (select?.kind !== 'Select' || select.body.kind !== 'SelectCore') throw new Error(`${where}: not a SELECT`);
      const item = select.body.items[0];
      if (item?.kind !== 'SelectExpr' || select.body.items.length !== 1) throw new Error(`${where}: not one expression`);
      expect(printExpr(item.expr), `${where}: SELECT ${sql}`).toBe(printed);
    }
    expect(t.right).toBe(1000 * scale);
  });

  it('random valid statements parse, and print back to SQL that parses to the same tree', () => {
    const random = seededRandom(baseSeed + 3);
    const generator = new SqlGenerator(random);
    const t = tally('grammar statements');
    const reprinted = tally('reprinted statements');
    for (let i = 0; i < 1000 * scale; i++) {
      const sql = generator.statement(random.int(0, 3));
      const where = `statement seed ${baseSeed + 3} #${i}`;
      const statements = check(sql, t, where);
      if (statements === undefined) throw new Error(`${where}: a valid statement failed to parse: ${sql}`);
      const printed = statements.map(printStatement).join(';\n');
      const again = check(printed, reprinted, `${where} reprinted`);
      if (again === undefined) throw new Error(`${where}: the printed form failed to parse: ${printed}`);
      expect(again.map(printStatement).join(';\n'), where).toBe(printed);
    }
    expect(t.right).toBe(1000 * scale);
  });

  it('keeps the work linear on the shapes that make a parser look at a token many times', () => {
    const t = tally('adversarial shapes');
    const depth = 190;
    const shapes = [
      `SELECT ${'NOT '.repeat(depth)}1 AND 1 OR 1`,
      `SELECT ${'- '.repeat(depth)}1 || 1 * 1 + 1 << 1 < 1 = 1 AND 1 OR 1`,
      // Every precedence level open at once, 18 times nested (about 190 deep).
      `SELECT ${'('.repeat(18)}1${' OR 1 AND 1 = 1 < 1 & 1 + 1 * 1 || 1)'.repeat(18)}`,
      `SELECT ${'1 OR ('.repeat(depth / 2)}1${')'.repeat(depth / 2)}`,
      `SELECT ${Array(60).fill('1').join(' OR 1 AND 1 = ')}`,
      `SELECT ${'CASE WHEN 1 THEN '.repeat(depth / 2)}1${' END'.repeat(depth / 2)}`,
      `SELECT ${'a IN ('.repeat(depth / 2)}1${')'.repeat(depth / 2)}`,
      `SELECT * FROM ${'('.repeat(depth / 2)}t${')'.repeat(depth / 2)}`,
      // The same shapes broken at the end: the second, recording pass runs too.
      `SELECT ${'NOT '.repeat(depth)}1 AND`,
      `SELECT ${'('.repeat(18)}1${' OR 1 AND 1 = 1 < 1 & 1 + 1 * 1 || 1)'.repeat(17)} +`,
    ];
    for (const [i, sql] of shapes.entries()) check(sql, t, `adversarial shape #${i}`);
    expect(t.right).toBe(8);
    expect(t.parse).toBe(2);
  });

  it('leaves Object.prototype as it was', () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort().join(',')).toBe(objectPrototypeKeys);
    const probe: Record<string, unknown> = {};
    expect(probe.a).toBeUndefined();
    expect(probe.x1).toBeUndefined();
    expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
  });
});
