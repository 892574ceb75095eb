/**
 * The TPC-H comparison: loads the same generated data into every engine,
 * runs the chosen queries on each, checks every answer against the
 * reference engine's (SQLite) and reports times and ratios.
 *
 * Timing: per query and engine, `warmups` untimed runs, then `runs` timed
 * runs; the reported time is their median. Queries run engine after engine
 * for each query, so both see the same machine state. The answer checked is
 * the one of the first execution.
 *
 * Ratio = reference ms / engine ms: above 1 the engine is faster than the
 * reference. The geometric mean of ratios is taken over the queries the
 * engine passed. Any mismatch or error fails the run (`passed: false`).
 */
import { OptionsViolations } from '../../storage/device/index.js';
import { compareAnswers } from './compare.js';
import type { Row, TpchEngine, TpchLoadProgress } from './engine.js';
import { tpchData, type TpchBatch, type TpchBatchesOptions, type TpchData } from './generate.js';
import { tpchQuery, tpchQueryNumbers } from './queries.js';
import { tpchIndexNames, tpchTableNames, type TpchDialect, type TpchTableName } from './schema.js';

/** Most timed runs per query and engine. */
export const runsMax = 1000;
/** Most warm-up runs per query and engine. */
export const warmupsMax = 100;

/**
 * Progress of a run. `load`: `rows` of `table` are in, and `loadedRows` of
 * about `expectedRows` over all tables (LINEITEM's count is only expected).
 * `query`: the engine starts query `query`; `done` of `total` executions are
 * finished. `finished`: every query ran.
 */
export type TpchProgressEvent =
  | {
      readonly phase: 'load';
      readonly engine: string;
      readonly table: TpchTableName;
      readonly rows: number;
      readonly loadedRows: number;
      readonly expectedRows: number;
    }
  | { readonly phase: 'loaded'; readonly engine: string; readonly ms: number }
  | { readonly phase: 'query'; readonly engine: string; readonly query: number; readonly done: number; readonly total: number }
  | { readonly phase: 'finished'; readonly total: number };

export interface RunTpchOptions {
  /** Engines to compare, already open and empty; names must be unique. The caller closes them. Required, at least one. */
  engines: readonly TpchEngine[];
  /** Scale factor. Default 0.01. */
  sf?: number;
  /** Generator seed. Default 1. */
  seed?: number;
  /** Query numbers to run, in this order. Default 1–22. */
  queries?: readonly number[];
  /** Name of the engine whose answers are the reference. Default: the first SQLite-dialect engine, else the first engine. */
  reference?: string;
  /** Timed runs per query and engine (median reported). Range [1, `runsMax`]. Default 3. */
  runs?: number;
  /** Untimed runs before the timed ones. Range [0, `warmupsMax`]. Default 1. */
  warmups?: number;
  /**
   * The secondary indexes the engines were created with, as stated by the
   * caller (who creates the engines); recorded in the report. Default: all of `tpchIndexNames`.
   */
  indexes?: readonly string[];
  /** Rows per generated batch. Default: the generator's. */
  batchRows?: number;
  onProgress?: (event: TpchProgressEvent) => void;
  /** Monotonic clock in milliseconds. Default `performance.now`. */
  now?: () => number;
}

export interface TpchEngineLoad {
  readonly engine: string;
  readonly dialect: TpchDialect;
  /** The engine's load time (schema, inserts, indexes), generation excluded. */
  readonly ms: number;
}

export type TpchEngineStatus = 'reference' | 'passed' | 'mismatch' | 'error';

export interface TpchEngineResult {
  readonly engine: string;
  readonly status: TpchEngineStatus;
  /** Median of the timed runs; null if the query failed with an error. */
  readonly ms: number | null;
  /** Every timed run, in order. */
  readonly runsMs: readonly number[];
  /** Rows returned by the first execution; null after an error. */
  readonly rows: number | null;
  /** Reference ms / this engine's ms; null for the reference itself and after an error. */
  readonly ratio: number | null;
  /** What differed, or the error message. */
  readonly message?: string;
}

export interface TpchQueryResult {
  readonly n: number;
  readonly title: string;
  readonly status: 'passed' | 'failed';
  readonly results: readonly TpchEngineResult[];
}

export interface TpchGeomean {
  readonly engine: string;
  /** Geometric mean of the ratios over the queries this engine passed; null if none. */
  readonly ratio: number | null;
  readonly queries: number;
}

