/**
 * Nodes of the copy-on-write B+tree and the searches within one node.
 *
 * Layout. A node is a leaf (`children === null`) or a branch
 * (`values === null`); one class keeps every property access monomorphic.
 * All arrays have a fixed capacity set by the tree's options, so that an
 * insert into an owned node shifts in place and never reallocates; slots
 * past `count` hold '' (keys), 0 (numbers) or null (children), never a
 * stale reference that would keep memory alive.
 *
 *   leaf    keys[i]          i-th key, ascending, i < count
 *           heads[i]         keyHead(keys[i], prefix)
 *           values[2i]       address of the i-th key's value
 *           values[2i + 1]   length of that value
 *   branch  children[i]      i-th child, i < count (count >= 2)
 *           keys[i]          separator between children i and i + 1,
 *                            i < count - 1: every key of children[i] is
 *                            < keys[i] <= every key of children[i + 1]
 *           heads[i]         keyHead(keys[i], prefix)
 *
 * The numbers live in plain arrays that V8 keeps as unboxed doubles
 * (PACKED_DOUBLE_ELEMENTS, 8 bytes each): copying one is a bump allocation
 * and a memcpy in the young generation, several times cheaper than a typed
 * array, whose backing store is allocated outside the heap. Every such array
 * is a copy of a template built from a double literal, and only numbers are
 * ever stored in it, so it never changes representation.
 *
 * Fences and prefix. The separators on the path from the root bound every
 * node to a key range [lo, hi) (its fences; open at the edges of the tree).
 * Every key in the node's subtree, and every search key routed to it, lies
 * in that range and therefore starts with the common prefix of lo and hi;
 * `prefix` is that prefix's length (0 when a fence is open), and the heads
 * are taken after it. A node's fences change only when the node itself is
 * split, merged or rebalanced, so `prefix` and `heads` are recomputed exactly
 * then (`setFences`).
 *
 * Ownership. `owner` is the token of the editor that created the node: only
 * that editor (or an exclusive editor continuing its lineage) mutates it in
 * place; every other editor copies it first (see `editor.ts`). A copy gets
 * its own `values` (leaf) or `children` (branch), which every write along a
 * path changes, but shares `keys` and `heads` with the original
 * (`keysShared`) until it first changes them (`ownKeys`): updating a
 * location, the most common write, then copies about half the bytes, which
 * matters because copied nodes outlive many later edits and must be
 * garbage-collected from the old generation.
 */
import { commonPrefixLength, keyHead } from './key-head.js';
import type { ResolvedBTreeOptions } from './options.js';

/** Identity of an editor lineage; nodes it created carry it as `owner`. */
export class Owner {}

export class BNode {
  constructor(
    public owner: Owner,
    /** Entries in a leaf, children in a branch. */
    public count: number,
    /** Chars every key in this node's range shares (see the file comment). */
    public prefix: number,
    /** Replaced, not mutated, while `keysShared`; see `ownKeys`. */
    public keys: string[],
    /** Replaced, not mutated, while `keysShared`; see `ownKeys`. */
    public heads: number[],
    /** Leaf only: (address, length) pairs. */
    readonly values: number[] | null,
    /** Branch only. */
    readonly children: (BNode | null)[] | null,
    /** True while `keys` and `heads` may be shared with another node. */
    public keysShared: boolean,
  ) {}
}

/**
 * Everything derived once from a tree's options and shared by every version
 * of it: capacities, fill minimums, templates for new arrays and scratch
 * space for restructuring.
 */
export class Shape {
  readonly leafMax: number;
  readonly leafMin: number;
  readonly branchMax: number;
  readonly branchMin: number;
  private readonly leafKeysTemplate: string[];
  private readonly leafHeadsTemplate: number[];
  private readonly leafValuesTemplate: number[];
  private readonly branchKeysTemplate: string[];
  private readonly branchHeadsTemplate: number[];
  private readonly branchChildrenTemplate: (BNode | null)[];
  /**
   * Scratch space for splits, merges and rebalancing, which gather two
   * nodes' contents and deal them out again. Sharing it between the
   * editors of one tree lineage is safe: restructuring is synchronous,
   * never calls out, and clears the scratch before returning.
   */
  readonly scratchKeys: string[];
  readonly scratchValues: number[];
  readonly scratchChildren: (BNode | null)[];

  constructor(readonly options: ResolvedBTreeOptions) {
    this.leafMax = options.leafEntriesMax;
    this.leafMin = this.leafMax >>> 1;
    this.branchMax = options.branchChildrenMax;
    this.branchMin = this.branchMax >>> 1;
    this.leafKeysTemplate = filled(this.leafMax, '');
    this.leafHeadsTemplate = doubles(this.leafMax);
    this.leafValuesTemplate = doubles(2 * this.leafMax);
    this.branchKeysTemplate = filled(this.branchMax - 1, '');
    this.branchHeadsTemplate = doubles(this.branchMax - 1);
    this.branchChildrenTemplate = filled<BNode | null>(this.branchMax, null);
    const scratchEntries = 2 * Math.max(this.leafMax, this.branchMax) + 2;
    this.scratchKeys = filled(scratchEntries, '');
    this.scratchValues = doubles(2 * scratchEntries);
    this.scratchChildren = filled<BNode | null>(scratchEntries, null);
  }

  newLeaf(owner: Owner): BNode {
    return new BNode(owner, 0, 0, this.leafKeysTemplate.slice(), this.leafHeadsTemplate.slice(), this.leafValuesTemplate.slice(), null, false);
  }

