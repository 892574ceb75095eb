/**
 * Writes to the B+tree: a batch of edits that ends in a new immutable tree.
 *
 * Copy-on-write by ownership. Each editor has an `Owner` token and stamps
 * every node it creates with it. Before changing a node, the editor makes
 * the whole root-to-leaf path its own: a node stamped with its token is
 * changed in place, any other node is copied once (and the copy relinked
 * into its already-owned parent). So an editor that sets 1,000 keys copies
 * each shared node at most once, and an editor that sets one key copies one
 * path. Nodes the editor owns are reachable only through nodes it owns, and
 * no earlier tree can reach them, which is what makes in-place changes safe.
 *
 * `finish()` hands the token to the new tree. An exclusive edit of that
 * tree (`tree.edit({ exclusive: true })`) reuses the token, so the nodes
 * the tree's own lineage created are changed in place while nodes still
 * shared with older snapshots are copied as usual.
 *
 * Structure. A write first descends read-only, recording the path; a write
 * that changes nothing (deleting an absent key, setting an unchanged
 * location, a stale relocation) copies nothing. Inserting into a full leaf
 * splits it in two halves and inserts a separator in the parent, splitting
 * upwards as needed; the root splits into a new root. A delete that leaves a
 * node under half full first borrows from a sibling with entries to spare
 * (both then share their entries evenly) and otherwise merges with a
 * sibling, removing a separator from the parent, merging upwards as needed;
 * a root branch left with one child is replaced by that child.
 */
import { assert } from '../device/index.js';
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
import { keyHead } from './key-head.js';
import { type BNode, childIndex, cloneNode, leafSearch, type Owner, ownKeys, type Shape, setFences } from './node.js';
import { addressMax, lengthMax } from './options.js';
import { BTree } from './tree.js';

/**
 * A batch of edits of a tree. Reads see the batch's own writes. Not
 * reusable: `finish()` ends it, and any later call fails with an
 * AssertionError.
 */
export interface BTreeEditor {
  /** As `BTree.lookup`, on the edited state. */
  lookup(key: string, out: ValueLocation): boolean;
  has(key: string): boolean;
  /**
   * As `BTree.scan`, on the edited state. The visitor may edit through this
   * editor: the scan then continues after the last key it visited, in the
   * edited state.
   */
  scan(range: BTreeRange, visit: BTreeVisitor): number;
  /** As `BTree.cursor`, on the edited state; edits between steps are seen as in `scan`. */
  cursor(range: BTreeRange): BTreeCursor;
  /** Inserts `key` or replaces its location. `address` < 2^48, `length` <= 2^31, both integers. */
  set(key: string, address: number, length: number): void;
  /**
   * As `set`, in the same single descent reporting what it replaced: true,
   * with `previous` filled, when `key` existed.
   */
  setReporting(key: string, address: number, length: number, previous: ValueLocation): boolean;
  /** Removes `key`; true when it existed. */
  delete(key: string): boolean;
  /** As `delete`, filling `previous` with the removed location when `key` existed. */
  deleteReporting(key: string, previous: ValueLocation): boolean;
  /**
   * Replaces the location of `key` only if its address is still
   * `expectAddress` (compaction moves a value without overriding a newer
   * write); returns whether it did.
   */
  relocate(key: string, expectAddress: number, address: number, length: number): boolean;
  /** Number of keys in the edited state. */
  readonly size: number;
  /** Ends the batch and returns the new immutable tree. */
  finish(): BTree;
}

export class TreeEditor implements BTreeEditor, CursorSource {
  /** @internal */ root: BNode;
  size: number;
  /** @internal */ depth: number;
  /** @internal Counts changes, so that cursors over the editor re-seek. */
  version = 0;
  /** @internal */ readonly shape: Shape;
  private finished = false;
  /** The path of the last descent: `path[level]` and the child taken in it. */
  private readonly path: BNode[] = [];
  private readonly slots: number[] = [];
  /** keyHead(key, leaf.prefix) of the last descent. */
  private leafHead = 0;

