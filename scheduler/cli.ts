/**
 * `fairdb sched generate|import|simulate|compare`: command handlers built
 * with commander. `schedCommand()` returns the `sched` command for the main
 * `fairdb` CLI to mount (`program.addCommand(schedCommand())`);
 * `runSched(argv)` runs it on its own and returns the exit code (tests, and
 * any host that must not exit the process).
 *
 * Bad arguments and bad input files print `error: ...` on stderr and exit
 * with code 1; `--help` on any command prints its usage.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError as OptionValueError, Option } from 'commander';
import { FairdbError, IoError } from '../storage/device/index.js';
import { comparePolicies, formatComparison } from './compare.js';
import type { ClusterSpec, JobSpec } from './model.js';
import { policyNames, type PolicySpec } from './policies/registry.js';
import { runSimulation } from './simulate.js';
import { simulateStored } from './stored-simulation.js';
import { formatTable } from './table.js';
import { formatTraceCsv, parseTraceCsv } from './trace-csv.js';
import { generateWorkload, workloadPresets, type WorkloadOptions, type WorkloadPresetName } from './workload.js';
import { MemoryWorkloadStore, type WorkloadStore } from './workload-store.js';

/** Where the commands read and write; every field defaults to the process's own. */
export interface SchedIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readFile: (path: string) => string;
  readonly writeFile: (path: string, text: string) => void;
  /** Where `--name` saves workloads and `--workload` reads them; default a fresh in-memory store. */
  readonly store: WorkloadStore;
}

function defaultIo(io: Partial<SchedIo>): SchedIo {
  return {
    stdout: io.stdout ?? ((text) => void process.stdout.write(text)),
    stderr: io.stderr ?? ((text) => void process.stderr.write(text)),
    readFile: (path) => hostCall(`cannot read ${path}`, () => (io.readFile ?? ((p: string) => readFileSync(p, 'utf8')))(path)),
    writeFile: (path, text) => hostCall(`cannot write ${path}`, () => (io.writeFile ?? writeFileSync)(path, text)),
    store: io.store ?? new MemoryWorkloadStore(),
  };
}

/** Runs a file-system call, turning its failure (other than a FairdbError) into an `IO` error. */
function hostCall<T>(what: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (error instanceof FairdbError) throw error;
    throw new IoError(what, error);
  }
}

function integer(min: number, max: number) {
  return (value: string): number => {
    if (!/^[+-]?\d+$/.test(value.trim())) throw new OptionValueError(`expected an integer in ${min}..${max}`);
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new OptionValueError(`expected an integer in ${min}..${max}`);
    return n;
  };
}

function decimal(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new OptionValueError(`expected a number in ${min}..${max}`);
    return n;
  };
}

function seedList(value: string): number[] {
  const seeds = value.split(',').map((s) => s.trim());
  if (seeds.length === 0 || seeds.length > 100 || seeds.some((s) => !/^\d{1,15}$/.test(s))) {
    throw new OptionValueError('expected 1..100 comma-separated non-negative integers');
  }
  return seeds.map(Number);
}

/** `k=v`: v is a number, a comma-separated list of numbers, true/false, or text. */
function collectParam(value: string, previous: Record<string, unknown>): Record<string, unknown> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new OptionValueError('expected key=value');
  const key = value.slice(0, eq).trim();
  const raw = value.slice(eq + 1).trim();
  let parsed: unknown = raw;
  if (raw === 'true' || raw === 'false') parsed = raw === 'true';
  else if (raw !== '' && raw.split(',').every((p) => p.trim() !== '' && Number.isFinite(Number(p)))) {
    const numbers = raw.split(',').map(Number);
    parsed = numbers.length === 1 ? numbers[0] : numbers;
  }
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  Object.assign(out, previous);
  Object.defineProperty(out, key, { value: parsed, enumerable: true, writable: true, configurable: true });
  return out;
}

