/**
 * Commit benchmark of the write-ahead log against better-sqlite3 and lmdb-js:
 * throughput and latency (p50, p99) of durable commits of one 100-byte or
 * 4 KiB record each, in two shapes:
 *
 * - single: one committer that awaits each commit before the next. The log
 *   runs with durability 'sync' (the barrier inside `commit()`); SQLite
 *   autocommits one INSERT; lmdb uses `putSync`.
 * - group: `--clients` concurrent async committers, each appending and
 *   awaiting its commit in a loop. The log runs with durability 'group' (one
 *   barrier per event-loop turn shared by every commit of the turn); lmdb
 *   uses async `put` (which batches the writes of a turn into one
 *   transaction). SQLite has no asynchronous commit, so its group rows run
 *   the same number of commits one after the other.
 *
 * A reference row measures the host's raw pwrite + fdatasync of one record,
 * the ceiling of any durable single commit on this machine at that moment.
 *
 * Every configuration does the same number of commits per shape. Log
 * devices: pmem appdirect without fsync (durable against a process crash),
 * pmem appdirect + fsync, pmem with the Optane latency model injected as
 * busy-wait (no fsync), and the file device (whole pages + fdatasync); the
 * last two and SQLite FULL and lmdb are durable against power loss, SQLite
 * NORMAL in WAL mode against a process crash only. Latency is measured from
 * the start of a commit (append / put / insert) to its acknowledgement. The
 * log's device is sized for the run and its file written once with zeros
 * before the log is created (see `preallocate`): the figures are the steady
 * state of a log that reuses freed segments. The peers' files grow during
 * their runs, as they do in use.
 *
 * Run: npx tsc -p . && node dist/bench/wal/commit.js [--single N] [--group N]
 *      [--clients N] [--sizes 100,4096] [--only substring]
 * Files go to a temporary directory, removed at the end.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { Command } from 'commander';
import { open as openLmdb } from 'lmdb';
import type { Device } from '../../storage/device/index.js';
import { openFileDevice } from '../../storage/file-device/index.js';
import { openPmemDevice } from '../../storage/pmem/index.js';
import { openWal, segmentBytesDefault, type Durability } from '../../wal/index.js';

type Shape = 'single' | 'group';

interface Result {
  readonly name: string;
  readonly size: number;
  readonly shape: Shape;
  readonly commits: number;
  readonly seconds: number;
  /** Per-commit latencies in microseconds. */
  readonly latencies: Float64Array;
  readonly note: string;
}

/** One system under test: runs `commits` commits of `size`-byte records in a shape. */
interface Contender {
  readonly name: string;
  run(dir: string, size: number, shape: Shape, commits: number, clients: number): Promise<Omit<Result, 'name' | 'size' | 'shape' | 'commits'>>;
}

const walDevices: readonly { name: string; open(file: string, sizeBytes: number): Device }[] = [
  { name: 'fairdb WAL, pmem appdirect', open: (file, sizeBytes) => openPmemDevice({ path: file, sizeBytes }) },
  { name: 'fairdb WAL, pmem appdirect + fsync', open: (file, sizeBytes) => openPmemDevice({ path: file, sizeBytes, fsync: true }) },
  { name: 'fairdb WAL, pmem optane injected', open: (file, sizeBytes) => openPmemDevice({ path: file, sizeBytes, latency: 'optane', injectDelay: true }) },
  { name: 'fairdb WAL, file device (fdatasync)', open: (file, sizeBytes) => openFileDevice({ path: file, sizeBytes }) },
];

/**
 * Warm-up commits before timing, in the shape being measured: they allocate
 * the first segment and let the JIT compile that path. Group runs need more
 * (each group is hundreds of commits); single durable commits are bound by
 * the device, not the JIT.
 */
function warmupCommits(shape: Shape): number {
  return shape === 'single' ? 200 : 5000;
}