  constructor(
    private readonly source: BTree,
    private readonly owner: Owner,
    /** True when the source tree was consumed (see `BTreeEditOptions.exclusive`). */
    readonly exclusive: boolean,
  ) {
    this.root = source.root;
    this.size = source.size;
    this.depth = source.depth;
    this.shape = source.shape;
  }

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

  scan(range: BTreeRange, visit: BTreeVisitor): number {
    this.checkReadable();
    return scanSource(this, range, visit);
  }

  cursor(range: BTreeRange): BTreeCursor {
    this.checkReadable();
    return new TreeCursor(this, range);
  }

  set(key: string, address: number, length: number): void {
    this.setReporting(key, address, length, this.discard);
  }

  /** Scratch for the `set`/`delete` wrappers, which do not report. */
  private readonly discard: ValueLocation = { address: 0, length: 0 };

  setReporting(key: string, address: number, length: number, previous: ValueLocation): boolean {
    this.checkReadable();
    checkLocation(key, address, length);
    const found = this.descend(key);
    const at = leafSearch(found, key, this.leafHead);
    if (at >= 0) {
      const values = found.values as number[];
      previous.address = values[2 * at] as number;
      previous.length = values[2 * at + 1] as number;
      if (previous.address === address && previous.length === length) return true;
      this.writeLocation(at, address, length);
      return true;
    }
    const i = ~at;
    const leaf = this.ownPath();
    this.size++;
    this.version++;
    if (leaf.count < this.shape.leafMax) insertEntry(leaf, i, key, this.leafHead, address, length);
    else this.splitLeaf(leaf, i, key, address, length);
    return false;
  }

  delete(key: string): boolean {
    return this.deleteReporting(key, this.discard);
  }

  deleteReporting(key: string, previous: ValueLocation): boolean {
    this.checkReadable();
    checkKey(key);
    const found = this.descend(key);
    const i = leafSearch(found, key, this.leafHead);
    if (i < 0) return false;
    const values = found.values as number[];
    previous.address = values[2 * i] as number;
    previous.length = values[2 * i + 1] as number;
    const leaf = this.ownPath();
    removeEntry(leaf, i);
    this.size--;
    this.version++;
    this.rebalance(this.depth - 1);
    return true;
  }

  relocate(key: string, expectAddress: number, address: number, length: number): boolean {
    this.checkReadable();
    checkLocation(key, address, length);
    const found = this.descend(key);
    const i = leafSearch(found, key, this.leafHead);
    if (i < 0) return false;
    const values = found.values as number[];
    if (values[2 * i] !== expectAddress) return false;
    if (values[2 * i] !== address || values[2 * i + 1] !== length) this.writeLocation(i, address, length);
    return true;
  }

  finish(): BTree {
    this.checkReadable();
    this.finished = true;
    this.version++;
    this.path.length = 0;
    if (!this.exclusive) this.source.derived = true;
    return new BTree(this.root, this.size, this.depth, this.owner, this.shape);
  }

  /** @internal */
  checkReadable(): void {
    assert(!this.finished, 'this editor was finished and must not be used');
  }

  // ------------------------------------------------------------ descent and ownership

  /** Descends to the leaf that holds or would hold `key`, recording the path; sets `leafHead`. */
  private descend(key: string): BNode {
    const path = this.path;
    const slots = this.slots;
    let node = this.root;
    let prefix = node.prefix;
    let head = keyHead(key, prefix);
    let level = 0;
    for (;;) {
      path[level] = node;
      const children = node.children;
      if (children === null) break;
      const slot = childIndex(node, key, head);
      slots[level] = slot;
      node = children[slot] as BNode;
      level++;
      if (node.prefix !== prefix) {
        prefix = node.prefix;
        head = keyHead(key, prefix);
      }
    }
    this.leafHead = head;
    return node;
  }

