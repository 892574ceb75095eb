/**
 * The live job system: the job table in the KV store, the scheduler that
 * drives the `Mechanism` (the same mechanism and policy code the simulator
 * runs) from the injected clock, and what workers call back.
 *
 * Job lifecycle (stored states; `delayed` is a queued job whose runAt is in
 * the future):
 *
 *     submit ─┬─> waiting ──(all parents succeeded)──> queued
 *             └─> queued ──(slot, worker, rate token)──> running
 *     running ──(handler returns)──────────────────────> succeeded
 *     running ──(handler throws, retry left)───────────> queued (runAt = backoff)
 *     running ──(handler throws, no retry)─────────────> failed
 *     running ──(lease missed: stall)──────────────────> queued (failed past stallsMax)
 *     any active ──(cancel)────────────────────────────> cancelled
 *     a parent failed / cancelled ─────────────────────> failed / cancelled (per onParentFailure)
 *     failed | cancelled ──(retry)─────────────────────> queued or waiting
 *
 * Epochs: every start (claim) gives the job a new epoch, its fencing token.
 * An attempt holds the lease while the stored job is running at its epoch;
 * a stall, a cancel or an outcome ends that at once (the job is no longer
 * running), and the next start moves the epoch on, so a stale attempt can
 * never match again.
 *
 * Every transition is one KV transaction that writes the job's record (and
 * those of the children it releases or ends); the in-memory state follows
 * the commit. Work is batched: handler outcomes, lease expiries, cron fires,
 * due delayed jobs and the decision that starts jobs are applied together,
 * once per event-loop turn, in one transaction (`flush`).
 *
 * Time: epoch ms from the injected clock, made monotonic (time-map.ts);
 * the mechanism runs on seconds since it was built.
 *
 * Live jobs are never preempted: a running handler keeps its slots until it
 * returns, so the policy only ever decides free slots (the mechanism's lease
 * periods are not ended live; `periodSeconds` is the horizon of the
 * policies' fairness estimates). The simulator preempts at lease
 * boundaries; the two agree when jobs finish within a period.
 *
 * Crash recovery: at open, every job found running belonged to a process
 * that is gone (the database lock guarantees that no other process holds
 * it), so its attempt is dead: it is requeued with a new epoch at once, as
 * a stall.
 */
import type { Packr } from 'msgpackr';
import { assert, ClosedError, FairdbError, InvalidArgumentError, LimitError, seededRandom, type Clock, type Random } from '../../storage/device/index.js';
import type { KvTransaction, LogStore, RawKey, RawWriter } from '../../storage/kv/index.js';
import { computeResult, type JobTrace, type SimulationResult } from '../metrics.js';
import { Mechanism, type MechanismStats } from '../mechanism.js';
import { MinHeap } from '../min-heap.js';
import type { Job, JobId, TenantId } from '../model.js';
import { DecisionBuilder } from '../policies/decision-builder.js';
import { predictAdmission } from '../policies/admission.js';
import type { Decision } from '../model.js';
import type { AdmissionAnswer, JobView, Policy, PolicyView, TenantView } from '../policies/policy.js';
import type { Either } from 'fp-ts/lib/Either.js';
import { right } from 'fp-ts/lib/Either.js';
import type { PolicyError } from '../errors.js';
import { planRetry } from './backoff.js';
import { resolveConfig, type ResolvedConfig } from './config.js';
import { dueFires, nextFireAfter } from './cron.js';
import { effectiveDeadline, findCycle } from './dag.js';
import { JobEmitter } from './events.js';
import { gatedPolicy, type Gate } from './gated-policy.js';
import {
  checkJobRecord,
  copyBytes,
  decodeCron,
  decodeMemo,
  decodeMeta,
  encodeCron,
  encodeJobRecord,
  encodeMetaBytes,
  encodeMemo,
  encodeMeta,
  encodeTail,
  flagCancelOnParentFailure,
  flagMemos,
  RecordEditor,
  recordFlags,
  readHeader,
  readMeta,
  readPayload,
  readTail,
  recordEpoch,
  recordState,
  type CronRecord,
  type EndCause,
  type JobHeader,
  type StoredState,
  newJobHeader,
} from './job-format.js';
import {
  activeKey,
  activePrefix,
  cronKey,
  cronNameOfKey,
  cronPrefix,
  finishedKey,
  finishedPrefix,
  idKey,
  memoKey,
  memoRange,
  metaKey,
  prefixEnd,
  readSeq,
  seqOfRecordKey,
} from './job-keys.js';
import { customIdProblem, isGeneratedId, resolveSpec, type ResolvedSpec } from './job-spec.js';
import {
  activeJobsMax,
  cronSchedulesMax,
  dagJobsMax,
  errorMessageLengthMax,
  outcomesMax,
  resultBytesMax,
  submitBatchMax,
  transactionStepsMax,
} from './limits.js';
import { Attempt, LiveJob, type ActiveState, type WorkerEndpoint } from './live-job.js';
import { createPackr, encodeStorable } from './payload.js';
import { TokenBucket } from './rate-limit.js';
import { TimeMap } from './time-map.js';
import type { AdmittedJob, JobAdmission, JobInfo, JobState, ScheduleInfo, SchedulerConfig, SubmitOptions, SubmitSpec } from './types.js';

export interface LiveSchedulerOptions {
  readonly store: LogStore;
  readonly clock: Clock;
  /**
   * Runs `fn` in a transaction of the database's key-value API, resolving
   * once it is durable (`db.transaction`); `ctx.transaction` uses it.
   */
  readonly userTransaction: <T>(fn: (tx: KvTransaction<any>) => T) => Promise<T>;
}

/** Counters of the live scheduler. */
export interface LiveStats {
  readonly queued: number;
  readonly delayed: number;
  readonly waiting: number;
  readonly running: number;
  readonly submitted: number;
  readonly started: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly cancelled: number;
  readonly retried: number;
  readonly stalled: number;
  /** Jobs found running at open (their process died) and requeued. */
  readonly recovered: number;
  readonly fired: number;
  /** Transactions the scheduler's batching committed. */
  readonly flushes: number;
  readonly mechanism: MechanismStats;
}

interface Completion {
  readonly attempt: Attempt;
  readonly ok: boolean;
  readonly value: unknown;
}

type After = (() => void)[];

/** Encoded metas kept for jobs without dependencies (per tenant and kind); the cache starts over when full. */
const metaCacheMax = 4096;
const noParents: readonly number[] = Object.freeze([]);

/** Wait before flushing again while an explicit SQL transaction holds the store, ms. */
const conflictRetryMs = 5;

/** Flushes run as microtasks in one event-loop turn before the next waits for the following turn. */
const microFlushesMax = 64;

function errorText(error: unknown): string {
  let text: string;
  if (error instanceof Error) text = error.message || error.name;
  else {
    try {
      text = String(error);
    } catch {
      text = 'unprintable error';
    }
  }
  return text.length > errorMessageLengthMax ? `${text.slice(0, errorMessageLengthMax - 1)}…` : text;
}

function isPromiseLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** The raw writer inside a transaction object of the KV API; throws INVALID_ARGUMENT for anything else. */
export function rawWriterOf(tx: unknown): RawWriter {
  const raw = (tx as { tx?: unknown } | null)?.tx as RawWriter | undefined;
  if (typeof raw !== 'object' || raw === null || typeof raw.putRaw !== 'function' || typeof raw.getRaw !== 'function') {
    throw new InvalidArgumentError('tx must be a transaction of this database (the argument of db.transactionSync)');
  }
  return raw;
}

export class LiveScheduler {
  readonly events = new JobEmitter();
  private readonly store: LogStore;
  private readonly clock: Clock;
  private readonly userTransaction: LiveSchedulerOptions['userTransaction'];
  private readonly packr: Packr = createPackr();
  /** Scratch editor of record headers (see RecordEditor). */
  private readonly editor = new RecordEditor();
  private readonly metaCache = new Map<string, Uint8Array>();
  private readonly time: TimeMap;
  private config: ResolvedConfig;
  private random: Random;
  private mechanism!: Mechanism;
  /** The tenant weights the current mechanism was given. */
  private weights = new Map<string, number>();
  private readonly active = new Map<number, LiveJob>();
  private byHandle: (LiveJob | undefined)[] = [];
  private entering: LiveJob[] = [];
  /** Ready jobs of kinds no worker takes, until one does. */
  private readonly parked = new Map<string, LiveJob[]>();
  private readonly delayed = new MinHeap<LiveJob>();
  /** Jobs found running (or waiting with nothing to wait for) at open, until the first flush. */
  private recovering: LiveJob[] = [];
  private readonly leases = new MinHeap<Attempt>();
  private readonly crons = new Map<string, CronRecord>();
  private readonly cronHeap = new MinHeap<string>();
  private completions: Completion[] = [];
  private readonly progressDirty = new Set<LiveJob>();
  private readonly endpoints = new Map<string, WorkerEndpoint[]>();
  /** Pending jobs in the mechanism per tenant, per kind. */
  private readonly pendingCount = new Map<string, Map<string, number>>();
  /** Pending jobs in the mechanism per kind. */
  private readonly pendingKinds = new Map<string, number>();
  /** Whether some tenant has a rate limit. */
  private rateLimited = false;
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly drafts = new Map<RawKey, LiveJob[]>();
  /** Jobs written in a caller's transaction that has not committed yet, by seq. */
  private readonly draftJobs = new Map<number, LiveJob>();
  private stopDraftListener: (() => void) | undefined;
  private draftSweep = false;
  private nextSeq: number;
  private persistedFloor: number;
  private flushScheduled = false;
  private timerCancel: (() => void) | undefined;
  private timerAt = Infinity;
  private closed = false;
  private failure: Error | undefined;
  private outcomes: JobTrace[] = [];
  /** Where the next outcome goes once the ring is full. */
  private outcomeNext = 0;
  private readonly counters = { submitted: 0, started: 0, succeeded: 0, failed: 0, cancelled: 0, retried: 0, stalled: 0, recovered: 0, fired: 0, flushes: 0 };
  // Per-decision state of the gate.
  private readonly kindBudget = new Map<string, number>();
  private readonly tenantBudget = new Map<string, number>();
  private gateFiltering = false;
  private gateCapacity = 0;
  private gateDropped = false;
  /** Running jobs to adopt into a rebuilt mechanism (see `rebuild`). */
  private adopting: ReadonlySet<number> | undefined;

