/**
 * Key-value benchmark: fairdb against lmdb-js (binary encoding),
 * better-sqlite3 (WITHOUT ROWID, WAL) and a plain Map (the in-memory
 * ceiling), in one run on the same data: N keys of 16 random bytes with
 * 100-byte random values (writes after the load use fresh values).
 *
 * Durability, stated per row: "fairdb (pmem+fsync)", SQLite with
 * synchronous=FULL and lmdb with sync commits survive power loss; "fairdb
 * (pmem)" survives a process crash but not power loss (no fdatasync).
 *
 * Run: `npm run build && node dist/bench/kv/compare.js [--keys N] [--json file]`.
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { open as openLmdb, type RootDatabase } from 'lmdb';
import { Bench } from 'tinybench';
import { open as openFairdb, type Database as FairDatabase } from '../../engine/index.js';
import { seededRandom, type Random } from '../../storage/device/index.js';

export interface KvBenchOptions {
  /** Keys loaded; default 1,000,000. */
  readonly keys: number;
  /** Keys per bulk-load transaction; default 10,000. */
  readonly loadBatch: number;
  /** Durable single-key commits timed; default 1,000. */
  readonly singleCommits: number;
  /** 1,000-put transactions timed; default 50. */
  readonly bigTransactions: number;
  /** Concurrent async puts; default 100,000. */
  readonly asyncPuts: number;
  /** Measure RSS and heap in a child process per engine; default true. */
  readonly memory: boolean;
  readonly seed: number;
  readonly log: (line: string) => void;
}

const defaults: KvBenchOptions = {
  keys: 1_000_000,
  loadBatch: 10_000,
  singleCommits: 1_000,
  bigTransactions: 50,
  asyncPuts: 100_000,
  memory: true,
  seed: 42,
  log: (line) => console.log(line),
};

/** One engine under test. All operations use binary keys and values. */
interface Target {
  readonly name: string;
  readonly durability: string;
  load(keys: Buffer[], values: Buffer[], batch: number): Promise<void>;
  get(key: Buffer): unknown;
  /** Reads `count` entries from `start`; returns how many it read. */
  range(start: Buffer, count: number): number;
  /** One key per commit, durable before the next starts. */
  putDurable(key: Buffer, value: Buffer): Promise<void>;
  /** One transaction of many puts, durable on completion. */
  putMany(keys: Buffer[], values: Buffer[]): Promise<void>;
  /** Many puts issued at once, resolved when all are durable; undefined when the engine has no async API. */
  putConcurrent?(keys: Buffer[], values: Buffer[]): Promise<void>;
  /** Closes (making everything durable); then `open` reopens. */
  closeForReopen(): Promise<void>;
  /** Opens again after `closeForReopen`; resolves once a read works. */
  open(): Promise<void>;
  close(): Promise<void>;
}

function makeData(count: number, random: Random): { keys: Buffer[]; values: Buffer[] } {
  const keys: Buffer[] = new Array(count);
  const values: Buffer[] = new Array(count);
  const seen = new Set<string>();
  for (let i = 0; i < count; ) {
    const key = Buffer.from(random.fill(new Uint8Array(16)));
    // fairdb reserves keys starting with 0x01 for its own subsystems.
    if (key[0]! < 2) key[0] = 2 + (key[0]! & 1);
    const text = key.toString('latin1');
    if (seen.has(text)) continue;
    seen.add(text);
    keys[i] = key;
    values[i] = Buffer.from(random.fill(new Uint8Array(100)));
    i++;
  }
  return { keys, values };
}

