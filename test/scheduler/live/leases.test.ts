/**
 * Leases, heartbeats and fencing: a missed lease stalls the attempt and
 * requeues the job with a new epoch; the stale attempt's signal aborts and
 * its writes through ctx.transaction are refused (FENCED, nothing written);
 * steps committed by an earlier attempt are not run again.
 */
import { describe, expect, it } from 'vitest';
import { advance, codeOf, deferred, openDb, sleep } from './helpers.js';
import { leaseMsMax, leaseMsMin } from '../../../scheduler/live/index.js';
import type { JobContext } from '../../../engine/index.js';

describe('leases and fencing', () => {
  it('keeps a heartbeating attempt and stalls a silent one after its lease, requeuing it with a new epoch', async () => {
    const { db, clock } = openDb();
    const epochs: number[] = [];
    const stalled: { id: string; epoch: number; requeued: boolean }[] = [];
    db.jobs.on('stalled', (e) => stalled.push(e));
    const release = deferred();
    let first: JobContext | undefined;
    db.worker('w', async (ctx) => {
      epochs.push(ctx.epoch);
      if (ctx.epoch === 1) {
        first = ctx;
        await release.promise;
        return 'zombie';
      }
      return 'fresh';
    }, { leaseMs: 2000 });
    const id = db.jobs.submit({ tenant: 't', kind: 'w' });
    await db.scheduler.idle();
    // Heartbeats keep the lease: 3 s pass in 1.5 s steps, each followed by a heartbeat.
    await advance(db, clock, 1500);
    first!.heartbeat();
    await advance(db, clock, 1500);
    first!.heartbeat();
    expect(db.jobs.get(id)?.state).toBe('running');
    expect(stalled).toEqual([]);
    // Silence for the whole lease: the attempt stalls.
    await advance(db, clock, 2000);
    expect(stalled).toEqual([{ id, epoch: 1, requeued: true }]);
    expect(first!.signal.aborted).toBe(true);
    expect((first!.signal.reason as { code?: string }).code).toBe('FENCED');
    expect(epochs).toEqual([1, 2]);
    const job = db.jobs.get(id)!;
    expect(job).toMatchObject({ state: 'succeeded', result: 'fresh', epoch: 2, attempts: 2, stalls: 1 });
    // The zombie's late result is ignored.
    release.resolve();
    await db.scheduler.idle();
    expect(db.jobs.get(id)?.result).toBe('fresh');
  });

  it('refuses writes from a stale attempt (FENCED, nothing written) and runs each committed step once', async () => {
    const { db, clock } = openDb();
    const runs: number[] = [];
    const stepRuns: string[] = [];
    const zombie = deferred();
    let zombieError: unknown;
    db.worker('pay', async (ctx) => {
      runs.push(ctx.epoch);
      // Step 1: charge the card, once.
      const charge = await ctx.transaction((tx) => {
        stepRuns.push(`charge@${ctx.epoch}`);
        const n = ((tx.get(['charges']) as number | undefined) ?? 0) + 1;
        tx.put(['charges'], n);
        return { charge: n };
      });
      if (ctx.epoch === 1) {
        // The first attempt hangs here and loses its lease.
        await zombie.promise;
        try {
          await ctx.transaction((tx) => {
            stepRuns.push('ship@1');
            tx.put(['shipped'], 'by the zombie');
          });
        } catch (error) {
          zombieError = error;
        }
        return 'zombie';
      }
      await ctx.transaction((tx) => {
        stepRuns.push(`ship@${ctx.epoch}`);
        tx.put(['shipped'], `attempt ${ctx.epoch}`);
      });
      return charge;
    }, { leaseMs: 1000 });
    const id = db.jobs.submit({ tenant: 't', kind: 'pay' });
    await db.scheduler.idle();
    await advance(db, clock, 1000);
    await db.scheduler.idle();
    zombie.resolve();
    await db.scheduler.idle();
    expect(runs).toEqual([1, 2]);
    // The charge committed by attempt 1 is not run again by attempt 2 (its result is replayed).
    expect(stepRuns).toEqual(['charge@1', 'ship@2']);
    expect(db.get(['charges'])).toBe(1);
    expect(db.get(['shipped'])).toBe('attempt 2');
    expect((zombieError as { code?: string }).code).toBe('FENCED');
    expect(db.jobs.get(id)).toMatchObject({ state: 'succeeded', result: { charge: 1 }, epoch: 2 });
    // Memos go away with the job's success.
    let memos = 0;
    db.store.scanRaw({ start: '\u0001jE', end: '\u0001jF' }, () => void memos++);
    expect(memos).toBe(0);
  });

  it('fails a job that stalls more than stallsMax times', async () => {
    const { db, clock } = openDb();
    db.scheduler.configure({ stallsMax: 2 });
    const failed: { id: string; cause: string }[] = [];
    db.jobs.on('failed', (e) => failed.push({ id: e.id, cause: e.cause }));
    db.worker('hang', () => new Promise(() => undefined), { leaseMs: 1000 });
    const id = db.jobs.submit({ tenant: 't', kind: 'hang', retries: 5 });
    await db.scheduler.idle();
    for (let i = 0; i < 3; i++) await advance(db, clock, 1000);
    expect(failed).toEqual([{ id, cause: 'stalls' }]);
    expect(db.jobs.get(id)).toMatchObject({ state: 'failed', stalls: 3, endCause: 'stalls' });
  });

  it('accepts leases from leaseMsMin to leaseMsMax and refuses others', () => {
    const { db } = openDb();
    expect(codeOf(() => db.worker('a', () => undefined, { leaseMs: leaseMsMin }))).toBeUndefined();
    expect(codeOf(() => db.worker('b', () => undefined, { leaseMs: leaseMsMin - 1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => db.worker('c', () => undefined, { leaseMs: leaseMsMax }))).toBeUndefined();
    expect(codeOf(() => db.worker('d', () => undefined, { leaseMs: leaseMsMax + 1 }))).toBe('INVALID_ARGUMENT');
  });

  it('detects a missed lease within 1 s at the shortest lease', async () => {
    const { db, clock } = openDb();
    const stalls: number[] = [];
    db.jobs.on('stalled', () => stalls.push(clock.now()));
    db.worker('w', (ctx) => (ctx.epoch === 1 ? sleep(clock, 60_000) : undefined), { leaseMs: 1000 });
    db.jobs.submit({ tenant: 't', kind: 'w' });
    await db.scheduler.idle();
    const start = clock.now();
    await advance(db, clock, 999);
    expect(stalls).toEqual([]);
    await advance(db, clock, 1);
    expect(stalls).toEqual([start + 1000]);
  });

  it('requeues jobs that were running when the database closed, with a new epoch (crash recovery)', async () => {
    const first = openDb();
    db1: {
      first.db.worker('w', () => new Promise(() => undefined), { concurrency: 3 });
      for (let i = 0; i < 3; i++) first.db.jobs.submit({ tenant: 't', kind: 'w' });
      await first.db.scheduler.idle();
      expect(first.db.jobs.get('1')?.state).toBe('running');
      break db1;
    }
    await first.db.close();
    const second = openDb({ dir: first.dir, clock: first.clock });
    await second.db.scheduler.idle();
    const stats = second.db.scheduler.stats();
    expect(stats.recovered).toBe(3);
    for (const id of ['1', '2', '3']) expect(second.db.jobs.get(id)).toMatchObject({ state: 'queued', epoch: 1, stalls: 1, attempts: 1 });
    const done: string[] = [];
    second.db.worker('w', (ctx) => void done.push(`${ctx.job.id}@${ctx.epoch}`));
    await second.db.scheduler.idle();
    expect(done).toEqual(['1@2', '2@2', '3@2']);
  });

  it('validates progress and reports it through events and the record', async () => {
    const { db } = openDb();
    const progress: number[] = [];
    db.jobs.on('progress', (e) => progress.push(e.progress));
    const hold = deferred();
    let ctxSeen: JobContext | undefined;
    db.worker('p', async (ctx) => {
      ctxSeen = ctx;
      ctx.progress(0.25);
      ctx.progress(0.5);
      await hold.promise;
    });
    const id = db.jobs.submit({ tenant: 't', kind: 'p' });
    await db.scheduler.idle();
    expect(db.jobs.get(id)?.progress).toBe(0.5);
    expect(db.query("SELECT progress FROM jobs WHERE id = '1'")).toEqual([{ progress: 0.5 }]);
    expect(codeOf(() => ctxSeen!.progress(1.5))).toBe('INVALID_ARGUMENT');
    expect(progress).toEqual([0.25, 0.5]);
    hold.resolve();
    await db.scheduler.idle();
    expect(db.jobs.get(id)).toMatchObject({ state: 'succeeded', progress: 0.5 });
  });
});
