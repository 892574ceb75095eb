import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { open, FairdbError } from '../../engine/index.js';
import { codeOf } from '../helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'fairdb-api-'));
  dirs.push(d);
  return d;
};
describe('open() and the key-value API', () => {
  it('stores msgpack values under typed keys in their natural order, as lmdb-js does', async () => {
    const db = open(tempDir());
    await db.put('b', { n: 2 });
    await db.put(['a', 2], [1, 2]);
    await db.put(['a', 1], 'one');
    await db.put(10, true);
    await db.put(-5, null);
    expect(db.get('b')).toEqual({ n: 2 });
    expect(db.get('missing')).toBeUndefined();
    expect(db.getRange().asArray.map((e) => e.key)).toEqual([-5, 10, ['a', 1], ['a', 2], 'b']);
    // Reverse runs from start (inclusive) down to end (exclusive).
    expect(db.getRange({ start: 'b', end: 10, reverse: true }).asArray.map((e) => e.key)).toEqual(['b', ['a', 2], ['a', 1]]);
    expect(db.getRange({ start: ['a'], end: ['a', 3] }).asArray.map((e) => e.value)).toEqual(['one', [1, 2]]);
    expect(await db.del('b')).toBe(true);
    expect(await db.del('b')).toBe(false);
    await db.close();
  });

  it('keeps data across close and reopen, and refuses use after close with CLOSED', async () => {
    const dir = tempDir();
    let db = open(dir, { durability: 'sync' });
    db.transactionSync((tx) => {
      for (let i = 0; i < 100; i++) tx.put(i, `v${i}`);
    });
    await db.close();
    expect(codeOf(() => db.get(1))).toBe('CLOSED');
    db = open(dir);
    expect(db.get(99)).toBe('v99');
    expect(db.stats().keys).toBe(100);
    await db.close();
  });

  it('supports binary keys and values, reserving keys that start with 0x01', async () => {
    const db = open(tempDir(), { encoding: 'binary', keyEncoding: 'binary' });
    const key = Buffer.from([0x10, 0x20]);
    db.putSync(key, Buffer.from('abc'));
    const value = db.get(key) as Buffer;
    expect(value.toString()).toBe('abc');
    value[0] = 0; // a copy: the stored value must not change
    expect((db.get(key) as Buffer).toString()).toBe('abc');
    expect(codeOf(() => db.putSync(Buffer.from([1, 2]), Buffer.from('x')))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => db.putSync('text' as never, Buffer.from('x')))).toBe('INVALID_ARGUMENT');
    expect(db.getRange().asArray.map((e) => [...(e.key as Buffer)])).toEqual([[0x10, 0x20]]);
    await db.close();
  });

  it('reads a snapshot as of its creation', async () => {
    const db = open('unused', { device: 'memory' });
    await db.put('x', 1);
    const snap = db.snapshot();
    await db.put('x', 2);
    await db.put('y', 3);
    expect(snap.get('x')).toBe(1);
    expect(snap.getRange().asArray.length).toBe(1);
    expect(db.get('x')).toBe(2);
    snap.release();
    await db.close();
  });

  it('reports every invalid option at once', () => {
    try {
      open(tempDir(), { device: 'tape' as never, encoding: 'xml' as never, keyEncoding: 'utf16' as never });
      expect.unreachable();
    } catch (e) {
      expect((e as FairdbError).code).toBe('INVALID_ARGUMENT');
      expect((e as Error).message).toMatch(/device.*encoding.*keyEncoding/);
    }
  });

  it('refuses values that cannot be encoded, writing nothing', async () => {
    const db = open('unused', { device: 'memory' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(db.put('c', cyclic)).rejects.toThrow(FairdbError);
    await expect(db.put('u', undefined)).rejects.toThrow(/undefined/);
    expect(db.stats().keys).toBe(0);
    await db.close();
  });

  it('refuses to open a database of one device kind as another', async () => {
    const dir = tempDir();
    await open(dir, { device: 'file' }).close();
    expect(codeOf(() => open(dir, { device: 'pmem' }))).toBe('INVALID_ARGUMENT');
    const again = open(dir, { device: 'file' });
    await again.close();
  });
});

describe('SQL through the database', () => {
  it('runs SQL next to the key-value API without the two seeing each other, and both survive reopen', async () => {
    const dir = tempDir();
    let db = open(dir, { durability: 'sync' });
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)');
    db.prepare('INSERT INTO t VALUES (?, ?)').run([1, 'one']);
    await db.put('k', 'v');
    expect(db.query('SELECT name FROM t WHERE id = ?', [1])).toEqual([{ name: 'one' }]);
    expect(db.getRange().asArray.map((e) => e.key)).toEqual(['k']);
    expect(db.explain('SELECT * FROM t WHERE id = 1')).toMatch(/Scan t/);
    await db.close();
    db = open(dir);
    expect(db.query('SELECT COUNT(*) AS n FROM t')).toEqual([{ n: 1 }]);
    expect(db.get('k')).toBe('v');
    await db.close();
  });
});

describe('the package surface', () => {
  it('exports simulate, as issue 6 promises: import { simulate } from "fairdb"', async () => {
    const fairdb = await import('../../engine/index.js');
    const result = fairdb.simulate({
      cluster: { machines: 1, slotsPerMachine: 2 },
      policy: { name: 'fifo' },
      jobs: [
        { id: 'a', tenant: 't1', arrival: 0, slots: 1, work: 10 },
        { id: 'b', tenant: 't2', arrival: 0, slots: 1, work: 20 },
      ],
      seed: 1,
    });
    expect(result.jobs.map((j) => [j.id, j.finish])).toEqual([
      ['a', 10],
      ['b', 20],
    ]);
  });
});