interface ClusterFlags {
  machines: number;
  slotsPerMachine: number;
  racks: number;
}

interface GeneratorFlags extends ClusterFlags {
  jobs: number;
  tenants: number;
  load: number;
  searchJobs: number;
  durationMedian: number;
  deadlineFraction: number;
  elasticFraction: number;
  sensitiveFraction: number;
  preset?: WorkloadPresetName;
}

function addClusterOptions(command: Command): Command {
  return command
    .addOption(new Option('--machines <n>', 'machines in the cluster').argParser(integer(1, 100_000)).default(16))
    .addOption(new Option('--slots-per-machine <n>', 'slots (GPUs) per machine').argParser(integer(1, 1024)).default(8))
    .addOption(new Option('--racks <n>', 'racks the machines are grouped into').argParser(integer(1, 100_000)).default(1));
}

function addGeneratorOptions(command: Command): Command {
  return addClusterOptions(command)
    .addOption(new Option('--jobs <n>', 'jobs to generate').argParser(integer(1, 2_000_000)).default(1000))
    .addOption(new Option('--tenants <n>', 'tenants').argParser(integer(1, 100_000)).default(8))
    .addOption(new Option('--load <x>', 'offered load relative to the cluster').argParser(decimal(0.001, 100)).default(0.9))
    .addOption(new Option('--search-jobs <x>', 'mean jobs per hyperparameter search').argParser(decimal(1, 100_000)).default(16))
    .addOption(new Option('--duration-median <s>', 'median job running time, seconds').argParser(decimal(1, 1e8)).default(1800))
    .addOption(new Option('--deadline-fraction <x>', 'fraction of jobs with a deadline').argParser(decimal(0, 1)).default(0))
    .addOption(new Option('--elastic-fraction <x>', 'fraction of 2+ slot jobs made elastic').argParser(decimal(0, 1)).default(0))
    .addOption(new Option('--sensitive-fraction <x>', 'fraction of placement-sensitive searches').argParser(decimal(0, 1)).default(0.5))
    .addOption(
      new Option('--preset <name>', 'named generator settings, applied over the options above (themis-apps: one tenant per search, heavy-tailed jobs per search)').choices(
        Object.keys(workloadPresets),
      ),
    );
}

function clusterOf(flags: ClusterFlags): ClusterSpec {
  return { machines: flags.machines, slotsPerMachine: flags.slotsPerMachine, racks: flags.racks };
}

function generatorOptions(flags: GeneratorFlags, seed: number): WorkloadOptions {
  return {
    seed,
    jobs: flags.jobs,
    tenants: flags.tenants,
    cluster: clusterOf(flags),
    load: flags.load,
    searchJobsMean: flags.searchJobs,
    durationMedianSeconds: flags.durationMedian,
    deadlineFraction: flags.deadlineFraction,
    elasticFraction: flags.elasticFraction,
    sensitiveFraction: flags.sensitiveFraction,
    ...(flags.preset === undefined ? {} : workloadPresets[flags.preset]),
  };
}

function describeWorkload(jobs: readonly JobSpec[]): string {
  const tenants = new Set(jobs.map((j) => j.tenant)).size;
  const work = jobs.reduce((sum, j) => sum + j.work, 0);
  const deadlines = jobs.filter((j) => j.deadline !== undefined).length;
  const first = jobs.reduce((m, j) => Math.min(m, j.arrival), Infinity);
  const last = jobs.reduce((m, j) => Math.max(m, j.arrival), -Infinity);
  return `${jobs.length} jobs, ${tenants} tenants, ${Math.round(work)} slot-seconds of work, arrivals over ${jobs.length === 0 ? 0 : Math.round(last - first)} s, ${deadlines} with deadlines\n`;
}

/**
 * Wraps an action so that a `FairdbError` (bad input) becomes a clean
 * `error: ...` and exit code 1 instead of a stack trace.
 */
