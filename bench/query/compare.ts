/**
 * SQL benchmark: fairdb's SQL engine against better-sqlite3 in one run, on
 * the same data, with tinybench; one table of operations per second (timed
 * runs over their total time), ratios (fairdb ops/s ÷ SQLite ops/s: above 1,
 * fairdb is faster) and the process CPU time per operation of each engine.
 *
 * Rows:
 *   point select        prepared `SELECT * FROM users WHERE id = ?`, random ids
 *   range select (100)  prepared `... WHERE id BETWEEN ? AND ? + 99`
 *   single-row insert   prepared INSERT, one transaction (commit) per row
 *   1,000-row insert tx 1,000 prepared INSERTs in one transaction
 *   index lookup        prepared `SELECT ... WHERE email = ?` (unique secondary index)
 *   3-table join + agg  users ⋈ cities ⋈ countries, GROUP BY country
 *
 * The store: by default fairdb's engine as an application gets it — a
 * `Database` opened on a fresh temporary directory with the embedded default
 * device and durability 'group' (commits are durable at the end of the
 * event-loop turn) — against better-sqlite3 on a file in the same directory
 * in WAL mode with synchronous=NORMAL (durable at checkpoints): both survive
 * a process crash, neither waits for fdatasync per commit. `store: 'model'`
 * runs on the in-memory reference model (storage/kv/model.ts) against an
 * in-memory SQLite; its transactions copy the whole store, so its insert
 * rows measure the model, not the SQL engine. A function gives any store.
 *
 * Run: `npx tsc -p . && node dist/bench/query/compare.js [--store engine|model] [--users N] [--time ms] [--json file]`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { Bench } from 'tinybench';
import { open } from '../../engine/index.js';
import { OptionsViolations, seededRandom, type Random } from '../../storage/device/index.js';
import { ModelKvStore } from '../../storage/kv/model.js';
import type { RawKvStore } from '../../storage/kv/raw.js';
import { createSqlEngine, type SqlEngineOptions } from '../../query/index.js';

/**
 * Where fairdb runs: 'engine' (default) a `Database` on a temporary
 * directory (embedded default device, durability 'group'); 'model' the
 * in-memory reference model; or a function creating an empty store.
 */
export type QueryBenchStore = 'engine' | 'model' | (() => RawKvStore);

export interface QueryBenchOptions {
  /** The store fairdb runs on (see `QueryBenchStore`). Default 'engine'. */
  readonly store?: QueryBenchStore;
  /** Name of the store in the report. Default: named after `store`. */
  readonly storeName?: string;
  /** Options for fairdb's SQL engine. Default: the engine's defaults. */
  readonly engine?: SqlEngineOptions;
  /** Rows in `users`; default 50,000, at least 1,000. */
  readonly users?: number;
  /** Milliseconds tinybench spends per row and engine; default 1,000. */
  readonly timeMs?: number;
  /**
   * SQLite database file; default: a file in the engine's temporary
   * directory for store 'engine', ':memory:' otherwise.
   */
  readonly sqlitePath?: string;
  /** SQLite's `synchronous` pragma for a file database; default 'NORMAL' (WAL). */
  readonly sqliteSynchronous?: 'OFF' | 'NORMAL' | 'FULL';
  /** Seed of the data and of the random keys; default 42. */
  readonly seed?: number;
  /** Where progress and the table go; default console.log. */
  readonly log?: (line: string) => void;
}

export interface QueryBenchRow {
  readonly name: string;
  /** Operations per second: timed runs ÷ their total time. */
  readonly fairdbOps: number;
  readonly sqliteOps: number;
  /** fairdb ops/s ÷ SQLite ops/s. */
  readonly ratio: number;
  /** Process CPU time (user + system) per operation in microseconds, over the timed phase. */
  readonly fairdbCpuUs: number;
  readonly sqliteCpuUs: number;
}

export interface QueryBenchReport {
  readonly store: string;
  /** How fairdb's commits are made durable in this run. */
  readonly durability: string;
  readonly users: number;
  readonly sqlite: string;
  readonly rows: readonly QueryBenchRow[];
}

