/**
 * Public types of the live job system: what `db.jobs`, `db.scheduler`,
 * `db.worker` and `db.changes` take and return.
 *
 * Units: every time is epoch milliseconds (a `Date` is accepted where a time
 * is given); `work` is an estimate in slot-seconds; durations are in ms
 * unless their name says otherwise.
 */
import type { JobId } from '../model.js';
import type { PolicySpec } from '../policies/registry.js';
import type { AdmissionVerdict } from '../policies/policy.js';

export type { JobId };

/**
 * States of a job.
 * - `queued`: ready to run, waiting for a slot and a worker;
 * - `delayed`: queued with `runAt` in the future (a retry waiting out its backoff, too);
 * - `waiting`: waiting for its parents (`dependsOn`) to succeed;
 * - `running`: an attempt holds a lease;
 * - `succeeded`, `failed` (dead letter: no retry left, or a parent failed),
 *   `cancelled`: final, until a manual `retry`.
 */
export type JobState = 'queued' | 'delayed' | 'waiting' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** Delay between attempts. */
export interface BackoffSpec {
  /**
   * `fixed`: `delay` every time. `exponential`: `delay * 2^(n-1)` before
   * attempt n + 1, with equal jitter (a uniformly random half of it
   * dropped), capped at `backoffMsMax`.
   */
  readonly type: 'exponential' | 'fixed';
  /** Base delay in ms (0..backoffDelayMsMax). */
  readonly delay: number;
}

/** A repeatable job: one job per fire of a cron expression. */
export interface CronSpec {
  /** Cron expression (5 fields, or 6 with seconds first; cron-parser syntax). */
  readonly pattern: string;
  /** IANA time zone the expression is read in; default UTC. */
  readonly tz?: string;
  /** Schedule name, unique; default: `kind`. Submitting the same name again replaces the schedule. */
  readonly name?: string;
}

export interface SubmitSpec<P = unknown> {
  /** The tenant the job is fair to (1..nameLengthMax characters). */
  readonly tenant: string;
  /** Which workers run it (1..nameLengthMax characters). */
  readonly kind: string;
  /** Any storable value (see payload.ts), at most payloadBytesMax bytes encoded; default null. */
  readonly payload?: P;
  /** Slots of the pool the job holds while it runs (1..slots of the pool); default 1. */
  readonly slots?: number;
  /** Estimated work in slot-seconds (> 0); default 1. Policies and admission use it. */
  readonly work?: number;
  /** Higher runs first under the `priority` policy (integer); default 0. */
  readonly priority?: number;
  /**
   * The tenant's weight, if `configure` gives none for it (> 0); default 1.
   * The first job of a tenant fixes it until the scheduler is reconfigured.
   */
  readonly weight?: number;
  /** Absolute deadline (epoch ms or Date), after `runAt` and in the future. */
  readonly deadline?: number | Date;
  /** Not before this time (epoch ms or Date); default now. */
  readonly runAt?: number | Date;
  /** Attempts allowed after the first (0..retriesMax); default 0. */
  readonly retries?: number;
  /** Delay between attempts; default none (a failed attempt is retried at once). */
  readonly backoff?: BackoffSpec;
  /** Jobs that must succeed before this one runs (ids; at most dependenciesMax). */
  readonly dependsOn?: readonly string[];
  /** What a failed or cancelled parent does to this job: `fail` it (default) or `cancel` it. */
  readonly onParentFailure?: 'fail' | 'cancel';
  /** Makes this a repeatable job; `submit` then returns the schedule's id, `cron:<name>`. */
  readonly cron?: string | CronSpec;
  /**
   * A caller-chosen id, unique among the jobs kept (CONFLICT otherwise):
   * 1..customIdLengthMax characters, not all digits (generated ids are).
   */
  readonly id?: string;
}

/** Options of `submit`. */
export interface SubmitOptions {
  /**
   * A transaction of this database (`db.transactionSync(tx => ...)`): the job
   * is written in it and exists only if it commits.
   */
  readonly tx?: unknown;
}

/** The answer to a deadline job's submission. */
export interface JobAdmission {
  readonly verdict: AdmissionVerdict;
  /** Predicted finish, epoch ms. */
  readonly predictedFinish: number;
}

/** What `submit` returns for a job with a deadline. */
export interface AdmittedJob {
  readonly id: JobId;
  readonly admission: JobAdmission;
}

/** A job as `db.jobs.get` returns it. */
export interface JobInfo<P = unknown> {
  readonly id: JobId;
  readonly tenant: string;
  readonly kind: string;
  readonly payload: P;
  readonly state: JobState;
  readonly priority: number;
  readonly slots: number;
  readonly work: number;
  /** The weight given on submission, or undefined. */
  readonly weight: number | undefined;
  /** Attempts started so far. */
  readonly attempts: number;
  readonly retries: number;
  /** Leases missed so far (crashes included). */
  readonly stalls: number;
  /** Lease epoch (fencing token) of the current or last attempt. */
  readonly epoch: number;
  /** Last progress reported (0..1). */
  readonly progress: number;
  readonly submittedAt: number;
  readonly runAt: number | undefined;
  readonly deadline: number | undefined;
  readonly startedAt: number | undefined;
  readonly finishedAt: number | undefined;
  /** Lease end of the current attempt as claimed (heartbeats extend it in memory). */
  readonly leaseUntil: number | undefined;
  readonly backoff: BackoffSpec | undefined;
  readonly dependsOn: readonly JobId[];
  readonly onParentFailure: 'fail' | 'cancel';
  /** The cron schedule that created it. */
  readonly cron: string | undefined;
  readonly admission: JobAdmission | undefined;
  /** The last error (failed attempts, dead letter), if any. */
  readonly error: string | undefined;
  /** Why the job ended when it did not succeed: `error`, `stalls`, `parentFailed`, `parentCancelled`, `cancelled`, `result`. */
  readonly endCause: string | undefined;
  /** The id of the job whose end ended this one (a failed or cancelled parent). */
  readonly endedBy: JobId | undefined;
  /** What the handler returned (succeeded jobs). */
  readonly result: unknown;
}

