/**
 * Crash-state replay on the pmem and file devices. A seeded workload of
 * commits (mixed record sizes, several records per group, segment
 * roll-overs, checkpoints spanning several segments, truncation) runs on a
 * crash-tracking device behind a probe. At every persist barrier (just
 * before it and just after it) and at random points between barriers, the
 * probe enumerates (when few units are pending) or samples the images a
 * power failure could leave, reopens the log on each and checks:
 * - lost: every acknowledged commit is recovered (checkpoint + replay);
 * - partial: every recovered record is exactly one that was appended (no
 *   phantom, torn or foreign record), and the checkpoint image is exactly
 *   one that was written;
 * - failed: recovery never throws.
 * Some images are also reopened on a tracked device whose recovery is itself
 * crashed and recovered again, and some get an append after recovery that
 * must survive a reopen. FAIRDB_SOAK=1 runs a much longer workload.
 */
import { describe, expect, it } from 'vitest';
import { LimitError, seededRandom, type CrashableDevice, type Random } from '../../storage/device/index.js';
import { CrashProbe } from '../storage/crash-probe.js';
import { openFileDevice } from '../../storage/file-device/index.js';
import { openPmemDevice } from '../../storage/pmem/index.js';
import { openWal, segmentBytesMin, type Durability, type Lsn, type Wal } from '../../wal/index.js';
import { payloadFor, sameBytes } from './helpers.js';

type DeviceFactory = (options: { image?: Uint8Array; trackCrashStates?: boolean; sizeBytes?: number }) => CrashableDevice;

const factories: Record<'pmem' | 'file', DeviceFactory> = {
  pmem: (options) => openPmemDevice(options),
  file: (options) => openFileDevice(options),
};

const soak = process.env.FAIRDB_SOAK !== undefined;
const enumerateLimit = soak ? 256 : 16;
const sampleCount = soak ? 12 : 2;
/** Probability that an image is also reopened with its recovery crashed (FAIRDB_WAL_NESTED_CHANCE overrides). */
const nestedChance = Number(process.env.FAIRDB_WAL_NESTED_CHANCE ?? 0.02);
/** Probability of a crash point after a device write between barriers. */
const writePointChance = soak ? 0.3 : 0.05;

interface Figures {
  crashPoints: number;
  images: number;
  lost: number;
  partial: number;
  failed: number;
  nestedImages: number;
  appendChecks: number;
  /** What the workload exercised (so that a quiet run cannot pass for a thorough one). */
  segmentsAllocated: number;
  segmentsFreed: number;
  checkpoints: number;
  failures: string[];
}

/** What the workload has done so far: the oracle every crash image is checked against. */
interface Oracle {
  readonly seed: number;
  readonly appended: Map<number, { type: number; payload: Uint8Array }>;
  /** Checkpoint LSNs whose writing started (the image of each is `checkpointImage`). */
  readonly checkpoints: Set<number>;
  acked: number;
}

function checkpointImage(seed: number, lsn: number): Uint8Array {
  // Up to ~2.3 segments of 64 KiB, so that chains span segments.
  return payloadFor(seed + 1, lsn, (lsn * 7919) % 150_000);
}

function recordSize(random: Random): number {
  const r = random.float();
  if (r < 0.1) return 0;
  if (r < 0.6) return random.int(1, 200);
  if (r < 0.9) return random.int(500, 4000);
  return random.int(15_000, 40_000);
}

