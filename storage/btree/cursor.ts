/**
 * Ordered reads of the B+tree: point lookups, and the cursor behind both
 * `scan` (push) and `cursor` (pull).
 *
 * Copy-on-write leaves cannot point to their siblings (a sibling pointer
 * would force copying the whole chain), so a cursor keeps the path from the
 * root to its leaf and moves to the next leaf by walking up to the nearest
 * ancestor with a next child. It allocates only when created; a step is a
 * few array reads.
 *
 * A cursor reads a `CursorSource`: an immutable tree, whose `version` never
 * changes, or an editor, whose `version` changes at every write. When the
 * version moved since the cursor last positioned itself, it re-descends to
 * the first key after (before, when reverse) the last key it returned, so a
 * cursor or scan over an editor sees the editor's current state at every
 * step, including writes the scan's own visitor makes. A tree's version
 * changes only when an exclusive edit consumes it; the re-seek then fails
 * the readability check.
 */
import { assert, InvalidArgumentError, OptionsViolations, unreachable } from '../device/index.js';
import { keyHead } from './key-head.js';
import { type BNode, childIndex, leafLowerBound, leafSearch, leafUpperBound } from './node.js';

/** Where a key's value lives: filled in by `lookup`. */
export interface ValueLocation {
  address: number;
  length: number;
}

/** A key range, as lmdb-js `getRange`. */
export interface BTreeRange {
  /** Inclusive bound: the low bound, or the high bound when `reverse`; default: open. */
  readonly start?: string;
  /** Exclusive bound: the high bound, or the low bound when `reverse`; default: open. */
  readonly end?: string;
  /** Visit from high keys to low keys; default false. */
  readonly reverse?: boolean;
  /** Visit at most this many keys (a non-negative integer or Infinity); default Infinity. */
  readonly limit?: number;
}

/** Called for each key of a scan; return false to stop. */
export type BTreeVisitor = (key: string, address: number, length: number) => boolean | void;

/**
 * A pull-style cursor. `key`, `address` and `length` describe the current
 * entry and are valid only after `next()` returned true.
 */
export interface BTreeCursor {
  /** Moves to the next entry of the range; false once the range is exhausted. */
  next(): boolean;
  readonly key: string;
  readonly address: number;
  readonly length: number;
}

/** What a cursor reads: a tree or an editor. */
export interface CursorSource {
  readonly root: BNode;
  /** Levels, leaves included: 1 for a tree whose root is a leaf. */
  readonly depth: number;
  /**
   * Changes whenever the source changes, including when it stops being
   * readable (a consumed tree, a finished editor): a cursor re-seeks, and
   * with that checks readability, whenever it sees a new version.
   */
  readonly version: number;
  /** Asserts the source may still be read. */
  checkReadable(): void;
}

/** Fills `out` with the location of `key` under `root`; false when absent. */
export function lookupIn(root: BNode, key: string, out: ValueLocation): boolean {
  let node = root;
  let prefix = node.prefix;
  let head = keyHead(key, prefix);
  let children = node.children;
  while (children !== null) {
    node = children[childIndex(node, key, head)] as BNode;
    if (node.prefix !== prefix) {
      prefix = node.prefix;
      head = keyHead(key, prefix);
    }
    children = node.children;
  }
  const i = leafSearch(node, key, head);
  if (i < 0) return false;
  const values = node.values as number[];
  out.address = values[2 * i] as number;
  out.length = values[2 * i + 1] as number;
  return true;
}

/** Whether `key` is under `root`. */
export function containsIn(root: BNode, key: string): boolean {
  let node = root;
  let prefix = node.prefix;
  let head = keyHead(key, prefix);
  let children = node.children;
  while (children !== null) {
    node = children[childIndex(node, key, head)] as BNode;
    if (node.prefix !== prefix) {
      prefix = node.prefix;
      head = keyHead(key, prefix);
    }
    children = node.children;
  }
  return leafSearch(node, key, head) >= 0;
}

/** Visits `range` of `source` (see `BTree.scan`); returns the number of keys visited. */
export function scanSource(source: CursorSource, range: BTreeRange, visit: BTreeVisitor): number {
  return new TreeCursor(source, range).visitAll(visit);
}

const enum Phase {
  Unstarted,
  Active,
  Done,
}

const enum Seek {
  /** First key >= the target. */
  AtOrAfter,
  /** First key > the target. */
  After,
  /** Last key <= the target. */
  AtOrBefore,
  /** Last key < the target. */
  Before,
}

