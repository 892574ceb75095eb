/**
 * A hash table from tuples of numbers to dense ids (0, 1, 2, ... in order
 * of first insertion), for hash joins and GROUP BY on numeric keys.
 *
 * A JS `Map` keyed by a number boxes every key that is not a small integer
 * (a heap allocation per insert and per probe: keys read from a
 * Float64Array are such numbers), and composite keys need nested maps or a
 * key string per row. This table stores the key columns in Float64Arrays
 * and the slots in an Int32Array, with open addressing and linear probing,
 * so inserting and probing allocate nothing (the arrays double when the
 * table is half full).
 *
 * Keys compare with `===` column by column, as SQL compares numbers: 0 and
 * -0 are one key, and an INTEGER 1 and a REAL 1.0 are one key. SQL numbers
 * are never NaN, so NaN is free to stand for NULL: NaN equals NaN here
 * (GROUP BY puts NULLs together; joins leave NULL keys out themselves).
 */
import { assert } from '../storage/device/index.js';

/** Most key columns of one table. */
export const numberKeyColumnsMax = 8;

// Scratch for reading a double's bits; module-level scratch is safe because
// hashing is synchronous and never re-entered.
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** A well-mixed 32-bit hash of a number (0 and -0 alike, every NaN alike). */
export function hashNumber(v: number): number {
  if (v !== v) return 0x7ff80000;
  if ((v | 0) === v) return Math.imul(v ^ (v >>> 16), 0x45d9f3b) ^ 0x9e3779b9;
  f64[0] = v;
  let h = Math.imul((u32[0] as number) ^ 0x9e3779b9, 0x85ebca6b);
  h ^= Math.imul((u32[1] as number) ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class NumberKeyTable {
  /** Key column c of id i is `keys[c][i]`. */
  private keys: Float64Array[];
  /** Slot → id + 1 (0: empty). */
  private slots: Int32Array;
  private mask: number;
  size = 0;

  constructor(
    readonly width: number,
    expected = 16,
  ) {
    assert(width >= 1 && width <= numberKeyColumnsMax, 'a key has 1 to numberKeyColumnsMax columns');
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.keys = Array.from({ length: width }, () => new Float64Array(capacity >>> 1));
  }

  private hash(key: ArrayLike<number>): number {
    let h = hashNumber(key[0] as number);
    for (let c = 1; c < this.width; c++) h = Math.imul(h ^ hashNumber(key[c] as number), 0x27d4eb2d) ^ (h >>> 15);
    return h;
  }

  private same(id: number, key: ArrayLike<number>): boolean {
    const keys = this.keys;
    for (let c = 0; c < this.width; c++) {
      const a = (keys[c] as Float64Array)[id] as number;
      const b = key[c] as number;
      if (a !== b && (a === a || b === b)) return false;
    }
    return true;
  }

  /** The id of `key`, or -1. */
  find(key: ArrayLike<number>): number {
    const slots = this.slots;
    const mask = this.mask;
    for (let s = this.hash(key) & mask; ; s = (s + 1) & mask) {
      const at = slots[s] as number;
      if (at === 0) return -1;
      if (this.same(at - 1, key)) return at - 1;
    }
  }

  /** The id of `key`, inserting it (with the next id) when absent. */
  insert(key: ArrayLike<number>): number {
    if (this.size * 2 >= this.slots.length) this.grow();
    const slots = this.slots;
    const mask = this.mask;
    for (let s = this.hash(key) & mask; ; s = (s + 1) & mask) {
      const at = slots[s] as number;
      if (at === 0) {
        const id = this.size++;
        for (let c = 0; c < this.width; c++) (this.keys[c] as Float64Array)[id] = (key[c] as number) === 0 ? 0 : (key[c] as number);
        slots[s] = id + 1;
        return id;
      }
      if (this.same(at - 1, key)) return at - 1;
    }
  }

  /** Key column `column` of entry `id`. */
  keyOf(id: number, column: number): number {
    return (this.keys[column] as Float64Array)[id] as number;
  }

  private grow(): void {
    const capacity = this.slots.length * 2;
    const keys = this.keys.map((k) => {
      const next = new Float64Array(capacity >>> 1);
      next.set(k);
      return next;
    });
    this.keys = keys;
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
    const key = new Float64Array(this.width);
    for (let id = 0; id < this.size; id++) {
      for (let c = 0; c < this.width; c++) key[c] = (keys[c] as Float64Array)[id] as number;
      let s = this.hash(key) & this.mask;
      while (this.slots[s] !== 0) s = (s + 1) & this.mask;
      this.slots[s] = id + 1;
    }
  }
}
