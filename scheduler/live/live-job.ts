/**
 * The in-memory state of active jobs and their attempts. Everything here is
 * also in the job's record (job-format.ts) except what only matters while
 * the process runs: the mechanism handle, the attempt, the graph links.
 */
import type { Job, JobId } from '../model.js';
import type { BackoffKind } from './job-format.js';
import type { JobAdmission, JobInfo } from './types.js';

/** A worker as the scheduler sees it (an in-process worker or a thread pool). */
export interface WorkerEndpoint {
  readonly kind: string;
  /** Attempt lease, ms. */
  readonly leaseMs: number;
  /** Jobs it runs at once. */
  readonly concurrency: number;
  /** Units in use: attempts started on it whose handler has not returned (unless released early). */
  busy: number;
  /** Set when it closes: it takes no more jobs. */
  closing: boolean;
  /** Runs an attempt; the scheduler has counted its unit. */
  start(attempt: Attempt): void;
}

export type ActiveState = 'queued' | 'waiting' | 'running';

export class LiveJob {
  state: ActiveState;
  epoch: number;
  attempts: number;
  stalls: number;
  progress: number;
  /** NaN when none. */
  runAt: number;
  /** Parents not yet succeeded. */
  unfinishedParents = 0;
  /** Parents to link to when the job's submission commits. */
  pendingParents: readonly number[] = [];
  /** Children waiting on this job (active ones). */
  readonly children: LiveJob[] = [];
  /** Mechanism handle while the job is in the mechanism; -1 otherwise. */
  handle = -1;
  /** The job as the mechanism has it (for the fairness report). */
  mechanismJob: Job | undefined;
  /** Mechanism seconds of the first start since entering the mechanism. */
  firstStart = NaN;
  /** The mechanism's contention integral when the job entered it. */
  contentionAtEntry = 0;
  attempt: Attempt | undefined;
  /** Whether memos of ctx.transaction steps may exist for the job. */
  memos: boolean;
  /** Waiting in the list of jobs to enter the mechanism. */
  entering = false;
  /** The progress value not yet written to the record. */
  progressDirty = false;

  constructor(
    readonly seq: number,
    readonly id: JobId,
    readonly tenant: string,
    readonly kind: string,
    state: ActiveState,
    readonly fields: {
      readonly slots: number;
      readonly work: number;
      readonly priority: number;
      readonly weight: number;
      readonly deadline: number;
      readonly retries: number;
      readonly backoff: BackoffKind;
      readonly backoffDelay: number;
      readonly submittedAt: number;
      readonly parents: readonly number[];
      readonly cancelOnParentFailure: boolean;
    },
    epoch: number,
    attempts: number,
    stalls: number,
    runAt: number,
    memos: boolean,
    /** The admission answer its submission got (deadline jobs). */
    public admission: JobAdmission | undefined,
  ) {
    this.state = state;
    this.epoch = epoch;
    this.attempts = attempts;
    this.stalls = stalls;
    this.progress = 0;
    this.runAt = runAt;
    this.memos = memos;
  }

  /** Estimated running time of one attempt, ms: work over slots. */
  get durationMs(): number {
    return (this.fields.work / this.fields.slots) * 1000;
  }
}

/** One run of a job's handler, holding the job's lease at `epoch`. */
export class Attempt {
  /** Created on first use of `signal` (most handlers never read it). */
  private controller: AbortController | undefined;
  private abortReason: unknown;
  /** Lease end, epoch ms; heartbeats move it. */
  leaseUntil: number;
  /** `ctx.transaction` calls made so far. */
  steps = 0;
  /** Set when the attempt lost its lease (stall, cancel, close): its outcome is ignored and its writes fenced. */
  revoked = false;
  /** Set when the handler returned or threw. */
  settled = false;
  /** Whether it still counts against its worker's concurrency. */
  holdsUnit = true;
  private decoded: JobInfo | undefined;

  constructor(
    readonly job: LiveJob,
    readonly epoch: number,
    readonly number: number,
    readonly endpoint: WorkerEndpoint,
    readonly startedAt: number,
    private readonly decode: () => JobInfo,
  ) {
    this.leaseUntil = startedAt + endpoint.leaseMs;
  }

  /** Aborted when the attempt is revoked. */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.revoked) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  /** Revoked: aborts the signal (now, or when it is first read). */
  abort(reason: unknown): void {
    this.abortReason = reason;
    this.controller?.abort(reason);
  }

  /** The job as the handler sees it, decoded from the claimed record on first use. */
  get info(): JobInfo {
    this.decoded ??= this.decode();
    return this.decoded;
  }
}
