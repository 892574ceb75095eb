/**
 * The outcome of a simulation: per job, per tenant, and a summary.
 *
 * Definitions (all times in seconds):
 * - jct = finish - arrival.
 * - A job's rho = jct / T_independent(job), with T_independent(job) =
 *   work / min(sizeMax, share) and share = C * w / W̄ over [arrival, finish]
 *   (see `policies/fair-share.ts`).
 * - A tenant's rho = T_shared / T_independent, with T_shared = its last
 *   finish - its first arrival, and T_independent the fluid finish time of
 *   its jobs on its share over its whole lifetime (fair-share.ts).
 * - maxRho, meanRho and jainRho (Jain's index) are over tenants.
 * - meanJct and p99Jct (nearest rank) are over jobs.
 * - makespan = last finish - first arrival.
 * - utilization = work done (slot-seconds at perfect placement) / (slots *
 *   makespan): the useful fraction of the capacity, so that time lost to
 *   bad placement counts against it.
 * - deadlineMisses = jobs with a deadline that finished after it.
 */
import { fairShare, idealAfter, jainIndex, type IdealFluid } from './policies/fair-share.js';
import type { Job } from './model.js';

export interface JobOutcome {
  readonly id: string;
  readonly tenant: string;
  readonly arrival: number;
  readonly start: number;
  readonly finish: number;
  readonly jct: number;
  readonly rho: number;
  /** Present for jobs with a deadline. */
  readonly deadlineMet?: boolean;
}

export interface TenantOutcome {
  readonly tenant: string;
  readonly rho: number;
  readonly jctMean: number;
}

export interface Summary {
  readonly maxRho: number;
  readonly meanRho: number;
  readonly jainRho: number;
  readonly meanJct: number;
  readonly p99Jct: number;
  readonly makespan: number;
  readonly utilization: number;
  readonly deadlineMisses: number;
}

export interface SimulationResult {
  readonly jobs: readonly JobOutcome[];
  readonly tenants: readonly TenantOutcome[];
  readonly summary: Summary;
}

/** What the simulator recorded about one job (input order). */
export interface JobTrace {
  readonly job: Job;
  /** The work the job actually needed (equal to `job.work` without estimate error). */
  readonly work: number;
  readonly start: number;
  readonly finish: number;
  /** Contention integral at arrival and at finish. */
  readonly contentionAtArrival: number;
  readonly contentionAtFinish: number;
}

/** Nearest-rank percentile of ascending `sorted` (p in (0, 100]). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

/**
 * Computes the result from per-job traces (input order). A tenant's
 * contention average uses the integral at its first arrival and its last
 * finish, both recorded in the traces.
 */
export function computeResult(traces: readonly JobTrace[], slots: number): SimulationResult {
  const jobs: JobOutcome[] = [];
  const byTenant = new Map<string, JobTrace[]>();
  let workDone = 0;
  let firstArrival = Infinity;
  let lastFinish = -Infinity;
  let deadlineMisses = 0;
  for (const t of traces) {
    const { job } = t;
    const jct = t.finish - job.arrival;
    const span = t.finish - job.arrival;
    const contention = span > 0 ? (t.contentionAtFinish - t.contentionAtArrival) / span : job.weight;
    const share = fairShare(slots, job.weight, contention);
    const independent = t.work / Math.min(job.sizeMax, share);
    const outcome: JobOutcome =
      job.deadline === undefined
        ? { id: job.id, tenant: job.tenant, arrival: job.arrival, start: t.start, finish: t.finish, jct, rho: jct / independent }
        : { id: job.id, tenant: job.tenant, arrival: job.arrival, start: t.start, finish: t.finish, jct, rho: jct / independent, deadlineMet: t.finish <= job.deadline };
    if (outcome.deadlineMet === false) deadlineMisses++;
    jobs.push(outcome);
    let list = byTenant.get(job.tenant);
    if (list === undefined) byTenant.set(job.tenant, (list = []));
    list.push(t);
    workDone += t.work;
    firstArrival = Math.min(firstArrival, job.arrival);
    lastFinish = Math.max(lastFinish, t.finish);
  }
  const tenants: TenantOutcome[] = [];
  for (const [tenant, list] of byTenant) {
    const ordered = list.slice().sort((a, b) => a.job.arrival - b.job.arrival);
    const first = ordered[0] as JobTrace;
    let last = first;
    let jctSum = 0;
    for (const t of list) {
      if (t.finish > last.finish) last = t;
      jctSum += t.finish - t.job.arrival;
    }
    const start = first.job.arrival;
    const span = last.finish - start;
    const contention = span > 0 ? (last.contentionAtFinish - first.contentionAtArrival) / span : first.job.weight;
    const share = fairShare(slots, first.job.weight, contention);
    let fluid: IdealFluid = { queue: start, bound: start };
    for (const t of ordered) fluid = idealAfter(fluid, t.job.arrival, t.work, t.job.sizeMax, share);
    const independent = Math.max(fluid.queue, fluid.bound) - start;
    tenants.push({ tenant, rho: span / Math.max(independent, Number.MIN_VALUE), jctMean: jctSum / list.length });
  }
  const rhos = tenants.map((t) => t.rho);
  const jcts = jobs.map((j) => j.jct).sort((a, b) => a - b);
  const makespan = jobs.length === 0 ? 0 : lastFinish - firstArrival;
  const summary: Summary = {
    maxRho: rhos.length === 0 ? 0 : Math.max(...rhos),
    meanRho: rhos.length === 0 ? 0 : rhos.reduce((a, b) => a + b, 0) / rhos.length,
    jainRho: jainIndex(rhos),
    meanJct: jcts.length === 0 ? 0 : jcts.reduce((a, b) => a + b, 0) / jcts.length,
    p99Jct: percentile(jcts, 99),
    makespan,
    utilization: makespan > 0 ? workDone / (slots * makespan) : 0,
    deadlineMisses,
  };
  return { jobs, tenants, summary };
}
