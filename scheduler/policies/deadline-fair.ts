/**
 * `deadline-fair`: deadline jobs admitted with reservations, everything else
 * shared by `themis`.
 *
 * A deadline job is admitted (answered `accepted`) against a reserved pool of `floor(reservedFraction * slots)` slots: the admission
 * prediction (`admission.ts`) list-schedules the admitted jobs in deadline
 * order on that pool. Each decision then:
 * 1. gives admitted deadline jobs, in deadline order, slots up to the pool
 *    (counting the slots they already hold);
 * 2. shares the remaining slots among all other jobs (including deadline
 *    jobs answered `at-risk` or `infeasible`, which run as best effort) with the themis
 *    auction and its work-conserving leftovers;
 * 3. gives any slot still free to any job that fits, admitted jobs first,
 *    so that no slot stays idle while work waits.
 * Because every lease ends at the period boundary, a reservation is
 * honoured at the latest one lease period after it is needed.
 *
 * Guarantee: at every decision, admitted deadline jobs that fit are
 * allocated in deadline order before any other job, up to the pool.
 */
import { map, right, type Either } from 'fp-ts/lib/Either.js';
import type { PolicyError } from '../errors.js';
import type { Decision } from '../model.js';
import { predictAdmission } from './admission.js';
import { DecisionBuilder, type PlacementStrategy } from './decision-builder.js';
import { emptyDecision, fillInOrder, nothingToDecide } from './first-fit.js';
import { placementParam, readParams } from './params.js';
import type { JobView, Policy, QueueKey } from './policy.js';
import { themisFill } from './themis.js';

const schema = {
  f: { kind: 'number', min: 0, max: 1, default: 0.8 },
  placement: placementParam('packed'),
  /** Fraction of the cluster's slots reservable by admitted deadline jobs. */
  reservedFraction: { kind: 'number', min: 0, max: 1, default: 0.5 },
  /** Slack below this fraction of the job's running time makes an admission `at-risk`. */
  riskMargin: { kind: 'number', min: 0, max: 100, default: 0.25 },
} as const;

/**
 * Whether a job holds a reservation: only `accepted` jobs do. An `at-risk`
 * job (thin margin, or in time only by pushing an accepted job past its
 * deadline) runs as best effort, so that an accepted answer stays reliable.
 */
export function isAdmitted(job: JobView): boolean {
  return job.deadline !== undefined && job.admission === 'accepted';
}

export function createDeadlineFair(params: Readonly<Record<string, unknown>>): Either<PolicyError, Policy> {
  return map((p: { f: number; placement: string; reservedFraction: number; riskMargin: number }) => {
    const placement = p.placement as PlacementStrategy;
    // Admitted jobs by deadline, then the others longest first (themis' order within a tenant).
    const queueKey = (job: JobView): QueueKey => (isAdmitted(job) ? [job.deadline as number, job.arrival] : [Infinity, -job.remaining / job.sizeMax]);
    return {
      name: 'deadline-fair',
      params: p,
      queueKey,
      decide: (view, now): Either<PolicyError, Decision> => {
        if (nothingToDecide(view)) return right(emptyDecision);
        const builder = new DecisionBuilder(view, placement);
        const pool = Math.floor(p.reservedFraction * view.cluster.slots);
        let room = pool - view.admittedHeld;
        const cursor = view.pending.cursor();
        while (room > 0 && builder.free > 0) {
          const job = cursor.next(Math.min(room, builder.free));
          if (job === undefined || !isAdmitted(job)) break;
          const count = Math.min(job.sizeMax, room, builder.free);
          const plan = builder.plan(job, count);
          if (plan === undefined) continue;
          builder.commit(job, plan);
          room -= count;
        }
        themisFill(view, now, builder, p.f, (job) => !isAdmitted(job));
        fillInOrder(view.pending, builder);
        return right(builder.build());
      },
      admit: (view, job, now) =>
        predictAdmission(view, job, now, {
          // The candidate is ranked as if admitted; every competing job is.
          keyOf: (j) => [j.deadline ?? Infinity, j.arrival],
          competes: isAdmitted,
          capacity: Math.floor(p.reservedFraction * view.cluster.slots),
          held: view.admittedHeld,
          riskMarginFraction: p.riskMargin,
        }),
    } satisfies Policy;
  })(readParams('deadline-fair', params, schema));
}
