#!/usr/bin/env node
/**
 * The `fairdb` command:
 *
 *   fairdb demo                 the end-to-end demo and benchmark (npm start)
 *   fairdb shell [path]         interactive SQL shell (reads a script from stdin when piped)
 *   fairdb bench <name> ...     tpch, tpcc, pmem, kv, query, jobs, wal, devices, btree, sched
 *   fairdb sched <command> ...  workload generation, import, simulation, policy comparison
 *
 * Every command has --help; bad arguments print a message and exit with a
 * non-zero code. Benchmarks are loaded only when their command runs.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { FairdbError } from '../storage/device/index.js';
import { open, type DeviceChoice } from './database.js';

const exitUsage = 2;

function positiveNumber(what: string, max: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value <= 0 || value > max) throw new InvalidArgumentError(`${what} must be a number in (0, ${max}]`);
    return value;
  };
}

function positiveInteger(what: string, max: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1 || value > max) throw new InvalidArgumentError(`${what} must be an integer in [1, ${max}]`);
    return value;
  };
}

/** Runs a compiled benchmark script in a child process with the given arguments; resolves to its exit code. */
function runScript(relative: string, args: readonly string[]): Promise<number> {
  const script = fileURLToPath(new URL(relative, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128 + (os.constants.signals[signal] ?? 0))));
  });
}

