/**
 * A hash index over the current state of the KV index: every live key and
 * the location of its value, for point reads. The B+tree serves ranges and
 * snapshots; a point read of the current state costs a B+tree descent of
 * several dependent cache misses per level, which this table replaces with
 * one or two.
 *
 * Open addressing with linear probing over typed arrays, outside the JS
 * heap: per slot the key's 32-bit FNV-1a hash (`hashes`), its length in
 * bytes (`lengths`: 0 = empty slot, `tombstone` = deleted) and the packed
 * location of its value (`locations`). The table does not hold the keys:
 * a slot whose hash and length match is confirmed by `keyAt`, which compares
 * the key with the one stored on the device just before the value (an entry
 * is header, key, value). So the index costs 14 bytes a slot whatever the
 * keys, and adds nothing for the garbage collector to walk.
 *
 * Packed location: `address · 2^21 + length` when `length < 2^21` and
 * `address < 2^32` (exact in a double: at most 2^53). A key whose location
 * does not pack (a value of 2 MiB or more) is kept in `overflow` instead,
 * and `get` answers `unpacked` for it: the reader asks the tree.
 * IMPORTANT: the index must hold exactly the tree's keys (the log store
 * keeps them in step): a miss means the key is absent; and a location must
 * stay readable while it is in the index (a segment is freed only when no
 * live key is in it).
 */
import { assert } from '../device/index.js';
import type { RawKey } from './raw.js';

/** A location too large to pack: read it from the tree. */
export const unpacked = -1;
const lengthBits = 2097152; // 2^21
const addressLimit = 4294967296; // 2^32

/** Packs a value location, or returns `unpacked`. */
export function packLocation(address: number, length: number): number {
  return length < lengthBits && address < addressLimit ? address * lengthBits + length : unpacked;
}

export function packedAddress(packed: number): number {
  return Math.floor(packed / lengthBits);
}

export function packedLength(packed: number): number {
  return packed % lengthBits;
}

/** Whether the entry whose value is at packed location `packed` has key `key`. */
export type KeyAt = (key: RawKey, packed: number) => boolean;

/** `lengths` value of a deleted slot (keys are at most 65,534 bytes). */
const tombstone = 0xffff;
const capacityMin = 16;

export class HashIndex {
  private hashes: Uint32Array;
  private lengths: Uint16Array;
  private locations: Float64Array;
  private mask: number;
  private used = 0;
  private tombstones = 0;
  /** Keys whose location does not pack. */
  private readonly overflow = new Set<RawKey>();

  constructor(
    private readonly keyAt: KeyAt,
    expected = 0,
  ) {
    const capacity = capacityFor(expected);
    this.hashes = new Uint32Array(capacity);
    this.lengths = new Uint16Array(capacity);
    this.locations = new Float64Array(capacity);
    this.mask = capacity - 1;
  }

  /** Number of keys. */
  get size(): number {
    return this.used + this.overflow.size;
  }

  /** The packed location of `key` (`unpacked` for a large value), or undefined when absent. */
  get(key: RawKey): number | undefined {
    const slot = this.find(key, hashOf(key));
    if (slot >= 0) return this.locations[slot];
    return this.overflow.size > 0 && this.overflow.has(key) ? unpacked : undefined;
  }

  /** Inserts or replaces `key` (`unpacked`: its value's location does not pack). */
  set(key: RawKey, packed: number): void {
    assert(key.length > 0 && key.length < tombstone, 'hash index keys are 1 to 65,534 bytes');
    const hash = hashOf(key);
    if (packed === unpacked) {
      const slot = this.find(key, hash);
      if (slot >= 0) this.remove(slot);
      this.overflow.add(key);
      return;
    }
    if (this.overflow.size > 0) this.overflow.delete(key);
    if ((this.used + this.tombstones + 1) * 4 > this.lengths.length * 3) this.rehash(this.used + 1);
    const lengths = this.lengths;
    const mask = this.mask;
    let free = -1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const length = lengths[i] as number;
      if (length === 0) {
        // Not present: reuse the first tombstone passed, if any.
        const at = free >= 0 ? free : i;
        if (free >= 0) this.tombstones--;
        this.hashes[at] = hash;
        lengths[at] = key.length;
        this.locations[at] = packed;
        this.used++;
        return;
      }
      if (length === tombstone) {
        if (free < 0) free = i;
      } else if (length === key.length && this.hashes[i] === hash && this.keyAt(key, this.locations[i] as number)) {
        this.locations[i] = packed;
        return;
      }
    }
  }

  /** Removes `key`; returns whether it was present. */
  delete(key: RawKey): boolean {
    const slot = this.find(key, hashOf(key));
    if (slot >= 0) {
      this.remove(slot);
      return true;
    }
    return this.overflow.size > 0 && this.overflow.delete(key);
  }

  /** Makes room for `expected` keys in all, so that adding them does not rehash again. */
  reserve(expected: number): void {
    if (expected * 4 > this.lengths.length * 3) this.rehash(expected);
  }

  private find(key: RawKey, hash: number): number {
    const lengths = this.lengths;
    const hashes = this.hashes;
    const mask = this.mask;
    const keyLength = key.length;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const length = lengths[i] as number;
      if (length === 0) return -1;
      if (length === keyLength && hashes[i] === hash && this.keyAt(key, this.locations[i] as number)) return i;
    }
  }

  private remove(slot: number): void {
    this.lengths[slot] = tombstone;
    this.used--;
    this.tombstones++;
  }

  /** Rebuilds at a capacity of at least twice `expected`, dropping tombstones. */
  private rehash(expected: number): void {
    const oldHashes = this.hashes;
    const oldLengths = this.lengths;
    const oldLocations = this.locations;
    const capacity = capacityFor(Math.max(expected, this.used));
    this.hashes = new Uint32Array(capacity);
    this.lengths = new Uint16Array(capacity);
    this.locations = new Float64Array(capacity);
    this.mask = capacity - 1;
    const before = this.used;
    this.used = 0;
    this.tombstones = 0;
    for (let i = 0; i < oldLengths.length; i++) {
      const length = oldLengths[i] as number;
      if (length === 0 || length === tombstone) continue;
      const hash = oldHashes[i] as number;
      let j = hash & this.mask;
      while (this.lengths[j] !== 0) j = (j + 1) & this.mask;
      this.hashes[j] = hash;
      this.lengths[j] = length;
      this.locations[j] = oldLocations[i] as number;
      this.used++;
    }
    assert(this.used === before, 'rehash keeps every key');
  }
}

/** The power of two that holds `expected` keys at most half full. */
function capacityFor(expected: number): number {
  let capacity = capacityMin;
  while (capacity < (expected + 1) * 2) capacity *= 2;
  return capacity;
}

/** 32-bit FNV-1a over the char codes of a binary string. @internal exported for tests */
export function hashOf(key: RawKey): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
