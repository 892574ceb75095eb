/**
 * Lower bounds on finish-time fairness: how low any schedule could bring a
 * tenant's rho, so that a measured max rho can be judged against the best
 * that is possible on the workload.
 *
 * A job progresses at most at `sizeMax` slot-seconds per second (all the
 * slots it can use, perfect placement), so no tenant finishes before its
 * critical path: `critical = max_j (arrival_j + work_j / sizeMax_j) - start`
 * (start = its first arrival). Hence `rho = T_shared / T_independent ≥
 * critical / T_independent`. T_independent itself depends on the schedule
 * through the contention the tenant sees (`fair-share.ts`), so there are two
 * bounds:
 *
 * - `rhoLowerBounds(input, result)`: with the T_independent of that run. Each
 *   tenant's bound is at most its rho in the run, and the largest bound is
 *   at most the run's max rho.
 * - `rhoLowerBoundsAnyPolicy(input)`: with the largest T_independent any
 *   run can give. The contention W̄ a tenant sees never exceeds the total
 *   weight of the workload's tenants, so its share is at least
 *   `C * w / W_all` and T_independent at most the fluid finish at that share.
 *   A bound of 1 means that no policy brings that tenant's rho below 1, so
 *   no policy has a max rho below 1 on the workload.
 *
 * Both hold when the work estimates are exact (`workEstimateError` 0); with
 * estimate error a job may need less work than its estimate.
 */
import { fairShare, idealAfter, type IdealFluid } from './policies/fair-share.js';
import type { SimulationResult } from './metrics.js';
import { resolveCluster, resolveJobs, type ClusterSpec, type Job, type JobSpec } from './model.js';

export interface RhoBoundInput {
  readonly cluster: ClusterSpec;
  readonly jobs: readonly JobSpec[];
}

export interface TenantRhoBound {
  readonly tenant: string;
  /** Seconds from the tenant's first arrival to the end of its critical path. */
  readonly critical: number;
  /** T_independent used, in seconds. */
  readonly independent: number;
  /** `critical / independent`: no schedule gives the tenant a lower rho. */
  readonly bound: number;
}

export interface RhoBounds {
  /** One entry per tenant, in order of first appearance in the jobs. */
  readonly tenants: readonly TenantRhoBound[];
  /** The largest tenant bound: a lower bound on max rho (0 without jobs). */
  readonly max: number;
}

interface TenantJobs {
  readonly jobs: Job[];
  start: number;
  critical: number;
}

function byTenant(jobs: readonly Job[]): Map<string, TenantJobs> {
  const tenants = new Map<string, TenantJobs>();
  for (const job of jobs) {
    let t = tenants.get(job.tenant);
    if (t === undefined) tenants.set(job.tenant, (t = { jobs: [], start: Infinity, critical: -Infinity }));
    t.jobs.push(job);
    t.start = Math.min(t.start, job.arrival);
    t.critical = Math.max(t.critical, job.arrival + job.work / job.sizeMax);
  }
  return tenants;
}

function bounds(list: TenantRhoBound[]): RhoBounds {
  let max = 0;
  for (const t of list) max = Math.max(max, t.bound);
  return { tenants: list, max };
}

/** The critical-path bound of every tenant with the T_independent of a run (`result` of simulating `input`). */
export function rhoLowerBounds(input: RhoBoundInput, result: SimulationResult): RhoBounds {
  const tenants = byTenant(resolveJobs(input.jobs, resolveCluster(input.cluster)));
  const lastFinish = new Map<string, number>();
  for (const j of result.jobs) lastFinish.set(j.tenant, Math.max(lastFinish.get(j.tenant) ?? -Infinity, j.finish));
  const rhoOf = new Map(result.tenants.map((t) => [t.tenant, t.rho]));
  const list: TenantRhoBound[] = [];
  for (const [tenant, t] of tenants) {
    const rho = rhoOf.get(tenant);
    const finish = lastFinish.get(tenant);
    if (rho === undefined || finish === undefined || !(rho > 0)) continue;
    // The run's T_independent, recovered from its rho: rho = T_shared / T_independent.
    const independent = (finish - t.start) / rho;
    const critical = t.critical - t.start;
    list.push({ tenant, critical, independent, bound: critical / independent });
  }
  return bounds(list);
}

/** The critical-path bound of every tenant that holds under any policy (see the file comment). */
export function rhoLowerBoundsAnyPolicy(input: RhoBoundInput): RhoBounds {
  const cluster = resolveCluster(input.cluster);
  const tenants = byTenant(resolveJobs(input.jobs, cluster));
  let weightAll = 0;
  for (const t of tenants.values()) weightAll += (t.jobs[0] as Job).weight;
  const list: TenantRhoBound[] = [];
  for (const [tenant, t] of tenants) {
    const ordered = t.jobs.slice().sort((a, b) => a.arrival - b.arrival);
    const share = fairShare(cluster.slots, (ordered[0] as Job).weight, weightAll);
    let fluid: IdealFluid = { queue: t.start, bound: t.start };
    for (const job of ordered) fluid = idealAfter(fluid, job.arrival, job.work, job.sizeMax, share);
    const independent = Math.max(fluid.queue, fluid.bound) - t.start;
    const critical = t.critical - t.start;
    list.push({ tenant, critical, independent, bound: critical / Math.max(independent, Number.MIN_VALUE) });
  }
  return bounds(list);
}
