/**
 * Bulk building from sorted input (loading a checkpoint): O(n), one pass per
 * level, every node packed full except that each level's entries are dealt
 * out evenly, so that every non-root node still holds at least half its
 * capacity.
 */
import { InvalidArgumentError } from '../device/index.js';
import { type BNode, type Owner, type Shape, setFences } from './node.js';
import { addressMax, lengthMax } from './options.js';

export interface BuiltTree {
  readonly root: BNode;
  readonly depth: number;
}

/**
 * Builds the nodes for `keys` (strictly increasing) with their locations.
 * Input is validated, not asserted: it may come from a checkpoint on disk.
 * Throws INVALID_ARGUMENT naming the first offending index.
 */
export function buildSorted(
  keys: readonly string[],
  addresses: ArrayLike<number>,
  lengths: ArrayLike<number>,
  shape: Shape,
  owner: Owner,
): BuiltTree {
  validate(keys, addresses, lengths);
  const n = keys.length;
  if (n === 0) return { root: shape.newLeaf(owner), depth: 1 };

  // Leaves.
  const leafCount = Math.ceil(n / shape.leafMax);
  let level: BNode[] = new Array<BNode>(leafCount);
  // The smallest key under each node of `level`: its low fence, and the separator before it.
  let mins: string[] = new Array<string>(leafCount);
  let from = 0;
  for (let j = 0; j < leafCount; j++) {
    const size = share(n, leafCount, j);
    const leaf = shape.newLeaf(owner);
    const leafKeys = leaf.keys;
    const values = leaf.values as number[];
    for (let i = 0; i < size; i++) {
      leafKeys[i] = keys[from + i] as string;
      values[2 * i] = addresses[from + i] as number;
      values[2 * i + 1] = lengths[from + i] as number;
    }
    leaf.count = size;
    level[j] = leaf;
    mins[j] = keys[from] as string;
    from += size;
  }
  setLevelFences(level, mins);

  // Branch levels, bottom up, until one node remains.
  let depth = 1;
  while (level.length > 1) {
    const m = level.length;
    const branchCount = Math.ceil(m / shape.branchMax);
    const upper = new Array<BNode>(branchCount);
    const upperMins = new Array<string>(branchCount);
    let first = 0;
    for (let b = 0; b < branchCount; b++) {
      const size = share(m, branchCount, b);
      const branch = shape.newBranch(owner);
      const children = branch.children as (BNode | null)[];
      for (let i = 0; i < size; i++) {
        children[i] = level[first + i] as BNode;
        if (i > 0) branch.keys[i - 1] = mins[first + i] as string;
      }
      branch.count = size;
      upper[b] = branch;
      upperMins[b] = mins[first] as string;
      first += size;
    }
    setLevelFences(upper, upperMins);
    level = upper;
    mins = upperMins;
    depth++;
  }
  return { root: level[0] as BNode, depth };
}

/** Size of part `j` when `total` items are dealt out as evenly as possible into `parts`. */
function share(total: number, parts: number, j: number): number {
  return Math.floor(total / parts) + (j < total % parts ? 1 : 0);
}

/** The fences of node j of a level are the smallest keys under nodes j and j + 1. */
function setLevelFences(level: readonly BNode[], mins: readonly string[]): void {
  const last = level.length - 1;
  for (let j = 0; j <= last; j++) {
    setFences(level[j] as BNode, j === 0 ? undefined : mins[j], j === last ? undefined : mins[j + 1]);
  }
}

function validate(keys: readonly string[], addresses: ArrayLike<number>, lengths: ArrayLike<number>): void {
  const n = keys.length;
  if (addresses.length !== n || lengths.length !== n) {
    throw new InvalidArgumentError(
      `fromSorted needs as many addresses and lengths as keys: ${n} keys, ${addresses.length} addresses, ${lengths.length} lengths`,
    );
  }
  let previous: string | undefined;
  for (let i = 0; i < n; i++) {
    const key = keys[i];
    if (typeof key !== 'string') throw new InvalidArgumentError(`fromSorted: key ${i} is not a string`);
    if (previous !== undefined && !(previous < key)) {
      throw new InvalidArgumentError(`fromSorted: keys must be strictly increasing, but key ${i} ${previous === key ? 'repeats' : 'is below'} key ${i - 1}`);
    }
    previous = key;
    const address = addresses[i] as number;
    if (!(Number.isInteger(address) && address >= 0 && address <= addressMax)) {
      throw new InvalidArgumentError(`fromSorted: address ${i} must be an integer in [0, 2^48), got ${String(address)}`);
    }
    const length = lengths[i] as number;
    if (!(Number.isInteger(length) && length >= 0 && length <= lengthMax)) {
      throw new InvalidArgumentError(`fromSorted: length ${i} must be an integer in [0, 2^31], got ${String(length)}`);
    }
  }
}