  constructor(options: LiveSchedulerOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.userTransaction = options.userTransaction;
    const metaBytes = this.store.getRaw(metaKey);
    const meta = metaBytes === undefined ? { seqFloor: 0, clockFloorMs: -Infinity } : decodeMeta(metaBytes, 'job meta record');
    this.time = new TimeMap(this.clock, meta.clockFloorMs);
    this.persistedFloor = meta.clockFloorMs;
    this.config = resolveConfig({});
    this.random = seededRandom(this.config.seed);
    this.nextSeq = meta.seqFloor + 1;
    this.load();
    this.rebuild();
    this.scheduleFlush();
  }

  // ================================================================ loading

  private load(): void {
    let maxSeq = this.nextSeq - 1;
    const records: { seq: number; header: JobHeader; bytes: Uint8Array }[] = [];
    this.store.scanRaw({ start: activePrefix, end: prefixEnd(activePrefix) }, (key, buffer, offset, length) => {
      const bytes = copyBytes(buffer.subarray(offset, offset + length));
      const seq = seqOfRecordKey(key);
      checkJobRecord(bytes, `job record ${seq}`);
      records.push({ seq, header: readHeader(bytes), bytes });
      maxSeq = Math.max(maxSeq, seq);
    });
    this.store.scanRaw({ start: prefixEnd(finishedPrefix), end: finishedPrefix, reverse: true, limit: 1 }, (key) => {
      maxSeq = Math.max(maxSeq, seqOfRecordKey(key));
    });
    this.nextSeq = maxSeq + 1;
    for (const { seq, header, bytes } of records) {
      const meta = readMeta(this.packr, bytes, `job record ${seq}`);
      const state: ActiveState = header.state === 'waiting' || header.state === 'running' ? header.state : 'queued';
      if (header.state !== 'queued' && header.state !== 'waiting' && header.state !== 'running') {
        throw new FairdbError('CORRUPTION', `job record ${seq} is active but in state ${header.state}`);
      }
      const job = this.makeJob(seq, (meta.customId ?? String(seq)) as JobId, meta.tenant, meta.kind, state, header, meta.dependsOn);
      this.active.set(seq, job);
      for (const t of [header.submittedAt, header.startedAt]) if (Number.isFinite(t)) this.time.raiseFloor(t);
    }
    for (const job of this.active.values()) {
      for (const parentSeq of job.fields.parents) {
        const parent = this.active.get(parentSeq);
        if (parent === undefined) continue;
        parent.children.push(job);
        job.unfinishedParents++;
      }
    }
    this.store.scanRaw({ start: cronPrefix, end: prefixEnd(cronPrefix) }, (key, buffer, offset, length) => {
      const name = cronNameOfKey(key);
      const record = decodeCron(this.packr, buffer.subarray(offset, offset + length), `cron schedule ${name}`);
      this.crons.set(name, record);
      this.cronHeap.push(record.nextFireMs, name);
    });
    // Recovery (attempts of a dead process, waiting jobs whose parents are
    // all done) is written by the first flush: this may run inside a
    // caller's transaction (the first use of db.jobs), where it cannot write.
    for (const job of this.active.values()) {
      if (job.state === 'running' || (job.state === 'waiting' && job.unfinishedParents === 0)) this.recovering.push(job);
    }
  }

  /** Requeues the attempts found at open and releases waiting jobs found ready (the first flush). */
  private recover(tx: RawWriter, nowMs: number, now: number, after: After): void {
    const jobs = this.recovering;
    this.recovering = [];
    for (const job of jobs) {
      if (this.active.get(job.seq) !== job) continue;
      if (job.state === 'running' && job.attempt === undefined) {
        this.counters.recovered++;
        this.stallJob(tx, job, nowMs, now, after);
      } else if (job.state === 'waiting' && job.unfinishedParents === 0) {
        this.release(tx, job, nowMs);
      }
    }
  }

  private makeJob(seq: number, id: JobId, tenant: string, kind: string, state: ActiveState, h: JobHeader, parents: readonly number[]): LiveJob {
    return new LiveJob(
      seq,
      id,
      tenant,
      kind,
      state,
      {
        slots: h.slots,
        work: h.work,
        priority: h.priority,
        weight: h.weight,
        deadline: h.deadline,
        retries: h.retries,
        backoff: h.backoff,
        backoffDelay: h.backoffDelay,
        submittedAt: h.submittedAt,
        parents,
        cancelOnParentFailure: (h.flags & flagCancelOnParentFailure) !== 0,
      },
      h.epoch,
      h.attempts,
      h.stalls,
      h.runAt,
      (h.flags & flagMemos) !== 0,
      h.admission === 'none' ? undefined : { verdict: h.admission, predictedFinish: h.predictedFinish },
    );
  }

  // ================================================================ configuration

  configure(config: SchedulerConfig): void {
    this.checkUsable();
    const resolved = resolveConfig(config);
    this.config = resolved;
    this.random = seededRandom(resolved.seed);
    this.buckets.clear();
    this.rebuild();
    this.scheduleFlush();
  }

  get configuration(): ResolvedConfig {
    return this.config;
  }

  /**
   * A new mechanism for the current configuration, holding every active job:
   * running ones first (adopted onto slots as they fit; the others finish
   * outside the pool), then the ready ones in submission order. Fairness
   * history (the tenants' rho so far) starts over.
   */
  private rebuild(): void {
    const nowMs = this.time.nowMs();
    this.time.resetOrigin(nowMs);
    const now = this.time.seconds(nowMs);
    const policy = this.adoptingPolicy(gatedPolicy(this.config.policy, this.gate));
    this.mechanism = new Mechanism({ cluster: this.config.cluster, policy, leaseSeconds: this.config.periodSeconds });
    this.byHandle = [];
    this.weights = new Map();
    this.pendingCount.clear();
    this.pendingKinds.clear();
    this.rateLimited = [...this.config.tenants.values()].some((t) => t.rateLimit !== undefined);
    this.outcomes = [];
    this.outcomeNext = 0;
    const sorted = [...this.active.values()].sort((a, b) => a.seq - b.seq);
    const running = sorted.filter((j) => j.state === 'running');
    for (const job of sorted) job.handle = -1;
    const adopt = new Set<number>();
    for (const job of running) {
      this.enterOne(job, now);
      adopt.add(job.handle);
    }
    if (adopt.size > 0) {
      this.adopting = adopt;
      try {
        this.mechanism.decide(now);
      } finally {
        this.adopting = undefined;
      }
      for (const job of running) {
        const view = this.mechanism.job(job.handle);
        if (view !== undefined && view.state === 'running') {
          this.countPending(job, -1);
          job.firstStart = now;
        } else {
          // No room in the new pool: it finishes outside it.
          this.countPending(job, -1);
          this.mechanism.cancel(job.handle, now);
          this.byHandle[job.handle] = undefined;
          job.handle = -1;
        }
      }
    }
    this.entering = [];
    this.parked.clear();
    for (const job of sorted) job.entering = false;
    for (const job of sorted) if (job.state === 'queued') this.makeReady(job, nowMs);
  }

  /** Wraps the policy so that `rebuild` can re-seat running jobs through an ordinary decision. */
  private adoptingPolicy(inner: Policy): Policy {
    const scheduler = this;
    const decide = (view: PolicyView, now: number): Either<PolicyError, Decision> => {
      const adopting = scheduler.adopting;
      if (adopting === undefined) return inner.decide(view, now);
      const builder = new DecisionBuilder(view, 'first-free');
      for (const handle of adopting) {
        const job = view.job(handle);
        if (job !== undefined && job.state === 'pending') builder.allocate(job);
      }
      return right(builder.build());
    };
    if (inner.admit === undefined) return { ...inner, decide };
    const admit = inner.admit.bind(inner);
    // A job entering the mechanism keeps the answer its submission got (the
    // one its caller was told), which also spares a second walk of the queue.
    const cached = (view: PolicyView, job: JobView, now: number): AdmissionAnswer => scheduler.entryAdmission ?? admit(view, job, now);
    return { ...inner, decide, admit: cached };
  }

  /** The admission answer of the job `enterOne` is entering, in mechanism seconds, if it has one. */
  private entryAdmission: AdmissionAnswer | undefined;

  // ================================================================ the gate

  private readonly gate: Gate = {
    begin: () => {
      const nowMs = this.time.nowMs();
      this.kindBudget.clear();
      this.tenantBudget.clear();
      this.gateDropped = false;
      let filtering = false;
      for (const [kind, list] of this.endpoints) {
        let free = 0;
        for (const e of list) if (!e.closing) free += e.concurrency - e.busy;
        this.kindBudget.set(kind, free);
      }
      let capacity = 0;
      for (const kind of this.pendingKinds.keys()) {
        const budget = this.kindBudget.get(kind) ?? 0;
        if (budget <= 0) filtering = true;
        capacity += budget;
      }
      this.gateCapacity = capacity;
      if (this.rateLimited) {
        for (const tenant of this.pendingCount.keys()) {
          const bucket = this.bucketOf(tenant, nowMs);
          if (bucket === undefined) continue;
          const tokens = bucket.available(nowMs);
          this.tenantBudget.set(tenant, tokens);
          if (tokens === 0) filtering = true;
        }
      }
      this.gateFiltering = filtering;
    },
    filtering: () => this.gateFiltering,
    capacity: () => this.gateCapacity,
    eligible: (view: JobView) => {
      const job = this.byHandle[view.index] as LiveJob;
      if ((this.kindBudget.get(job.kind) ?? 0) <= 0) return false;
      const tokens = this.tenantBudget.get(job.tenant);
      return tokens === undefined || tokens > 0;
    },
    eligibleCount: (tenant: TenantView) => {
      const tokens = this.tenantBudget.get(tenant.id);
      if (tokens !== undefined && tokens <= 0) return 0;
      let count = 0;
      const kinds = this.pendingCount.get(tenant.id);
      if (kinds !== undefined) for (const [kind, n] of kinds) if ((this.kindBudget.get(kind) ?? 0) > 0) count += n;
      return count;
    },
    take: (view: JobView) => {
      const job = this.byHandle[view.index] as LiveJob;
      const free = this.kindBudget.get(job.kind) ?? 0;
      const tokens = this.tenantBudget.get(job.tenant);
      if (free <= 0 || (tokens !== undefined && tokens <= 0)) {
        this.gateDropped = true;
        return false;
      }
      this.kindBudget.set(job.kind, free - 1);
      if (tokens !== undefined) this.tenantBudget.set(job.tenant, tokens - 1);
      return true;
    },
  };

