import { describe, expect, it } from 'vitest';
import { AssertionError, FairdbError, InvalidArgumentError, seededRandom } from '../../../storage/device/index.js';
import {
  addressMax,
  type BTreeEditor,
  type BTreeOptions,
  type BTreeRange,
  BTree,
  fanoutMax,
  fanoutMin,
  lengthMax,
  verifyTree,
} from '../../../storage/btree/index.js';
import { TreeEditor } from '../../../storage/btree/editor.js';
import type { BNode } from '../../../storage/btree/node.js';
import { type Entry, SortedModel } from './sorted-model.js';

const small: BTreeOptions = { leafEntriesMax: 4, branchChildrenMax: 4 };

function build(keys: readonly string[], options?: BTreeOptions): BTree {
  const editor = BTree.empty(options).edit();
  keys.forEach((key, i) => editor.set(key, i, key.length));
  return editor.finish();
}

function entries(source: BTree | BTreeEditor, range: BTreeRange = {}): Entry[] {
  const out: Entry[] = [];
  source.scan(range, (k, a, l) => void out.push([k, a, l]));
  return out;
}

function cursorEntries(source: BTree | BTreeEditor, range: BTreeRange = {}): Entry[] {
  const cursor = source.cursor(range);
  const out: Entry[] = [];
  while (cursor.next()) out.push([cursor.key, cursor.address, cursor.length]);
  expect(cursor.next()).toBe(false);
  return out;
}

/** Every range shape over `bounds`: open or bound at each end, both directions, with and without a limit. */
function* ranges(bounds: readonly string[]): Generator<BTreeRange> {
  const options = [undefined, ...bounds];
  for (const start of options)
    for (const end of options)
      for (const reverse of [false, true])
        for (const limit of [undefined, 0, 1, 3]) yield { start, end, reverse, limit };
}

/** Checks every range over `bounds` against the model, through scan and cursor. */
function expectRangesMatch(tree: BTree, model: SortedModel, bounds: readonly string[]): void {
  for (const range of ranges(bounds)) {
    const expected = model.range(range);
    expect(entries(tree, range), JSON.stringify(range)).toEqual(expected);
    expect(cursorEntries(tree, range), JSON.stringify(range)).toEqual(expected);
  }
}

/** Every node reachable from a tree or an editor (internal, for copy-on-write checks). */
function nodesOf(root: BNode): Set<BNode> {
  const out = new Set<BNode>();
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop() as BNode;
    out.add(node);
    if (node.children !== null) for (let i = 0; i < node.count; i++) stack.push(node.children[i] as BNode);
  }
  return out;
}

function randomKeys(seed: number, count: number, bytes: number): string[] {
  const random = seededRandom(seed);
  const set = new Set<string>();
  const buffer = Buffer.alloc(bytes);
  while (set.size < count) set.add(Buffer.from(random.fill(buffer)).toString('latin1'));
  return [...set];
}