function fairdbTarget(dir: string, fsync: boolean): Target {
  const options = { device: 'pmem', pmem: { fsync }, encoding: 'binary', keyEncoding: 'binary', durability: 'group' } as const;
  let db: FairDatabase<Uint8Array> = openFairdb<Uint8Array>(dir, options);
  return {
    name: fsync ? 'fairdb (pmem+fsync)' : 'fairdb (pmem)',
    durability: fsync ? 'power loss (fdatasync)' : 'process crash (no fdatasync)',
    async load(keys, values, batch) {
      for (let i = 0; i < keys.length; i += batch) {
        db.transactionSync((tx) => {
          for (let j = i; j < Math.min(i + batch, keys.length); j++) tx.put(keys[j]!, values[j]!);
        });
      }
      await db.transaction(() => undefined);
      await db.checkpoint();
    },
    get: (key) => db.get(key),
    range(start, count) {
      let n = 0;
      for (const _ of db.getRange({ start, limit: count })) n++;
      return n;
    },
    async putDurable(key, value) {
      db.putSync(key, value);
    },
    async putMany(keys, values) {
      db.transactionSync(
        (tx) => {
          for (let i = 0; i < keys.length; i++) tx.put(keys[i]!, values[i]!);
        },
        { durability: 'sync' },
      );
    },
    async putConcurrent(keys, values) {
      await Promise.all(keys.map((k, i) => db.put(k, values[i]!)));
    },
    closeForReopen: () => db.close(),
    async open() {
      db = openFairdb<Uint8Array>(dir, options);
      db.get(Buffer.from([2]));
    },
    close: () => db.close(),
  };
}

function lmdbTarget(dir: string): Target {
  const options = { path: dir, keyEncoding: 'binary', encoding: 'binary' } as const;
  let db: RootDatabase<Buffer, Buffer> = openLmdb<Buffer, Buffer>(options);
  return {
    name: 'lmdb-js',
    durability: 'power loss (sync commits)',
    async load(keys, values, batch) {
      for (let i = 0; i < keys.length; i += batch) {
        db.transactionSync(() => {
          for (let j = i; j < Math.min(i + batch, keys.length); j++) db.put(keys[j]!, values[j]!);
        });
      }
    },
    get: (key) => db.get(key),
    range(start, count) {
      let n = 0;
      for (const _ of db.getRange({ start, limit: count })) n++;
      return n;
    },
    async putDurable(key, value) {
      db.putSync(key, value);
    },
    async putMany(keys, values) {
      db.transactionSync(() => {
        for (let i = 0; i < keys.length; i++) db.put(keys[i]!, values[i]!);
      });
    },
    async putConcurrent(keys, values) {
      await Promise.all(keys.map((k, i) => db.put(k, values[i]!)));
    },
    closeForReopen: () => db.close(),
    async open() {
      db = openLmdb<Buffer, Buffer>(options);
      db.get(Buffer.from([2]));
    },
    close: () => db.close(),
  };
}

function sqliteTarget(dir: string): Target {
  const file = path.join(dir, 'kv.sqlite');
  let db: Database.Database;
  let statements: ReturnType<typeof prepare>;
  const prepare = (d: Database.Database) => ({
    get: d.prepare('SELECT v FROM kv WHERE k = ?').pluck(),
    range: d.prepare('SELECT k, v FROM kv WHERE k >= ? ORDER BY k LIMIT ?').raw(),
    put: d.prepare('INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)'),
  });
  const openDb = () => {
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID');
    statements = prepare(db);
  };
  openDb();
  return {
    name: 'better-sqlite3',
    durability: 'power loss (WAL, synchronous=FULL)',
    async load(keys, values, batch) {
      const insert = db.transaction((from: number) => {
        for (let j = from; j < Math.min(from + batch, keys.length); j++) statements.put.run(keys[j], values[j]);
      });
      for (let i = 0; i < keys.length; i += batch) insert(i);
    },
    get: (key) => statements.get.get(key),
    range(start, count) {
      let n = 0;
      for (const _ of statements.range.iterate(start, count)) n++;
      return n;
    },
    async putDurable(key, value) {
      statements.put.run(key, value);
    },
    async putMany(keys, values) {
      db.transaction(() => {
        for (let i = 0; i < keys.length; i++) statements.put.run(keys[i], values[i]);
      })();
    },
    async closeForReopen() {
      db.close();
    },
    async open() {
      openDb();
      statements.get.get(Buffer.from([2]));
    },
    async close() {
      db.close();
    },
  };
}

