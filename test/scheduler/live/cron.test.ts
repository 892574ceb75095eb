/**
 * Cron schedules: fire times in a time zone across a daylight-saving change,
 * no missed and no double fire across restarts and clock jumps, and the
 * catch-up limit.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../engine/index.js';
import { cronCatchUpFiresMax, dueFires, nextFireAfter } from '../../../scheduler/live/index.js';
import { advance, openDb } from './helpers.js';

const hour = 3600_000;

describe('cron arithmetic', () => {
  it('follows the time zone across a daylight-saving change', () => {
    // 02:30 New York time does not exist on 2024-03-10; cron-parser moves it to 03:30 EDT.
    const from = Date.UTC(2024, 2, 9, 12);
    const first = nextFireAfter('30 2 * * *', 'America/New_York', from);
    const second = nextFireAfter('30 2 * * *', 'America/New_York', first);
    expect(new Date(first).toISOString()).toBe('2024-03-10T07:30:00.000Z');
    expect(new Date(second).toISOString()).toBe('2024-03-11T06:30:00.000Z');
    expect(second - first).toBe(23 * hour);
  });

  it('lists the missed fires oldest first, keeping the latest cronCatchUpFiresMax and counting the rest as skipped', () => {
    const start = Date.UTC(2025, 0, 1);
    const three = dueFires('0 * * * *', undefined, start, start + 2 * hour + 1);
    expect(three).toEqual({ fires: [start, start + hour, start + 2 * hour], skipped: 0, next: start + 3 * hour });
    const many = dueFires('* * * * *', undefined, start, start + (cronCatchUpFiresMax + 9) * 60_000);
    expect(many.fires.length).toBe(cronCatchUpFiresMax);
    expect(many.skipped).toBe(10);
    expect(many.fires[0]).toBe(start + 10 * 60_000);
  });
});

describe('cron schedules of live jobs', () => {
  it('creates one job per fire, with the template, and can be removed', async () => {
    const start = Date.UTC(2025, 0, 1, 0, 0, 30);
    const { db, clock } = openDb({ startMs: start });
    const ran: { at: number; payload: unknown }[] = [];
    db.worker('report', (ctx) => void ran.push({ at: clock.now(), payload: ctx.job.payload }));
    const id = db.jobs.submit({ tenant: 'ops', kind: 'report', payload: { format: 'pdf' }, cron: { pattern: '* * * * *', name: 'minutely' } });
    expect(id).toBe('cron:minutely');
    expect(db.jobs.schedule(id)).toMatchObject({ name: 'minutely', nextFire: start + 30_000, fired: 0 });
    await advance(db, clock, 30_000);
    await advance(db, clock, 60_000);
    expect(ran).toEqual([
      { at: start + 30_000, payload: { format: 'pdf' } },
      { at: start + 90_000, payload: { format: 'pdf' } },
    ]);
    expect(db.query("SELECT fired, last_fired FROM job_schedules WHERE name = 'minutely'")).toEqual([{ fired: 2, last_fired: new Date(start + 90_000).toISOString() }]);
    expect(db.query("SELECT COUNT(*) AS n FROM jobs WHERE cron = 'minutely'")).toEqual([{ n: 2 }]);
    expect(db.jobs.cancel(id)).toBe(true);
    await advance(db, clock, 120_000);
    expect(ran.length).toBe(2);
    expect(db.jobs.schedules()).toEqual([]);
  });

  it('fires neither missed nor twice across restarts and clock jumps', async () => {
    const start = Date.UTC(2025, 0, 1, 0, 30);
    const clock = new ManualClock(start);
    const first = openDb({ clock });
    first.db.jobs.submit({ tenant: 'ops', kind: 'tick', cron: { pattern: '0 * * * *', name: 'hourly' } });
    await first.db.scheduler.idle();
    // The first fire at 01:00 is committed; the process then stops at 01:10.
    await advance(first.db, clock, 40 * 60_000);
    expect(first.db.jobs.schedule('hourly')?.fired).toBe(1);
    await first.db.close();

    // Down for three hours: the 02:00, 03:00 and 04:00 fires are caught up at reopen, once each.
    clock.set(start + 3 * hour + 40 * 60_000);
    const second = openDb({ dir: first.dir, clock });
    second.db.jobs.schedules();
    await second.db.scheduler.idle();
    expect(second.db.jobs.schedule('hourly')).toMatchObject({ fired: 4, nextFire: start + 4.5 * hour, skipped: 0 });
    await second.db.close();

    // The clock jumps back two hours: nothing fires again, and the next fire is still 05:00.
    clock.set(start + hour + 40 * 60_000);
    const third = openDb({ dir: first.dir, clock });
    third.db.jobs.schedules();
    await advance(third.db, clock, hour);
    expect(third.db.jobs.schedule('hourly')).toMatchObject({ fired: 4, nextFire: start + 4.5 * hour });
    // Forward again past 05:00 (the scheduler's time stood still while the clock was behind).
    await advance(third.db, clock, 2 * hour);
    const fireTimes = third.db.query("SELECT submitted_at FROM jobs WHERE cron = 'hourly' ORDER BY seq").map((r) => r.submitted_at);
    expect(fireTimes).toEqual([1, 2, 3, 4, 5].map((h) => new Date(start + (h - 0.5) * hour).toISOString()));
  });
});
