/**
 * Options of the write-ahead log: declared with unit and default, resolved
 * once, validated with every violation reported at once, then frozen.
 */
import { OptionsViolations, systemClock, type Clock, type Device } from '../storage/device/index.js';
import { backgroundPersistMsDefault, backgroundPersistMsMax, groupWindowMsMax, segmentBytesDefault, segmentBytesMax, segmentBytesMin } from './limits.js';
import { isValidSegmentBytes } from './superblock.js';
import type { Durability } from './types.js';

export interface WalOptions {
  /**
   * The device holding the log; required. The log owns it from now on: it
   * writes the whole device and closes it in `close()`.
   */
  readonly device: Device;
  /**
   * Segment size in bytes: a power of two from 64 KiB to 1 GiB; default
   * 16 MiB. Used only when formatting a new log; an existing log keeps the
   * size it was formatted with.
   */
  readonly segmentBytes?: number;
  /** When `commit()` resolves: `sync`, `group` or `none`; default `group`. See `Durability`. */
  readonly durability?: Durability;
  /**
   * `group` mode: milliseconds to gather a commit group after its first
   * commit; default 0 = the end of the current event-loop turn (setImmediate).
   * At most 10,000. Ignored in the other modes.
   */
  readonly groupWindowMs?: number;
  /**
   * `none` mode: milliseconds between background persist barriers; default
   * 50, from 1 to 60,000. Bounds the loss window (see `Durability`).
   * Ignored in the other modes.
   */
  readonly backgroundPersistMs?: number;
  /** Clock for the `none` mode's background timer; default the system clock. */
  readonly clock?: Clock;
}

export interface ResolvedWalOptions {
  readonly device: Device;
  readonly segmentBytes: number;
  readonly durability: Durability;
  readonly groupWindowMs: number;
  readonly backgroundPersistMs: number;
  readonly clock: Clock;
}

export function resolveWalOptions(options: WalOptions): ResolvedWalOptions {
  const v = new OptionsViolations('write-ahead log options');
  if (typeof options !== 'object' || options === null) {
    v.check(false, 'options must be an object');
    v.throwIfAny();
  }
  const device = options.device;
  v.check(
    typeof device === 'object' && device !== null && typeof device.read === 'function' && typeof device.persist === 'function',
    'device must be a Device',
  );
  const segmentBytes = options.segmentBytes ?? segmentBytesDefault;
  v.check(isValidSegmentBytes(segmentBytes), `segmentBytes must be a power of two from ${segmentBytesMin} to ${segmentBytesMax}, got ${String(segmentBytes)}`);
  const durability = options.durability ?? 'group';
  v.check(durability === 'sync' || durability === 'group' || durability === 'none', `durability must be 'sync', 'group' or 'none', got ${String(durability)}`);
  const groupWindowMs = options.groupWindowMs ?? 0;
  v.check(
    typeof groupWindowMs === 'number' && Number.isFinite(groupWindowMs) && groupWindowMs >= 0 && groupWindowMs <= groupWindowMsMax,
    `groupWindowMs must be from 0 to ${groupWindowMsMax}, got ${String(groupWindowMs)}`,
  );
  const backgroundPersistMs = options.backgroundPersistMs ?? backgroundPersistMsDefault;
  v.check(
    typeof backgroundPersistMs === 'number' && Number.isFinite(backgroundPersistMs) && backgroundPersistMs >= 1 && backgroundPersistMs <= backgroundPersistMsMax,
    `backgroundPersistMs must be from 1 to ${backgroundPersistMsMax}, got ${String(backgroundPersistMs)}`,
  );
  const clock = options.clock ?? systemClock;
  v.check(typeof clock === 'object' && clock !== null && typeof clock.setTimer === 'function', 'clock must be a Clock');
  v.throwIfAny();
  return Object.freeze({ device, segmentBytes, durability, groupWindowMs, backgroundPersistMs, clock });
}
