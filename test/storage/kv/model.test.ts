import { describe, expect, it } from 'vitest';
import { encodeKey, decodeKey, ModelKvStore, keyBytesMax } from '../../../storage/kv/index.js';
import { FairdbError } from '../../../storage/device/index.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('key codec', () => {
  it('preserves the natural order of keys as string order', () => {
    const keys = [null, false, true, -1e9, -1.5, 0, 2, 10, 1e12, '', 'a', 'ab', 'b', ['a', 1], ['a', 2], 'z'];
    const encoded = keys.map((k) => encodeKey(k as never));
    const sorted = encoded.slice().sort();
    expect(sorted).toEqual(encoded.slice().sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    const numbers = [-1e9, -1.5, 0, 2, 10, 1e12].map((n) => encodeKey(n));
    for (let i = 1; i < numbers.length; i++) expect(numbers[i - 1]! < numbers[i]!).toBe(true);
    expect(decodeKey(encodeKey(['a', 2]))).toEqual(['a', 2]);
  });

  it('rejects bad keys with typed errors, at the length limit and one past it', () => {
    expect(() => encodeKey(NaN)).toThrow(FairdbError);
    expect(() => encodeKey({} as never)).toThrow(/keys must be/);
    expect(() => encodeKey([] as never)).toThrow(/empty array/);
    expect(encodeKey('x'.repeat(keyBytesMax)).length).toBe(keyBytesMax);
    try {
      encodeKey('x'.repeat(keyBytesMax + 1));
      expect.unreachable();
    } catch (e) {
      expect((e as FairdbError).code).toBe('LIMIT');
    }
  });
});

describe('ModelKvStore', () => {
  it('applies a transaction atomically and keeps snapshots stable', () => {
    const kv = new ModelKvStore();
    kv.transactionSync((tx) => {
      tx.putRaw('a', bytes('1'));
      tx.putRaw('c', bytes('3'));
    });
    const snap = kv.snapshotRaw();
    expect(() =>
      kv.transactionSync((tx) => {
        tx.putRaw('b', bytes('2'));
        throw new Error('abort');
      }),
    ).toThrow('abort');
    expect(kv.getRaw('b')).toBeUndefined();
    kv.transactionSync((tx) => tx.delRaw('a'));
    expect(snap.getRaw('a') && text(snap.getRaw('a')!)).toBe('1');
    expect(kv.getRaw('a')).toBeUndefined();
    const seen: string[] = [];
    snap.scanRaw({ start: 'c', end: 'a', reverse: true }, (k) => void seen.push(k));
    expect(seen).toEqual(['c']);
    snap.release();
  });

  it('refuses a second open transaction with CONFLICT', () => {
    const kv = new ModelKvStore();
    const tx = kv.begin();
    expect(() => kv.begin()).toThrow(/already open/);
    tx.rollback();
    expect(kv.begin().open).toBe(true);
  });
});

describe('key codec limits for huge keys', () => {
  it('reports the real length of a key far over the limit', () => {
    try {
      encodeKey('y'.repeat(200_000));
      expect.unreachable();
    } catch (e) {
      expect((e as FairdbError).code).toBe('LIMIT');
      expect((e as Error).message).toContain('200000');
    }
  });
});
