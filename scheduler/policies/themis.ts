/**
 * `themis`: finish-time fairness (Themis, NSDI'20).
 *
 * Each tenant's rho = T_shared / T_independent is estimated from its
 * remaining work, its progress rate and its critical path (see
 * `fair-share.ts`): `rho(rate) = (now - start + max(remaining / rate,
 * critical)) / (idealFinish - start)`, where `critical` is the time until
 * its longest job could be done (a job just granted: its running time at the
 * planned rate; its next pending job: the wait to the end of the lease
 * period plus its running time at full demand): a tenant cannot finish
 * before its longest job does, so starting that job now is worth the wait it
 * saves. A tenant with nothing running has rho = ∞;
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
 *    (some bidder's job did not fit the slots left); otherwise c_i = 1.
 *    "Without i" is computed as the continuation of the same greedy over
 *    the slots i won (see `ratesWithout`), not by re-running the auction.
 *    `partialAllocation: false` lets winners keep everything they won.
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
  /** Whether winners keep only their partial-allocation fraction (default true; false: winners keep all they won). */
  partialAllocation: { kind: 'boolean', default: true },
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
  /** Seconds to the end of the lease period: how long a job not started now waits at least. */
  readonly wait: number;
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
  const wait = Math.max(0, view.periodEnd - now);
  const head = tenant.pending.cursor().next();
  const critical = head === undefined ? 0 : wait + head.remaining / head.sizeMax;
  const waitRho = (elapsed + wait + Math.max(remaining / share, critical - wait)) / independent;
  return { tenant, remaining, elapsed, independent, waitRho, wait, rate: tenant.rate, granted: 0, critical, cursor: tenant.pending.cursor(), job: undefined, plan: undefined, done: false, yielded: 0 };
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
    b.critical = Math.max(b.granted, b.wait + job.remaining / job.sizeMax);
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

/**
 * The decrease of log rho per slot if the bidder (now at `rate`, its granted
 * jobs' longest running time `granted`) gets `job` on `slots` slots at
 * `planRate`; nothing running ranks above any finite gain.
 */
function gainOf(b: Bidder, rate: number, granted: number, job: JobView, planRate: number, slots: number): number {
  if (rate <= 0 && b.remaining > 0) return rhoRankCap + Math.min(b.waitRho, rhoRankCap);
  // Not granted now, the job waits at least to the end of the period.
  const before = rhoAt(b, rate, Math.max(granted, b.wait + job.remaining / job.sizeMax));
  const after = rhoAt(b, rate + planRate, Math.max(granted, job.remaining / planRate));
  return (Math.log(before) - Math.log(after)) / slots;
}

function gain(b: Bidder): number {
  const plan = b.plan as SlotPlan;
  return gainOf(b, b.rate, b.granted, b.job as JobView, plan.rate, plan.slots.length);
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
  // Lazy greedy: a bidder's gain changes only when it is granted (its own
  // rate) or when a slot of its plan is taken (a re-plan, never better), so
  // a heap of possibly stale gains is revalidated at the top only.
  const heap = new MinHeap<Bidder>();
  for (const b of bidders) {
    advance(b, builder, accept);
    if (!b.done) heap.push(-gain(b), b);
  }
  while (heap.size > 0) {
    const best = heap.pop() as Bidder;
    const planned = best.plan;
    refresh(best, builder, accept);
    if (best.done) continue;
    if (best.plan !== planned) {
      heap.push(-gain(best), best);
      continue;
    }
    if (gain(best) <= 0) break;
    const job = best.job as JobView;
    const plan = best.plan as SlotPlan;
    builder.commit(job, plan);
    grants.push({ tenant: best.tenant.index, job, plan });
    best.rate += plan.rate;
    best.granted = Math.max(best.granted, job.remaining / plan.rate);
    advance(best, builder, accept);
    if (!best.done) heap.push(-gain(best), best);
  }
  const contended = bidders.some((b) => b.yielded < b.tenant.pending.size);
  return { grants, rates: bidders.map((b) => b.rate), contended };
}

function cappedRho(b: Bidder, rate: number, critical = b.critical): number {
  return Math.min(rhoAt(b, rate, critical), rhoRankCap);
}

/**
 * The rates the other bidders reach in the auction without bidder `i`.
 * Each bidder's gains depend only on its own state, so the greedy auction
 * without i grants the others exactly what they got with i, plus the
 * continuation of the same greedy over the slots i won: that continuation is
 * computed here on slot counts (placement estimated as one machine when the
 * gang fits on one, spread otherwise) instead of re-running the whole
 * auction, which keeps a decision with many bidders linear in the grants.
 */
function ratesWithout(i: number, bidders: readonly Bidder[], rates: readonly number[], extras: readonly (readonly JobView[])[], free: number, slotsPerMachine: number): { rates: number[]; critical: number[] } {
  const rate = rates.slice();
  const granted = bidders.map((b) => b.granted);
  const position = bidders.map(() => 0);
  /** The bidder's next candidate that fits, its slot count, estimated rate and gain; undefined when none. */
  const candidate = (j: number) => {
    const list = extras[j] as readonly JobView[];
    while ((position[j] as number) < list.length && (list[position[j] as number] as JobView).sizeMin > free) position[j] = (position[j] as number) + 1;
    const job = list[position[j] as number];
    if (job === undefined) return undefined;
    const count = Math.min(job.sizeMax, free);
    const estimated = count / (count > slotsPerMachine ? job.placementSensitivity : 1);
    return { job, count, estimated, gain: gainOf(bidders[j] as Bidder, rate[j] as number, granted[j] as number, job, estimated, count) };
  };
  const heap = new MinHeap<number>();
  for (let j = 0; j < bidders.length; j++) {
    if (j === i) continue;
    const c = candidate(j);
    if (c !== undefined) heap.push(-c.gain, j);
  }
  while (heap.size > 0 && free > 0) {
    const stale = -heap.peekKey();
    const j = heap.pop() as number;
    const c = candidate(j);
    if (c === undefined) continue;
    // Gains only shrink as the free slots do; a changed one goes back in line.
    if (c.gain < stale) {
      heap.push(-c.gain, j);
      continue;
    }
    if (c.gain <= 0) break;
    rate[j] = (rate[j] as number) + c.estimated;
    granted[j] = Math.max(granted[j] as number, c.job.remaining / c.estimated);
    position[j] = (position[j] as number) + 1;
    free -= c.count;
    const next = candidate(j);
    if (next !== undefined) heap.push(-next.gain, j);
  }
  const critical = bidders.map((_, j) => {
    const next = (extras[j] as readonly JobView[])[position[j] as number];
    return Math.max(granted[j] as number, next === undefined ? 0 : (bidders[j] as Bidder).wait + next.remaining / next.sizeMax);
  });
  return { rates: rate, critical };
}