export function createProgram(): Command {
  const program = new Command('fairdb')
    .description('fairdb: an embedded key-value and scheduling database engine — demo, SQL shell, benchmarks and scheduler tools')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('demo')
    .description('TPC-H (SF 0.01) and TPC-C (1 warehouse) on fairdb against SQLite and lmdb; writes reports/latest.html and latest.json')
    .addOption(new Option('--data <dir>', 'directory for the databases').default('data'))
    .addOption(new Option('--reports <dir>', 'directory for the report').default('reports'))
    .addOption(new Option('--sf <n>', 'TPC-H scale factor').argParser(positiveNumber('--sf', 1)).default(0.01))
    .addOption(new Option('--seconds <s>', 'TPC-C seconds per database').argParser(positiveNumber('--seconds', 3600)).default(12))
    .addOption(new Option('--durability <level>', 'TPC-C durability for every database').choices(['sync', 'group']).default('sync'))
    .option('--no-progress', 'no progress bars')
    .action(async (o: { data: string; reports: string; sf: number; seconds: number; durability: 'sync' | 'group'; progress: boolean }) => {
      const { runDemo } = await import('../bench/demo/run.js');
      const report = await runDemo({
        dataDirectory: path.resolve(o.data),
        reportDirectory: path.resolve(o.reports),
        sf: o.sf,
        tpccSeconds: o.seconds,
        durability: o.durability,
        progress: o.progress && process.stderr.isTTY === true,
      });
      if (!report.passed) process.exitCode = 1;
    });

  program
    .command('shell')
    .description('interactive SQL shell on a database (created if needed); reads a script from stdin when it is not a terminal')
    .argument('[path]', 'database directory', 'data/shell')
    .addOption(new Option('--device <kind>', 'device of a new database').choices(['pmem', 'file', 'memory']).default('pmem'))
    .action(async (dir: string, o: { device: DeviceChoice }) => {
      const { runShell } = await import('../query/shell.js');
      const db = open(dir, { device: o.device });
      try {
        const interactive = process.stdin.isTTY === true;
        const summary = await runShell(
          {
            run(sql) {
              const statement = db.prepare(sql);
              if (statement.reader) {
                const columns = statement.columns().map((c) => c.name);
                return { kind: 'rows', columns, rows: statement.raw(true).all() as unknown as unknown[][] };
              }
              return { kind: 'changes', changes: statement.run().changes };
            },
            explain: (sql) => db.explain(sql),
            tables: () => db.sql.tables(),
          },
          { input: process.stdin, output: process.stdout, error: process.stderr, interactive, ...(interactive ? { historyFile: path.join(os.homedir(), '.fairdb_history') } : {}) },
        );
        if (summary.failed > 0 && !interactive) process.exitCode = 1;
      } finally {
        await db.close();
      }
    });

  const bench = program.command('bench').description('benchmarks, each against its peers in the same run (results: bench/RESULTS.md)');

  bench
    .command('tpch')
    .description('TPC-H: fairdb vs SQLite (run `fairdb bench tpch --help` for the options)')
    .allowUnknownOption()
    .helpOption(false)
    .argument('[args...]')
    .action(async (args: string[]) => {
      const { tpchCommand, sqliteEngine } = await import('../bench/tpch/index.js');
      const { fairdbTpchEngine } = await import('../bench/tpch/fairdb-engine.js');
      const dirs: string[] = [];
      const code = await tpchCommand(args, {
        engines: [
          ({ indexes }) => sqliteEngine({ indexes }),
          ({ indexes }) => {
            const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'fairdb-tpch-'));
            dirs.push(directory);
            return fairdbTpchEngine({ directory, indexes });
          },
        ],
      });
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
      process.exitCode = code;
    });

  bench
    .command('tpcc')
    .description('TPC-C: fairdb SQL and KV vs better-sqlite3 and lmdb (run `fairdb bench tpcc --help` for the options)')
    .allowUnknownOption()
    .helpOption(false)
    .argument('[args...]')
    .action(async (args: string[]) => {
      const { runTpccCli, betterSqlite3Driver, lmdbDriver } = await import('../bench/tpcc/index.js');
      const { fairdbSqlDriver, fairdbKvDriver } = await import('../bench/tpcc/fairdb-driver.js');
      process.exitCode = await runTpccCli(args, { drivers: [betterSqlite3Driver(), fairdbSqlDriver(), lmdbDriver(), fairdbKvDriver()], progress: process.stderr.isTTY === true });
    });

  bench
    .command('pmem')
    .description('the persistent-memory configuration study: TPC-C and TPC-H on six device configurations')
    .addOption(new Option('--seconds <s>', 'TPC-C seconds per configuration').argParser(positiveNumber('--seconds', 3600)).default(10))
    .addOption(new Option('--sf <n>', 'TPC-H scale factor').argParser(positiveNumber('--sf', 1)).default(0.01))
    .option('--json <file>', 'also write the report as JSON')
    .action(async (o: { seconds: number; sf: number; json?: string }) => {
      const { runPmemStudy, formatPmemStudy } = await import('../bench/pmem/study.js');
      const report = await runPmemStudy({ tpccSeconds: o.seconds, sf: o.sf });
      process.stdout.write(`${formatPmemStudy(report)}\n`);
      if (o.json !== undefined) fs.writeFileSync(o.json, `${JSON.stringify(report, null, 2)}\n`);
      if (!report.tpcc.passed || !report.tpch.passed) process.exitCode = 1;
    });

  bench
    .command('kv')
    .description('key-value: fairdb vs lmdb-js, better-sqlite3 and a Map on the same data')
    .addOption(new Option('--keys <n>', 'keys to load').argParser(positiveInteger('--keys', 100_000_000)).default(1_000_000))
    .option('--no-memory', 'skip the per-engine memory measurement')
    .option('--json <file>', 'also write the rows as JSON')
    .action(async (o: { keys: number; memory: boolean; json?: string }) => {
      const { runKvBench, formatKvTable } = await import('../bench/kv/compare.js');
      const rows = await runKvBench({ keys: o.keys, memory: o.memory });
      process.stdout.write(`${formatKvTable(rows)}\n`);
      if (o.json !== undefined) fs.writeFileSync(o.json, `${JSON.stringify(rows, null, 2)}\n`);
    });

  bench
    .command('query')
    .description('SQL: prepared point and range selects, inserts, index lookups and a join, fairdb vs better-sqlite3')
    .option('--json <file>', 'also write the report as JSON')
    .action(async (o: { json?: string }) => {
      const { runQueryBench, formatQueryBench } = await import('../bench/query/compare.js');
      const report = await runQueryBench();
      process.stdout.write(`${formatQueryBench(report)}\n`);
      if (o.json !== undefined) fs.writeFileSync(o.json, `${JSON.stringify(report, null, 2)}\n`);
    });

  bench
    .command('jobs')
    .description('job queue: enqueue, claim+complete and submit-to-start latency, fairdb vs a SQLite queue, plainjob and BullMQ (on a local redis-server when one can be started)')
    .addOption(new Option('--jobs <n>', 'jobs per row').argParser(positiveInteger('--jobs', 10_000_000)).default(20_000))
    .option('--json <file>', 'also write the report as JSON')
    .action(async (o: { jobs: number; json?: string }) => {
      const { runJobsBench, formatJobsBench } = await import('../bench/jobs/compare.js');
      const report = await runJobsBench({ jobs: o.jobs });
      process.stdout.write(`${formatJobsBench(report)}\n`);
      if (o.json !== undefined) fs.writeFileSync(o.json, `${JSON.stringify(report, null, 2)}\n`);
    });

  for (const [name, script, description] of [
    ['wal', '../bench/wal/commit.js', 'write-ahead log commits: fairdb devices vs better-sqlite3 and lmdb'],
    ['devices', '../bench/devices.js', 'device write+persist micro-benchmark'],
    ['btree', '../bench/btree.js', 'B+tree index micro-benchmark'],
    ['sched', '../bench/sched/compare.js', 'scheduling policies compared on generated workloads'],
  ] as const) {
    bench
      .command(name)
      .description(`${description} (options are passed to the script)`)
      .allowUnknownOption()
      .helpOption(false)
      .argument('[args...]')
      .action(async (args: string[]) => {
        process.exitCode = await runScript(script, args);
      });
  }
  return program;
}

async function main(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  const { schedCommand } = await import('../scheduler/index.js');
  program.addCommand(schedCommand());
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : exitUsage;
    if (error instanceof FairdbError) {
      process.stderr.write(`error: ${error.message} (${error.code})\n`);
      return 1;
    }
    throw error;
  }
}

if (process.argv[1] !== undefined && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
