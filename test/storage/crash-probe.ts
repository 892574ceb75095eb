/**
 * A device wrapper for crash-state replay tests: forwards every call to a
 * crash-tracking device and calls `onPoint` just before and just after every
 * fence, and, with probability `writePointChance`, after a write between
 * barriers. Set `enabled = false` to stop probing (e.g. while checking).
 */
import type { CrashableDevice, Device, DeviceStats, Random } from '../../storage/device/index.js';

export type CrashPoint = 'before a barrier' | 'after a barrier' | 'between barriers';

export class CrashProbe implements Device {
  enabled = true;

  constructor(
    readonly inner: CrashableDevice,
    private readonly onPoint: (point: CrashPoint) => void,
    private readonly between: { readonly random: Random; readonly writePointChance: number } | undefined = undefined,
  ) {}

  get kind() {
    return this.inner.kind;
  }
  get persistent() {
    return this.inner.persistent;
  }
  get location() {
    return this.inner.location;
  }
  get sizeBytes() {
    return this.inner.sizeBytes;
  }
  read(offset: number, length: number): Uint8Array {
    return this.inner.read(offset, length);
  }
  write(offset: number, bytes: Uint8Array): void {
    this.inner.write(offset, bytes);
    if (this.enabled && this.between !== undefined && this.between.random.chance(this.between.writePointChance)) this.onPoint('between barriers');
  }
  flush(offset: number, length: number): void {
    this.inner.flush(offset, length);
  }
  fence(): void {
    if (this.enabled) this.onPoint('before a barrier');
    this.inner.fence();
    if (this.enabled) this.onPoint('after a barrier');
  }
  persist(offset: number, length: number): void {
    this.flush(offset, length);
    this.fence();
  }
  grow(sizeBytes: number): void {
    this.inner.grow(sizeBytes);
  }
  close(): void {
    this.inner.close();
  }
  stats(): DeviceStats {
    return this.inner.stats();
  }
}
