/**
 * BullMQ on a local redis-server as a benchmark target: `queue.add` (each
 * awaited), `queue.addBulk` (batches), and a Worker with a no-op processor
 * at the given concurrency. BullMQ 6 needs a Redis driver (its optional peer
 * dependency `ioredis`); `bullmqTarget` says why when it cannot run.
 */
import { signal, type QueueInstance, type QueueTarget } from './queue-target.js';

type Bullmq = typeof import('bullmq');

class BullmqQueue implements QueueInstance {
  private readonly queues: { close(): Promise<void> }[] = [];
  private seq = 0;

  constructor(
    private readonly lib: Bullmq,
    private readonly connection: { host: string; port: number },
  ) {}

  private queue(name: string) {
    const q = new this.lib.Queue(`${name}-${this.seq++}`, { connection: this.connection });
    this.queues.push(q);
    return q;
  }

  private current: ReturnType<BullmqQueue['queue']> | undefined;

  async enqueueOne(count: number): Promise<void> {
    const q = (this.current = this.queue('bench'));
    for (let i = 0; i < count; i++) await q.add('job', { tenant: `t${i % 4}`, i }, { removeOnComplete: true });
  }

  async enqueueBatches(count: number, batch: number): Promise<void> {
    const q = (this.current = this.queue('bench'));
    for (let i = 0; i < count; i += batch) {
      const jobs = [];
      for (let j = i; j < Math.min(count, i + batch); j++) jobs.push({ name: 'job', data: { tenant: `t${j % 4}`, i: j }, opts: { removeOnComplete: true } });
      await q.addBulk(jobs);
    }
  }

  async prepare(count: number): Promise<void> {
    await this.enqueueBatches(count, 1000);
  }

  async drain(count: number, concurrency: number): Promise<void> {
    const q = this.current as ReturnType<BullmqQueue['queue']>;
    let completed = 0;
    const done = signal();
    const worker = new this.lib.Worker(q.name, async () => {
      if (++completed === count) done.resolve();
    }, { connection: this.connection, concurrency });
    await done.promise;
    await worker.close();
  }

  async latency(count: number): Promise<number[]> {
    const q = this.queue('ping');
    let started: (() => void) | undefined;
    const worker = new this.lib.Worker(q.name, async () => started?.(), { connection: this.connection, concurrency: 1 });
    await worker.waitUntilReady();
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const s = signal();
      started = s.resolve;
      const t0 = performance.now();
      await q.add('ping', { i }, { removeOnComplete: true });
      await s.promise;
      out.push(performance.now() - t0);
    }
    await worker.close();
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.close()));
  }
}

/** The BullMQ target on `port`, or the reason it cannot run here. */
export async function bullmqTarget(port: number): Promise<{ target: QueueTarget } | { reason: string }> {
  let lib: Bullmq;
  try {
    lib = await import('bullmq');
  } catch (error) {
    return { reason: `bullmq does not load: ${(error as Error).message}` };
  }
  try {
    // BullMQ loads its Redis driver lazily; check it is there before the run.
    await import('ioredis' as string);
  } catch {
    return { reason: "BullMQ 6 needs a Redis driver and its optional peer dependency 'ioredis' is not installed (add it as a devDependency to run these rows)" };
  }
  const connection = { host: '127.0.0.1', port };
  return {
    target: {
      name: 'BullMQ (redis-server, default persistence)',
      durability: "Redis' default persistence: RDB snapshots, no AOF: a crash loses the writes since the last snapshot",
      async open(): Promise<QueueInstance> {
        return new BullmqQueue(lib, connection);
      },
    },
  };
}
