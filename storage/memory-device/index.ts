/**
 * A volatile DRAM device: the contents live in a growable in-memory buffer
 * and are gone after close. flush/fence cost nothing. Used by the `memory`
 * database option, by tests, and as the ceiling in benchmarks.
 */
import { assert, checkRange, ClosedError, type Device, type DeviceStats } from '../device/index.js';
import { DeviceImage } from '../file-device/index.js';

export interface MemoryDeviceOptions {
  /** Initial size in bytes; default 1 MiB. */
  readonly sizeBytes?: number;
  /** Initial contents (copied); the device is at least this large. */
  readonly image?: Uint8Array;
}

/** Sizes grow in whole pages of this many bytes. */
const memoryPageBytes = 4096;
/** Largest size of a memory device, in bytes; growing past it throws LIMIT. */
export const memoryDeviceSizeBytesMax = 2 ** 32;

export class MemoryDevice implements Device {
  readonly kind = 'memory' as const;
  readonly persistent = false;
  readonly location = 'memory';
  /** The memory (see DeviceImage: it grows geometrically). */
  private readonly image: DeviceImage;
  private closed = false;
  private counters = { reads: 0, bytesRead: 0, writes: 0, bytesWritten: 0, flushes: 0, fences: 0 };

  constructor(options: MemoryDeviceOptions = {}) {
    const requested = Math.max(options.sizeBytes ?? 1 << 20, options.image?.length ?? 0);
    this.image = new DeviceImage({
      sizeBytes: roundUp(requested, memoryPageBytes),
      unitShift: 12,
      stateBytes: 0,
      sizeBytesMax: memoryDeviceSizeBytesMax,
      location: this.location,
      ...(options.image === undefined ? {} : { image: options.image }),
    });
  }

  get sizeBytes(): number {
    return this.image.size;
  }

  read(offset: number, length: number): Uint8Array {
    this.checkOpen();
    checkRange(this, offset, length);
    this.counters.reads++;
    this.counters.bytesRead += length;
    return this.image.buffer.subarray(offset, offset + length);
  }

  write(offset: number, bytes: Uint8Array): void {
    this.checkOpen();
    checkRange(this, offset, bytes.length);
    this.counters.writes++;
    this.counters.bytesWritten += bytes.length;
    this.image.buffer.set(bytes, offset);
  }

  flush(offset: number, length: number): void {
    this.checkOpen();
    checkRange(this, offset, length);
    this.counters.flushes++;
  }

  fence(): void {
    this.checkOpen();
    this.counters.fences++;
  }

  persist(offset: number, length: number): void {
    this.flush(offset, length);
    this.fence();
  }

  grow(sizeBytes: number): void {
    this.checkOpen();
    assert(Number.isSafeInteger(sizeBytes) && sizeBytes >= 0, `grow to ${sizeBytes} bytes`);
    if (sizeBytes <= this.image.size) return;
    this.image.grow(roundUp(sizeBytes, memoryPageBytes));
  }

  close(): void {
    this.closed = true;
    this.image.release();
  }

  stats(): DeviceStats {
    return {
      kind: this.kind,
      sizeBytes: this.image.size,
      ...this.counters,
      mediaBytesWritten: 0,
      writeAmplification: 0,
      hostWrites: 0,
      hostSyncs: 0,
      deviceTimeNs: 0,
      extra: {},
    };
  }

  private checkOpen(): void {
    if (this.closed) throw new ClosedError('memory device');
  }
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}