function mapTarget(): Target {
  const map = new Map<string, Buffer>();
  let sorted: string[] = [];
  return {
    name: 'Map (ceiling)',
    durability: 'none (memory)',
    async load(keys, values) {
      for (let i = 0; i < keys.length; i++) map.set(keys[i]!.toString('latin1'), values[i]!);
      sorted = [...map.keys()].sort();
    },
    get: (key) => map.get(key.toString('latin1')),
    range(start, count) {
      const s = start.toString('latin1');
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sorted[mid]! < s) lo = mid + 1;
        else hi = mid;
      }
      let n = 0;
      for (let i = lo; i < sorted.length && n < count; i++, n++) map.get(sorted[i]!);
      return n;
    },
    async putDurable(key, value) {
      map.set(key.toString('latin1'), value);
    },
    async putMany(keys, values) {
      for (let i = 0; i < keys.length; i++) map.set(keys[i]!.toString('latin1'), values[i]!);
    },
    async putConcurrent(keys, values) {
      for (let i = 0; i < keys.length; i++) map.set(keys[i]!.toString('latin1'), values[i]!);
    },
    async closeForReopen() {},
    async open() {},
    async close() {},
  };
}

export interface KvBenchRow {
  readonly engine: string;
  readonly durability: string;
  readonly loadPerSec: number;
  readonly getPerSec: number;
  readonly rangeKeysPerSec: number;
  readonly durableCommitsPerSec: number;
  readonly durableCommitP50Us: number;
  readonly durableCommitP99Us: number;
  readonly txPutsPerSec: number;
  readonly asyncPutsPerSec: number | null;
  /** Closing after the writes (a checkpoint, for fairdb), not part of reopening. */
  readonly closeMs: number;
  /** Opening again in this process (which holds the benchmark's data) until the first read works. */
  readonly reopenMs: number;
  /**
   * Opening in a new process until the first read works, as an application
   * does at start (the engine's modules already loaded), and its CPU time:
   * the figure that does not depend on other load on the machine. Null for
   * the Map, which keeps nothing.
   */
  readonly reopenNewProcessMs: number | null;
  readonly reopenNewProcessCpuMs: number | null;
  rssMbPerMillion?: number;
  heapMbPerMillion?: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

async function measure(id: EngineId, dir: string, target: Target, data: { keys: Buffer[]; values: Buffer[] }, fresh: { keys: Buffer[]; values: Buffer[] }, o: KvBenchOptions, random: Random): Promise<KvBenchRow> {
  const { keys, values } = data;
  let t = performance.now();
  await target.load(keys, values, o.loadBatch);
  const loadMs = performance.now() - t;
  o.log(`  ${target.name}: loaded ${keys.length} keys in ${loadMs.toFixed(0)} ms`);

  const probes = Array.from({ length: 4096 }, () => keys[random.int(0, keys.length - 1)]!);
  const starts = Array.from({ length: 256 }, () => keys[random.int(0, keys.length - 1)]!);
  let p = 0;
  let s = 0;
  const bench = new Bench({ time: 1500, warmupTime: 300 });
  bench.add('get x1000', () => {
    for (let i = 0; i < 1000; i++) {
      if (target.get(probes[p++ & 4095]!) === undefined) throw new Error('missing key');
    }
  });
  bench.add('range 1000', () => {
    if (target.range(starts[s++ & 255]!, 1000) === 0) throw new Error('empty range');
  });
  await bench.run();
  const [getTask, rangeTask] = bench.tasks;
  const hz = (task: (typeof bench.tasks)[number] | undefined): number => {
    const result = task?.result;
    if (result === undefined || !('throughput' in result)) {
      throw new Error(`${target.name}: benchmark task ${task?.name} did not complete: ${result && 'error' in result ? String(result.error) : 'no result'}`);
    }
    return result.throughput.mean;
  };
  const getPerSec = hz(getTask) * 1000;
  const rangeKeysPerSec = hz(rangeTask) * 1000;

  const latencies: number[] = [];
  t = performance.now();
  for (let i = 0; i < o.singleCommits; i++) {
    const start = performance.now();
    await target.putDurable(fresh.keys[i % fresh.keys.length]!, fresh.values[i % fresh.values.length]!);
    latencies.push((performance.now() - start) * 1000);
  }
  const durableCommitsPerSec = o.singleCommits / ((performance.now() - t) / 1000);
  latencies.sort((a, b) => a - b);

  t = performance.now();
  for (let i = 0; i < o.bigTransactions; i++) {
    const from = (i * 1000) % Math.max(1, keys.length - 1000);
    await target.putMany(keys.slice(from, from + 1000), fresh.values.slice(0, 1000));
  }
  const txPutsPerSec = (o.bigTransactions * 1000) / ((performance.now() - t) / 1000);

  let asyncPutsPerSec: number | null = null;
  if (target.putConcurrent) {
    const n = Math.min(o.asyncPuts, keys.length);
    const vs = Array.from({ length: n }, (_, i) => fresh.values[i % fresh.values.length]!);
    t = performance.now();
    await target.putConcurrent(keys.slice(0, n), vs);
    asyncPutsPerSec = n / ((performance.now() - t) / 1000);
  }

  t = performance.now();
  await target.closeForReopen();
  const closeMs = performance.now() - t;
  const inChild = id === 'map' ? null : await reopenInChild(id, dir);
  t = performance.now();
  await target.open();
  const reopenMs = performance.now() - t;
  return {
    engine: target.name,
    durability: target.durability,
    loadPerSec: keys.length / (loadMs / 1000),
    getPerSec,
    rangeKeysPerSec,
    durableCommitsPerSec,
    durableCommitP50Us: percentile(latencies, 0.5),
    durableCommitP99Us: percentile(latencies, 0.99),
    txPutsPerSec,
    asyncPutsPerSec,
    closeMs,
    reopenMs,
    reopenNewProcessMs: inChild?.ms ?? null,
    reopenNewProcessCpuMs: inChild?.cpuMs ?? null,
  };
}

const engines = ['fairdb-fsync', 'fairdb', 'lmdb', 'sqlite', 'map'] as const;
type EngineId = (typeof engines)[number];

function makeTarget(id: EngineId, dir: string): Target {
  switch (id) {
    case 'fairdb-fsync':
      return fairdbTarget(path.join(dir, 'fairdb-fsync'), true);
    case 'fairdb':
      return fairdbTarget(path.join(dir, 'fairdb'), false);
    case 'lmdb':
      return lmdbTarget(path.join(dir, 'lmdb'));
    case 'sqlite':
      fs.mkdirSync(path.join(dir, 'sqlite'), { recursive: true });
      return sqliteTarget(path.join(dir, 'sqlite'));
    case 'map':
      return mapTarget();
  }
}

/** Loads one engine in a fresh process and reports its RSS and heap growth. */
function memoryInChild(id: EngineId, keys: number, seed: number): Promise<{ rssMb: number; heapMb: number }> {
  const script = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const child = fork(script, ['--memory-child', id, String(keys), String(seed)], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('message', (m: { rssMb: number; heapMb: number }) => resolve(m));
    child.on('error', reject);
    child.on('exit', (code) => code !== 0 && reject(new Error(`memory child for ${id} exited with ${code}`)));
  });
}

