/**
 * Benchmark of the copy-on-write B+tree index (storage/btree) on 1,000,000
 * keys of 16 random bytes, with a JS `Map` (point lookups) and a sorted
 * array with binary search (lookups and scans) as ceilings in the same run.
 *
 * Tasks (each sample runs a batch, so that timer overhead does not count):
 * - fromSorted: bulk build of the whole tree (a checkpoint load), timed once
 *   as the first build of the process and then repeatedly (where collecting
 *   the previous builds adds to each);
 * - lookup: random point lookups of present keys; every probe is a fresh
 *   string equal to a stored key, as a decoded request key would be;
 * - scan / cursor: 1,000 keys ascending from a random start;
 * - sets: overwrite the location of random present keys, 1,000 per editor
 *   or one per editor (one transaction each), copying (`edit()`) or in place
 *   (`edit({ exclusive: true })`); inserts: 1,000 new keys per editor.
 *   The previous tree version is dropped after each editor, as the KV
 *   engine does when no snapshot holds it.
 * Heap: bytes the tree and its key strings take after a full GC.
 *
 * `--sweep` instead measures one-key edits of a shared tree, lookups and
 * scans for several leaf and branch capacities, one process per capacity
 * (how the default fanout was chosen; see `shapeRun`).
 *
 * Run: npx tsc -p . && node dist/bench/btree.js [--keys N] [--time-ms N] [--seed N] [--sweep]
 */
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { Bench } from 'tinybench';
import { BTree } from '../storage/btree/index.js';
import { type Random, seededRandom } from '../storage/device/index.js';

const keyBytes = 16;
/** Probe strings cycled through by the lookup tasks. */
const probeCount = 1 << 16;
/** Operations per sample of the batched tasks. */
const batch = 1_000;

interface Settings {
  readonly keys: number;
  readonly timeMs: number;
  readonly seed: number;
  readonly sweep: boolean;
  /** One node capacity of the sweep, as leaf/branch (run in a child process). */
  readonly shape: string | undefined;
}

