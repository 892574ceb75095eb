/**
 * Policy comparison: every policy on the same workloads and seeds, averaged
 * over seeds; used by `fairdb sched compare` and the benchmark.
 */
import type { ClusterSpec, JobSpec } from './model.js';
import type { Summary } from './metrics.js';
import type { LeaseAlignment } from './mechanism.js';
import { policyNames, type PolicySpec } from './policies/registry.js';
import { runSimulation, type SimulationRun } from './simulate.js';
import { formatTable } from './table.js';

export interface CompareInput {
  readonly cluster: ClusterSpec;
  /** Policies to compare; default every registered policy with default parameters. */
  readonly policies?: readonly PolicySpec[];
  /** Seeds; each seed is one run per policy. */
  readonly seeds: readonly number[];
  /** The workload for a seed (a generated one per seed, or the same trace for all). */
  readonly workload: (seed: number) => readonly JobSpec[];
  /** Lease period in seconds; default 600. */
  readonly leaseSeconds?: number;
  /** When leases end; default 'period'. */
  readonly leaseAlignment?: LeaseAlignment;
  /** Decision round in seconds; default 0. */
  readonly tickSeconds?: number;
  /** σ of the actual/estimated work factor; default 0. */
  readonly workEstimateError?: number;
}

export interface CompareRow {
  /** The policy's label: its name, with parameters if any were given. */
  readonly label: string;
  /** The summary averaged over seeds (each field the mean of the seeds' values). */
  readonly mean: Summary;
  readonly runs: readonly SimulationRun[];
}

/** A short label for a policy spec: `themis f=0.9`. */
export function policyLabel(spec: PolicySpec): string {
  const params = Object.entries(spec).filter(([k]) => k !== 'name');
  return params.length === 0 ? String(spec.name) : `${String(spec.name)} ${params.map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`).join(' ')}`;
}

export function comparePolicies(input: CompareInput): CompareRow[] {
  const policies = input.policies ?? policyNames.map((name) => ({ name }));
  const workloads = input.seeds.map((seed) => input.workload(seed));
  return policies.map((policy) => {
    const runs = input.seeds.map((seed, k) =>
      runSimulation({
        cluster: input.cluster,
        policy,
        jobs: workloads[k] as readonly JobSpec[],
        seed,
        leaseSeconds: input.leaseSeconds,
        leaseAlignment: input.leaseAlignment,
        tickSeconds: input.tickSeconds,
        workEstimateError: input.workEstimateError,
      }),
    );
    const mean = {} as Record<keyof Summary, number>;
    const keys = Object.keys(runs[0]?.result.summary ?? {}) as (keyof Summary)[];
    for (const key of keys) mean[key] = runs.reduce((sum, r) => sum + r.result.summary[key], 0) / runs.length;
    return { label: policyLabel(policy), mean: mean as Summary, runs };
  });
}

/** The comparison as one aligned table (JCTs and makespan in seconds). */
export function formatComparison(rows: readonly CompareRow[]): string {
  const header = ['policy', 'maxRho', 'meanRho', 'jainRho', 'meanJct(s)', 'p99Jct(s)', 'makespan(s)', 'util', 'misses'];
  return formatTable(
    header,
    rows.map((r) => [
      r.label,
      round(r.mean.maxRho, 3),
      round(r.mean.meanRho, 3),
      round(r.mean.jainRho, 3),
      Math.round(r.mean.meanJct),
      Math.round(r.mean.p99Jct),
      Math.round(r.mean.makespan),
      round(r.mean.utilization, 3),
      round(r.mean.deadlineMisses, 1),
    ]),
  );
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
