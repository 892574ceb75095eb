/**
 * A hash index over the current state of the KV index: every live key and
 * the location of its value, for point reads. The B+tree serves ranges and
 * snapshots; a point read of the current state costs a B+tree descent of
 * several dependent cache misses per level, which this table replaces with
 * one or two.
 *
 * Open addressing with linear probing over typed arrays, so an entry costs
 * no JS object: `keys` holds the key strings (shared with the tree), `hashes`
 * their 32-bit FNV-1a hashes (compared before the strings), `locations` the
 * packed location. Deleted slots become tombstones, cleared by rehashing
 * when they pile up.
 *
 * Packed location: `address · 2^21 + length` when `length < 2^21` and
 * `address < 2^32` (exact in a double: at most 2^53); otherwise `unpacked`
 * (-1), and the reader asks the tree. IMPORTANT: the index must hold exactly
 * the tree's keys (the log store keeps them in step): a miss means the key
 * is absent.
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

/** Marks a deleted slot; never equal to a key (keys are binary strings of char codes below 256). */
const tombstone = '\u0100';
const capacityMin = 16;

export class HashIndex {
  private keys: (RawKey | undefined)[];
  private hashes: Uint32Array;
  private locations: Float64Array;
  private mask: number;
  private used = 0;
  private tombstones = 0;

  constructor(expected = 0) {
    let capacity = capacityMin;
    while (capacity < expected * 2) capacity *= 2;
    this.keys = new Array<RawKey | undefined>(capacity).fill(undefined);
    this.hashes = new Uint32Array(capacity);
    this.locations = new Float64Array(capacity);
    this.mask = capacity - 1;
  }

  /** Number of keys. */
  get size(): number {
    return this.used;
  }

  /** The packed location of `key` (possibly `unpacked`), or undefined when absent. */
  get(key: RawKey): number | undefined {
    const hash = hashOf(key);
    const keys = this.keys;
    const hashes = this.hashes;
    const mask = this.mask;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const k = keys[i];
      if (k === undefined) return undefined;
      if (hashes[i] === hash && k === key) return this.locations[i];
    }
  }

  /** Inserts or replaces `key`. */
  set(key: RawKey, packed: number): void {
    if ((this.used + this.tombstones + 1) * 4 > this.keys.length * 3) this.rehash();
    const hash = hashOf(key);
    const keys = this.keys;
    const mask = this.mask;
    let free = -1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const k = keys[i];
      if (k === undefined) {
        // Not present: reuse the first tombstone passed, if any.
        const at = free >= 0 ? free : i;
        if (free >= 0) this.tombstones--;
        keys[at] = key;
        this.hashes[at] = hash;
        this.locations[at] = packed;
        this.used++;
        return;
      }
      if (k === tombstone) {
        if (free < 0) free = i;
      } else if (this.hashes[i] === hash && k === key) {
        this.locations[i] = packed;
        return;
      }
    }
  }

  /** Removes `key`; returns whether it was present. */
  delete(key: RawKey): boolean {
    const hash = hashOf(key);
    const keys = this.keys;
    const mask = this.mask;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const k = keys[i];
      if (k === undefined) return false;
      if (this.hashes[i] === hash && k === key) {
        keys[i] = tombstone;
        this.used--;
        this.tombstones++;
        return true;
      }
    }
  }

  /** Makes room for `expected` keys in all, so that adding them does not rehash again. */
  reserve(expected: number): void {
    if (expected * 4 > this.keys.length * 3) this.rehash(expected);
  }

  /** Rebuilds at a capacity of at least twice `expected` (default: the live keys), dropping tombstones. */
  private rehash(expected = this.used): void {
    const oldKeys = this.keys;
    const oldHashes = this.hashes;
    const oldLocations = this.locations;
    let capacity = capacityMin;
    while (capacity < (Math.max(expected, this.used) + 1) * 2) capacity *= 2;
    this.keys = new Array<RawKey | undefined>(capacity).fill(undefined);
    this.hashes = new Uint32Array(capacity);
    this.locations = new Float64Array(capacity);
    this.mask = capacity - 1;
    const before = this.used;
    this.used = 0;
    this.tombstones = 0;
    for (let i = 0; i < oldKeys.length; i++) {
      const k = oldKeys[i];
      if (k === undefined || k === tombstone) continue;
      const hash = oldHashes[i] as number;
      let j = hash & this.mask;
      while (this.keys[j] !== undefined) j = (j + 1) & this.mask;
      this.keys[j] = k;
      this.hashes[j] = hash;
      this.locations[j] = oldLocations[i] as number;
      this.used++;
    }
    assert(this.used === before, 'rehash keeps every key');
  }
}

/** 32-bit FNV-1a over the char codes of a binary string. */
function hashOf(key: RawKey): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
