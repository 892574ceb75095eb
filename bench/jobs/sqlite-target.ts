/**
 * A job queue on better-sqlite3 as such queues are usually built: one table,
 * an index on (queue, state, run_at, id), and the standard claim query
 * `UPDATE ... WHERE id = (SELECT id ... ORDER BY run_at, id LIMIT 1)
 * RETURNING`, then an UPDATE to complete. WAL journal. Workers are async
 * loops in the same process, woken in-process when a job is added (the best
 * case for latency: no polling).
 */
import { EventEmitter } from 'node:events';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { signal, type QueueInstance, type QueueTarget } from './queue-target.js';

class SqliteQueue implements QueueInstance {
  private readonly insert: Database.Statement;
  private readonly claim: Database.Statement;
  private readonly complete: Database.Statement;
  private readonly wake = new EventEmitter();

  constructor(private readonly db: Database.Database) {
    db.exec(`CREATE TABLE jobs (id INTEGER PRIMARY KEY, queue TEXT NOT NULL, payload TEXT NOT NULL, state INTEGER NOT NULL DEFAULT 0,
      run_at INTEGER NOT NULL, locked_at INTEGER, attempts INTEGER NOT NULL DEFAULT 0);
      CREATE INDEX jobs_ready ON jobs (queue, state, run_at, id);`);
    this.insert = db.prepare('INSERT INTO jobs (queue, payload, run_at) VALUES (?, ?, ?)');
    this.claim = db.prepare(
      'UPDATE jobs SET state = 1, locked_at = ?, attempts = attempts + 1 WHERE id = (SELECT id FROM jobs WHERE queue = ? AND state = 0 AND run_at <= ? ORDER BY run_at, id LIMIT 1) RETURNING id, payload',
    );
    this.complete = db.prepare('UPDATE jobs SET state = 2 WHERE id = ?');
    this.wake.setMaxListeners(0);
  }

  private add(queue: string, i: number): void {
    this.insert.run(queue, JSON.stringify({ tenant: `t${i % 4}`, i }), Date.now());
  }

  async enqueueOne(count: number): Promise<void> {
    for (let i = 0; i < count; i++) this.add('bench', i);
  }

  async enqueueBatches(count: number, batch: number): Promise<void> {
    const many = this.db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) this.add('bench', i);
    });
    for (let i = 0; i < count; i += batch) many(i, Math.min(count, i + batch));
  }

  async prepare(count: number): Promise<void> {
    await this.enqueueBatches(count, 1000);
  }

  /** A worker loop: claim, run, complete; sleeps until woken when the queue is empty. */
  private async loop(queue: string, handler: (payload: string) => Promise<void>, stop: () => boolean): Promise<void> {
    while (!stop()) {
      const now = Date.now();
      const job = this.claim.get(now, queue, now) as { id: number; payload: string } | undefined;
      if (job === undefined) {
        await new Promise<void>((resolve) => this.wake.once('job', resolve));
        continue;
      }
      JSON.parse(job.payload);
      await handler(job.payload);
      this.complete.run(job.id);
    }
  }

  async drain(count: number, concurrency: number): Promise<void> {
    let completed = 0;
    const done = signal();
    const handler = async () => {
      if (++completed === count) done.resolve();
    };
    const loops = Array.from({ length: concurrency }, () => this.loop('bench', handler, () => completed >= count));
    await done.promise;
    this.wake.emit('job');
    await Promise.all(loops);
  }

  async latency(count: number): Promise<number[]> {
    let started: (() => void) | undefined;
    let finished = false;
    const loop = this.loop('ping', async () => started?.(), () => finished);
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const s = signal();
      started = s.resolve;
      const t0 = performance.now();
      this.add('ping', i);
      this.wake.emit('job');
      await s.promise;
      out.push(performance.now() - t0);
    }
    finished = true;
    this.wake.emit('job');
    await loop;
    return out;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

export function sqliteTarget(synchronous: 'NORMAL' | 'FULL'): QueueTarget {
  return {
    name: `SQLite queue (WAL, ${synchronous})`,
    durability:
      synchronous === 'FULL'
        ? 'each commit fsynced before it returns: survives power loss'
        : 'each commit written to the WAL before it returns (fsync at checkpoints): survives a process crash, not power loss',
    async open(dir: string): Promise<QueueInstance> {
      const db = new Database(path.join(dir, 'queue.db'));
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${synchronous}`);
      return new SqliteQueue(db);
    },
  };
}