  /** Makes every node of the last descent's path this editor's own; returns the leaf. */
  private ownPath(): BNode {
    const path = this.path;
    const owner = this.owner;
    const last = this.depth - 1;
    let parent: BNode | null = null;
    for (let level = 0; level <= last; level++) {
      let node = path[level] as BNode;
      if (node.owner !== owner) {
        node = cloneNode(node, owner);
        path[level] = node;
        if (parent === null) this.root = node;
        else (parent.children as (BNode | null)[])[this.slots[level - 1] as number] = node;
      }
      parent = node;
    }
    return path[last] as BNode;
  }

  /** The `slot`-th child of `parent` (an owned node), made this editor's own. */
  private ownChild(parent: BNode, slot: number): BNode {
    const children = parent.children as (BNode | null)[];
    const child = children[slot] as BNode;
    if (child.owner === this.owner) return child;
    const copy = cloneNode(child, this.owner);
    children[slot] = copy;
    return copy;
  }

  private writeLocation(i: number, address: number, length: number): void {
    const values = this.ownPath().values as number[];
    values[2 * i] = address;
    values[2 * i + 1] = length;
    this.version++;
  }

  /** Low fence of the node at `level` of the current path (undefined: open). */
  private fenceLow(level: number): string | undefined {
    for (let l = level - 1; l >= 0; l--) {
      const slot = this.slots[l] as number;
      if (slot > 0) return (this.path[l] as BNode).keys[slot - 1];
    }
    return undefined;
  }

  /** High fence of the node at `level` of the current path (undefined: open). */
  private fenceHigh(level: number): string | undefined {
    for (let l = level - 1; l >= 0; l--) {
      const node = this.path[l] as BNode;
      const slot = this.slots[l] as number;
      if (slot < node.count - 1) return node.keys[slot];
    }
    return undefined;
  }

  // ------------------------------------------------------------ inserts and splits

  /** Inserts (key, address, length) at `i` of the full, owned `leaf` by splitting it. */
  private splitLeaf(leaf: BNode, i: number, key: string, address: number, length: number): void {
    const shape = this.shape;
    const keys = shape.scratchKeys;
    const values = shape.scratchValues;
    const n = gatherLeaf(leaf, keys, values, 0);
    // Open slot i in the scratch and put the new entry there.
    for (let j = n; j > i; j--) {
      keys[j] = keys[j - 1] as string;
      values[2 * j] = values[2 * j - 2] as number;
      values[2 * j + 1] = values[2 * j - 1] as number;
    }
    keys[i] = key;
    values[2 * i] = address;
    values[2 * i + 1] = length;
    const total = n + 1;
    const leftCount = (total + 1) >>> 1;
    const right = shape.newLeaf(this.owner);
    spreadLeaf(leaf, keys, values, 0, leftCount);
    spreadLeaf(right, keys, values, leftCount, total);
    clearScratch(shape, total);
    const separator = right.keys[0] as string;
    const level = this.depth - 1;
    setFences(leaf, this.fenceLow(level), separator);
    setFences(right, separator, this.fenceHigh(level));
    this.insertChild(level - 1, separator, right);
  }

  /**
   * Inserts `right` into the branch at `level` of the path, just after the
   * child the path took there, with `separator` between them; level -1 means
   * `right` splits the root.
   */
  private insertChild(level: number, separator: string, right: BNode): void {
    const shape = this.shape;
    if (level < 0) {
      const root = shape.newBranch(this.owner);
      const children = root.children as (BNode | null)[];
      children[0] = this.path[0] as BNode;
      children[1] = right;
      root.keys[0] = separator;
      root.count = 2;
      setFences(root, undefined, undefined);
      this.root = root;
      this.depth++;
      return;
    }
    const branch = this.path[level] as BNode;
    const slot = this.slots[level] as number;
    if (branch.count < shape.branchMax) {
      insertChildAt(branch, slot, separator, keyHead(separator, branch.prefix), right);
      return;
    }
    const keys = shape.scratchKeys;
    const children = shape.scratchChildren;
    const n = gatherBranch(branch, keys, children, 0);
    for (let j = n; j > slot + 1; j--) children[j] = children[j - 1] as BNode;
    for (let j = n - 1; j > slot; j--) keys[j] = keys[j - 1] as string;
    children[slot + 1] = right;
    keys[slot] = separator;
    const total = n + 1;
    const leftCount = (total + 1) >>> 1;
    const up = keys[leftCount - 1] as string;
    const newRight = shape.newBranch(this.owner);
    spreadBranch(branch, keys, children, 0, leftCount);
    spreadBranch(newRight, keys, children, leftCount, total);
    clearScratch(shape, total);
    setFences(branch, this.fenceLow(level), up);
    setFences(newRight, up, this.fenceHigh(level));
    this.insertChild(level - 1, up, newRight);
  }

