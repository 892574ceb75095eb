/**
 * Job queue benchmark: fairdb's job system against a queue on better-sqlite3
 * (the standard claim query), plainjob, and BullMQ on a local redis-server
 * started here, in one run, each operation on a fresh queue:
 *
 * - enqueue, one job per transaction (or call), back to back;
 * - enqueue in batches of `batch`;
 * - claim + complete of prepared jobs with a no-op handler at concurrency 1,
 *   8 and 32;
 * - submit-to-start latency, p50 and p99: one job at a time to an idle
 *   worker, the next once the previous started;
 * - and fairdb's scheduling overhead per job with 10,000 queued jobs
 *   (overhead.ts).
 *
 * Durability differs by engine and is printed per row (see each target).
 * The goals: fairdb ≥ 2× the SQLite queue and ≥ 1× BullMQ on every row.
 *
 * Run: `npx tsc -p . && node dist/bench/jobs/compare.js [--quick] [--json file]`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bullmqTarget } from './bullmq-target.js';
import { fairdbTarget } from './fairdb-target.js';
import { measureSchedulingOverhead, type OverheadRow } from './overhead.js';
import { plainjobTarget } from './plainjob-target.js';
import { percentile, type QueueTarget } from './queue-target.js';
import { startRedis } from './redis-server.js';
import { sqliteTarget } from './sqlite-target.js';

export interface JobsBenchOptions {
  /** Jobs per enqueue and claim+complete row; default 20,000. */
  readonly jobs: number;
  /** Jobs per batch in the batched enqueue row; default 1,000. */
  readonly batch: number;
  /** Round trips in the latency row; default 2,000. */
  readonly latencyJobs: number;
  /** Concurrencies of the claim+complete rows; default [1, 8, 32]. */
  readonly concurrencies: readonly number[];
  /** Jobs of the durable one-per-transaction row (fsync per commit); default 2,000. */
  readonly syncJobs: number;
  /** Include plainjob and BullMQ; default true. */
  readonly peers: boolean;
  readonly log: (line: string) => void;
}

const defaults: JobsBenchOptions = {
  jobs: 20_000,
  batch: 1000,
  latencyJobs: 2000,
  concurrencies: [1, 8, 32],
  syncJobs: 2000,
  peers: true,
  log: (line) => process.stderr.write(`${line}\n`),
};

export interface JobsBenchRow {
  readonly operation: string;
  readonly target: string;
  /** Jobs per second (throughput rows), or undefined. */
  readonly jobsPerSecond: number | undefined;
  /** Milliseconds (latency rows), or undefined. */
  readonly p50Ms: number | undefined;
  readonly p99Ms: number | undefined;
}

export interface JobsBenchReport {
  readonly rows: readonly JobsBenchRow[];
  readonly durability: readonly { readonly target: string; readonly durability: string }[];
  readonly overhead: readonly OverheadRow[];
  /** Peers that could not run, and why. */
  readonly skipped: readonly { readonly target: string; readonly reason: string }[];
  readonly options: Omit<JobsBenchOptions, 'log'>;
  readonly machine: string;
}

