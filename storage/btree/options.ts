/**
 * Options and limits of the B+tree index: node capacities (the fanout) and
 * the bounds of the two numbers stored per key.
 */
import { OptionsViolations } from '../device/index.js';

/** Largest value address (device offset) a tree stores: addresses are below 2^48. */
export const addressMax = 2 ** 48 - 1;

/** Largest value length, in bytes, a tree stores. */
export const lengthMax = 2 ** 31;

/** Smallest node capacity (entries per leaf, children per branch) a tree accepts. */
export const fanoutMin = 4;

/** Largest node capacity (entries per leaf, children per branch) a tree accepts. */
export const fanoutMax = 1024;

/**
 * Default entries per leaf, chosen by measurement on 1M random 16-byte keys
 * aged by 300k random inserts (`node dist/bench/btree.js --sweep`, figures
 * in README.md): against 64/64, 128/128 scans about 1.6x faster and looks
 * up as fast or faster (one level fewer at this size), while one-key edits
 * of a shared tree, which copy a node per level, are about 25% slower;
 * below 32 lookups lose a level. The KV engine copies only while a reader
 * holds the current tree, so reads decide.
 */
export const leafEntriesDefault = 128;

/** Default children per branch node; see `leafEntriesDefault`. */
export const branchChildrenDefault = 128;

export interface BTreeOptions {
  /**
   * Capacity of a leaf, in entries (key, address, length). Leaves other
   * than the root always hold at least half of it.
   * Integer in [`fanoutMin`, `fanoutMax`]; default `leafEntriesDefault` (128).
   */
  readonly leafEntriesMax?: number;
  /**
   * Capacity of a branch node, in children. Branches other than the root
   * always hold at least half of it; the root branch at least two.
   * Integer in [`fanoutMin`, `fanoutMax`]; default `branchChildrenDefault` (128).
   */
  readonly branchChildrenMax?: number;
}

export interface ResolvedBTreeOptions {
  readonly leafEntriesMax: number;
  readonly branchChildrenMax: number;
}

/** Resolves defaults and validates every field at once; the result is frozen. */
export function resolveBTreeOptions(options: BTreeOptions = {}): ResolvedBTreeOptions {
  const resolved = {
    leafEntriesMax: options.leafEntriesMax ?? leafEntriesDefault,
    branchChildrenMax: options.branchChildrenMax ?? branchChildrenDefault,
  };
  const violations = new OptionsViolations('B+tree options');
  for (const [name, value] of Object.entries(resolved)) {
    violations.check(
      Number.isInteger(value) && value >= fanoutMin && value <= fanoutMax,
      `${name} must be an integer in [${fanoutMin}, ${fanoutMax}], got ${String(value)}`,
    );
  }
  violations.throwIfAny();
  return Object.freeze(resolved);
}
