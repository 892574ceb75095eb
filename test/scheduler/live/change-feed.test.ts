/**
 * The change feed: commits in order with their key-value writes and job
 * transitions, resumable after an LSN (also after a restart), NOT_FOUND for
 * history compacted away, and bounded memory for a slow consumer.
 */
import { describe, expect, it } from 'vitest';
import { feedBufferMax, type FeedChange } from '../../../scheduler/live/index.js';
import { codeOf, openDb } from './helpers.js';

async function take<V>(feed: AsyncIterator<FeedChange<V>>, n: number): Promise<FeedChange<V>[]> {
  const out: FeedChange<V>[] = [];
  while (out.length < n) {
    const r = await feed.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

describe('change feed', () => {
  it('delivers writes and job transitions in commit order, and resumes after a given LSN', async () => {
    const { db } = openDb();
    const feed = db.changes();
    await db.put(['user', 1], { name: 'ada' });
    db.transactionSync((tx) => {
      tx.put(['user', 2], { name: 'bob' });
      db.jobs.submit({ tenant: 't', kind: 'welcome', payload: 2 }, { tx });
    });
    db.worker('welcome', () => 'sent');
    await db.scheduler.idle();
    await db.del(['user', 1]);
    const changes = await take(feed, 5);
    expect(changes.map((c) => ({ writes: c.writes, jobs: c.jobs.map((j) => `${j.id} ${j.state} e${j.epoch}`) }))).toEqual([
      { writes: [{ key: ['user', 1], value: { name: 'ada' } }], jobs: [] },
      { writes: [{ key: ['user', 2], value: { name: 'bob' } }], jobs: ['1 queued e0'] },
      { writes: [], jobs: ['1 running e1'] },
      { writes: [], jobs: ['1 succeeded e1'] },
      { writes: [{ key: ['user', 1], value: undefined }], jobs: [] },
    ]);
    const lsns = changes.map((c) => c.lsn);
    expect([...lsns].sort((a, b) => a - b)).toEqual(lsns);
    // Resume after the second change: the rest again, in the same order.
    const resumed = db.changes({ since: lsns[1] });
    expect((await take(resumed, 3)).map((c) => c.lsn)).toEqual(lsns.slice(2));
    await resumed.return?.();
    await feed.return?.();
  });

  it('resumes after a restart from the last LSN handled, and ends when the database closes', async () => {
    const first = openDb();
    const feed = first.db.changes({ since: 0 });
    await first.db.put('a', 1);
    await first.db.put('b', 2);
    const [a] = await take(feed, 1);
    await first.db.close();
    expect((await feed.next()).done).toBe(true);
    const second = openDb({ dir: first.dir, clock: first.clock });
    await second.db.put('c', 3);
    const rest = await take(second.db.changes({ since: a!.lsn }), 2);
    expect(rest.map((c) => c.writes[0]?.key)).toEqual(['b', 'c']);
  });

  it('reports NOT_FOUND for history compacted away, while an open feed keeps its history', async () => {
    const { db } = openDb({ segmentBytes: 64 * 1024, compactionDeadRatio: 0 });
    const held = db.changes({ since: 0 });
    const value = 'x'.repeat(2000);
    for (let i = 0; i < 200; i++) await db.put(i % 3, value);
    await db.compact();
    expect((await take(held, 200)).length).toBe(200);
    await held.return?.();
    await db.compact();
    expect(codeOf(() => db.changes({ since: 0 }))).toBe('NOT_FOUND');
    expect(codeOf(() => db.changes({ since: -1 }))).toBe('INVALID_ARGUMENT');
  });

  it(`falls back to the log when a consumer is more than ${feedBufferMax} changes behind, losing nothing`, async () => {
    const { db } = openDb();
    const feed = db.changes();
    const total = feedBufferMax + 500;
    for (let i = 0; i < total; i++) db.transactionSync((tx) => tx.put(['n', i], i));
    const got = await take(feed, total);
    expect(got.length).toBe(total);
    expect(got.map((c) => c.writes[0]?.value)).toEqual(Array.from({ length: total }, (_, i) => i));
    // And it follows live commits again afterwards.
    await db.put('after', true);
    expect((await take(feed, 1))[0]?.writes).toEqual([{ key: 'after', value: true }]);
    await feed.return?.();
  });
});