describe('edge cases', () => {
  it('an empty tree has no keys in any range', () => {
    for (const options of [undefined, small]) {
      const tree = BTree.empty(options);
      expect(tree.size).toBe(0);
      expect(tree.lookup('a', { address: 0, length: 0 })).toBe(false);
      expect(tree.has('')).toBe(false);
      for (const range of ranges(['', 'a'])) {
        expect(tree.scan(range, () => expect.unreachable())).toBe(0);
        expect(tree.cursor(range).next()).toBe(false);
      }
      expect(tree.stats()).toMatchObject({ depth: 1, nodes: 1, leaves: 1, branches: 0, size: 0 });
      expect(verifyTree(tree)).toEqual([]);
    }
  });

  it('a single key, including the empty key, is found and bounded correctly', () => {
    for (const key of ['', 'k', '\u0000', '\u00ff']) {
      const tree = build([key]);
      const out = { address: -1, length: -1 };
      expect(tree.lookup(key, out)).toBe(true);
      expect(out).toEqual({ address: 0, length: key.length });
      expect(tree.has(key + '\u0000')).toBe(false);
      expectRangesMatch(tree, SortedModel.from([[key, 0, key.length]]), ['', '\u0000', key, key + '\u0000', '\u00ff']);
    }
  });

  it('orders keys that are prefixes of each other, and NUL and 0xff chars, by JS string order', () => {
    const keys = [
      '', '\u0000', '\u0000\u0000', '\u0000\u0001', 'a', 'a\u0000', 'a\u0000\u0000', 'a\u0001', 'ab', 'abc', 'abd', 'b',
      '\u00fe', '\u00ff', '\u00ff\u0000', '\u00ff\u00ff', '\u00ff\u00ff\u00ff', 'p'.repeat(7), 'p'.repeat(8), 'p'.repeat(7) + '\u0000',
    ];
    const shuffled = seededRandom(7).shuffle(keys.slice());
    const tree = build(shuffled, small);
    expect(verifyTree(tree)).toEqual([]);
    const model = SortedModel.from(shuffled.map((k, i) => [k, i, k.length]));
    expect(entries(tree).map(([k]) => k)).toEqual(keys.slice().sort());
    for (const key of keys) expect(tree.has(key)).toBe(true);
    for (const key of keys) expect(tree.has(key + '\u0001')).toBe(keys.includes(key + '\u0001'));
    expectRangesMatch(tree, model, ['', '\u0000', 'a', 'a\u0000', 'ab', 'abc\u0000', 'p'.repeat(7), '\u00ff', '\u00ff\u00ff\u00ff\u00ff']);
  });

  it('handles long keys that differ only far past the key head, at and beyond the key codec limit', () => {
    const base = 'L'.repeat(1977);
    const keys: string[] = [];
    for (let c = 0; c < 40; c++) keys.push(base + String.fromCharCode(c * 6));
    keys.push(base, 'L'.repeat(10_000), 'L'.repeat(1000) + 'M');
    const tree = build(seededRandom(3).shuffle(keys.slice()), small);
    expect(verifyTree(tree)).toEqual([]);
    expect(tree.size).toBe(keys.length);
    for (const key of keys) expect(tree.has(key)).toBe(true);
    expect(tree.has(base + '\u0001')).toBe(false);
    const model = SortedModel.from(entries(tree));
    expectRangesMatch(tree, model, [base, base + '\u0005', base + '\u00ff', 'L'.repeat(1000)]);
    // Fences deep in the tree share most of the key: heads are taken after that prefix.
    const fromSorted = BTree.fromSorted(model.entries().map(([k]) => k), model.entries().map(([, a]) => a), model.entries().map(([, , l]) => l), small);
    expect(verifyTree(fromSorted)).toEqual([]);
    expect(entries(fromSorted)).toEqual(entries(tree));
  });

  it('finds every key and no gap in full leaves whose keys are spread evenly, unevenly or in clusters', () => {
    const byte = (n: number): string => String.fromCharCode(n & 255);
    const be = (n: number): string => byte(n / 2 ** 40) + byte(n / 2 ** 32) + byte(n >>> 24) + byte(n >>> 16) + byte(n >>> 8) + byte(n);
    const spreads: Record<string, (i: number) => number> = {
      even: (i) => i * 1_000_003,
      cubic: (i) => i ** 3 * 977,
      clustered: (i) => (i % 8) * 2 ** 40 + Math.floor(i / 8),
      exponential: (i) => Math.floor(1.09 ** i),
    };
    for (const [name, spread] of Object.entries(spreads)) {
      const numbers = [...new Set(Array.from({ length: 300 }, (_, i) => spread(i)))].sort((a, b) => a - b);
      const keys = numbers.map((n) => 'p' + be(n));
      const tree = BTree.fromSorted(keys, keys.map((_, i) => i), keys.map(() => 1), { leafEntriesMax: 128, branchChildrenMax: 4 });
      expect(verifyTree(tree), name).toEqual([]);
      const present = new Set(keys);
      for (const n of numbers) {
        for (const probe of [n - 1, n, n + 1]) {
          const key = 'p' + be(probe);
          expect(tree.has(key), `${name} ${probe}`).toBe(present.has(key));
        }
        expect(tree.has('p' + be(n) + '\u0000'), name).toBe(false);
      }
      expect(tree.has('o'), name).toBe(false);
      expect(tree.has('q'), name).toBe(false);
    }
  });

  it('treats __proto__ and constructor as ordinary keys', () => {
    const tree = build(['__proto__', 'constructor', 'toString', 'hasOwnProperty']);
    expect(tree.has('__proto__')).toBe(true);
    expect(tree.has('constructor')).toBe(true);
    expect(tree.has('valueOf')).toBe(false);
    expect(entries(tree).map(([k]) => k)).toEqual(['__proto__', 'constructor', 'hasOwnProperty', 'toString']);
  });
});

