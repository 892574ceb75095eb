/**
 * The allocation loop of the order-based policies (fifo, priority, las, edf,
 * least-slack): walk the pending queue in the policy's order and give each
 * job that fits as many slots as it can use. Jobs that do not fit are
 * skipped (backfilling), so no slot stays idle while a job that fits waits.
 */
import { right, type Either } from 'fp-ts/lib/Either.js';
import type { Decision } from '../model.js';
import type { PolicyError } from '../errors.js';
import { DecisionBuilder, type PlacementStrategy } from './decision-builder.js';
import type { JobView, PendingQueue, PolicyView } from './policy.js';

/** The decision that allocates nothing. */
export const emptyDecision: Decision = Object.freeze({ allocations: Object.freeze([]) });

/** Whether a decision could allocate anything at all. */
export function nothingToDecide(view: PolicyView): boolean {
  return view.freeSlots === 0 || view.pending.size === 0 || view.pending.fitMin() > view.freeSlots;
}

/** Allocates, in queue order, every job of `queue` that fits and that `accept` takes. */
export function fillInOrder(queue: PendingQueue, builder: DecisionBuilder, accept?: (job: JobView) => boolean): void {
  const cursor = queue.cursor();
  while (builder.free > 0) {
    const job = cursor.next(builder.free);
    if (job === undefined) return;
    if (accept !== undefined && !accept(job)) continue;
    builder.allocate(job);
  }
}

/** A whole decision of an order-based policy. */
export function decideInOrder(view: PolicyView, placement: PlacementStrategy): Either<PolicyError, Decision> {
  if (nothingToDecide(view)) return right(emptyDecision);
  const builder = new DecisionBuilder(view, placement);
  fillInOrder(view.pending, builder);
  return right(builder.build());
}