const cities = 1000;
const countries = 50;

const schema = [
  'CREATE TABLE countries (id INTEGER PRIMARY KEY, name TEXT NOT NULL)',
  'CREATE TABLE cities (id INTEGER PRIMARY KEY, name TEXT NOT NULL, country_id INTEGER NOT NULL)',
  'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, city_id INTEGER NOT NULL, score REAL NOT NULL)',
  'CREATE UNIQUE INDEX users_email ON users (email)',
  'CREATE TABLE events (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, kind TEXT NOT NULL, amount REAL NOT NULL)',
];

const sql = {
  point: 'SELECT * FROM users WHERE id = ?',
  range: 'SELECT * FROM users WHERE id BETWEEN ? AND ?',
  insert: 'INSERT INTO events (user_id, kind, amount) VALUES (?, ?, ?)',
  index: 'SELECT id, name FROM users WHERE email = ?',
  join:
    'SELECT co.name AS country, count(*) AS users, sum(u.score) AS score FROM users u JOIN cities c ON c.id = u.city_id JOIN countries co ON co.id = c.country_id GROUP BY co.name ORDER BY co.name',
};

/** The same connection interface for both engines. */
interface Connection {
  exec(sql: string): void;
  prepare(sql: string): { run(...params: unknown[]): unknown; all(...params: unknown[]): unknown[]; get(...params: unknown[]): unknown };
  transaction(fn: () => void): () => void;
}

function emailOf(id: number): string {
  // Ascending with the id, so that every store loads the index in key order.
  return `user${String(id).padStart(8, '0')}@example.com`;
}

function load(db: Connection, users: number, random: Random): void {
  for (const statement of schema) db.exec(statement);
  const country = db.prepare('INSERT INTO countries VALUES (?, ?)');
  const city = db.prepare('INSERT INTO cities VALUES (?, ?, ?)');
  const user = db.prepare('INSERT INTO users VALUES (?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= countries; i++) country.run(i, `country ${i}`);
    for (let i = 1; i <= cities; i++) city.run(i, `city ${i}`, 1 + (i % countries));
  })();
  const batch = 10_000;
  for (let start = 1; start <= users; start += batch) {
    db.transaction(() => {
      for (let i = start; i < Math.min(users + 1, start + batch); i++) {
        user.run(i, `name ${i}`, emailOf(i), 1 + random.int(0, cities - 1), random.int(0, 10_000) / 100);
      }
    })();
  }
}

function resolve(options: QueryBenchOptions): Omit<Required<QueryBenchOptions>, 'engine' | 'sqlitePath'> & { engine: SqlEngineOptions; sqlitePath: string | undefined } {
  const store = options.store ?? 'engine';
  const resolved = {
    store,
    storeName:
      options.storeName ??
      (store === 'engine' ? "fairdb Database (embedded default device, durability 'group')" : store === 'model' ? 'model (in-memory reference)' : 'caller-supplied store'),
    engine: options.engine ?? {},
    users: options.users ?? 50_000,
    timeMs: options.timeMs ?? 1000,
    sqlitePath: options.sqlitePath ?? (store === 'engine' ? undefined : ':memory:'),
    sqliteSynchronous: options.sqliteSynchronous ?? 'NORMAL',
    seed: options.seed ?? 42,
    log: options.log ?? ((line: string) => console.log(line)),
  };
  const v = new OptionsViolations('query benchmark options');
  v.check(store === 'engine' || store === 'model' || typeof store === 'function', "store must be 'engine', 'model' or a function");
  v.check(Number.isSafeInteger(resolved.users) && resolved.users >= 1000, 'users must be an integer >= 1000');
  v.check(Number.isFinite(resolved.timeMs) && resolved.timeMs > 0, 'timeMs must be a positive number');
  v.check(['OFF', 'NORMAL', 'FULL'].includes(resolved.sqliteSynchronous), 'sqliteSynchronous must be OFF, NORMAL or FULL');
  v.throwIfAny();
  return resolved;
}

