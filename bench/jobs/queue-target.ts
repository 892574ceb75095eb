/**
 * What the job benchmark measures on each queue: the same operations, each
 * on a fresh queue in a fresh directory.
 */

export interface QueueInstance {
  /** Enqueues `count` jobs, one per transaction (or call), back to back; resolves once they are durable per the target's durability. */
  enqueueOne(count: number): Promise<void>;
  /** Enqueues `count` jobs in transactions (or bulk calls) of `batch`. */
  enqueueBatches(count: number, batch: number): Promise<void>;
  /** Enqueues `count` jobs (not timed). */
  prepare(count: number): Promise<void>;
  /** Claims and completes the `count` prepared jobs with a no-op handler at `concurrency`; resolves when all are completed. */
  drain(count: number, concurrency: number): Promise<void>;
  /** Submits `count` jobs one after another to an idle worker, each after the previous started; the submit-to-start times in ms. */
  latency(count: number): Promise<number[]>;
  close(): Promise<void>;
}

export interface QueueTarget {
  readonly name: string;
  /** What survives what, for an acknowledged enqueue. */
  readonly durability: string;
  /** A fresh queue in the empty directory `dir`. */
  open(dir: string): Promise<QueueInstance>;
}

/** Nearest-rank percentile of ascending `sorted` (p in (0, 100]). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

/** A promise and its resolver. */
export function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
