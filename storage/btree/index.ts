/**
 * The in-memory ordered index of the KV engine: a copy-on-write B+tree from
 * keys (binary strings) to the location of their latest value in the log.
 * See `tree.ts` for the model and invariants, `editor.ts` for writes and
 * `node.ts` for the node layout.
 */
export { BTree, type BTreeEditOptions, type BTreeStats } from './tree.js';
export type { BTreeEditor } from './editor.js';
export type { BTreeCursor, BTreeRange, BTreeVisitor, ValueLocation } from './cursor.js';
export {
  type BTreeOptions,
  addressMax,
  lengthMax,
  fanoutMin,
  fanoutMax,
  leafEntriesDefault,
  branchChildrenDefault,
} from './options.js';
export { verifyTree } from './verify.js';
