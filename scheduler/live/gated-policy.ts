/**
 * The configured policy, run on what can start now.
 *
 * Live, a pending job can start only if a worker of its kind has a free
 * unit of concurrency and its tenant is within its rate limit; the policy
 * knows neither. `gatedPolicy` runs the policy itself (the same code as the
 * simulator, from `createPolicy`) on a view of the mechanism whose pending
 * queues hide the jobs that cannot start now (the `Gate`), then drops the
 * allocations that would exceed what can start (a policy may grant several
 * jobs of one kind in one decision), in the policy's own grant order. The
 * live scheduler decides again when it dropped any, so no slot stays idle
 * while a job that can start waits.
 *
 * When every pending job can start (the common case: a worker with room for
 * each kind that has work, no tenant at its rate limit), the policy sees the
 * mechanism itself and the gate only caps the result.
 */
import { right, type Either } from 'fp-ts/lib/Either.js';
import type { PolicyError } from '../errors.js';
import type { Cluster, Decision, SlotId, TenantId } from '../model.js';
import type { JobView, PendingQueue, Policy, PolicyView, QueueCursor, TenantView } from '../policies/policy.js';

export interface Gate {
  /** Called once at the start of each decision, before anything else. */
  begin(view: PolicyView): void;
  /** Whether some pending job cannot start now (the policy then sees a filtered view); valid after `begin`. */
  filtering(): boolean;
  /** How many jobs can start now at most (free worker capacity over the kinds with pending jobs); valid after `begin`. */
  capacity(): number;
  /** Whether the job could start now. */
  eligible(job: JobView): boolean;
  /** How many of the tenant's pending jobs could start now. */
  eligibleCount(tenant: TenantView): number;
  /** Takes what the job needs from the decision's budget; false when it cannot start. */
  take(job: JobView): boolean;
}

class GatedQueue implements PendingQueue {
  constructor(
    private readonly inner: PendingQueue,
    private readonly gate: Gate,
    readonly size: number,
  ) {}

  /** A lower bound (the hidden jobs count too), which callers only use to skip hopeless decisions. */
  fitMin(): number {
    return this.size === 0 ? Infinity : this.inner.fitMin();
  }

  cursor(): QueueCursor {
    const cursor = this.inner.cursor();
    const gate = this.gate;
    return {
      next(fitMax?: number): JobView | undefined {
        for (;;) {
          const job = cursor.next(fitMax);
          if (job === undefined || gate.eligible(job)) return job;
        }
      },
    };
  }
}

class GatedTenant implements TenantView {
  readonly pending: PendingQueue;

  constructor(
    private readonly inner: TenantView,
    gate: Gate,
  ) {
    this.pending = new GatedQueue(inner.pending, gate, gate.eligibleCount(inner));
  }

  get index(): number {
    return this.inner.index;
  }
  get id(): TenantId {
    return this.inner.id;
  }
  get weight(): number {
    return this.inner.weight;
  }
  get start(): number {
    return this.inner.start;
  }
  get idealFinish(): number {
    return this.inner.idealFinish;
  }
  get remaining(): number {
    return this.inner.remaining;
  }
  get attained(): number {
    return this.inner.attained;
  }
  get progressAt(): number {
    return this.inner.progressAt;
  }
  get rate(): number {
    return this.inner.rate;
  }
  get held(): number {
    return this.inner.held;
  }
  get contentionAtStart(): number {
    return this.inner.contentionAtStart;
  }
}

/**
 * The mechanism with fewer free slots: as many as jobs can start, so that a
 * policy does not plan allocations that the gate would drop.
 */
class CappedView implements PolicyView {
  readonly pending: PendingQueue;
  readonly tenants: readonly TenantView[];
  readonly freeSlots: number;

  constructor(
    protected readonly inner: PolicyView,
    freeSlots: number,
  ) {
    this.pending = inner.pending;
    this.tenants = inner.tenants;
    this.freeSlots = freeSlots;
  }

  get cluster(): Cluster {
    return this.inner.cluster;
  }
  get leaseSeconds(): number {
    return this.inner.leaseSeconds;
  }
  get periodEnd(): number {
    return this.inner.periodEnd;
  }
  get freeMachines(): readonly number[] {
    return this.inner.freeMachines;
  }
  machineFree(machine: number): number {
    return this.inner.machineFree(machine);
  }
  slotHolder(slot: SlotId): number {
    return this.inner.slotHolder(slot);
  }
  job(index: number): JobView | undefined {
    return this.inner.job(index);
  }
  get running(): readonly JobView[] {
    return this.inner.running;
  }
  get admittedHeld(): number {
    return this.inner.admittedHeld;
  }
  get contentionIntegral(): number {
    return this.inner.contentionIntegral;
  }
  get contentionAt(): number {
    return this.inner.contentionAt;
  }
  get contentionWeight(): number {
    return this.inner.contentionWeight;
  }
}

/** A capped view whose pending queues also hide the jobs that cannot start now. */
class GatedView extends CappedView {
  override readonly pending: PendingQueue;
  override readonly tenants: readonly TenantView[];

  constructor(inner: PolicyView, gate: Gate, freeSlots: number) {
    super(inner, freeSlots);
    const tenants = inner.tenants.map((t) => new GatedTenant(t, gate));
    let size = 0;
    for (const t of tenants) size += t.pending.size;
    this.tenants = tenants;
    this.pending = new GatedQueue(inner.pending, gate, size);
  }
}

/** `inner` deciding on what the gate lets start (see the file comment). */
export function gatedPolicy(inner: Policy, gate: Gate): Policy {
  const policy: Policy = {
    name: inner.name,
    params: inner.params,
    queueKey: (job) => inner.queueKey(job),
    decide(view: PolicyView, now: number): Either<PolicyError, Decision> {
      gate.begin(view);
      const free = Math.min(view.freeSlots, gate.capacity());
      const seen = gate.filtering() ? new GatedView(view, gate, free) : free < view.freeSlots ? new CappedView(view, free) : view;
      const result = inner.decide(seen, now);
      if (result._tag === 'Left') return result;
      const allocations = result.right.allocations;
      let kept: Decision['allocations'] | undefined;
      for (let i = 0; i < allocations.length; i++) {
        const allocation = allocations[i]!;
        const ok = gate.take(view.job(allocation.job) as JobView);
        if (!ok && kept === undefined) kept = allocations.slice(0, i);
        else if (ok && kept !== undefined) (kept as Decision['allocations'][number][]).push(allocation);
      }
      return kept === undefined ? result : right({ allocations: kept });
    },
  };
  if (inner.admit !== undefined) {
    const admit = inner.admit.bind(inner);
    return { ...policy, admit };
  }
  return policy;
}
