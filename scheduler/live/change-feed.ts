/**
 * The change feed (`db.changes({ since })`): an ordered, resumable stream of
 * committed transactions, each with its key-value writes (decoded with the
 * database's key and value encodings) and its job transitions.
 *
 * - Order: commit (LSN) order. Each change carries its `lsn`; pass the last
 *   one handled as `since` to resume after it, in this process or after a
 *   restart, as long as the log still holds that history (NOT_FOUND
 *   otherwise: compaction frees old log segments; an open feed pins the log
 *   from its position, so it never loses history while it is iterated).
 * - Commits with neither user writes nor job transitions (SQL tables,
 *   internal bookkeeping) are skipped.
 * - Live tail: new commits are decoded as they happen and buffered; a
 *   consumer that falls more than `feedBufferMax` changes behind reads them
 *   back from the log instead, so memory stays bounded.
 * - A feed ends when the database closes, or when the consumer stops
 *   (`break` out of `for await`).
 */
import type { Packr } from 'msgpackr';
import type { Change, KeyCodec, LogStore, RawKey, ValueCodec, Key } from '../../storage/kv/index.js';
import { InvalidArgumentError } from '../../storage/device/index.js';
import type { JobId } from '../model.js';
import { checkJobRecord, readHeader, readMeta, type StoredState } from './job-format.js';
import { activePrefix, finishedPrefix, seqOfRecordKey } from './job-keys.js';
import { feedBufferMax } from './limits.js';

/** A job's new state in a change ('removed': pruned). */
export interface JobTransition {
  readonly id: JobId;
  readonly tenant: string;
  readonly kind: string;
  readonly state: StoredState | 'removed';
  readonly epoch: number;
  readonly attempts: number;
}

export interface FeedChange<V = unknown> {
  /** The commit's log sequence number: resume after it with `since`. */
  readonly lsn: number;
  /** Writes of the key-value API (value undefined: deleted), in first-write order. */
  readonly writes: readonly { readonly key: Key; readonly value: V | undefined }[];
  readonly jobs: readonly JobTransition[];
}

export interface ChangesOptions {
  /** Deliver the commits after this LSN (0: all still in the log); default: only commits from now on. */
  readonly since?: number;
}

const internalByte = 1;

/** Decodes one commit; undefined when it holds nothing a feed reports. */
export function decodeChange<V>(change: Change, keys: KeyCodec, values: ValueCodec, packr: Packr): FeedChange<V> | undefined {
  const writes: { key: Key; value: V | undefined }[] = [];
  const jobs: JobTransition[] = [];
  let removed: number[] | undefined;
  const put = new Set<number>();
  for (const w of change.writes) {
    const key: RawKey = w.key;
    if (key.charCodeAt(0) !== internalByte) {
      writes.push({ key: keys.decode(key), value: w.value === undefined ? undefined : (values.decode(w.value) as V) });
      continue;
    }
    const isActive = key.startsWith(activePrefix);
    if (!isActive && !key.startsWith(finishedPrefix)) continue;
    const seq = seqOfRecordKey(key);
    if (w.value === undefined) {
      (removed ??= []).push(seq);
      continue;
    }
    checkJobRecord(w.value, `job record ${seq}`);
    const h = readHeader(w.value);
    const meta = readMeta(packr, w.value, `job record ${seq}`);
    put.add(seq);
    jobs.push({ id: (meta.customId ?? String(seq)) as JobId, tenant: meta.tenant, kind: meta.kind, state: h.state, epoch: h.epoch, attempts: h.attempts });
  }
  // A job moving between the active and finished ranges is one transition, not a removal.
  if (removed !== undefined) for (const seq of removed) if (!put.has(seq)) jobs.push({ id: String(seq) as JobId, tenant: '', kind: '', state: 'removed', epoch: 0, attempts: 0 });
  if (writes.length === 0 && jobs.length === 0) return undefined;
  return { lsn: change.lsn, writes, jobs };
}

class Stop extends Error {}

export class ChangeFeed<V> implements AsyncIterableIterator<FeedChange<V>> {
  private cursor: number;
  private live: boolean;
  private readonly buffer: FeedChange<V>[] = [];
  private overflow = false;
  private waiter: (() => void) | undefined;
  private done = false;
  private releasePin: () => void;
  private readonly stopListening: () => void;

  constructor(
    private readonly store: LogStore,
    private readonly keys: KeyCodec,
    private readonly values: ValueCodec,
    private readonly packr: Packr,
    options: ChangesOptions,
    private readonly onEnd: (feed: ChangeFeed<V>) => void,
  ) {
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('changes options must be an object');
    const since = options.since;
    if (since !== undefined && (!Number.isSafeInteger(since) || since < 0)) throw new InvalidArgumentError(`since must be a non-negative integer LSN, got ${String(since)}`);
    this.cursor = since ?? store.lastLsn;
    this.live = this.cursor >= store.lastLsn;
    // Fail now, not at the first read, when the history asked for is gone.
    if (!this.live) {
      try {
        store.changesSince(this.cursor, () => {
          throw new Stop();
        });
      } catch (error) {
        if (!(error instanceof Stop)) throw error;
      }
    }
    this.releasePin = store.retainLog(this.cursor);
    this.stopListening = store.onCommit((change) => this.onCommit(change));
  }

  private onCommit(change: Change): void {
    if (this.done || !this.live || this.overflow) return;
    if (this.buffer.length >= feedBufferMax) {
      this.overflow = true;
      this.buffer.length = 0;
      this.live = false;
    } else {
      const decoded = decodeChange<V>(change, this.keys, this.values, this.packr);
      if (decoded !== undefined) this.buffer.push(decoded);
      else if (this.buffer.length === 0) this.advance(change.lsn);
    }
    const wake = this.waiter;
    this.waiter = undefined;
    wake?.();
  }

  private advance(lsn: number): void {
    if (lsn <= this.cursor) return;
    this.cursor = lsn;
    const release = this.releasePin;
    this.releasePin = this.store.retainLog(lsn);
    release();
  }

  /** Reads up to `feedBufferMax` changes after the cursor from the log; switches to live when caught up. */
  private catchUp(): void {
    let last = this.cursor;
    let taken = 0;
    try {
      this.store.changesSince(this.cursor, (change) => {
        last = change.lsn;
        const decoded = decodeChange<V>(change, this.keys, this.values, this.packr);
        if (decoded !== undefined) {
          this.buffer.push(decoded);
          taken++;
        }
        if (taken >= feedBufferMax) throw new Stop();
      });
    } catch (error) {
      if (!(error instanceof Stop)) throw error;
    }
    if (last >= this.store.lastLsn) {
      this.live = true;
      this.overflow = false;
    }
    if (this.buffer.length === 0) this.advance(last);
  }

  async next(): Promise<IteratorResult<FeedChange<V>>> {
    for (;;) {
      if (this.done) return { done: true, value: undefined };
      const change = this.buffer.shift();
      if (change !== undefined) {
        this.advance(change.lsn);
        return { done: false, value: change };
      }
      if (!this.live) {
        this.catchUp();
        continue;
      }
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  return(): Promise<IteratorResult<FeedChange<V>>> {
    this.end();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<FeedChange<V>> {
    return this;
  }

  /** Ends the feed (the database closes, or the consumer stopped). */
  end(): void {
    if (this.done) return;
    this.done = true;
    this.buffer.length = 0;
    this.stopListening();
    this.releasePin();
    const wake = this.waiter;
    this.waiter = undefined;
    wake?.();
    this.onEnd(this);
  }
}
