import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../storage/device/index.js';
import { hashOf, HashIndex, packedAddress, packedLength, packLocation, unpacked } from '../../../storage/kv/hash-index.js';

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
    // The "device": which key each location belongs to.
    const owner = new Map<number, string>();
    const index = new HashIndex((key, packed) => owner.get(packed) === key);
    const model = new Map<string, number>();
    let nextAddress = 1;
    const key = (n: number) => String.fromCharCode(n & 0xff, (n >> 8) & 0xff, 0x80 + (n % 5));
    for (let step = 0; step < 40_000; step++) {
      const k = key(random.int(0, 3000));
      if (random.int(0, 2) === 0) {
        expect(index.delete(k)).toBe(model.delete(k));
      } else {
        const location = random.int(0, 10) === 0 ? unpacked : packLocation(nextAddress++, random.int(0, 4096));
        if (location !== unpacked) owner.set(location, k);
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

  it('finds keys past long runs of tombstones', () => {
    const index = new HashIndex((key, packed) => key === `k${packed}`, 4);
    for (let n = 0; n < 1000; n++) index.set(`k${n}`, n);
    for (let n = 0; n < 999; n++) expect(index.delete(`k${n}`)).toBe(true);
    expect(index.get('k999')).toBe(999);
    expect(index.get('k0')).toBeUndefined();
    expect(index.size).toBe(1);
  });

  it('tells apart keys whose hash and length are equal, by the key on the device', () => {
    // Two random 8-byte keys with the same 32-bit hash (the birthday bound:
    // about 80,000 keys), found by search.
    const random = seededRandom(3);
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    while (pair === undefined) {
      const key = Buffer.from(random.fill(new Uint8Array(8))).toString('latin1');
      const other = seen.get(hashOf(key));
      if (other !== undefined && other !== key) pair = [other, key];
      else seen.set(hashOf(key), key);
    }
    const [a, b] = pair;
    expect(hashOf(a)).toBe(hashOf(b));
    const owner = new Map<number, string>([
      [10, a],
      [20, b],
    ]);
    const index = new HashIndex((key, packed) => owner.get(packed) === key);
    index.set(a, 10);
    expect(index.get(b)).toBeUndefined();
    index.set(b, 20);
    expect(index.size).toBe(2);
    expect(index.get(a)).toBe(10);
    expect(index.get(b)).toBe(20);
    expect(index.delete(a)).toBe(true);
    expect(index.get(a)).toBeUndefined();
    expect(index.get(b)).toBe(20);
    index.set(b, 30);
    owner.set(30, b);
    expect(index.get(b)).toBe(30);
    expect(index.size).toBe(1);
  });
});
