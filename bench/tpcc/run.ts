/**
 * Runs TPC-C on each driver, each on a fresh database in its own directory:
 * the same generated data is loaded into every database at once (generated
 * once, inserted into each in turn), then each database in turn runs the
 * timed transaction mix, is checked against consistency conditions 1–4 and
 * is closed. The runs never overlap, so databases do not share the CPU.
 *
 * Every driver gets the same data (the same seed and load constants) and
 * the same sequence of transactions (a time-bounded run executes a prefix of
 * it). Throughput is measured over the wall time of the run; the latency of
 * a transaction is the time of its call, commit included.
 *
 * tpmC counts every completed New-Order business transaction per minute,
 * the 1% that roll back on the unused item included (they run the
 * New-Order profile up to the last item); `newOrdersRolledBack` gives the
 * count, so the committed-only rate can be derived.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { OptionsViolations, seededRandom, systemClock, type Clock, type Random } from '../../storage/device/index.js';
import { checkConsistency, type ConsistencyReport } from './consistency.js';
import { tpccDurabilities, tpccDurabilityNotes, type TpccDriverFactory, type TpccDurability } from './driver.js';
import { expectedRowCount } from './generate.js';
import { TpccInputGenerator, tpccTransactionTypes, type TpccTransactionType } from './inputs.js';
import { KvWorkload } from './kv-workload.js';
import { LatencyHistogram } from './latency-histogram.js';
import { loadTpcc, type TpccLoadResult, type TpccLoadResults, type TpccTarget } from './load.js';
import { chooseConstants, type TpccConstants } from './random-data.js';
import { tpccScales, type TpccScaleName } from './scale.js';
import { SqlWorkload } from './sql-workload.js';
import { runTransaction, type DeliveryOutput, type NewOrderOutput, type TpccWorkload } from './workload.js';

/** Most warehouses a run accepts (a warehouse is about 100 MB per database). */
export const warehousesMax = 100;
/** Longest run per driver, in seconds. */
export const secondsMax = 86_400;
/** How often the run reports progress and lets the event loop run, in ms. */
export const progressIntervalMs = 100;

export interface TpccRunOptions {
  /** The databases to compare, run in this order; at least one, unique names. */
  readonly drivers: readonly TpccDriverFactory[];
  /** Warehouses W, an integer in [1, `warehousesMax`]; default 1. */
  readonly warehouses?: number;
  /** Measured run per driver, in seconds, in (0, `secondsMax`]; default 10. */
  readonly seconds?: number;
  /** Stop a driver's run after this many transactions, even before `seconds`; default no limit. */
  readonly transactionsMax?: number;
  /** Seed of the data and of the transaction inputs, a safe integer; default 1. */
  readonly seed?: number;
  /** The same for every driver; default 'sync' (see driver.ts). */
  readonly durability?: TpccDurability;
  /** 'full' (the specification) or 'tenth' (tests only, flagged in the report); default 'full'. */
  readonly scale?: TpccScaleName;
  /** Where each driver's database directory is created; default the OS temp directory. */
  readonly directory?: string;
  /** Keep the database files after the run; default false (they are deleted). */
  readonly keepFiles?: boolean;
  /** Source of the dates written into the database; default the system clock. */
  readonly clock?: Clock;
  /** High-resolution time in ms for measurements; default `performance.now`. */
  readonly now?: () => number;
  /** Receives progress events (loading, running, checking). */
  readonly onProgress?: (event: TpccProgress) => void;
}

export type TpccProgress =
  | { readonly phase: 'load'; readonly drivers: string; readonly rows: number; readonly rowsExpected: number }
  | { readonly phase: 'run'; readonly driver: string; readonly elapsedMs: number; readonly totalMs: number; readonly transactions: number }
  | { readonly phase: 'check'; readonly driver: string }
  | { readonly phase: 'done'; readonly driver: string; readonly report: TpccDriverReport };

export interface TpccTransactionStats {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  readonly maxMs: number;
}

export interface TpccRunStats {
  /** Measured wall time of the run, in seconds. */
  readonly seconds: number;
  readonly transactions: number;
  readonly transactionsPerSecond: number;
  /** New-Orders per minute (rolled-back ones included, see the header). */
  readonly tpmC: number;
  readonly newOrders: number;
  readonly newOrdersRolledBack: number;
  /** Districts Delivery found without an undelivered order. */
  readonly deliverySkippedDistricts: number;
  readonly byType: { readonly [type in TpccTransactionType]: TpccTransactionStats };
}

export interface TpccDriverReport {
  readonly name: string;
  readonly kind: 'sql' | 'kv';
  /** How the driver implements the run's durability level. */
  readonly durability: string;
  readonly load: TpccLoadResult;
  readonly run: TpccRunStats;
  readonly consistency: ConsistencyReport;
}

