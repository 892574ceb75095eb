/**
 * Bulk building from sorted input (loading a checkpoint): O(n), one pass per
 * level, every node packed full except that each level's entries are dealt
 * out evenly, so that every non-root node still holds at least half its
 * capacity.
 */
import { InvalidArgumentError } from '../device/index.js';
import { commonPrefixLength, keyHead } from './key-head.js';
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
  const n = keys.length;
  if (addresses.length !== n || lengths.length !== n) {
    throw new InvalidArgumentError(
      `fromSorted needs as many addresses and lengths as keys: ${n} keys, ${addresses.length} addresses, ${lengths.length} lengths`,
    );
  }
  if (n === 0) return { root: shape.newLeaf(owner), depth: 1 };

  // Leaves. Validation, copying and heads share one pass: reading a key
  // string is likely a cache miss, so each string is read once, in order.
  const leafCount = Math.ceil(n / shape.leafMax);
  let level: BNode[] = new Array<BNode>(leafCount);
  // The smallest key under each node of `level`: its low fence, and the separator before it.
  let mins: string[] = new Array<string>(leafCount);
  let from = 0;
  let previous: string | undefined;
  for (let j = 0; j < leafCount; j++) {
    const size = share(n, leafCount, j);
    const leaf = shape.newLeaf(owner);
    // The fences of leaf j are its own first key and the next leaf's first key.
    const prefix = j === 0 || j === leafCount - 1 ? 0 : commonPrefixLength(checkedKey(keys, from), checkedKey(keys, from + size));
    leaf.prefix = prefix;
    const leafKeys = leaf.keys;
    const heads = leaf.heads;
    const values = leaf.values as number[];
    for (let i = 0; i < size; i++) {
      const at = from + i;
      const key = checkedKey(keys, at);
      if (previous !== undefined && !(previous < key)) {
        throw new InvalidArgumentError(`fromSorted: keys must be strictly increasing, but key ${at} ${previous === key ? 'repeats' : 'is below'} key ${at - 1}`);
      }
      previous = key;
      const address = addresses[at] as number;
      if (!(Number.isInteger(address) && address >= 0 && address <= addressMax)) {
        throw new InvalidArgumentError(`fromSorted: address ${at} must be an integer in [0, 2^48), got ${String(address)}`);
      }
      const length = lengths[at] as number;
      if (!(Number.isInteger(length) && length >= 0 && length <= lengthMax)) {
        throw new InvalidArgumentError(`fromSorted: length ${at} must be an integer in [0, 2^31], got ${String(length)}`);
      }
      leafKeys[i] = key;
      heads[i] = keyHead(key, prefix);
      values[2 * i] = address;
      values[2 * i + 1] = length;
    }
    leaf.count = size;
    level[j] = leaf;
    mins[j] = keys[from] as string;
    from += size;
  }

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
    // The fences of branch b are the smallest keys under it and under branch b + 1.
    for (let b = 0; b < branchCount; b++) {
      setFences(upper[b] as BNode, b === 0 ? undefined : upperMins[b], b === branchCount - 1 ? undefined : upperMins[b + 1]);
    }
    level = upper;
    mins = upperMins;
    depth++;
  }
  return { root: level[0] as BNode, depth };
}

function checkedKey(keys: readonly string[], at: number): string {
  const key = keys[at];
  if (typeof key !== 'string') throw new InvalidArgumentError(`fromSorted: key ${at} is not a string`);
  return key;
}

/** Size of part `j` when `total` items are dealt out as evenly as possible into `parts`. */
function share(total: number, parts: number, j: number): number {
  return Math.floor(total / parts) + (j < total % parts ? 1 : 0);
}