function walContender(name: string, openDevice: (file: string, sizeBytes: number) => Device): Contender {
  return {
    name,
    async run(dir, size, shape, commits, clients) {
      const durability: Durability = shape === 'single' ? 'sync' : 'group';
      // Size the device for the whole run up front, as a deployment would, so
      // that segment allocation never reallocates the emulated memory.
      const warmup = warmupCommits(shape);
      const segments = Math.ceil(((commits + warmup) * recordFramedBytes(size)) / segmentBytesDefault) + 1;
      const file = path.join(dir, 'log');
      const sizeBytes = segmentsOffsetBytes + segments * segmentBytesDefault;
      preallocate(openDevice(file, sizeBytes));
      const wal = openWal({ device: openDevice(file, sizeBytes), durability });
      const payload = new Uint8Array(size).fill(7);
      const latencies = new Float64Array(commits);
      // Warm up in the shape being measured, so the JIT has compiled that path.
      if (shape === 'single') {
        for (let i = 0; i < warmup; i++) {
          wal.append(16, payload);
          await wal.commit();
        }
      } else {
        await runClients(warmup, clients, new Float64Array(warmup), async () => {
          wal.append(16, payload);
          await wal.commit();
        });
      }
      const deviceBefore = wal.stats();
      const started = performance.now();
      if (shape === 'single') {
        for (let i = 0; i < commits; i++) {
          const t = performance.now();
          wal.append(16, payload);
          await wal.commit();
          latencies[i] = (performance.now() - t) * 1000;
        }
      } else {
        await runClients(commits, clients, latencies, async () => {
          wal.append(16, payload);
          await wal.commit();
        });
      }
      const seconds = (performance.now() - started) / 1000;
      const stats = wal.stats();
      const groups = stats.groups - deviceBefore.groups;
      await wal.close();
      return { seconds, latencies, note: `${groups} barriers, ${(commits / Math.max(1, groups)).toFixed(1)} commits/barrier` };
    },
  };
}

/**
 * The reference: what the host's file system does for one durable append
 * (pwrite of the record + fdatasync), with no log format at all. Durable
 * single commits cannot beat it; SQLite FULL, lmdb putSync and the log on
 * the file device or pmem + fsync pay it once per commit.
 */
function rawFileContender(): Contender {
  return {
    name: 'raw file: pwrite + fdatasync (reference)',
    async run(dir, size, shape, commits) {
      const fd = fs.openSync(path.join(dir, 'raw'), 'w+');
      const record = Buffer.alloc(size, 7);
      let offset = 0;
      const append = (): void => {
        fs.writeSync(fd, record, 0, record.length, offset);
        fs.fdatasyncSync(fd);
        offset += record.length;
      };
      for (let i = 0; i < warmupCommits('single'); i++) append();
      const latencies = new Float64Array(commits);
      const started = performance.now();
      for (let i = 0; i < commits; i++) {
        const t = performance.now();
        append();
        latencies[i] = (performance.now() - t) * 1000;
      }
      const seconds = (performance.now() - started) / 1000;
      fs.closeSync(fd);
      return { seconds, latencies, note: shape === 'group' ? 'sequential' : 'one fdatasync per append' };
    },
  };
}