export interface TpccReport {
  readonly benchmark: 'TPC-C';
  readonly specification: 'TPC-C v5.11';
  readonly startedAt: string;
  readonly warehouses: number;
  readonly seconds: number;
  readonly transactionsMax: number | null;
  readonly seed: number;
  readonly durability: TpccDurability;
  readonly durabilityNote: string;
  readonly scale: TpccScaleName;
  /** Why the numbers are not TPC-C results, when the scale is not 'full'; else null. */
  readonly scaleNote: string | null;
  readonly constants: TpccConstants;
  /**
   * The load, into every database at once: its wall time and the part spent
   * generating the data (each database's own time is in its report), in ms.
   */
  readonly load: { readonly ms: number; readonly generateMs: number };
  readonly drivers: readonly TpccDriverReport[];
  /** False when any driver's database violated a consistency condition. */
  readonly passed: boolean;
}

interface ResolvedOptions {
  readonly drivers: readonly TpccDriverFactory[];
  readonly warehouses: number;
  readonly seconds: number;
  readonly transactionsMax: number;
  readonly seed: number;
  readonly durability: TpccDurability;
  readonly scale: TpccScaleName;
  readonly directory: string;
  readonly keepFiles: boolean;
  readonly clock: Clock;
  readonly now: () => number;
  readonly onProgress: (event: TpccProgress) => void;
}

/** Validates every option and reports all violations at once (INVALID_ARGUMENT). */
export function resolveTpccOptions(options: TpccRunOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    drivers: options.drivers,
    warehouses: options.warehouses ?? 1,
    seconds: options.seconds ?? 10,
    transactionsMax: options.transactionsMax ?? Infinity,
    seed: options.seed ?? 1,
    durability: options.durability ?? 'sync',
    scale: options.scale ?? 'full',
    directory: options.directory ?? os.tmpdir(),
    keepFiles: options.keepFiles ?? false,
    clock: options.clock ?? systemClock,
    now: options.now ?? (() => performance.now()),
    onProgress: options.onProgress ?? (() => {}),
  };
  const v = new OptionsViolations('TPC-C options');
  const r = resolved;
  v.check(Array.isArray(r.drivers) && r.drivers.length > 0, 'drivers must list at least one driver');
  if (Array.isArray(r.drivers)) {
    const names = r.drivers.map((d) => d.name);
    v.check(new Set(names).size === names.length, `driver names must be unique, got ${names.join(', ')}`);
  }
  v.check(Number.isSafeInteger(r.warehouses) && r.warehouses >= 1 && r.warehouses <= warehousesMax, `warehouses must be an integer in [1, ${warehousesMax}], got ${r.warehouses}`);
  v.check(typeof r.seconds === 'number' && r.seconds > 0 && r.seconds <= secondsMax, `seconds must be in (0, ${secondsMax}], got ${r.seconds}`);
  v.check(r.transactionsMax === Infinity || (Number.isSafeInteger(r.transactionsMax) && r.transactionsMax >= 1), `transactionsMax must be a positive integer, got ${r.transactionsMax}`);
  v.check(Number.isSafeInteger(r.seed), `seed must be a safe integer, got ${r.seed}`);
  v.check(tpccDurabilities.includes(r.durability), `durability must be one of ${tpccDurabilities.join(', ')}, got ${String(r.durability)}`);
  v.check(Object.hasOwn(tpccScales, r.scale), `scale must be one of ${Object.keys(tpccScales).join(', ')}, got ${String(r.scale)}`);
  v.check(typeof r.directory === 'string' && r.directory.length > 0, 'directory must be a non-empty path');
  v.throwIfAny();
  return Object.freeze(resolved);
}

/** The random streams of a run: constants first, then the load's and the run's generators. */
export function tpccStreams(seed: number): { constants: TpccConstants; load: Random; run: Random } {
  const root = seededRandom(seed);
  const constants = chooseConstants(root);
  const load = root.fork();
  const run = root.fork();
  return { constants, load, run };
}