function reopenInChild(id: EngineId, dir: string): Promise<{ ms: number; cpuMs: number }> {
  const script = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const child = fork(script, ['--reopen-child', id, dir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let figures: { ms: number; cpuMs: number } | undefined;
    child.on('message', (m: { ms: number; cpuMs: number }) => (figures = m));
    child.on('error', reject);
    // Resolved at exit: the child has closed the database and released its lock.
    child.on('exit', (code) => (code === 0 && figures !== undefined ? resolve(figures) : reject(new Error(`reopen child for ${id} exited with ${code}`))));
  });
}

/** Opens the engine's database in `dir` (written and closed by the parent) and reports how long it took. */
async function reopenChild(id: EngineId, dir: string): Promise<void> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const target = makeTarget(id, dir);
  target.get(Buffer.from([2]));
  const ms = performance.now() - t;
  const used = process.cpuUsage(cpu);
  process.send!({ ms, cpuMs: (used.user + used.system) / 1000 });
  await target.close();
}

async function memoryChild(id: EngineId, keys: number, seed: number): Promise<void> {
  const data = makeData(keys, seededRandom(seed));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fairdb-kvmem-'));
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  const before = process.memoryUsage();
  const target = makeTarget(id, dir);
  await target.load(data.keys, data.values, 10_000);
  gc();
  const after = process.memoryUsage();
  const perMillion = 1_000_000 / keys;
  process.send!({ rssMb: ((after.rss - before.rss) / 2 ** 20) * perMillion, heapMb: ((after.heapUsed - before.heapUsed) / 2 ** 20) * perMillion });
  await target.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

export async function runKvBench(options: Partial<KvBenchOptions> = {}): Promise<KvBenchRow[]> {
  const o = { ...defaults, ...options };
  const random = seededRandom(o.seed);
  o.log(`KV benchmark: ${o.keys} keys of 16 bytes, 100-byte values, seed ${o.seed}`);
  const data = makeData(o.keys, random);
  const fresh = makeData(Math.max(o.singleCommits, 1000), seededRandom(o.seed + 1));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fairdb-kvbench-'));
  const rows: KvBenchRow[] = [];
  try {
    for (const id of engines) {
      const target = makeTarget(id, dir);
      try {
        const row = await measure(id, dir, target, data, fresh, o, random);
        if (o.memory && id !== 'fairdb-fsync') {
          const m = await memoryInChild(id, o.keys, o.seed);
          row.rssMbPerMillion = m.rssMb;
          row.heapMbPerMillion = m.heapMb;
        }
        rows.push(row);
      } finally {
        await target.close();
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export function formatKvTable(rows: readonly KvBenchRow[]): string {
  const num = (n: number | null | undefined, digits = 0) => (n === null || n === undefined || Number.isNaN(n) ? 'n/a' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
  const header = ['engine', 'load/s', 'get/s', 'range keys/s', 'durable commit/s', 'p50 µs', 'p99 µs', '1000-put tx puts/s', 'async puts/s', 'close ms', 'reopen ms', 'reopen ms (new process)', 'its CPU ms', 'RSS MB/1M', 'heap MB/1M'];
  const body = rows.map((r) => [
    r.engine,
    num(r.loadPerSec),
    num(r.getPerSec),
    num(r.rangeKeysPerSec),
    num(r.durableCommitsPerSec),
    num(r.durableCommitP50Us),
    num(r.durableCommitP99Us),
    num(r.txPutsPerSec),
    num(r.asyncPutsPerSec),
    num(r.closeMs, 1),
    num(r.reopenMs, 1),
    num(r.reopenNewProcessMs, 1),
    num(r.reopenNewProcessCpuMs, 1),
    num(r.rssMbPerMillion),
    num(r.heapMbPerMillion),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
  return [line(header), '|' + widths.map((w, i) => (i === 0 ? ':' : '') + '-'.repeat(w + 1) + (i === 0 ? '' : ':')).join('|') + '|', ...body.map(line)].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === '--reopen-child') {
    await reopenChild(args[1] as EngineId, args[2]!);
    process.exit(0);
  }
  if (args[0] === '--memory-child') {
    await memoryChild(args[1] as EngineId, Number(args[2]), Number(args[3]));
    process.exit(0);
  }
  const keysAt = args.indexOf('--keys');
  const jsonAt = args.indexOf('--json');
  const rows = await runKvBench(keysAt >= 0 ? { keys: Number(args[keysAt + 1]) } : {});
  console.log(formatKvTable(rows));
  if (jsonAt >= 0) fs.writeFileSync(args[jsonAt + 1]!, JSON.stringify(rows, null, 2));
}
