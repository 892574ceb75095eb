/**
 * What the file device and the pmem device share: the in-memory image of the
 * device (with a few bytes of state per unit — page or cache line), its
 * growth, paging an existing backing file in, and the operation counters
 * behind `stats()`.
 *
 * The image behaves as an mmap-ed file would: a device opened on an existing
 * file reads a chunk of it on the first access to that chunk, so opening a
 * large device costs only what recovery reads; and memory grows
 * geometrically, so a log growing one segment at a time does not copy the
 * whole device at every step. Bytes past `size` are zero and never handed
 * out.
 *
 * Not a resizable ArrayBuffer (which would grow in place, without copies):
 * on Node 20 every Buffer made over one (`subarray`, `Buffer.from(ab, ...)`)
 * takes a slow path, about 15 times the cost of one over a plain
 * ArrayBuffer, and the read path makes one per value.
 */
import { LimitError, type DeviceKind, type DeviceStats } from '../device/index.js';
import { BackingFile } from './backing-file.js';

/** Granularity of paging an existing backing file in, in bytes. */
export const pageInChunkBytes = 256 * 1024;
export interface DeviceImageOptions {
  /** Size in bytes (a multiple of the unit). */
  readonly sizeBytes: number;
  /** log2 of the bytes of one unit (cache line, page). */
  readonly unitShift: number;
  /** Bytes of state per unit. */
  readonly stateBytes: number;
  /** Largest size allowed, in bytes; growth past it throws LIMIT. */
  readonly sizeBytesMax: number;
  /** Where the image's persisted contents come from, paged in on demand. */
  readonly file?: BackingFile;
  /** Initial contents, copied at once. */
  readonly image?: Uint8Array;
  /** Name for error messages. */
  readonly location: string;
}

export class DeviceImage {
  /** The device's bytes, with spare capacity past `size`. */
  buffer: Buffer;
  /** `stateBytes` bytes of state per unit, for the whole capacity. */
  state: Uint8Array;
  /** Size of the device in bytes. */
  size: number;
  /**
   * Which chunks of the backing file are in memory (1 = loaded); undefined
   * once everything is (or nothing was to be). Check it before `pageIn`:
   * `if (image.loaded !== undefined) image.pageIn(offset, length)`.
   */
  loaded: Uint8Array | undefined;
  private loadedChunks = 0;
  private readonly loadLimit: number;

  constructor(private readonly options: DeviceImageOptions) {
    if (options.sizeBytes > options.sizeBytesMax) throw new LimitError(`size in bytes of ${options.location}`, options.sizeBytesMax, options.sizeBytes);
    this.size = options.sizeBytes;
    this.buffer = Buffer.alloc(this.size);
    this.state = new Uint8Array(this.stateLength(this.size));
    const fileBytes = options.file?.initialSizeBytes ?? 0;
    this.loadLimit = Math.min(fileBytes, this.size);
    if (this.loadLimit > 0) this.loaded = new Uint8Array(Math.ceil(this.loadLimit / pageInChunkBytes));
    if (options.image !== undefined) this.buffer.set(options.image, 0);
  }

  /** Loads the file chunks covering `[offset, offset + length)` that are not in memory yet. */
  pageIn(offset: number, length: number): void {
    const loaded = this.loaded as Uint8Array;
    const first = Math.floor(offset / pageInChunkBytes);
    const last = Math.min(loaded.length - 1, Math.floor((offset + Math.max(length, 1) - 1) / pageInChunkBytes));
    for (let chunk = first; chunk <= last; chunk++) {
      if (loaded[chunk] !== 0) continue;
      const start = chunk * pageInChunkBytes;
      (this.options.file as BackingFile).readRange(this.buffer, start, Math.min(pageInChunkBytes, this.loadLimit - start));
      loaded[chunk] = 1;
      this.loadedChunks++;
    }
    if (this.loadedChunks === loaded.length) this.loaded = undefined;
  }

  /** Loads everything not in memory yet (before operations on the whole image). */
  pageInAll(): void {
    if (this.loaded !== undefined) this.pageIn(0, this.loadLimit);
  }

  /**
   * Grows to `size` bytes (new bytes zero), keeping contents and state.
   * IMPORTANT: past the spare capacity the memory is reallocated, so views
   * handed out before a growth no longer see later writes.
   */
  grow(size: number): void {
    if (size <= this.size) return;
    if (size > this.options.sizeBytesMax) throw new LimitError(`size in bytes of ${this.options.location}`, this.options.sizeBytesMax, size);
    if (size > this.buffer.length) {
      this.pageInAll();
      const old = this.buffer.length;
      // Doubling, with no cap but the largest size: a capped step would copy
      // the whole image every few segments once the device is large. Spare
      // capacity is zero pages the system has not given memory to yet.
      const capacity = Math.min(this.options.sizeBytesMax, Math.max(size, old * 2));
      const buffer = Buffer.alloc(capacity);
      buffer.set(this.buffer.subarray(0, this.size), 0);
      const state = new Uint8Array(this.stateLength(capacity));
      state.set(this.state.subarray(0, this.stateLength(this.size)), 0);
      this.buffer = buffer;
      this.state = state;
    }
    this.size = size;
  }

