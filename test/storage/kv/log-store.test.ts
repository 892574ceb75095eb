import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FairdbError } from '../../../storage/device/index.js';
import { openPmemDevice } from '../../../storage/pmem/index.js';
import { encodeKey, keyBytesMax, LogStore, valueBytesMax, type RawKey } from '../../../storage/kv/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fairdb-kv-'));
  dirs.push(dir);
  return path.join(dir, 'db.pmem');
}

const enc = (s: string) => Buffer.from(s, 'utf8');
const dec = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString('utf8'));
const k = (s: string | number): RawKey => encodeKey(s);

function openStore(file: string, extra: Partial<ConstructorParameters<typeof LogStore>[0]> = {}): LogStore {
  return new LogStore({ device: openPmemDevice({ path: file }), segmentBytes: 64 * 1024, durability: 'sync', ...extra });
}

function scanAll(store: { scanRaw: LogStore['scanRaw'] }, range = {}): [string, string][] {
  const out: [string, string][] = [];
  store.scanRaw(range, (key, buf, off, len) => void out.push([key, Buffer.from(buf.subarray(off, off + len)).toString('utf8')]));
  return out;
}

describe('LogStore basics', () => {
  it('puts, gets, deletes and scans in key order in both directions', () => {
    const store = openStore(tempFile());
    store.transactionSync((tx) => {
      for (const n of [5, 1, 3, 2, 4]) tx.putRaw(k(n), enc(`v${n}`));
    });
    expect(dec(store.getRaw(k(3)))).toBe('v3');
    expect(store.transactionSync((tx) => tx.delRaw(k(3)))).toBe(true);
    expect(store.transactionSync((tx) => tx.delRaw(k(3)))).toBe(false);
    expect(store.getRaw(k(3))).toBeUndefined();
    expect(scanAll(store).map(([, v]) => v)).toEqual(['v1', 'v2', 'v4', 'v5']);
    expect(scanAll(store, { start: k(2), end: k(5) }).map(([, v]) => v)).toEqual(['v2', 'v4']);
    expect(scanAll(store, { start: k(5), end: k(1), reverse: true }).map(([, v]) => v)).toEqual(['v5', 'v4', 'v2']);
    expect(scanAll(store, { reverse: true, limit: 2 }).map(([, v]) => v)).toEqual(['v5', 'v4']);
    expect(store.size).toBe(4);
  });

  it('applies nothing of a transaction that throws, and rethrows', () => {
    const store = openStore(tempFile());
    store.transactionSync((tx) => tx.putRaw(k('a'), enc('1')));
    expect(() =>
      store.transactionSync((tx) => {
        tx.putRaw(k('a'), enc('2'));
        tx.putRaw(k('b'), enc('2'));
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(dec(store.getRaw(k('a')))).toBe('1');
    expect(store.getRaw(k('b'))).toBeUndefined();
  });

  it('lets a transaction read its own writes, merged into scans', () => {
    const store = openStore(tempFile());
    store.transactionSync((tx) => {
      tx.putRaw(k(1), enc('a'));
      tx.putRaw(k(3), enc('c'));
    });
    const seen = store.transactionSync((tx) => {
      tx.putRaw(k(2), enc('b'));
      tx.delRaw(k(3));
      tx.putRaw(k(4), enc('d'));
      expect(dec(tx.getRaw(k(2)))).toBe('b');
      expect(tx.getRaw(k(3))).toBeUndefined();
      return { forward: scanAll(tx).map(([, v]) => v), backward: scanAll(tx, { reverse: true, limit: 2 }).map(([, v]) => v) };
    });
    expect(seen).toEqual({ forward: ['a', 'b', 'd'], backward: ['d', 'b'] });
  });

  it('keeps a snapshot stable while the store changes, and iterators read the tree of their start', () => {
    const store = openStore(tempFile());
    store.transactionSync((tx) => {
      for (let i = 0; i < 100; i++) tx.putRaw(k(i), enc(`v${i}`));
    });
    const snap = store.snapshotRaw();
    const iterator = store.iterateRaw({});
    store.transactionSync((tx) => {
      for (let i = 0; i < 100; i += 2) tx.delRaw(k(i));
      tx.putRaw(k(1), enc('changed'));
    });
    expect(dec(snap.getRaw(k(0)))).toBe('v0');
    expect(dec(snap.getRaw(k(1)))).toBe('v1');
    expect(scanAll(snap).length).toBe(100);
    expect([...iterator].length).toBe(100);
    expect(scanAll(store).length).toBe(50);
    snap.release();
    expect(() => snap.getRaw(k(0))).toThrow(/closed/);
  });

  it('refuses nested and concurrent explicit transactions with CONFLICT', async () => {
    const store = openStore(tempFile());
    const tx = store.begin();
    tx.putRaw(k('x'), enc('1'));
    expect(() => store.transactionSync(() => undefined)).toThrow(FairdbError);
    const queued = store.transaction((t) => t.putRaw(k('y'), enc('2')));
    expect(store.getRaw(k('x'))).toBeUndefined();
    await tx.commit();
    await queued;
    expect(dec(store.getRaw(k('x')))).toBe('1');
    expect(dec(store.getRaw(k('y')))).toBe('2');
    expect(() => store.transactionSync(() => store.transactionSync(() => 1))).toThrow(/do not nest/);
  });

  it('rejects a transaction function that returns a promise, writing nothing', () => {
    const store = openStore(tempFile());
    expect(() =>
      store.transactionSync(async (tx) => {
        tx.putRaw(k('p'), enc('1'));
      }),
    ).toThrow(/synchronous/);
    expect(store.getRaw(k('p'))).toBeUndefined();
  });

  it('enforces key and value limits at the limit and one past it', () => {
    const store = openStore(tempFile(), { segmentBytes: 64 * 1024 * 1024 });
    const atLimit = 'k'.repeat(keyBytesMax);
    store.transactionSync((tx) => tx.putRaw(atLimit, enc('ok')));
    expect(dec(store.getRaw(atLimit))).toBe('ok');
    expect(() => store.transactionSync((tx) => tx.putRaw('k'.repeat(keyBytesMax + 1), enc('no')))).toThrow(/limit of 1978/);
    const big = new Uint8Array(valueBytesMax);
    big[valueBytesMax - 1] = 7;
    store.transactionSync((tx) => tx.putRaw(k('big'), big));
    expect(store.getRaw(k('big'))![valueBytesMax - 1]).toBe(7);
    try {
      store.transactionSync((tx) => tx.putRaw(k('too big'), new Uint8Array(valueBytesMax + 1)));
      expect.unreachable();
    } catch (e) {
      expect((e as FairdbError).code).toBe('LIMIT');
    }
  });

  it('survives close and reopen, with and without a checkpoint, replaying only the tail', async () => {
    const file = tempFile();
    let store = openStore(file);
    store.transactionSync((tx) => {
      for (let i = 0; i < 1000; i++) tx.putRaw(k(i), enc(`v${i}`));
    });
    await store.checkpoint();
    store.transactionSync((tx) => {
      tx.putRaw(k(5), enc('five'));
      tx.delRaw(k(6));
    });
    await store.close();
    store = openStore(file);
    expect(store.stats().recovery.checkpointKeys).toBe(1000);
    expect(store.stats().recovery.recordsReplayed).toBe(1);
    expect(dec(store.getRaw(k(5)))).toBe('five');
    expect(store.getRaw(k(6))).toBeUndefined();
    expect(store.size).toBe(999);
    await store.close();
  });

  it('after reopen, fills the point-read index over several turns without losing writes, deletes or relocations made meanwhile', async () => {
    const file = tempFile();
    const first = openStore(file, { compactionDeadRatio: 0 });
    first.transactionSync((tx) => {
      for (let n = 0; n < 1000; n++) tx.putRaw(k(n), enc(`old${n}`));
    });
    await first.checkpoint();
    await first.close();
    const store = openStore(file, { compactionDeadRatio: 0, hashFillKeysPerTurn: 100 });
    expect(store.stats().hashIndexFilling).toBe(true);
    const expected = new Map<number, string | undefined>();
    for (let n = 0; n < 1000; n++) expected.set(n, `old${n}`);
    let turns = 0;
    while (store.stats().hashIndexFilling) {
      // Each turn writes keys on both sides of the fill's position, reads
      // through whichever path is current, and sometimes compacts.
      for (const n of [turns * 97 + 3, 999 - turns * 61, turns * 89 + 500]) {
        const key = n % 1000;
        if (key % 3 === 0) {
          store.transactionSync((tx) => tx.delRaw(k(key)));
          expected.set(key, undefined);
        } else {
          await store.writeOne(k(key), enc(`new${key}.${turns}`));
          expected.set(key, `new${key}.${turns}`);
        }
        expect(dec(store.getRaw(k(key)))).toBe(expected.get(key));
      }
      if (turns % 3 === 2) await store.compact();
      await new Promise((resolve) => setImmediate(resolve));
      turns++;
    }
    expect(turns).toBeGreaterThan(5);
    for (const [n, value] of expected) {
      expect(dec(store.getRaw(k(n)))).toBe(value);
      expect(store.has(k(n))).toBe(value !== undefined);
    }
    await store.close();
  });

  it('releases an iterator\'s pin when it ends, is broken off or throws', () => {
    const store = openStore(tempFile());
    store.transactionSync((tx) => {
      for (let n = 0; n < 50; n++) tx.putRaw(k(n), enc(`v${n}`));
    });
    let seen = 0;
    for (const _ of store.iterateRaw({})) seen++;
    expect(seen).toBe(50);
    expect(store.stats().openSnapshots).toBe(0);
    for (const _ of store.iterateRaw({ start: k(10) })) if (++seen === 55) break;
    expect(store.stats().openSnapshots).toBe(0);
    const open = store.iterateRaw({});
    expect(store.stats().openSnapshots).toBe(1);
    expect(open.next().value?.key).toBe(k(0));
    open.return?.();
    expect(store.stats().openSnapshots).toBe(0);
    expect(open.next().done).toBe(true);
  });

  it('checkpoints automatically after checkpointBytes of log, or after as many bytes as the last checkpoint image when that is larger', async () => {
    const store = openStore(tempFile(), { checkpointBytes: 4096, compactionDeadRatio: 0 });
    const turns = async (n: number) => {
      for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    // 2,000 keys: a checkpoint image of about 30 KB, far above 4 KiB.
    store.transactionSync((tx) => {
      for (let n = 0; n < 2000; n++) tx.putRaw(k(n), enc(`v${n}`));
    });
    await turns(5);
    expect(store.stats().checkpoints).toBe(1);
    // About 8 KB of log: past checkpointBytes, short of the image's size.
    for (let n = 0; n < 80; n++) store.transactionSync((tx) => tx.putRaw(k(n), enc('x'.repeat(40))));
    await turns(5);
    expect(store.stats().checkpoints).toBe(1);
    // About 60 KB more: past the image's size.
    for (let n = 0; n < 100; n++) store.transactionSync((tx) => tx.putRaw(k(n), enc('y'.repeat(600))));
    await turns(5);
    expect(store.stats().checkpoints).toBe(2);
    await store.close();
  });

  it('commits a transaction larger than one log record atomically', async () => {
    const file = tempFile();
    let store = openStore(file);
    const value = new Uint8Array(1000).fill(1);
    store.transactionSync((tx) => {
      for (let i = 0; i < 300; i++) tx.putRaw(k(i), value);
    });
    expect(store.stats().wal.records).toBeGreaterThan(2);
    await store.close();
    store = openStore(file);
    expect(store.size).toBe(300);
    await store.close();
  });

  it('compacts mostly-dead segments, frees them, and keeps space within the stated bound', async () => {
    const file = tempFile();
    const store = openStore(file, { compactionDeadRatio: 0.5, checkpointBytes: 256 * 1024 });
    const value = new Uint8Array(200);
    for (let round = 0; round < 40; round++) {
      store.transactionSync((tx) => {
        for (let i = 0; i < 100; i++) {
          value.fill(round);
          tx.putRaw(k(i), value);
        }
      });
      await new Promise((r) => setImmediate(r));
    }
    await store.compact();
    const stats = store.stats();
    expect(stats.compactions).toBeGreaterThan(0);
    expect(stats.segmentsFreed).toBeGreaterThan(0);
    // Bound: dead space at most the live data (ratio 0.5), plus the active segment.
    expect(stats.logBytes).toBeLessThanOrEqual(2 * stats.liveBytes + 64 * 1024);
    for (let i = 0; i < 100; i++) expect(store.getRaw(k(i))![0]).toBe(39);
    await store.close();
    const reopened = openStore(file);
    for (let i = 0; i < 100; i++) expect(reopened.getRaw(k(i))![0]).toBe(39);
    await reopened.close();
  });

  it('does not free segments a snapshot can still read, until it is released', async () => {
    const store = openStore(tempFile(), { compactionDeadRatio: 0 });
    const value = new Uint8Array(500);
    for (let round = 0; round < 4; round++) {
      store.transactionSync((tx) => {
        for (let i = 0; i < 100; i++) tx.putRaw(k(i), value.fill(round));
      });
    }
    const snap = store.snapshotRaw();
    const before = scanAll(snap);
    for (let round = 4; round < 8; round++) {
      store.transactionSync((tx) => {
        for (let i = 0; i < 100; i++) tx.putRaw(k(i), value.fill(round));
      });
    }
    await store.compact();
    const pinnedFrees = store.stats().segmentsFreed;
    // Overwrite freed space if any were freed: the snapshot must still read its values.
    for (let round = 8; round < 12; round++) {
      store.transactionSync((tx) => {
        for (let i = 0; i < 100; i++) tx.putRaw(k(i), value.fill(round));
      });
    }
    expect(scanAll(snap)).toEqual(before);
    snap.release();
    await store.compact();
    expect(store.stats().segmentsFreed).toBeGreaterThan(pinnedFrees);
    await store.close();
  });

  it("with verifyChecksums: 'always' a damaged value is reported, never returned", async () => {
    const device = openPmemDevice({ sizeBytes: 1 << 20 });
    const store = new LogStore({ device, durability: 'sync', verifyChecksums: 'always', segmentBytes: 64 * 1024 });
    store.transactionSync((tx) => tx.putRaw(k('x'), enc('hello world')));
    const view = store.getRaw(k('x'))!;
    // Flip a bit of the stored value in device memory.
    (view as Uint8Array)[0] ^= 1;
    try {
      store.getRaw(k('x'));
      expect.unreachable();
    } catch (e) {
      expect((e as FairdbError).code).toBe('CORRUPTION');
    }
  });
});

describe('writes inside a scan', () => {
  it('lets a scan visitor commit without disturbing the scan', () => {
    const store = openStore(tempFile());
    store.transactionSync((tx) => {
      for (let i = 0; i < 300; i++) tx.putRaw(k(i), enc(`v${i}`));
    });
    let visited = 0;
    store.scanRaw({}, (key) => {
      visited++;
      store.transactionSync((tx) => tx.putRaw(key, enc('changed')));
    });
    expect(visited).toBe(300);
    expect(dec(store.getRaw(k(299)))).toBe('changed');
  });
});