/** Reopens `image` and checks it against the oracle; returns the recovered log or undefined. */
function verifyImage(factory: DeviceFactory, image: Uint8Array, oracle: Oracle, figures: Figures, label: string, track = false): { wal: Wal; device: CrashableDevice } | undefined {
  let wal: Wal;
  const device = factory({ image, trackCrashStates: track });
  try {
    wal = openWal({ device });
  } catch (error) {
    figures.failed++;
    figures.failures.push(`${label}: recovery failed: ${String(error)}`);
    return undefined;
  }
  try {
    const checkpoint = wal.readCheckpoint();
    const checkpointLsn = checkpoint?.lsn ?? 0;
    if (checkpoint !== undefined && (!oracle.checkpoints.has(checkpointLsn) || !sameBytes(checkpoint.image, checkpointImage(oracle.seed, checkpointLsn)))) {
      figures.partial++;
      figures.failures.push(`${label}: checkpoint at LSN ${checkpointLsn} is not one that was written`);
    }
    let expected = checkpointLsn + 1;
    wal.replay((ref, payload) => {
      const record = oracle.appended.get(ref.lsn);
      if (ref.lsn !== expected || record === undefined || record.type !== ref.type || !sameBytes(record.payload, payload)) {
        figures.partial++;
        figures.failures.push(`${label}: record ${ref.lsn} (expected ${expected}) is not the record appended`);
      }
      expected++;
    });
    const recovered = expected - 1;
    if (recovered !== wal.lastLsn) figures.failures.push(`${label}: replay ended at ${recovered}, lastLsn is ${wal.lastLsn}`);
    if (recovered < oracle.acked) {
      figures.lost += oracle.acked - recovered;
      figures.failures.push(`${label}: acknowledged LSNs ${recovered + 1}..${oracle.acked} lost (${wal.recovery.detail})`);
    }
  } catch (error) {
    figures.failed++;
    figures.failures.push(`${label}: reading the recovered log failed: ${String(error)}`);
    return undefined;
  }
  return { wal, device };
}

/** After recovery, one more record must be appendable and survive a reopen. */
function checkAppendAfterRecovery(factory: DeviceFactory, wal: Wal, device: CrashableDevice, oracle: Oracle, figures: Figures, label: string): void {
  figures.appendChecks++;
  const lsn = wal.lastLsn + 1;
  const payload = payloadFor(oracle.seed + 2, lsn, 300);
  wal.append(200, payload);
  wal.persistNow();
  const image = Uint8Array.from(device.read(0, device.sizeBytes));
  const again = openWal({ device: factory({ image }) });
  let found = false;
  again.replay((ref, p) => {
    if (ref.lsn === lsn) found = ref.type === 200 && sameBytes(p, payload);
  });
  if (!found && (again.checkpointLsn < lsn)) {
    figures.lost++;
    figures.failures.push(`${label}: a record appended after recovery was lost on reopen`);
  }
}

/** Reopens `image` on a tracked device and crashes that recovery at its barriers, then recovers again. */
function checkNestedCrash(factory: DeviceFactory, image: Uint8Array, oracle: Oracle, figures: Figures, label: string, random: Random): void {
  const tracked = factory({ image, trackCrashStates: true });
  const probe = new CrashProbe(
    tracked,
    (point) => {
      for (const nested of tracked.crashImages({ mode: 'sample', seed: random.int(0, 1e9), count: 1 })) {
        figures.nestedImages++;
        verifyImage(factory, nested, oracle, figures, `${label} / crash during recovery, ${point}`);
      }
    },
    { random, writePointChance },
  );
  try {
    openWal({ device: probe });
  } catch {
    // verifyImage of the same image reports recovery failures.
  }
}

