import { describe, expect, it } from 'vitest';
import {
  exitFailed,
  exitOk,
  exitUsage,
  parseIndexList,
  parseQueryList,
  sqliteEngine,
  tpchCommand,
  tpchIndexNames,
  type TpchEngine,
  type TpchEngineContext,
} from '../../../bench/tpch/index.js';

// Generous: these tests generate and load data, and the machine may be shared.
const generousMs = 60_000;

function capture(): { io: { stdout: { write(t: string): boolean }; stderr: { write(t: string): boolean; isTTY: boolean } }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (t) => ((out += t), true) },
      stderr: { write: (t) => ((err += t), true), isTTY: false },
    },
    out: () => out,
    err: () => err,
  };
}

describe('fairdb bench tpch: arguments', () => {
  it.each([
    [['--sf', '0'], /argument '0' is invalid\. the scale factor must be a number in \[0\.01, 100\]/],
    [['--sf', 'abc'], /the scale factor must be a number/],
    [['--sf', '100.5'], /the scale factor must be a number/],
    [['--sf', '0.012'], /repeats a supplier/],
    [['--sf'], /argument missing/],
    [['--queries', '0'], /query 0 does not exist: TPC-H queries are 1 to 22/],
    [['--queries', '1,23'], /query 23 does not exist/],
    [['--queries', '1,6,1'], /query 1 is listed twice/],
    [['--queries', '5-3'], /the range 5-3 is reversed/],
    [['--queries', 'q1'], /"q1" is not a query number or range/],
    [['--queries', ''], /"" is not a query number or range/],
    [['--seed', '1.5'], /the seed must be an integer/],
    [['--runs', '0'], /--runs must be an integer in \[1, 1000\]/],
    [['--warmups', '101'], /--warmups must be an integer in \[0, 100\]/],
    [['--indexes', 'orders_custkey,nope'], /"nope" is not a TPC-H index; known: nation_regionkey/],
    [['--indexes', 'orders_custkey,orders_custkey'], /an index is listed twice/],
    [['--bogus'], /unknown option '--bogus'/],
    [['extra'], /too many arguments|unknown command/],
  ])('%j is refused with a clear message and exit code 2', async (argv, message) => {
    const c = capture();
    const created: TpchEngine[] = [];
    const code = await tpchCommand(argv, { engines: [() => (created.push(sqliteEngine()), created[0] as TpchEngine)], io: c.io });
    expect(code).toBe(exitUsage);
    expect(c.err()).toMatch(message);
    expect(c.err()).toContain('--help');
    // Nothing was opened for a refused command.
    expect(created).toHaveLength(0);
  });

  it('prints help with every option and exits 0', async () => {
    const c = capture();
    expect(await tpchCommand(['--help'], { engines: [], io: c.io })).toBe(exitOk);
    for (const option of ['--sf', '--queries', '--seed', '--runs', '--warmups', '--indexes', '--json', '--no-progress', '--generate-only']) expect(c.out()).toContain(option);
  });

  it('parses query lists and ranges', () => {
    expect(parseQueryList('1,6')).toEqual([1, 6]);
    expect(parseQueryList('1-3, 22')).toEqual([1, 2, 3, 22]);
    expect(parseQueryList('all')).toHaveLength(22);
    expect(parseIndexList('all')).toEqual(tpchIndexNames);
    expect(parseIndexList('none')).toEqual([]);
    expect(parseIndexList('orders_custkey, lineitem_shipdate')).toEqual(['orders_custkey', 'lineitem_shipdate']);
  });
});

describe('fairdb bench tpch: runs', { timeout: generousMs }, () => {
  it('runs the chosen queries on SQLite, prints the table, writes the JSON report and exits 0', async () => {
    const c = capture();
    const files = new Map<string, string>();
    const contexts: TpchEngineContext[] = [];
    const code = await tpchCommand(['--sf', '0.01', '--queries', '6,14', '--runs', '1', '--warmups', '0', '--indexes', 'none', '--json', 'report.json'], {
      engines: [
        (context) => {
          contexts.push(context);
          return sqliteEngine({ path: ':memory:', indexes: context.indexes });
        },
      ],
      io: c.io,
      writeFile: (path, text) => files.set(path, text),
    });
    expect(contexts).toEqual([{ indexes: [] }]);
    expect(c.out()).toContain('secondary indexes: none');
    expect(c.err()).toBe('');
    expect(code).toBe(exitOk);
    expect(c.out()).toMatch(/Q6 +1 +[\d.]+ +ok/);
    expect(c.out()).toContain('PASSED');
    const report = JSON.parse(files.get('report.json') as string) as { sf: number; passed: boolean; indexes: string[]; queries: { n: number }[] };
    expect(report.sf).toBe(0.01);
    expect(report.indexes).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.queries.map((q) => q.n)).toEqual([6, 14]);
  });

  it('exits 1 when an engine answers wrongly, and closes every engine', async () => {
    const c = capture();
    const closed: string[] = [];
    const wrongFactory = (): TpchEngine => {
      const inner = sqliteEngine({ name: 'inner', path: ':memory:' });
      return {
        name: 'wrong',
        dialect: 'sqlite',
        load: (data, progress) => inner.load(data, progress),
        query: (n, sql) => inner.query(n, sql).map((r) => ({ ...r, revenue: 0 })),
        close: async () => {
          closed.push('wrong');
          await inner.close();
        },
      };
    };
    const code = await tpchCommand(['--sf', '0.01', '--queries', '6', '--runs', '1', '--warmups', '0'], {
      engines: [() => sqliteEngine({ path: ':memory:' }), wrongFactory],
      io: c.io,
    });
    expect(code).toBe(exitFailed);
    expect(c.out()).toContain('FAILED');
    expect(c.out()).toContain('Q6 wrong: mismatch');
    expect(closed).toEqual(['wrong']);
  });

  it('generates only, when asked, and reports the rows', async () => {
    const c = capture();
    expect(await tpchCommand(['--sf', '0.01', '--generate-only'], { engines: [], io: c.io })).toBe(exitOk);
    expect(c.out()).toMatch(/TPC-H SF 0\.01, seed 1: generated [\d,]+ rows in [\d.]+ s/);
    expect(c.out()).toContain('orders 15,000');
  });
});
