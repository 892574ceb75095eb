/**
 * `drf`: weighted max-min fairness of slots between tenants, instantaneous
 * (with one resource, dominant resource fairness is weighted max-min). Free
 * slots are handed out by progressive filling: the tenant with the smallest
 * `held / weight` (slots held by its running jobs plus those granted in this
 * decision) that has a pending job that fits gets its next job (arrival
 * order within a tenant); ties go to the smaller `attained / weight`, then
 * to the tenant seen first. Re-decided at every lease boundary, where all
 * leases end, so shares converge to max-min at each boundary.
 *
 * Guarantee: at every decision, each grant goes to a tenant whose weighted
 * share was the smallest among tenants with a pending job that fitted.
 * Placement: `first-free` by default (placement-unaware, as in YARN/Mesos).
 */
import { map, right, type Either } from 'fp-ts/lib/Either.js';
import type { PolicyError } from '../errors.js';
import type { Decision } from '../model.js';
import { DecisionBuilder, type PlacementStrategy } from './decision-builder.js';
import { emptyDecision, nothingToDecide } from './first-fit.js';
import { placementParam, readParams } from './params.js';
import type { Policy, PolicyView, QueueCursor, TenantView } from './policy.js';

const schema = { placement: placementParam('first-free') };

interface Share {
  readonly tenant: TenantView;
  readonly cursor: QueueCursor;
  held: number;
  readonly attained: number;
}

function before(a: Share, b: Share): boolean {
  const x = a.held / a.tenant.weight;
  const y = b.held / b.tenant.weight;
  if (x !== y) return x < y;
  const p = a.attained / a.tenant.weight;
  const q = b.attained / b.tenant.weight;
  if (p !== q) return p < q;
  return a.tenant.index < b.tenant.index;
}

/** Progressive filling with a binary heap of tenants by weighted share. */
export function drfDecide(view: PolicyView, now: number, placement: PlacementStrategy): Decision {
  const builder = new DecisionBuilder(view, placement);
  const heap: Share[] = [];
  const up = (i: number) => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as Share, heap[parent] as Share)) break;
      [heap[i], heap[parent]] = [heap[parent] as Share, heap[i] as Share];
      i = parent;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l] as Share, heap[m] as Share)) m = l;
      if (r < heap.length && before(heap[r] as Share, heap[m] as Share)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m] as Share, heap[i] as Share];
      i = m;
    }
  };
  for (const tenant of view.tenants) {
    if (tenant.pending.size === 0) continue;
    // Attained service grows with the held slots between updates.
    const attained = tenant.attained + tenant.held * (now - tenant.progressAt);
    heap.push({ tenant, cursor: tenant.pending.cursor(), held: tenant.held, attained });
    up(heap.length - 1);
  }
  while (builder.free > 0 && heap.length > 0) {
    const top = heap[0] as Share;
    const job = top.cursor.next(builder.free);
    const plan = job === undefined ? undefined : builder.allocate(job);
    if (plan === undefined) {
      if (job !== undefined) continue;
      const last = heap.pop() as Share;
      if (heap.length > 0) {
        heap[0] = last;
        down(0);
      }
      continue;
    }
    top.held += plan.slots.length;
    down(0);
  }
  return builder.build();
}

export function createDrf(params: Readonly<Record<string, unknown>>): Either<PolicyError, Policy> {
  return map((p: { placement: string }) => {
    const placement = p.placement as PlacementStrategy;
    return {
      name: 'drf',
      params: p,
      queueKey: (job) => [job.arrival, 0],
      decide: (view, now) => (nothingToDecide(view) ? right(emptyDecision) : right(drfDecide(view, now, placement))),
    } satisfies Policy;
  })(readParams('drf', params, schema));
}
