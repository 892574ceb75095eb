/**
 * `themis`: finish-time fairness (Themis, NSDI'20).
 *
 * Each tenant's rho = T_shared / T_independent is estimated from its
 * remaining work, its progress rate and its critical path (see
 * `fair-share.ts`): `rho(rate) = (now - start + max(remaining / rate,
 * critical)) / (idealFinish - start)`, where `critical` is the longest
 * running time of a job it still has to run (its next pending job at full
 * demand, or a job just granted at its planned rate): a tenant cannot finish
 * before its longest job does. A tenant with nothing running has rho = ∞;
 * among those, the one that has waited longest relative to its fair share
 * comes first (ranked by the rho it would reach by waiting to the end of the
 * lease period and then running at its share).
 *
 * At every decision (the mechanism calls one at every lease boundary, where
 * all leases end, and when slots free up in between):
 * 1. Offer: the free slots are offered to the ceil((1 - f) * n) tenants with
 *    the worst rho among the n tenants that have pending work (at least
 *    one). f is the fairness knob: f = 0.8 (the default) offers to the worst
 *    20%; f = 0 offers to every tenant.
 * 2. Bids and auction: each bidder bids the rho it would reach with each of
 *    its pending jobs (in its queue order) placed on the currently free
 *    slots; placement-aware, because a gang spread over machines progresses
 *    slower (`placement.ts`), so the same slots are worth less to a
 *    sensitive job on a fragmented cluster. The auction maximises the
 *    product of 1/rho over the bidders greedily: it repeatedly grants the
 *    job with the largest decrease of log rho per slot (for single-slot jobs
 *    log(1/rho) is concave in the slots, so this greedy is optimal; for
 *    gangs it is the usual heuristic).
 * 3. Partial allocation (Cole et al., as in Themis): each winner i keeps only
 *    a fraction c_i = Π_{j≠i} rho_j(without i) / rho_j(with i) of what it
 *    won (the others' loss from its presence; rounded up to whole jobs, so a
 *    winner keeps at least its first job), which makes overstating its rho
 *    unprofitable. The fraction is computed only when the bidders compete
 *    (the slots ran out before their jobs did); otherwise c_i = 1.
 * 4. Leftovers: slots still free go first to the tenants that were not
 *    offered, then to anyone, always to the worst rho first, until no
 *    pending job fits: no slot stays idle while work waits.
 *
 * Within a tenant, jobs are taken longest remaining running time first
 * (LPT), which shortens the tenant's own makespan, its T_shared.
 * Placement: `packed` (placement-aware) by default.
 */
import { map, right, type Either } from 'fp-ts/lib/Either.js';
import type { PolicyError } from '../errors.js';
import type { Decision } from '../model.js';
import { MinHeap } from '../min-heap.js';
import { DecisionBuilder, type PlacementStrategy, type SlotPlan } from './decision-builder.js';
import { contentionMean, fairShare, remainingAt } from './fair-share.js';
import { emptyDecision, nothingToDecide } from './first-fit.js';
import { placementParam, readParams } from './params.js';
import type { JobView, Policy, PolicyView, QueueCursor, TenantView } from './policy.js';

export const themisParams = {
  /** Fairness knob: the fraction of tenants NOT offered free slots first (0..1, default 0.8). */
  f: { kind: 'number', min: 0, max: 1, default: 0.8 },
  placement: placementParam('packed'),
} as const;

/** Rho estimates are capped here for ranking, so that "nothing running" ranks above any finite rho. */
export const rhoRankCap = 1e9;

interface Bidder {
  readonly tenant: TenantView;
  readonly remaining: number;
  readonly elapsed: number;
  readonly independent: number;
  /** Rho if it waited to the end of the period, then ran at its fair share. */
  readonly waitRho: number;
  rate: number;
  /** Longest running time among jobs granted in this decision, at their planned rates. */
  granted: number;
  /** Critical path: max(granted, the candidate job's running time at full demand). */
  critical: number;
  cursor: QueueCursor;
  job: JobView | undefined;
  plan: SlotPlan | undefined;
  done: boolean;
  /** Jobs the cursor returned; fewer than the queue holds means some did not fit. */
  yielded: number;
}

interface Grant {
  readonly tenant: number;
  readonly job: JobView;
  readonly plan: SlotPlan;
}