/**
 * Runs the Themis allocation on `builder` for the jobs `accept` takes (every
 * job, for the themis policy itself).
 */
export function themisFill(view: PolicyView, now: number, builder: DecisionBuilder, f: number, accept: (job: JobView) => boolean, partialAllocation = true): void {
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
  const scratch = builder.clone();
  const main = auction(mainBidders, scratch, accept);
  const keepFraction = new Map<number, number>();
  const wonSlots = new Map<number, number>();
  for (const g of main.grants) wonSlots.set(g.tenant, (wonSlots.get(g.tenant) ?? 0) + g.plan.slots.length);
  if (partialAllocation && main.contended && bidderTenants.length > 1) {
    const rhoWith = mainBidders.map((b, k) => cappedRho(b, main.rates[k] as number));
    // Each bidder's next jobs beyond its grants, as far as the largest what-if could reach.
    let wonMax = 0;
    for (const won of wonSlots.values()) wonMax = Math.max(wonMax, won);
    const budget = scratch.free + wonMax;
    const extras = mainBidders.map((b) => {
      const list: JobView[] = [];
      let size = 0;
      const cursor = b.tenant.pending.cursor();
      for (let job = cursor.next(budget); job !== undefined && size < budget; job = cursor.next(budget)) {
        if (!accept(job) || scratch.isAllocated(job)) continue;
        list.push(job);
        size += job.sizeMin;
      }
      return list;
    });
    for (let i = 0; i < mainBidders.length; i++) {
      const won = wonSlots.get((mainBidders[i] as Bidder).tenant.index) ?? 0;
      if (won === 0) continue;
      const without = ratesWithout(i, mainBidders, main.rates, extras, scratch.free + won, view.cluster.slotsPerMachine);
      let c = 1;
      for (let j = 0; j < mainBidders.length; j++) {
        if (j === i) continue;
        c *= cappedRho(mainBidders[j] as Bidder, without.rates[j] as number, without.critical[j] as number) / (rhoWith[j] as number);
      }
      keepFraction.set((mainBidders[i] as Bidder).tenant.index, Math.min(1, Math.max(0, c)));
    }
  }
  // Winners keep the first jobs of their winnings up to their fraction
  // (rounded up to whole jobs); the rest is released for the leftovers.
  builder.absorb(scratch);
  const keptSlots = new Map<number, number>();
  const grantedRate = new Map<number, number>();
  for (const g of main.grants) {
    const kept = keptSlots.get(g.tenant) ?? 0;
    const entitled = (keepFraction.get(g.tenant) ?? 1) * (wonSlots.get(g.tenant) as number);
    if (kept >= entitled - 1e-9) {
      builder.release(g.job);
      continue;
    }
    keptSlots.set(g.tenant, kept + g.plan.slots.length);
    grantedRate.set(g.tenant, (grantedRate.get(g.tenant) ?? 0) + g.plan.rate);
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
      // The worst-off tenant takes jobs until it is no longer the worst off.
      const next = heap.size > 0 ? -heap.peekKey() : -Infinity;
      let exhausted = false;
      do {
        let plan: SlotPlan | undefined;
        let job: JobView | undefined;
        while (plan === undefined) {
          job = b.cursor.next(builder.free);
          if (job === undefined) break;
          if (!accept(job) || builder.isAllocated(job)) continue;
          plan = builder.allocate(job);
        }
        if (plan === undefined) {
          exhausted = true;
          break;
        }
        b.rate += plan.rate;
        b.granted = Math.max(b.granted, (job as JobView).remaining / plan.rate);
        b.critical = b.granted;
        grantedRate.set(b.tenant.index, (grantedRate.get(b.tenant.index) ?? 0) + plan.rate);
      } while (builder.free > 0 && rank(b) >= next);
      if (!exhausted) heap.push(-rank(b), b);
    }
  };
  leftover(contenders.filter((t) => !offeredSet.has(t.index)));
  leftover(contenders);
}

export function createThemis(params: Readonly<Record<string, unknown>>): Either<PolicyError, Policy> {
  return map((p: { f: number; placement: string; partialAllocation: boolean }) => {
    const placement = p.placement as PlacementStrategy;
    return {
      name: 'themis',
      params: p,
      queueKey: (job) => [-job.remaining / job.sizeMax, job.arrival],
      decide: (view, now): Either<PolicyError, Decision> => {
        if (nothingToDecide(view)) return right(emptyDecision);
        const builder = new DecisionBuilder(view, placement);
        themisFill(view, now, builder, p.f, () => true, p.partialAllocation);
        return right(builder.build());
      },
    } satisfies Policy;
  })(readParams('themis', params, themisParams));
}
