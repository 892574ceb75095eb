/**
 * `edf`: earliest deadline first, with admission control. Deadline jobs run
 * in deadline order, then jobs without a deadline in arrival order, with
 * backfilling; the cluster is re-decided at every lease boundary, so a job
 * with an earlier deadline preempts later ones there (preemption granularity
 * is the lease: keep `leaseSeconds` well below the slack of deadline jobs).
 *
 * Admission (`admit`): see `admission.ts`; the pool is the whole cluster. A
 * job answered `infeasible` is demoted behind every deadline job (with
 * `demoteInfeasible`, the default), so that under overload a job that will
 * miss anyway does not make feasible ones miss too (EDF's domino effect).
 *
 * Guarantee: at every decision, no job is allocated while a pending job with
 * an earlier key (deadline, or demotion) that fitted the slots then free is
 * left waiting. Hence, with single-slot jobs on one slot and leases no longer
 * than the granularity of arrivals, EDF meets every deadline of a feasible
 * job set (Liu & Layland).
 */
import { map, type Either } from 'fp-ts/lib/Either.js';
import type { PolicyError } from '../errors.js';
import { predictAdmission } from './admission.js';
import { decideInOrder } from './first-fit.js';
import { placementParam, readParams } from './params.js';
import type { JobView, Policy, QueueKey } from './policy.js';
import type { PlacementStrategy } from './decision-builder.js';

export const deadlineParams = {
  placement: placementParam('packed'),
  /** Slack below this fraction of the job's running time makes an admission `at-risk`. */
  riskMargin: { kind: 'number', min: 0, max: 100, default: 0.25 },
  /** Whether jobs answered `infeasible` are demoted behind every deadline job. */
  demoteInfeasible: { kind: 'boolean', default: true },
} as const;

type DeadlineParams = { placement: string; riskMargin: number; demoteInfeasible: boolean };

/** Whether a job is scheduled by its deadline (it has one and was not demoted). */
export function byDeadline(job: JobView, demoteInfeasible: boolean): boolean {
  return job.deadline !== undefined && !(demoteInfeasible && job.admission === 'infeasible');
}

/** A deadline-ordered policy (edf and least-slack differ only in the key). */
export function createDeadlinePolicy(
  name: string,
  params: Readonly<Record<string, unknown>>,
  key: (job: JobView) => number,
): Either<PolicyError, Policy> {
  return map((p: DeadlineParams) => {
    const placement = p.placement as PlacementStrategy;
    const queueKey = (job: JobView): QueueKey => [byDeadline(job, p.demoteInfeasible) ? key(job) : Infinity, job.arrival];
    return {
      name,
      params: p,
      queueKey,
      decide: (view) => decideInOrder(view, placement),
      admit: (view, job, now) =>
        predictAdmission(view, job, now, {
          keyOf: queueKey,
          competes: () => true,
          capacity: view.cluster.slots,
          held: view.cluster.slots - view.freeSlots,
          riskMarginFraction: p.riskMargin,
        }),
    } satisfies Policy;
  })(readParams(name, params, deadlineParams));
}

export function createEdf(params: Readonly<Record<string, unknown>>): Either<PolicyError, Policy> {
  return createDeadlinePolicy('edf', params, (job) => job.deadline as number);
}
