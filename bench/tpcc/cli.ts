/**
 * `fairdb bench tpcc`: runs TPC-C on the drivers its caller provides and
 * prints the comparison (optionally writes it as JSON).
 *
 *   fairdb bench tpcc [--warehouses N] [--seconds S] [--durability sync|group]
 *                     [--json file] [--seed N] [--drivers a,b] [--dir path]
 *
 * Exit codes: 0 when every database passed the consistency conditions, 1
 * when one failed them or the run failed, 2 for bad arguments.
 *
 * The engine's CLI mounts `createTpccCommand({ drivers })` under `bench`.
 * Run directly (`node dist/bench/tpcc/cli.js ...`), it compares
 * better-sqlite3 and lmdb.
 */
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { FairdbError, unreachable } from '../../storage/device/index.js';
import { betterSqlite3Driver } from './better-sqlite3-driver.js';
import { tpccDurabilities, type TpccDriverFactory, type TpccDurability } from './driver.js';
import { formatTpccReport } from './format-report.js';
import { lmdbDriver } from './lmdb-driver.js';
import { runTpcc, secondsMax, warehousesMax, type TpccProgress, type TpccRunOptions } from './run.js';

export interface TpccCliOutput {
  write(text: string): void;
}

export interface TpccCliDependencies {
  /** Every driver the command can run; `--drivers` picks among them (default: all, in this order). */
  readonly drivers: readonly TpccDriverFactory[];
  /** Where the report goes; default process.stdout. */
  readonly stdout?: TpccCliOutput;
  /** Where errors and progress go; default process.stderr. */
  readonly stderr?: TpccCliOutput;
  /** Progress bars (when stderr is a terminal) or progress lines; default true. */
  readonly progress?: boolean;
  /**
   * Further options of the run that have no command-line argument (e.g. a
   * clock, `keepFiles`, or the reduced scale tests use); the arguments win.
   */
  readonly runOptions?: Omit<TpccRunOptions, 'drivers' | 'warehouses' | 'seconds' | 'durability' | 'seed' | 'directory' | 'onProgress'>;
}

/** Exit code for arguments that do not validate. */
export const exitCodeUsage = 2;
/** Exit code for a failed run or a consistency violation. */
export const exitCodeFailure = 1;

interface ParsedArguments {
  readonly warehouses: number;
  readonly seconds: number;
  readonly durability: TpccDurability;
  readonly seed: number;
  readonly json: string | undefined;
  readonly drivers: readonly TpccDriverFactory[];
  readonly directory: string | undefined;
}

/**
 * The `tpcc` command. Its action sets `process.exitCode`; use `runTpccCli`
 * to get the exit code instead.
 */
export function createTpccCommand(deps: TpccCliDependencies): Command {
  const command = new Command('tpcc');
  command
    .description('TPC-C (v5.11): load W warehouses into each database, run the standard transaction mix, check consistency conditions 1-4')
    .option('--warehouses <n>', `number of warehouses W, 1 to ${warehousesMax}`, '1')
    .option('--seconds <s>', `measured run per database, in seconds (up to ${secondsMax})`, '10')
    .addOption(new Option('--durability <level>', 'sync: durable at each commit; group: durable later, crash-safe').choices([...tpccDurabilities]).default('sync'))
    .option('--json <file>', 'also write the report as JSON to this file')
    .option('--seed <n>', 'seed of the data and of the transaction inputs', '1')
    .option('--drivers <names>', `comma-separated databases to run (${deps.drivers.map((d) => d.name).join(', ')})`)
    .option('--dir <path>', 'directory for the databases (default: the OS temp directory)')
    .allowExcessArguments(false)
    .action(async (raw: Record<string, string | undefined>) => {
      process.exitCode = await execute(raw, deps);
    });
  return command;
}

/** Parses `argv` (the arguments after `tpcc`), runs, and returns the exit code. */
export async function runTpccCli(argv: readonly string[], deps: TpccCliDependencies): Promise<number> {
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  let exitCode = 0;
  const command = createTpccCommand(deps);
  command
    .exitOverride()
    .configureOutput({ writeOut: (s) => stdout.write(s), writeErr: (s) => stderr.write(s) })
    .action(async (raw: Record<string, string | undefined>) => {
      exitCode = await execute(raw, deps);
    });
  try {
    await command.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : exitCodeUsage;
    throw error;
  }
  return exitCode;
}

