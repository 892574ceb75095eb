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

/** Default entries per leaf. */
export const leafEntriesDefault = 64;

/** Default children per branch node; see `leafEntriesDefault`. */
export const branchChildrenDefault = 64;

export interface BTreeOptions {
  /**
   * Capacity of a leaf, in entries (key, address, length). Leaves other
   * than the root always hold at least half of it.
   * Integer in [`fanoutMin`, `fanoutMax`]; default `leafEntriesDefault` (64).
   */
  readonly leafEntriesMax?: number;
  /**
   * Capacity of a branch node, in children. Branches other than the root
   * always hold at least half of it; the root branch at least two.
   * Integer in [`fanoutMin`, `fanoutMax`]; default `branchChildrenDefault` (64).
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