function makeBidder(view: PolicyView, now: number, tenant: TenantView): Bidder {
  const remaining = remainingAt(tenant, now);
  const share = fairShare(view.cluster.slots, tenant.weight, contentionMean(view, tenant, now));
  const elapsed = now - tenant.start;
  const independent = Math.max(tenant.idealFinish - tenant.start, Number.MIN_VALUE);
  const head = tenant.pending.cursor().next();
  const critical = head === undefined ? 0 : head.remaining / head.sizeMax;
  const waitRho = (elapsed + Math.max(0, view.periodEnd - now) + Math.max(remaining / share, critical)) / independent;
  return { tenant, remaining, elapsed, independent, waitRho, rate: tenant.rate, granted: 0, critical, cursor: tenant.pending.cursor(), job: undefined, plan: undefined, done: false, yielded: 0 };
}

function rhoAt(b: Bidder, rate: number, critical = b.critical): number {
  if (b.remaining <= 0) return b.elapsed / b.independent;
  return rate > 0 ? (b.elapsed + Math.max(b.remaining / rate, critical)) / b.independent : Infinity;
}

/** Worse rho ranks higher; nothing running ranks above any finite rho. */
function rank(b: Bidder): number {
  return b.rate > 0 || b.remaining <= 0 ? Math.min(rhoAt(b, b.rate), rhoRankCap) : rhoRankCap + Math.min(b.waitRho, rhoRankCap);
}

/** Advances the bidder to its next job that fits and is accepted, and plans it. */
function advance(b: Bidder, builder: DecisionBuilder, accept: (job: JobView) => boolean): void {
  for (;;) {
    const job = b.cursor.next(builder.free);
    if (job !== undefined) b.yielded++;
    if (job === undefined) {
      b.job = undefined;
      b.plan = undefined;
      b.done = true;
      b.critical = b.granted;
      return;
    }
    if (!accept(job) || builder.isAllocated(job)) continue;
    const plan = builder.plan(job, builder.sizeFor(job));
    if (plan === undefined) continue;
    b.job = job;
    b.plan = plan;
    b.critical = Math.max(b.granted, job.remaining / job.sizeMax);
    return;
  }
}

/** Keeps the bidder's plan current: re-plans if a slot of it was taken. */
function refresh(b: Bidder, builder: DecisionBuilder, accept: (job: JobView) => boolean): void {
  if (b.done || b.job === undefined || b.plan === undefined) return;
  if (builder.stillFree(b.plan.slots)) return;
  const count = builder.sizeFor(b.job);
  const plan = count > 0 ? builder.plan(b.job, count) : undefined;
  if (plan !== undefined) b.plan = plan;
  else advance(b, builder, accept);
}

function gain(b: Bidder): number {
  const plan = b.plan as SlotPlan;
  if (b.rate <= 0 && b.remaining > 0) return rhoRankCap + Math.min(b.waitRho, rhoRankCap);
  const job = b.job as JobView;
  const before = rhoAt(b, b.rate);
  const after = rhoAt(b, b.rate + plan.rate, Math.max(b.granted, job.remaining / plan.rate));
  return (Math.log(before) - Math.log(after)) / plan.slots.length;
}

interface AuctionResult {
  readonly grants: Grant[];
  /** Rate of each bidder after the auction, by position in `bidders`. */
  readonly rates: number[];
  /** Whether some bidder had a job that did not fit the slots left (the bidders competed). */
  readonly contended: boolean;
}

/** The greedy product-of-1/rho auction among `bidders` (fresh states) on `builder`. */
function auction(bidders: Bidder[], builder: DecisionBuilder, accept: (job: JobView) => boolean): AuctionResult {
  const grants: Grant[] = [];
  for (const b of bidders) advance(b, builder, accept);
  for (;;) {
    let best: Bidder | undefined;
    let bestGain = 0;
    for (const b of bidders) {
      refresh(b, builder, accept);
      if (b.done) continue;
      const g = gain(b);
      if (g > bestGain) {
        bestGain = g;
        best = b;
      }
    }
    if (best === undefined) break;
    const job = best.job as JobView;
    const plan = best.plan as SlotPlan;
    builder.commit(job, plan);
    grants.push({ tenant: best.tenant.index, job, plan });
    best.rate += plan.rate;
    best.granted = Math.max(best.granted, job.remaining / plan.rate);
    advance(best, builder, accept);
  }
  const contended = bidders.some((b) => b.yielded < b.tenant.pending.size);
  return { grants, rates: bidders.map((b) => b.rate), contended };
}

function cappedRho(b: Bidder, rate: number): number {
  return Math.min(rhoAt(b, rate), rhoRankCap);
}

/**
 * Runs the Themis allocation on `builder` for the jobs `accept` takes (every
 * job, for the themis policy itself).
 */