function sqliteContender(synchronous: 'FULL' | 'NORMAL'): Contender {
  return {
    name: `better-sqlite3 WAL, synchronous=${synchronous}`,
    async run(dir, size, shape, commits) {
      const db = new Database(path.join(dir, 'sqlite.db'));
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${synchronous}`);
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)');
      const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
      const value = Buffer.alloc(size, 7);
      for (let i = 0; i < warmupCommits('single'); i++) insert.run(-1 - i, value);
      const latencies = new Float64Array(commits);
      const started = performance.now();
      for (let i = 0; i < commits; i++) {
        const t = performance.now();
        insert.run(i, value);
        latencies[i] = (performance.now() - t) * 1000;
      }
      const seconds = (performance.now() - started) / 1000;
      db.close();
      return { seconds, latencies, note: shape === 'group' ? 'no async commit: sequential' : 'one INSERT per transaction' };
    },
  };
}

function lmdbContender(): Contender {
  return {
    name: 'lmdb (putSync / async put)',
    async run(dir, size, shape, commits, clients) {
      const db = openLmdb<Buffer, number>({ path: path.join(dir, 'lmdb'), encoding: 'binary' });
      const value = Buffer.alloc(size, 7);
      const warmup = warmupCommits(shape);
      if (shape === 'single') {
        for (let i = 0; i < warmup; i++) db.putSync(-1 - i, value);
      } else {
        let warm = 0;
        await runClients(warmup, clients, new Float64Array(warmup), async () => {
          await db.put(-1 - warm++, value);
        });
      }
      const latencies = new Float64Array(commits);
      const started = performance.now();
      let note: string;
      if (shape === 'single') {
        for (let i = 0; i < commits; i++) {
          const t = performance.now();
          db.putSync(i, value);
          latencies[i] = (performance.now() - t) * 1000;
        }
        note = 'putSync';
      } else {
        let key = 0;
        await runClients(commits, clients, latencies, async () => {
          await db.put(key++, value);
        });
        note = 'async put';
      }
      const seconds = (performance.now() - started) / 1000;
      await db.close();
      return { seconds, latencies, note };
    },
  };
}

/**
 * Writes zeros over the whole device and persists them, then closes it: the
 * steady state of a log that reuses its segments, whose memory and file
 * blocks have been touched before (the first pass over a fresh sparse file
 * and fresh memory costs page faults and block allocation on every page).
 */
function preallocate(device: Device): void {
  const chunk = new Uint8Array(1 << 20);
  for (let offset = 0; offset < device.sizeBytes; offset += chunk.length) {
    const length = Math.min(chunk.length, device.sizeBytes - offset);
    device.write(offset, chunk.subarray(0, length));
    device.persist(offset, length);
  }
  device.close();
}

/** Bytes a record of `size` payload bytes takes in the log (24-byte header, 8-byte alignment). */
function recordFramedBytes(size: number): number {
  return Math.ceil((24 + size) / 8) * 8;
}

/** The superblock area in front of the first segment. */
const segmentsOffsetBytes = 8192;

/**
 * Runs `commits` calls of `commit` from `clients` concurrent loops, each
 * awaiting its previous commit; records each call's latency.
 */
async function runClients(commits: number, clients: number, latencies: Float64Array, commit: () => Promise<void>): Promise<void> {
  let next = 0;
  const client = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= commits) return;
      const t = performance.now();
      await commit();
      latencies[i] = (performance.now() - t) * 1000;
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

function formatRate(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function formatMicros(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

function printTable(results: readonly Result[]): void {
  const header = ['system', 'record', 'shape', 'commits', 'commits/s', 'p50 µs', 'p99 µs', 'notes'];
  const rows = results.map((r) => {
    const sorted = Float64Array.from(r.latencies).sort();
    return [
      r.name,
      r.size >= 1024 ? `${r.size / 1024} KiB` : `${r.size} B`,
      r.shape,
      formatRate(r.commits),
      formatRate(r.commits / r.seconds),
      formatMicros(percentile(sorted, 0.5)),
      formatMicros(percentile(sorted, 0.99)),
      r.note,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => (i >= 3 && i <= 6 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i >= 3 && i <= 6 ? `${'-'.repeat(w + 1)}:` : `${'-'.repeat(w + 2)}`)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<void> {
  const program = new Command()
    .name('commit')
    .description('Commit throughput and latency: fairdb WAL vs better-sqlite3 and lmdb')
    .option('--single <n>', 'commits per single-committer run', '2000')
    .option('--group <n>', 'commits per group-commit run', '50000')
    .option('--clients <n>', 'concurrent committers in group runs', '256')
    .option('--sizes <list>', 'record sizes in bytes', '100,4096')
    .option('--only <text>', 'run only systems whose name contains this text')
    .parse(process.argv);
  const options = program.opts<{ single: string; group: string; clients: string; sizes: string; only?: string }>();
  const single = Number(options.single);
  const group = Number(options.group);
  const clients = Number(options.clients);
  const sizes = options.sizes.split(',').map(Number);
  for (const [name, value] of [['--single', single], ['--group', group], ['--clients', clients]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  }
  if (sizes.some((s) => !Number.isSafeInteger(s) || s < 0 || s > 1 << 20)) throw new Error('--sizes must be byte counts up to 1 MiB');

  const contenders: Contender[] = [
    rawFileContender(),
    ...walDevices.map((d) => walContender(d.name, d.open)),
    sqliteContender('FULL'),
    sqliteContender('NORMAL'),
    lmdbContender(),
  ].filter((c) => options.only === undefined || c.name.includes(options.only));

  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fairdb-bench-wal-'));
  const results: Result[] = [];
  try {
    for (const size of sizes) {
      for (const shape of ['single', 'group'] as const) {
        const commits = shape === 'single' ? single : group;
        for (const contender of contenders) {
          const dir = fs.mkdtempSync(path.join(root, 'run-'));
          const r = await contender.run(dir, size, shape, commits, clients);
          results.push({ name: contender.name, size, shape, commits, ...r });
          fs.rmSync(dir, { recursive: true, force: true });
          process.stderr.write(`${contender.name}, ${size} B, ${shape}: ${formatRate(commits / r.seconds)} commits/s\n`);
        }
      }
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  console.log(`\nnode ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${clients} concurrent committers in group runs\n`);
  printTable(results);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
