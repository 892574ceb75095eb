/**
 * Worker-thread pools: CPU-bound handlers run off the main thread, with
 * heartbeats, progress and fenced transactions passed as messages; a thread
 * that dies fails its attempts (retried by the job's rules) and is replaced.
 * Runs the built package (npm test builds first).
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const handler = path.join(path.dirname(fileURLToPath(import.meta.url)), 'thread-handler.mjs');

describe('worker threads', () => {
  it('runs CPU-bound handlers in a pool of threads, with their writes fenced through the main thread', async () => {
    const { open } = (await import('../../../dist/engine/index.js')) as typeof import('../../../engine/index.js');
    const db = open(tempDir());
    try {
      const limits = [10_000, 15_000, 20_000, 25_000, 30_000, 35_000];
      const done = new Promise<void>((resolve) => {
        let n = 0;
        db.jobs.on('completed', () => ++n === limits.length + 1 && resolve());
      });
      const progress: number[] = [];
      db.jobs.on('progress', (e) => progress.push(e.progress));
      // A thread that dies fails every attempt it held: each job gets a retry.
      const ids = limits.map((limit) => db.jobs.submit({ tenant: 't', kind: 'primes', payload: { limit }, retries: 1 }));
      const crashing = db.jobs.submit({ tenant: 't', kind: 'primes', payload: { limit: 10_000, crash: true }, retries: 1 });
      const worker = db.worker('primes', handler, { threads: 2, concurrency: 4 });
      await done;
      const expected = (limit: number) => {
        let count = 0;
        for (let n = 2; n < limit; n++) {
          let prime = true;
          for (let d = 2; d * d <= n; d++) if (n % d === 0) {
            prime = false;
            break;
          }
          if (prime) count++;
        }
        return count;
      };
      const threads = new Set<number>();
      limits.forEach((limit, i) => {
        const job = db.jobs.get(ids[i] as string)!;
        const result = job.result as { count: number; threadId: number };
        expect(job.state).toBe('succeeded');
        expect(result.count).toBe(expected(limit));
        expect(db.get(['primes', limit])).toBe(expected(limit));
        expect(result.threadId).not.toBe(0);
        threads.add(result.threadId);
      });
      expect(threads.size).toBeGreaterThanOrEqual(2);
      expect(progress.length).toBeGreaterThan(0);
      const crashed = db.jobs.get(crashing)!;
      expect(crashed).toMatchObject({ state: 'succeeded', attempts: 2 });
      expect((crashed.result as { count: number }).count).toBe(expected(10_000));
      await worker.close();
    } finally {
      await db.close();
    }
  }, 60_000);
});
