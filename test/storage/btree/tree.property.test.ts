/**
 * Model-based property test of the copy-on-write B+tree: random sequences
 * of writes, reads, scans, cursors, finished and abandoned editors,
 * exclusive edits and bulk rebuilds are run against the tree and against a
 * sorted-array model. After every step the structural checker must pass and
 * every tree version kept as a snapshot must still hold exactly what it held
 * when it was kept.
 *
 * Small node capacities (4..16) make deep trees out of a few hundred keys,
 * so that splits, merges, redistribution and root changes happen often.
 * Seeded; fast-check shrinks a failure to a minimal sequence. Reproduce a
 * failure with FAIRDB_SEED=<seed>; FAIRDB_SOAK=1 runs far more cases.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressMax, type BTreeEditor, type BTreeRange, BTree, lengthMax, verifyTree } from '../../../storage/btree/index.js';
import { type Entry, SortedModel } from './sorted-model.js';

const soak = Boolean(process.env.FAIRDB_SOAK);
const seed = process.env.FAIRDB_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.FAIRDB_SEED);

// ------------------------------------------------------------ arbitraries

/** Chars that make keys prefixes of each other and hit both ends of the byte range. */
const char = fc.constantFrom('\u0000', '\u0001', 'a', 'b', '\u007f', '\u00fe', '\u00ff');
const shortKey = fc.array(char, { maxLength: 4 }).map((chars) => chars.join(''));
/** Long shared prefixes push the distinguishing bytes past a key head (6 bytes). */
const sharedPrefix = fc.constantFrom('', 'tbl:', 'x'.repeat(9), 'long/'.repeat(5), '\u00ff'.repeat(7));
/** JS strings that are not raw keys still order as strings (heads saturate). */
const exoticKey = fc.constantFrom('\u0100', '\uffff', 'a\u0100b', '\ud800', 'a\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u0100');
const key = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(sharedPrefix, shortKey).map(([p, s]) => p + s) },
  { weight: 3, arbitrary: shortKey },
  { weight: 1, arbitrary: exoticKey },
);
/** Few distinct addresses and lengths, so that a write often repeats one of the two. */
const address = fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 20 }) }, { weight: 1, arbitrary: fc.constant(addressMax) });
const length = fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 5 }) }, { weight: 1, arbitrary: fc.constant(lengthMax) });
const range: fc.Arbitrary<BTreeRange> = fc.record({
  start: fc.option(key, { nil: undefined }),
  end: fc.option(key, { nil: undefined }),
  reverse: fc.boolean(),
  limit: fc.option(fc.nat(30), { nil: undefined }),
});

type Op =
  | { readonly t: 'set'; readonly key: string; readonly address: number; readonly length: number }
  | { readonly t: 'delete'; readonly key: string }
  | { readonly t: 'relocate'; readonly key: string; readonly stale: boolean; readonly address: number; readonly length: number }
  | { readonly t: 'lookup'; readonly key: string; readonly onEditor: boolean }
  | { readonly t: 'scan'; readonly range: BTreeRange; readonly stopAfter: number | undefined; readonly onEditor: boolean }
  | { readonly t: 'cursor'; readonly range: BTreeRange; readonly steps: number; readonly onEditor: boolean }
  | { readonly t: 'cursorWhileEditing'; readonly range: BTreeRange; readonly writes: readonly (readonly [string, number | null])[] }
  | { readonly t: 'scanDeleting'; readonly range: BTreeRange }
  | { readonly t: 'bulkSet'; readonly prefix: string; readonly first: number; readonly count: number; readonly step: number }
  | { readonly t: 'bulkDelete'; readonly range: BTreeRange }
  | { readonly t: 'finish'; readonly keep: boolean; readonly exclusive: boolean }
  | { readonly t: 'abandon' }
  | { readonly t: 'rebuild' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 30, arbitrary: fc.record({ t: fc.constant('set' as const), key, address, length }) },
  { weight: 15, arbitrary: fc.record({ t: fc.constant('delete' as const), key }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('relocate' as const), key, stale: fc.boolean(), address, length }) },
  { weight: 8, arbitrary: fc.record({ t: fc.constant('lookup' as const), key, onEditor: fc.boolean() }) },
  {
    weight: 6,
    arbitrary: fc.record({ t: fc.constant('scan' as const), range, stopAfter: fc.option(fc.nat(10), { nil: undefined }), onEditor: fc.boolean() }),
  },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('cursor' as const), range, steps: fc.nat(40), onEditor: fc.boolean() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('cursorWhileEditing' as const),
      range,
      writes: fc.array(fc.tuple(key, fc.option(address, { nil: null })), { maxLength: 12, size: 'max' }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('scanDeleting' as const), range }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('bulkSet' as const),
      prefix: sharedPrefix,
      first: fc.nat(500),
      count: fc.integer({ min: 1, max: 150 }),
      step: fc.integer({ min: 1, max: 7 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('bulkDelete' as const), range }) },
  { weight: 8, arbitrary: fc.record({ t: fc.constant('finish' as const), keep: fc.boolean(), exclusive: fc.boolean() }) },
  { weight: 2, arbitrary: fc.constant({ t: 'abandon' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'rebuild' as const }) },
);

