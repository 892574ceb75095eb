import { describe, expect, it } from 'vitest';
import { isRight } from 'fp-ts/lib/Either.js';
import {
  columnsMax,
  defaultSqlLimits,
  functionArgsMax,
  identifierBytesMax,
  inListMax,
  paramsMax,
  parseDepthMax,
  resolveSqlLimits,
  sqlBytesMax,
  statementsMax,
  valuesRowsMax,
} from '../../../query/limits.js';
import { SqlLimitError } from '../../../query/parse-error.js';
import type { SqlLimitsOptions } from '../../../query/limits.js';
import { parse } from '../../../query/parser.js';
import { FairdbError } from '../../../storage/device/index.js';
import { parseFail, parseOk } from './helpers.js';

function limitError(sql: string, limitName: string, limits?: SqlLimitsOptions): SqlLimitError {
  const error = parseFail(sql, limits);
  expect(error, error.message).toBeInstanceOf(SqlLimitError);
  const e = error as SqlLimitError;
  expect(e.code).toBe('LIMIT');
  expect(e.limitName).toBe(limitName);
  return e;
}

/** Checks that `family(atLimit)` parses and `family(atLimit + 1)` fails on `limitName` with `actual` one past the limit. */
function boundary(family: (n: number) => string, atLimit: number, limitName: string, limit: number, limits?: SqlLimitsOptions): void {
  expect(isRight(parse(family(atLimit), limits)), `${limitName} at the limit`).toBe(true);
  const e = limitError(family(atLimit + 1), limitName, limits);
  expect(e.limit).toBe(limit);
  expect(e.actual).toBe(limit + 1);
}

const repeat = (unit: string, n: number) => unit.repeat(n);

describe('parseDepthMax', () => {
  // The families below are as deep as limits.ts counts: a query and its
  // select item are 2 levels of descent, so `SELECT` + k parentheses is
  // k + 2 deep; `SELECT -...-1` and `SELECT NOT...NOT 1` with k operators
  // are k + 2 deep (query, k operators, literal); n terms of `1+1+...` are
  // n + 1 deep (query, n - 1 additions, literal).
  it('is exact for nested parentheses', () => {
    boundary((k) => `SELECT ${repeat('(', k)}1${repeat(')', k)}`, parseDepthMax - 2, 'parseDepthMax', parseDepthMax);
  });

  it('is exact for chains of NOT and of unary minus', () => {
    boundary((k) => `SELECT ${repeat('NOT ', k)}1`, parseDepthMax - 2, 'parseDepthMax', parseDepthMax);
    boundary((k) => `SELECT ${repeat('- ', k)}1`, parseDepthMax - 2, 'parseDepthMax', parseDepthMax);
  });

  it('is exact for left-deep operator chains, which the parser builds without recursion', () => {
    boundary((n) => `SELECT ${Array(n).fill('1').join(' + ')}`, parseDepthMax - 1, 'parseDepthMax', parseDepthMax);
    boundary((n) => `SELECT 1 FROM t WHERE ${Array(n).fill('a').join(' AND ')}`, parseDepthMax - 1, 'parseDepthMax', parseDepthMax);
  });

  it('is exact for nested scalar subqueries (two levels each: the subquery and its query)', () => {
    boundary((k) => `SELECT ${repeat('(SELECT ', k)}1${repeat(')', k)}`, (parseDepthMax - 2) / 2, 'parseDepthMax', parseDepthMax);
  });

  it('is exact for chains of joins and of set operations', () => {
    boundary((n) => `SELECT * FROM t0${Array.from({ length: n - 1 }, (_, i) => ` JOIN t${i + 1}`).join('')}`, parseDepthMax - 1, 'parseDepthMax', parseDepthMax);
    boundary((n) => Array(n).fill('SELECT 1').join(' UNION ALL '), parseDepthMax - 1, 'parseDepthMax', parseDepthMax);
  });

  it('follows an override', () => {
    boundary((k) => `SELECT ${repeat('(', k)}1${repeat(')', k)}`, 8, 'parseDepthMax', 10, { parseDepthMax: 10 });
    boundary((k) => `SELECT a IN (${Array(k).fill('1').join(',')})`, 3, 'inListMax', 3, { inListMax: 3 });
  });

  it('turns hostile nesting of every kind into a LIMIT error, never a stack overflow', () => {
    const hostile: [string, string][] = [
      ['100,000 (', `SELECT ${repeat('(', 100_000)}`],
      ['100,000 balanced ()', `SELECT ${repeat('(', 100_000)}1${repeat(')', 100_000)}`],
      ['100,000 NOT', `SELECT ${repeat('NOT ', 100_000)}1`],
      ['20,000 -', `SELECT ${repeat('- ', 20_000)}1`],
      ['20,000 ~', `SELECT ${repeat('~', 20_000)}1`],
      ['20,000 (SELECT', `SELECT ${repeat('(SELECT ', 20_000)}1`],
      ['20,000 f(', `SELECT ${repeat('f(', 20_000)}1`],
      ['20,000 CASE WHEN', `SELECT ${repeat('CASE WHEN ', 20_000)}1`],
      ['20,000 CAST(', `SELECT ${repeat('CAST(', 20_000)}1`],
      ['20,000 EXISTS (SELECT', `SELECT ${repeat('EXISTS (SELECT ', 20_000)}1`],
      ['20,000 IN (', `SELECT ${repeat('a IN (', 20_000)}1`],
      ['20,000 BETWEEN', `SELECT ${repeat('a BETWEEN 1 AND (', 20_000)}1`],
      ['20,000 FROM (', `SELECT * FROM ${repeat('(', 20_000)}t`],
      ['20,000 FROM (SELECT * FROM', `SELECT * FROM ${repeat('(SELECT * FROM ', 20_000)}t`],
      ['100,000 +', `SELECT ${Array(100_000).fill('1').join('+')}`],
      ['20,000 OR', `SELECT ${Array(20_000).fill('a').join(' OR ')}`],
      ['20,000 ||', `SELECT ${Array(20_000).fill("''").join('||')}`],
      ['20,000 = (right-nested by parentheses)', `SELECT ${repeat('a = (', 20_000)}1`],
      ['20,000 JOIN', `SELECT * FROM t${repeat(' JOIN t', 20_000)}`],
      ['20,000 UNION', `SELECT 1${repeat(' UNION SELECT 1', 20_000)}`],
      ['20,000 DEFAULT -', `CREATE TABLE t (a INT DEFAULT ${repeat('- ', 20_000)}1)`],
    ];
    for (const [what, sql] of hostile) {
      const error = parseFail(sql);
      expect(error, what).toBeInstanceOf(FairdbError);
      expect(error.code, `${what}: ${error.message}`).toBe('LIMIT');
    }
    // Each input is up to a megabyte; the bound is generous for a loaded machine.
  }, 60_000);
});

