/**
 * The job system's face on the database: `db.jobs`, `db.scheduler`,
 * `db.worker()` and `db.changes()`. It assembles the live scheduler
 * (scheduler/live/), the SQL-backed workload store and the change feed over
 * the database's store; every behaviour lives in those modules.
 *
 * The live scheduler is created on first use of `db.jobs`, `db.worker` or
 * `db.scheduler.configure` (it then recovers the jobs of a previous run);
 * `db.changes` and `db.scheduler.simulate` do not need it.
 */
import { ClosedError, InvalidArgumentError, OptionsViolations, type Clock } from '../storage/device/index.js';
import type { KeyCodec, KvTransaction, LogStore, ValueCodec } from '../storage/kv/index.js';
import type { SqlEngine } from '../query/index.js';
import { simulateStored, type SimulationResult, type StoredSimulationInput } from '../scheduler/index.js';
import { SqlWorkloadStore } from '../scheduler/sql-workload-store.js';
import {
  ChangeFeed,
  concurrencyMax,
  createPackr,
  handlerModuleUrl,
  InProcessEndpoint,
  leaseMsDefault,
  leaseMsMax,
  leaseMsMin,
  LiveScheduler,
  ThreadPoolEndpoint,
  threadsMax,
  Worker,
  type AdmittedJob,
  type ChangesOptions,
  type ClosableEndpoint,
  type FeedChange,
  type HandlerModule,
  type JobEventName,
  type JobEvents,
  type JobHandler,
  type JobId,
  type JobInfo,
  type LiveStats,
  type ResolvedConfig,
  type ScheduleInfo,
  type SchedulerConfig,
  type SubmitOptions,
  type SubmitSpec,
  type WorkerOptions,
} from '../scheduler/live/index.js';

export interface JobSystemParts {
  readonly store: LogStore;
  readonly clock: Clock;
  readonly keys: KeyCodec;
  readonly values: ValueCodec;
  /** `db.transaction`. */
  readonly userTransaction: <T>(fn: (tx: KvTransaction<any>) => T) => Promise<T>;
  /** `db.sql`. */
  readonly sql: () => SqlEngine;
}

/** `db.jobs`: submit, inspect, cancel and retry jobs; listen to their events. */
export class Jobs {
  constructor(private readonly live: () => LiveScheduler) {}

  /**
   * Submits a job (in `options.tx` when given) and returns its id; for a job
   * with a deadline, `{ id, admission }`; for a cron job, the schedule id
   * `cron:<name>`. Throws INVALID_ARGUMENT, LIMIT, NOT_FOUND (unknown
   * dependency) or CONFLICT (id taken) before writing anything.
   */
  submit<P>(spec: SubmitSpec<P> & { readonly deadline: number | Date }, options?: SubmitOptions): AdmittedJob;
  submit<P>(spec: SubmitSpec<P> & { readonly deadline?: undefined }, options?: SubmitOptions): JobId;
  submit<P>(spec: SubmitSpec<P>, options?: SubmitOptions): JobId | AdmittedJob;
  submit<P>(spec: SubmitSpec<P>, options?: SubmitOptions): JobId | AdmittedJob {
    return this.live().submit(spec, options) as JobId | AdmittedJob;
  }

  /**
   * Submits jobs in one transaction (all or none); `dependsOn` may name jobs
   * of the batch by their caller-chosen ids, in any order (cycles are
   * refused). Returns their ids in order.
   */
  submitMany<P>(specs: readonly SubmitSpec<P>[], options?: SubmitOptions): JobId[] {
    return this.live().submitMany(specs, options);
  }

  get<P = unknown>(id: string): JobInfo<P> | undefined {
    return this.live().get(id) as JobInfo<P> | undefined;
  }

  cancel(id: string): boolean {
    return this.live().cancel(id);
  }

  retry(id: string): void {
    this.live().retry(id);
  }

  prune(options?: { readonly before?: number | Date; readonly states?: readonly ('succeeded' | 'failed' | 'cancelled')[]; readonly limit?: number }): number {
    return this.live().prune(options);
  }

  /** Adds an event listener; returns a function that removes it. */
  on<E extends JobEventName>(event: E, listener: (event: JobEvents[E]) => void): () => void {
    return this.live().events.on(event, listener);
  }

  off<E extends JobEventName>(event: E, listener: (event: JobEvents[E]) => void): void {
    this.live().events.off(event, listener);
  }

  schedule(id: string): ScheduleInfo | undefined {
    return this.live().schedule(id);
  }

  schedules(): ScheduleInfo[] {
    return this.live().schedules();
  }
}

/** `db.scheduler`: the policy and pool of the live scheduler, and simulation over stored workloads. */
export class SchedulerControl {
  private store: SqlWorkloadStore | undefined;

  constructor(
    private readonly live: () => LiveScheduler,
    private readonly sql: () => SqlEngine,
  ) {}

  /** Replaces the configuration (see `SchedulerConfig`); running jobs keep running. */
  configure(config: SchedulerConfig): void {
    this.live().configure(config);
  }

  get configuration(): ResolvedConfig {
    return this.live().configuration;
  }

