/**
 * The in-memory ordered index of the KV engine: a copy-on-write B+tree that
 * maps every key to the location (address, length) of its latest value in
 * the log.
 *
 * A `BTree` value is immutable, so a snapshot of the index is a reference to
 * a tree. Writes go through an editor (`edit()`, see `editor.ts`) that
 * copies the nodes it changes, at most once each, and returns a new tree
 * sharing every untouched node with the old one.
 *
 * Invariants (checked by `verifyTree`):
 *   - every leaf is at the same depth;
 *   - keys are strictly increasing in JS string order (`<`), which for raw
 *     keys is byte order; separators bound their children's keys;
 *   - every node other than the root holds at least half its capacity
 *     (`floor(capacity / 2)`), the root branch at least two children, so the
 *     tree stays compact under any mix of inserts and deletes;
 *   - `size` is the number of keys.
 */
import { assert } from '../device/index.js';
import { buildSorted } from './build.js';
import {
  type BTreeCursor,
  type BTreeRange,
  type BTreeVisitor,
  checkKey,
  type CursorSource,
  containsIn,
  lookupIn,
  scanSource,
  TreeCursor,
  type ValueLocation,
} from './cursor.js';
import { type BTreeEditor, TreeEditor } from './editor.js';
import { type BNode, Owner, Shape } from './node.js';
import { type BTreeOptions, resolveBTreeOptions } from './options.js';

export interface BTreeEditOptions {
  /**
   * Edit in place instead of copying: nodes this tree's own lineage created
   * are mutated directly; nodes it still shares with older versions are
   * copied once, as in a normal edit. Default false.
   *
   * IMPORTANT: only when nothing will read this tree again. Exclusive edits
   * change this tree's nodes in place, so this tree (and any cursor over it)
   * becomes unusable: reading it afterwards fails with an AssertionError, and
   * abandoning the editor does not restore it (there is no rollback; use a
   * normal editor when the batch may be discarded). No other editor of this
   * tree may be open either, since it shares these nodes. Older versions
   * kept as snapshots stay intact. An exclusive edit is refused on a tree
   * from which another edit was already finished, since that newer tree
   * shares its nodes.
   */
  readonly exclusive?: boolean;
}

export interface BTreeStats {
  /** Levels, leaves included (1 when the root is a leaf). */
  readonly depth: number;
  /** Nodes of every kind. */
  readonly nodes: number;
  readonly leaves: number;
  readonly branches: number;
  /** Number of keys. */
  readonly size: number;
  /** Leaf capacity, in entries. */
  readonly leafEntriesMax: number;
  /** Branch capacity, in children. */
  readonly branchChildrenMax: number;
  /** Entries held by the leaves over their capacity, 0..1. */
  readonly leafFill: number;
  /** Children held by the branches over their capacity, 0..1 (0 without branches). */
  readonly branchFill: number;
}

export class BTree implements CursorSource {
  /** @internal A tree never changes: this moves only when an exclusive edit consumes it. */
  version = 0;
  /** @internal Set by an exclusive edit, which consumes this tree. */
  retired = false;
  /** @internal Set when an edit of this tree finished: a newer tree shares its nodes. */
  derived = false;

  /** @internal Use `BTree.empty`, `BTree.fromSorted` or an editor. */
  constructor(
    /** @internal */ readonly root: BNode,
    /** Number of keys. */
    readonly size: number,
    /** @internal */ readonly depth: number,
    /** @internal The lineage token: nodes this tree may mutate under an exclusive edit. */
    readonly owner: Owner,
    /** @internal */ readonly shape: Shape,
  ) {}

  /** An empty tree. */
  static empty(options?: BTreeOptions): BTree {
    const shape = new Shape(resolveBTreeOptions(options));
    const owner = new Owner();
    return new BTree(shape.newLeaf(owner), 0, 1, owner, shape);
  }

  /**
   * Builds a tree from keys in strictly increasing order with the location
   * of each key's value, in O(n) (checkpoint load). The input is validated:
   * unsorted or duplicate keys and out-of-range numbers throw an
   * `InvalidArgumentError` naming the first offending index. The tree keeps
   * references to the key strings, not to the arrays.
   */
  static fromSorted(
    keys: readonly string[],
    addresses: ArrayLike<number>,
    lengths: ArrayLike<number>,
    options?: BTreeOptions,
  ): BTree {
    const shape = new Shape(resolveBTreeOptions(options));
    const owner = new Owner();
    const built = buildSorted(keys, addresses, lengths, shape, owner);
    return new BTree(built.root, keys.length, built.depth, owner, shape);
  }

  /** Point lookup without allocation: fills `out` and returns true when `key` is present. */
  lookup(key: string, out: ValueLocation): boolean {
    this.checkReadable();
    checkKey(key);
    return lookupIn(this.root, key, out);
  }

  has(key: string): boolean {
    this.checkReadable();
    checkKey(key);
    return containsIn(this.root, key);
  }

  /**
   * Visits the keys of `range` ascending (descending when `range.reverse`),
   * as lmdb-js `getRange`: [start, end) ascending, or from start (inclusive,
   * the high bound) down to end (exclusive, the low bound) when reverse.
   * Stops after `limit` keys or when `visit` returns false. Returns the
   * number of keys visited, the one `visit` stopped at included.
   */
  scan(range: BTreeRange, visit: BTreeVisitor): number {
    this.checkReadable();
    return scanSource(this, range, visit);
  }

  /**
   * A pull-style cursor over `range` (same semantics as `scan`). It reads
   * this immutable tree, so later edits never affect it; it allocates
   * nothing per step.
   */
  cursor(range: BTreeRange): BTreeCursor {
    this.checkReadable();
    return new TreeCursor(this, range);
  }

  /** Starts a batch of edits; see `BTreeEditor` and, for `exclusive`, its hazard note. */
  edit(options?: BTreeEditOptions): BTreeEditor {
    this.checkReadable();
    if (options?.exclusive === true) {
      assert(!this.derived, 'an exclusive edit needs a tree that no finished edit was derived from');
      this.retired = true;
      this.version++;
      return new TreeEditor(this, this.owner, true);
    }
    return new TreeEditor(this, new Owner(), false);
  }

  /** Shape and fill of the tree; walks every node (O(nodes)). */
  stats(): BTreeStats {
    this.checkReadable();
    return computeStats(this.root, this.size, this.depth, this.shape);
  }

  /** @internal */
  checkReadable(): void {
    assert(!this.retired, 'this tree was consumed by an exclusive edit and must not be read');
  }
}

export function computeStats(root: BNode, size: number, depth: number, shape: Shape): BTreeStats {
  let leaves = 0;
  let branches = 0;
  let entries = 0;
  let children = 0;
  const stack: BNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as BNode;
    if (node.children === null) {
      leaves++;
      entries += node.count;
    } else {
      branches++;
      children += node.count;
      for (let i = 0; i < node.count; i++) stack.push(node.children[i] as BNode);
    }
  }
  return {
    depth,
    nodes: leaves + branches,
    leaves,
    branches,
    size,
    leafEntriesMax: shape.leafMax,
    branchChildrenMax: shape.branchMax,
    leafFill: entries / (leaves * shape.leafMax),
    branchFill: branches === 0 ? 0 : children / (branches * shape.branchMax),
  };
}
