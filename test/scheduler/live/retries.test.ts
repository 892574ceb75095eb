/**
 * Retries: exponential backoff with jitter and fixed delays, deadline
 * awareness, the dead letter with the last error, and manual retry.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../storage/device/index.js';
import { backoffDelayMs, backoffMsMax, planRetry } from '../../../scheduler/live/index.js';
import { advance, codeOf, openDb, sleep } from './helpers.js';

describe('backoff arithmetic', () => {
  it('doubles the exponential delay per attempt with equal jitter, capped, and keeps fixed delays fixed', () => {
    const random = seededRandom(11);
    for (let attempt = 1; attempt <= 8; attempt++) {
      const base = 100 * 2 ** (attempt - 1);
      for (let i = 0; i < 50; i++) {
        const d = backoffDelayMs('exponential', 100, attempt, random);
        expect(d, `seed ${random.seed}`).toBeGreaterThanOrEqual(base / 2);
        expect(d, `seed ${random.seed}`).toBeLessThanOrEqual(base);
      }
      expect(backoffDelayMs('fixed', 100, attempt, random)).toBe(100);
    }
    expect(backoffDelayMs('exponential', 1000, 80, random)).toBeLessThanOrEqual(backoffMsMax);
    expect(backoffDelayMs('none', 1000, 3, random)).toBe(0);
  });

  it('refuses a retry that cannot finish before the deadline and shortens the delay near it', () => {
    const random = seededRandom(3);
    const base = { attempts: 1, retries: 3, backoff: 'fixed' as const, backoffDelay: 10_000, durationMs: 1000, random };
    expect(planRetry({ ...base, nowMs: 0, deadlineMs: NaN })).toEqual({ retry: true, runAtMs: 10_000 });
    // 9 s of slack before the latest start (10 s - 1 s): the delay shrinks to half of it.
    expect(planRetry({ ...base, nowMs: 0, deadlineMs: 10_000 })).toEqual({ retry: true, runAtMs: 4500 });
    expect(planRetry({ ...base, nowMs: 9001, deadlineMs: 10_000 })).toEqual({ retry: false, reason: 'no retry can finish before the deadline' });
    expect(planRetry({ ...base, attempts: 4, nowMs: 0, deadlineMs: NaN })).toEqual({ retry: false, reason: 'all 3 retries used' });
  });
});

describe('retries of live jobs', () => {
  it('retries a failing job after its backoff and succeeds, keeping the last error until then', async () => {
    const { db, clock } = openDb();
    const starts: number[] = [];
    const retrying: { attempt: number; runAt: number; error: string }[] = [];
    db.jobs.on('retrying', (e) => retrying.push({ attempt: e.attempt, runAt: e.runAt, error: e.error }));
    db.worker('flaky', (ctx) => {
      starts.push(clock.now());
      if (ctx.job.attempts < 3) throw new Error(`boom ${ctx.job.attempts}`);
      return 'ok';
    });
    const t0 = clock.now();
    const id = db.jobs.submit({ tenant: 't', kind: 'flaky', retries: 5, backoff: { type: 'fixed', delay: 1000 } });
    await db.scheduler.idle();
    expect(db.jobs.get(id)).toMatchObject({ state: 'delayed', error: 'boom 1', attempts: 1 });
    await advance(db, clock, 1000);
    await advance(db, clock, 1000);
    expect(starts).toEqual([t0, t0 + 1000, t0 + 2000]);
    expect(retrying).toEqual([
      { attempt: 1, runAt: t0 + 1000, error: 'boom 1' },
      { attempt: 2, runAt: t0 + 2000, error: 'boom 2' },
    ]);
    expect(db.jobs.get(id)).toMatchObject({ state: 'succeeded', result: 'ok', attempts: 3 });
  });

  it('dead-letters a job after its last retry with the last error, and runs it again on manual retry', async () => {
    const { db, clock } = openDb();
    let fail = true;
    const failed: { id: string; error: string; cause: string }[] = [];
    db.jobs.on('failed', (e) => failed.push(e));
    db.worker('w', () => {
      if (fail) throw new TypeError('bad input');
      return 'fixed';
    });
    const id = db.jobs.submit({ tenant: 't', kind: 'w', retries: 2, backoff: { type: 'exponential', delay: 100 } });
    for (let i = 0; i < 4; i++) await advance(db, clock, 200);
    expect(failed).toEqual([{ id, error: 'bad input (all 2 retries used)', cause: 'error' }]);
    expect(db.jobs.get(id)).toMatchObject({ state: 'failed', attempts: 3, error: 'bad input (all 2 retries used)', endCause: 'error' });
    expect(db.query("SELECT state, error FROM jobs WHERE state = 'failed'")).toEqual([{ state: 'failed', error: 'bad input (all 2 retries used)' }]);
    fail = false;
    db.jobs.retry(id);
    await db.scheduler.idle();
    expect(db.jobs.get(id)).toMatchObject({ state: 'succeeded', result: 'fixed', attempts: 1, error: undefined });
    expect(codeOf(() => db.jobs.retry(id))).toBe('CONFLICT');
    expect(codeOf(() => db.jobs.retry('77'))).toBe('NOT_FOUND');
  });

  it('does not retry when no retry could finish before the deadline', async () => {
    const { db, clock } = openDb();
    db.worker('w', async () => {
      await sleep(clock, 1000);
      throw new Error('nope');
    });
    const now = clock.now();
    // 5 s of work and 5.5 s to the deadline: after a failure at 1 s, no retry can start by 0.5 s.
    const { id } = db.jobs.submit({ tenant: 't', kind: 'w', work: 5, retries: 10, deadline: now + 5500 });
    await db.scheduler.idle();
    await advance(db, clock, 1000);
    expect(db.jobs.get(id)).toMatchObject({ state: 'failed', attempts: 1, error: 'nope (no retry can finish before the deadline)' });
  });
});
