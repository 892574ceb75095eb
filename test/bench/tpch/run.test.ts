import { afterEach, describe, expect, it } from 'vitest';
import { FairdbError } from '../../../storage/device/index.js';
import {
  formatTpchReport,
  runTpch,
  sqliteEngine,
  type Row,
  type TpchData,
  type TpchDialect,
  type TpchEngine,
  type TpchLoadProgress,
  type TpchProgressEvent,
} from '../../../bench/tpch/index.js';

// Generous: these tests generate and load data, and the machine may be shared.
const generousMs = 60_000;

/** A clock that moves only when an engine "works". */
function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => (t += ms) };
}

interface FakeSpec {
  name: string;
  dialect: TpchDialect;
  /** ms per execution of query n, one value per execution in turn (the last repeats). */
  times: (n: number) => number[];
  answer: (n: number, sql: string) => Row[];
}

/** An engine that loads nothing and answers from a function, taking the given (fake) time. */
function fakeEngine(spec: FakeSpec, advance: (ms: number) => void): TpchEngine & { seen: string[] } {
  const executions = new Map<number, number>();
  const seen: string[] = [];
  return {
    name: spec.name,
    dialect: spec.dialect,
    seen,
    load: async (_data: TpchData, progress?: (p: TpchLoadProgress) => void) => {
      progress?.({ table: 'region', rows: 5, total: 5 });
      advance(100);
      return { ms: 100 };
    },
    query(n, sql) {
      seen.push(sql);
      const i = executions.get(n) ?? 0;
      executions.set(n, i + 1);
      const times = spec.times(n);
      advance(times[Math.min(i, times.length - 1)] as number);
      return spec.answer(n, sql);
    },
    close: async () => {},
  };
}

describe('runTpch with fake engines (exact arithmetic)', () => {
  it('reports medians, ratios, the geometric mean, and the dialect each engine gets', async () => {
    const clock = fakeClock();
    const answer = (n: number) => [{ n, value: n * 1.5 }];
    const reference = fakeEngine({ name: 'ref', dialect: 'sqlite', times: (n) => (n === 1 ? [999, 40, 10, 20] : [999, 30, 30, 30]), answer }, clock.advance);
    const fast = fakeEngine({ name: 'fast', dialect: 'fairdb', times: (n) => (n === 1 ? [999, 4, 2, 1] : [999, 10, 10, 10]), answer }, clock.advance);
    const events: TpchProgressEvent[] = [];
    const report = await runTpch({ engines: [fast, reference], queries: [1, 6], runs: 3, warmups: 1, now: clock.now, onProgress: (e) => events.push(e) });
    expect(report.reference).toBe('ref');
    expect(report.passed).toBe(true);
    const q1 = report.queries[0];
    expect(q1?.results.map((r) => [r.engine, r.status, r.ms, r.ratio])).toEqual([
      ['fast', 'passed', 2, 10], // median of 4, 2, 1; ratio = 20 / 2
      ['ref', 'reference', 20, null], // median of 40, 10, 20
    ]);
    expect(q1?.results[1]?.runsMs).toEqual([40, 10, 20]);
    expect(report.queries[1]?.results[0]?.ratio).toBe(3);
    expect(report.geomeans).toEqual([{ engine: 'fast', ratio: Math.sqrt(10 * 3), queries: 2 }]);
    expect(report.loads.map((l) => [l.engine, l.dialect, l.ms])).toEqual([['fast', 'fairdb', 100], ['ref', 'sqlite', 100]]);
    expect(fast.seen[0]).toContain(`date '1998-12-01' - interval '90' day`);
    expect(reference.seen[0]).toContain(`'1998-09-02'`);
    expect(events.filter((e) => e.phase === 'query')).toHaveLength(4);
    expect(events[0]).toEqual({ phase: 'load', engine: 'fast', table: 'region', rows: 5, loadedRows: 5, expectedRows: 86_630 });
    expect(events.at(-1)).toEqual({ phase: 'finished', total: 2 * 2 * (1 + 3) });
    expect(events.some((e) => e.phase === 'loaded' && e.engine === 'fast')).toBe(true);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    const text = formatTpchReport(report);
    expect(text).toContain('PASSED');
    expect(text).toMatch(/Q1 +1 +20\.0 +2\.00 +10\.0x +ok/);
    expect(text).toMatch(/geomean .*5\.48x/);
  });

  it('fails the run on a wrong answer or an error, and leaves those queries out of the geometric mean', async () => {
    const clock = fakeClock();
    const right = (n: number) => [{ n, value: 100 }];
    const reference = fakeEngine({ name: 'sqlite', dialect: 'sqlite', times: () => [10], answer: right }, clock.advance);
    const broken = fakeEngine(
      {
        name: 'broken',
        dialect: 'fairdb',
        times: () => [5],
        answer: (n) => {
          if (n === 3) throw new FairdbError('PARSE', 'no such syntax');
          return n === 6 ? [{ n, value: 100.01 }] : right(n);
        },
      },
      clock.advance,
    );
    const report = await runTpch({ engines: [reference, broken], queries: [1, 6, 3], runs: 1, warmups: 0, now: clock.now });
    expect(report.passed).toBe(false);
    expect(report.queries.map((q) => q.status)).toEqual(['passed', 'failed', 'failed']);
    expect(report.queries[1]?.results[1]).toMatchObject({ status: 'mismatch', ratio: 2 });
    expect(report.queries[2]?.results[1]).toMatchObject({ status: 'error', ms: null, ratio: null, message: 'FairdbError: no such syntax' });
    expect(report.failures).toHaveLength(2);
    expect(report.failures[0]).toMatch(/^Q6 broken: mismatch: row 0: expected \(6, 100\), got \(6, 100.01\)/);
    expect(report.geomeans).toEqual([{ engine: 'broken', ratio: 2, queries: 1 }]);
    const text = formatTpchReport(report);
    expect(text).toContain('FAILED');
    expect(text).toContain('broken mismatch');
    expect(text).toContain('broken error');
  });

  it('rejects bad options, all at once', async () => {
    const clock = fakeClock();
    const a = fakeEngine({ name: 'a', dialect: 'sqlite', times: () => [1], answer: () => [] }, clock.advance);
    const a2 = fakeEngine({ name: 'a', dialect: 'fairdb', times: () => [1], answer: () => [] }, clock.advance);
    await expect(runTpch({ engines: [a, a2], queries: [0, 23], runs: 0, warmups: -1 })).rejects.toThrow(
      /engine names must be unique.*query numbers must be in 1\.\.22, got 0, 23.*runs must be.*warmups must be/,
    );
    await expect(runTpch({ engines: [] })).rejects.toThrow(/at least one engine/);
    await expect(runTpch({ engines: [a], reference: 'nope' })).rejects.toThrow(/reference engine nope/);
    await expect(runTpch({ engines: [a], queries: [1, 1] })).rejects.toThrow(/must not repeat/);
    await expect(runTpch({ engines: [a], indexes: ['nope'] })).rejects.toThrow(/unknown index nope/);
  });
});