  private stateLength(size: number): number {
    return Math.floor(size / 2 ** this.options.unitShift) * this.options.stateBytes;
  }

  /** Drops the memory (views handed out earlier keep their own reference). */
  release(): void {
    this.buffer = Buffer.alloc(0);
    this.state = new Uint8Array(0);
    this.loaded = undefined;
  }
}

/** The counters every image-backed device reports in `stats()`. */
export class DeviceCounters {
  reads = 0;
  bytesRead = 0;
  writes = 0;
  bytesWritten = 0;
  flushes = 0;
  fences = 0;
  mediaBytesWritten = 0;
  /** Bytes the caller made durable (the denominator of write amplification). */
  bytesPersisted = 0;
  hostWrites = 0;
  hostSyncs = 0;

  stats(kind: DeviceKind, sizeBytes: number, deviceTimeNs: number, extra: Record<string, number>): DeviceStats {
    return {
      kind,
      sizeBytes,
      reads: this.reads,
      bytesRead: this.bytesRead,
      writes: this.writes,
      bytesWritten: this.bytesWritten,
      flushes: this.flushes,
      fences: this.fences,
      mediaBytesWritten: this.mediaBytesWritten,
      writeAmplification: this.bytesPersisted > 0 ? this.mediaBytesWritten / this.bytesPersisted : 0,
      hostWrites: this.hostWrites,
      hostSyncs: this.hostSyncs,
      deviceTimeNs,
      extra: { ...extra, bytesPersisted: this.bytesPersisted },
    };
  }
}

/** What a device built on a DeviceImage decides about its memory and backing file. */
export interface BackedImageOptions {
  /** Backing file to open (created when missing); undefined: memory only. */
  readonly path: string | undefined;
  /** Initial contents, when there is no backing file. */
  readonly image: Uint8Array | undefined;
  /** Requested size in bytes; undefined: the existing contents' size, or `sizeBytesDefault`. */
  readonly sizeBytes: number | undefined;
  readonly sizeBytesDefault: number;
  readonly sizeBytesMax: number;
  /** The device's size is always a multiple of this, in bytes. */
  readonly granuleBytes: number;
  readonly unitShift: number;
  readonly stateBytes: number;
  /** Whether resizing the file is followed by an fdatasync (a device that syncs its persists). */
  readonly sync: boolean;
  readonly location: string;
  readonly counters: DeviceCounters;
}

/**
 * The image and backing file of a device: an existing file is paged in on
 * first access, and the file is kept exactly as large as the device, so a
 * reopen sees the same size and positioned writes never extend it.
 */
export class BackedImage {
  private constructor(
    readonly image: DeviceImage,
    readonly file: BackingFile | undefined,
    private readonly options: BackedImageOptions,
  ) {}

  static open(options: BackedImageOptions): BackedImage {
    const file = options.path !== undefined ? BackingFile.open(options.path) : undefined;
    try {
      const existingBytes = file?.initialSizeBytes ?? options.image?.length ?? 0;
      if (existingBytes > options.sizeBytesMax) throw new LimitError(`size in bytes of ${options.location}`, options.sizeBytesMax, existingBytes);
      const requested = options.sizeBytes ?? (existingBytes > 0 ? existingBytes : options.sizeBytesDefault);
      const image = new DeviceImage({
        sizeBytes: roundUp(Math.max(requested, existingBytes), options.granuleBytes),
        unitShift: options.unitShift,
        stateBytes: options.stateBytes,
        sizeBytesMax: options.sizeBytesMax,
        location: options.location,
        ...(file === undefined ? {} : { file }),
        ...(options.image === undefined ? {} : { image: options.image }),
      });
      const backed = new BackedImage(image, file, options);
      if (file !== undefined && file.initialSizeBytes !== image.size) backed.resizeFile(image.size);
      return backed;
    } catch (error) {
      file?.close();
      throw error;
    }
  }

  /** Grows the device to at least `sizeBytes` (rounded up to the granule); LIMIT past the maximum. */
  grow(sizeBytes: number): void {
    if (sizeBytes <= this.image.size) return;
    if (sizeBytes > this.options.sizeBytesMax) throw new LimitError(`size in bytes of ${this.options.location}`, this.options.sizeBytesMax, sizeBytes);
    const size = roundUp(sizeBytes, this.options.granuleBytes);
    if (this.file !== undefined) this.resizeFile(size);
    this.image.grow(size);
  }

  private resizeFile(size: number): void {
    const file = this.file as BackingFile;
    file.resize(size);
    if (this.options.sync) {
      file.sync();
      this.options.counters.hostSyncs++;
    }
  }
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}