/** Mostly small nodes for deep trees; 32 and 64 for searches within larger leaves. */
const fanout = fc.constantFrom(4, 5, 6, 8, 16, 32, 64);
const scenario = fc.record({
  leafEntriesMax: fanout,
  branchChildrenMax: fanout,
  initial: fc.uniqueArray(fc.tuple(key, address, length), { selector: ([k]) => k, maxLength: 80, size: 'max' }),
  ops: fc.array(op, { maxLength: soak ? 400 : 100, size: 'max' }),
});

// ------------------------------------------------------------ the runner

function treeEntries(source: BTree | BTreeEditor): Entry[] {
  const out: Entry[] = [];
  source.scan({}, (k, a, l) => void out.push([k, a, l]));
  return out;
}

function collectScan(source: BTree | BTreeEditor, r: BTreeRange, stopAfter: number | undefined): { entries: Entry[]; count: number } {
  const entries: Entry[] = [];
  const count = source.scan(r, (k, a, l) => {
    entries.push([k, a, l]);
    return stopAfter === undefined || entries.length < stopAfter;
  });
  return { entries, count };
}

/** Deep equality of entry lists; the fast loop keeps per-step checks cheap, toEqual explains a mismatch. */
function expectEntries(actual: readonly Entry[], expected: readonly Entry[], what: string): void {
  let same = actual.length === expected.length;
  for (let i = 0; same && i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    same = a[0] === e[0] && a[1] === e[1] && a[2] === e[2];
  }
  if (!same) expect(actual, what).toEqual(expected);
}

function expectSound(source: BTree | BTreeEditor, what: string): void {
  expect(verifyTree(source), what).toEqual([]);
}

/** Snapshots checked after every step; older ones are released. */
const keptMax = 4;

