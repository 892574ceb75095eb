/**
 * The one interface for all persistence in fairdb. Nothing above the device
 * layer touches `fs`: the write-ahead log, the KV store and the benchmarks
 * read and write bytes through a `Device`, and make them durable with its
 * persist barrier.
 *
 * The model is persistent memory, which is the most demanding of the three
 * implementations: bytes written with `write()` are visible to `read()` at
 * once but are durable only after `flush()` of the range followed by
 * `fence()` (together: `persist()`). A block device (`file`) and DRAM
 * (`memory`) implement the same contract with their own granularity.
 *
 * Contract, for every implementation:
 * - `read(offset, length)` returns a view of the current contents. IMPORTANT:
 *   the view aliases the device's memory; it is valid until the range is
 *   written again or the device is closed, and must not be written to.
 *   Callers that hand bytes to users copy them first.
 * - `write(offset, bytes)` copies `bytes` into the device; it is visible to
 *   reads at once and durable after a persist barrier that covers it.
 * - `flush(offset, length)` schedules the range for write-back; `fence()`
 *   waits until every flushed range is durable. `persist()` is both.
 * - Reads and writes must lie within `[0, sizeBytes)`; `grow()` extends the
 *   device (new bytes read as zero) and never shrinks it.
 * - After `close()` every call but `close()` and `stats()` throws `CLOSED`.
 */
import { AssertionError } from './assert.js';

/** Which kind of device; persisted in nothing, reported in stats. */
export type DeviceKind = 'pmem' | 'file' | 'memory';

export interface DeviceStats {
  readonly kind: DeviceKind;
  /** Current size of the device in bytes. */
  readonly sizeBytes: number;
  /** Calls to read() and bytes returned by them. */
  readonly reads: number;
  readonly bytesRead: number;
  /** Calls to write() and bytes passed to them. */
  readonly writes: number;
  readonly bytesWritten: number;
  /** Calls to flush() and to fence(); persist() counts as one of each. */
  readonly flushes: number;
  readonly fences: number;
  /**
   * Bytes the medium actually wrote to make data durable: whole cache lines
   * or XPLines for pmem, whole pages for the file device, 0 for memory.
   */
  readonly mediaBytesWritten: number;
  /** mediaBytesWritten / bytes made durable by the caller (1 = no amplification). */
  readonly writeAmplification: number;
  /** Host syscalls that made data durable (pwrite + fdatasync calls). */
  readonly hostWrites: number;
  readonly hostSyncs: number;
  /** Emulated device time accounted for all operations, in nanoseconds. */
  readonly deviceTimeNs: number;
  /** Device-specific figures (XPLines written, lines flushed, ...). */
  readonly extra: Readonly<Record<string, number>>;
}

export interface Device {
  readonly kind: DeviceKind;
  /** True when persisted contents survive close() and a process crash. */
  readonly persistent: boolean;
  /** Human-readable location (file path or "memory"), used in error messages. */
  readonly location: string;
  /** Current size in bytes. */
  readonly sizeBytes: number;

  read(offset: number, length: number): Uint8Array;
  write(offset: number, bytes: Uint8Array): void;
  flush(offset: number, length: number): void;
  fence(): void;
  /** flush(offset, length) then fence(). */
  persist(offset: number, length: number): void;
  /** Extends the device to at least `sizeBytes` (rounded up to the device's granularity). */
  grow(sizeBytes: number): void;
  close(): void;
  stats(): DeviceStats;
}

/** Helper for implementations: validates a byte range against the device size. */
export function checkRange(device: { readonly sizeBytes: number; readonly location: string }, offset: number, length: number): void {
  // Callers compute offsets from validated state, so a bad range is a bug in
  // fairdb, not bad input: bytes from disk are validated before use. The
  // message is built only on failure: this check runs on every device call.
  if (!(Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0 && offset + length <= device.sizeBytes)) {
    throw new AssertionError(`range [${offset}, ${offset + length}) is outside ${device.location} of ${device.sizeBytes} bytes`);
  }
}

/**
 * How to draw crash images from a device: every image is a state a power
 * failure at this instant could leave on the medium.
 * - `enumerate`: every distinct image, when there are at most `limit` of them
 *   (else the call throws `LIMIT`); the first image is the persisted state.
 * - `sample`: `count` images drawn with a seeded generator.
 */
export type CrashImageOptions =
  | { readonly mode: 'enumerate'; readonly limit: number }
  | { readonly mode: 'sample'; readonly seed: number; readonly count: number };

/** A device whose failure states can be enumerated or sampled (tests only). */
export interface CrashableDevice extends Device {
  /**
   * Number of independent units (8-byte words for pmem, sectors for the file
   * device) written since they were last persisted.
   */
  pendingUnits(): number;
  /** Images of the whole device a crash now could leave, per `options`. */
  crashImages(options: CrashImageOptions): Iterable<Uint8Array>;
}
