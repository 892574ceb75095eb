/**
 * Structural checker for the B+tree: walks every node and reports each
 * violated invariant (see `tree.ts` and `node.ts`). Used after every step
 * of the model-based tests; cheap enough (O(size)) to run on a production
 * index when its integrity is in doubt.
 */
import { assert } from '../device/index.js';
import type { BTreeEditor } from './editor.js';
import { TreeEditor } from './editor.js';
import { commonPrefixLength, keyHead } from './key-head.js';
import type { BNode, Shape } from './node.js';
import { addressMax, lengthMax } from './options.js';
import { BTree } from './tree.js';

/** At most this many problems are reported; the rest are counted. */
const problemsReportedMax = 20;

/**
 * Checks every structural invariant of `tree` (a tree, or an editor's
 * current state) and returns the problems found; an empty array means the
 * tree is sound.
 */
export function verifyTree(tree: BTree | BTreeEditor): string[] {
  let root: BNode;
  let depth: number;
  let size: number;
  let shape: Shape;
  if (tree instanceof BTree) {
    ({ root, depth, size, shape } = tree);
  } else {
    assert(tree instanceof TreeEditor, 'verifyTree takes a tree or an editor from this module');
    ({ root, depth, size, shape } = tree);
  }
  const problems: string[] = [];
  let extra = 0;
  const report = (path: string, message: string): void => {
    if (problems.length < problemsReportedMax) problems.push(`${path}: ${message}`);
    else extra++;
  };
  const seen = new Set<BNode>();
  // Arrays may be shared between versions, never between two nodes of one tree.
  const arrays = new Set<unknown[]>();
  const claim = (path: string, array: unknown[] | null, what: string): void => {
    if (array === null) return;
    if (arrays.has(array)) report(path, `${what} array shared with another node of the tree`);
    arrays.add(array);
  };
  let keys = 0;

  const visit = (node: BNode, level: number, lo: string | undefined, hi: string | undefined, path: string): void => {
    if (seen.has(node)) {
      report(path, 'node reachable twice');
      return;
    }
    seen.add(node);
    claim(path, node.keys, 'keys');
    claim(path, node.heads, 'heads');
    claim(path, node.values, 'values');
    claim(path, node.children, 'children');
    const isLeaf = node.children === null;
    if (isLeaf !== (level === depth - 1)) report(path, `${isLeaf ? 'leaf' : 'branch'} at level ${level} of a tree of depth ${depth}`);
    if (isLeaf === (node.values === null)) report(path, 'a node must have values exactly when it is a leaf');
    const max = isLeaf ? shape.leafMax : shape.branchMax;
    const min = level === 0 ? (isLeaf ? 0 : 2) : isLeaf ? shape.leafMin : shape.branchMin;
    if (!(node.count >= min && node.count <= max)) report(path, `count ${node.count} outside [${min}, ${max}]`);
    const keyCapacity = isLeaf ? max : max - 1;
    if (node.keys.length !== keyCapacity || node.heads.length !== keyCapacity) report(path, 'key arrays do not have the node capacity');
    const prefix = lo === undefined || hi === undefined ? 0 : commonPrefixLength(lo, hi);
    if (node.prefix !== prefix) report(path, `prefix ${node.prefix}, but its fences share ${prefix} chars`);
    const n = isLeaf ? node.count : Math.max(node.count - 1, 0);
    for (let i = 0; i < n; i++) {
      const key = node.keys[i] as string;
      if (typeof key !== 'string') {
        report(path, `key ${i} is not a string`);
        continue;
      }
      if (i > 0 && !((node.keys[i - 1] as string) < key)) report(path, `key ${i} is not above key ${i - 1}`);
      if (lo !== undefined && key < lo) report(path, `key ${i} is below the node's low fence`);
      if (hi !== undefined && !(key < hi)) report(path, `key ${i} is not below the node's high fence`);
      if (node.heads[i] !== keyHead(key, node.prefix)) report(path, `head ${i} does not match its key`);
    }
    for (let i = n; i < keyCapacity; i++) {
      if (node.keys[i] !== '' || node.heads[i] !== 0) report(path, `unused slot ${i} is not cleared`);
    }
    if (isLeaf) {
      const values = node.values as number[];
      if (values.length !== 2 * max) report(path, 'values array does not have the node capacity');
      for (let i = 0; i < node.count; i++) {
        const address = values[2 * i] as number;
        const length = values[2 * i + 1] as number;
        if (!(Number.isInteger(address) && address >= 0 && address <= addressMax)) report(path, `address ${i} is ${address}`);
        if (!(Number.isInteger(length) && length >= 0 && length <= lengthMax)) report(path, `length ${i} is ${length}`);
      }
      for (let i = node.count; i < max; i++) {
        if (values[2 * i] !== 0 || values[2 * i + 1] !== 0) report(path, `unused value slot ${i} is not cleared`);
      }
      keys += node.count;
      return;
    }
    const children = node.children as (BNode | null)[];
    if (children.length !== max) report(path, 'children array does not have the node capacity');
    for (let i = node.count; i < max; i++) {
      if (children[i] !== null) report(path, `unused child slot ${i} is not cleared`);
    }
    for (let i = 0; i < node.count; i++) {
      const child = children[i];
      if (child === null || child === undefined) {
        report(path, `child ${i} is missing`);
        continue;
      }
      const childLo = i === 0 ? lo : node.keys[i - 1];
      const childHi = i === node.count - 1 ? hi : node.keys[i];
      visit(child, level + 1, childLo, childHi, `${path}/${i}`);
    }
  };

  visit(root, 0, undefined, undefined, 'root');
  if (keys !== size) report('tree', `size is ${size}, but the leaves hold ${keys} keys`);
  if (extra > 0) problems.push(`... and ${extra} more problems`);
  return problems;
}
