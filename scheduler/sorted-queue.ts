/**
 * The pending-job queue: a sorted list of items in blocks (the structure of
 * Python's `sortedcontainers.SortedList`), ordered by `(key1, key2, seq)`.
 * Insertion and removal cost a binary search over blocks, one within a block
 * and a splice of at most `blockItemsMax` entries; iteration in order is a
 * walk over the blocks.
 *
 * Each block also keeps the smallest `sizeMin` of its items, so that a
 * cursor looking for a job that fits in `fitMax` free slots skips whole
 * blocks of jobs that are too big: first-fit over a long queue of big gangs
 * costs a block per 256 jobs, not a job.
 *
 * IMPORTANT: a cursor is valid only while the queue is not changed; the
 * mechanism never changes a queue while a policy reads it.
 */
import { assert } from '../storage/device/index.js';

/** What the queue orders. The keys must not change while an item is queued. */
export interface QueueItem {
  readonly queueKey1: number;
  readonly queueKey2: number;
  readonly seq: number;
  readonly sizeMin: number;
}

/** Items per block before a split (blocks are split in halves). */
export const blockItemsMax = 512;

function compare(a: QueueItem, b: QueueItem): number {
  if (a.queueKey1 !== b.queueKey1) return a.queueKey1 < b.queueKey1 ? -1 : 1;
  if (a.queueKey2 !== b.queueKey2) return a.queueKey2 < b.queueKey2 ? -1 : 1;
  return a.seq - b.seq;
}

export class BlockQueue<T extends QueueItem> {
  private readonly blocks: T[][] = [];
  private readonly mins: number[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  fitMin(): number {
    let min = Infinity;
    for (const m of this.mins) if (m < min) min = m;
    return min;
  }

  insert(item: T): void {
    assert(!Number.isNaN(item.queueKey1) && !Number.isNaN(item.queueKey2), 'queue keys are not NaN');
    this.count++;
    if (this.blocks.length === 0) {
      this.blocks.push([item]);
      this.mins.push(item.sizeMin);
      return;
    }
    let b = this.blockFor(item);
    if (b === this.blocks.length) b--;
    const block = this.blocks[b] as T[];
    block.splice(this.positionIn(block, item), 0, item);
    if (item.sizeMin < (this.mins[b] as number)) this.mins[b] = item.sizeMin;
    if (block.length > blockItemsMax) {
      const tail = block.splice(blockItemsMax >> 1);
      this.blocks.splice(b + 1, 0, tail);
      this.mins.splice(b + 1, 0, 0);
      this.mins[b] = minSize(block);
      this.mins[b + 1] = minSize(tail);
    }
  }

  /** Removes `item` (found by its keys); returns whether it was queued. */
  remove(item: T): boolean {
    const b = this.blockFor(item);
    if (b === this.blocks.length) return false;
    const block = this.blocks[b] as T[];
    const i = this.positionIn(block, item);
    if (i >= block.length || block[i] !== item) return false;
    block.splice(i, 1);
    this.count--;
    if (block.length === 0) {
      this.blocks.splice(b, 1);
      this.mins.splice(b, 1);
    } else if (item.sizeMin === this.mins[b]) {
      this.mins[b] = minSize(block);
    }
    return true;
  }

  cursor(): { next(fitMax?: number): T | undefined } {
    const blocks = this.blocks;
    const mins = this.mins;
    let b = 0;
    let i = 0;
    return {
      next(fitMax = Infinity): T | undefined {
        while (b < blocks.length) {
          const block = blocks[b] as T[];
          if ((mins[b] as number) <= fitMax) {
            while (i < block.length) {
              const item = block[i++] as T;
              if (item.sizeMin <= fitMax) return item;
            }
          }
          b++;
          i = 0;
        }
        return undefined;
      },
    };
  }

  /** The items in order (for tests and snapshots). */
  toArray(): T[] {
    const out: T[] = [];
    for (const block of this.blocks) for (const item of block) out.push(item);
    return out;
  }

  /** The first block whose last item is not before `item` (blocks.length if none). */
  private blockFor(item: QueueItem): number {
    let lo = 0;
    let hi = this.blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const block = this.blocks[mid] as T[];
      if (compare(block[block.length - 1] as T, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first index in `block` whose item is not before `item`. */
  private positionIn(block: readonly T[], item: QueueItem): number {
    let lo = 0;
    let hi = block.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(block[mid] as T, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function minSize(items: readonly QueueItem[]): number {
  let min = Infinity;
  for (const item of items) if (item.sizeMin < min) min = item.sizeMin;
  return min;
}

/** A queue over a fixed array already in order: the same cursor semantics, for snapshots. */
export class ArrayQueue<T extends { readonly sizeMin: number }> {
  constructor(private readonly items: readonly T[]) {}

  get size(): number {
    return this.items.length;
  }

  fitMin(): number {
    let min = Infinity;
    for (const item of this.items) if (item.sizeMin < min) min = item.sizeMin;
    return min;
  }

  cursor(): { next(fitMax?: number): T | undefined } {
    const items = this.items;
    let i = 0;
    return {
      next(fitMax = Infinity): T | undefined {
        while (i < items.length) {
          const item = items[i++] as T;
          if (item.sizeMin <= fitMax) return item;
        }
        return undefined;
      },
    };
  }
}
