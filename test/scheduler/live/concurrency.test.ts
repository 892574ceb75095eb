/**
 * Limits enforced through the policy: the pool's slots (global
 * concurrency), each worker's concurrency, per-kind routing, tenant rate
 * limits and weights.
 */
import { describe, expect, it } from 'vitest';
import { advance, deferred, openDb, sleep } from './helpers.js';

describe('concurrency and per-tenant limits', () => {
  it('never runs more jobs than the pool has slots, nor more than a worker takes', async () => {
    const { db, clock } = openDb();
    db.scheduler.configure({ slots: 3 });
    let running = 0;
    let peak = 0;
    const perWorker = [0, 0];
    const peaks = [0, 0];
    const handler = (w: number) => async () => {
      running++;
      perWorker[w]!++;
      peak = Math.max(peak, running);
      peaks[w] = Math.max(peaks[w]!, perWorker[w]!);
      await sleep(clock, 1000);
      running--;
      perWorker[w]!--;
    };
    db.worker('k', handler(0), { concurrency: 2 });
    db.worker('k', handler(1), { concurrency: 2 });
    for (let i = 0; i < 20; i++) db.jobs.submit({ tenant: 't', kind: 'k' });
    await db.scheduler.idle();
    for (let i = 0; i < 8; i++) await advance(db, clock, 1000);
    expect(db.scheduler.stats().succeeded).toBe(20);
    expect(peak).toBe(3);
    expect(Math.max(...peaks)).toBeLessThanOrEqual(2);
    // A job of two slots waits for two free slots.
    db.scheduler.configure({ slots: 2 });
    const big = db.jobs.submit({ tenant: 't', kind: 'k', slots: 2 });
    await db.scheduler.idle();
    await advance(db, clock, 1000);
    expect(db.jobs.get(big)?.state).toBe('succeeded');
  });

  it('routes jobs to workers of their kind only; a kind without a worker waits without blocking others', async () => {
    const { db } = openDb();
    db.scheduler.configure({ policy: 'fifo', slots: 2 });
    const ran: string[] = [];
    for (let i = 0; i < 3; i++) db.jobs.submit({ tenant: 't', kind: 'video', payload: `v${i}` });
    for (let i = 0; i < 3; i++) db.jobs.submit({ tenant: 't', kind: 'mail', payload: `m${i}` });
    db.worker('mail', (ctx) => void ran.push(ctx.job.payload as string));
    await db.scheduler.idle();
    expect(ran).toEqual(['m0', 'm1', 'm2']);
    expect(db.scheduler.stats()).toMatchObject({ queued: 3, succeeded: 3 });
    const video = db.worker('video', (ctx) => void ran.push(ctx.job.payload as string));
    await db.scheduler.idle();
    expect(ran.slice(3)).toEqual(['v0', 'v1', 'v2']);
    await video.close();
    expect(video.closed).toBe(true);
  });

  it('a worker full of one kind does not hold back another kind (the policy decides over what can start)', async () => {
    const { db, clock } = openDb();
    db.scheduler.configure({ policy: 'fifo', slots: 4 });
    const hold = deferred();
    db.worker('slow', () => hold.promise, { concurrency: 1 });
    const fast: string[] = [];
    db.worker('fast', (ctx) => void fast.push(ctx.job.id), { concurrency: 1 });
    // Older slow jobs first in FIFO order: only one can run, the fast ones pass them.
    for (let i = 0; i < 5; i++) db.jobs.submit({ tenant: 't', kind: 'slow' });
    for (let i = 0; i < 3; i++) db.jobs.submit({ tenant: 't', kind: 'fast' });
    await db.scheduler.idle();
    expect(fast).toEqual(['6', '7', '8']);
    expect(db.scheduler.stats()).toMatchObject({ running: 1, queued: 4 });
    hold.resolve();
    await db.scheduler.idle();
    expect(db.scheduler.stats()).toMatchObject({ running: 0, queued: 0, succeeded: 8 });
    void clock;
  });

  it('holds a tenant to its rate limit while others run', async () => {
    const { db, clock } = openDb();
    db.scheduler.configure({ slots: 8, tenants: { noisy: { rateLimit: { jobs: 2, perMs: 1000 } } } });
    const starts: { tenant: string; at: number }[] = [];
    const t0 = clock.now();
    db.worker('k', (ctx) => void starts.push({ tenant: ctx.job.tenant, at: clock.now() - t0 }), { concurrency: 8 });
    for (let i = 0; i < 6; i++) db.jobs.submit({ tenant: 'noisy', kind: 'k' });
    for (let i = 0; i < 3; i++) db.jobs.submit({ tenant: 'quiet', kind: 'k' });
    await db.scheduler.idle();
    for (let i = 0; i < 4; i++) await advance(db, clock, 500);
    const noisy = starts.filter((s) => s.tenant === 'noisy').map((s) => s.at);
    expect(starts.filter((s) => s.tenant === 'quiet').map((s) => s.at)).toEqual([0, 0, 0]);
    // Two at once (the bucket's capacity), then one every 500 ms as tokens come back.
    expect(noisy).toEqual([0, 0, 500, 1000, 1500, 2000]);
  });

  it('shares the pool by tenant weight under drf', async () => {
    const { db, clock } = openDb();
    db.scheduler.configure({ policy: 'drf', slots: 4, tenants: { gold: { weight: 3 }, bronze: { weight: 1 } } });
    const running = new Map<string, number>();
    const samples: string[] = [];
    db.worker('k', async (ctx) => {
      running.set(ctx.job.tenant, (running.get(ctx.job.tenant) ?? 0) + 1);
      await sleep(clock, 1000);
      running.set(ctx.job.tenant, (running.get(ctx.job.tenant) ?? 0) - 1);
    }, { concurrency: 4 });
    for (let i = 0; i < 12; i++) db.jobs.submit({ tenant: 'bronze', kind: 'k' });
    for (let i = 0; i < 12; i++) db.jobs.submit({ tenant: 'gold', kind: 'k' });
    await db.scheduler.idle();
    for (let i = 0; i < 3; i++) {
      samples.push(`gold ${running.get('gold')} bronze ${running.get('bronze')}`);
      await advance(db, clock, 1000);
    }
    expect(samples).toEqual(['gold 3 bronze 1', 'gold 3 bronze 1', 'gold 3 bronze 1']);
  });
});
