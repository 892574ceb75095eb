/**
 * The job system through `open()`: the members the database gains (jobs,
 * scheduler, worker, changes), the clock option, the SQL tables before any
 * job call, and what close() stops.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, open, type Database } from '../../engine/index.js';
import { codeOf } from '../helpers.js';

const dirs: string[] = [];
const dbs: Database[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function temp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'fairdb-engine-jobs-'));
  dirs.push(d);
  return d;
}
describe('the job system on the database', () => {
  it('takes an injected clock and refuses a bad one', () => {
    const clock = new ManualClock(Date.UTC(2030, 5, 1));
    const db = open(temp(), { clock });
    dbs.push(db);
    const id = db.jobs.submit({ tenant: 't', kind: 'k' });
    expect(db.jobs.get(id)?.submittedAt).toBe(Date.UTC(2030, 5, 1));
    expect(codeOf(() => open(temp(), { clock: { now: () => 1 } as never }))).toBe('INVALID_ARGUMENT');
  });

  it('runs jobs on the memory device too', async () => {
    const db = open('mem', { device: 'memory' });
    dbs.push(db);
    db.worker('k', (ctx) => `hello ${ctx.job.tenant}`);
    const id = db.jobs.submit({ tenant: 'world', kind: 'k' });
    await db.scheduler.idle();
    expect(db.jobs.get(id)?.result).toBe('hello world');
  });

  it('serves the jobs tables to SQL before any job call, from the stored records', async () => {
    const dir = temp();
    const first = open(dir);
    first.jobs.submit({ tenant: 'acme', kind: 'k', payload: { n: 1 } });
    first.jobs.submit({ tenant: 'acme', kind: 'k', cron: '0 0 * * *' });
    await first.close();
    const db = open(dir);
    dbs.push(db);
    expect(db.query("SELECT id, tenant, state FROM jobs WHERE tenant = 'acme' AND state = 'queued'")).toEqual([{ id: '1', tenant: 'acme', state: 'queued' }]);
    expect(db.query('SELECT name, pattern FROM job_schedules')).toEqual([{ name: 'k', pattern: '0 0 * * *' }]);
    expect(db.explain('SELECT * FROM jobs')).toContain('virtual table jobs');
    expect(codeOf(() => db.exec("INSERT INTO jobs (id) VALUES ('x')"))).toBe('INVALID_ARGUMENT');
  });

  it('closes workers, feeds and the scheduler with the database; later calls are refused', async () => {
    const db = open(temp());
    const worker = db.worker('k', () => new Promise(() => undefined));
    const feed = db.changes();
    db.jobs.submit({ tenant: 't', kind: 'k' });
    await db.scheduler.idle();
    const next = feed.next();
    await db.close();
    expect(worker.closed).toBe(true);
    expect((await next).done).toBe(false);
    expect((await feed.next()).done).toBe(true);
    expect(codeOf(() => db.jobs)).toBe('CLOSED');
    expect(codeOf(() => db.worker('k', () => undefined))).toBe('CLOSED');
    expect(codeOf(() => db.changes())).toBe('CLOSED');
  });

  it('closes a worker gracefully: it stops taking jobs and waits for the running ones', async () => {
    const db = open(temp());
    dbs.push(db);
    let release!: () => void;
    const started: string[] = [];
    const worker = db.worker('k', (ctx) => {
      started.push(ctx.job.id);
      return new Promise<void>((resolve) => (release = resolve));
    });
    const a = db.jobs.submit({ tenant: 't', kind: 'k' });
    const b = db.jobs.submit({ tenant: 't', kind: 'k' });
    await db.scheduler.idle();
    const closing = worker.close();
    release();
    await closing;
    expect(started).toEqual([a]);
    expect(db.jobs.get(a)?.state).toBe('succeeded');
    expect(db.jobs.get(b)?.state).toBe('queued');
    expect(worker.running).toBe(0);
  });
});