interface Kept {
  readonly tree: BTree;
  readonly model: SortedModel;
  readonly entries: Entry[];
}

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function run(s: Scenario): void {
  const options = { leafEntriesMax: s.leafEntriesMax, branchChildrenMax: s.branchChildrenMax };
  const initial = [...s.initial].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let tree = BTree.fromSorted(
    initial.map(([k]) => k),
    initial.map(([, a]) => a),
    initial.map(([, , l]) => l),
    options,
  );
  let treeModel = SortedModel.from(initial);
  let treeKept = false;
  const kept: Kept[] = [];
  let editor = tree.edit();
  let exclusive = false;
  let model = treeModel.copy();

  const startEditor = (wantExclusive: boolean): void => {
    exclusive = wantExclusive && !treeKept;
    editor = tree.edit({ exclusive });
    model = treeModel.copy();
  };
  const finishEditor = (): void => {
    tree = editor.finish();
    treeModel = model.copy();
    treeKept = false;
    expectSound(tree, 'finished tree');
    expect(tree.size).toBe(treeModel.size);
  };

  for (const o of s.ops) {
    switch (o.t) {
      case 'set':
        editor.set(o.key, o.address, o.length);
        model.set(o.key, o.address, o.length);
        break;
      case 'delete':
        expect(editor.delete(o.key)).toBe(model.delete(o.key));
        break;
      case 'relocate': {
        const current = model.get(o.key);
        const expectAddress = current === undefined ? o.address : o.stale ? current[0] + 1 : current[0];
        expect(editor.relocate(o.key, expectAddress, o.address, o.length)).toBe(model.relocate(o.key, expectAddress, o.address, o.length));
        break;
      }
      case 'lookup': {
        const out = { address: -1, length: -1 };
        const source = o.onEditor ? editor : tree;
        const m = o.onEditor ? model : treeModel;
        if (!o.onEditor && exclusive) break;
        const expected = m.get(o.key);
        expect(source.lookup(o.key, out)).toBe(expected !== undefined);
        expect(source.has(o.key)).toBe(expected !== undefined);
        if (expected !== undefined) expect([out.address, out.length]).toEqual(expected);
        break;
      }
      case 'scan': {
        if (!o.onEditor && exclusive) break;
        const source = o.onEditor ? editor : tree;
        const expected = (o.onEditor ? model : treeModel).range(o.range);
        const visited = o.stopAfter === undefined ? expected : expected.slice(0, Math.max(o.stopAfter, 1));
        const got = collectScan(source, o.range, o.stopAfter === undefined ? undefined : Math.max(o.stopAfter, 1));
        expect(got.entries).toEqual(visited);
        expect(got.count).toBe(visited.length);
        break;
      }
      case 'cursor': {
        if (!o.onEditor && exclusive) break;
        const cursor = (o.onEditor ? editor : tree).cursor(o.range);
        const expected = (o.onEditor ? model : treeModel).range(o.range);
        const got: Entry[] = [];
        for (let i = 0; i < o.steps && cursor.next(); i++) got.push([cursor.key, cursor.address, cursor.length]);
        expect(got).toEqual(expected.slice(0, o.steps));
        // A cursor over a tree is unaffected by later edits of its editor.
        if (!o.onEditor && got.length < expected.length) {
          editor.set(expected[got.length]![0], 7, 7);
          model.set(expected[got.length]![0], 7, 7);
          expect(cursor.next()).toBe(true);
          expect([cursor.key, cursor.address, cursor.length]).toEqual(expected[got.length]);
        }
        break;
      }
      case 'cursorWhileEditing': {
        // Between steps the cursor must continue after its last key, in the editor's current state.
        const cursor = editor.cursor(o.range);
        let remaining = o.range.limit ?? Infinity;
        let last: string | undefined;
        let w = 0;
        for (;;) {
          let expected: Entry | undefined;
          if (remaining === 0) expected = undefined;
          else if (last === undefined) expected = model.range({ ...o.range, limit: 1 })[0];
          else expected = model.following(last, o.range);
          const moved = cursor.next();
          expect(moved).toBe(expected !== undefined);
          if (!moved) break;
          expect([cursor.key, cursor.address, cursor.length]).toEqual(expected);
          last = cursor.key;
          remaining--;
          const write = o.writes[w++];
          if (write === undefined) continue;
          const [k, a] = write;
          if (a === null) expect(editor.delete(k)).toBe(model.delete(k));
          else {
            editor.set(k, a, 1);
            model.set(k, a, 1);
          }
        }
        break;
      }
      case 'scanDeleting': {
        // Deleting each visited key while scanning must still visit the whole range once.
        const expected = model.range(o.range);
        const visited: string[] = [];
        const count = editor.scan(o.range, (k) => {
          visited.push(k);
          expect(editor.delete(k)).toBe(true);
        });
        expect(visited).toEqual(expected.map(([k]) => k));
        expect(count).toBe(expected.length);
        for (const [k] of expected) model.delete(k);
        break;
      }
      case 'bulkSet':
        for (let i = 0; i < o.count; i++) {
          const k = o.prefix + String(o.first + i * o.step).padStart(6, '0');
          editor.set(k, i, o.step);
          model.set(k, i, o.step);
        }
        break;
      case 'bulkDelete':
        for (const [k] of model.range({ ...o.range, limit: undefined })) {
          expect(editor.delete(k)).toBe(true);
          model.delete(k);
        }
        break;
      case 'finish': {
        finishEditor();
        if (o.keep) {
          // The oldest snapshots are released (no longer checked) to bound the cost of a step.
          if (kept.length === keptMax) kept.shift();
          kept.push({ tree, model: treeModel, entries: treeModel.entries() });
          treeKept = true;
        }
        startEditor(o.exclusive);
        break;
      }
      case 'abandon':
        // Dropping a normal editor leaves its tree as it was; an exclusive one cannot be abandoned.
        if (!exclusive) startEditor(false);
        break;
      case 'rebuild': {
        finishEditor();
        const entries = treeModel.entries();
        const rebuilt = BTree.fromSorted(
          entries.map(([k]) => k),
          entries.map(([, a]) => a),
          entries.map(([, , l]) => l),
          options,
        );
        expectSound(rebuilt, 'rebuilt tree');
        expectEntries(treeEntries(rebuilt), treeEntries(tree), 'rebuilt tree');
        tree = rebuilt;
        startEditor(false);
        break;
      }
      default:
        throw new Error(`unknown op ${JSON.stringify(o satisfies never)}`);
    }
    expectSound(editor, `editor after ${o.t}`);
    expect(editor.size).toBe(model.size);
    expectEntries(treeEntries(editor), model.entries(), `editor after ${o.t}`);
    if (!exclusive) expectEntries(treeEntries(tree), treeModel.entries(), `source tree after ${o.t}`);
    for (const k of kept) {
      expectSound(k.tree, 'kept snapshot');
      expect(k.tree.size).toBe(k.entries.length);
      expectEntries(treeEntries(k.tree), k.entries, `kept snapshot after ${o.t}`);
    }
  }
  finishEditor();
  expectEntries(treeEntries(tree), treeModel.entries(), 'final tree');
}

describe('BTree against a sorted-array model', () => {
  it('agrees on every step, stays sound, and never changes a kept snapshot', () => {
    try {
      fc.assert(
        fc.property(scenario, (s) => run(s)),
        { seed, numRuns: soak ? 1_000 : 80 },
      );
    } catch (error) {
      throw new Error(`B+tree model test failed; reproduce with FAIRDB_SEED=${seed}\n${(error as Error).message}`, { cause: error });
    }
  }, soak ? 3_600_000 : 120_000);
});