  // ------------------------------------------------------------ deletes and rebalancing

  /** Restores the fill invariant from the node at `level` of the path upwards. */
  private rebalance(level: number): void {
    const shape = this.shape;
    for (;;) {
      const node = this.path[level] as BNode;
      if (level === 0) {
        if (node.children !== null && node.count === 1) {
          this.root = node.children[0] as BNode;
          this.depth--;
        }
        return;
      }
      const min = node.children === null ? shape.leafMin : shape.branchMin;
      if (node.count >= min) return;
      const parent = this.path[level - 1] as BNode;
      const slot = this.slots[level - 1] as number;
      const children = parent.children as (BNode | null)[];
      const left = slot > 0 ? (children[slot - 1] as BNode) : null;
      const right = slot + 1 < parent.count ? (children[slot + 1] as BNode) : null;
      if (left !== null && left.count > min) {
        this.redistribute(level, slot - 1);
        return;
      }
      if (right !== null && right.count > min) {
        this.redistribute(level, slot);
        return;
      }
      this.merge(level, left !== null ? slot - 1 : slot);
      level--;
    }
  }

  /**
   * Shares the entries of children `leftSlot` and `leftSlot + 1` of the
   * parent of the node at `level` evenly between them, updating the
   * separator between them.
   */
  private redistribute(level: number, leftSlot: number): void {
    const shape = this.shape;
    const parent = this.path[level - 1] as BNode;
    const left = this.ownChild(parent, leftSlot);
    const right = this.ownChild(parent, leftSlot + 1);
    const keys = shape.scratchKeys;
    let separator: string;
    let total: number;
    if (left.children === null) {
      const values = shape.scratchValues;
      total = gatherLeaf(right, keys, values, gatherLeaf(left, keys, values, 0));
      const leftCount = (total + 1) >>> 1;
      spreadLeaf(left, keys, values, 0, leftCount);
      spreadLeaf(right, keys, values, leftCount, total);
      separator = right.keys[0] as string;
    } else {
      const children = shape.scratchChildren;
      const n = gatherBranch(left, keys, children, 0);
      keys[n - 1] = parent.keys[leftSlot] as string;
      total = gatherBranch(right, keys, children, n);
      const leftCount = (total + 1) >>> 1;
      separator = keys[leftCount - 1] as string;
      spreadBranch(left, keys, children, 0, leftCount);
      spreadBranch(right, keys, children, leftCount, total);
    }
    clearScratch(shape, total);
    ownKeys(parent);
    parent.keys[leftSlot] = separator;
    parent.heads[leftSlot] = keyHead(separator, parent.prefix);
    setFences(left, this.childFenceLow(level - 1, leftSlot), separator);
    setFences(right, separator, this.childFenceHigh(level - 1, leftSlot + 1));
  }

