/**
 * The job lifecycle through the public API: submit, run, get, cancel,
 * transactional enqueue, delayed jobs, events, priorities and the jobs
 * table, on fake time.
 */
import { describe, expect, it } from 'vitest';
import { advance, codeOf, deferred, jobKeyCount, openDb, sleep } from './helpers.js';

describe('job lifecycle', () => {
  it('runs a submitted job once and keeps its result, attempts and timestamps', async () => {
    const { db, clock } = openDb();
    const seen: string[] = [];
    db.jobs.on('active', (e) => seen.push(`active ${e.id} ${e.epoch}`));
    db.jobs.on('completed', (e) => seen.push(`completed ${e.id} ${JSON.stringify(e.result)}`));
    const id = db.jobs.submit({ tenant: 'acme', kind: 'add', payload: { a: 2, b: 3 } });
    expect(id).toBe('1');
    expect(db.jobs.get(id)?.state).toBe('queued');
    const worker = db.worker('add', (ctx) => (ctx.job.payload as { a: number; b: number }).a + (ctx.job.payload as { a: number; b: number }).b);
    await db.scheduler.idle();
    const job = db.jobs.get(id)!;
    expect(job).toMatchObject({ state: 'succeeded', result: 5, attempts: 1, epoch: 1, tenant: 'acme', kind: 'add', submittedAt: clock.now(), finishedAt: clock.now() });
    expect(seen).toEqual(['active 1 1', 'completed 1 5']);
    await worker.close();
  });

  it('does not start a job before its runAt, and reports it delayed until then', async () => {
    const { db, clock } = openDb();
    const start = clock.now();
    const started: number[] = [];
    db.worker('later', () => void started.push(clock.now()));
    const id = db.jobs.submit({ tenant: 't', kind: 'later', runAt: start + 5000 });
    await db.scheduler.idle();
    expect(db.jobs.get(id)?.state).toBe('delayed');
    expect(db.query("SELECT state FROM jobs WHERE id = '1'")).toEqual([{ state: 'delayed' }]);
    await advance(db, clock, 4999);
    expect(started).toEqual([]);
    await advance(db, clock, 1);
    expect(started).toEqual([start + 5000]);
    expect(db.jobs.get(id)?.state).toBe('succeeded');
  });

  it('enqueues in the application transaction: committed with it, or not at all', async () => {
    const { db } = openDb();
    const ran: string[] = [];
    db.worker('mail', (ctx) => void ran.push(ctx.job.id));
    let kept = '';
    db.transactionSync((tx) => {
      tx.put(['order', 1], { total: 10 });
      kept = db.jobs.submit({ tenant: 't', kind: 'mail', payload: { order: 1 } }, { tx });
    });
    let rolledBack = '';
    expect(() =>
      db.transactionSync((tx) => {
        tx.put(['order', 2], { total: 20 });
        rolledBack = db.jobs.submit({ tenant: 't', kind: 'mail', payload: { order: 2 } }, { tx });
        throw new Error('payment declined');
      }),
    ).toThrow('payment declined');
    await db.scheduler.idle();
    expect(db.get(['order', 1])).toEqual({ total: 10 });
    expect(db.get(['order', 2])).toBeUndefined();
    expect(ran).toEqual([kept]);
    expect(db.jobs.get(kept)?.state).toBe('succeeded');
    expect(db.jobs.get(rolledBack)).toBeUndefined();
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'mail' }, { tx: {} }))).toBe('INVALID_ARGUMENT');
  });

  it('cancels queued and running jobs; a cancelled attempt is aborted and its late result ignored', async () => {
    const { db, clock } = openDb();
    const gate = deferred();
    let aborted: unknown;
    db.worker('slow', async (ctx) => {
      ctx.signal.addEventListener('abort', () => (aborted = ctx.signal.reason));
      await gate.promise;
      return 'late';
    });
    const running = db.jobs.submit({ tenant: 't', kind: 'slow' });
    await db.scheduler.idle();
    const queued = db.jobs.submit({ tenant: 't', kind: 'other' });
    expect(db.jobs.get(running)?.state).toBe('running');
    const cancelled: string[] = [];
    db.jobs.on('cancelled', (e) => cancelled.push(e.id));
    expect(db.jobs.cancel(running)).toBe(true);
    expect(db.jobs.cancel(queued)).toBe(true);
    expect(db.jobs.cancel(queued)).toBe(false);
    expect(codeOf(() => db.jobs.cancel('999'))).toBe('NOT_FOUND');
    expect((aborted as { code?: string })?.code).toBe('FENCED');
    gate.resolve();
    await db.scheduler.idle();
    expect(cancelled).toEqual([running, queued]);
    const job = db.jobs.get(running)!;
    expect(job).toMatchObject({ state: 'cancelled', endCause: 'cancelled', result: undefined, epoch: 1 });
    void clock;
  });

  it('runs jobs of a higher priority first under the priority policy', async () => {
    const { db } = openDb();
    db.scheduler.configure({ policy: 'priority', slots: 1 });
    const order: number[] = [];
    for (const priority of [1, 5, 3, 5, 0]) db.jobs.submit({ tenant: 't', kind: 'p', priority, payload: priority });
    db.worker('p', (ctx) => void order.push(ctx.job.payload as number));
    await db.scheduler.idle();
    expect(order).toEqual([5, 5, 3, 1, 0]);
  });

  it('does not starve a tenant with low-priority jobs under themis while another floods', async () => {
    const { db, clock } = openDb();
    db.scheduler.configure({ policy: 'themis', slots: 2, periodSeconds: 60 });
    const finished: string[] = [];
    db.worker('w', async (ctx) => {
      await sleep(clock, 1000);
      finished.push(ctx.job.tenant);
    }, { concurrency: 2 });
    for (let i = 0; i < 40; i++) db.jobs.submit({ tenant: 'flood', kind: 'w', priority: 100 });
    for (let i = 0; i < 4; i++) db.jobs.submit({ tenant: 'meek', kind: 'w', priority: -100 });
    await db.scheduler.idle();
    for (let i = 0; i < 10; i++) await advance(db, clock, 1000);
    // Within the first 20 completions (a quarter of the flood's backlog), the meek tenant's jobs are done.
    expect(finished.length).toBe(20);
    expect(finished.filter((t) => t === 'meek').length).toBe(4);
  });

  it('answers a deadline submission with an admission verdict and a predicted finish', async () => {
    const { db, clock } = openDb();
    db.scheduler.configure({ policy: 'edf', slots: 1 });
    // Admission counts the jobs a worker can take (a kind without workers waits outside the scheduler).
    db.worker('d', () => new Promise(() => undefined));
    const now = clock.now();
    const ok = db.jobs.submit({ tenant: 't', kind: 'd', work: 10, deadline: now + 60_000 });
    expect(ok.admission.verdict).toBe('accepted');
    expect(ok.admission.predictedFinish).toBe(now + 10_000);
    const after = db.jobs.submit({ tenant: 't', kind: 'd', work: 10, deadline: now + 100_000 });
    expect(after.admission).toEqual({ verdict: 'accepted', predictedFinish: now + 20_000 });
    const tight = db.jobs.submit({ tenant: 't', kind: 'd', work: 55, deadline: now + 65_000 });
    expect(tight.admission).toEqual({ verdict: 'at-risk', predictedFinish: now + 65_000 });
    const late = db.jobs.submit({ tenant: 't', kind: 'd', work: 10, deadline: new Date(now + 5_000) });
    expect(late.admission.verdict).toBe('infeasible');
    expect(db.jobs.get(late.id)?.admission).toEqual(late.admission);
  });

  it('keeps every job in the jobs table, queryable by tenant and state', async () => {
    const { db } = openDb();
    for (let i = 0; i < 6; i++) db.jobs.submit({ tenant: i % 2 === 0 ? 'even' : 'odd', kind: 'k', payload: { i } });
    const rows = db.query("SELECT id, payload FROM jobs WHERE tenant = ? AND state = 'queued' ORDER BY seq", ['even']);
    expect(rows).toEqual([
      { id: '1', payload: '{"i":0}' },
      { id: '3', payload: '{"i":2}' },
      { id: '5', payload: '{"i":4}' },
    ]);
    expect(db.query('SELECT tenant, COUNT(*) AS n FROM jobs GROUP BY tenant ORDER BY tenant')).toEqual([
      { tenant: 'even', n: 3 },
      { tenant: 'odd', n: 3 },
    ]);
    expect(jobKeyCount(db)).toBeGreaterThanOrEqual(6);
  });

  it('accepts caller-chosen ids, unique among the jobs kept', () => {
    const { db } = openDb();
    expect(db.jobs.submit({ tenant: 't', kind: 'k', id: 'invoice-17' })).toBe('invoice-17');
    expect(db.jobs.get('invoice-17')?.state).toBe('queued');
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', id: 'invoice-17' }))).toBe('CONFLICT');
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', id: '42' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k', id: 'cron:x' }))).toBe('INVALID_ARGUMENT');
    expect(db.query("SELECT id FROM jobs WHERE id = 'invoice-17'")).toEqual([{ id: 'invoice-17' }]);
  });

  it('prunes finished jobs older than a time, keeping active ones', async () => {
    const { db, clock } = openDb();
    db.worker('k', () => undefined);
    const done = db.jobs.submit({ tenant: 't', kind: 'k', id: 'first' });
    await db.scheduler.idle();
    await advance(db, clock, 1000);
    const queued = db.jobs.submit({ tenant: 't', kind: 'other' });
    expect(db.jobs.prune({ before: clock.now() - 1000 })).toBe(0);
    expect(db.jobs.prune({ before: clock.now() })).toBe(1);
    expect(db.jobs.get(done)).toBeUndefined();
    expect(db.jobs.get(queued)?.state).toBe('queued');
    // The id is free again, and generated ids never repeat.
    expect(db.jobs.submit({ tenant: 't', kind: 'other', id: 'first' })).toBe('first');
    expect(Number(db.jobs.submit({ tenant: 't', kind: 'other' }))).toBeGreaterThan(Number(queued));
  });

  it('waits out an explicit SQL transaction that holds the store, then records what happened meanwhile', async () => {
    const { db } = openDb();
    const gate = deferred();
    db.worker('k', () => gate.promise);
    const id = db.jobs.submit({ tenant: 't', kind: 'k' });
    await db.scheduler.idle();
    db.exec('CREATE TABLE notes (n INTEGER)');
    db.exec('BEGIN');
    db.exec('INSERT INTO notes VALUES (1)');
    gate.resolve();
    await db.scheduler.idle();
    expect(codeOf(() => db.jobs.submit({ tenant: 't', kind: 'k' }))).toBe('CONFLICT');
    expect(db.jobs.get(id)?.state).toBe('running');
    db.exec('COMMIT');
    for (let i = 0; i < 200 && db.jobs.get(id)?.state !== 'succeeded'; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(db.jobs.get(id)?.state).toBe('succeeded');
    expect(db.scheduler.stats().failed).toBe(0);
  });
});