describe('runTpch on SQLite at SF 0.01', { timeout: generousMs }, () => {
  const open: TpchEngine[] = [];
  afterEach(async () => {
    for (const e of open.splice(0)) await e.close();
  });

  it('passes a second SQLite engine on the same data, except where it is made to answer wrongly', async () => {
    const a = sqliteEngine({ name: 'sqlite', path: ':memory:' });
    const inner = sqliteEngine({ name: 'inner', path: ':memory:' });
    open.push(a, inner);
    // A second SQLite made deliberately wrong on two queries: Q1 rows
    // reversed (ORDER BY violated), Q6 off by 1e-4; Q13 untouched.
    const wrong: TpchEngine = {
      name: 'wrong',
      dialect: 'sqlite',
      load: (data, progress) => inner.load(data, progress),
      query(n, sql) {
        const rows = inner.query(n, sql);
        if (n === 1) return rows.slice().reverse();
        if (n === 6) return rows.map((r) => ({ revenue: (r.revenue as number) * (1 + 1e-4) }));
        return rows;
      },
      close: () => inner.close(),
    };
    const report = await runTpch({ engines: [a, wrong], sf: 0.01, seed: 7, queries: [1, 6, 13], runs: 1, warmups: 0 });
    expect(report.rowCounts.orders).toBe(15_000);
    expect(report.rowCounts.lineitem).toBeGreaterThan(58_000);
    expect(report.generateMs).toBeGreaterThan(0);
    expect(report.loads.map((l) => l.engine)).toEqual(['sqlite', 'wrong']);
    const statuses = report.queries.map((q) => q.results.map((r) => `${r.engine}:${r.status}`).join(' '));
    expect(statuses).toEqual(['sqlite:reference wrong:mismatch', 'sqlite:reference wrong:mismatch', 'sqlite:reference wrong:passed']);
    expect(report.passed).toBe(false);
    expect(report.failures[0]).toMatch(/^Q1 wrong: mismatch: row 0: expected \("A", "F"/);
    expect(report.failures[1]).toMatch(/^Q6 wrong: mismatch: row 0/);
    expect(report.geomeans.map((g) => [g.engine, g.queries])).toEqual([['wrong', 1]]);
    for (const q of report.queries) expect(q.results.every((r) => r.rows !== null && r.rows > 0)).toBe(true);
  });

  it('rejects bad SQLite engine options, all at once', () => {
    expect(() => sqliteEngine({ name: '', synchronous: 'SOMETIMES' as never, cacheMiB: 0, indexes: ['nope'] })).toThrow(
      /name must not be empty.*synchronous.*cacheMiB.*unknown index nope/,
    );
  });
});
