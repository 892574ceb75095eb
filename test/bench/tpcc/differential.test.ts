/**
 * The SQL form on better-sqlite3 and the KV form on lmdb, loaded from the
 * same seed and fed the same transactions, must return the same outputs
 * transaction by transaction and end in the same state; both must meet the
 * consistency conditions after the run.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkConsistency } from '../../../bench/tpcc/consistency.js';
import { tpccTransactionTypes } from '../../../bench/tpcc/inputs.js';
import { runTransaction } from '../../../bench/tpcc/workload.js';
import { openLoaded, type LoadedDatabase } from './helpers.js';

// Loading and scanning real databases takes seconds on a busy machine; no test asserts a duration.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const seed = 20_240_601;
const transactions = Number(process.env.FAIRDB_SOAK ? 20_000 : 600);

describe('SQL and KV forms agree', () => {
  let sql: LoadedDatabase;
  let kv: LoadedDatabase;
  beforeAll(async () => {
    [sql, kv] = (await openLoaded(['sql', 'kv'], { warehouses: 2, seed })) as [LoadedDatabase, LoadedDatabase];
  });
  afterAll(async () => {
    await sql?.close();
    await kv?.close();
  });

  it('loads the same rows', () => {
    for (const [w, d] of [[1, 1], [2, 10]] as const) {
      expect(kv.inspect.rows('customer', w, d)).toEqual(sql.inspect.rows('customer', w, d));
      expect(kv.inspect.rows('order_line', w, d, 2)).toEqual(sql.inspect.rows('order_line', w, d, 2));
    }
    expect(kv.inspect.rows('stock', 2).slice(0, 50)).toEqual(sql.inspect.rows('stock', 2).slice(0, 50));
    expect(kv.inspect.rows('history').slice(-20)).toEqual(sql.inspect.rows('history').slice(-20));
    for (const table of ['item', 'stock', 'customer', 'orders', 'order_line', 'new_order', 'history'] as const) {
      expect(kv.inspect.count(table), table).toBe(sql.inspect.count(table));
    }
  });

  it(`returns the same output for each of ${transactions} transactions of the mix (seed ${seed})`, () => {
    const sqlInputs = sql.inputs();
    const kvInputs = kv.inputs();
    const counts = new Map<string, number>();
    let rolledBack = 0;
    for (let i = 0; i < transactions; i++) {
      const tx = sqlInputs.next();
      expect(kvInputs.next(), `input ${i}`).toEqual(tx);
      const a = runTransaction(sql.workload, tx);
      const b = runTransaction(kv.workload, tx);
      expect(b, `transaction ${i} (${tx.type}, seed ${seed})`).toEqual(a);
      counts.set(tx.type, (counts.get(tx.type) ?? 0) + 1);
      if (tx.type === 'newOrder' && (a as { rolledBack: boolean }).rolledBack) rolledBack++;
    }
    // Every type of the mix ran, and so did the rollback path.
    for (const type of tpccTransactionTypes) expect(counts.get(type), type).toBeGreaterThan(0);
    expect(rolledBack).toBeGreaterThan(0);
  });

  it('ends in the same state, which meets the consistency conditions', () => {
    const sqlFacts = sql.workload.consistencyFacts();
    expect(kv.workload.consistencyFacts()).toEqual(sqlFacts);
    const report = checkConsistency(sqlFacts, { warehouses: 2, districtsPerWarehouse: 10 });
    expect(report.passed, JSON.stringify(report)).toBe(true);
    expect(kv.inspect.rows('history').slice(-30)).toEqual(sql.inspect.rows('history').slice(-30));
    expect(kv.inspect.rows('customer', 1, 3)).toEqual(sql.inspect.rows('customer', 1, 3));
    expect(kv.inspect.rows('stock', 1).slice(0, 200)).toEqual(sql.inspect.rows('stock', 1).slice(0, 200));
  });
});