export interface TpchReport {
  readonly benchmark: 'tpch';
  readonly sf: number;
  readonly seed: number;
  readonly runs: number;
  readonly warmups: number;
  readonly reference: string;
  /** Secondary indexes every engine built. */
  readonly indexes: readonly string[];
  /** Rows per table as generated (LINEITEM exact). */
  readonly rowCounts: Readonly<Record<TpchTableName, number>>;
  /** Time the generator took to produce the data once. */
  readonly generateMs: number;
  readonly loads: readonly TpchEngineLoad[];
  readonly queries: readonly TpchQueryResult[];
  /** One entry per engine other than the reference. */
  readonly geomeans: readonly TpchGeomean[];
  readonly passed: boolean;
  /** One line per failed query and engine. */
  readonly failures: readonly string[];
}

interface Resolved {
  readonly engines: readonly TpchEngine[];
  readonly sf: number;
  readonly seed: number;
  readonly queries: readonly number[];
  readonly reference: TpchEngine;
  readonly runs: number;
  readonly warmups: number;
  readonly batchRows: number | undefined;
  readonly indexes: readonly string[];
  readonly now: () => number;
}

function resolve(options: RunTpchOptions): Resolved {
  const v = new OptionsViolations('TPC-H run options');
  const engines = options.engines;
  v.check(engines.length > 0, 'at least one engine is needed');
  const names = engines.map((e) => e.name);
  v.check(new Set(names).size === names.length, `engine names must be unique, got ${names.join(', ')}`);
  const queries = options.queries ?? tpchQueryNumbers;
  v.check(queries.length > 0, 'at least one query is needed');
  const badQueries = queries.filter((n) => !tpchQueryNumbers.includes(n));
  v.check(badQueries.length === 0, `query numbers must be in 1..22, got ${badQueries.join(', ')}`);
  v.check(new Set(queries).size === queries.length, 'query numbers must not repeat');
  const runs = options.runs ?? 3;
  const warmups = options.warmups ?? 1;
  v.check(Number.isSafeInteger(runs) && runs >= 1 && runs <= runsMax, `runs must be an integer in [1, ${runsMax}], got ${runs}`);
  v.check(Number.isSafeInteger(warmups) && warmups >= 0 && warmups <= warmupsMax, `warmups must be an integer in [0, ${warmupsMax}], got ${warmups}`);
  const reference =
    options.reference === undefined ? (engines.find((e) => e.dialect === 'sqlite') ?? engines[0]) : engines.find((e) => e.name === options.reference);
  v.check(reference !== undefined, `reference engine ${String(options.reference)} is not among the engines`);
  const indexes = options.indexes ?? tpchIndexNames;
  const unknownIndexes = indexes.filter((n) => !tpchIndexNames.includes(n));
  v.check(unknownIndexes.length === 0, `unknown index ${unknownIndexes.join(', ')}`);
  v.throwIfAny();
  return {
    engines,
    sf: options.sf ?? 0.01,
    seed: options.seed ?? 1,
    queries,
    reference: reference as TpchEngine,
    runs,
    warmups,
    batchRows: options.batchRows,
    indexes: indexes.slice(),
    now: options.now ?? (() => performance.now()),
  };
}

/**
 * Wraps data so that each pass counts the rows it yields and the time the
 * generator spends producing them (the consumer's time excluded).
 */
function measured(data: TpchData, now: () => number): { data: TpchData; generateMs: () => number; rowCounts: () => Record<TpchTableName, number> } {
  let ms = 0;
  let counts = Object.fromEntries(tpchTableNames.map((t) => [t, 0])) as Record<TpchTableName, number>;
  const wrapped: TpchData = {
    sf: data.sf,
    seed: data.seed,
    rowCounts: data.rowCounts,
    batches(options?: TpchBatchesOptions): IterableIterator<TpchBatch> {
      const inner = data.batches(options);
      ms = 0;
      counts = Object.fromEntries(tpchTableNames.map((t) => [t, 0])) as Record<TpchTableName, number>;
      const iterator: IterableIterator<TpchBatch> = {
        next() {
          const t = now();
          const step = inner.next();
          ms += now() - t;
          if (step.done !== true) counts[step.value.table] += step.value.rowCount;
          return step;
        },
        [Symbol.iterator]() {
          return iterator;
        },
      };
      return iterator;
    },
  };
  return { data: wrapped, generateMs: () => ms, rowCounts: () => ({ ...counts }) };
}

