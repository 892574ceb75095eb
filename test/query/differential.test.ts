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
import { generateQuery, generateSchema, generateWrite, sameRows, schemaSql } from './sql-generator.js';

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
      // Prepared statements kept across writes: their compiled state (plans,
      // columnar variants) must follow the data.
      const kept: { sql: string; ordered: boolean; statement: ReturnType<typeof fair.prepare> }[] = [];
      for (let q = 0; q < queriesPerSeed; q++) {
        if (q > 0 && q % 4 === 0) {
          // Writes between reads: results must follow them (caches included),
          // and a write one engine rejects the other must reject too.
          const write = generateWrite(r, tables);
          let liteError: unknown;
          let fairError: unknown;
          try {
            lite.exec(write);
          } catch (error) {
            liteError = error;
          }
          try {
            fair.exec(write);
          } catch (error) {
            fairError = error;
          }
          if ((liteError === undefined) !== (fairError === undefined)) {
            mismatches.push(`seed ${seed}: ${write}\n  sqlite: ${String(liteError ?? 'ok')}\n  fairdb: ${String(fairError ?? 'ok')}`);
          }
          for (const t of tables) {
            const all = `SELECT * FROM ${t.name}`;
            compared++;
            if (!sameRows(fair.prepare(all).raw().all() as unknown[][], lite.prepare(all).raw().all() as unknown[][], false)) {
              mismatches.push(`seed ${seed}: contents of ${t.name} differ after ${write}`);
            }
          }
          for (const k of kept) {
            for (let run = 0; run < 2; run++) {
              const expected = rawAll(() => lite.prepare(k.sql).raw().all());
              const actual = rawAll(() => k.statement.raw().all());
              compared++;
              if (expected.error !== undefined || actual.error !== undefined || !sameRows(actual.rows as unknown[][], expected.rows as unknown[][], k.ordered)) {
                mismatches.push(`seed ${seed} (prepared statement rerun ${run} after ${write}): ${k.sql}\n  sqlite: ${JSON.stringify(expected.rows ?? String(expected.error)).slice(0, 300)}\n  fairdb: ${JSON.stringify(actual.rows ?? String(actual.error)).slice(0, 300)}`);
                break;
              }
            }
          }
        }
        const query = generateQuery(r, tables);
        const expected = rawAll(() => lite.prepare(query.sql).raw().all());
        if (expected.error !== undefined) {
          skipped++;
          continue;
        }
        const statement = fair.prepare(query.sql);
        if (kept.length >= 3) kept.shift();
        kept.push({ sql: query.sql, ordered: query.ordered, statement });
        for (let run = 0; run < 2; run++) {
          const actual = rawAll(() => statement.raw().all());
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
