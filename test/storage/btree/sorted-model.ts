/**
 * The oracle for the B+tree tests: a sorted array of keys and a Map of
 * locations, compared with `<` only. Simple over fast: copying it is the
 * snapshot.
 */
import type { BTreeRange } from '../../../storage/btree/index.js';

export type Entry = readonly [key: string, address: number, length: number];

export class SortedModel {
  constructor(
    private readonly keys: string[] = [],
    private readonly locations: Map<string, readonly [number, number]> = new Map(),
  ) {}

  static from(entries: readonly Entry[]): SortedModel {
    const model = new SortedModel();
    for (const [key, address, length] of entries) model.set(key, address, length);
    return model;
  }

  get size(): number {
    return this.keys.length;
  }

  copy(): SortedModel {
    return new SortedModel(this.keys.slice(), new Map(this.locations));
  }

  get(key: string): readonly [number, number] | undefined {
    return this.locations.get(key);
  }

  set(key: string, address: number, length: number): void {
    if (!this.locations.has(key)) this.keys.splice(lowerBound(this.keys, key), 0, key);
    this.locations.set(key, [address, length]);
  }

  delete(key: string): boolean {
    if (!this.locations.delete(key)) return false;
    this.keys.splice(lowerBound(this.keys, key), 1);
    return true;
  }

  relocate(key: string, expectAddress: number, address: number, length: number): boolean {
    const location = this.locations.get(key);
    if (location === undefined || location[0] !== expectAddress) return false;
    this.locations.set(key, [address, length]);
    return true;
  }

  entries(): Entry[] {
    return this.keys.map((key) => [key, ...(this.locations.get(key) as readonly [number, number])] as const);
  }

  /** The keys of `range` in visiting order, limit applied. */
  range(range: BTreeRange): Entry[] {
    const out: Entry[] = [];
    const limit = range.limit ?? Infinity;
    const { start, end } = range;
    if (!range.reverse) {
      for (let i = start === undefined ? 0 : lowerBound(this.keys, start); i < this.keys.length && out.length < limit; i++) {
        const key = this.keys[i] as string;
        if (end !== undefined && key >= end) break;
        out.push(this.entry(key));
      }
    } else {
      for (let i = start === undefined ? this.keys.length - 1 : upperBound(this.keys, start) - 1; i >= 0 && out.length < limit; i--) {
        const key = this.keys[i] as string;
        if (end !== undefined && key <= end) break;
        out.push(this.entry(key));
      }
    }
    return out;
  }

  /** The first key after (before, when reverse) `key` within `range`'s bounds, ignoring its limit. */
  following(key: string, range: BTreeRange): Entry | undefined {
    if (!range.reverse) {
      const i = upperBound(this.keys, key);
      const next = this.keys[i];
      if (next === undefined || (range.end !== undefined && next >= range.end)) return undefined;
      return this.entry(next);
    }
    const i = lowerBound(this.keys, key) - 1;
    const next = i >= 0 ? this.keys[i] : undefined;
    if (next === undefined || (range.end !== undefined && next <= range.end)) return undefined;
    return this.entry(next);
  }

  private entry(key: string): Entry {
    const location = this.locations.get(key) as readonly [number, number];
    return [key, location[0], location[1]];
  }
}

function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key < (keys[mid] as string)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
