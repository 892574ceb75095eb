/**
 * The contract between scheduling policies and the mechanism that runs them
 * (the simulator now, the live job system later).
 *
 * A policy is pure: `decide(view, now)` reads a snapshot of the scheduler's
 * state through `PolicyView` and returns new allocations; it never mutates
 * the view and keeps no state between calls. Leases, preemption at lease
 * boundaries, progress accounting and placement slowdown are the
 * mechanism's business (`scheduler/mechanism.ts`).
 *
 * Pending jobs are kept by the mechanism in the order the policy asks for
 * with `queueKey`: a pair of numbers computed once when a job becomes
 * pending (on arrival, and again each time a lease ends without renewal),
 * compared lexicographically, ties broken by submission order. The key must
 * depend only on the job's state at that moment, never on the time, which is
 * what lets the mechanism keep the order incrementally (an insertion and a
 * removal per state change) instead of sorting thousands of jobs at every
 * decision.
 */
import type { Either } from 'fp-ts/lib/Either.js';
import type { Cluster, Decision, JobId, SlotId, TenantId } from '../model.js';
import type { PolicyError } from '../errors.js';

/** The admission answer for a deadline job. */
export type AdmissionVerdict = 'accepted' | 'at-risk' | 'infeasible';

export interface AdmissionAnswer {
  /**
   * `accepted`: predicted to finish before its deadline with margin;
   * `at-risk`: predicted to finish in time but with little slack, or only by
   * pushing an accepted job past its own deadline; `infeasible`: predicted
   * to finish after its deadline.
   */
  readonly verdict: AdmissionVerdict;
  /** Predicted finish time, in seconds. */
  readonly predictedFinish: number;
}

export type JobState = 'pending' | 'running';

/** What a policy sees of one active (pending or running) job. */
export interface JobView {
  /** Dense handle used in `Allocation.job`; valid while the job is active. */
  readonly index: number;
  /** Submission order, increasing; the final tie-break of every queue. */
  readonly seq: number;
  readonly id: JobId;
  readonly tenant: TenantId;
  /** The tenant's handle (`TenantView.index`). */
  readonly tenantIndex: number;
  readonly arrival: number;
  readonly sizeMin: number;
  readonly sizeMax: number;
  /** Total work estimate, in slot-seconds at perfect placement. */
  readonly work: number;
  /** Remaining work estimate at time `progressAt`, in slot-seconds (never negative). */
  readonly remaining: number;
  /** Service received up to `progressAt`, in slot-seconds held (LAS's "attained service"). */
  readonly attained: number;
  /** The time `remaining` and `attained` are accounted to. */
  readonly progressAt: number;
  /** Progress rate while running, in slot-seconds per second (0 when pending). */
  readonly rate: number;
  readonly placementSensitivity: number;
  readonly weight: number;
  readonly priority: number;
  readonly deadline: number | undefined;
  /** The admission answer given on submission (deadline jobs under an admitting policy). */
  readonly admission: AdmissionVerdict | undefined;
  readonly state: JobState;
  /** The slots held (running jobs); empty when pending. */
  readonly slots: readonly SlotId[];
  /** The slots held until the last lease ended, so a renewal can keep them. */
  readonly previousSlots: readonly SlotId[];
  /** End of the current lease (running jobs); NaN when pending. */
  readonly leaseEnd: number;
  /** First start time, or NaN if the job never ran. */
  readonly firstStart: number;
}

/** Pending jobs in the policy's queue order. */
export interface PendingQueue {
  readonly size: number;
  /** The smallest `sizeMin` of the queued jobs (Infinity when empty). */
  fitMin(): number;
  /** A fresh cursor at the head of the queue; the queue is not changed by reading it. */
  cursor(): QueueCursor;
}

export interface QueueCursor {
  /**
   * The next job in queue order whose `sizeMin` is at most `fitMax` (default
   * Infinity), skipping the others; undefined at the end. Skipped jobs are
   * not revisited, which is sound within one decision because the free
   * slots only shrink.
   */
  next(fitMax?: number): JobView | undefined;
}

/** What a policy sees of one active tenant (one with pending or running jobs). */
export interface TenantView {
  /** Dense handle; valid while the tenant is known to the mechanism. */
  readonly index: number;
  readonly id: TenantId;
  readonly weight: number;
  /** First arrival of the tenant's jobs: the start of its T_shared. */
  readonly start: number;
  /**
   * The finish time the tenant's arrived jobs would have on its own
   * 1/N share of the cluster (see `fair-share.ts`); T_independent =
   * `idealFinish - start`.
   */
  readonly idealFinish: number;
  /** Remaining work of the tenant's active jobs at `progressAt`, in slot-seconds. */
  readonly remaining: number;
  /** Attained service at `progressAt`, in slot-seconds held. */
  readonly attained: number;
  readonly progressAt: number;
  /** Sum of the progress rates of its running jobs. */
  readonly rate: number;
  /** Slots held by its running jobs. */
  readonly held: number;
  /** The contention integral (see `PolicyView`) at `start`. */
  readonly contentionAtStart: number;
  /** Its pending jobs in the policy's queue order. */
  readonly pending: PendingQueue;
}

/** A read-only snapshot of the scheduler's state, valid for one call. */
export interface PolicyView {
  readonly cluster: Cluster;
  /** Lease period, in seconds: leases end on multiples of it. */
  readonly leaseSeconds: number;
  /**
   * End of the current lease period, when every running job's lease ends
   * (with staggered leases: the next lease end, at most a lease from now).
   */
  readonly periodEnd: number;
  /** Slots held by no job. */
  readonly freeSlots: number;
  /** Machines with at least one free slot, in no particular order. */
  readonly freeMachines: readonly number[];
  /** Free slots on a machine. */
  machineFree(machine: number): number;
  /** The handle of the job holding a slot, or -1 when free. */
  slotHolder(slot: SlotId): number;
  /** The active job with this handle, or undefined. */
  job(index: number): JobView | undefined;
  /** Every pending job, in the policy's order. */
  readonly pending: PendingQueue;
  /** Every running job, in no particular order. */
  readonly running: readonly JobView[];
  /** Every active tenant, in no particular order. */
  readonly tenants: readonly TenantView[];
  /** Slots held by running jobs whose admission was `accepted` (reservations). */
  readonly admittedHeld: number;
  /**
   * ∫ W(t) dt from time 0 to `contentionAt`, where W(t) is the total weight
   * of active tenants at t; with unit weights, W is the number of contending
   * tenants and the running average N over [a, b] is the integral's
   * increase divided by b - a.
   */
  readonly contentionIntegral: number;
  readonly contentionAt: number;
  /** The total weight of active tenants now. */
  readonly contentionWeight: number;
}

/** The order key of a pending job: compared lexicographically, then by `seq`. */
export type QueueKey = readonly [number, number];

export interface Policy {
  readonly name: string;
  /** The resolved parameters, defaults included. */
  readonly params: Readonly<Record<string, unknown>>;
  /** The job's place in the pending queues (see the file comment). */
  queueKey(job: JobView): QueueKey;
  /** New allocations for pending jobs, from free slots only. Pure. */
  decide(view: PolicyView, now: number): Either<PolicyError, Decision>;
  /**
   * Admission control for deadline policies: the answer for `job` (not yet
   * in the view) submitted at `now`. Pure.
   */
  admit?(view: PolicyView, job: JobView, now: number): AdmissionAnswer;
}