describe('fromSorted', () => {
  it('builds the same content as inserting one key at a time, for several fanouts', () => {
    const keys = randomKeys(11, 5_000, 6).sort();
    const addresses = keys.map((_, i) => i * 10);
    const lengths = keys.map((k) => k.charCodeAt(0));
    for (const options of [small, { leafEntriesMax: 5, branchChildrenMax: 7 }, undefined]) {
      const bulk = BTree.fromSorted(keys, addresses, lengths, options);
      const editor = BTree.empty(options).edit();
      for (const i of seededRandom(12).shuffle(keys.map((_, i) => i))) editor.set(keys[i]!, addresses[i]!, lengths[i]!);
      const incremental = editor.finish();
      expect(verifyTree(bulk)).toEqual([]);
      expect(verifyTree(incremental)).toEqual([]);
      expect(bulk.size).toBe(keys.length);
      expect(entries(bulk)).toEqual(entries(incremental));
      // A bulk-built tree packs its leaves full.
      expect(bulk.stats().leafFill).toBeGreaterThan(0.95);
    }
  });

  it('accepts typed arrays and every size around a node boundary', () => {
    for (let n = 0; n <= 40; n++) {
      const keys = Array.from({ length: n }, (_, i) => String(i).padStart(3, '0'));
      const tree = BTree.fromSorted(keys, new Float64Array(n).fill(addressMax), new Uint32Array(n).fill(lengthMax), small);
      expect(verifyTree(tree)).toEqual([]);
      expect(entries(tree)).toEqual(keys.map((k) => [k, addressMax, lengthMax]));
    }
  });

  it('rejects unsorted, duplicate and malformed input with INVALID_ARGUMENT', () => {
    const bad: [readonly string[], ArrayLike<number>, ArrayLike<number>, RegExp][] = [
      [['b', 'a'], [0, 0], [0, 0], /key 1 is below key 0/],
      [['a', 'a'], [0, 0], [0, 0], /key 1 repeats key 0/],
      [['a', 7 as unknown as string], [0, 0], [0, 0], /key 1 is not a string/],
      [['a'], [0, 0], [0], /as many addresses and lengths as keys/],
      [['a'], [-1], [0], /address 0/],
      [['a'], [addressMax + 1], [0], /address 0/],
      [['a'], [1.5], [0], /address 0/],
      [['a'], [Number.NaN], [0], /address 0/],
      [['a'], [0], [lengthMax + 1], /length 0/],
      [['a'], [0], [-1], /length 0/],
    ];
    for (const [keys, addresses, lengths, message] of bad) {
      let caught: unknown;
      try {
        BTree.fromSorted(keys, addresses, lengths);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InvalidArgumentError);
      expect((caught as FairdbError).code).toBe('INVALID_ARGUMENT');
      expect((caught as Error).message).toMatch(message);
    }
  });
});

