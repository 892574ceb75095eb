/**
 * Every limit of the write-ahead log, as a named constant with its unit last.
 * Each is enforced with a typed error (LIMIT or INVALID_ARGUMENT) and tested
 * at the limit and one past it.
 */
import { segmentDataOffset } from './layout.js';
import { recordHeaderBytes } from './record.js';

/** Smallest segment: 64 KiB. Segments are powers of two. */
export const segmentBytesMin = 64 * 1024;
/** Largest segment: 1 GiB. */
export const segmentBytesMax = 1024 * 1024 * 1024;
/** Segment size of a newly formatted log: 16 MiB. */
export const segmentBytesDefault = 16 * 1024 * 1024;

/**
 * Absolute cap on one record's payload: 64 MiB, whatever the segment size,
 * so that a record never needs more than one bounded read and one CRC pass.
 */
export const recordBytesCap = 64 * 1024 * 1024;

/**
 * The largest payload a log with `segmentBytes` segments accepts: a record
 * never spans segments, so it must fit in an empty segment after the segment
 * header, the free-marker line and its own record header; and never more than
 * `recordBytesCap`.
 */
export function recordBytesMaxFor(segmentBytes: number): number {
  return Math.min(recordBytesCap, segmentBytes - segmentDataOffset - recordHeaderBytes);
}

/**
 * A commit group whose framed bytes (record headers, payloads and padding)
 * exceed this is persisted at once by the append that crossed it: 4 MiB.
 * Bounds the bytes a single barrier writes and the work lost to a crash.
 */
export const groupBytesMax = 4 * 1024 * 1024;

/** Largest checkpoint image: 1 GiB (it is read back as one buffer). */
export const checkpointBytesMax = 1024 * 1024 * 1024;

/** LSNs are safe integers: the largest is 2^53 - 1. */
export const lsnMax = Number.MAX_SAFE_INTEGER;

/** Segment slots are numbered with 32-bit integers; 0xFFFFFFFF means "none". */
export const segmentCountMax = 0xffff_fffe;

/** Longest `groupWindowMs`: 10 s. */
export const groupWindowMsMax = 10_000;
/** Longest `backgroundPersistMs`: 60 s. */
export const backgroundPersistMsMax = 60_000;
/** Default `backgroundPersistMs` in `none` mode: 50 ms. */
export const backgroundPersistMsDefault = 50;

/** Caller record types: 0–15 are reserved for the log itself. */
export const recordTypeMin = 16;
export const recordTypeMax = 255;
