/**
 * Crash-state replay through the whole KV engine: a workload of
 * transactions runs on a crash-tracking device; at every persist barrier
 * (just before and just after each fence), and after some writes between
 * barriers, the images a power failure could leave are enumerated or
 * sampled, and the engine is reopened on each.
 *
 * Each transaction i writes three fresh keys t<i>/a, t<i>/b, t<i>/c with the
 * value i and overwrites one of ten hot keys with i (so segments fill with
 * dead space and the store checkpoints and compacts while the test runs).
 * Checked on every recovered image:
 * - lost: an acknowledged transaction whose keys are missing (must be 0);
 * - partial: a transaction with some but not all of its keys, or a hot key
 *   holding a value whose transaction is not wholly present (must be 0);
 * - failed: a recovery that threw (must be 0).
 */
import { describe, expect, it } from 'vitest';
import { LimitError, seededRandom, type CrashableDevice, type CrashImageOptions } from '../../../storage/device/index.js';
import { CrashProbe } from '../crash-probe.js';
import { openPmemDevice } from '../../../storage/pmem/index.js';
import { openFileDevice } from '../../../storage/file-device/index.js';
import { encodeKey, LogStore } from '../../../storage/kv/index.js';

const soak = process.env.FAIRDB_SOAK !== undefined;
/** The soak run replays over ten times as many crash points as the default one. */
const timeoutMs = soak ? 1_800_000 : 120_000;

interface Figures {
  crashPoints: number;
  images: number;
  lost: number;
  partial: number;
  failed: number;
  firstFailure?: string;
}

const key = (parts: (string | number)[]) => encodeKey(parts);

function checkImage(open: () => LogStore, acked: number, figures: Figures): void {
  let store: LogStore;
  try {
    store = open();
  } catch (error) {
    figures.failed++;
    figures.firstFailure ??= String((error as Error).stack);
    return;
  }
  const present = (i: number): number => {
    let n = 0;
    for (const part of ['a', 'b', 'c']) if (store.getRaw(key(['t', i, part])) !== undefined) n++;
    return n;
  };
  let highest = 0;
  for (let i = 1; ; i++) {
    const n = present(i);
    if (n === 0 && i > acked) break;
    if (n === 0) figures.lost++;
    else if (n !== 3) figures.partial++;
    highest = i;
  }
  for (let h = 0; h < 10; h++) {
    const v = store.getRaw(key(['hot', h]));
    if (v === undefined) continue;
    const i = Buffer.from(v).readUInt32LE(0);
    if (i > highest || present(i) !== 3) figures.partial++;
  }
}

async function runWorkload(label: string, makeDevice: () => CrashableDevice, reopen: (image: Uint8Array) => CrashableDevice, seed: number): Promise<Figures> {
  const figures: Figures = { crashPoints: 0, images: 0, lost: 0, partial: 0, failed: 0 };
  let acked = 0;
  let sampleSeed = seed;
  const inner = makeDevice();
  const options = { segmentBytes: 64 * 1024, checkpointBytes: 48 * 1024, compactionDeadRatio: 0.4, durability: 'sync' as const };
  let checking = false;
  const device = new CrashProbe(inner, () => {
    if (checking) return;
    checking = true;
    try {
      figures.crashPoints++;
      const sample: CrashImageOptions = { mode: 'sample', seed: sampleSeed++, count: soak ? 12 : 2 };
      let images: Iterable<Uint8Array>;
      try {
        // Every image when there are few; a seeded sample otherwise.
        images = inner.pendingUnits() <= 4 ? [...inner.crashImages({ mode: 'enumerate', limit: soak ? 256 : 16 })] : inner.crashImages(sample);
      } catch (error) {
        if (!(error instanceof LimitError)) throw error;
        images = inner.crashImages(sample);
      }
      const ackedNow = acked;
      for (const image of images) {
        figures.images++;
        checkImage(() => new LogStore({ ...options, device: reopen(image) }), ackedNow, figures);
      }
    } finally {
      checking = false;
    }
  }, { random: seededRandom(seed), writePointChance: soak ? 0.3 : 0.05 });
  const store = new LogStore({ ...options, device });
  const transactions = soak ? 1500 : 150;
  const value = Buffer.alloc(300);
  for (let i = 1; i <= transactions; i++) {
    value.writeUInt32LE(i, 0);
    store.transactionSync((tx) => {
      for (const part of ['a', 'b', 'c']) tx.putRaw(key(['t', i, part]), value);
      tx.putRaw(key(['hot', i % 10]), value);
    });
    acked = i; // durability 'sync': acknowledged when transactionSync returns
    if (i % 5 === 0) await new Promise((r) => setImmediate(r)); // let background checkpoints/compactions run
  }
  await store.compact();
  const stats = store.stats();
  await store.close();
  console.log(
    `[crash replay ${label}] crash points ${figures.crashPoints} × images → ${figures.images} recoveries; ` +
      `lost ${figures.lost}, partial ${figures.partial}, failed ${figures.failed}; ` +
      `checkpoints ${stats.checkpoints}, compactions ${stats.compactions}, segments freed ${stats.segmentsFreed}`,
  );
  expect(stats.checkpoints).toBeGreaterThan(0);
  expect(stats.compactions).toBeGreaterThan(0);
  return figures;
}

describe('KV crash-state replay', () => {
  it('pmem: no acknowledged transaction lost, none partial, every recovery succeeds', async () => {
    const figures = await runWorkload(
      'pmem',
      () => openPmemDevice({ sizeBytes: 1 << 20, trackCrashStates: true }),
      (image) => openPmemDevice({ image, trackCrashStates: false }),
      1,
    );
    expect(figures.firstFailure).toBeUndefined();
    expect({ lost: figures.lost, partial: figures.partial, failed: figures.failed }).toEqual({ lost: 0, partial: 0, failed: 0 });
    expect(figures.images).toBeGreaterThan(300);
  }, timeoutMs);

  it('file device: no acknowledged transaction lost, none partial, every recovery succeeds', async () => {
    const figures = await runWorkload(
      'file',
      () => openFileDevice({ sizeBytes: 1 << 20, trackCrashStates: true }),
      (image) => openFileDevice({ image, trackCrashStates: false }),
      2,
    );
    expect(figures.firstFailure).toBeUndefined();
    expect({ lost: figures.lost, partial: figures.partial, failed: figures.failed }).toEqual({ lost: 0, partial: 0, failed: 0 });
    expect(figures.images).toBeGreaterThan(300);
  }, timeoutMs);
});
