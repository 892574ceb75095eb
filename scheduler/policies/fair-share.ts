/**
 * Finish-time fairness arithmetic (Themis, NSDI'20), shared by the themis
 * policy, the mechanism's online estimates and the final metrics.
 *
 * A tenant's fair share is `C * w / W̄` slots (capped at C), where C is the
 * cluster's slots, w the tenant's weight and W̄ the running average of the
 * total weight of contending tenants over the tenant's lifetime so far (with
 * unit weights, W̄ is N, the running average number of contending tenants).
 *
 * T_independent is the time the tenant's jobs would take on that share alone,
 * with perfect placement, as a fluid (`IdealFluid`): the work served in
 * arrival order at `share` slots finishes at `Q` (`Q = max(Q, arrival) +
 * work / share`), and no job finishes before `arrival + work / min(sizeMax,
 * share)` (a job cannot use more slots than it asks for); the ideal finish F
 * is the later of the two and T_independent = F - start. T_shared is the actual (or
 * estimated) finish minus the same start, and rho = T_shared /
 * T_independent: rho ≤ 1 means the tenant did at least as well as on its own
 * 1/N of the cluster.
 */
import type { PolicyView, TenantView } from './policy.js';

/** Remaining work of a job or tenant at `now` (piecewise linear between updates). */
export function remainingAt(item: { readonly remaining: number; readonly rate: number; readonly progressAt: number }, now: number): number {
  return Math.max(0, item.remaining - item.rate * (now - item.progressAt));
}

/** The contention integral at `now`. */
export function contentionIntegralAt(view: PolicyView, now: number): number {
  return view.contentionIntegral + view.contentionWeight * (now - view.contentionAt);
}

/** W̄ over the tenant's lifetime up to `now` (at its start: the current total weight). */
export function contentionMean(view: PolicyView, tenant: TenantView, now: number): number {
  const span = now - tenant.start;
  const mean = span > 0 ? (contentionIntegralAt(view, now) - tenant.contentionAtStart) / span : view.contentionWeight;
  return Math.max(mean, tenant.weight);
}

/** The tenant's fair share in slots: `min(C, C * w / W̄)`. */
export function fairShare(slots: number, weight: number, contention: number): number {
  return Math.min(slots, (slots * weight) / Math.max(contention, weight));
}

/**
 * The T_independent fluid of one tenant: `queue` is the finish of its work
 * served in arrival order at `share` slots; `bound` the latest
 * `arrival + work / min(sizeMax, share)` (no job runs on more slots than it
 * asks for). The ideal finish is the larger of the two.
 */
export interface IdealFluid {
  readonly queue: number;
  readonly bound: number;
}

/** One step of the T_independent fluid: the state after a job arrives. */
export function idealAfter(state: IdealFluid, arrival: number, work: number, sizeMax: number, share: number): IdealFluid {
  return {
    queue: Math.max(state.queue, arrival) + work / share,
    bound: Math.max(state.bound, arrival + work / Math.min(sizeMax, share)),
  };
}

/**
 * The tenant's estimated rho at `now` if it progressed at `rate` from now on:
 * `(now - start + remaining / rate) / (idealFinish - start)`. Infinity at rate 0.
 */
export function tenantRho(tenant: TenantView, now: number, remaining: number, rate: number): number {
  const independent = Math.max(tenant.idealFinish - tenant.start, Number.MIN_VALUE);
  if (remaining <= 0) return (now - tenant.start) / independent;
  if (rate <= 0) return Infinity;
  return (now - tenant.start + remaining / rate) / independent;
}

/** Jain's fairness index of positive values: (Σx)² / (n Σx²); 1 when all are equal. */
export function jainIndex(values: readonly number[]): number {
  if (values.length === 0) return 1;
  let sum = 0;
  let squares = 0;
  for (const x of values) {
    sum += x;
    squares += x * x;
  }
  return squares === 0 ? 1 : (sum * sum) / (values.length * squares);
}