describe('limits and validation', () => {
  it('stores addresses and lengths up to their limits; one past is a programmer error', () => {
    const editor = BTree.empty().edit();
    editor.set('max', addressMax, lengthMax);
    const out = { address: 0, length: 0 };
    expect(editor.lookup('max', out)).toBe(true);
    expect(out).toEqual({ address: addressMax, length: lengthMax });
    expect(() => editor.set('a', addressMax + 1, 0)).toThrow(AssertionError);
    expect(() => editor.set('a', 0, lengthMax + 1)).toThrow(AssertionError);
    expect(() => editor.set('a', -1, 0)).toThrow(AssertionError);
    expect(() => editor.set('a', 0.5, 0)).toThrow(AssertionError);
    expect(editor.size).toBe(1);
  });

  it('validates node capacities at their limits and reports every violation at once', () => {
    for (const n of [fanoutMin, fanoutMax]) {
      const tree = BTree.fromSorted(['a', 'b'], [1, 2], [3, 4], { leafEntriesMax: n, branchChildrenMax: n });
      expect(tree.stats()).toMatchObject({ leafEntriesMax: n, branchChildrenMax: n });
    }
    expect(() => BTree.empty({ leafEntriesMax: fanoutMin - 1, branchChildrenMax: fanoutMax + 1 })).toThrow(
      /leafEntriesMax must be an integer in \[4, 1024\], got 3; branchChildrenMax must be an integer in \[4, 1024\], got 1025/,
    );
    expect(() => BTree.empty({ leafEntriesMax: 8.5 })).toThrow(InvalidArgumentError);
  });

  it('validates scan ranges with typed errors; a limit of 0 visits nothing', () => {
    const tree = build(['a', 'b', 'c']);
    for (const limit of [-1, 1.5, Number.NaN]) {
      expect(() => tree.scan({ limit }, () => {})).toThrow(InvalidArgumentError);
      expect(() => tree.cursor({ limit })).toThrow(InvalidArgumentError);
    }
    expect(() => tree.scan({ start: 5 as unknown as string, reverse: 'yes' as unknown as boolean }, () => {})).toThrow(
      /start must be a string or undefined; reverse must be a boolean/,
    );
    expect(tree.scan({ limit: 0 }, () => expect.unreachable())).toBe(0);
    expect(tree.scan({ limit: Infinity }, () => {})).toBe(3);
  });

  it('rejects keys that are not strings with INVALID_ARGUMENT', () => {
    const tree = build(['a']);
    const editor = tree.edit();
    const out = { address: 0, length: 0 };
    for (const bad of [5, undefined, null, { toString: () => 'a' }] as unknown as string[]) {
      expect(() => tree.lookup(bad, out)).toThrow(InvalidArgumentError);
      expect(() => tree.has(bad)).toThrow(InvalidArgumentError);
      expect(() => editor.set(bad, 1, 1)).toThrow(InvalidArgumentError);
      expect(() => editor.delete(bad)).toThrow(InvalidArgumentError);
      expect(() => editor.relocate(bad, 0, 1, 1)).toThrow(InvalidArgumentError);
    }
    expect(editor.finish().size).toBe(1);
  });

  it('counts the key at which the visitor stopped', () => {
    const tree = build(['a', 'b', 'c', 'd']);
    const seen: string[] = [];
    expect(tree.scan({ reverse: true }, (k) => (seen.push(k), k !== 'c'))).toBe(2);
    expect(seen).toEqual(['d', 'c']);
  });
});

