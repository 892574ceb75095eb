/**
 * Where workloads and simulation runs are kept. `WorkloadStore` is the
 * interface the database backs with tables (a workload table per name,
 * `sim_runs`, `sim_jobs`); `MemoryWorkloadStore` is the in-memory
 * implementation used by the CLI without a database and by tests.
 *
 * Workload names are SQL-identifier-like (`[A-Za-z_][A-Za-z0-9_]{0,63}`) so
 * that a table can be named after them.
 */
import { FairdbError, InvalidArgumentError } from '../storage/device/index.js';
import type { ClusterSpec, JobSpec } from './model.js';
import type { JobOutcome, Summary, TenantOutcome } from './metrics.js';
import type { PolicySpec } from './policies/registry.js';

/** Longest workload name, in characters. */
export const workloadNameLengthMax = 64;
const namePattern = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** A stored simulation run (one row of `sim_runs`). */
export interface SimRunRecord {
  readonly runId: number;
  readonly workload: string;
  readonly policy: PolicySpec;
  readonly cluster: ClusterSpec;
  readonly seed: number;
  readonly leaseSeconds: number;
  readonly tickSeconds: number;
  readonly summary: Summary;
}

/** A stored run with its per-job rows (`sim_jobs`) and per-tenant results. */
export interface StoredRun {
  readonly run: SimRunRecord;
  readonly jobs: readonly JobOutcome[];
  readonly tenants: readonly TenantOutcome[];
}

export interface WorkloadStore {
  /** Saves (or replaces) a workload. */
  saveWorkload(name: string, jobs: readonly JobSpec[]): void;
  /** The jobs of a workload; throws `NOT_FOUND` if there is none of that name. */
  loadWorkload(name: string): readonly JobSpec[];
  listWorkloads(): readonly string[];
  /** Deletes a workload; returns whether it existed. */
  deleteWorkload(name: string): boolean;
  /** Saves a run and its results; returns the new run id (1, 2, ...). */
  saveRun(run: Omit<SimRunRecord, 'runId'>, jobs: readonly JobOutcome[], tenants: readonly TenantOutcome[]): number;
  /** A stored run; throws `NOT_FOUND` if there is none with that id. */
  loadRun(runId: number): StoredRun;
  listRuns(): readonly SimRunRecord[];
}

/** Throws `INVALID_ARGUMENT` unless `name` is a valid workload name. */
export function checkWorkloadName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !namePattern.test(name)) {
    throw new InvalidArgumentError(`workload name must match ${namePattern.source} (letters, digits, _; at most ${workloadNameLengthMax}), got ${JSON.stringify(name)}`);
  }
}

/** Keeps everything in Maps; values are copied in and frozen, so callers cannot change them. */
export class MemoryWorkloadStore implements WorkloadStore {
  private readonly workloads = new Map<string, readonly JobSpec[]>();
  private readonly runs = new Map<number, StoredRun>();
  private nextRunId = 1;

  saveWorkload(name: string, jobs: readonly JobSpec[]): void {
    checkWorkloadName(name);
    this.workloads.set(name, Object.freeze(jobs.map((j) => Object.freeze({ ...j }))));
  }

  loadWorkload(name: string): readonly JobSpec[] {
    checkWorkloadName(name);
    const jobs = this.workloads.get(name);
    if (jobs === undefined) throw new FairdbError('NOT_FOUND', `no workload named ${JSON.stringify(name)}`);
    return jobs;
  }

  listWorkloads(): readonly string[] {
    return [...this.workloads.keys()].sort();
  }

  deleteWorkload(name: string): boolean {
    checkWorkloadName(name);
    return this.workloads.delete(name);
  }

  saveRun(run: Omit<SimRunRecord, 'runId'>, jobs: readonly JobOutcome[], tenants: readonly TenantOutcome[]): number {
    const runId = this.nextRunId++;
    this.runs.set(runId, Object.freeze({ run: Object.freeze({ ...run, runId }), jobs: Object.freeze(jobs.slice()), tenants: Object.freeze(tenants.slice()) }));
    return runId;
  }

  loadRun(runId: number): StoredRun {
    const run = this.runs.get(runId);
    if (run === undefined) throw new FairdbError('NOT_FOUND', `no simulation run ${runId}`);
    return run;
  }

  listRuns(): readonly SimRunRecord[] {
    return [...this.runs.values()].map((r) => r.run);
  }
}