  /**
   * Merges children `leftSlot` and `leftSlot + 1` of the parent of the node
   * at `level` into that node (one of the two, owned through the path) and
   * removes the other and the separator between them from the parent.
   */
  private merge(level: number, leftSlot: number): void {
    const shape = this.shape;
    const node = this.path[level] as BNode;
    const parent = this.path[level - 1] as BNode;
    const parentChildren = parent.children as (BNode | null)[];
    const left = parentChildren[leftSlot] as BNode;
    const right = parentChildren[leftSlot + 1] as BNode;
    assert(node === left || node === right, 'a merge includes the underfull node');
    const keys = shape.scratchKeys;
    let total: number;
    if (node.children === null) {
      const values = shape.scratchValues;
      total = gatherLeaf(right, keys, values, gatherLeaf(left, keys, values, 0));
      spreadLeaf(node, keys, values, 0, total);
    } else {
      const children = shape.scratchChildren;
      const n = gatherBranch(left, keys, children, 0);
      keys[n - 1] = parent.keys[leftSlot] as string;
      total = gatherBranch(right, keys, children, n);
      spreadBranch(node, keys, children, 0, total);
    }
    clearScratch(shape, total);
    assert(total <= (node.children === null ? shape.leafMax : shape.branchMax), 'a merge fits one node');
    setFences(node, this.childFenceLow(level - 1, leftSlot), this.childFenceHigh(level - 1, leftSlot + 1));
    parentChildren[leftSlot] = node;
    removeChildAt(parent, leftSlot);
  }

  /** Low fence of child `slot` of the node at `level` of the path. */
  private childFenceLow(level: number, slot: number): string | undefined {
    return slot > 0 ? (this.path[level] as BNode).keys[slot - 1] : this.fenceLow(level);
  }

  /** High fence of child `slot` of the node at `level` of the path. */
  private childFenceHigh(level: number, slot: number): string | undefined {
    const node = this.path[level] as BNode;
    return slot < node.count - 1 ? node.keys[slot] : this.fenceHigh(level);
  }
}

function checkLocation(key: string, address: number, length: number): void {
  checkKey(key);
  assert(Number.isInteger(address) && address >= 0 && address <= addressMax, 'an address is an integer in [0, 2^48)');
  assert(Number.isInteger(length) && length >= 0 && length <= lengthMax, 'a length is an integer in [0, 2^31]');
}

// ------------------------------------------------------------ node surgery (owned nodes only)

/** Inserts an entry at `i` of a leaf with room for it. */
function insertEntry(leaf: BNode, i: number, key: string, head: number, address: number, length: number): void {
  ownKeys(leaf);
  const keys = leaf.keys;
  const heads = leaf.heads;
  const values = leaf.values as number[];
  for (let j = leaf.count; j > i; j--) {
    keys[j] = keys[j - 1] as string;
    heads[j] = heads[j - 1] as number;
    values[2 * j] = values[2 * j - 2] as number;
    values[2 * j + 1] = values[2 * j - 1] as number;
  }
  keys[i] = key;
  heads[i] = head;
  values[2 * i] = address;
  values[2 * i + 1] = length;
  leaf.count++;
}

/** Removes the entry at `i` of a leaf and clears the freed slot. */
function removeEntry(leaf: BNode, i: number): void {
  ownKeys(leaf);
  const keys = leaf.keys;
  const heads = leaf.heads;
  const values = leaf.values as number[];
  const last = leaf.count - 1;
  for (let j = i; j < last; j++) {
    keys[j] = keys[j + 1] as string;
    heads[j] = heads[j + 1] as number;
    values[2 * j] = values[2 * j + 2] as number;
    values[2 * j + 1] = values[2 * j + 3] as number;
  }
  keys[last] = '';
  heads[last] = 0;
  values[2 * last] = 0;
  values[2 * last + 1] = 0;
  leaf.count = last;
}

/** Inserts `child` after child `slot` of a branch with room, with `separator` before it. */
function insertChildAt(branch: BNode, slot: number, separator: string, head: number, child: BNode): void {
  ownKeys(branch);
  const keys = branch.keys;
  const heads = branch.heads;
  const children = branch.children as (BNode | null)[];
  const n = branch.count;
  for (let j = n; j > slot + 1; j--) children[j] = children[j - 1] as BNode;
  for (let j = n - 1; j > slot; j--) {
    keys[j] = keys[j - 1] as string;
    heads[j] = heads[j - 1] as number;
  }
  children[slot + 1] = child;
  keys[slot] = separator;
  heads[slot] = head;
  branch.count = n + 1;
}