  private bucketOf(tenant: string, nowMs: number): TokenBucket | undefined {
    let bucket = this.buckets.get(tenant);
    if (bucket === undefined) {
      const limit = this.config.tenants.get(tenant)?.rateLimit;
      if (limit === undefined) return undefined;
      bucket = new TokenBucket(limit.jobs, limit.perMs, nowMs);
      this.buckets.set(tenant, bucket);
    }
    return bucket;
  }

  private countPending(job: LiveJob, delta: number): void {
    const total = (this.pendingKinds.get(job.kind) ?? 0) + delta;
    if (total === 0) this.pendingKinds.delete(job.kind);
    else this.pendingKinds.set(job.kind, total);
    let kinds = this.pendingCount.get(job.tenant);
    if (kinds === undefined) this.pendingCount.set(job.tenant, (kinds = new Map()));
    const n = (kinds.get(job.kind) ?? 0) + delta;
    if (n === 0) kinds.delete(job.kind);
    else kinds.set(job.kind, n);
    if (kinds.size === 0) this.pendingCount.delete(job.tenant);
  }

  // ================================================================ workers

  /** Registers a worker; it starts taking jobs of its kind at the next decision. */
  addEndpoint(endpoint: WorkerEndpoint): void {
    this.checkUsable();
    let list = this.endpoints.get(endpoint.kind);
    if (list === undefined) this.endpoints.set(endpoint.kind, (list = []));
    list.push(endpoint);
    const parked = this.parked.get(endpoint.kind);
    if (parked !== undefined) {
      this.parked.delete(endpoint.kind);
      for (const job of parked) this.queueEntry(job);
    }
    this.scheduleFlush();
  }

  removeEndpoint(endpoint: WorkerEndpoint): void {
    const list = this.endpoints.get(endpoint.kind);
    if (list === undefined) return;
    const i = list.indexOf(endpoint);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.endpoints.delete(endpoint.kind);
  }

  /** The handler of `attempt` returned (`ok`) or threw. */
  settle(attempt: Attempt, ok: boolean, value: unknown): void {
    if (attempt.settled) return;
    attempt.settled = true;
    this.releaseUnit(attempt);
    if (this.closed) return;
    if (!attempt.revoked) this.completions.push({ attempt, ok, value });
    this.scheduleFlush();
  }

  heartbeat(attempt: Attempt): void {
    if (attempt.revoked || attempt.settled || this.closed) return;
    attempt.leaseUntil = this.time.nowMs() + attempt.endpoint.leaseMs;
  }