export class TreeCursor implements BTreeCursor {
  key = '';
  address = 0;
  length = 0;
  private readonly start: string | undefined;
  private readonly end: string | undefined;
  private readonly reverse: boolean;
  private remaining: number;
  private phase = Phase.Unstarted;
  /** The source's version when the path below was taken. */
  private version = 0;
  /** Path from the root: `nodes[level]`, and the index taken in it. */
  private readonly nodes: BNode[] = [];
  private readonly slots: number[] = [];
  private leafLevel = 0;

  constructor(
    private readonly source: CursorSource,
    range: BTreeRange,
  ) {
    checkRange(range);
    this.start = range.start;
    this.end = range.end;
    this.reverse = range.reverse === true;
    this.remaining = range.limit ?? Infinity;
  }

  next(): boolean {
    if (this.phase === Phase.Done) return false;
    if (this.remaining <= 0) return this.stop();
    let positioned: boolean;
    if (this.phase === Phase.Unstarted) {
      this.phase = Phase.Active;
      positioned = this.seekStart();
    } else if (this.source.version !== this.version) {
      positioned = this.seek(this.key, this.reverse ? Seek.Before : Seek.After);
    } else {
      positioned = this.step();
    }
    if (!positioned) return this.stop();
    const leaf = this.nodes[this.leafLevel] as BNode;
    const i = this.slots[this.leafLevel] as number;
    const key = leaf.keys[i] as string;
    const end = this.end;
    if (end !== undefined && (this.reverse ? key <= end : key >= end)) return this.stop();
    const values = leaf.values as number[];
    this.key = key;
    this.address = values[2 * i] as number;
    this.length = values[2 * i + 1] as number;
    this.remaining--;
    return true;
  }

  /**
   * Visits every entry of the range in a loop over each leaf's arrays (the
   * body of `scan`); returns the number of entries visited. Use on a fresh
   * cursor only.
   */
  visitAll(visit: BTreeVisitor): number {
    assert(this.phase === Phase.Unstarted, 'visitAll runs on a fresh cursor');
    this.phase = Phase.Active;
    const source = this.source;
    const end = this.end;
    const reverse = this.reverse;
    let remaining = this.remaining;
    let visited = 0;
    let positioned = remaining > 0 && this.seekStart();
    while (positioned) {
      const level = this.leafLevel;
      const leaf = this.nodes[level] as BNode;
      const keys = leaf.keys;
      const values = leaf.values as number[];
      const n = leaf.count;
      let i = this.slots[level] as number;
      let moved = false;
      if (!reverse) {
        // A leaf whose last key is below `end` needs no bound check per key.
        const bounded = end !== undefined && !((keys[n - 1] as string) < end);
        for (; i < n; i++) {
          const key = keys[i] as string;
          if (bounded && key >= (end as string)) return this.stopVisit(visited);
          visited++;
          if (visit(key, values[2 * i] as number, values[2 * i + 1] as number) === false || --remaining === 0) return this.stopVisit(visited);
          if (source.version !== this.version) {
            // The visitor edited the source: continue after this key in the edited state.
            moved = true;
            this.key = key;
            break;
          }
        }
        positioned = moved ? this.seek(this.key, Seek.After) : this.siblingLeaf();
      } else {
        const bounded = end !== undefined && !(end < (keys[0] as string));
        for (; i >= 0; i--) {
          const key = keys[i] as string;
          if (bounded && key <= (end as string)) return this.stopVisit(visited);
          visited++;
          if (visit(key, values[2 * i] as number, values[2 * i + 1] as number) === false || --remaining === 0) return this.stopVisit(visited);
          if (source.version !== this.version) {
            moved = true;
            this.key = key;
            break;
          }
        }
        positioned = moved ? this.seek(this.key, Seek.Before) : this.siblingLeaf();
      }
    }
    return this.stopVisit(visited);
  }

  private stopVisit(visited: number): number {
    this.stop();
    return visited;
  }

  private stop(): false {
    this.phase = Phase.Done;
    // Drop the path so that a finished cursor pins no nodes.
    this.nodes.length = 0;
    return false;
  }

  private seekStart(): boolean {
    const start = this.start;
    if (start === undefined) return this.seekEdge();
    return this.seek(start, this.reverse ? Seek.AtOrBefore : Seek.AtOrAfter);
  }