/** Removes child `slot + 1` of a branch and the separator before it. */
function removeChildAt(branch: BNode, slot: number): void {
  ownKeys(branch);
  const keys = branch.keys;
  const heads = branch.heads;
  const children = branch.children as (BNode | null)[];
  const n = branch.count;
  for (let j = slot + 1; j < n - 1; j++) children[j] = children[j + 1] as BNode;
  for (let j = slot; j < n - 2; j++) {
    keys[j] = keys[j + 1] as string;
    heads[j] = heads[j + 1] as number;
  }
  children[n - 1] = null;
  keys[n - 2] = '';
  heads[n - 2] = 0;
  branch.count = n - 1;
}

/** Appends a leaf's entries to the scratch at `at`; returns the scratch length. */
function gatherLeaf(leaf: BNode, keys: string[], values: number[], at: number): number {
  const leafValues = leaf.values as number[];
  for (let i = 0; i < leaf.count; i++) {
    keys[at + i] = leaf.keys[i] as string;
    values[2 * (at + i)] = leafValues[2 * i] as number;
    values[2 * (at + i) + 1] = leafValues[2 * i + 1] as number;
  }
  return at + leaf.count;
}

/**
 * Appends a branch's children to the scratch at `at` and its separators at
 * `at` onwards (separator j sits between scratch children j and j + 1);
 * returns the scratch length in children.
 */
function gatherBranch(branch: BNode, keys: string[], children: (BNode | null)[], at: number): number {
  const n = branch.count;
  const branchChildren = branch.children as (BNode | null)[];
  for (let i = 0; i < n; i++) children[at + i] = branchChildren[i] as BNode;
  for (let i = 0; i < n - 1; i++) keys[at + i] = branch.keys[i] as string;
  return at + n;
}

/** Makes scratch entries [from, to) the whole content of `leaf`; heads are left to `setFences`. */
function spreadLeaf(leaf: BNode, keys: readonly string[], values: readonly number[], from: number, to: number): void {
  ownKeys(leaf);
  const leafKeys = leaf.keys;
  const leafValues = leaf.values as number[];
  const n = to - from;
  for (let i = 0; i < n; i++) {
    leafKeys[i] = keys[from + i] as string;
    leafValues[2 * i] = values[2 * (from + i)] as number;
    leafValues[2 * i + 1] = values[2 * (from + i) + 1] as number;
  }
  for (let i = n; i < leaf.count; i++) {
    leafKeys[i] = '';
    leaf.heads[i] = 0;
    leafValues[2 * i] = 0;
    leafValues[2 * i + 1] = 0;
  }
  leaf.count = n;
}

/**
 * Makes scratch children [from, to) and the separators between them the
 * whole content of `branch`; heads are left to `setFences`.
 */
function spreadBranch(branch: BNode, keys: readonly string[], children: readonly (BNode | null)[], from: number, to: number): void {
  ownKeys(branch);
  const branchKeys = branch.keys;
  const branchChildren = branch.children as (BNode | null)[];
  const n = to - from;
  for (let i = 0; i < n; i++) branchChildren[i] = children[from + i] as BNode;
  for (let i = 0; i < n - 1; i++) branchKeys[i] = keys[from + i] as string;
  for (let i = n; i < branch.count; i++) {
    branchChildren[i] = null;
    branchKeys[i - 1] = '';
    branch.heads[i - 1] = 0;
  }
  branch.count = n;
}

/** Drops the scratch's references so that it pins nothing between restructurings. */
function clearScratch(shape: Shape, used: number): void {
  const keys = shape.scratchKeys;
  const children = shape.scratchChildren;
  for (let i = 0; i < used; i++) {
    keys[i] = '';
    children[i] = null;
  }
}
