/**
 * `fairdb bench tpch`: command-line entry of the TPC-H comparison.
 *
 *   fairdb bench tpch [--sf N] [--queries 1,6] [--seed S] [--runs R] [--warmups W]
 *                     [--indexes all|none|a,b] [--json file] [--[no-]progress] [--generate-only]
 *
 * The engines come from the caller (`engines` factories, each given the
 * run's index set so that every engine gets the same schema), so the
 * package's CLI adds fairdb next to SQLite. Run directly (`node dist/bench/tpch/cli.js`)
 * it benchmarks SQLite alone.
 *
 * Exit codes: 0 when every answer matches, 1 when a query failed (mismatch
 * or error), 2 for bad arguments.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import cliProgress from 'cli-progress';
import { Command, CommanderError, InvalidArgumentError as CommanderArgumentError, Option } from 'commander';
import { FairdbError, unreachable } from '../../storage/device/index.js';
import type { TpchEngine } from './engine.js';
import { sfMax, sfMin, tpchData } from './generate.js';
import { tpchQueryNumbers } from './queries.js';
import { formatTpchReport, runTpch, runsMax, warmupsMax, type TpchProgressEvent } from './run.js';
import { tpchIndexNames, tpchTableNames, type TpchTableName } from './schema.js';
import { sqliteEngine } from './sqlite-engine.js';

/** Exit code when every answer matched. */
export const exitOk = 0;
/** Exit code when a query failed (answer mismatch or engine error) or the report could not be written. */
export const exitFailed = 1;
/** Exit code for bad arguments. */
export const exitUsage = 2;

/** What every engine of a run is given, so that all of them get the same schema. */
export interface TpchEngineContext {
  /** Names of the secondary indexes to build (see schema.ts). */
  readonly indexes: readonly string[];
}

export type TpchEngineFactory = (context: TpchEngineContext) => TpchEngine | Promise<TpchEngine>;

export interface TpchCliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
}

export interface TpchCliOptions {
  /** Creates the engines of a run, in report order; the first SQLite-dialect engine is the reference. Required. */
  engines: readonly TpchEngineFactory[];
  /** Where the tables and messages go. Default: the process's stdout and stderr. */
  io?: TpchCliIo;
  /** Writes the `--json` report. Default: `fs.writeFileSync`. */
  writeFile?: (path: string, text: string) => void;
  /** Receives the exit code when the command finishes. Default: sets `process.exitCode`. */
  onExit?: (code: number) => void;
}

interface ParsedOptions {
  sf: number;
  seed: number;
  queries: number[];
  runs: number;
  warmups: number;
  json?: string;
  progress?: boolean;
  generateOnly?: boolean;
  indexes: string[];
}

function parseSf(text: string): number {
  const sf = Number(text);
  if (text.trim() === '' || !Number.isFinite(sf) || sf < sfMin || sf > sfMax) {
    throw new CommanderArgumentError(`the scale factor must be a number in [${sfMin}, ${sfMax}]`);
  }
  try {
    tpchData({ sf });
  } catch (error) {
    throw new CommanderArgumentError(error instanceof Error ? error.message : String(error));
  }
  return sf;
}

function parseInteger(what: string, min: number, max: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new CommanderArgumentError(`${what} must be an integer in [${min}, ${max}]`);
    }
    return value;
  };
}

/** "1,6", "1-5,7" or "all" → query numbers, validated (1–22, no repeats). */
export function parseQueryList(text: string): number[] {
  if (text.trim().toLowerCase() === 'all') return tpchQueryNumbers.slice();
  const numbers: number[] = [];
  for (const part of text.split(',')) {
    const range = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (range === null) throw new CommanderArgumentError(`"${part.trim()}" is not a query number or range (use e.g. 1,6 or 1-5,7)`);
    const from = Number(range[1]);
    const to = range[2] === undefined ? from : Number(range[2]);
    for (const n of [from, to]) if (!tpchQueryNumbers.includes(n)) throw new CommanderArgumentError(`query ${n} does not exist: TPC-H queries are 1 to 22`);
    if (to < from) throw new CommanderArgumentError(`the range ${from}-${to} is reversed`);
    for (let n = from; n <= to; n++) {
      if (numbers.includes(n)) throw new CommanderArgumentError(`query ${n} is listed twice`);
      numbers.push(n);
    }
  }
  return numbers;
}

