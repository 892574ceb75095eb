/**
 * The public types of the write-ahead log. See index.ts for the overview and
 * FORMAT.md for the bytes on the device.
 */

/** A log sequence number: records are numbered 1, 2, 3, ... consecutively; 0 = none. */
export type Lsn = number & { readonly __brand: 'Lsn' };

/**
 * When `commit()` resolves (see FORMAT.md, "Durability modes"):
 * - `sync`: the barrier runs inside `commit()`; the returned promise is
 *   already settled.
 * - `group`: one barrier per event-loop turn (or per `groupWindowMs`) shared
 *   by every commit of that turn; the promise resolves after it.
 * - `none`: the promise resolves at once; a background timer persists every
 *   `backgroundPersistMs`. A crash loses at most the records appended in the
 *   last `backgroundPersistMs` plus the duration of one barrier (more if the
 *   event loop is blocked and the timer fires late).
 */
export type Durability = 'sync' | 'group' | 'none';

/** Where a record is and what it is. */
export interface RecordRef {
  readonly lsn: Lsn;
  /** The caller's record type, 16–255. */
  readonly type: number;
  /** Device offset of the payload's first byte. */
  readonly address: number;
  /** Payload bytes. */
  readonly length: number;
}

/** One log segment, as `segments()` reports it. */
export interface SegmentInfo {
  /** Slot number: the segment lives at device offset `base`. */
  readonly index: number;
  readonly base: number;
  readonly firstLsn: Lsn;
  /**
   * Last LSN it holds; `firstLsn - 1` when it is empty. With `exact: false`
   * and a segment not yet walked, an upper bound.
   */
  readonly lastLsn: Lsn;
  /**
   * Bytes of records (headers, payloads, padding) in the segment; with
   * `exact: false`, NaN for a segment not yet walked.
   */
  readonly usedBytes: number;
  /** True for the segment appends go to (never freed). */
  readonly active: boolean;
}

/**
 * What recovery found and did at open; see the recovery table in
 * recovery.ts and FORMAT.md.
 * - `formatted`: the device held no log (all zero, or only a superblock torn
 *   while formatting); a new one was written.
 * - `clean`: every record after the checkpoint was valid up to zeros, the
 *   end of the segment, or stale records of the segment's previous life.
 * - `torn-tail`: the log ended at invalid bytes with no later record
 *   (table case 3): a write torn by a crash, or leftovers of a reused
 *   segment's previous life that are not whole records; zeroed.
 * - `torn-group`: the log ended at an invalid record followed only by
 *   records of the commit group in flight at the crash (case 4): truncated.
 */
export type RecoveryCase = 'formatted' | 'clean' | 'torn-tail' | 'torn-group';

export interface RecoveryReport {
  readonly case: RecoveryCase;
  /** Records after the checkpoint accepted by the scan (what `replay` will visit). */
  readonly recordsScanned: number;
  /** Log segments the scan visited. */
  readonly segmentsScanned: number;
  /**
   * Non-zero bytes after the end of the log that were zeroed (torn records,
   * orphans of the commit group in flight, stale records of the segment's
   * previous life), from the end of the log to the last non-zero byte of its
   * segment.
   */
  readonly bytesTruncated: number;
  /** Device offset where the log ends (where the next record goes), 0 when no segment holds it. */
  readonly endAddress: number;
  readonly lastLsn: Lsn;
  /** LSN the checkpoint covers; 0 when there is none. */
  readonly checkpointLsn: Lsn;
  /** Which superblock copy (0 or 1) was the newest valid one. */
  readonly superblockCopy: 0 | 1;
  /** Segments whose free was interrupted by a crash, completed now. */
  readonly freesCompleted: number;
  /** Torn segment headers (a crash while allocating or freeing) reclaimed as free. */
  readonly tornHeadersReclaimed: number;
  /** Checkpoint segments no superblock refers to (a crash while checkpointing), freed. */
  readonly orphanCheckpointSegmentsFreed: number;
  /** One sentence on what was found. */
  readonly detail: string;
}

