/**
 * fairdb's job system as a benchmark target: `db.jobs.submit` (one per
 * transaction), `db.jobs.submitMany` (batches), and a worker with a no-op
 * handler at the given concurrency, on the default `pmem` device.
 */
import { open, type Database } from '../../engine/index.js';
import { signal, type QueueInstance, type QueueTarget } from './queue-target.js';

export interface FairdbTargetOptions {
  /** 'group' (default): durable at the end of the event-loop turn; 'sync' with fsync: each commit fdatasynced before it returns. */
  readonly durability: 'group' | 'sync';
}

function spec(i: number) {
  return { tenant: `t${i % 4}`, kind: 'bench', payload: { i } };
}

class FairdbQueue implements QueueInstance {
  constructor(private readonly db: Database) {}

  async enqueueOne(count: number): Promise<void> {
    for (let i = 0; i < count; i++) this.db.jobs.submit(spec(i));
    // Resolves once durable; the log is persisted in order, so the jobs are too.
    await this.db.put('enqueued', count);
  }

  async enqueueBatches(count: number, batch: number): Promise<void> {
    for (let i = 0; i < count; i += batch) {
      const specs = [];
      for (let j = i; j < Math.min(count, i + batch); j++) specs.push(spec(j));
      this.db.jobs.submitMany(specs);
    }
    await this.db.put('enqueued', count);
  }

  async prepare(count: number): Promise<void> {
    await this.enqueueBatches(count, 1000);
  }

  async drain(count: number, concurrency: number): Promise<void> {
    const done = signal();
    let completed = 0;
    const stop = this.db.jobs.on('completed', () => {
      if (++completed === count) done.resolve();
    });
    const worker = this.db.worker('bench', async () => undefined, { concurrency });
    await done.promise;
    stop();
    await worker.close();
  }

  async latency(count: number): Promise<number[]> {
    let started: (() => void) | undefined;
    const worker = this.db.worker('ping', async () => started?.(), { concurrency: 1 });
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const s = signal();
      started = s.resolve;
      const t0 = performance.now();
      this.db.jobs.submit({ tenant: 't', kind: 'ping', payload: { i } });
      await s.promise;
      out.push(performance.now() - t0);
    }
    await worker.close();
    return out;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

export function fairdbTarget(options: FairdbTargetOptions): QueueTarget {
  const sync = options.durability === 'sync';
  return {
    name: sync ? 'fairdb (pmem+fsync, sync)' : 'fairdb (pmem, group)',
    durability: sync
      ? 'each commit fdatasynced before it returns: survives power loss'
      : 'committed at once, persisted (no fsync) at the end of the event-loop turn: survives a process crash, not power loss',
    async open(dir: string): Promise<QueueInstance> {
      const db = open(dir, sync ? { durability: 'sync', pmem: { fsync: true } } : {});
      return new FairdbQueue(db);
    },
  };
}