export async function runTpcc(options: TpccRunOptions): Promise<TpccReport> {
  const o = resolveTpccOptions(options);
  const scale = tpccScales[o.scale];
  const streams = tpccStreams(o.seed);
  const startedAt = new Date(o.clock.now()).toISOString();
  const opened: { factory: TpccDriverFactory; directory: string; target: TpccTarget; closed: boolean }[] = [];
  const reports: TpccDriverReport[] = [];
  let load: TpccLoadResults;
  try {
    fs.mkdirSync(o.directory, { recursive: true });
    for (const factory of o.drivers) {
      const directory = fs.mkdtempSync(path.join(o.directory, `tpcc-${factory.name.replace(/[^A-Za-z0-9_-]/g, '_')}-`));
      try {
        opened.push({ factory, directory, target: await openTarget(factory, directory, o.durability), closed: false });
      } catch (error) {
        if (!o.keepFiles) fs.rmSync(directory, { recursive: true, force: true });
        throw error;
      }
    }

    const rowsExpected = expectedRowCount(scale, o.warehouses);
    const drivers = o.drivers.map((d) => d.name).join(', ');
    let nextProgress = 0;
    load = loadTpcc(
      opened.map((d) => d.target),
      { warehouses: o.warehouses, scale, constants: streams.constants, random: streams.load, loadTimeMs: o.clock.now() },
      {
        now: o.now,
        onRows: (rows) => {
          const t = o.now();
          if (t < nextProgress) return;
          nextProgress = t + progressIntervalMs;
          o.onProgress({ phase: 'load', drivers, rows, rowsExpected });
        },
      },
    );
    const rowsLoaded = Object.values(load.targets[0]!.rows).reduce((a, b) => a + b, 0);
    o.onProgress({ phase: 'load', drivers, rows: rowsLoaded, rowsExpected });

    for (const [i, d] of opened.entries()) {
      const name = d.factory.name;
      const target = d.target;
      const workload: TpccWorkload = target.kind === 'sql' ? new SqlWorkload(target.driver) : new KvWorkload(target.driver);
      // A fresh generator from the same seed: every driver runs the same transactions.
      const inputs = new TpccInputGenerator({ warehouses: o.warehouses, scale, constants: streams.constants, random: tpccStreams(o.seed).run, clock: o.clock });
      const run = await measure(workload, inputs, name, o);
      o.onProgress({ phase: 'check', driver: name });
      const consistency = checkConsistency(workload.consistencyFacts(), { warehouses: o.warehouses, districtsPerWarehouse: scale.districtsPerWarehouse });
      d.closed = true;
      await target.driver.close();
      const report: TpccDriverReport = { name, kind: target.kind, durability: target.driver.durability, load: load.targets[i]!, run, consistency };
      reports.push(report);
      o.onProgress({ phase: 'done', driver: name, report });
    }
  } finally {
    for (const d of opened) {
      if (!d.closed) await d.target.driver.close();
      if (!o.keepFiles) fs.rmSync(d.directory, { recursive: true, force: true });
    }
  }
  return {
    benchmark: 'TPC-C',
    specification: 'TPC-C v5.11',
    startedAt,
    warehouses: o.warehouses,
    seconds: o.seconds,
    transactionsMax: o.transactionsMax === Infinity ? null : o.transactionsMax,
    seed: o.seed,
    durability: o.durability,
    durabilityNote: tpccDurabilityNotes[o.durability],
    scale: o.scale,
    scaleNote: o.scale === 'full' ? null : 'reduced test scale (items, customers, orders and new orders divided by 10): not a TPC-C result',
    constants: streams.constants,
    load: { ms: load.ms, generateMs: load.generateMs },
    drivers: reports,
    passed: reports.every((r) => r.consistency.passed),
  };
}

async function openTarget(factory: TpccDriverFactory, directory: string, durability: TpccDurability): Promise<TpccTarget> {
  return factory.kind === 'sql'
    ? { kind: 'sql', driver: await factory.open({ directory, durability }) }
    : { kind: 'kv', driver: await factory.open({ directory, durability }) };
}

async function measure(workload: TpccWorkload, inputs: TpccInputGenerator, driver: string, o: ResolvedOptions): Promise<TpccRunStats> {
  const histograms = Object.fromEntries(tpccTransactionTypes.map((t) => [t, new LatencyHistogram()])) as { [type in TpccTransactionType]: LatencyHistogram };
  const totalMs = o.seconds * 1000;
  let transactions = 0;
  let rolledBack = 0;
  let skipped = 0;
  // Time spent handing the event loop a turn (progress bars) is not run time.
  let pausedMs = 0;
  const start = o.now();
  let nextProgress = start + progressIntervalMs;
  while (transactions < o.transactionsMax) {
    const t0 = o.now();
    if (t0 - start - pausedMs >= totalMs) break;
    const tx = inputs.next();
    const output = runTransaction(workload, tx);
    const t1 = o.now();
    histograms[tx.type].record(t1 - t0);
    transactions++;
    if (tx.type === 'newOrder' && (output as NewOrderOutput).rolledBack) rolledBack++;
    else if (tx.type === 'delivery') skipped += (output as DeliveryOutput).skippedDistricts;
    if (t1 >= nextProgress) {
      o.onProgress({ phase: 'run', driver, elapsedMs: t1 - start - pausedMs, totalMs, transactions });
      await new Promise((resolve) => setImmediate(resolve));
      const t2 = o.now();
      pausedMs += t2 - t1;
      nextProgress = t2 + progressIntervalMs;
    }
  }
  const elapsedMs = Math.max(o.now() - start - pausedMs, Number.MIN_VALUE);
  o.onProgress({ phase: 'run', driver, elapsedMs, totalMs, transactions });
  const byType = Object.fromEntries(
    tpccTransactionTypes.map((t) => {
      const h = histograms[t];
      return [t, { count: h.count, p50Ms: h.percentile(50), p99Ms: h.percentile(99), meanMs: h.meanMs, maxMs: h.max }];
    }),
  ) as TpccRunStats['byType'];
  const newOrders = byType.newOrder.count;
  return {
    seconds: elapsedMs / 1000,
    transactions,
    transactionsPerSecond: (transactions * 1000) / elapsedMs,
    tpmC: (newOrders * 60_000) / elapsedMs,
    newOrders,
    newOrdersRolledBack: rolledBack,
    deliverySkippedDistricts: skipped,
    byType,
  };
}
