/**
 * Checks of a policy's decision against the view it was made from. The
 * mechanism asserts `decisionViolations` is empty before applying a decision
 * (a policy that breaks the contract is a programmer error); tests use both
 * checks as properties.
 */
import type { Decision } from './model.js';
import type { PolicyView } from './policies/policy.js';

/**
 * Everything wrong with a decision: unknown or non-pending jobs, a job
 * allocated twice, a slot count outside `sizeMin..sizeMax`, a slot out of
 * range, held, or given twice, more slots than are free.
 */
export function decisionViolations(view: PolicyView, decision: Decision): string[] {
  const problems: string[] = [];
  const jobs = new Set<number>();
  const slots = new Set<number>();
  let total = 0;
  for (const allocation of decision.allocations) {
    const job = view.job(allocation.job);
    if (job === undefined) {
      problems.push(`job handle ${allocation.job} is not active`);
      continue;
    }
    if (job.state !== 'pending') problems.push(`job ${job.id} is ${job.state}, not pending`);
    if (jobs.has(allocation.job)) problems.push(`job ${job.id} is allocated twice`);
    jobs.add(allocation.job);
    const count = allocation.slots.length;
    if (count < job.sizeMin || count > job.sizeMax) problems.push(`job ${job.id} gets ${count} slots, outside ${job.sizeMin}..${job.sizeMax}`);
    for (const slot of allocation.slots) {
      if (!Number.isInteger(slot) || slot < 0 || slot >= view.cluster.slots) problems.push(`job ${job.id} gets slot ${slot}, out of range`);
      else if (view.slotHolder(slot) !== -1) problems.push(`job ${job.id} gets slot ${slot}, held by job handle ${view.slotHolder(slot)}`);
      if (slots.has(slot)) problems.push(`slot ${slot} is allocated twice`);
      slots.add(slot);
    }
    total += count;
  }
  if (total > view.freeSlots) problems.push(`${total} slots allocated, only ${view.freeSlots} free`);
  return problems;
}

/**
 * Pending jobs the decision leaves waiting although they would fit in the
 * slots it leaves free: a work-conserving policy leaves none.
 */
export function workConservationViolations(view: PolicyView, decision: Decision): string[] {
  const allocated = new Set<number>();
  let used = 0;
  for (const allocation of decision.allocations) {
    allocated.add(allocation.job);
    used += allocation.slots.length;
  }
  const left = view.freeSlots - used;
  const problems: string[] = [];
  const cursor = view.pending.cursor();
  for (let job = cursor.next(left); job !== undefined; job = cursor.next(left)) {
    if (!allocated.has(job.index)) problems.push(`job ${job.id} (needs ${job.sizeMin}) waits while ${left} slots stay free`);
  }
  return problems;
}