  /** Workloads and simulation runs in SQL tables (`sim_workloads`, `workload_<name>`, `sim_runs`, `sim_jobs`, `sim_tenants`). */
  get workloads(): SqlWorkloadStore {
    this.store ??= new SqlWorkloadStore(this.sql());
    return this.store;
  }

  /** Simulates a stored workload and stores the run; returns its id and result. */
  simulate(input: StoredSimulationInput): { runId: number; result: SimulationResult } {
    return simulateStored(this.workloads, input);
  }

  /** The live fairness report: the simulator's metrics over the jobs finished since the last configuration. */
  report(): SimulationResult {
    return this.live().report();
  }

  stats(): LiveStats {
    return this.live().stats();
  }

  /** Resolves once nothing is left to do without time passing or a handler returning (tests). */
  idle(): Promise<void> {
    return this.live().idle();
  }
}

function resolveWorkerOptions(options: WorkerOptions): { concurrency: number; threads: number; leaseMs: number } {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('worker options must be an object');
  const v = new OptionsViolations('worker options');
  for (const key of Object.keys(options)) v.check(key === 'concurrency' || key === 'threads' || key === 'leaseMs', `unknown field ${JSON.stringify(key)}`);
  const threads = options.threads ?? 0;
  v.check(Number.isSafeInteger(threads) && threads >= 0 && threads <= threadsMax, `threads must be an integer in 0..${threadsMax}, got ${String(options.threads)}`);
  const concurrency = options.concurrency ?? Math.max(1, threads);
  v.check(Number.isSafeInteger(concurrency) && concurrency >= 1 && concurrency <= concurrencyMax, `concurrency must be an integer in 1..${concurrencyMax}, got ${String(options.concurrency)}`);
  const leaseMs = options.leaseMs ?? leaseMsDefault;
  v.check(typeof leaseMs === 'number' && Number.isFinite(leaseMs) && leaseMs >= leaseMsMin && leaseMs <= leaseMsMax, `leaseMs must be in ${leaseMsMin}..${leaseMsMax}, got ${String(options.leaseMs)}`);
  v.throwIfAny();
  return { concurrency, threads, leaseMs };
}

export class JobSystem {
  readonly jobs: Jobs;
  readonly scheduler: SchedulerControl;
  private liveScheduler: LiveScheduler | undefined;
  private readonly workers = new Set<Worker>();
  private readonly feeds = new Set<ChangeFeed<unknown>>();
  private readonly feedPackr = createPackr();
  private closed = false;

  constructor(private readonly parts: JobSystemParts) {
    this.jobs = new Jobs(() => this.live());
    this.scheduler = new SchedulerControl(() => this.live(), parts.sql);
  }

  private live(): LiveScheduler {
    if (this.closed) throw new ClosedError('database');
    this.liveScheduler ??= new LiveScheduler({ store: this.parts.store, clock: this.parts.clock, userTransaction: this.parts.userTransaction });
    return this.liveScheduler;
  }

  /** The job system's time (monotonic epoch ms), or the clock's before the scheduler exists. */
  nowMs(): number {
    return this.liveScheduler?.nowMs() ?? this.parts.clock.now();
  }

  /**
   * Runs `handler` for jobs of `kind`. With `threads`, `handler` is a module
   * path or URL (see thread-pool.ts). IMPORTANT: an open worker keeps the
   * process alive; close it (or the database).
   */
  worker<P = any>(kind: string, handler: JobHandler<P> | HandlerModule, options: WorkerOptions = {}): Worker {
    const live = this.live();
    if (typeof kind !== 'string' || kind.length === 0) throw new InvalidArgumentError('a worker needs a kind (a non-empty string)');
    const o = resolveWorkerOptions(options);
    let endpoint: ClosableEndpoint;
    if (o.threads > 0) {
      endpoint = new ThreadPoolEndpoint(kind, o.concurrency, o.leaseMs, handlerModuleUrl(handler as HandlerModule), o.threads, live);
    } else {
      if (typeof handler !== 'function') throw new InvalidArgumentError('a worker handler must be a function (or, with threads, a module path or URL)');
      endpoint = new InProcessEndpoint(kind, o.concurrency, o.leaseMs, handler as JobHandler, live);
    }
    const worker = new Worker(endpoint, live, (w) => this.workers.delete(w));
    this.workers.add(worker);
    live.addEndpoint(endpoint);
    return worker;
  }

  /** The change feed (see scheduler/live/change-feed.ts). Throws NOT_FOUND when `since` is no longer in the log. */
  changes<V = unknown>(options: ChangesOptions = {}): AsyncIterableIterator<FeedChange<V>> {
    if (this.closed) throw new ClosedError('database');
    const feed = new ChangeFeed<V>(this.parts.store, this.parts.keys, this.parts.values, this.feedPackr, options, (f) => this.feeds.delete(f as ChangeFeed<unknown>));
    this.feeds.add(feed as ChangeFeed<unknown>);
    return feed;
  }

  /**
   * Ends feeds, commits outcomes already returned, aborts running attempts
   * (their jobs are requeued at the next open) and releases workers.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const feed of [...this.feeds]) feed.end();
    this.liveScheduler?.close();
    await Promise.all([...this.workers].map((w) => w.abandon()));
    this.workers.clear();
  }
}