function median(values: readonly number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

interface Execution {
  readonly rows: Row[] | null;
  readonly runsMs: number[];
  readonly error?: string;
}

function execute(engine: TpchEngine, n: number, sql: string, r: Resolved, progress: () => void): Execution {
  let first: Row[] | null = null;
  const runsMs: number[] = [];
  try {
    for (let i = 0; i < r.warmups + r.runs; i++) {
      const t = r.now();
      const rows = engine.query(n, sql);
      const ms = r.now() - t;
      if (first === null) first = rows;
      if (i >= r.warmups) runsMs.push(ms);
      progress();
    }
  } catch (error) {
    return { rows: null, runsMs, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
  return { rows: first, runsMs };
}

/** Runs the comparison and returns the report; throws InvalidArgumentError on bad options. */
export async function runTpch(options: RunTpchOptions): Promise<TpchReport> {
  const r = resolve(options);
  const emit = options.onProgress ?? (() => {});
  const source = measured(tpchData({ sf: r.sf, seed: r.seed, ...(r.batchRows === undefined ? {} : { batchRows: r.batchRows }) }), r.now);

  const loads: TpchEngineLoad[] = [];
  let generateMs = 0;
  let rowCounts: Record<TpchTableName, number> | undefined;
  const expectedRows = tpchTableNames.reduce((sum, t) => sum + source.data.rowCounts[t], 0);
  for (const engine of r.engines) {
    const tableRows = new Map<TpchTableName, number>();
    let loadedRows = 0;
    const onLoad = (p: TpchLoadProgress): void => {
      loadedRows += p.rows - (tableRows.get(p.table) ?? 0);
      tableRows.set(p.table, p.rows);
      emit({ phase: 'load', engine: engine.name, table: p.table, rows: p.rows, loadedRows, expectedRows: Math.max(expectedRows, loadedRows) });
    };
    const { ms } = await engine.load(source.data, onLoad);
    emit({ phase: 'loaded', engine: engine.name, ms });
    loads.push({ engine: engine.name, dialect: engine.dialect, ms });
    if (rowCounts === undefined) {
      rowCounts = source.rowCounts();
      generateMs = source.generateMs();
    }
  }

  // The reference runs first so that the others are checked against its answer.
  const order = [r.reference, ...r.engines.filter((e) => e !== r.reference)];
  const total = r.queries.length * r.engines.length * (r.warmups + r.runs);
  let done = 0;
  const queries: TpchQueryResult[] = [];
  const failures: string[] = [];
  for (const n of r.queries) {
    const query = tpchQuery(n, r.sf);
    const executions = new Map<TpchEngine, Execution>();
    for (const engine of order) {
      emit({ phase: 'query', engine: engine.name, query: n, done, total });
      executions.set(
        engine,
        execute(engine, n, query[engine.dialect], r, () => {
          done++;
        }),
      );
      // Let progress bars redraw between engines.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const reference = executions.get(r.reference) as Execution;
    const referenceMs = reference.error === undefined ? median(reference.runsMs) : null;
    const results: TpchEngineResult[] = r.engines.map((engine) => {
      const run = executions.get(engine) as Execution;
      if (run.error !== undefined) {
        return { engine: engine.name, status: 'error', ms: null, runsMs: run.runsMs, rows: null, ratio: null, message: run.error };
      }
      const ms = median(run.runsMs);
      const rows = (run.rows as Row[]).length;
      if (engine === r.reference) return { engine: engine.name, status: 'reference', ms, runsMs: run.runsMs, rows, ratio: null };
      const ratio = referenceMs === null ? null : referenceMs / Math.max(ms, 1e-3);
      if (reference.rows === null) {
        return { engine: engine.name, status: 'mismatch', ms, runsMs: run.runsMs, rows, ratio, message: 'no reference answer' };
      }
      const check = compareAnswers(reference.rows, run.rows as Row[], { orderKeys: query.orderKeys });
      return check.equal
        ? { engine: engine.name, status: 'passed', ms, runsMs: run.runsMs, rows, ratio }
        : { engine: engine.name, status: 'mismatch', ms, runsMs: run.runsMs, rows, ratio, message: check.reason };
    });
    for (const result of results) {
      if (result.status === 'error' || result.status === 'mismatch') failures.push(`Q${n} ${result.engine}: ${result.status}: ${result.message ?? ''}`);
    }
    const failed = results.some((x) => x.status === 'error' || x.status === 'mismatch');
    queries.push({ n, title: query.title, status: failed ? 'failed' : 'passed', results });
  }

  emit({ phase: 'finished', total });

  const geomeans: TpchGeomean[] = r.engines
    .filter((e) => e !== r.reference)
    .map((engine) => {
      const ratios = queries.flatMap((q) => q.results.filter((x) => x.engine === engine.name && x.status === 'passed' && x.ratio !== null).map((x) => x.ratio as number));
      const ratio = ratios.length === 0 ? null : Math.exp(ratios.reduce((sum, x) => sum + Math.log(x), 0) / ratios.length);
      return { engine: engine.name, ratio, queries: ratios.length };
    });

  return {
    benchmark: 'tpch',
    sf: r.sf,
    seed: r.seed,
    runs: r.runs,
    warmups: r.warmups,
    reference: r.reference.name,
    indexes: r.indexes,
    rowCounts: rowCounts ?? { ...source.data.rowCounts },
    generateMs,
    loads,
    queries,
    geomeans,
    passed: failures.length === 0,
    failures,
  };
}

function formatMs(ms: number | null): string {
  if (ms === null) return '-';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  return ms.toFixed(2);
}

function formatRatio(ratio: number | null): string {
  if (ratio === null) return '-';
  return ratio >= 10 ? `${ratio.toFixed(1)}x` : `${ratio.toFixed(2)}x`;
}

/** Lays out rows of cells as columns: the first column left-aligned, the others right-aligned. */
export function alignColumns(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join('  ').trimEnd())
    .join('\n');
}

/** The report as aligned text tables, for a terminal. */
export function formatTpchReport(report: TpchReport): string {
  const others = report.loads.map((l) => l.engine).filter((name) => name !== report.reference);
  const engines = [report.reference, ...others];
  const lines: string[] = [];
  lines.push(
    `TPC-H SF ${report.sf}, seed ${report.seed}: median of ${report.runs} run${report.runs === 1 ? '' : 's'} after ${report.warmups} warm-up${report.warmups === 1 ? '' : 's'}; ` +
      `answers checked against ${report.reference}; ratio = ${report.reference} ms / engine ms (> 1: faster)`,
  );
  lines.push(`secondary indexes: ${report.indexes.length === 0 ? 'none' : report.indexes.join(', ')}`);
  lines.push(`rows: ${tpchTableNames.map((t) => `${t} ${report.rowCounts[t].toLocaleString('en-US')}`).join(', ')}`);
  lines.push('');
  const loadRows: string[][] = [['load', 'ms']];
  loadRows.push(['(generate)', formatMs(report.generateMs)]);
  for (const load of report.loads) loadRows.push([load.engine, formatMs(load.ms)]);
  lines.push(alignColumns(loadRows));
  lines.push('');
  const header = ['query', 'rows', ...engines.map((e) => `${e} ms`), ...others.map((e) => `${e} ratio`), 'check'];
  const rows: string[][] = [header];
  for (const q of report.queries) {
    const byEngine = new Map(q.results.map((x) => [x.engine, x]));
    const ref = byEngine.get(report.reference);
    const check = q.results
      .filter((x) => x.status === 'error' || x.status === 'mismatch')
      .map((x) => `${x.engine} ${x.status}`)
      .join(', ');
    rows.push([
      `Q${q.n}`,
      ref?.rows === null || ref === undefined ? '-' : String(ref.rows),
      ...engines.map((e) => formatMs(byEngine.get(e)?.ms ?? null)),
      ...others.map((e) => formatRatio(byEngine.get(e)?.ratio ?? null)),
      check === '' ? 'ok' : check,
    ]);
  }
  for (const g of report.geomeans) {
    const cells = ['geomean', '', ...engines.map(() => ''), ...others.map((e) => (e === g.engine ? formatRatio(g.ratio) : '')), `${g.queries} queries`];
    rows.push(cells);
  }
  lines.push(alignColumns(rows));
  lines.push('');
  lines.push(report.passed ? 'PASSED: every answer matches the reference' : `FAILED:\n  ${report.failures.join('\n  ')}`);
  return lines.join('\n');
}
