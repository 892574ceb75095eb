/**
 * Dependencies: a job runs after all its parents succeed; a failed or
 * cancelled parent fails or cancels its descendants; a graph with a
 * deadline is ordered by the slack of its remaining critical path.
 */
import { describe, expect, it } from 'vitest';
import { effectiveDeadline } from '../../../scheduler/live/index.js';
import { advance, openDb, sleep } from './helpers.js';

describe('dependencies', () => {
  it('runs a job only after all its parents succeeded (a diamond)', async () => {
    const { db, clock } = openDb();
    const order: string[] = [];
    db.worker('step', async (ctx) => {
      order.push(`start ${ctx.job.id}`);
      await sleep(clock, (ctx.job.payload as number) * 1000);
      order.push(`end ${ctx.job.id}`);
    }, { concurrency: 4 });
    db.jobs.submitMany([
      { tenant: 't', kind: 'step', id: 'join', dependsOn: ['left', 'right'], payload: 1 },
      { tenant: 't', kind: 'step', id: 'root', payload: 1 },
      { tenant: 't', kind: 'step', id: 'left', dependsOn: ['root'], payload: 1 },
      { tenant: 't', kind: 'step', id: 'right', dependsOn: ['root'], payload: 3 },
    ]);
    await db.scheduler.idle();
    expect(db.jobs.get('join')?.state).toBe('waiting');
    expect(db.query("SELECT depends_on FROM job_dependencies WHERE job = 'join' ORDER BY depends_on")).toEqual([{ depends_on: 'left' }, { depends_on: 'right' }]);
    for (let i = 0; i < 5; i++) await advance(db, clock, 1000);
    expect(order).toEqual(['start root', 'end root', 'start left', 'start right', 'end left', 'end right', 'start join', 'end join']);
    expect(db.jobs.get('join')).toMatchObject({ state: 'succeeded', dependsOn: ['left', 'right'] });
  });

  it('fails the descendants of a failed job, or cancels those that ask for it, with the cause', async () => {
    const { db } = openDb();
    db.worker('boom', () => {
      throw new Error('disk full');
    });
    db.jobs.submitMany([
      { tenant: 't', kind: 'boom', id: 'parent' },
      { tenant: 't', kind: 'x', id: 'failing-child', dependsOn: ['parent'] },
      { tenant: 't', kind: 'x', id: 'grandchild', dependsOn: ['failing-child'] },
      { tenant: 't', kind: 'x', id: 'cancelled-child', dependsOn: ['parent'], onParentFailure: 'cancel' },
    ]);
    await db.scheduler.idle();
    expect(db.jobs.get('parent')).toMatchObject({ state: 'failed', error: 'disk full' });
    expect(db.jobs.get('failing-child')).toMatchObject({ state: 'failed', endCause: 'parentFailed', endedBy: 'parent', error: 'parent parent failed' });
    expect(db.jobs.get('grandchild')).toMatchObject({ state: 'failed', endCause: 'parentFailed', endedBy: 'failing-child' });
    expect(db.jobs.get('cancelled-child')).toMatchObject({ state: 'cancelled', endCause: 'parentFailed' });
  });

  it('cancelling a parent ends its waiting children; retrying the parent, then a child, runs them', async () => {
    const { db } = openDb();
    const ran: string[] = [];
    db.jobs.submitMany([
      { tenant: 't', kind: 'k', id: 'p' },
      { tenant: 't', kind: 'k', id: 'c', dependsOn: ['p'] },
    ]);
    db.jobs.cancel('p');
    expect(db.jobs.get('c')).toMatchObject({ state: 'failed', endCause: 'parentCancelled' });
    db.jobs.retry('p');
    db.jobs.retry('c');
    expect(db.jobs.get('c')?.state).toBe('waiting');
    db.worker('k', (ctx) => void ran.push(ctx.job.id));
    await db.scheduler.idle();
    expect(ran).toEqual(['p', 'c']);
  });

  it('computes effective deadlines along the critical path', () => {
    interface N {
      deadline: number;
      durationMs: number;
      children: N[];
    }
    const sink: N = { deadline: 100, durationMs: 30, children: [] };
    const other: N = { deadline: 90, durationMs: 5, children: [] };
    const middle: N = { deadline: NaN, durationMs: 20, children: [sink] };
    const root: N = { deadline: NaN, durationMs: 10, children: [middle, other] };
    const node = (n: N) => n;
    expect(effectiveDeadline(sink, node)).toBe(100);
    expect(effectiveDeadline(middle, node)).toBe(70);
    // min(70 - 20 via middle, 90 - 5 via other)
    expect(effectiveDeadline(root, node)).toBe(50);
    expect(effectiveDeadline({ deadline: NaN, durationMs: 1, children: [] } as N, node)).toBeNaN();
  });

  for (const policy of ['edf', 'least-slack'] as const) {
    it(`orders a graph with a deadline by the slack of its remaining critical path (${policy})`, async () => {
      const { db, clock } = openDb();
      db.scheduler.configure({ policy, slots: 1 });
      const now = clock.now();
      const spans: Record<string, [number, number]> = {};
      db.worker('w', async (ctx) => {
        const start = clock.now();
        await sleep(clock, ctx.job.work * 1000);
        spans[ctx.job.id] = [(start - now) / 1000, (clock.now() - now) / 1000];
      });
      // c alone has the earlier own deadline than b, but a has no deadline of
      // its own: only through b's deadline (30 s, 20 s of work after a) must a
      // start first. Order by own deadlines (c, a, b) would make b late.
      db.jobs.submit({ tenant: 't', kind: 'w', id: 'c', work: 10, deadline: now + 35_000 });
      db.jobs.submit({ tenant: 't', kind: 'w', id: 'a', work: 5 });
      const b = db.jobs.submit({ tenant: 't', kind: 'w', id: 'b', work: 20, deadline: now + 30_000, dependsOn: ['a'] });
      expect(b.admission.verdict).not.toBe('infeasible');
      await db.scheduler.idle();
      for (let i = 0; i < 35; i++) await advance(db, clock, 1000);
      expect(spans).toEqual({ a: [0, 5], b: [5, 25], c: [25, 35] });
    });
  }
});