  newBranch(owner: Owner): BNode {
    return new BNode(owner, 0, 0, this.branchKeysTemplate.slice(), this.branchHeadsTemplate.slice(), null, this.branchChildrenTemplate.slice(), false);
  }
}

/**
 * A copy of `node` owned by `owner` (the copy-on-write step). It shares the
 * keys and heads of `node` until `ownKeys` is called on it.
 */
export function cloneNode(node: BNode, owner: Owner): BNode {
  return new BNode(
    owner,
    node.count,
    node.prefix,
    node.keys,
    node.heads,
    node.values === null ? null : node.values.slice(),
    node.children === null ? null : node.children.slice(),
    true,
  );
}

/**
 * Gives an owned node its own keys and heads; call before changing either.
 * Every function that changes them calls it first.
 */
export function ownKeys(node: BNode): void {
  if (!node.keysShared) return;
  node.keys = node.keys.slice();
  node.heads = node.heads.slice();
  node.keysShared = false;
}

/** Number of keys in a leaf, separators in a branch. */
export function keyCount(node: BNode): number {
  return node.children === null ? node.count : node.count - 1;
}

/**
 * Records that `node` now covers [lo, hi) (undefined = open) and recomputes
 * its prefix and heads. Call whenever a node's range may have changed.
 */
export function setFences(node: BNode, lo: string | undefined, hi: string | undefined): void {
  ownKeys(node);
  const prefix = lo === undefined || hi === undefined ? 0 : commonPrefixLength(lo, hi);
  node.prefix = prefix;
  const keys = node.keys;
  const heads = node.heads;
  const n = keyCount(node);
  for (let i = 0; i < n; i++) heads[i] = keyHead(keys[i] as string, prefix);
}

/**
 * Index of the child of `branch` whose range holds `key`: the number of
 * separators <= key. `head` is keyHead(key, branch.prefix).
 */
export function childIndex(branch: BNode, key: string, head: number): number {
  return upperBound(branch, branch.count - 1, key, head);
}

/** Index of the first of the first `n` keys of `node` that is > key (`n` when none). */
function upperBound(node: BNode, n: number, key: string, head: number): number {
  const heads = node.heads;
  // First key whose head is above the key's: it and all after are > key.
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (head < (heads[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  // Keys before `lo` with an equal head may still be > key.
  if (lo === 0 || heads[lo - 1] !== head) return lo;
  if (lo === 1 || heads[lo - 2] !== head) return key < (node.keys[lo - 1] as string) ? lo - 1 : lo;
  return upperBoundInTie(node.keys, heads, lo, key, head);
}

/** Index of the first key of `leaf` that is >= key (count when none). */
export function leafLowerBound(leaf: BNode, key: string, head: number): number {
  const heads = leaf.heads;
  const n = leaf.count;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((heads[mid] as number) < head) lo = mid + 1;
    else hi = mid;
  }
  // Keys from `lo` on with an equal head may still be < key.
  if (lo === n || heads[lo] !== head) return lo;
  if (lo + 1 === n || heads[lo + 1] !== head) return (leaf.keys[lo] as string) < key ? lo + 1 : lo;
  return lowerBoundByKey(leaf.keys, lo, tieEnd(heads, lo + 2, n, head), key);
}

/** Index of the first key of `leaf` that is > key (count when none). */
export function leafUpperBound(leaf: BNode, key: string, head: number): number {
  return upperBound(leaf, leaf.count, key, head);
}

/**
 * Index of `key` in `leaf` when present; otherwise `~i` (negative), where
 * `i` is the index at which `key` would be inserted. A hit costs one string
 * comparison (`===`) unless heads tie.
 */
export function leafSearch(leaf: BNode, key: string, head: number): number {
  const heads = leaf.heads;
  const n = leaf.count;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((heads[mid] as number) < head) lo = mid + 1;
    else hi = mid;
  }
  if (lo === n || heads[lo] !== head) return ~lo;
  const keys = leaf.keys;
  if (lo + 1 === n || heads[lo + 1] !== head) {
    const k = keys[lo] as string;
    if (k === key) return lo;
    return k < key ? ~(lo + 1) : ~lo;
  }
  const i = lowerBoundByKey(keys, lo, tieEnd(heads, lo + 2, n, head), key);
  return keys[i] === key ? i : ~i;
}

/**
 * Upper bound of `key` among the keys before `end` whose heads equal
 * `head` (heads[end - 1] does). Long runs of equal heads occur only where
 * keys share a longer prefix than the node's fences (the edges of the tree),
 * so the run is found by binary search on the heads, then searched by
 * string comparison: O(log n) either way.
 */
function upperBoundInTie(keys: readonly string[], heads: readonly number[], end: number, key: string, head: number): number {
  let lo = 0;
  let hi = end - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((heads[mid] as number) < head) lo = mid + 1;
    else hi = mid;
  }
  hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key < (keys[mid] as string)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** First index in [from, n) whose head is above `head` (n when none); heads before `from` are <= head. */
function tieEnd(heads: readonly number[], from: number, n: number, head: number): number {
  let lo = from;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (head < (heads[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** First index in [lo, hi) whose key is >= key (hi when none). */
function lowerBoundByKey(keys: readonly string[], lo: number, hi: number, key: string): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A packed array of `length` unboxed doubles, all 0 (see the file comment). */
function doubles(length: number): number[] {
  const array = Array.from({ length }, () => 0.5);
  for (let i = 0; i < length; i++) array[i] = 0;
  return array;
}

function filled<T>(length: number, value: T): T[] {
  return Array.from({ length }, () => value);
}