export function themisFill(view: PolicyView, now: number, builder: DecisionBuilder, f: number, accept: (job: JobView) => boolean): void {
  if (builder.free === 0) return;
  const contenders = view.tenants.filter((t) => t.pending.size > 0);
  if (contenders.length === 0) return;
  const ranked = contenders.map((t) => makeBidder(view, now, t));
  const order = ranked.map((b, i) => ({ b, i, r: rank(b) }));
  order.sort((x, y) => y.r - x.r || x.b.tenant.index - y.b.tenant.index);
  const offered = Math.max(1, Math.ceil((1 - f) * contenders.length - 1e-9));
  const bidderTenants = order.slice(0, offered).map((o) => o.b.tenant);
  const fresh = (tenants: readonly TenantView[]) => tenants.map((t) => makeBidder(view, now, t));

  // Steps 2 and 3: the auction among the offered tenants, then partial allocation.
  const mainBidders = fresh(bidderTenants);
  const main = auction(mainBidders, builder.clone(), accept);
  const keepFraction = new Map<number, number>();
  if (main.contended && bidderTenants.length > 1) {
    const rhoWith = mainBidders.map((b, k) => cappedRho(b, main.rates[k] as number));
    for (let i = 0; i < bidderTenants.length; i++) {
      const tenant = bidderTenants[i] as TenantView;
      if (!main.grants.some((g) => g.tenant === tenant.index)) continue;
      const others = bidderTenants.filter((_, k) => k !== i);
      const withoutBidders = fresh(others);
      const without = auction(withoutBidders, builder.clone(), accept);
      let c = 1;
      for (let k = 0, j = 0; k < bidderTenants.length; k++) {
        if (k === i) continue;
        c *= cappedRho(withoutBidders[j] as Bidder, without.rates[j] as number) / (rhoWith[k] as number);
        j++;
      }
      keepFraction.set(tenant.index, Math.min(1, Math.max(0, c)));
    }
  }
  const wonSlots = new Map<number, number>();
  for (const g of main.grants) wonSlots.set(g.tenant, (wonSlots.get(g.tenant) ?? 0) + g.plan.slots.length);
  const keptSlots = new Map<number, number>();
  const grantedRate = new Map<number, number>();
  for (const g of main.grants) {
    const kept = keptSlots.get(g.tenant) ?? 0;
    const entitled = (keepFraction.get(g.tenant) ?? 1) * (wonSlots.get(g.tenant) as number);
    if (kept >= entitled - 1e-9) continue;
    if (builder.isAllocated(g.job)) continue;
    let plan: SlotPlan | undefined = builder.stillFree(g.plan.slots) ? g.plan : undefined;
    if (plan === undefined) {
      const count = builder.sizeFor(g.job);
      plan = count > 0 ? builder.plan(g.job, count) : undefined;
    }
    if (plan === undefined) continue;
    builder.commit(g.job, plan);
    keptSlots.set(g.tenant, kept + plan.slots.length);
    grantedRate.set(g.tenant, (grantedRate.get(g.tenant) ?? 0) + plan.rate);
  }

  // Step 4: leftovers, first to the tenants not offered, then to anyone.
  const offeredSet = new Set(bidderTenants.map((t) => t.index));
  const leftover = (tenants: readonly TenantView[]) => {
    const heap = new MinHeap<Bidder>();
    for (const t of tenants) {
      const b = makeBidder(view, now, t);
      b.rate += grantedRate.get(t.index) ?? 0;
      heap.push(-rank(b), b);
    }
    while (builder.free > 0 && heap.size > 0) {
      const b = heap.pop() as Bidder;
      let plan: SlotPlan | undefined;
      let job: JobView | undefined;
      while (plan === undefined) {
        job = b.cursor.next(builder.free);
        if (job === undefined) break;
        if (!accept(job) || builder.isAllocated(job)) continue;
        plan = builder.allocate(job);
      }
      if (plan === undefined) continue;
      b.rate += plan.rate;
      b.granted = Math.max(b.granted, (job as JobView).remaining / plan.rate);
      b.critical = b.granted;
      grantedRate.set(b.tenant.index, (grantedRate.get(b.tenant.index) ?? 0) + plan.rate);
      heap.push(-rank(b), b);
    }
  };
  leftover(contenders.filter((t) => !offeredSet.has(t.index)));
  leftover(contenders);
}

export function createThemis(params: Readonly<Record<string, unknown>>): Either<PolicyError, Policy> {
  return map((p: { f: number; placement: string }) => {
    const placement = p.placement as PlacementStrategy;
    return {
      name: 'themis',
      params: p,
      queueKey: (job) => [-job.remaining / job.sizeMax, job.arrival],
      decide: (view, now): Either<PolicyError, Decision> => {
        if (nothingToDecide(view)) return right(emptyDecision);
        const builder = new DecisionBuilder(view, placement);
        themisFill(view, now, builder, p.f, () => true);
        return right(builder.build());
      },
    } satisfies Policy;
  })(readParams('themis', params, themisParams));
}