function settings(): Settings {
  const { values } = parseArgs({
    options: {
      keys: { type: 'string', default: '1000000' },
      'time-ms': { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
      sweep: { type: 'boolean', default: false },
      shape: { type: 'string' },
    },
  });
  const result = {
    keys: Number(values.keys),
    timeMs: Number(values['time-ms']),
    seed: Number(values.seed),
    sweep: values.sweep === true,
    shape: values.shape,
  };
  if (result.shape !== undefined && !/^\d+\/\d+$/.test(result.shape)) throw new Error('--shape must be leaf/branch, e.g. 64/64');
  if (!Number.isInteger(result.keys) || result.keys < batch) throw new Error(`--keys must be an integer >= ${batch}`);
  if (!(result.timeMs > 0)) throw new Error('--time-ms must be a positive number');
  if (!Number.isSafeInteger(result.seed)) throw new Error('--seed must be an integer');
  return result;
}

/** A full garbage collection, made available without a command-line flag. */
function collectGarbage(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

function heapBytes(gc: () => void): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** `count` distinct random keys of `keyBytes` bytes as binary strings, sorted. */
function randomSortedKeys(random: Random, count: number): string[] {
  const seen = new Set<string>();
  const buffer = Buffer.alloc(keyBytes);
  while (seen.size < count) {
    random.fill(buffer);
    seen.add(buffer.toString('latin1'));
  }
  // Copies made in key order lie in memory in key order, as the strings a
  // checkpoint decoder creates do.
  return [...seen].sort().map(freshCopy);
}

/** An equal string that is a different object, so lookups cannot win on pointer equality. */
function freshCopy(key: string): string {
  return Buffer.from(key, 'latin1').toString('latin1');
}

function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Row {
  task: string;
  'ops/s': string;
  'ns/op': string;
  /** Percent of the ceiling's rate; for builds, the whole build's time. */
  'vs ceiling': string;
}

async function runTasks(timeMs: number, tasks: readonly [name: string, opsPerSample: number, fn: () => void][]): Promise<Map<string, number>> {
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(300, timeMs), iterations: 5 });
  for (const [name, , fn] of tasks) bench.add(name, fn);
  await bench.run();
  const rates = new Map<string, number>();
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}${'error' in result ? ` ${String(result.error)}` : ''}`);
    const opsPerSample = tasks.find(([name]) => name === task.name)?.[1] ?? 1;
    // The median sample: the machine is shared, and the median shrugs off samples slowed by other processes.
    rates.set(task.name, (opsPerSample * 1000) / result.latency.p50);
  }
  return rates;
}

function row(task: string, rate: number, ceiling?: number): Row {
  return {
    task,
    'ops/s': Math.round(rate).toLocaleString('en-US'),
    'ns/op': (1e9 / rate).toFixed(0),
    'vs ceiling': ceiling === undefined ? '' : `${((100 * rate) / ceiling).toFixed(0)}%`,
  };
}

/** The state the write tasks advance; every task reads the current tree from here. */
interface Workload {
  tree: BTree;
  readonly keys: readonly string[];
  readonly probes: readonly string[];
  /** Scan starts: copies of keys at least `batch` keys before the end, so every scan visits `batch` keys. */
  readonly scanStarts: readonly string[];
  readonly random: Random;
  next: number;
}

function lookupTask(w: Workload): () => void {
  const out = { address: 0, length: 0 };
  return () => {
    const tree = w.tree;
    const probes = w.probes;
    let found = 0;
    for (let i = 0; i < batch; i++) {
      if (tree.lookup(probes[(w.next + i) & (probeCount - 1)] as string, out)) found++;
    }
    w.next += batch;
    if (found !== batch) throw new Error('a present key was not found');
  };
}

function scanTask(w: Workload): () => void {
  let sum = 0;
  const visit = (_key: string, address: number): void => {
    sum += address;
  };
  return () => {
    const start = w.scanStarts[w.random.int(0, probeCount - 1)] as string;
    if (w.tree.scan({ start, limit: batch }, visit) !== batch || sum < 0) throw new Error('a scan visited fewer keys than asked');
  };
}

function cursorTask(w: Workload): () => void {
  let visited = 0;
  return () => {
    const cursor = w.tree.cursor({ start: w.scanStarts[w.random.int(0, probeCount - 1)] as string, limit: batch });
    while (cursor.next()) visited++;
    if (visited % batch !== 0) throw new Error('a cursor visited fewer keys than asked');
  };
}

function setTask(w: Workload, perEditor: number, exclusive: boolean): () => void {
  let address = 0;
  return () => {
    const keys = w.keys;
    for (let done = 0; done < batch; done += perEditor) {
      const editor = w.tree.edit({ exclusive });
      for (let i = 0; i < perEditor; i++) editor.set(keys[w.random.int(0, keys.length - 1)] as string, address++ % 2 ** 40, 100);
      w.tree = editor.finish();
    }
  };
}

function insertTask(w: Workload): () => void {
  const buffer = Buffer.alloc(keyBytes);
  return () => {
    const editor = w.tree.edit();
    for (let i = 0; i < batch; i++) {
      w.random.fill(buffer);
      editor.set(buffer.toString('latin1'), i, 100);
    }
    w.tree = editor.finish();
  };
}

async function main(): Promise<void> {
  const s = settings();
  if (s.shape === undefined) {
    const load = os.loadavg()[0] as number;
    console.log(
      `fairdb B+tree: ${s.keys.toLocaleString('en-US')} keys of ${keyBytes} random bytes ` +
        `(node ${process.version}, ${os.cpus().length} cpus, load ${load.toFixed(1)}, seed ${s.seed})`,
    );
  }
  if (s.sweep) return sweep(s);
  const gc = collectGarbage();
  const random = seededRandom(s.seed);
  const keys = randomSortedKeys(random, s.keys);
  const addresses = Float64Array.from(keys, (_, i) => i * 64);
  const lengths = new Uint32Array(keys.length).fill(100);
  const probes = Array.from({ length: probeCount }, () => freshCopy(keys[random.int(0, keys.length - 1)] as string));
  const scanStarts = Array.from({ length: probeCount }, () => freshCopy(keys[random.int(0, keys.length - batch - 1)] as string));
  if (s.shape !== undefined) return shapeRun(s, keys, addresses, lengths, probes, scanStarts);

  // Heap: the key strings alone (minus their array), then the tree holding them.
  const before = heapBytes(gc);
  let copies: string[] | undefined = keys.map(freshCopy);
  const stringBytes = heapBytes(gc) - before - 8 * s.keys;
  // The first build of the process is the checkpoint-load case: no earlier trees to collect.
  const buildStarted = performance.now();
  let measured: BTree | undefined = BTree.fromSorted(copies, addresses, lengths);
  const firstBuildMs = performance.now() - buildStarted;
  copies = undefined;
  const treeAndStrings = heapBytes(gc) - before;
  const stats = measured.stats();
  measured = undefined;
  // The same keys inserted one by one in random order: leaves settle around 70% full.
  const shuffled = random.shuffle(keys.map(freshCopy));
  const insertedBefore = heapBytes(gc) - (stringBytes + 8 * s.keys);
  let inserted: BTree | undefined = BTree.empty();
  const editor = inserted.edit({ exclusive: true });
  shuffled.forEach((key, i) => editor.set(key, i, 100));
  shuffled.length = 0;
  inserted = editor.finish();
  const insertedAndStrings = heapBytes(gc) - insertedBefore;
  const insertedStats = inserted.stats();
  inserted = undefined;

  const w: Workload = { tree: BTree.fromSorted(keys, addresses, lengths), keys, probes, scanStarts, random, next: 0 };
  const map = new Map<string, number>(keys.map((k, i) => [k, i]));
  const sortedAddresses = addresses;
  const mapOut = { found: 0 };
  let arraySum = 0;
  const tasks: [string, number, () => void][] = [
    ['fromSorted (1 build)', 1, () => void BTree.fromSorted(keys, addresses, lengths)],
    ['lookup', batch, lookupTask(w)],
    [
      'Map.get (ceiling)',
      batch,
      () => {
        for (let i = 0; i < batch; i++) if (map.get(probes[(w.next + i) & (probeCount - 1)] as string) !== undefined) mapOut.found++;
        w.next += batch;
      },
    ],
    [
      'sorted array lookup (ceiling)',
      batch,
      () => {
        for (let i = 0; i < batch; i++) {
          const probe = probes[(w.next + i) & (probeCount - 1)] as string;
          const at = lowerBound(keys, probe);
          if (keys[at] === probe) arraySum += sortedAddresses[at] as number;
        }
        w.next += batch;
      },
    ],
    ['scan 1000 keys', batch, scanTask(w)],
    ['cursor 1000 keys', batch, cursorTask(w)],
    [
      'sorted array scan 1000 (ceiling)',
      batch,
      () => {
        let i = lowerBound(keys, scanStarts[random.int(0, probeCount - 1)] as string);
        const end = Math.min(i + batch, keys.length);
        const visit = (key: string, address: number): void => {
          arraySum += address + key.length;
        };
        for (; i < end; i++) visit(keys[i] as string, sortedAddresses[i] as number);
      },
    ],
    ['set, 1000 per editor', batch, setTask(w, 1_000, false)],
    ['set, 1 per editor', batch, setTask(w, 1, false)],
    ['set, 1000 per exclusive editor', batch, setTask(w, 1_000, true)],
    ['set, 1 per exclusive editor', batch, setTask(w, 1, true)],
    ['insert, 1000 per editor', batch, insertTask(w)],
  ];
  const rates = await runTasks(s.timeMs, tasks);
  if (arraySum < 0 || mapOut.found < 0) throw new Error('unreachable');
  const rate = (name: string): number => rates.get(name) as number;
  const rows: Row[] = [
    { task: 'fromSorted, first build of the process', 'ops/s': '', 'ns/op': `${(firstBuildMs * 1e6 / s.keys).toFixed(0)}`, 'vs ceiling': `${firstBuildMs.toFixed(0)} ms` },
    {
      task: 'fromSorted, repeated builds (median)',
      'ops/s': '',
      'ns/op': `${(1e9 / rate('fromSorted (1 build)') / s.keys).toFixed(0)}`,
      'vs ceiling': `${(1000 / rate('fromSorted (1 build)')).toFixed(0)} ms`,
    },
    row('lookup', rate('lookup'), rate('Map.get (ceiling)')),
    row('Map.get (ceiling)', rate('Map.get (ceiling)')),
    row('sorted array lookup (ceiling)', rate('sorted array lookup (ceiling)')),
    row('scan: keys/s', rate('scan 1000 keys'), rate('sorted array scan 1000 (ceiling)')),
    row('cursor: keys/s', rate('cursor 1000 keys'), rate('sorted array scan 1000 (ceiling)')),
    row('sorted array scan: keys/s (ceiling)', rate('sorted array scan 1000 (ceiling)')),
    row('set, 1000 per editor', rate('set, 1000 per editor')),
    row('set, 1 per editor', rate('set, 1 per editor')),
    row('set, 1000 per exclusive editor', rate('set, 1000 per exclusive editor')),
    row('set, 1 per exclusive editor', rate('set, 1 per exclusive editor')),
    row('insert, 1000 per editor', rate('insert, 1000 per editor')),
  ];
  console.table(rows);
  const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  const heapLine = (what: string, total: number, t: { depth: number; leaves: number; branches: number; leafFill: number }): string =>
    `${what}: tree + key strings ${mb(total)} (${(total / s.keys).toFixed(1)} B/key), of which nodes ${mb(total - stringBytes)}; ` +
    `depth ${t.depth}, ${t.leaves} leaves, ${t.branches} branches, leaf fill ${(100 * t.leafFill).toFixed(0)}%`;
  console.log(`heap, key strings alone: ${mb(stringBytes)}`);
  console.log(heapLine('heap, fromSorted', treeAndStrings, stats));
  console.log(heapLine('heap, inserted in random order', insertedAndStrings, insertedStats));
  console.log(`after the write tasks: ${w.tree.size.toLocaleString('en-US')} keys, leaf fill ${(100 * w.tree.stats().leafFill).toFixed(0)}%`);
}

/** Node capacities the sweep compares, as leaf/branch. */
const sweepShapes = ['16/16', '32/32', '32/64', '64/64', '128/128', '256/256'];

/**
 * Runs `--shape` for every capacity in `sweepShapes`, each in its own
 * process so that no shape pays for another's garbage, and tabulates them.
 */
function sweep(s: Settings): void {
  const script = fileURLToPath(import.meta.url);
  const rows = sweepShapes.map((shape) => {
    const output = execFileSync(
      process.execPath,
      [script, '--shape', shape, '--keys', String(s.keys), '--seed', String(s.seed), '--time-ms', String(s.timeMs)],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    );
    return JSON.parse(output.trim().split('\n').pop() as string) as Record<string, string>;
  });
  console.log(`per shape: best / median of ${shapeRounds} rounds, operations per second of process CPU time (GC threads included)`);
  console.table(rows);
}

const shapeRounds = 6;

/**
 * One node capacity: the tree is bulk built and then aged by random inserts
 * (3 for every 10 keys) so that its leaves are about as full as a tree built
 * by writes; then each round measures one-key edits of a shared tree
 * (a copying editor per set), lookups and scans in process CPU time, which
 * on a shared machine is steadier than wall time. Prints one JSON line.
 */
function shapeRun(s: Settings, keys: readonly string[], addresses: Float64Array, lengths: Uint32Array, probes: readonly string[], scanStarts: readonly string[]): void {
  const [leaf, branch] = (s.shape as string).split('/').map(Number) as [number, number];
  // An independent stream: the keys came from seededRandom(seed) itself, and aging must add new ones.
  const random = seededRandom(s.seed).fork();
  const w: Workload = {
    tree: BTree.fromSorted(keys, addresses, lengths, { leafEntriesMax: leaf, branchChildrenMax: branch }),
    keys,
    probes,
    scanStarts,
    random,
    next: 0,
  };
  const aging = w.tree.edit({ exclusive: true });
  const buffer = Buffer.alloc(keyBytes);
  for (let i = 0; i < 0.3 * keys.length; i++) {
    random.fill(buffer);
    aging.set(buffer.toString('latin1'), i, 1);
  }
  w.tree = aging.finish();
  const tasks: [string, () => void][] = [
    ['edit/s (1 set per copying editor)', setTask(w, 1, false)],
    ['lookup/s', lookupTask(w)],
    ['scan keys/s', scanTask(w)],
  ];
  const rates = new Map<string, number[]>(tasks.map(([name]) => [name, []]));
  const sampleMs = Math.max(20, s.timeMs / 5);
  for (let round = 0; round < shapeRounds; round++) {
    for (const [name, fn] of tasks) {
      fn();
      const before = process.cpuUsage();
      const started = performance.now();
      let runs = 0;
      while (performance.now() - started < sampleMs) {
        fn();
        runs++;
      }
      const used = process.cpuUsage(before);
      (rates.get(name) as number[]).push((runs * batch * 1e6) / (used.user + used.system));
    }
  }
  const stats = w.tree.stats();
  const row: Record<string, string> = { 'leaf/branch': s.shape as string, depth: String(stats.depth), 'leaf fill': `${(100 * stats.leafFill).toFixed(0)}%` };
  for (const [name, values] of rates) {
    values.sort((a, b) => b - a);
    const k = (x: number): string => `${Math.round(x / 1000)}k`;
    row[name] = `${k(values[0] as number)} / ${k(values[values.length >> 1] as number)}`;
  }
  console.log(JSON.stringify(row));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
