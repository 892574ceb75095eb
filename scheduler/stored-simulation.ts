/**
 * Simulation over a stored workload, storing the run: what
 * `db.scheduler.simulate({ workload, policy, cluster, seed })` does once the
 * store is backed by tables.
 */
import type { ClusterSpec } from './model.js';
import type { SimulationResult } from './metrics.js';
import type { PolicySpec } from './policies/registry.js';
import { simulate } from './simulate.js';
import { leaseSecondsDefault } from './mechanism.js';
import type { WorkloadStore } from './workload-store.js';

export interface StoredSimulationInput {
  /** Name of a workload in the store. */
  readonly workload: string;
  readonly policy: PolicySpec;
  readonly cluster: ClusterSpec;
  readonly seed: number;
  /** Lease period in seconds; default 600. */
  readonly leaseSeconds?: number;
  /** Decision round in seconds; default 0. */
  readonly tickSeconds?: number;
}

/** Simulates a stored workload and stores the run; returns its id and result. */
export function simulateStored(store: WorkloadStore, input: StoredSimulationInput): { runId: number; result: SimulationResult } {
  const jobs = store.loadWorkload(input.workload);
  const leaseSeconds = input.leaseSeconds ?? leaseSecondsDefault;
  const tickSeconds = input.tickSeconds ?? 0;
  const result = simulate({ cluster: input.cluster, policy: input.policy, jobs, seed: input.seed, leaseSeconds, tickSeconds });
  const runId = store.saveRun(
    { workload: input.workload, policy: { ...input.policy }, cluster: { ...input.cluster }, seed: input.seed, leaseSeconds, tickSeconds, summary: result.summary },
    result.jobs,
    result.tenants,
  );
  return { runId, result };
}
