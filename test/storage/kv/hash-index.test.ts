import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../storage/device/index.js';
import { HashIndex, packedAddress, packedLength, packLocation, unpacked } from '../../../storage/kv/hash-index.js';

describe('HashIndex', () => {
  it('packs locations exactly and refuses the ones that do not fit', () => {
    for (const [address, length] of [[0, 0], [1, 1], [4294967295, 2097151], [123456789, 100]] as const) {
      const packed = packLocation(address, length);
      expect(packed).not.toBe(unpacked);
      expect([packedAddress(packed), packedLength(packed)]).toEqual([address, length]);
    }
    expect(packLocation(4294967296, 10)).toBe(unpacked);
    expect(packLocation(10, 2097152)).toBe(unpacked);
  });

  it('agrees with a Map under random sets and deletes, through rehashes and tombstone reuse', () => {
    const random = seededRandom(7);
    const index = new HashIndex();
    const model = new Map<string, number>();
    const key = (n: number) => String.fromCharCode(n & 0xff, (n >> 8) & 0xff, 0x80 + (n % 5));
    for (let step = 0; step < 40_000; step++) {
      const k = key(random.int(0, 3000));
      if (random.int(0, 2) === 0) {
        expect(index.delete(k)).toBe(model.delete(k));
      } else {
        const location = random.int(0, 10) === 0 ? unpacked : packLocation(random.int(0, 1 << 30), random.int(0, 4096));
        index.set(k, location);
        model.set(k, location);
      }
      if (step % 997 === 0) {
        expect(index.size).toBe(model.size);
        for (let n = 0; n <= 3000; n++) expect(index.get(key(n))).toBe(model.get(key(n)));
      }
    }
    expect(index.size).toBe(model.size);
    for (const [k, location] of model) expect(index.get(k)).toBe(location);
  });

  it('finds keys past long runs of tombstones and the empty key', () => {
    const index = new HashIndex(4);
    for (let n = 0; n < 1000; n++) index.set(`k${n}`, n);
    for (let n = 0; n < 999; n++) expect(index.delete(`k${n}`)).toBe(true);
    expect(index.get('k999')).toBe(999);
    expect(index.get('k0')).toBeUndefined();
    index.set('', 5);
    expect(index.get('')).toBe(5);
    expect(index.size).toBe(2);
  });
});