/** Runs the benchmark; returns the report (also printed through `log`). */
export async function runQueryBench(options: QueryBenchOptions = {}): Promise<QueryBenchReport> {
  const o = resolve(options);
  // The engine and (unless told otherwise) SQLite live in one temporary directory, removed at the end.
  const directory = o.store === 'engine' ? mkdtempSync(join(tmpdir(), 'fairdb-query-bench-')) : undefined;
  const database = directory === undefined ? undefined : open(join(directory, 'fairdb'), { durability: 'group' });
  const sqlitePath = o.sqlitePath ?? join(directory as string, 'sqlite.db');
  try {
    const store = database !== undefined ? database.store : o.store === 'model' ? new ModelKvStore() : (o.store as () => RawKvStore)();
    const fairdb = (database !== undefined && Object.keys(o.engine).length === 0 ? database.sql : createSqlEngine(store, o.engine)) as unknown as Connection;
    const lite = new Database(sqlitePath);
    if (sqlitePath !== ':memory:') {
      lite.pragma('journal_mode = WAL');
      lite.pragma(`synchronous = ${o.sqliteSynchronous}`);
    }
    try {
      return await measure(o, fairdb, lite, sqlitePath);
    } finally {
      lite.close();
    }
  } finally {
    await database?.close();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  }
}

async function measure(o: ReturnType<typeof resolve>, fairdb: Connection, lite: Database.Database, sqlitePath: string): Promise<QueryBenchReport> {
  const engines: [string, Connection][] = [
    ['fairdb', fairdb],
    ['sqlite', lite as unknown as Connection],
  ];
  for (const [name, db] of engines) {
    const t = performance.now();
    load(db, o.users, seededRandom(o.seed));
    o.log(`loaded ${name}: ${o.users} users in ${Math.round(performance.now() - t)} ms`);
  }

  const results = new Map<string, Map<string, number>>();
  const rowNames: string[] = [];
  // Random arguments are drawn before timing, so that the rows measure the
  // engines and not the random number generator.
  const random = seededRandom(o.seed + 1);
  const argsCount = 1 << 16;
  const ids = Array.from({ length: argsCount }, () => random.int(1, o.users));
  const starts = Array.from({ length: argsCount }, () => random.int(1, o.users - 100));
  const emails = ids.map((id) => emailOf(id));
  for (const [name, db] of engines) {
    let next = 0;
    const arg = () => (next = (next + 1) & (argsCount - 1));
    const point = db.prepare(sql.point);
    const range = db.prepare(sql.range);
    const insert = db.prepare(sql.insert);
    const index = db.prepare(sql.index);
    const join = db.prepare(sql.join);
    const insertMany = db.transaction(() => {
      for (let i = 0; i < 1000; i++) insert.run(ids[arg()], 'bulk', i / 10);
    });
    // Answers must agree before anything is timed.
    const check = JSON.stringify([point.get(7), range.all(10, 109).length, index.get(emailOf(123)), join.all()], (_key, v: unknown) =>
      typeof v === 'number' ? Number(v.toPrecision(9)) : v,
    );
    const bench = new Bench({ time: o.timeMs, warmupTime: Math.min(200, o.timeMs) });
    // CPU time of each task's timed phase: on a shared machine wall time
    // depends on the neighbours, CPU time much less.
    const cpuMicros = new Map<string, number>();
    const cpuOf = (task: string) => {
      let start: NodeJS.CpuUsage | undefined;
      return {
        beforeAll: (mode?: string) => {
          if (mode === 'run') start = process.cpuUsage();
        },
        afterAll: (mode?: string) => {
          if (mode !== 'run' || start === undefined) return;
          const used = process.cpuUsage(start);
          cpuMicros.set(task, used.user + used.system);
        },
      };
    };
    const tasks: [string, () => void][] = [
      [
        'point select by primary key',
        () => {
          point.get(ids[arg()]);
        },
      ],
      [
        'range select of 100 rows',
        () => {
          const start = starts[arg()] as number;
          range.all(start, start + 99);
        },
      ],
      [
        'single-row insert (one commit each)',
        () => {
          insert.run(ids[arg()], 'click', 1.5);
        },
      ],
      ['1,000-row insert transaction', () => insertMany()],
      [
        'secondary-index lookup',
        () => {
          index.get(emails[arg()]);
        },
      ],
      ['3-table join with aggregation', () => void join.all()],
    ];
    for (const [task, fn] of tasks) bench.add(task, fn, cpuOf(task));
    await bench.run();
    const perEngine = new Map<string, number>();
    for (const task of bench.tasks) {
      // Throughput is the number of timed runs over their total time. (The
      // mean of per-sample reciprocals, tinybench's `throughput.mean`, weighs
      // the fast samples and hides occasional slow ones such as a group
      // commit's barrier or a garbage collection.)
      const result = task.result as { period?: number };
      perEngine.set(task.name, result.period !== undefined && result.period > 0 ? 1000 / result.period : Number.NaN);
      perEngine.set(`${task.name}:cpu`, (cpuMicros.get(task.name) ?? Number.NaN) / task.runs);
      if (!rowNames.includes(task.name)) rowNames.push(task.name);
    }
    results.set(name, perEngine);
    results.set(`${name}:check`, new Map([[check, 0]]));
  }
  const checks = engines.map(([name]) => [...(results.get(`${name}:check`) as Map<string, number>).keys()][0]);
  if (checks[0] !== checks[1]) throw new Error(`fairdb and SQLite disagree before timing: ${checks[0]?.slice(0, 300)} vs ${checks[1]?.slice(0, 300)}`);

  const rows: QueryBenchRow[] = rowNames.map((name) => {
    const fairdbOps = results.get('fairdb')?.get(name) ?? Number.NaN;
    const sqliteOps = results.get('sqlite')?.get(name) ?? Number.NaN;
    const fairdbCpuUs = results.get('fairdb')?.get(`${name}:cpu`) ?? Number.NaN;
    const sqliteCpuUs = results.get('sqlite')?.get(`${name}:cpu`) ?? Number.NaN;
    return { name, fairdbOps, sqliteOps, ratio: fairdbOps / sqliteOps, fairdbCpuUs, sqliteCpuUs };
  });
  const report: QueryBenchReport = {
    store: o.storeName,
    durability: o.store === 'engine' ? "'group': a commit is durable at the end of its event-loop turn" : o.store === 'model' ? 'none (in memory)' : 'as the store was configured',
    users: o.users,
    sqlite: sqlitePath === ':memory:' ? 'better-sqlite3 in memory' : `better-sqlite3 file (WAL, synchronous=${o.sqliteSynchronous})`,
    rows,
  };
  o.log(formatQueryBench(report));
  return report;
}