export interface WalStats {
  /** Records appended since open, their payload bytes and their framed bytes. */
  readonly records: number;
  readonly payloadBytes: number;
  readonly bytesAppended: number;
  /** Calls to commit(). */
  readonly commits: number;
  /** Persist barriers that made records durable (commit groups). */
  readonly groups: number;
  /** Mean records and framed bytes per commit group. */
  readonly groupRecordsMean: number;
  readonly groupBytesMean: number;
  /** Every persist barrier the log issued: groups, segment headers, superblocks, checkpoints, frees. */
  readonly barriers: number;
  /** Segments allocated for the log since open (roll-overs). */
  readonly segmentsAllocated: number;
  /** Log and checkpoint segments freed since open. */
  readonly segmentsFreed: number;
  /** Checkpoints written since open. */
  readonly checkpoints: number;
  /** Slots by state now. */
  readonly segmentsLog: number;
  readonly segmentsCheckpoint: number;
  readonly segmentsFree: number;
  readonly segmentBytes: number;
  readonly lastLsn: Lsn;
  readonly durableLsn: Lsn;
  /** LSN the checkpoint covers; 0 when there is none. */
  readonly checkpointLsn: Lsn;
}

export interface Wal {
  /** What recovery found and did when the log was opened. */
  readonly recovery: RecoveryReport;
  readonly durability: Durability;
  /** Size of every segment in bytes (fixed when the log was formatted). */
  readonly segmentBytes: number;
  /** Largest payload `append` accepts, in bytes (see limits.ts). */
  readonly recordBytesMax: number;
  /** Last appended LSN (0 when the log is empty). */
  readonly lastLsn: Lsn;
  /** Last LSN covered by a completed persist barrier. */
  readonly durableLsn: Lsn;
  /** LSN the current checkpoint covers; 0 when there is none. */
  readonly checkpointLsn: Lsn;

  /**
   * Appends a record and returns where it is. Its bytes are on the device at
   * once (readable, not yet durable); it becomes durable with the next
   * barrier (`commit`, `persistNow`, a roll-over, or the group limit).
   * Throws INVALID_ARGUMENT for a type outside 16–255, LIMIT for a payload
   * over `recordBytesMax`.
   */
  append(type: number, payload: Uint8Array): RecordRef;
  /**
   * Makes everything appended so far durable, per the durability mode. Throws
   * (synchronously) when the log is closed or failed; the promise rejects if
   * the barrier fails, and the log is failed from then on.
   */
  commit(): Promise<void>;
  /** Runs a persist barrier now for everything appended so far. */
  persistNow(): void;
  /**
   * Visits the records after the current checkpoint in LSN order, CRC-verified.
   * IMPORTANT: `payload` is a view of the device; copy what you keep.
   */
  replay(visit: (ref: RecordRef, payload: Uint8Array) => void): void;
  /**
   * Reads back the record whose payload starts at `address` (a RecordRef
   * address). The payload is a device view. Verifies the CRC when `verify`.
   * INVALID_ARGUMENT when no record of a live log segment can start there;
   * CORRUPTION when the bytes there are not a valid record.
   */
  readRecord(address: number, verify: boolean): { ref: RecordRef; payload: Uint8Array };
  /**
   * Writes a checkpoint image covering every record up to `lsn` (at least the
   * current checkpoint's LSN, at most `lastLsn`; records up to it are made
   * durable first), persists it, switches the superblock to it, then frees
   * the previous checkpoint's segments. Synchronous. The image may be given
   * in chunks; it is at most `checkpointBytesMax` bytes.
   */
  writeCheckpoint(lsn: Lsn, image: readonly Uint8Array[]): void;
  /** The current checkpoint (a copy, CRC-verified), or undefined. */
  readCheckpoint(): { lsn: Lsn; image: Uint8Array } | undefined;
  /**
   * The current checkpoint as CRC-verified views of the device, one per
   * segment of its chain (no copy), or undefined. IMPORTANT: the views alias
   * device memory that the next checkpoint frees.
   */
  readCheckpointChunks(): { lsn: Lsn; chunks: Uint8Array[] } | undefined;
  /**
   * The live log segments in LSN order. Segments wholly before the checkpoint
   * are not read at open; by default (`exact: true`) their records are
   * walked here, once, to learn their extent — which reads every byte of
   * them. `exact: false` answers from what is known without reading.
   */
  segments(options?: { readonly exact?: boolean }): readonly SegmentInfo[];
  /**
   * Visits the records of one log segment in order, CRC-verified (for
   * compaction). IMPORTANT: `payload` is a device view.
   */
  scanSegment(index: number, visit: (ref: RecordRef, payload: Uint8Array) => void): void;
  /**
   * Frees a log segment so that its slot can be reused. It must not be the
   * active segment and its lastLsn must be at most the checkpoint LSN (else
   * INVALID_ARGUMENT). IMPORTANT: addresses inside it are invalid afterwards.
   */
  freeSegment(index: number): void;
  /** Frees every non-active log segment whose lastLsn is at most the checkpoint LSN; returns how many. */
  truncate(): number;
  stats(): WalStats;
  /** Persists what is pending, then closes the log and its device. Idempotent. */
  close(): Promise<void>;
}