function guarded<A extends unknown[]>(command: Command, action: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      action(...args);
    } catch (error) {
      if (error instanceof FairdbError) command.error(`error: ${error.message}`, { exitCode: 1, code: `fairdb.${error.code}` });
      throw error;
    }
  };
}

/** The `sched` command with its four subcommands. */
export function schedCommand(ioOptions: Partial<SchedIo> = {}): Command {
  const io = defaultIo(ioOptions);
  const sched = new Command('sched').description('scheduling workloads: generate or import traces, simulate policies, compare them');
  sched.configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  const loadJobs = (flags: GeneratorFlags & { trace?: string; workload?: string }, seed: number): readonly JobSpec[] => {
    if (flags.trace !== undefined && flags.workload !== undefined) throw new FairdbError('INVALID_ARGUMENT', 'give --trace or --workload, not both');
    if (flags.trace !== undefined) return parseTraceCsv(io.readFile(flags.trace));
    if (flags.workload !== undefined) return io.store.loadWorkload(flags.workload);
    return generateWorkload(generatorOptions(flags, seed));
  };

  const generate = addGeneratorOptions(new Command('generate'))
    .description('generate a Themis-like trace (tenants running hyperparameter searches) as CSV')
    .addOption(new Option('--seed <n>', 'generator seed').argParser(integer(0, Number.MAX_SAFE_INTEGER)).default(1))
    .option('--out <file>', 'write the CSV here instead of stdout')
    .option('--name <workload>', 'also save the workload under this name');
  generate.action(
    guarded(generate, (flags: GeneratorFlags & { seed: number; out?: string; name?: string }) => {
      const jobs = generateWorkload(generatorOptions(flags, flags.seed));
      const csv = formatTraceCsv(jobs);
      if (flags.name !== undefined) io.store.saveWorkload(flags.name, jobs);
      if (flags.out !== undefined) {
        io.writeFile(flags.out, csv);
        io.stdout(`wrote ${flags.out}: ${describeWorkload(jobs)}`);
      } else io.stdout(csv);
    }),
  );

  const importCommand = new Command('import')
    .description('validate a CSV trace (jobid,tenant,arrival,slots,work[,deadline]) and optionally save it as a workload')
    .argument('<file>', 'CSV trace')
    .option('--name <workload>', 'save the workload under this name');
  importCommand.action(
    guarded(importCommand, (file: string, flags: { name?: string }) => {
      const jobs = parseTraceCsv(io.readFile(file));
      if (flags.name !== undefined) io.store.saveWorkload(flags.name, jobs);
      io.stdout(`${file}: ${describeWorkload(jobs)}${flags.name !== undefined ? `saved as workload ${flags.name}\n` : ''}`);
    }),
  );

  const simulateCommand = addGeneratorOptions(new Command('simulate'))
    .description('simulate one policy on a trace, a stored workload or a generated workload')
    .option('--trace <file>', 'CSV trace to replay')
    .option('--workload <name>', 'stored workload to replay (the run is stored too)')
    .addOption(new Option('--policy <name>', 'policy').choices([...policyNames]).default('themis'))
    .addOption(new Option('--param <key=value>', 'policy parameter (repeatable), e.g. f=0.9').argParser(collectParam).default({}))
    .addOption(new Option('--seed <n>', 'seed of the run (and of the generated workload)').argParser(integer(0, Number.MAX_SAFE_INTEGER)).default(1))
    .addOption(new Option('--lease <s>', 'lease period, seconds').argParser(decimal(0.001, 1e9)).default(600))
    .addOption(new Option('--tick <s>', 'decision round, seconds (0: every event)').argParser(decimal(0, 1e9)).default(0))
    .option('--json', 'print the whole result as JSON');
  simulateCommand.action(
    guarded(
      simulateCommand,
      (flags: GeneratorFlags & { trace?: string; workload?: string; policy: string; param: Record<string, unknown>; seed: number; lease: number; tick: number; json?: boolean }) => {
        const policy: PolicySpec = { ...flags.param, name: flags.policy };
        const cluster = clusterOf(flags);
        let result;
        let runId: number | undefined;
        if (flags.workload !== undefined && flags.trace === undefined) {
          ({ runId, result } = simulateStored(io.store, { workload: flags.workload, policy, cluster, seed: flags.seed, leaseSeconds: flags.lease, tickSeconds: flags.tick }));
        } else {
          result = runSimulation({ cluster, policy, jobs: loadJobs(flags, flags.seed), seed: flags.seed, leaseSeconds: flags.lease, tickSeconds: flags.tick }).result;
        }
        if (flags.json === true) {
          io.stdout(`${JSON.stringify(result)}\n`);
          return;
        }
        const s = result.summary;
        io.stdout(
          `${formatTable(
            ['policy', 'maxRho', 'meanRho', 'jainRho', 'meanJct(s)', 'p99Jct(s)', 'makespan(s)', 'util', 'misses'],
            [[flags.policy, r3(s.maxRho), r3(s.meanRho), r3(s.jainRho), Math.round(s.meanJct), Math.round(s.p99Jct), Math.round(s.makespan), r3(s.utilization), s.deadlineMisses]],
          )}\n\n${formatTable(
            ['tenant', 'rho', 'jctMean(s)'],
            result.tenants.map((t) => [t.tenant, r3(t.rho), Math.round(t.jctMean)]),
          )}\n${runId !== undefined ? `stored as run ${runId}\n` : ''}`,
        );
      },
    ),
  );

  const compareCommand = addGeneratorOptions(new Command('compare'))
    .description('run every policy on the same workload(s) and seeds; print one table of the mean results')
    .option('--trace <file>', 'CSV trace (the same for every seed)')
    .option('--workload <name>', 'stored workload (the same for every seed)')
    .addOption(new Option('--policies <list>', 'comma-separated policies').default(policyNames.join(',')))
    .addOption(new Option('--seeds <list>', 'comma-separated seeds; with a generated workload, one workload per seed').argParser(seedList).default([1, 2, 3]))
    .addOption(new Option('--lease <s>', 'lease period, seconds').argParser(decimal(0.001, 1e9)).default(600));
  compareCommand.action(
    guarded(compareCommand, (flags: GeneratorFlags & { trace?: string; workload?: string; policies: string; seeds: number[]; lease: number }) => {
      const names = flags.policies.split(',').map((p) => p.trim());
      const unknown = names.filter((n) => !(policyNames as readonly string[]).includes(n));
      if (unknown.length > 0 || names.length === 0) throw new FairdbError('INVALID_ARGUMENT', `unknown policies ${unknown.join(', ')} (known: ${policyNames.join(', ')})`);
      const fixed = flags.trace !== undefined || flags.workload !== undefined ? loadJobs(flags, 0) : undefined;
      const rows = comparePolicies({
        cluster: clusterOf(flags),
        policies: names.map((name) => ({ name })),
        seeds: flags.seeds,
        workload: (seed) => fixed ?? loadJobs(flags, seed),
        leaseSeconds: flags.lease,
      });
      io.stdout(`seeds ${flags.seeds.join(',')}; ${fixed !== undefined ? describeWorkload(fixed) : 'a generated workload per seed\n'}${formatComparison(rows)}\n`);
    }),
  );

  for (const command of [generate, importCommand, simulateCommand, compareCommand]) {
    command.configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    command.showHelpAfterError('(run with --help for usage)');
    sched.addCommand(command);
  }
  return sched;
}

function r3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Runs `sched` with `argv` (the arguments after `sched`); returns the exit code. */
export async function runSched(argv: readonly string[], io: Partial<SchedIo> = {}): Promise<number> {
  const command = schedCommand(io);
  const override = (c: Command) => {
    c.exitOverride();
    for (const sub of c.commands) override(sub);
  };
  override(command);
  try {
    await command.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
}
