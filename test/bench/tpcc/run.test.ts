import fs from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { FairdbError } from '../../../storage/device/index.js';
import { betterSqlite3Driver } from '../../../bench/tpcc/better-sqlite3-driver.js';
import { formatTpccReport } from '../../../bench/tpcc/format-report.js';
import { tpccTransactionTypes } from '../../../bench/tpcc/inputs.js';
import { lmdbDriver } from '../../../bench/tpcc/lmdb-driver.js';
import { resolveTpccOptions, runTpcc, secondsMax, tpccStreams, warehousesMax, type TpccProgress } from '../../../bench/tpcc/run.js';
import { fixedRowCounts, tpccScales } from '../../../bench/tpcc/scale.js';
import { lostWarehouseUpdatesDriver, tempDirectory } from './helpers.js';

// Loading real databases takes seconds on a busy machine; no test asserts a duration.
vi.setConfig({ testTimeout: 60_000 });

const directory = tempDirectory('run');
afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

describe('runTpcc', () => {
  it('runs the same transactions on both drivers, reports them and removes the databases', async () => {
    const seed = 31;
    const events: TpccProgress[] = [];
    const report = await runTpcc({
      drivers: [betterSqlite3Driver(), lmdbDriver()],
      warehouses: 2,
      seconds: 600,
      transactionsMax: 400,
      seed,
      durability: 'group',
      scale: 'tenth',
      directory,
      onProgress: (e) => events.push(e),
    });
    expect(report.passed, formatTpccReport(report)).toBe(true);
    expect(report).toMatchObject({ benchmark: 'TPC-C', warehouses: 2, seed, durability: 'group', scale: 'tenth', transactionsMax: 400 });
    expect(report.scaleNote).toMatch(/not a TPC-C result/);
    expect(report.constants).toEqual(tpccStreams(seed).constants);
    expect(report.drivers.map((d) => [d.name, d.kind])).toEqual([['better-sqlite3', 'sql'], ['lmdb', 'kv']]);
    for (const d of report.drivers) {
      expect(d.run.transactions).toBe(400);
      expect(tpccTransactionTypes.reduce((sum, t) => sum + d.run.byType[t].count, 0)).toBe(400);
      expect(d.run.newOrders).toBe(d.run.byType.newOrder.count);
      expect(d.run.tpmC).toBeCloseTo((d.run.newOrders * 60) / d.run.seconds, 6);
      expect(d.run.transactionsPerSecond).toBeCloseTo(400 / d.run.seconds, 6);
      for (const t of tpccTransactionTypes) {
        const s = d.run.byType[t];
        expect(s.count, t).toBeGreaterThan(0);
        expect(0 < s.p50Ms && s.p50Ms <= s.p99Ms && s.p99Ms <= s.maxMs, `${d.name} ${t}`).toBe(true);
      }
      expect(d.load.rows).toMatchObject(fixedRowCounts(tpccScales.tenth, 2));
      expect(d.load.ms).toBeGreaterThan(0);
      expect(d.consistency.conditions.map((c) => c.passed)).toEqual([true, true, true, true]);
      expect(d.durability).toMatch(d.kind === 'sql' ? /synchronous=NORMAL/ : /noSync/);
    }
    // The same inputs: the same mix and the same rollbacks on both.
    const [a, b] = report.drivers;
    expect(tpccTransactionTypes.map((t) => a!.run.byType[t].count)).toEqual(tpccTransactionTypes.map((t) => b!.run.byType[t].count));
    expect(a!.run.newOrdersRolledBack).toBe(b!.run.newOrdersRolledBack);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(fs.readdirSync(directory)).toEqual([]);
    expect(new Set(events.map((e) => e.phase))).toEqual(new Set(['load', 'run', 'check', 'done']));
    const text = formatTpccReport(report);
    expect(text).toMatch(/better-sqlite3/);
    expect(text).toMatch(/SCALE: tenth/);
    expect(text).toMatch(/4\. sum\(O_OL_CNT\) = count\(ORDER_LINE\): passed/);
  });

  it('fails the run when a database violates a consistency condition', async () => {
    const report = await runTpcc({
      drivers: [lostWarehouseUpdatesDriver()],
      warehouses: 1,
      seconds: 600,
      transactionsMax: 100,
      durability: 'group',
      scale: 'tenth',
      directory,
    });
    expect(report.passed).toBe(false);
    const [c1] = report.drivers[0]!.consistency.conditions;
    expect(c1).toMatchObject({ condition: 1, passed: false, violations: 1 });
    expect(c1!.examples[0]).toMatch(/warehouse 1: W_YTD 30000000 != sum\(D_YTD\)/);
    expect(formatTpccReport(report)).toMatch(/RUN FAILED/);
  });

  it('reports every invalid option at once, at the limits and one past them', () => {
    const drivers = [lmdbDriver()];
    expect(() => resolveTpccOptions({ drivers, warehouses: warehousesMax, seconds: secondsMax })).not.toThrow();
    try {
      resolveTpccOptions({ drivers: [], warehouses: warehousesMax + 1, seconds: secondsMax + 1, seed: 1.5, durability: 'eventual' as never, scale: 'huge' as never, transactionsMax: 0 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(FairdbError);
      expect((error as FairdbError).code).toBe('INVALID_ARGUMENT');
      for (const part of ['drivers', 'warehouses', 'seconds', 'seed', 'durability', 'scale', 'transactionsMax']) expect((error as Error).message).toContain(part);
    }
    expect(() => resolveTpccOptions({ drivers, warehouses: 0 })).toThrow(/warehouses/);
    expect(() => resolveTpccOptions({ drivers, seconds: 0 })).toThrow(/seconds/);
    expect(() => resolveTpccOptions({ drivers: [lmdbDriver(), lmdbDriver()] })).toThrow(/unique/);
  });
});
