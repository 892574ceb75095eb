/**
 * Differential testing against SQLite (better-sqlite3): seeded random
 * schemas, data and queries from sql-generator.ts run on both engines; the
 * results must be equal (as multisets when the query has no ORDER BY). Each
 * query runs twice on fairdb so that the second run exercises the columnar
 * cache (its minimum table size is 0 here) where the first read the rows.
 *
 * Second oracle — ternary-logic partitioning: for a query Q with predicate
 * p, Q is the multiset union of Q WHERE p, Q WHERE NOT p and Q WHERE p IS
 * NULL (checked on fairdb alone).
 *
 * Default: a few hundred queries; FAIRDB_SOAK=1: thousands. The seed of
 * every mismatch is printed.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../storage/device/index.js';
import { ModelKvStore } from '../../storage/kv/model.js';
import { createSqlEngine } from '../../query/index.js';
import { generateQuery, generateSchema, sameRows, schemaSql } from './sql-generator.js';

const soak = process.env['FAIRDB_SOAK'] !== undefined && process.env['FAIRDB_SOAK'] !== '';
const seeds = soak ? 400 : 25;
const queriesPerSeed = soak ? 60 : 16;

function rawAll(run: () => unknown[]): { rows?: unknown[][]; error?: Error } {
  try {
    return { rows: run() as unknown[][] };
  } catch (error) {
    return { error: error as Error };
  }
}

describe('differential testing against SQLite', () => {
  it('returns the same results as SQLite on random schemas, data and queries', () => {
    let compared = 0;
    let skipped = 0;
    const mismatches: string[] = [];
    for (let s = 0; s < seeds; s++) {
      const seed = 1000 + s;
      const r = seededRandom(seed);
      const tables = generateSchema(r);
      const lite = new Database(':memory:');
      const fair = createSqlEngine(new ModelKvStore(), { columnarRowsMin: 0, columnarCache: s % 4 !== 3 });
      for (const stmt of schemaSql(tables)) {
        lite.exec(stmt);
        fair.exec(stmt);
      }
      for (let q = 0; q < queriesPerSeed; q++) {
        const query = generateQuery(r, tables);
        const expected = rawAll(() => lite.prepare(query.sql).raw().all());
        if (expected.error !== undefined) {
          skipped++;
          continue;
        }
        for (let run = 0; run < 2; run++) {
          const actual = rawAll(() => fair.prepare(query.sql).raw().all());
          compared++;
          if (actual.error !== undefined) {
            mismatches.push(`seed ${seed} run ${run}: ${query.sql}\n  fairdb error: ${actual.error.message}`);
            break;
          }
          if (!sameRows(actual.rows as unknown[][], expected.rows as unknown[][], query.ordered)) {
            mismatches.push(`seed ${seed} run ${run}: ${query.sql}\n  sqlite: ${JSON.stringify(expected.rows).slice(0, 400)}\n  fairdb: ${JSON.stringify(actual.rows).slice(0, 400)}`);
            break;
          }
        }
      }
      lite.close();
    }
    console.log(`differential: ${compared} query runs compared with SQLite (${skipped} generated queries SQLite rejected), ${mismatches.length} mismatches`);
    expect(mismatches.slice(0, 5).join('\n\n')).toBe('');
    expect(mismatches.length).toBe(0);
  }, 600_000);

  it('partitions every query by a predicate p into p, NOT p and p IS NULL (ternary logic)', () => {
    let checked = 0;
    const failures: string[] = [];
    for (let s = 0; s < seeds; s++) {
      const seed = 5000 + s;
      const r = seededRandom(seed);
      const tables = generateSchema(r);
      const fair = createSqlEngine(new ModelKvStore(), { columnarRowsMin: 0 });
      for (const stmt of schemaSql(tables)) fair.exec(stmt);
      for (let q = 0; q < queriesPerSeed; q++) {
        const query = generateQuery(r, tables);
        if (query.where === undefined) continue;
        const p = query.where;
        let whole: unknown[][];
        try {
          whole = fair.prepare(query.base).raw().all() as unknown[][];
        } catch {
          continue;
        }
        const part = (cond: string) => {
          const sql = `${query.base} WHERE ${cond}`;
          try {
            return fair.prepare(sql).raw().all() as unknown[][];
          } catch (error) {
            throw new Error(`seed ${seed}: ${sql}: ${(error as Error).message}`);
          }
        };
        const union = [...part(`(${p})`), ...part(`NOT (${p})`), ...part(`(${p}) IS NULL`)];
        checked++;
        if (!sameRows(union, whole, false)) failures.push(`seed ${seed}: ${query.base} / p = ${p}: ${whole.length} rows vs ${union.length} in the partitions`);
      }
    }
    console.log(`ternary partitioning: ${checked} queries checked, ${failures.length} failures`);
    expect(failures.slice(0, 5).join('\n')).toBe('');
  }, 600_000);
});