/** "all", "none" or a comma-separated list of index names → index names, validated. */
export function parseIndexList(text: string): string[] {
  const t = text.trim().toLowerCase();
  if (t === 'all') return tpchIndexNames.slice();
  if (t === 'none') return [];
  const names = text.split(',').map((n) => n.trim());
  for (const name of names) {
    if (!tpchIndexNames.includes(name)) throw new CommanderArgumentError(`"${name}" is not a TPC-H index; known: ${tpchIndexNames.join(', ')}`);
  }
  if (new Set(names).size !== names.length) throw new CommanderArgumentError('an index is listed twice');
  return names;
}

/** Progress bars on stderr for loads and queries. */
export function progressBars(stream: NodeJS.WritableStream): { onProgress: (event: TpchProgressEvent) => void; stop: () => void } {
  const multibar = new cliProgress.MultiBar(
    { stream, format: '{name} |{bar}| {percentage}% {value}/{total} {detail}', hideCursor: true, clearOnComplete: false, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  const loadBars = new Map<string, cliProgress.SingleBar>();
  let queryBar: cliProgress.SingleBar | undefined;
  const onProgress = (event: TpchProgressEvent): void => {
    switch (event.phase) {
      case 'load': {
        let bar = loadBars.get(event.engine);
        if (bar === undefined) {
          bar = multibar.create(event.expectedRows, 0, { name: `load ${event.engine}`, detail: '' });
          loadBars.set(event.engine, bar);
        }
        bar.setTotal(event.expectedRows);
        bar.update(event.loadedRows, { detail: event.table });
        break;
      }
      case 'loaded':
        loadBars.get(event.engine)?.update({ detail: `done in ${(event.ms / 1000).toFixed(1)} s` });
        break;
      case 'query':
        queryBar ??= multibar.create(event.total, 0, { name: 'queries', detail: '' });
        queryBar.update(event.done, { detail: `Q${event.query} ${event.engine}` });
        break;
      case 'finished':
        queryBar?.update(event.total, { detail: 'done' });
        break;
      default:
        unreachable(event, 'progress event');
    }
  };
  return { onProgress, stop: () => multibar.stop() };
}

/** Generates the data once without loading it, for timing the generator. */
function generateOnly(options: ParsedOptions, io: TpchCliIo, progress: boolean): void {
  const data = tpchData({ sf: options.sf, seed: options.seed });
  const total = tpchTableNames.reduce((sum, t) => sum + data.rowCounts[t], 0);
  const bar = progress
    ? new cliProgress.SingleBar({ stream: io.stderr as NodeJS.WritableStream, format: 'generate |{bar}| {percentage}% {value}/{total} {table}' }, cliProgress.Presets.shades_classic)
    : undefined;
  bar?.start(total, 0, { table: '' });
  const counts = new Map<TpchTableName, number>();
  let rows = 0;
  const start = performance.now();
  for (const batch of data.batches()) {
    counts.set(batch.table, (counts.get(batch.table) ?? 0) + batch.rowCount);
    rows += batch.rowCount;
    bar?.update(Math.min(rows, total), { table: batch.table });
  }
  const ms = performance.now() - start;
  bar?.stop();
  io.stdout.write(
    `TPC-H SF ${options.sf}, seed ${options.seed}: generated ${rows.toLocaleString('en-US')} rows in ${(ms / 1000).toFixed(2)} s\n` +
      `${tpchTableNames.map((t) => `${t} ${(counts.get(t) ?? 0).toLocaleString('en-US')}`).join(', ')}\n`,
  );
}

/** The `tpch` command, ready to be added under `fairdb bench`. */
export function createTpchCommand(cli: TpchCliOptions): Command {
  const io = cli.io ?? { stdout: process.stdout, stderr: process.stderr };
  const writeFile = cli.writeFile ?? ((path: string, text: string) => writeFileSync(path, text));
  const onExit = cli.onExit ?? ((code: number) => (process.exitCode = code));
  const command = new Command('tpch')
    .description(
      'TPC-H: generate the data, load it into every engine, run the queries, check each answer against SQLite and compare times',
    )
    .addOption(new Option('--sf <n>', `scale factor, ${sfMin} to ${sfMax} (1 = 6 million lineitems)`).argParser(parseSf).default(0.01))
    .addOption(new Option('--queries <list>', 'queries to run: numbers and ranges such as 1,6 or 1-5,7, or all').argParser(parseQueryList).default(tpchQueryNumbers.slice(), 'all'))
    .addOption(new Option('--seed <s>', 'seed of the data generator').argParser(parseInteger('the seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)).default(1))
    .addOption(new Option('--runs <n>', 'timed runs per query and engine (the median is reported)').argParser(parseInteger('--runs', 1, runsMax)).default(3))
    .addOption(new Option('--warmups <n>', 'untimed runs before the timed ones').argParser(parseInteger('--warmups', 0, warmupsMax)).default(1))
    .addOption(
      new Option('--indexes <list>', 'secondary indexes every engine builds: all, none, or names from bench/tpch/schema.ts').argParser(parseIndexList).default(tpchIndexNames.slice(), 'all'),
    )
    .option('--json <file>', 'also write the report as JSON to this file')
    .option('--progress', 'show progress bars (default: when stderr is a terminal)')
    .option('--no-progress', 'do not show progress bars')
    .option('--generate-only', 'only generate the data once and report the time it took')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride()
    .action(async (options: ParsedOptions) => {
      onExit(await runCommand(options, cli, io, writeFile));
    });
  return command;
}

async function runCommand(options: ParsedOptions, cli: TpchCliOptions, io: TpchCliIo, writeFile: (path: string, text: string) => void): Promise<number> {
  const progress = options.progress ?? io.stderr.isTTY === true;
  if (options.generateOnly === true) {
    generateOnly(options, io, progress);
    return exitOk;
  }
  const engines: TpchEngine[] = [];
  const bars = progress ? progressBars(io.stderr as NodeJS.WritableStream) : undefined;
  try {
    const context: TpchEngineContext = Object.freeze({ indexes: Object.freeze(options.indexes.slice()) });
    for (const factory of cli.engines) engines.push(await factory(context));
    const report = await runTpch({
      engines,
      sf: options.sf,
      seed: options.seed,
      queries: options.queries,
      runs: options.runs,
      warmups: options.warmups,
      indexes: context.indexes,
      ...(bars === undefined ? {} : { onProgress: bars.onProgress }),
    });
    bars?.stop();
    io.stdout.write(`${formatTpchReport(report)}\n`);
    if (options.json !== undefined) {
      try {
        writeFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
      } catch (error) {
        io.stderr.write(`error: cannot write the report to ${options.json}: ${error instanceof Error ? error.message : String(error)}\n`);
        return exitFailed;
      }
      io.stdout.write(`report written to ${options.json}\n`);
    }
    return report.passed ? exitOk : exitFailed;
  } catch (error) {
    bars?.stop();
    if (error instanceof FairdbError && error.code === 'INVALID_ARGUMENT') {
      io.stderr.write(`error: ${error.message}\n`);
      return exitUsage;
    }
    throw error;
  } finally {
    for (const engine of engines) await engine.close();
  }
}

/**
 * Parses `argv` (the arguments after `tpch`) and runs the command; resolves
 * to the exit code. Usage errors are written to `io.stderr`.
 */
export async function tpchCommand(argv: readonly string[], cli: TpchCliOptions): Promise<number> {
  let code: number = exitOk;
  const command = createTpchCommand({ ...cli, onExit: (c) => (code = c) });
  try {
    await command.parseAsync(argv.slice(), { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version' ? exitOk : exitUsage;
    }
    throw error;
  }
  return code;
}

// Run directly: SQLite alone.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await tpchCommand(process.argv.slice(2), { engines: [({ indexes }) => sqliteEngine({ indexes })] });
}
