/**
 * The write-ahead log: CRC32C-framed records in fixed-size segments on one
 * `Device`, group commit with three durability modes, recovery written as an
 * explicit table of cases, and checkpoints that let the log be truncated.
 *
 * - Format: FORMAT.md (offset tables, magic numbers, versions, recovery table).
 * - Commit protocol: write-ahead-log.ts. Recovery: recovery.ts.
 * - Limits: limits.ts.
 *
 * IMPORTANT: payload views returned by `replay`, `readRecord` and
 * `scanSegment` alias the device's memory; copy what you keep. A freed
 * segment's addresses are invalid from then on.
 */
import { resolveWalOptions, type WalOptions } from './options.js';
import { recoverLog } from './recovery.js';
import type { Wal } from './types.js';
import { WriteAheadLog } from './write-ahead-log.js';

export type { Durability, Lsn, RecordRef, RecoveryCase, RecoveryReport, SegmentInfo, Wal, WalStats } from './types.js';
export type { WalOptions } from './options.js';
export {
  backgroundPersistMsDefault,
  backgroundPersistMsMax,
  checkpointBytesMax,
  groupBytesMax,
  groupWindowMsMax,
  lsnMax,
  recordBytesCap,
  recordBytesMaxFor,
  recordTypeMax,
  recordTypeMin,
  segmentBytesDefault,
  segmentBytesMax,
  segmentBytesMin,
} from './limits.js';

/**
 * Opens the log on `options.device`: formats an all-zero device, otherwise
 * recovers (see recovery.ts) and reports what it found in `wal.recovery`.
 * Throws INVALID_ARGUMENT for bad options and CORRUPTION (with the device
 * location and offset) for a device whose contents cannot be a log this code
 * wrote. If opening fails, the device is left open.
 */
export function openWal(options: WalOptions): Wal {
  const resolved = resolveWalOptions(options);
  const recovered = recoverLog(resolved.device, resolved.segmentBytes);
  return new WriteAheadLog(resolved, recovered);
}
