/**
 * `fifo`: jobs in arrival order; a job that does not fit the free slots is
 * skipped for later ones that do (backfilling). At every lease boundary the
 * whole cluster is re-decided in arrival order, so a backfilled job can give
 * its slots back to an older gang that now fits.
 *
 * Guarantee: at every decision, a job is allocated only if every older
 * pending job that fitted the slots then free was allocated before it; with
 * single-slot jobs, jobs start in arrival order and are never preempted.
 * Placement: `first-free` by default (placement-unaware, as classic cluster
 * managers).
 */
import { map, type Either } from 'fp-ts/lib/Either.js';
import type { PolicyError } from '../errors.js';
import { decideInOrder } from './first-fit.js';
import { placementParam, readParams } from './params.js';
import type { Policy } from './policy.js';
import type { PlacementStrategy } from './decision-builder.js';

const schema = { placement: placementParam('first-free') };

export function createFifo(params: Readonly<Record<string, unknown>>): Either<PolicyError, Policy> {
  return map((p: { placement: string }) => {
    const placement = p.placement as PlacementStrategy;
    return {
      name: 'fifo',
      params: p,
      queueKey: (job) => [job.arrival, 0],
      decide: (view) => decideInOrder(view, placement),
    } satisfies Policy;
  })(readParams('fifo', params, schema));
}