async function fresh<T>(target: QueueTarget, work: (q: Awaited<ReturnType<QueueTarget['open']>>) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fairdb-jobs-bench-'));
  const queue = await target.open(dir);
  try {
    return await work(queue);
  } finally {
    await queue.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export async function runJobsBench(partial: Partial<JobsBenchOptions> = {}): Promise<JobsBenchReport> {
  const o: JobsBenchOptions = { ...defaults, ...partial };
  const rows: JobsBenchRow[] = [];
  const skipped: { target: string; reason: string }[] = [];
  const targets: QueueTarget[] = [fairdbTarget({ durability: 'group' }), sqliteTarget('NORMAL')];
  const cleanups: (() => Promise<void>)[] = [];
  if (o.peers) {
    try {
      targets.push(plainjobTarget(await import('plainjob')));
    } catch (error) {
      skipped.push({ target: 'plainjob', reason: `does not load: ${(error as Error).message}` });
    }
    const redisDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fairdb-redis-'));
    const redis = await startRedis(redisDir);
    if ('reason' in redis) skipped.push({ target: 'BullMQ', reason: redis.reason });
    else {
      cleanups.push(async () => {
        await redis.server.stop();
        fs.rmSync(redisDir, { recursive: true, force: true });
      });
      const bull = await bullmqTarget(redis.server.port);
      if ('reason' in bull) skipped.push({ target: 'BullMQ', reason: `${bull.reason} (redis-server was started on port ${redis.server.port})` });
      else targets.push(bull.target);
    }
  }
  const record = (operation: string, target: QueueTarget, ms: number, jobs: number) => {
    const jobsPerSecond = (jobs / ms) * 1000;
    rows.push({ operation, target: target.name, jobsPerSecond, p50Ms: undefined, p99Ms: undefined });
    o.log(`${operation.padEnd(34)} ${target.name.padEnd(42)} ${Math.round(jobsPerSecond).toLocaleString('en-US').padStart(10)} jobs/s`);
  };
  try {
    for (const target of targets) {
      record('enqueue, 1 per transaction', target, await fresh(target, (q) => timed(() => q.enqueueOne(o.jobs))), o.jobs);
      record(`enqueue, batches of ${o.batch}`, target, await fresh(target, (q) => timed(() => q.enqueueBatches(o.jobs, o.batch))), o.jobs);
      for (const c of o.concurrencies) {
        const ms = await fresh(target, async (q) => {
          await q.prepare(o.jobs);
          return timed(() => q.drain(o.jobs, c));
        });
        record(`claim+complete, concurrency ${c}`, target, ms, o.jobs);
      }
      const latencies = await fresh(target, (q) => q.latency(o.latencyJobs));
      latencies.sort((a, b) => a - b);
      const p50 = percentile(latencies, 50);
      const p99 = percentile(latencies, 99);
      rows.push({ operation: 'submit-to-start latency', target: target.name, jobsPerSecond: undefined, p50Ms: p50, p99Ms: p99 });
      o.log(`${'submit-to-start latency'.padEnd(34)} ${target.name.padEnd(42)} p50 ${p50.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms`);
    }
    // Durable per commit (power-loss safe) on both sides: fsync before each enqueue returns.
    for (const target of [fairdbTarget({ durability: 'sync' }), sqliteTarget('FULL')]) {
      targets.push(target);
      record('enqueue, 1 per fsynced transaction', target, await fresh(target, (q) => timed(() => q.enqueueOne(o.syncJobs))), o.syncJobs);
    }
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
  const overhead = measureSchedulingOverhead({ queued: 10_000, slots: 64, cycles: 20_000, policies: ['fifo', 'priority', 'drf', 'las', 'themis', 'edf', 'least-slack', 'deadline-fair'], seed: 1 });
  for (const r of overhead) o.log(`scheduling overhead ${r.policy.padEnd(14)} ${r.usPerJob.toFixed(1)} µs per job with ${r.queued} queued${r.admissionUs === undefined ? '' : `; admission ${r.admissionUs.toFixed(0)} µs per deadline job`}`);
  const { log: _log, ...options } = o;
  return {
    rows,
    durability: targets.map((t) => ({ target: t.name, durability: t.durability })),
    overhead,
    skipped,
    options,
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
  };
}

/** The report as text: one table per operation, ratios against the SQLite queue and BullMQ, then durability and overhead. */
export function formatJobsBench(report: JobsBenchReport): string {
  const lines: string[] = [];
  const operations = [...new Set(report.rows.map((r) => r.operation))];
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  lines.push(`| operation | target | result | vs SQLite queue | vs BullMQ |`);
  lines.push(`|---|---|---:|---:|---:|`);
  for (const op of operations) {
    const rows = report.rows.filter((r) => r.operation === op);
    const sqlite = rows.find((r) => r.target.startsWith('SQLite'));
    const bull = rows.find((r) => r.target.startsWith('BullMQ'));
    for (const r of rows) {
      const isFairdb = r.target.startsWith('fairdb');
      let result: string;
      let vsSqlite = '';
      let vsBull = '';
      if (r.jobsPerSecond !== undefined) {
        result = `${fmt(r.jobsPerSecond)} jobs/s`;
        if (isFairdb && sqlite?.jobsPerSecond !== undefined) vsSqlite = `${(r.jobsPerSecond / sqlite.jobsPerSecond).toFixed(2)}×`;
        if (isFairdb && bull?.jobsPerSecond !== undefined) vsBull = `${(r.jobsPerSecond / bull.jobsPerSecond).toFixed(2)}×`;
      } else {
        result = `p50 ${(r.p50Ms as number).toFixed(3)} ms, p99 ${(r.p99Ms as number).toFixed(3)} ms`;
        // Latency: how many times lower (better) fairdb's p99 is.
        if (isFairdb && sqlite?.p99Ms !== undefined) vsSqlite = `${((sqlite.p99Ms as number) / (r.p99Ms as number)).toFixed(2)}× lower p99`;
        if (isFairdb && bull?.p99Ms !== undefined) vsBull = `${((bull.p99Ms as number) / (r.p99Ms as number)).toFixed(2)}× lower p99`;
      }
      lines.push(`| ${op} | ${r.target} | ${result} | ${vsSqlite} | ${vsBull} |`);
    }
  }
  lines.push('');
  lines.push('Durability of an acknowledged enqueue:');
  for (const d of report.durability) lines.push(`- ${d.target}: ${d.durability}`);
  if (report.skipped.length > 0) {
    lines.push('');
    lines.push('Not run:');
    for (const s of report.skipped) lines.push(`- ${s.target}: ${s.reason}`);
  }
  lines.push('');
  lines.push('Scheduling overhead per job (policy decision + mechanism and lease bookkeeping, no storage), 64-slot pool:');
  lines.push('| policy | queued | µs per job | admission, µs per deadline job |');
  lines.push('|---|---:|---:|---:|');
  for (const r of report.overhead) lines.push(`| ${r.policy} | ${r.queued} | ${r.usPerJob.toFixed(1)} | ${r.admissionUs === undefined ? '' : r.admissionUs.toFixed(0)} |`);
  lines.push('');
  lines.push(`Machine: ${report.machine}. Jobs per row: ${report.options.jobs} (fsynced row: ${report.options.syncJobs}), latency round trips: ${report.options.latencyJobs}.`);
  return lines.join('\n');
}

async function main(args: readonly string[]): Promise<void> {
  const quick = args.includes('--quick');
  const json = args.indexOf('--json');
  const report = await runJobsBench(quick ? { jobs: 5000, latencyJobs: 500, syncJobs: 500 } : {});
  process.stdout.write(`${formatJobsBench(report)}\n`);
  if (json >= 0 && args[json + 1] !== undefined) fs.writeFileSync(args[json + 1] as string, `${JSON.stringify(report, null, 2)}\n`);
}

if (process.argv[1] !== undefined && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