export function formatQueryBench(report: QueryBenchReport): string {
  const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
  const cpu = (n: number) => (Number.isFinite(n) ? (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2)) : '-');
  const ratio = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}x` : '-');
  const header = ['benchmark', 'fairdb ops/s', 'sqlite ops/s', 'fairdb/sqlite', 'fairdb cpu µs/op', 'sqlite cpu µs/op', 'cpu ratio'];
  const lines = report.rows.map((r) => [
    r.name,
    fmt(r.fairdbOps),
    fmt(r.sqliteOps),
    ratio(r.ratio),
    cpu(r.fairdbCpuUs),
    cpu(r.sqliteCpuUs),
    ratio(r.sqliteCpuUs / r.fairdbCpuUs),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const row = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  return [
    `SQL benchmark: fairdb (store: ${report.store}; durability ${report.durability}) vs ${report.sqlite}, ${report.users.toLocaleString('en-US')} users`,
    row(header),
    row(widths.map((w) => '-'.repeat(w))),
    ...lines.map(row),
  ].join('\n');
}

function argValue(argv: readonly string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  const users = argValue(argv, '--users');
  const time = argValue(argv, '--time');
  const json = argValue(argv, '--json');
  const store = argValue(argv, '--store') ?? 'engine';
  if (store !== 'engine' && store !== 'model') {
    console.error(`--store must be engine or model, got ${store}`);
    process.exit(2);
  }
  runQueryBench({ store, ...(users === undefined ? {} : { users: Number(users) }), ...(time === undefined ? {} : { timeMs: Number(time) }) })
    .then((report) => {
      if (json !== undefined) writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
}