  progress(attempt: Attempt, value: number): void {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) throw new InvalidArgumentError(`progress must be a number in 0..1, got ${String(value)}`);
    if (attempt.revoked || attempt.settled || this.closed) return;
    this.heartbeat(attempt);
    const job = attempt.job;
    job.progress = value;
    this.progressDirty.add(job);
    this.scheduleFlush();
    if (this.events.has('progress')) this.events.emit('progress', { id: job.id, progress: value });
  }

  /** `ctx.transaction` of an in-process attempt (see `JobContext.transaction`). */
  transaction<T>(attempt: Attempt, fn: (tx: KvTransaction<any>) => T): Promise<T> {
    if (typeof fn !== 'function') return Promise.reject(new InvalidArgumentError('ctx.transaction expects a function'));
    return this.fencedStep(attempt, (tx) => {
      const result = fn(tx);
      if (isPromiseLike(result)) throw new InvalidArgumentError('a ctx.transaction function must be synchronous; it returned a promise (nothing was written)');
      return result;
    });
  }

  /**
   * `ctx.transaction` of a thread's attempt: the writes are data (the
   * function stays in the thread), applied here under the same fence and
   * memo as in-process steps. Keys and values are those of the KV API.
   */
  transactionWrites(attempt: Attempt, writes: readonly { readonly key: unknown; readonly value?: unknown; readonly del?: boolean }[], result: unknown): Promise<unknown> {
    if (!Array.isArray(writes)) return Promise.reject(new InvalidArgumentError('ctx.transaction in a thread takes an array of { key, value } or { key, del: true }'));
    return this.fencedStep(attempt, (tx) => {
      for (const w of writes) {
        if (typeof w !== 'object' || w === null) throw new InvalidArgumentError('a write must be { key, value } or { key, del: true }');
        if (w.del === true) tx.del(w.key as never);
        else tx.put(w.key as never, w.value);
      }
      return result;
    });
  }

  private fencedStep<T>(attempt: Attempt, body: (tx: KvTransaction<any>) => T): Promise<T> {
    try {
      this.checkUsable();
    } catch (error) {
      return Promise.reject(error);
    }
    const step = ++attempt.steps;
    if (step > transactionStepsMax) return Promise.reject(new LimitError('ctx.transaction calls in one attempt', transactionStepsMax, step));
    const job = attempt.job;
    const key = activeKey(job.seq);
    const memo = memoKey(job.seq, step);
    return this.userTransaction((tx) => {
      const raw = rawWriterOf(tx);
      const record = raw.getRaw(key);
      if (record === undefined || recordState(record) !== 'running' || recordEpoch(record) !== attempt.epoch) {
        throw new FairdbError('FENCED', `job ${job.id}: the attempt with epoch ${attempt.epoch} no longer holds the job's lease; nothing was written`);
      }
      const done = raw.getRaw(memo);
      if (done !== undefined) return decodeMemo(this.packr, done, `memo ${job.id}#${step}`) as T;
      const result = body(tx);
      raw.putRaw(memo, encodeMemo(encodeStorable(this.packr, result, 'ctx.transaction result', resultBytesMax)));
      const flags = recordFlags(record);
      if ((flags & flagMemos) === 0) raw.putRaw(key, this.editor.copy(record).flags(flags | flagMemos).bytes);
      job.memos = true;
      return result;
    });
  }

  private releaseUnit(attempt: Attempt): void {
    if (!attempt.holdsUnit) return;
    attempt.holdsUnit = false;
    attempt.endpoint.busy--;
  }

  /** Ends an attempt that lost its lease: its signal aborts, its unit is free for other jobs. */
  private revoke(attempt: Attempt, reason: string): void {
    if (attempt.revoked) return;
    attempt.revoked = true;
    this.releaseUnit(attempt);
    attempt.abort(new FairdbError('FENCED', reason));
  }

  // ================================================================ submission

  submit(spec: SubmitSpec, options: SubmitOptions = {}): JobId | AdmittedJob | string {
    const [result] = this.submitAll([spec], options, false);
    return result as JobId | AdmittedJob | string;
  }

  submitMany(specs: readonly SubmitSpec[], options: SubmitOptions = {}): JobId[] {
    if (!Array.isArray(specs)) throw new InvalidArgumentError('submitMany expects an array of jobs');
    if (specs.length > submitBatchMax) throw new LimitError('jobs in one submitMany', submitBatchMax, specs.length);
    return this.submitAll(specs, options, true) as JobId[];
  }

  private submitAll(specs: readonly SubmitSpec[], options: SubmitOptions, idsOnly: boolean): (JobId | AdmittedJob | string)[] {
    this.checkUsable();
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('submit options must be an object');
    const tx = options.tx === undefined ? undefined : rawWriterOf(options.tx);
    const nowMs = this.time.nowMs();
    const ctx = { nowMs, poolSlots: this.config.slots, kinds: this.config.kinds, packr: this.packr };
    const resolved: ResolvedSpec[] = [];
    let graph = false;
    for (let i = 0; i < specs.length; i++) {
      let r: ResolvedSpec;
      try {
        r = resolveSpec(specs[i] as SubmitSpec, ctx);
      } catch (error) {
        if (specs.length > 1 && error instanceof FairdbError) throw new FairdbError(error.code, `jobs[${i}]: ${error.message}`);
        throw error;
      }
      if (r.dependsOn.length > 0 || r.customId !== undefined) graph = true;
      if (r.cron !== undefined) {
        if (specs.length > 1) throw new InvalidArgumentError('submitMany takes no cron jobs; submit each schedule on its own');
        return [this.submitCron(r, tx, nowMs)];
      }
      resolved.push(r);
    }
    if (this.active.size + resolved.length > activeJobsMax) throw new LimitError('active jobs', activeJobsMax, this.active.size + resolved.length);
    const firstSeq = this.nextSeq;
    const parentSeqs = graph ? this.resolveGraph(resolved, tx, firstSeq) : undefined;
    // Records and in-memory jobs (not yet live: they join when the transaction commits).
    const jobs: LiveJob[] = [];
    const keys: RawKey[] = [];
    const bytes: Uint8Array[] = [];
    const results: (JobId | AdmittedJob)[] = [];
    const batch = graph ? new Map<number, LiveJob>() : undefined;
    for (let i = 0; i < resolved.length; i++) {
      const r = resolved[i] as ResolvedSpec;
      const seq = firstSeq + i;
      const parents = parentSeqs === undefined ? noParents : (parentSeqs[i] as number[]);
      const unfinished = parents.length === 0 ? noParents : parents.filter((p) => this.active.has(p) || this.draftJobs.has(p) || (p >= firstSeq && p < firstSeq + resolved.length));
      const state: ActiveState = unfinished.length > 0 ? 'waiting' : 'queued';
      const id = (r.customId ?? String(seq)) as JobId;
      const header = newJobHeader({
        state,
        retries: r.retries,
        backoff: r.backoff,
        flags: r.cancelOnParentFailure ? flagCancelOnParentFailure : 0,
        slots: r.slots,
        priority: r.priority,
        seq,
        work: r.work,
        weight: r.weight,
        backoffDelay: r.backoffDelay,
        submittedAt: nowMs,
        runAt: r.runAt,
        deadline: r.deadline,
      });
      const job = this.makeJob(seq, id, r.tenant, r.kind, state, header, parents);
      job.pendingParents = unfinished;
      batch?.set(seq, job);
      let admission: JobAdmission | undefined;
      if (!Number.isNaN(r.deadline)) {
        admission = this.admit(job, nowMs, unfinished.length > 0 ? batch : undefined);
        job.admission = admission;
        header.admission = admission.verdict;
        header.predictedFinish = admission.predictedFinish;
      }
      jobs.push(job);
      const metaBytes =
        parents.length === 0 && r.customId === undefined
          ? this.plainMeta(r.tenant, r.kind)
          : encodeMetaBytes(this.packr, { tenant: r.tenant, kind: r.kind, dependsOn: parents, dependsOnIds: r.dependsOn, cron: undefined, customId: r.customId });
      keys.push(activeKey(seq));
      bytes.push(encodeJobRecord(header, metaBytes, r.payload, undefined));
      results.push(admission === undefined || idsOnly ? id : { id, admission });
    }
    const write = (w: RawWriter) => {
      for (let i = 0; i < keys.length; i++) {
        w.putRaw(keys[i] as RawKey, bytes[i] as Uint8Array);
        const customId = (resolved[i] as ResolvedSpec).customId;
        if (customId !== undefined) w.putRaw(idKey(customId), Buffer.from((keys[i] as RawKey).slice(3), 'latin1'));
      }
    };
    this.nextSeq += resolved.length;
    if (tx === undefined) {
      this.store.transactionSync(write);
      this.adopt(jobs, nowMs);
    } else {
      // The jobs join only if the caller's transaction commits (see addDrafts).
      write(tx);
      this.addDrafts(keys[0] as RawKey, jobs);
    }
    return results;
  }

  /** The encoded meta of a job without dependencies, cron or id: cached per tenant and kind. */
  private plainMeta(tenant: string, kind: string): Uint8Array {
    const cacheKey = `${tenant}\u0000${kind}`;
    let bytes = this.metaCache.get(cacheKey);
    if (bytes === undefined) {
      if (this.metaCache.size >= metaCacheMax) this.metaCache.clear();
      bytes = encodeMetaBytes(this.packr, { tenant, kind, dependsOn: noParents, dependsOnIds: undefined, cron: undefined, customId: undefined });
      this.metaCache.set(cacheKey, bytes);
    }
    return bytes;
  }

  /**
   * Checks caller-chosen ids (new, unique in the batch) and dependencies
   * (batch members or known jobs that can still succeed; no cycle; graphs
   * within dagJobsMax); returns each job's parent seqs.
   */
  private resolveGraph(resolved: readonly ResolvedSpec[], tx: RawWriter | undefined, firstSeq: number): number[][] {
    const many = resolved.length > 1;
    const batchIds = new Map<string, number>();
    const seqs: number[] = [];
    for (let i = 0; i < resolved.length; i++) {
      const r = resolved[i] as ResolvedSpec;
      seqs.push(firstSeq + i);
      if (r.customId === undefined) continue;
      if (batchIds.has(r.customId)) throw new FairdbError('CONFLICT', `jobs[${i}]: id ${JSON.stringify(r.customId)} repeats in the batch`);
      if ((tx ?? this.store).getRaw(idKey(r.customId)) !== undefined) throw new FairdbError('CONFLICT', `a job with id ${JSON.stringify(r.customId)} exists`);
      batchIds.set(r.customId, firstSeq + i);
    }
    const edges = new Map<string, string[]>();
    const parentSeqs: number[][] = [];
    for (let i = 0; i < resolved.length; i++) {
      const r = resolved[i] as ResolvedSpec;
      const where = many ? `jobs[${i}]: ` : '';
      if (r.customId !== undefined && r.dependsOn.includes(r.customId)) throw new InvalidArgumentError(`${where}cyclic dependencies: ${r.customId} → ${r.customId}`);
      const parents: number[] = [];
      const batchParents: string[] = [];
      for (const dep of r.dependsOn) {
        const inBatch = batchIds.get(dep);
        if (inBatch !== undefined) {
          parents.push(inBatch);
          batchParents.push(dep);
          continue;
        }
        const seq = this.seqOf(dep, tx);
        const notFound = () => new FairdbError('NOT_FOUND', `${where}dependency ${JSON.stringify(dep)} is not a known job`);
        if (seq === undefined || seq >= firstSeq) throw notFound();
        if (!this.active.has(seq) && !this.draftJobs.has(seq)) {
          const record = (tx ?? this.store).getRaw(finishedKey(seq));
          if (record === undefined) throw notFound();
          const state = recordState(record);
          if (state !== 'succeeded') throw new FairdbError('CONFLICT', `${where}dependency ${JSON.stringify(dep)} is ${state}; it can never succeed`);
        }
        parents.push(seq);
      }
      edges.set(r.customId ?? `#${i}`, batchParents);
      parentSeqs.push(parents);
    }
    if (batchIds.size > 0) {
      const cycle = findCycle([...edges.keys()], edges);
      if (cycle !== undefined) throw new InvalidArgumentError(`cyclic dependencies: ${cycle.join(' → ')}`);
    }
    for (let i = 0; i < resolved.length; i++) {
      if ((parentSeqs[i] as number[]).length === 0) continue;
      const count = this.ancestorCount(parentSeqs[i] as number[], parentSeqs, seqs);
      if (count + 1 > dagJobsMax) throw new LimitError('unfinished jobs in a dependency graph', dagJobsMax, count + 1);
    }
    return parentSeqs;
  }

  /** Unfinished ancestors of a new job with `parents`, counted once each (bounded by dagJobsMax + 1). */
  private ancestorCount(parents: readonly number[], batchParents: readonly number[][] | undefined, batchSeqs: readonly number[]): number {
    const seen = new Set<number>();
    const stack = [...parents];
    while (stack.length > 0 && seen.size <= dagJobsMax) {
      const seq = stack.pop() as number;
      if (seen.has(seq)) continue;
      const job = this.active.get(seq);
      const inBatch = batchParents === undefined || batchSeqs.length === 0 ? -1 : seq - (batchSeqs[0] as number) < batchSeqs.length && seq >= (batchSeqs[0] as number) ? seq - (batchSeqs[0] as number) : -1;
      if (job === undefined && inBatch < 0) continue;
      seen.add(seq);
      for (const p of job !== undefined ? job.fields.parents : (batchParents as number[][])[inBatch] as number[]) stack.push(p);
    }
    return seen.size;
  }

  /** Makes committed jobs live: they join the active set and their parents' children. */
  private adopt(jobs: readonly LiveJob[], nowMs: number): void {
    for (const job of jobs) {
      this.active.set(job.seq, job);
      this.draftJobs.delete(job.seq);
      this.counters.submitted++;
    }
    for (const job of jobs) {
      for (const p of job.pendingParents) {
        const parent = this.active.get(p);
        if (parent === undefined) continue;
        parent.children.push(job);
        job.unfinishedParents++;
      }
      job.pendingParents = [];
      if (job.state === 'waiting' && job.unfinishedParents === 0) job.state = 'queued';
      if (job.state === 'queued') this.makeReady(job, nowMs);
    }
    for (const job of jobs) if (job.unfinishedParents > 0 && !Number.isNaN(job.fields.deadline)) this.tightenAncestors(job, nowMs);
    this.scheduleFlush();
    if (this.events.has('submitted')) for (const job of jobs) this.events.emit('submitted', { id: job.id, tenant: job.tenant, kind: job.kind });
  }

  private addDrafts(firstKey: RawKey, jobs: LiveJob[]): void {
    this.drafts.set(firstKey, jobs);
    for (const job of jobs) this.draftJobs.set(job.seq, job);
    this.stopDraftListener ??= this.store.onCommit((change) => {
      if (this.drafts.size === 0) return;
      for (const w of change.writes) {
        const jobs = this.drafts.get(w.key);
        if (jobs === undefined || w.value === undefined) continue;
        this.drafts.delete(w.key);
        this.adopt(jobs, this.time.nowMs());
      }
    });
    if (!this.draftSweep) {
      this.draftSweep = true;
      // A transaction function is synchronous: by the next turn, a draft not
      // committed was rolled back.
      setImmediate(() => {
        this.draftSweep = false;
        this.drafts.clear();
        this.draftJobs.clear();
        this.stopDraftListener?.();
        this.stopDraftListener = undefined;
      });
    }
  }

  /**
   * The admission answer for a deadline job, from the configured policy's
   * admission control (or, for policies without one, the same prediction
   * with the policy's queue order), at its ready time: after `runAt` and
   * after its unfinished ancestors' critical path.
   */
  private admit(job: LiveJob, nowMs: number, batch: ReadonlyMap<number, LiveJob> | undefined): JobAdmission {
    const now = this.time.seconds(nowMs);
    // Jobs committed but not yet in the mechanism compete too.
    this.enterReady(now);
    const ready = Math.max(nowMs, Number.isNaN(job.runAt) ? nowMs : job.runAt, nowMs + this.ancestorPathMs(job, batch));
    const deadline = this.time.seconds(job.fields.deadline);
    const probe: JobView = {
      index: -1,
      seq: Number.MAX_SAFE_INTEGER,
      id: job.id,
      tenant: job.tenant as TenantId,
      tenantIndex: -1,
      arrival: now,
      sizeMin: job.fields.slots,
      sizeMax: job.fields.slots,
      work: job.fields.work,
      remaining: job.fields.work,
      attained: 0,
      progressAt: now,
      rate: 0,
      placementSensitivity: 1,
      weight: 1,
      priority: job.fields.priority,
      deadline,
      admission: undefined,
      state: 'pending',
      slots: [],
      previousSlots: [],
      leaseEnd: NaN,
      firstStart: NaN,
    };
    const policy = this.config.policy;
    const answer =
      policy.admit !== undefined
        ? policy.admit(this.mechanism, probe, now)
        : predictAdmission(this.mechanism, probe, now, { keyOf: (j) => policy.queueKey(j), competes: () => true, capacity: this.config.slots, held: this.config.slots - this.mechanism.freeSlots, riskMarginFraction: 0.25 });
    const predictedFinish = Math.max(this.time.ms(answer.predictedFinish), ready + job.durationMs);
    let verdict = answer.verdict;
    if (predictedFinish > job.fields.deadline) verdict = 'infeasible';
    else if (verdict === 'infeasible') verdict = 'at-risk';
    return { verdict, predictedFinish };
  }

  /** The longest chain of unfinished ancestors' estimated running times, ms. */
  private ancestorPathMs(job: LiveJob, batch: ReadonlyMap<number, LiveJob> | undefined): number {
    if (job.fields.parents.length === 0) return 0;
    const memo = new Map<LiveJob, number>();
    const parentsOf = (j: LiveJob): LiveJob[] => j.fields.parents.map((p) => this.active.get(p) ?? this.draftJobs.get(p) ?? batch?.get(p)).filter((p): p is LiveJob => p !== undefined);
    const stack: { j: LiveJob; next: number; parents: LiveJob[] }[] = [{ j: job, next: 0, parents: parentsOf(job) }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.parents.length) {
        const p = top.parents[top.next++]!;
        if (!memo.has(p)) stack.push({ j: p, next: 0, parents: parentsOf(p) });
        continue;
      }
      let longest = 0;
      for (const p of top.parents) longest = Math.max(longest, (memo.get(p) as number) + p.durationMs);
      memo.set(top.j, longest);
      stack.pop();
    }
    return memo.get(job) as number;
  }

  private submitCron(r: ResolvedSpec, tx: RawWriter | undefined, nowMs: number): string {
    const cron = r.cron as NonNullable<ResolvedSpec['cron']>;
    const next = nextFireAfter(cron.expression, cron.timeZone, nowMs);
    if (!this.crons.has(cron.name) && this.crons.size >= cronSchedulesMax) throw new LimitError('cron schedules', cronSchedulesMax, this.crons.size + 1);
    const record: CronRecord = {
      name: cron.name,
      expression: cron.expression,
      timeZone: cron.timeZone,
      template: { tenant: r.tenant, kind: r.kind, payload: r.payload, slots: r.slots, work: r.work, priority: r.priority, weight: r.weight, retries: r.retries, backoff: r.backoff, backoffDelay: r.backoffDelay },
      nextFireMs: next,
      lastFiredMs: NaN,
      fired: 0,
      skipped: 0,
    };
    const bytes = encodeCron(this.packr, record);
    const key = cronKey(cron.name);
    const install = () => {
      this.crons.set(cron.name, record);
      this.cronHeap.push(next, cron.name);
      this.scheduleFlush();
    };
    if (tx === undefined) {
      this.store.transactionSync((w) => w.putRaw(key, bytes));
      install();
    } else {
      tx.putRaw(key, bytes);
      const stop = this.store.onCommit((change) => {
        if (change.writes.some((w) => w.key === key && w.value !== undefined)) {
          stop();
          install();
        }
      });
      setImmediate(stop);
    }
    return `cron:${cron.name}`;
  }

  // ================================================================ the flush

  /**
   * Flushes soon: in a microtask while fewer than `microFlushesMax` flushes
   * ran in this event-loop turn (so a fast handler's outcome and the next
   * start share the turn and its group commit), else in the next turn (so
   * I/O and timers are not starved).
   */
  private scheduleFlush(): void {
    if (this.flushScheduled || this.closed || this.failure !== undefined) return;
    this.flushScheduled = true;
    if (this.microFlushes < microFlushesMax) {
      if (this.microFlushes === 0) setImmediate(this.resetTurn);
      this.microFlushes++;
      queueMicrotask(this.flushTask);
    } else {
      setImmediate(this.flushTask);
    }
  }

  private microFlushes = 0;
  /** Set while an explicit transaction of the caller keeps the flush from writing. */
  private blocked = false;
  private readonly resetTurn = (): void => {
    this.microFlushes = 0;
  };
  private readonly flushTask = (): void => this.flush(false);

  /**
   * Applies everything pending in one transaction: handler outcomes, lease
   * expiries, cron fires, due delayed jobs, progress; then enters ready jobs
   * into the mechanism and starts what the policy decides (unless `final`,
   * at close). Events and handler starts follow the commit.
   */
  private flush(final: boolean): void {
    this.flushScheduled = false;
    if ((this.closed && !final) || this.failure !== undefined) return;
    const nowMs = this.time.nowMs();
    const now = this.time.seconds(nowMs);
    const after: After = [];
    try {
      this.store.transactionSync((tx) => {
        if (this.recovering.length > 0) this.recover(tx, nowMs, now, after);
        const completions = this.completions;
        this.completions = [];
        for (const c of completions) this.applyCompletion(tx, c, nowMs, now, after);
        if (!final) {
          this.expireLeases(tx, nowMs, now, after);
          this.fireCrons(tx, nowMs, after);
          this.promoteDelayed(nowMs);
        }
        for (const job of this.progressDirty) {
          if (!this.active.has(job.seq)) continue;
          const key = activeKey(job.seq);
          const record = tx.getRaw(key);
          if (record !== undefined) tx.putRaw(key, this.editor.copy(record).progress(job.progress).bytes);
        }
        this.progressDirty.clear();
        if (!final) {
          this.enterReady(now);
          this.decideAndStart(tx, nowMs, now, after);
        }
        if (this.time.floor >= this.persistedFloor + 1000 || final) {
          tx.putRaw(metaKey, encodeMeta({ seqFloor: this.nextSeq - 1, clockFloorMs: this.time.floor }));
          this.persistedFloor = this.time.floor;
        }
      });
    } catch (error) {
      if (error instanceof FairdbError && error.code === 'CONFLICT' && !final) {
        // An explicit SQL transaction (BEGIN ... COMMIT) is open across
        // turns; nothing was applied (the store refuses before running the
        // function): try again shortly.
        this.blocked = true;
        const retry = setTimeout(() => {
          this.blocked = false;
          this.scheduleFlush();
        }, conflictRetryMs);
        retry.unref?.();
        return;
      }
      this.fail(error);
      return;
    }
    this.counters.flushes++;
    for (const f of after) f();
    if (!final) this.armTimer(nowMs);
  }

  private fail(error: unknown): void {
    this.failure ??= error instanceof Error ? error : new Error(String(error));
    for (const job of this.active.values()) if (job.attempt !== undefined) this.revoke(job.attempt, 'the job system failed');
    this.timerCancel?.();
    this.events.emit('error', { error });
  }

  private checkUsable(): void {
    if (this.closed) throw new ClosedError('job system');
    if (this.failure !== undefined) throw new FairdbError('IO', `the job system failed: ${this.failure.message}`, { cause: this.failure });
  }

  private armTimer(nowMs: number): void {
    let at = Math.min(this.delayed.peekKey(), this.leases.peekKey(), this.cronHeap.peekKey());
    if (this.pendingCount.size > 0 && this.buckets.size > 0) {
      for (const tenant of this.pendingCount.keys()) {
        const bucket = this.buckets.get(tenant);
        if (bucket !== undefined && bucket.available(nowMs) === 0) at = Math.min(at, bucket.nextTokenAt(nowMs));
      }
    }
    if (at === this.timerAt) return;
    this.timerCancel?.();
    this.timerCancel = undefined;
    this.timerAt = at;
    if (at === Infinity) return;
    this.timerCancel = this.clock.setTimer(Math.max(0, at - nowMs), () => {
      this.timerCancel = undefined;
      this.timerAt = Infinity;
      this.scheduleFlush();
    });
  }

  private applyCompletion(tx: RawWriter, c: Completion, nowMs: number, now: number, after: After): void {
    const { attempt } = c;
    if (attempt.revoked) return;
    const job = attempt.job;
    assert(job.attempt === attempt && job.state === 'running', 'a completion belongs to the running attempt');
    attempt.revoked = true;
    job.attempt = undefined;
    if (c.ok) {
      let result: Uint8Array | undefined;
      try {
        result = c.value === undefined ? undefined : encodeStorable(this.packr, c.value, 'the handler result', resultBytesMax);
      } catch (error) {
        this.endJob(tx, job, 'failed', 'result', errorText(error), undefined, nowMs, now, after);
        return;
      }
      this.succeed(tx, job, result, c.value, attempt, nowMs, now, after);
      return;
    }
    const message = errorText(c.value);
    const plan = planRetry({
      nowMs,
      attempts: job.attempts,
      retries: job.fields.retries,
      backoff: job.fields.backoff,
      backoffDelay: job.fields.backoffDelay,
      deadlineMs: job.fields.deadline,
      durationMs: job.durationMs,
      random: this.random,
    });
    if (!plan.retry) {
      this.endJob(tx, job, 'failed', 'error', plan.reason === 'no retries allowed' ? message : `${message} (${plan.reason})`, undefined, nowMs, now, after);
      return;
    }
    const key = activeKey(job.seq);
    const record = tx.getRaw(key) as Uint8Array;
    tx.putRaw(key, this.editor.copy(record, encodeTail(this.packr, { error: message })).state('queued').runAt(plan.runAtMs).leaseUntil(NaN).bytes);
    this.leaveMechanism(job, now, false);
    job.state = 'queued';
    job.runAt = plan.runAtMs;
    this.makeReady(job, nowMs);
    this.counters.retried++;
    if (this.events.has('retrying')) after.push(() => this.events.emit('retrying', { id: job.id, error: message, attempt: attempt.number, runAt: plan.runAtMs }));
  }

  private succeed(tx: RawWriter, job: LiveJob, result: Uint8Array | undefined, value: unknown, attempt: Attempt, nowMs: number, now: number, after: After): void {
    const key = activeKey(job.seq);
    const record = tx.getRaw(key) as Uint8Array;
    assert(record !== undefined, 'an active job has its record');
    tx.delRaw(key);
    const tail = result === undefined ? null : (encodeTail(this.packr, { result }) as Uint8Array);
    tx.putRaw(finishedKey(job.seq), this.editor.copy(record, tail).state('succeeded').finishedAt(nowMs).progress(job.progress).flags(recordFlags(record) & ~flagMemos).bytes);
    if (job.memos) this.deleteMemos(tx, job.seq);
    this.leaveMechanism(job, now, true);
    this.active.delete(job.seq);
    this.counters.succeeded++;
    for (const child of job.children) {
      if (!this.active.has(child.seq)) continue;
      child.unfinishedParents--;
      if (child.unfinishedParents === 0 && child.state === 'waiting') this.release(tx, child, nowMs);
    }
    if (this.events.has('completed')) after.push(() => this.events.emit('completed', { id: job.id, result: value, attempt: attempt.number }));
  }

  /** A waiting job whose parents all succeeded becomes queued. */
  private release(tx: RawWriter, job: LiveJob, nowMs: number): void {
    const key = activeKey(job.seq);
    const record = tx.getRaw(key) as Uint8Array;
    tx.putRaw(key, this.editor.copy(record).state('queued').bytes);
    job.state = 'queued';
    this.makeReady(job, nowMs);
  }

  private deleteMemos(tx: RawWriter, seq: number): void {
    const keys: RawKey[] = [];
    tx.scanRaw(memoRange(seq), (key) => void keys.push(key));
    for (const key of keys) tx.delRaw(key);
  }

  /**
   * Ends an active job as failed or cancelled, with its descendants (each
   * failed or cancelled by its own `onParentFailure`), in `tx`.
   */
  private endJob(tx: RawWriter, root: LiveJob, state: 'failed' | 'cancelled', cause: EndCause, error: string | undefined, endedBy: string | undefined, nowMs: number, now: number, after: After): void {
    const queue: { job: LiveJob; state: 'failed' | 'cancelled'; cause: EndCause; error: string | undefined; endedBy: string | undefined }[] = [{ job: root, state, cause, error, endedBy }];
    for (let i = 0; i < queue.length; i++) {
      const e = queue[i]!;
      const job = e.job;
      if (!this.active.has(job.seq)) continue;
      const key = activeKey(job.seq);
      const record = tx.getRaw(key) as Uint8Array;
      assert(record !== undefined, 'an active job has its record');
      tx.delRaw(key);
      tx.putRaw(finishedKey(job.seq), this.editor.copy(record, encodeTail(this.packr, { error: e.error, endedBy: e.endedBy }) ?? null).state(e.state).finishedAt(nowMs).endCause(e.cause).progress(job.progress).stalls(job.stalls).bytes);
      if (job.attempt !== undefined) {
        const attempt = job.attempt;
        job.attempt = undefined;
        this.revoke(attempt, e.state === 'cancelled' ? `job ${job.id} was cancelled` : `job ${job.id} failed`);
      }
      this.leaveMechanism(job, now, false);
      this.active.delete(job.seq);
      if (e.state === 'failed') this.counters.failed++;
      else this.counters.cancelled++;
      const id = job.id;
      if (e.state === 'failed') {
        if (this.events.has('failed')) {
          const text = e.error ?? '';
          const c = e.cause;
          after.push(() => this.events.emit('failed', { id, error: text, cause: c }));
        }
      } else if (this.events.has('cancelled')) after.push(() => this.events.emit('cancelled', { id }));
      for (const child of job.children) {
        if (!this.active.has(child.seq)) continue;
        const cancel = child.fields.cancelOnParentFailure;
        queue.push({
          job: child,
          state: cancel ? 'cancelled' : 'failed',
          cause: e.state === 'failed' ? 'parentFailed' : 'parentCancelled',
          error: `parent ${job.id} ${e.state === 'failed' ? 'failed' : 'was cancelled'}`,
          endedBy: job.id,
        });
      }
    }
  }

  /** Takes a job out of the mechanism (and the pending counts), recording its outcome if it finished. */
  private leaveMechanism(job: LiveJob, now: number, finished: boolean): void {
    if (job.handle < 0) return;
    const view = this.mechanism.job(job.handle);
    if (view !== undefined && view.state === 'pending') this.countPending(job, -1);
    const mechanismJob = job.mechanismJob;
    this.mechanism.complete(job.handle, now);
    this.byHandle[job.handle] = undefined;
    job.handle = -1;
    if (finished && mechanismJob !== undefined) {
      const outcome: JobTrace = {
        job: mechanismJob,
        work: mechanismJob.work,
        start: job.firstStart,
        finish: now,
        contentionAtArrival: job.contentionAtEntry,
        contentionAtFinish: this.mechanism.contentionNow(),
      };
      // A ring of the latest outcomesMax outcomes.
      if (this.outcomes.length < outcomesMax) this.outcomes.push(outcome);
      else {
        this.outcomes[this.outcomeNext] = outcome;
        this.outcomeNext = (this.outcomeNext + 1) % outcomesMax;
      }
    }
    job.mechanismJob = undefined;
    job.firstStart = NaN;
  }

  private expireLeases(tx: RawWriter, nowMs: number, now: number, after: After): void {
    while (this.leases.peekKey() <= nowMs) {
      const attempt = this.leases.pop() as Attempt;
      if (attempt.revoked || attempt.settled) continue;
      if (attempt.leaseUntil > nowMs) {
        this.leases.push(attempt.leaseUntil, attempt);
        continue;
      }
      const job = attempt.job;
      job.attempt = undefined;
      this.revoke(attempt, `job ${job.id}: the lease of epoch ${attempt.epoch} expired`);
      this.stallJob(tx, job, nowMs, now, after);
    }
  }

  /**
   * A running job whose attempt is gone (lease missed, or found at open):
   * requeued with a new epoch, or failed once it stalled `stallsMax` times.
   */
  private stallJob(tx: RawWriter, job: LiveJob, nowMs: number, now: number, after: After): void {
    this.counters.stalled++;
    job.stalls++;
    const requeued = job.stalls <= this.config.stallsMax;
    const epoch = job.epoch;
    if (!requeued) {
      this.endJob(tx, job, 'failed', 'stalls', `lease missed ${job.stalls} times (stallsMax ${this.config.stallsMax})`, undefined, nowMs, now, after);
    } else {
      const key = activeKey(job.seq);
      const record = tx.getRaw(key) as Uint8Array;
      tx.putRaw(key, this.editor.copy(record).state('queued').stalls(job.stalls).leaseUntil(NaN).runAt(NaN).bytes);
      this.leaveMechanism(job, now, false);
      job.state = 'queued';
      job.runAt = NaN;
      this.makeReady(job, nowMs);
    }
    if (this.events.has('stalled')) after.push(() => this.events.emit('stalled', { id: job.id, epoch, requeued }));
  }

  private fireCrons(tx: RawWriter, nowMs: number, after: After): void {
    while (this.cronHeap.peekKey() <= nowMs) {
      const key = this.cronHeap.peekKey();
      const name = this.cronHeap.pop() as string;
      const record = this.crons.get(name);
      if (record === undefined || record.nextFireMs !== key) continue;
      const due = dueFires(record.expression, record.timeZone, record.nextFireMs, nowMs);
      const t = record.template;
      const jobs: LiveJob[] = [];
      for (const at of due.fires) {
        const seq = this.nextSeq++;
        const header = newJobHeader({
          state: 'queued',
          retries: t.retries,
          backoff: t.backoff,
          flags: 0,
          slots: Math.min(t.slots, this.config.slots),
          priority: t.priority,
          seq,
          work: t.work,
          weight: t.weight,
          backoffDelay: t.backoffDelay,
          submittedAt: at,
          runAt: NaN,
          deadline: NaN,
        });
        tx.putRaw(activeKey(seq), encodeJobRecord(header, encodeMetaBytes(this.packr, { tenant: t.tenant, kind: t.kind, dependsOn: noParents, dependsOnIds: undefined, cron: name, customId: undefined }), t.payload, undefined));
        const job = this.makeJob(seq, String(seq) as JobId, t.tenant, t.kind, 'queued', header, []);
        jobs.push(job);
        const id = job.id;
        if (this.events.has('fired')) after.push(() => this.events.emit('fired', { schedule: `cron:${name}`, id, at }));
      }
      record.nextFireMs = due.next;
      if (due.fires.length > 0) record.lastFiredMs = due.fires[due.fires.length - 1] as number;
      record.fired += due.fires.length;
      record.skipped += due.skipped;
      tx.putRaw(cronKey(name), encodeCron(this.packr, record));
      this.cronHeap.push(due.next, name);
      this.counters.fired += due.fires.length;
      for (const job of jobs) {
        this.active.set(job.seq, job);
        this.counters.submitted++;
        this.makeReady(job, nowMs);
      }
      if (this.events.has('submitted')) after.push(() => { for (const job of jobs) this.events.emit('submitted', { id: job.id, tenant: job.tenant, kind: job.kind }); });
    }
  }

  /** A queued job goes to the delayed heap, or to the list of jobs entering the mechanism. */
  private makeReady(job: LiveJob, nowMs: number): void {
    if (!Number.isNaN(job.runAt) && job.runAt > nowMs) this.delayed.push(job.runAt, job);
    else this.queueEntry(job);
  }

  private queueEntry(job: LiveJob): void {
    if (job.entering) return;
    job.entering = true;
    this.entering.push(job);
  }

  private promoteDelayed(nowMs: number): void {
    while (this.delayed.peekKey() <= nowMs) {
      const key = this.delayed.peekKey();
      const job = this.delayed.pop() as LiveJob;
      if (this.active.get(job.seq) !== job || job.state !== 'queued' || job.handle >= 0 || job.runAt !== key) continue;
      this.queueEntry(job);
    }
  }

  private enterReady(now: number): void {
    if (this.entering.length === 0) return;
    const list = this.entering;
    this.entering = [];
    for (const job of list) {
      job.entering = false;
      if (this.active.get(job.seq) !== job || job.state !== 'queued' || job.handle >= 0) continue;
      if (!this.endpoints.has(job.kind)) {
        let parked = this.parked.get(job.kind);
        if (parked === undefined) this.parked.set(job.kind, (parked = []));
        parked.push(job);
        continue;
      }
      this.enterOne(job, now);
    }
  }

  /**
   * A new deadline job below pending jobs in the mechanism: those whose
   * effective deadline it tightens are entered again with it, so the policy
   * orders them by their slack along the new critical path.
   */
  private tightenAncestors(job: LiveJob, nowMs: number): void {
    const now = this.time.seconds(nowMs);
    const seen = new Set<LiveJob>();
    const stack: LiveJob[] = [job];
    while (stack.length > 0) {
      const j = stack.pop() as LiveJob;
      for (const p of j.fields.parents) {
        const parent = this.active.get(p);
        if (parent === undefined || seen.has(parent)) continue;
        seen.add(parent);
        stack.push(parent);
        if (parent.handle < 0 || this.mechanism.job(parent.handle)?.state !== 'pending') continue;
        const effective = effectiveDeadline(parent, (n) => ({ deadline: n.fields.deadline, durationMs: n.durationMs, children: n.children }));
        const current = parent.mechanismJob?.deadline;
        if (Number.isNaN(effective) || (current !== undefined && this.time.seconds(effective) >= current - 1e-9)) continue;
        this.leaveMechanism(parent, now, false);
        this.enterOne(parent, now);
      }
    }
  }

  /** Submits a job to the mechanism as pending. */
  private enterOne(job: LiveJob, now: number): void {
    let weight = this.weights.get(job.tenant);
    if (weight === undefined) {
      weight = this.config.tenants.get(job.tenant)?.weight ?? (Number.isNaN(job.fields.weight) ? 1 : job.fields.weight);
      this.weights.set(job.tenant, weight);
    }
    const effective = job.children.length === 0 ? job.fields.deadline : effectiveDeadline(job, (j) => ({ deadline: j.fields.deadline, durationMs: j.durationMs, children: j.children }));
    let deadline: number | undefined;
    if (!Number.isNaN(effective)) {
      deadline = this.time.seconds(effective);
      // Already late (or due this instant): keep the order, the policy sees it as a miss.
      if (deadline <= now) deadline = now + 1e-6;
    }
    const mechanismJob: Job = {
      id: job.id,
      tenant: job.tenant as TenantId,
      arrival: now,
      sizeMin: job.fields.slots,
      sizeMax: job.fields.slots,
      work: job.fields.work,
      placementSensitivity: 1,
      weight,
      priority: job.fields.priority,
      deadline,
    };
    const a = job.admission;
    this.entryAdmission = a === undefined ? undefined : { verdict: a.verdict, predictedFinish: this.time.seconds(a.predictedFinish) };
    let handle: number;
    try {
      handle = this.mechanism.submit(mechanismJob, now).handle;
    } finally {
      this.entryAdmission = undefined;
    }
    job.handle = handle;
    job.mechanismJob = mechanismJob;
    job.contentionAtEntry = this.mechanism.contentionNow();
    job.firstStart = NaN;
    this.byHandle[handle] = job;
    this.countPending(job, 1);
  }

  private decideAndStart(tx: RawWriter, nowMs: number, now: number, after: After): void {
    for (let round = 0; round < 8; round++) {
      if (this.mechanism.pending.size === 0 || this.mechanism.freeSlots === 0) return;
      const started = this.mechanism.decide(now);
      for (const view of started) this.start(tx, this.byHandle[view.index] as LiveJob, nowMs, now, after);
      if (started.length === 0 || !this.gateDropped) return;
    }
  }

  private pickEndpoint(kind: string): WorkerEndpoint {
    const list = this.endpoints.get(kind) as WorkerEndpoint[];
    let best: WorkerEndpoint | undefined;
    for (const e of list) if (!e.closing && e.busy < e.concurrency && (best === undefined || e.concurrency - e.busy > best.concurrency - best.busy)) best = e;
    assert(best !== undefined, 'the gate let a job start only with a free worker of its kind');
    return best;
  }

  /** Claims a job the policy allocated: a new epoch and a lease, in `tx`; the handler starts after the commit. */
  private start(tx: RawWriter, job: LiveJob, nowMs: number, now: number, after: After): void {
    const endpoint = this.pickEndpoint(job.kind);
    endpoint.busy++;
    const bucket = this.bucketOf(job.tenant, nowMs);
    bucket?.take(nowMs);
    const key = activeKey(job.seq);
    const record = tx.getRaw(key) as Uint8Array;
    assert(record !== undefined, 'an active job has its record');
    const epoch = job.epoch + 1;
    const attemptNumber = job.attempts + 1;
    const leaseUntil = nowMs + endpoint.leaseMs;
    const claimed = this.editor.copy(record).state('running').epoch(epoch).attempts(attemptNumber).startedAt(nowMs).leaseUntil(leaseUntil).progress(0).bytes;
    tx.putRaw(key, claimed);
    this.countPending(job, -1);
    job.state = 'running';
    job.epoch = epoch;
    job.attempts = attemptNumber;
    job.progress = 0;
    if (Number.isNaN(job.firstStart)) job.firstStart = now;
    const attempt = new Attempt(job, epoch, attemptNumber, endpoint, nowMs, () => this.infoOf(claimed, nowMs, `job ${job.id}`));
    job.attempt = attempt;
    this.leases.push(attempt.leaseUntil, attempt);
    this.counters.started++;
    after.push(() => {
      if (attempt.revoked) {
        this.releaseUnit(attempt);
        return;
      }
      if (this.events.has('active')) this.events.emit('active', { id: job.id, attempt: attemptNumber, epoch });
      endpoint.start(attempt);
    });
  }

  // ================================================================ queries and manual transitions

  /** The seq of a job id, or undefined when no such job is known. */
  private seqOf(id: string, reader: { getRaw(key: RawKey): Uint8Array | undefined } = this.store): number | undefined {
    if (typeof id !== 'string') return undefined;
    if (isGeneratedId(id)) return Number(id);
    if (customIdProblem(id) !== undefined) return undefined;
    const bytes = reader.getRaw(idKey(id));
    if (bytes === undefined) return undefined;
    if (bytes.length !== 8) throw new FairdbError('CORRUPTION', `job id record ${JSON.stringify(id)} is ${bytes.length} bytes, expected 8`);
    return readSeq(Buffer.from(bytes).toString('latin1'), 0);
  }

  private recordOf(seq: number): { bytes: Uint8Array; active: boolean } | undefined {
    const a = this.store.getRaw(activeKey(seq));
    if (a !== undefined) return { bytes: a, active: true };
    const f = this.store.getRaw(finishedKey(seq));
    return f === undefined ? undefined : { bytes: f, active: false };
  }

  /** Decodes a job record into what `get` returns. */
  infoOf(bytes: Uint8Array, nowMs: number, where: string): JobInfo {
    checkJobRecord(bytes, where);
    const h = readHeader(bytes);
    const meta = readMeta(this.packr, bytes, where);
    const tail = readTail(this.packr, bytes, where);
    return infoFrom(h, meta, readPayload(this.packr, bytes, where), tail, nowMs);
  }

  get(id: string): JobInfo | undefined {
    this.checkUsable();
    if (typeof id !== 'string') throw new InvalidArgumentError('a job id must be a string');
    const seq = this.seqOf(id);
    if (seq === undefined) return undefined;
    const found = this.recordOf(seq);
    if (found === undefined) return undefined;
    const nowMs = this.time.nowMs();
    const info = this.infoOf(found.bytes, nowMs, `job ${id}`);
    const job = this.active.get(seq);
    if (job?.attempt !== undefined) return { ...info, leaseUntil: job.attempt.leaseUntil, progress: job.progress };
    return info;
  }

  /**
   * Cancels an active job (and fails or cancels its waiting descendants);
   * a running attempt is aborted and fenced. Returns false if the job had
   * already finished. For `cron:<name>`, removes the schedule (jobs it
   * fired stay). Throws NOT_FOUND for an unknown id.
   */
  cancel(id: string): boolean {
    this.checkUsable();
    if (typeof id !== 'string') throw new InvalidArgumentError('a job id must be a string');
    if (id.startsWith('cron:')) {
      const name = id.slice(5);
      if (!this.crons.has(name)) throw new FairdbError('NOT_FOUND', `no cron schedule ${JSON.stringify(name)}`);
      this.store.transactionSync((tx) => void tx.delRaw(cronKey(name)));
      this.crons.delete(name);
      return true;
    }
    const seq = this.seqOf(id);
    const job = seq === undefined ? undefined : this.active.get(seq);
    if (job === undefined) {
      if (seq !== undefined && this.store.getRaw(finishedKey(seq)) !== undefined) return false;
      throw new FairdbError('NOT_FOUND', `no job ${JSON.stringify(id)}`);
    }
    const nowMs = this.time.nowMs();
    const now = this.time.seconds(nowMs);
    const after: After = [];
    this.store.transactionSync((tx) => this.endJob(tx, job, 'cancelled', 'cancelled', undefined, undefined, nowMs, now, after));
    for (const f of after) f();
    this.scheduleFlush();
    return true;
  }

  /**
   * Runs a failed or cancelled job again: attempts and stalls start over.
   * Its parents must have succeeded or be active (it then waits for them);
   * retry a failed parent first. Descendants ended with it stay ended until
   * retried themselves. Throws NOT_FOUND, or CONFLICT when the job is active
   * or succeeded, or a parent failed.
   */
  retry(id: string): void {
    this.checkUsable();
    if (typeof id !== 'string') throw new InvalidArgumentError('a job id must be a string');
    const seq = this.seqOf(id);
    if (seq === undefined) throw new FairdbError('NOT_FOUND', `no job ${JSON.stringify(id)}`);
    if (this.active.has(seq)) throw new FairdbError('CONFLICT', `job ${id} is still active`);
    const record = this.store.getRaw(finishedKey(seq));
    if (record === undefined) throw new FairdbError('NOT_FOUND', `no job ${JSON.stringify(id)}`);
    checkJobRecord(record, `job ${id}`);
    const state = recordState(record);
    if (state === 'succeeded') throw new FairdbError('CONFLICT', `job ${id} succeeded; submit a new job to run it again`);
    const meta = readMeta(this.packr, record, `job ${id}`);
    let unfinished = 0;
    for (const p of meta.dependsOn) {
      if (this.active.has(p)) {
        unfinished++;
        continue;
      }
      const parent = this.store.getRaw(finishedKey(p));
      if (parent !== undefined && recordState(parent) !== 'succeeded') throw new FairdbError('CONFLICT', `job ${id}: its parent ${p} is ${recordState(parent)}; retry the parent first`);
    }
    const nowMs = this.time.nowMs();
    const newState: ActiveState = unfinished > 0 ? 'waiting' : 'queued';
    const revived = this.editor.copy(record, null).state(newState).attempts(0).stalls(0).finishedAt(NaN).leaseUntil(NaN).runAt(NaN).endCause('none').progress(0).bytes;
    this.store.transactionSync((tx) => {
      tx.delRaw(finishedKey(seq));
      tx.putRaw(activeKey(seq), revived);
    });
    const job = this.makeJob(seq, id as JobId, meta.tenant, meta.kind, newState, readHeader(revived), meta.dependsOn);
    for (const p of meta.dependsOn) {
      const parent = this.active.get(p);
      if (parent === undefined) continue;
      parent.children.push(job);
      job.unfinishedParents++;
    }
    this.active.set(seq, job);
    if (newState === 'queued') this.makeReady(job, nowMs);
    this.scheduleFlush();
  }

  /**
   * Deletes finished jobs (records, ids, memos) that finished before
   * `before` (epoch ms; default now), at most `limit` (default 10,000) per
   * call, in one transaction. Returns how many were deleted.
   */
  prune(options: { readonly before?: number | Date; readonly states?: readonly ('succeeded' | 'failed' | 'cancelled')[]; readonly limit?: number } = {}): number {
    this.checkUsable();
    const before = options.before === undefined ? this.time.nowMs() : options.before instanceof Date ? options.before.getTime() : options.before;
    const limit = options.limit ?? 10_000;
    const states = new Set<StoredState>(options.states ?? ['succeeded', 'failed', 'cancelled']);
    if (typeof before !== 'number' || Number.isNaN(before)) throw new InvalidArgumentError('prune: before must be an epoch-ms time or a Date');
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > submitBatchMax) throw new InvalidArgumentError(`prune: limit must be an integer in 1..${submitBatchMax}`);
    for (const s of states) if (s !== 'succeeded' && s !== 'failed' && s !== 'cancelled') throw new InvalidArgumentError(`prune: unknown state ${String(s)}`);
    const victims: { key: RawKey; seq: number; customId: string | undefined }[] = [];
    this.store.scanRaw({ start: finishedPrefix, end: prefixEnd(finishedPrefix) }, (key, buffer, offset, length) => {
      const bytes = buffer.subarray(offset, offset + length);
      checkJobRecord(bytes, `job record ${seqOfRecordKey(key)}`);
      const h = readHeader(bytes);
      if (!states.has(h.state) || !(h.finishedAt < before)) return true;
      victims.push({ key, seq: seqOfRecordKey(key), customId: readMeta(this.packr, bytes, `job record ${h.seq}`).customId });
      return victims.length < limit;
    });
    if (victims.length === 0) return 0;
    this.store.transactionSync((tx) => {
      for (const v of victims) {
        tx.delRaw(v.key);
        if (v.customId !== undefined) tx.delRaw(idKey(v.customId));
        this.deleteMemos(tx, v.seq);
      }
      tx.putRaw(metaKey, encodeMeta({ seqFloor: this.nextSeq - 1, clockFloorMs: this.time.floor }));
    });
    return victims.length;
  }

  schedule(id: string): ScheduleInfo | undefined {
    this.checkUsable();
    const name = id.startsWith('cron:') ? id.slice(5) : id;
    const c = this.crons.get(name);
    return c === undefined ? undefined : scheduleInfo(c);
  }

  schedules(): ScheduleInfo[] {
    this.checkUsable();
    return [...this.crons.values()].map(scheduleInfo);
  }

  stats(): LiveStats {
    let queued = 0;
    let delayed = 0;
    let waiting = 0;
    let running = 0;
    const nowMs = this.time.nowMs();
    for (const job of this.active.values()) {
      if (job.state === 'running') running++;
      else if (job.state === 'waiting') waiting++;
      else if (!Number.isNaN(job.runAt) && job.runAt > nowMs) delayed++;
      else queued++;
    }
    return { queued, delayed, waiting, running, ...this.counters, mechanism: { ...this.mechanism.stats } };
  }

  /**
   * The live fairness report: the simulator's metrics (`computeResult`)
   * over the jobs that succeeded since the scheduler was (re)configured,
   * in mechanism seconds (0 = configuration time).
   */
  report(): SimulationResult {
    const ordered = this.outcomes.slice(this.outcomeNext).concat(this.outcomes.slice(0, this.outcomeNext));
    return computeResult(ordered, this.config.cluster.slots);
  }

  /** Mechanism seconds of an epoch-ms time. */
  seconds(ms: number): number {
    return this.time.seconds(ms);
  }

  nowMs(): number {
    return this.time.nowMs();
  }

  /**
   * Resolves once the scheduler has nothing left to do without time passing
   * or a handler returning: no flush pending, no outcome waiting (or only
   * what waits for the caller's open explicit transaction). Handlers in
   * worker threads are not waited for.
   */
  async idle(): Promise<void> {
    for (let quiet = 0; quiet < 2; ) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (!this.blocked && (this.flushScheduled || this.completions.length > 0 || this.entering.length > 0)) quiet = 0;
      else quiet++;
    }
  }

  /**
   * Stops: outcomes already returned are committed, running attempts are
   * aborted (their jobs stay running in the store and are requeued at the
   * next open), timers are cancelled. Idempotent.
   */
  close(): void {
    if (this.closed) return;
    if (this.failure === undefined) {
      try {
        this.flush(true);
      } catch {
        // The store is failing; what was not written is recovered at the next open.
      }
    }
    this.closed = true;
    this.timerCancel?.();
    this.timerCancel = undefined;
    this.stopDraftListener?.();
    for (const job of this.active.values()) if (job.attempt !== undefined) this.revoke(job.attempt, 'the database is closing');
    for (const list of this.endpoints.values()) for (const e of list) e.closing = true;
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

function scheduleInfo(c: CronRecord): ScheduleInfo {
  return {
    id: `cron:${c.name}`,
    name: c.name,
    pattern: c.expression,
    tz: c.timeZone,
    tenant: c.template.tenant,
    kind: c.template.kind,
    nextFire: c.nextFireMs,
    lastFired: Number.isNaN(c.lastFiredMs) ? undefined : c.lastFiredMs,
    fired: c.fired,
    skipped: c.skipped,
  };
}

function timeOrUndefined(ms: number): number | undefined {
  return Number.isNaN(ms) ? undefined : ms;
}

/** The public state of a stored job at `nowMs`. */
export function publicState(state: StoredState, runAt: number, nowMs: number): JobState {
  if (state === 'queued' && !Number.isNaN(runAt) && runAt > nowMs) return 'delayed';
  return state;
}

export function infoFrom(h: JobHeader, meta: import('./job-format.js').JobMeta, payload: unknown, tail: import('./job-format.js').JobTail, nowMs: number): JobInfo {
  return {
    id: (meta.customId ?? String(h.seq)) as JobId,
    tenant: meta.tenant,
    kind: meta.kind,
    payload,
    state: publicState(h.state, h.runAt, nowMs),
    priority: h.priority,
    slots: h.slots,
    work: h.work,
    weight: timeOrUndefined(h.weight),
    attempts: h.attempts,
    retries: h.retries,
    stalls: h.stalls,
    epoch: h.epoch,
    progress: h.progress,
    submittedAt: h.submittedAt,
    runAt: timeOrUndefined(h.runAt),
    deadline: timeOrUndefined(h.deadline),
    startedAt: timeOrUndefined(h.startedAt),
    finishedAt: timeOrUndefined(h.finishedAt),
    leaseUntil: h.state === 'running' ? timeOrUndefined(h.leaseUntil) : undefined,
    backoff: h.backoff === 'none' ? undefined : { type: h.backoff, delay: h.backoffDelay },
    dependsOn: (meta.dependsOnIds ?? meta.dependsOn.map((s) => String(s))) as JobId[],
    onParentFailure: (h.flags & flagCancelOnParentFailure) !== 0 ? 'cancel' : 'fail',
    cron: meta.cron,
    admission: h.admission === 'none' ? undefined : { verdict: h.admission, predictedFinish: h.predictedFinish },
    error: tail.error,
    endCause: h.endCause === 'none' ? undefined : h.endCause,
    endedBy: tail.endedBy as JobId | undefined,
    result: tail.result,
  };
}

