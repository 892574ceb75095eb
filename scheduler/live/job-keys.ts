/**
 * Raw keys of the job system. Everything lives under the reserved prefix
 * `0x01 'j'` (the SQL engine uses `0x01 'q'`), then one tag byte:
 *
 * ```
 * KEY                                   VALUE
 * 01 'j' 'M'                            meta record (job-format.ts)
 * 01 'j' 'A' seq(8)                     job record of an active job: queued, waiting or running
 * 01 'j' 'F' seq(8)                     job record of a finished job: succeeded, failed or cancelled
 * 01 'j' 'I' id(UTF-8)                  seq(8) of the job with this caller-chosen id
 * 01 'j' 'E' seq(8) step(4)             memo of one ctx.transaction step of the job
 * 01 'j' 'C' name(UTF-8)                cron schedule record
 * ```
 *
 * `seq` is the job's sequence number, 8 bytes big-endian (so keys sort in
 * submission order); `step` is the 1-based position of a `ctx.transaction`
 * call within an attempt, 4 bytes big-endian. Active and finished records
 * live under different tags so that opening the database reads the active
 * jobs only, however many finished ones are kept; a job moves from `A` to
 * `F` in the transaction that finishes it.
 *
 * Keys are binary strings (one char per byte; see storage/kv/raw.ts).
 */
import type { RawKey } from '../../storage/kv/index.js';

export const jobKeyPrefix = '\u0001j';
export const metaKey: RawKey = '\u0001jM';
export const activePrefix: RawKey = '\u0001jA';
export const finishedPrefix: RawKey = '\u0001jF';
export const idPrefix: RawKey = '\u0001jI';
export const memoPrefix: RawKey = '\u0001jE';
export const cronPrefix: RawKey = '\u0001jC';

/** The first key after every key that starts with `prefix`. */
export function prefixEnd(prefix: RawKey): RawKey {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

const twoTo32 = 4294967296;

/** Eight big-endian bytes of a sequence number (a safe integer ≥ 0). */
export function seqBytes(seq: number): string {
  const hi = Math.floor(seq / twoTo32);
  const lo = seq >>> 0;
  return String.fromCharCode((hi >>> 24) & 255, (hi >>> 16) & 255, (hi >>> 8) & 255, hi & 255, lo >>> 24, (lo >>> 16) & 255, (lo >>> 8) & 255, lo & 255);
}

/** Reads eight big-endian bytes of a key, from char `at`. */
export function readSeq(key: RawKey, at: number): number {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 4; i++) hi = hi * 256 + key.charCodeAt(at + i);
  for (let i = 4; i < 8; i++) lo = lo * 256 + key.charCodeAt(at + i);
  return hi * twoTo32 + lo;
}

export function activeKey(seq: number): RawKey {
  return activePrefix + seqBytes(seq);
}

export function finishedKey(seq: number): RawKey {
  return finishedPrefix + seqBytes(seq);
}

/** The sequence number in an `A` or `F` key. */
export function seqOfRecordKey(key: RawKey): number {
  return readSeq(key, 3);
}

function utf8Key(prefix: RawKey, text: string): RawKey {
  return prefix + Buffer.from(text, 'utf8').toString('latin1');
}

export function idKey(customId: string): RawKey {
  return utf8Key(idPrefix, customId);
}

export function cronKey(name: string): RawKey {
  return utf8Key(cronPrefix, name);
}

/** The schedule name in a cron key. */
export function cronNameOfKey(key: RawKey): string {
  return Buffer.from(key.slice(cronPrefix.length), 'latin1').toString('utf8');
}

export function memoKey(seq: number, step: number): RawKey {
  return memoPrefix + seqBytes(seq) + String.fromCharCode((step >>> 24) & 255, (step >>> 16) & 255, (step >>> 8) & 255, step & 255);
}

/** The key range holding every memo of a job. */
export function memoRange(seq: number): { start: RawKey; end: RawKey } {
  const start = memoPrefix + seqBytes(seq);
  return { start, end: memoPrefix + seqBytes(seq + 1) };
}
