import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FairdbError } from '../../../storage/device/index.js';
import { openPmemDevice } from '../../../storage/pmem/index.js';
import { encodeKey, LogStore, type Change } from '../../../storage/kv/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const file = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'fairdb-changes-'));
  dirs.push(d);
  return path.join(d, 'db.pmem');
};
const open = (f: string) => new LogStore({ device: openPmemDevice({ path: f }), durability: 'sync', segmentBytes: 64 * 1024, compactionDeadRatio: 0 });
const k = (n: number) => encodeKey(n);
const summary = (c: Change) => ({ lsn: c.lsn, writes: c.writes.map((w) => [w.key, w.value === undefined ? null : Buffer.from(w.value).toString()]) });

describe('change history', () => {
  it('tells listeners each commit with its last write per key, and replays the same history from the log', async () => {
    const f = file();
    const store = open(f);
    const seen: ReturnType<typeof summary>[] = [];
    const stop = store.onCommit((c) => seen.push(summary(c)));
    store.transactionSync((tx) => {
      tx.putRaw(k(1), Buffer.from('a'));
      tx.putRaw(k(1), Buffer.from('b'));
      tx.putRaw(k(2), Buffer.from('c'));
    });
    store.transactionSync((tx) => tx.delRaw(k(2)));
    stop();
    store.transactionSync((tx) => tx.putRaw(k(3), Buffer.from('d')));
    expect(seen).toEqual([
      { lsn: 1, writes: [[k(1), 'b'], [k(2), 'c']] },
      { lsn: 2, writes: [[k(2), null]] },
    ]);
    await store.close();
    const reopened = open(f);
    const replayed: ReturnType<typeof summary>[] = [];
    reopened.changesSince(1, (c) => replayed.push(summary(c)));
    expect(replayed).toEqual([seen[1], { lsn: 3, writes: [[k(3), 'd']] }]);
    await reopened.close();
  });

  it('reports NOT_FOUND for history compacted away, and keeps retained history', async () => {
    const store = open(file());
    const value = Buffer.alloc(2000);
    for (let round = 0; round < 100; round++) store.transactionSync((tx) => tx.putRaw(k(round % 3), value));
    const release = store.retainLog(0);
    await store.compact();
    let count = 0;
    store.changesSince(0, () => count++);
    expect(count).toBe(100);
    release();
    await store.compact();
    try {
      store.changesSince(0, () => undefined);
      expect.unreachable();
    } catch (e) {
      expect((e as FairdbError).code, String(e)).toBe("NOT_FOUND");
    }
    await store.close();
  });
});
