/**
 * A device that forwards every call to another: the base of the test
 * wrappers that watch (CrashProbe) or break (FaultyDevice) a device.
 * `persist` is flush + fence through this object, so an override of either
 * sees it.
 */
import type { Device, DeviceStats } from '../../storage/device/index.js';

export class ForwardingDevice implements Device {
  constructor(readonly inner: Device) {}

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
  }
  flush(offset: number, length: number): void {
    this.inner.flush(offset, length);
  }
  fence(): void {
    this.inner.fence();
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