  /** Positions on the first (last, when reverse) key of the source. */
  private seekEdge(): boolean {
    this.source.checkReadable();
    this.version = this.source.version;
    this.leafLevel = this.source.depth - 1;
    return this.descendEdge(0, this.source.root);
  }

  /**
   * Descends from `node` at `level` along its first (last, when reverse)
   * children; false when the leaf reached is empty (an empty tree).
   */
  private descendEdge(level: number, node: BNode): boolean {
    const nodes = this.nodes;
    const slots = this.slots;
    const reverse = this.reverse;
    for (;;) {
      nodes[level] = node;
      const children = node.children;
      const slot = reverse ? node.count - 1 : 0;
      slots[level] = slot;
      if (children === null) return node.count > 0;
      node = children[slot] as BNode;
      level++;
    }
  }

  private seek(target: string, mode: Seek): boolean {
    const source = this.source;
    source.checkReadable();
    this.version = source.version;
    this.leafLevel = source.depth - 1;
    const nodes = this.nodes;
    const slots = this.slots;
    let node = source.root;
    let prefix = node.prefix;
    let head = keyHead(target, prefix);
    let level = 0;
    for (;;) {
      nodes[level] = node;
      const children = node.children;
      if (children === null) break;
      const slot = childIndex(node, target, head);
      slots[level] = slot;
      node = children[slot] as BNode;
      level++;
      if (node.prefix !== prefix) {
        prefix = node.prefix;
        head = keyHead(target, prefix);
      }
    }
    let i: number;
    switch (mode) {
      case Seek.AtOrAfter:
        i = leafLowerBound(node, target, head);
        break;
      case Seek.After:
        i = leafUpperBound(node, target, head);
        break;
      case Seek.AtOrBefore:
        i = leafUpperBound(node, target, head) - 1;
        break;
      case Seek.Before:
        i = leafLowerBound(node, target, head) - 1;
        break;
      default:
        return unreachable(mode, 'seek mode');
    }
    slots[level] = i;
    if (this.reverse) return i >= 0 || this.siblingLeaf();
    return i < node.count || this.siblingLeaf();
  }

  /** Moves one entry in the scan's direction. */
  private step(): boolean {
    const level = this.leafLevel;
    const slots = this.slots;
    if (this.reverse) {
      const i = (slots[level] as number) - 1;
      slots[level] = i;
      return i >= 0 || this.siblingLeaf();
    }
    const i = (slots[level] as number) + 1;
    slots[level] = i;
    return i < (this.nodes[level] as BNode).count || this.siblingLeaf();
  }

  /** Moves to the first (last, when reverse) entry of the next leaf in the scan's direction. */
  private siblingLeaf(): boolean {
    const nodes = this.nodes;
    const slots = this.slots;
    for (let level = this.leafLevel - 1; level >= 0; level--) {
      const node = nodes[level] as BNode;
      const slot = (slots[level] as number) + (this.reverse ? -1 : 1);
      if (slot >= 0 && slot < node.count) {
        slots[level] = slot;
        return this.descendEdge(level + 1, (node.children as BNode[])[slot] as BNode);
      }
    }
    return false;
  }
}

/** Rejects a key that is not a string (JS callers can pass anything). */
export function checkKey(key: string): void {
  if (typeof key !== 'string') throw new InvalidArgumentError(`B+tree keys are strings, got ${typeof key}`);
}

/** Validates a range from a caller; throws INVALID_ARGUMENT listing every problem. */
export function checkRange(range: BTreeRange): void {
  const { start, end, reverse, limit } = range;
  const startOk = start === undefined || typeof start === 'string';
  const endOk = end === undefined || typeof end === 'string';
  const reverseOk = reverse === undefined || typeof reverse === 'boolean';
  const limitOk = limit === undefined || limit === Infinity || (Number.isInteger(limit) && limit >= 0);
  // The common case allocates nothing: a scan of one key stays cheap.
  if (startOk && endOk && reverseOk && limitOk) return;
  const violations = new OptionsViolations('B+tree range');
  violations.check(startOk, 'start must be a string or undefined');
  violations.check(endOk, 'end must be a string or undefined');
  violations.check(reverseOk, 'reverse must be a boolean or undefined');
  violations.check(limitOk, `limit must be a non-negative integer or Infinity, got ${String(limit)}`);
  violations.throwIfAny();
}