describe('editors', () => {
  it('relocate replaces a location only while it still has the expected address', () => {
    const editor = BTree.empty().edit();
    editor.set('k', 10, 3);
    expect(editor.relocate('k', 11, 20, 3)).toBe(false);
    expect(editor.relocate('absent', 10, 20, 3)).toBe(false);
    // Same address, new length: still a replacement.
    expect(editor.relocate('k', 10, 10, 4)).toBe(true);
    const out = { address: 0, length: 0 };
    editor.lookup('k', out);
    expect(out).toEqual({ address: 10, length: 4 });
    expect(editor.relocate('k', 10, 30, 5)).toBe(true);
    editor.lookup('k', out);
    expect(out).toEqual({ address: 30, length: 5 });
  });

  it('refuses use after finish', () => {
    const editor = BTree.empty().edit();
    const cursor = editor.cursor({});
    editor.set('a', 1, 1);
    editor.finish();
    expect(() => editor.set('b', 1, 1)).toThrow(AssertionError);
    expect(() => editor.has('a')).toThrow(AssertionError);
    expect(() => editor.finish()).toThrow(AssertionError);
    expect(() => cursor.next()).toThrow(AssertionError);
  });

  it('an editor copies each shared node at most once and never copies its own nodes', () => {
    const keys = randomKeys(21, 20_000, 8).sort();
    const source = BTree.fromSorted(keys, keys.map((_, i) => i), keys.map(() => 1));
    const sourceNodes = nodesOf(source.root);
    const editor = source.edit() as TreeEditor;
    const random = seededRandom(22);
    let before = nodesOf(editor.root);
    for (let i = 0; i < 1_000; i++) {
      editor.set(random.pick(keys), 1_000_000 + i, 2);
      const after = nodesOf(editor.root);
      // Every node that left the editor's tree was a node of the source: owned nodes are edited in place.
      for (const node of before) if (!after.has(node)) expect(sourceNodes.has(node)).toBe(true);
      before = after;
    }
    expect(verifyTree(source)).toEqual([]);
    expect(entries(source)).toEqual(keys.map((k, i) => [k, i, 1]));
  });

  it('a one-key update copies exactly the root-to-leaf path, and not its keys', () => {
    const keys = randomKeys(23, 20_000, 8).sort();
    let tree = BTree.fromSorted(keys, keys.map((_, i) => i), keys.map(() => 1));
    const depth = tree.stats().depth;
    expect(depth).toBeGreaterThan(2);
    for (let i = 0; i < 50; i++) {
      const old = nodesOf(tree.root);
      const editor = tree.edit();
      editor.set(keys[(i * 397) % keys.length]!, 5, 5);
      const next = editor.finish();
      const fresh = [...nodesOf(next.root)].filter((node) => !old.has(node));
      expect(fresh.length).toBe(depth);
      // An update copies values and child pointers only; keys and heads stay shared with the old version.
      const oldKeys = new Set([...old].map((node) => node.keys));
      for (const node of fresh) expect(oldKeys.has(node.keys)).toBe(true);
      tree = next;
    }
  });

  it('a write that changes nothing copies nothing', () => {
    const tree = BTree.fromSorted(['a', 'b', 'c'], [1, 2, 3], [1, 1, 1]);
    const editor = tree.edit();
    editor.set('b', 2, 1);
    expect(editor.delete('absent')).toBe(false);
    expect(editor.relocate('c', 99, 5, 5)).toBe(false);
    expect(editor.finish().root).toBe(tree.root);
  });
});

