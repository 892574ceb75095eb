/**
 * plainjob (a SQLite job queue on better-sqlite3; WAL, synchronous=NORMAL,
 * as it configures itself) as a benchmark target. Its workers process one
 * job at a time and poll every `pollIntervall` ms (1000 by default, as
 * shipped) when the queue is empty, so `concurrency` runs that many workers.
 */
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { signal, type QueueInstance, type QueueTarget } from './queue-target.js';

type Plainjob = typeof import('plainjob');

const silent = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

class PlainjobQueue implements QueueInstance {
  private readonly queue: ReturnType<Plainjob['defineQueue']>;

  constructor(
    private readonly lib: Plainjob,
    file: string,
  ) {
    this.queue = lib.defineQueue({ connection: lib.better(new Database(file)), logger: silent });
  }

  async enqueueOne(count: number): Promise<void> {
    for (let i = 0; i < count; i++) this.queue.add('bench', { tenant: `t${i % 4}`, i });
  }

  async enqueueBatches(count: number, batch: number): Promise<void> {
    for (let i = 0; i < count; i += batch) {
      const data = [];
      for (let j = i; j < Math.min(count, i + batch); j++) data.push({ tenant: `t${j % 4}`, i: j });
      this.queue.addMany('bench', data);
    }
  }

  async prepare(count: number): Promise<void> {
    await this.enqueueBatches(count, 1000);
  }

  async drain(count: number, concurrency: number): Promise<void> {
    let completed = 0;
    const done = signal();
    const workers = Array.from({ length: concurrency }, () =>
      this.lib.defineWorker('bench', async () => {
        if (++completed === count) done.resolve();
      }, { queue: this.queue, logger: silent }),
    );
    const running = workers.map((w) => w.start());
    await done.promise;
    await Promise.all(workers.map((w) => w.stop()));
    await Promise.all(running);
  }

  async latency(count: number): Promise<number[]> {
    let started: (() => void) | undefined;
    const worker = this.lib.defineWorker('ping', async () => started?.(), { queue: this.queue, logger: silent });
    const running = worker.start();
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const s = signal();
      started = s.resolve;
      const t0 = performance.now();
      this.queue.add('ping', { i });
      await s.promise;
      out.push(performance.now() - t0);
    }
    await worker.stop();
    await running;
    return out;
  }

  async close(): Promise<void> {
    this.queue.close();
  }
}

export function plainjobTarget(lib: Plainjob): QueueTarget {
  return {
    name: 'plainjob (WAL, NORMAL)',
    durability: 'each commit written to the WAL before it returns: survives a process crash, not power loss',
    async open(dir: string): Promise<QueueInstance> {
      return new PlainjobQueue(lib, path.join(dir, 'plainjob.db'));
    },
  };
}
