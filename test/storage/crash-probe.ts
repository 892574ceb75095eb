/**
 * A device wrapper for crash-state replay tests: forwards every call to a
 * crash-tracking device and calls `onPoint` just before and just after every
 * fence, and, with probability `writePointChance`, after a write between
 * barriers. Set `enabled = false` to stop probing (e.g. while checking).
 */
import type { CrashableDevice, Random } from '../../storage/device/index.js';
import { ForwardingDevice } from './forwarding-device.js';

export type CrashPoint = 'before a barrier' | 'after a barrier' | 'between barriers';

export class CrashProbe extends ForwardingDevice {
  enabled = true;

  constructor(
    override readonly inner: CrashableDevice,
    private readonly onPoint: (point: CrashPoint) => void,
    private readonly between: { readonly random: Random; readonly writePointChance: number } | undefined = undefined,
  ) {
    super(inner);
  }

  override write(offset: number, bytes: Uint8Array): void {
    this.inner.write(offset, bytes);
    if (this.enabled && this.between !== undefined && this.between.random.chance(this.between.writePointChance)) this.onPoint('between barriers');
  }
  override fence(): void {
    if (this.enabled) this.onPoint('before a barrier');
    this.inner.fence();
    if (this.enabled) this.onPoint('after a barrier');
  }
}