/** A cron schedule as `db.jobs.schedule` returns it. */
export interface ScheduleInfo {
  readonly id: string;
  readonly name: string;
  readonly pattern: string;
  readonly tz: string | undefined;
  readonly tenant: string;
  readonly kind: string;
  readonly nextFire: number;
  readonly lastFired: number | undefined;
  readonly fired: number;
  /** Fires missed beyond the catch-up limit (cronCatchUpFiresMax) after downtime. */
  readonly skipped: number;
}

/** Per-tenant settings of the scheduler. */
export interface TenantSettings {
  /** Weight in the fairness policies (> 0, ≤ weightMax); default: the job's, or 1. */
  readonly weight?: number;
  /** At most `jobs` starts per `perMs` ms (a token bucket of `jobs` tokens). */
  readonly rateLimit?: { readonly jobs: number; readonly perMs: number };
}

/** `db.scheduler.configure` options. Every field has a default; the call replaces the whole configuration. */
export interface SchedulerConfig {
  /** Policy name or `{ name, ...params }` (see `policyNames`); default 'fifo'. */
  readonly policy?: PolicySpec | string;
  /** Slots of the pool: the global concurrency (1..slotsMax); default slotsDefault (64). */
  readonly slots?: number;
  readonly tenants?: Readonly<Record<string, TenantSettings>>;
  /**
   * The policy's lease period in seconds (as `simulate`'s leaseSeconds): its
   * fairness estimates look ahead to the end of the period. Live jobs are
   * never preempted. Default periodSecondsDefault (600).
   */
  readonly periodSeconds?: number;
  /** When given, `submit` refuses every other kind (INVALID_ARGUMENT). */
  readonly kinds?: readonly string[];
  /** Stalls (missed leases, crashes included) after which a job fails (1..stallsMax); default stallsDefault (10). */
  readonly stallsMax?: number;
  /** Seed of the retry jitter; default 1. */
  readonly seed?: number;
}

/** What a handler receives. */
export interface JobContext<P = unknown> {
  readonly job: JobInfo<P>;
  /** The attempt's lease epoch (fencing token). */
  readonly epoch: number;
  /** Aborted when the attempt loses its lease (stall), is cancelled, or the database closes. */
  readonly signal: AbortSignal;
  /** Extends the lease by the worker's `leaseMs` from now. */
  heartbeat(): void;
  /** Reports progress (0..1); also a heartbeat. */
  progress(value: number): void;
  /**
   * Runs `fn` in one transaction that first checks that this attempt still
   * holds the job's lease (else FENCED, nothing written). The n-th call of
   * an attempt is memoized for the job: once committed, later attempts get
   * its result back without running `fn` again, so its effects happen
   * exactly once even when the job runs twice. `fn` must be synchronous and
   * deterministic in the order of the calls; its result must be storable.
   */
  transaction<T>(fn: (tx: import('../../storage/kv/index.js').KvTransaction<any>) => T): Promise<T>;
}

export type JobHandler<P = any, R = unknown> = (ctx: JobContext<P>) => Promise<R> | R;

export interface WorkerOptions {
  /** Jobs run at once by this worker (1..concurrencyMax); default 1 (`threads` when given). */
  readonly concurrency?: number;
  /**
   * Run the handler in this many worker threads (1..threadsMax) instead of
   * in-process; the handler is then a module path or URL whose default (or
   * `handler`) export is the handler function.
   */
  readonly threads?: number;
  /** Attempt lease in ms (leaseMsMin..leaseMsMax): a job not heartbeaten for this long stalls; default leaseMsDefault. */
  readonly leaseMs?: number;
}

/** Job events and their arguments. */
export interface JobEvents {
  /** A job was committed (submit, cron fire). */
  submitted: { readonly id: JobId; readonly tenant: string; readonly kind: string };
  /** An attempt started. */
  active: { readonly id: JobId; readonly attempt: number; readonly epoch: number };
  progress: { readonly id: JobId; readonly progress: number };
  completed: { readonly id: JobId; readonly result: unknown; readonly attempt: number };
  /** An attempt failed and the job will run again at `runAt`. */
  retrying: { readonly id: JobId; readonly error: string; readonly attempt: number; readonly runAt: number };
  /** The job failed for good (dead letter). */
  failed: { readonly id: JobId; readonly error: string; readonly cause: string };
  /** An attempt lost its lease (missed heartbeats, or a crash found at open); the job was requeued with a new epoch or, past `stallsMax`, failed. */
  stalled: { readonly id: JobId; readonly epoch: number; readonly requeued: boolean };
  cancelled: { readonly id: JobId };
  /** A cron schedule fired. */
  fired: { readonly schedule: string; readonly id: JobId; readonly at: number };
  /** Something went wrong outside any job (a listener threw, the store failed). */
  error: { readonly error: unknown };
}

export type JobEventName = keyof JobEvents;
