/**
 * What the file device and the pmem device share as devices: an image with
 * its backing file (BackedImage), counters, the list of units (pages, cache
 * lines) flushed since the last fence, and the lifecycle — size, growth,
 * persist as flush + fence, close. Each subclass models its own medium:
 * what a write, a flush and a fence do, and which crash images exist.
 */
import { assert, ClosedError } from '../device/index.js';
import type { BackingFile } from './backing-file.js';
import { BackedImage, DeviceCounters, type BackedImageOptions, type DeviceImage } from './device-image.js';

export abstract class ImageDevice {
  protected readonly backed: BackedImage;
  protected readonly image: DeviceImage;
  protected readonly c = new DeviceCounters();
  protected readonly file: BackingFile | undefined;
  protected closed = false;

  /** Units flushed since the last fence, each once (the subclass guards with its unit state). */
  protected flushedUnits = new Int32Array(64);
  protected flushedCount = 0;
  protected flushedSorted = true;

  protected constructor(
    readonly location: string,
    /** Names the device in CLOSED errors, e.g. 'pmem device'. */
    private readonly noun: string,
    image: Omit<BackedImageOptions, 'location' | 'counters'>,
  ) {
    this.backed = BackedImage.open({ ...image, location, counters: this.c });
    this.image = this.backed.image;
    this.file = this.backed.file;
  }

  get sizeBytes(): number {
    return this.image.size;
  }

  abstract flush(offset: number, length: number): void;
  abstract fence(): void;

  persist(offset: number, length: number): void {
    this.flush(offset, length);
    this.fence();
  }

  /**
   * Extends the device to at least `sizeBytes`, rounded up to its granule;
   * new bytes read as zero. The backing file is extended at once (and
   * fdatasynced when the device syncs its persists). IMPORTANT: the memory
   * may be reallocated, so views returned by `read()` before a growth may
   * not see later writes; read again after growing.
   */
  grow(sizeBytes: number): void {
    if (this.closed) throw this.closedError();
    assert(Number.isSafeInteger(sizeBytes) && sizeBytes >= 0, `grow to ${sizeBytes} bytes`);
    if (sizeBytes <= this.image.size) return;
    this.backed.grow(sizeBytes);
  }

  /**
   * Closes the device. IMPORTANT: pending (unpersisted) writes are NOT
   * persisted — for them, close is a crash. Idempotent.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.image.release();
    this.released();
    this.file?.close();
  }

  /** Drops what the subclass keeps for crash images (called once, at close). */
  protected abstract released(): void;

  protected pushFlushed(unit: number): void {
    if (this.flushedCount === this.flushedUnits.length) {
      const grown = new Int32Array(this.flushedUnits.length * 2);
      grown.set(this.flushedUnits, 0);
      this.flushedUnits = grown;
    }
    if (this.flushedCount > 0 && unit < (this.flushedUnits[this.flushedCount - 1] as number)) this.flushedSorted = false;
    this.flushedUnits[this.flushedCount++] = unit;
  }

  protected closedError(): ClosedError {
    return new ClosedError(`${this.noun} ${this.location}`);
  }
}
