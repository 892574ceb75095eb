/**
 * `priority`: higher `priority` first, arrival order among equals, with
 * backfilling; re-decided at every lease boundary, so a waiting
 * higher-priority job preempts lower-priority ones there.
 *
 * Guarantee: at every decision, no job is allocated while a pending job of
 * higher priority that fitted the slots then free is left waiting.
 * Placement: `first-free` by default.
 */
import { map, type Either } from 'fp-ts/lib/Either.js';
import type { PolicyError } from '../errors.js';
import { decideInOrder } from './first-fit.js';
import { placementParam, readParams } from './params.js';
import type { Policy } from './policy.js';
import type { PlacementStrategy } from './decision-builder.js';

const schema = { placement: placementParam('first-free') };

export function createPriority(params: Readonly<Record<string, unknown>>): Either<PolicyError, Policy> {
  return map((p: { placement: string }) => {
    const placement = p.placement as PlacementStrategy;
    return {
      name: 'priority',
      params: p,
      queueKey: (job) => [-job.priority, job.arrival],
      decide: (view) => decideInOrder(view, placement),
    } satisfies Policy;
  })(readParams('priority', params, schema));
}
