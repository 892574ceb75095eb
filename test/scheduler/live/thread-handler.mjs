// A CPU-bound job handler run in worker threads by the threads test: counts
// the primes below `payload.limit`, reporting progress and heartbeats, and
// records its answer through a fenced transaction. `payload.crash` exits the
// thread on the first attempt.
import { threadId } from 'node:worker_threads';

export default async function handler(ctx) {
  const { limit, crash } = ctx.job.payload;
  if (crash && ctx.job.attempts === 1) process.exit(3);
  let count = 0;
  for (let n = 2; n < limit; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
    if (n % 5000 === 0) {
      ctx.heartbeat();
      ctx.progress(n / limit);
    }
  }
  const stored = await ctx.transaction([{ key: ['primes', limit], value: count }], count);
  return { count: stored, threadId };
}