async function runWorkload(kind: 'pmem' | 'file', durability: Durability, seed: number, commits: number): Promise<Figures> {
  const factory = factories[kind];
  const random = seededRandom(seed);
  const figures: Figures = { crashPoints: 0, images: 0, lost: 0, partial: 0, failed: 0, nestedImages: 0, appendChecks: 0, segmentsAllocated: 0, segmentsFreed: 0, checkpoints: 0, failures: [] };
  const oracle: Oracle = { seed, appended: new Map(), checkpoints: new Set(), acked: 0 };
  const inner = factory({ sizeBytes: 16384, trackCrashStates: true });
  let checking = false;
  const onPoint = (label: string): void => {
    if (checking) return;
    checking = true;
    try {
      figures.crashPoints++;
      let images: Iterable<Uint8Array>;
      try {
        images = [...inner.crashImages({ mode: 'enumerate', limit: enumerateLimit })];
      } catch (error) {
        if (!(error instanceof LimitError)) throw error;
        images = inner.crashImages({ mode: 'sample', seed: random.int(0, 1e9), count: sampleCount });
      }
      let n = 0;
      for (const image of images) {
        figures.images++;
        const where = `${kind}/${durability} seed ${seed}, crash point ${figures.crashPoints} (${label}), image ${n++}`;
        const recovered = verifyImage(factory, image, oracle, figures, where);
        if (recovered !== undefined && random.chance(0.05)) checkAppendAfterRecovery(factory, recovered.wal, recovered.device, oracle, figures, where);
        if (random.chance(nestedChance)) checkNestedCrash(factory, image, oracle, figures, where, random);
      }
    } finally {
      checking = false;
    }
  };
  const probe = new CrashProbe(inner, onPoint, { random, writePointChance });
  const wal = openWal({ device: probe, segmentBytes: segmentBytesMin, durability });
  for (let commit = 0; commit < commits; commit++) {
    // One or more transactions per commit group: in group mode, several commits share a turn.
    const transactions = durability === 'group' ? random.int(1, 3) : 1;
    const waits: Promise<void>[] = [];
    for (let t = 0; t < transactions; t++) {
      const records = random.int(1, 4);
      for (let r = 0; r < records; r++) {
        const lsn = wal.lastLsn + 1;
        const type = random.int(16, 255);
        const payload = payloadFor(seed, lsn, recordSize(random));
        oracle.appended.set(lsn, { type, payload });
        expect(wal.append(type, payload).lsn).toBe(lsn);
      }
      const last = wal.lastLsn;
      waits.push(wal.commit().then(() => void (oracle.acked = Math.max(oracle.acked, last))));
    }
    await Promise.all(waits);
    if (commit % 5 === 4 || random.chance(0.05)) {
      const lsn = random.int(wal.checkpointLsn, wal.lastLsn) as Lsn;
      oracle.checkpoints.add(lsn);
      const image = checkpointImage(seed, lsn);
      const cut = random.int(0, image.length);
      wal.writeCheckpoint(lsn, [image.subarray(0, cut), image.subarray(cut)]);
    }
    if (commit % 10 === 9 || random.chance(0.05)) wal.truncate();
  }
  probe.enabled = false;
  const stats = wal.stats();
  figures.segmentsAllocated = stats.segmentsAllocated;
  figures.segmentsFreed = stats.segmentsFreed;
  figures.checkpoints = stats.checkpoints;
  await wal.close();
  return figures;
}

describe('crash-state replay', () => {
  for (const kind of ['pmem', 'file'] as const) {
    it(`${kind}: no acknowledged commit lost, no partial or phantom record, no failed recovery`, async () => {
      const total: Figures = { crashPoints: 0, images: 0, lost: 0, partial: 0, failed: 0, nestedImages: 0, appendChecks: 0, segmentsAllocated: 0, segmentsFreed: 0, checkpoints: 0, failures: [] };
      const runs: [Durability, number][] = [
        ['sync', 1001],
        ['group', 2002],
      ];
      for (const [durability, seed] of runs) {
        const f = await runWorkload(kind, durability, seed, Number(process.env.FAIRDB_WAL_CRASH_COMMITS ?? (soak ? 600 : 30)));
        for (const key of ['crashPoints', 'images', 'lost', 'partial', 'failed', 'nestedImages', 'appendChecks', 'segmentsAllocated', 'segmentsFreed', 'checkpoints'] as const) total[key] += f[key];
        total.failures.push(...f.failures);
        expect(f.segmentsAllocated, `${durability} workload rolls over segments`).toBeGreaterThanOrEqual(3);
        expect(f.checkpoints, `${durability} workload checkpoints`).toBeGreaterThanOrEqual(3);
        expect(f.segmentsFreed, `${durability} workload frees segments`).toBeGreaterThanOrEqual(3);
      }
      console.log(
        `crash-replay ${kind}: ${total.crashPoints} crash points × ${total.images} images replayed` +
          ` (+${total.nestedImages} crashed during recovery, ${total.appendChecks} appends after recovery;` +
          ` workload: ${total.segmentsAllocated} segments allocated, ${total.checkpoints} checkpoints, ${total.segmentsFreed} segments freed):` +
          ` lost ${total.lost}, partial ${total.partial}, failed ${total.failed}`,
      );
      expect(total.failures.slice(0, 5)).toEqual([]);
      expect(total.lost).toBe(0);
      expect(total.partial).toBe(0);
      expect(total.failed).toBe(0);
      expect(total.images).toBeGreaterThan(total.crashPoints);
    }, soak || process.env.FAIRDB_WAL_CRASH_COMMITS !== undefined ? 3_600_000 : 120_000);
  }
});
