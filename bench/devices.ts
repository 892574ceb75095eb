/**
 * Micro-benchmark of the devices' commit path: append a record (write) and
 * make it durable (persist), one record after the other, as a write-ahead
 * log with one record per commit group does. Records are 8-byte aligned like
 * WAL records; the write position wraps at the end of the device.
 *
 * Scenarios, each with 100-byte and 4 KiB records:
 * - pmem without a backing file: the emulator's own cost, no system call;
 * - pmem appdirect, no fsync: persisted lines are pwritten at each fence
 *   (durable against a process crash);
 * - pmem appdirect + fsync: plus fdatasync at each fence (power-loss safe);
 * - pmem appdirect, optane latency injected: no fsync, and the modelled
 *   Optane time (XPLine writes at 2.3 GB/s + 90 ns per fence) spent as
 *   wall-clock busy-wait;
 * - file device: whole 4 KiB pages pwritten + fdatasync at each fence.
 *
 * Steady state: each device is preallocated — written whole and persisted
 * once before timing — so the figures exclude first-touch costs (page
 * faults of the emulated buffer, block allocation in the sparse backing
 * file), which make the very first pass over a fresh device several times
 * slower for 4 KiB records.
 *
 * Run: npx tsc -p . && node dist/bench/devices.js [--time-ms N]
 * (files go to a temporary directory, removed at the end).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Bench } from 'tinybench';
import type { CrashableDevice, DeviceStats } from '../storage/device/index.js';
import { openFileDevice } from '../storage/file-device/index.js';
import { openPmemDevice } from '../storage/pmem/index.js';

/** Device size; appends wrap around at its end. */
const deviceBytes = 16 << 20;

interface Scenario {
  readonly name: string;
  /** True when every persist makes an fdatasync (then one append per sample). */
  readonly syncs: boolean;
  open(file: string): CrashableDevice;
}

const scenarios: readonly Scenario[] = [
  // The emulator's own CPU cost: no host file, so no system call at all.
  { name: 'pmem, no backing file', syncs: false, open: () => openPmemDevice({ sizeBytes: deviceBytes }) },
  { name: 'pmem appdirect', syncs: false, open: (file) => openPmemDevice({ path: file, sizeBytes: deviceBytes }) },
  { name: 'pmem appdirect + fsync', syncs: true, open: (file) => openPmemDevice({ path: file, sizeBytes: deviceBytes, fsync: true }) },
  {
    name: 'pmem optane injected',
    syncs: false,
    open: (file) => openPmemDevice({ path: file, sizeBytes: deviceBytes, latency: 'optane', injectDelay: true }),
  },
  { name: 'file device (fdatasync)', syncs: true, open: (file) => openFileDevice({ path: file, sizeBytes: deviceBytes }) },
];

const recordSizes = [100, 4096] as const;

interface Row {
  scenario: string;
  record: string;
  'ops/s': string;
  'µs/op (mean)': string;
  'µs p99': string;
  'media B/op': string;
  'write amp': string;
  'pwrite/op': string;
  'fdatasync/op': string;
  'device ns/op': string;
}

async function main(): Promise<void> {
  const timeMsArg = process.argv.indexOf('--time-ms');
  const timeMs = timeMsArg > 0 ? Number(process.argv[timeMsArg + 1]) : 1000;
  if (!Number.isFinite(timeMs) || timeMs <= 0) throw new Error('--time-ms must be a positive number');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fairdb-bench-devices-'));
  const rows: Row[] = [];
  try {
    for (const scenario of scenarios) {
      for (const recordBytes of recordSizes) {
        rows.push(await measure(scenario, recordBytes, dir, timeMs));
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`fairdb device commit path: write + persist per append (node ${process.version}, ${os.cpus().length} cpus, ${timeMs} ms per case)`);
  console.table(rows);
}

async function measure(scenario: Scenario, recordBytes: number, dir: string, timeMs: number): Promise<Row> {
  const record = new Uint8Array(recordBytes).fill(0x5a);
  const stride = Math.ceil(recordBytes / 8) * 8;
  // Non-syncing appends take about a microsecond: time batches of them so
  // the timer's resolution and overhead do not dominate the samples.
  const batch = scenario.syncs ? 1 : 256;
  let device: CrashableDevice | undefined;
  let position = 0;
  let stats: { before: DeviceStats; after: DeviceStats } | undefined;

  const bench = new Bench({ time: timeMs, warmupTime: Math.min(200, timeMs), iterations: 16 });
  bench.add(
    `${scenario.name} ${recordBytes} B`,
    () => {
      const d = device as CrashableDevice;
      for (let i = 0; i < batch; i++) {
        if (position + stride > deviceBytes) position = 0;
        d.write(position, record);
        d.persist(position, recordBytes);
        position += stride;
      }
    },
    {
      beforeAll() {
        const file = path.join(dir, `${scenario.name.replace(/[^a-z0-9]+/gi, '-')}-${recordBytes}.dev`);
        fs.rmSync(file, { force: true });
        device = scenario.open(file);
        device.write(0, new Uint8Array(deviceBytes));
        device.persist(0, deviceBytes);
        position = 0;
        // Counted from here: the preallocation is not part of the figures.
        stats = { before: device.stats(), after: device.stats() };
      },
      afterAll() {
        const d = device as CrashableDevice;
        stats = { before: stats!.before, after: d.stats() };
        d.close();
      },
    },
  );
  await bench.run();
  const task = bench.tasks[0]!;
  const result = task.result;
  if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}${'error' in result ? ` ${String(result.error)}` : ''}`);
  // The last afterAll ran after the measured phase: its stats cover it.
  const { before, after } = stats!;
  const ops = after.fences - before.fences;
  const perOp = (value: number) => (ops > 0 ? value / ops : 0);
  const opsPerSecond = (batch * 1000) / result.period;
  return {
    scenario: scenario.name,
    record: `${recordBytes} B`,
    'ops/s': Math.round(opsPerSecond).toLocaleString('en-US'),
    'µs/op (mean)': ((result.period * 1000) / batch).toFixed(2),
    'µs p99': batch === 1 ? (result.latency.p99 * 1000).toFixed(1) : '-',
    'media B/op': perOp(after.mediaBytesWritten - before.mediaBytesWritten).toFixed(0),
    'write amp': ((after.mediaBytesWritten - before.mediaBytesWritten) / ((after.extra['bytesPersisted'] ?? 0) - (before.extra['bytesPersisted'] ?? 0))).toFixed(2),
    'pwrite/op': perOp(after.hostWrites - before.hostWrites).toFixed(2),
    'fdatasync/op': perOp(after.hostSyncs - before.hostSyncs).toFixed(2),
    'device ns/op': perOp(after.deviceTimeNs - before.deviceTimeNs).toFixed(0),
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
