/**
 * In-process workers: a handler function run on the event loop, up to
 * `concurrency` attempts at once, each with its `JobContext`.
 *
 * A `Worker` is what `db.worker()` returns; it wraps an endpoint (this file,
 * or a thread pool from thread-pool.ts) registered with the scheduler.
 * IMPORTANT: an open worker keeps the process alive (as a queue client's
 * connection does) until it or the database is closed.
 */
import { ClosedError } from '../../storage/device/index.js';
import type { KvTransaction } from '../../storage/kv/index.js';
import type { Attempt, WorkerEndpoint } from './live-job.js';
import type { LiveScheduler } from './live-scheduler.js';
import type { JobContext, JobHandler, JobInfo } from './types.js';

/** What a worker endpoint can do beyond taking attempts. */
export interface ClosableEndpoint extends WorkerEndpoint {
  /** Attempts started and not returned. */
  readonly inFlight: number;
  /** Resolves when no attempt is in flight. */
  drained(): Promise<void>;
  /** Releases the endpoint's resources (threads); after `drained` unless forced. */
  dispose(): Promise<void>;
}

class AttemptContext implements JobContext {
  constructor(
    private readonly attempt: Attempt,
    private readonly host: LiveScheduler,
  ) {}

  get job(): JobInfo {
    return this.attempt.info;
  }

  get epoch(): number {
    return this.attempt.epoch;
  }

  get signal(): AbortSignal {
    return this.attempt.signal;
  }

  heartbeat(): void {
    this.host.heartbeat(this.attempt);
  }

  progress(value: number): void {
    this.host.progress(this.attempt, value);
  }

  transaction<T>(fn: (tx: KvTransaction<any>) => T): Promise<T> {
    return this.host.transaction(this.attempt, fn);
  }
}

export class InProcessEndpoint implements ClosableEndpoint {
  busy = 0;
  closing = false;
  private readonly running = new Set<Attempt>();
  private waiters: (() => void)[] = [];

  constructor(
    readonly kind: string,
    readonly concurrency: number,
    readonly leaseMs: number,
    private readonly handler: JobHandler,
    private readonly host: LiveScheduler,
  ) {}

  get inFlight(): number {
    return this.running.size;
  }

  start(attempt: Attempt): void {
    this.running.add(attempt);
    let outcome: Promise<unknown>;
    try {
      outcome = Promise.resolve(this.handler(new AttemptContext(attempt, this.host)));
    } catch (error) {
      outcome = Promise.reject(error);
    }
    outcome.then(
      (value) => this.finish(attempt, true, value),
      (error: unknown) => this.finish(attempt, false, error),
    );
  }

  private finish(attempt: Attempt, ok: boolean, value: unknown): void {
    this.running.delete(attempt);
    this.host.settle(attempt, ok, value);
    if (this.running.size === 0) for (const resolve of this.waiters.splice(0)) resolve();
  }

  drained(): Promise<void> {
    if (this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  dispose(): Promise<void> {
    return Promise.resolve();
  }
}

/** A registered worker: `db.worker(kind, handler, options)`. */
export class Worker {
  private closing: Promise<void> | undefined;
  private readonly keepAlive: ReturnType<typeof setInterval>;

  constructor(
    private readonly endpoint: ClosableEndpoint,
    private readonly host: LiveScheduler,
    private readonly onClosed: (worker: Worker) => void,
  ) {
    // Holds the event loop open while the worker may still get jobs (timers
    // of the default clock do not).
    this.keepAlive = setInterval(() => undefined, 1 << 30);
  }

  get kind(): string {
    return this.endpoint.kind;
  }

  get concurrency(): number {
    return this.endpoint.concurrency;
  }

  /** Attempts running now. */
  get running(): number {
    return this.endpoint.inFlight;
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /**
   * Stops taking jobs, waits for the running attempts to return and for
   * their outcomes to be committed, then releases the worker. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.endpoint.closing = true;
      try {
        await this.endpoint.drained();
        if (!this.host.isClosed) await this.host.idle();
      } finally {
        this.host.removeEndpoint(this.endpoint);
        clearInterval(this.keepAlive);
        await this.endpoint.dispose();
        this.onClosed(this);
      }
    })();
    return this.closing;
  }

  /** Stops at once, without waiting (the database is closing; attempts were aborted). */
  abandon(): Promise<void> {
    this.endpoint.closing = true;
    this.host.removeEndpoint(this.endpoint);
    clearInterval(this.keepAlive);
    this.closing ??= Promise.resolve();
    return this.endpoint.dispose();
  }
}

export function checkNotClosed(host: LiveScheduler): void {
  if (host.isClosed) throw new ClosedError('job system');
}