describe('exclusive edits', () => {
  it('edit in place the nodes of their own lineage and copy the nodes an older snapshot shares', () => {
    const keys = randomKeys(31, 5_000, 8).sort();
    const snapshot = BTree.fromSorted(keys, keys.map(() => 1), keys.map(() => 1), small);
    const snapshotEntries = entries(snapshot);
    // A normal edit: the new tree shares most nodes with the snapshot.
    const first = snapshot.edit();
    first.set(keys[0]!, 2, 2);
    let current = first.finish();
    for (let round = 0; round < 20; round++) {
      const rootBefore = current.root;
      const editor = current.edit({ exclusive: true });
      // Updates of present keys and deletes of others: no split can replace the root.
      editor.set(keys[0]!, 3 + round, 2);
      editor.set(keys[1 + ((round * 211) % 4_000)]!, 100 + round, 2);
      if (round % 3 === 0) expect(editor.delete(keys[keys.length - 1 - round]!)).toBe(true);
      const next = editor.finish();
      // The root belongs to the lineage since the first edit: it is edited in place.
      expect(next.root).toBe(rootBefore);
      expect(() => current.has(keys[0]!)).toThrow(AssertionError);
      expect(verifyTree(next)).toEqual([]);
      current = next;
    }
    expect(verifyTree(snapshot)).toEqual([]);
    expect(entries(snapshot)).toEqual(snapshotEntries);
  });

  it('consume the tree: cursors over it and reads of it fail loudly', () => {
    const tree = build(['a', 'b', 'c']);
    const cursor = tree.cursor({});
    expect(cursor.next()).toBe(true);
    tree.edit({ exclusive: true }).set('d', 1, 1);
    expect(() => cursor.next()).toThrow(AssertionError);
    expect(() => tree.lookup('a', { address: 0, length: 0 })).toThrow(AssertionError);
    expect(() => tree.scan({}, () => {})).toThrow(AssertionError);
    expect(() => tree.edit()).toThrow(AssertionError);
  });

  it('are refused on a tree a finished edit was derived from', () => {
    const tree = build(['a', 'b']);
    tree.edit().finish();
    expect(() => tree.edit({ exclusive: true })).toThrow(AssertionError);
    // An abandoned normal edit does not count.
    const other = build(['a']);
    other.edit().set('b', 1, 1);
    expect(other.edit({ exclusive: true }).finish().size).toBe(1);
  });
});

describe('shape under workloads', () => {
  it('stays at least half full under delete-heavy work and shrinks back to one leaf', () => {
    const keys = randomKeys(41, 20_000, 8);
    const editor = BTree.empty().edit();
    keys.forEach((k, i) => editor.set(k, i, 1));
    const random = seededRandom(42);
    const order = random.shuffle(keys.slice());
    for (let i = 0; i < order.length * 0.95; i++) expect(editor.delete(order[i]!)).toBe(true);
    let tree = editor.finish();
    expect(verifyTree(tree)).toEqual([]);
    expect(tree.size).toBe(keys.length - Math.ceil(order.length * 0.95));
    expect(tree.stats().leafFill).toBeGreaterThanOrEqual(0.5);
    const last = tree.edit();
    for (const k of order) last.delete(k);
    tree = last.finish();
    expect(tree.stats()).toMatchObject({ depth: 1, nodes: 1, size: 0 });
  });

  it('builds a sound tree from ascending and from descending inserts', () => {
    const keys = Array.from({ length: 5_000 }, (_, i) => 'job:' + String(i).padStart(8, '0'));
    for (const order of [keys, keys.slice().reverse()]) {
      const tree = build(order, { leafEntriesMax: 8, branchChildrenMax: 8 });
      expect(verifyTree(tree)).toEqual([]);
      expect(tree.stats().leafFill).toBeGreaterThanOrEqual(0.5);
      expect(entries(tree).map(([k]) => k)).toEqual(keys);
    }
  });
});

describe('reporting edits', () => {
  it('report the location they replace or remove, in the same descent', () => {
    const editor = BTree.empty().edit();
    const previous = { address: -1, length: -1 };
    expect(editor.setReporting('a', 10, 1, previous)).toBe(false);
    expect(editor.setReporting('a', 20, 2, previous)).toBe(true);
    expect(previous).toEqual({ address: 10, length: 1 });
    expect(editor.setReporting('a', 20, 2, previous)).toBe(true);
    expect(previous).toEqual({ address: 20, length: 2 });
    expect(editor.deleteReporting('b', previous)).toBe(false);
    expect(editor.deleteReporting('a', previous)).toBe(true);
    expect(previous).toEqual({ address: 20, length: 2 });
    expect(editor.size).toBe(0);
  });
});