async function execute(raw: Record<string, string | undefined>, deps: TpccCliDependencies): Promise<number> {
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const parsed = parseArguments(raw, deps.drivers);
  if (typeof parsed === 'string') {
    stderr.write(`error: ${parsed}\n`);
    return exitCodeUsage;
  }
  const progress = deps.progress ?? true;
  const reporter = progress ? progressReporter(stderr) : undefined;
  try {
    const report = await runTpcc({
      ...deps.runOptions,
      drivers: parsed.drivers,
      warehouses: parsed.warehouses,
      seconds: parsed.seconds,
      durability: parsed.durability,
      seed: parsed.seed,
      directory: parsed.directory,
      onProgress: reporter?.onProgress,
    });
    reporter?.stop();
    stdout.write(`${formatTpccReport(report)}\n`);
    if (parsed.json !== undefined) fs.writeFileSync(parsed.json, `${JSON.stringify(report, null, 2)}\n`);
    return report.passed ? 0 : exitCodeFailure;
  } catch (error) {
    reporter?.stop();
    if (error instanceof FairdbError && error.code === 'INVALID_ARGUMENT') {
      stderr.write(`error: ${error.message}\n`);
      return exitCodeUsage;
    }
    stderr.write(`error: TPC-C run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return exitCodeFailure;
  }
}

/** Every problem with the arguments in one message, or the parsed values. */
function parseArguments(raw: Record<string, string | undefined>, available: readonly TpccDriverFactory[]): ParsedArguments | string {
  const problems: string[] = [];
  const integer = (name: string, text: string | undefined, min: number, max: number): number => {
    const value = text !== undefined && /^-?\d+$/.test(text.trim()) ? Number(text) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) problems.push(`--${name} must be an integer from ${min} to ${max}, got '${text}'`);
    return value;
  };
  const warehouses = integer('warehouses', raw.warehouses, 1, warehousesMax);
  const seed = integer('seed', raw.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  const secondsText = raw.seconds ?? '';
  const seconds = /^\d+(\.\d+)?$/.test(secondsText.trim()) ? Number(secondsText) : NaN;
  if (!(seconds > 0 && seconds <= secondsMax)) problems.push(`--seconds must be a number above 0 and at most ${secondsMax}, got '${raw.seconds}'`);
  const durability = raw.durability as TpccDurability;
  if (!tpccDurabilities.includes(durability)) problems.push(`--durability must be one of ${tpccDurabilities.join(', ')}, got '${raw.durability}'`);
  if (raw.json !== undefined && raw.json.trim() === '') problems.push('--json needs a file name');
  if (raw.dir !== undefined && raw.dir.trim() === '') problems.push('--dir needs a directory');
  let drivers = available;
  if (raw.drivers !== undefined) {
    const byName = new Map(available.map((d) => [d.name, d]));
    const names = raw.drivers.split(',').map((n) => n.trim()).filter((n) => n !== '');
    const unknown = names.filter((n) => !byName.has(n));
    if (names.length === 0) problems.push('--drivers needs at least one name');
    if (unknown.length > 0) problems.push(`unknown driver ${unknown.map((n) => `'${n}'`).join(', ')}; available: ${available.map((d) => d.name).join(', ')}`);
    if (new Set(names).size !== names.length) problems.push('--drivers lists a driver twice');
    drivers = names.flatMap((n) => byName.get(n) ?? []);
  }
  if (available.length === 0) problems.push('no drivers are available');
  if (problems.length > 0) return problems.join('; ');
  return { warehouses, seconds, durability, seed, json: raw.json, drivers, directory: raw.dir };
}

/** Progress bars on a terminal, one line per phase otherwise (also used by the demo). */
export function progressReporter(stream: TpccCliOutput): { onProgress: (event: TpccProgress) => void; stop: () => void } {
  const tty = (stream as { isTTY?: boolean }).isTTY === true;
  let bar: SingleBar | undefined;
  let current = '';
  const stop = (): void => {
    bar?.stop();
    bar = undefined;
  };
  const begin = (key: string, format: string, total: number, payload: object): void => {
    if (current === key) return;
    stop();
    current = key;
    if (!tty) {
      stream.write(`${key}\n`);
      return;
    }
    bar = new SingleBar({ format, stream: stream as NodeJS.WritableStream, hideCursor: true, clearOnComplete: false }, Presets.shades_classic);
    bar.start(total, 0, payload);
  };
  const onProgress = (event: TpccProgress): void => {
    switch (event.phase) {
      case 'load':
        begin(`loading ${event.drivers}`, `load (${event.drivers}) [{bar}] {percentage}% | {value}/{total} rows`, event.rowsExpected, {});
        if (bar !== undefined) {
          if (event.rows > bar.getTotal()) bar.setTotal(event.rows);
          bar.update(event.rows);
        }
        return;
      case 'run':
        begin(`${event.driver}: running`, `${event.driver} run [{bar}] {elapsed} of ${event.totalMs / 1000} s | {transactions} transactions`, event.totalMs, {
          elapsed: '0.0',
          transactions: 0,
        });
        bar?.update(Math.min(event.totalMs, event.elapsedMs), { elapsed: (event.elapsedMs / 1000).toFixed(1), transactions: event.transactions });
        return;
      case 'check':
        stop();
        current = `${event.driver}: checking consistency`;
        stream.write(`${current}\n`);
        return;
      case 'done':
        stop();
        current = '';
        return;
      default:
        unreachable(event, 'progress event');
    }
  };
  return { onProgress, stop };
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  process.exitCode = await runTpccCli(process.argv.slice(2), { drivers: [betterSqlite3Driver(), lmdbDriver()] });
}