describe('width limits', () => {
  it('statementsMax', () => {
    boundary((n) => repeat('SELECT 1;', n), statementsMax, 'statementsMax', statementsMax);
    // Empty statements do not count.
    expect(parseOk(repeat(';', statementsMax * 2))).toEqual([]);
  });

  it('valuesRowsMax', () => {
    boundary((n) => `INSERT INTO t VALUES ${Array(n).fill('(1)').join(',')}`, valuesRowsMax, 'valuesRowsMax', valuesRowsMax);
  });

  it('inListMax', () => {
    boundary((n) => `SELECT a IN (${Array(n).fill('1').join(',')})`, inListMax, 'inListMax', inListMax);
  });

  it('functionArgsMax', () => {
    boundary((n) => `SELECT coalesce(${Array(n).fill('1').join(',')})`, functionArgsMax, 'functionArgsMax', functionArgsMax);
  });

  it('columnsMax, in every list it bounds', () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);
    const families: ((n: number) => string)[] = [
      (n) => `CREATE TABLE t (${names(n).map((c) => `${c} INT`).join(', ')})`,
      (n) => `CREATE TABLE t (a INT, PRIMARY KEY (${names(n).join(', ')}))`,
      (n) => `CREATE INDEX i ON t (${names(n).join(', ')})`,
      (n) => `SELECT ${names(n).join(', ')}`,
      (n) => `SELECT 1 GROUP BY ${names(n).join(', ')}`,
      (n) => `SELECT 1 ORDER BY ${names(n).join(', ')}`,
      (n) => `INSERT INTO t (${names(n).join(', ')}) DEFAULT VALUES`,
      (n) => `INSERT INTO t VALUES (${names(n).join(', ')})`,
      (n) => `UPDATE t SET ${names(n).map((c) => `${c} = 1`).join(', ')}`,
    ];
    for (const family of families) boundary(family, columnsMax, 'columnsMax', columnsMax);
  });

  it('paramsMax, by number and by count', () => {
    boundary((n) => `SELECT ?${n}`, paramsMax, 'paramsMax', paramsMax);
    // Rows of four values: one statement with more parameters than any one list may hold.
    const rows = (values: string[]) => `INSERT INTO t VALUES ${Array.from({ length: Math.ceil(values.length / 4) }, (_, i) => `(${values.slice(i * 4, i * 4 + 4).join(',')})`).join(',')}`;
    boundary((n) => rows(Array(n).fill('?')), paramsMax, 'paramsMax', paramsMax);
    boundary((n) => rows(Array.from({ length: n }, (_, i) => `:p${i}`)), paramsMax, 'paramsMax', paramsMax);
    // A repeated name takes one slot.
    expect(isRight(parse(`SELECT ?${paramsMax - 1}, ${Array(1000).fill(':same').join(',')}`))).toBe(true);
  });

  it('identifierBytesMax and sqlBytesMax through parse', () => {
    boundary((n) => `SELECT ${'x'.repeat(n)}`, identifierBytesMax, 'identifierBytesMax', identifierBytesMax);
    boundary((n) => `SELECT 1 -- ${'x'.repeat(n - 12)}`, sqlBytesMax, 'sqlBytesMax', sqlBytesMax);
  });
});

describe('resolveSqlLimits', () => {
  it('returns the frozen defaults and validates overrides, reporting every violation at once', () => {
    expect(resolveSqlLimits(undefined)).toBe(defaultSqlLimits);
    expect(Object.isFrozen(defaultSqlLimits)).toBe(true);
    const resolved = resolveSqlLimits({ inListMax: 5 });
    expect(resolved).toMatchObject({ inListMax: 5, parseDepthMax });
    expect(Object.isFrozen(resolved)).toBe(true);
    try {
      resolveSqlLimits({ parseDepthMax: 0, sqlBytesMax: 1.5, paramsMax: -1 });
      expect.unreachable();
    } catch (e) {
      expect((e as FairdbError).code).toBe('INVALID_ARGUMENT');
      expect((e as Error).message).toContain('sqlBytesMax must be a positive integer, got 1.5');
      expect((e as Error).message).toContain('parseDepthMax must be a positive integer, got 0');
      expect((e as Error).message).toContain('paramsMax must be a positive integer, got -1');
    }
  });
});
