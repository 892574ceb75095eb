/**
 * The KV engine: a log-structured store in which the log is the database.
 *
 * - A committed transaction is one record in the write-ahead log (several
 *   for a very large one; see entry-format.ts). Its values stay where the
 *   record put them on the device; the index (a copy-on-write B+tree held in
 *   the JS heap) maps every key to the device address and length of its
 *   latest value. A point read is one tree lookup and one device view: it
 *   never crosses into native code and never touches the log's framing.
 * - Durability comes from the log's persist barrier (see wal/): `sync` before
 *   a commit returns, `group` once per event-loop turn shared by every commit
 *   of that turn, `none` in the background.
 * - Checkpoints persist the index so reopening replays only the log tail.
 * - Compaction moves the live values out of mostly-dead log segments and, once
 *   a checkpoint no longer refers to those segments and no snapshot can still
 *   read them, frees them.
 *
 * Isolation: a transaction reads a snapshot taken when it began plus its own
 * writes; write transactions are serialized (only one runs at a time, and a
 * transaction function is synchronous), so every committed history is
 * serial: snapshot reads, serializable writes.
 *
 * Visibility: a commit is applied to the index as soon as its record is
 * appended, before it is durable, so later transactions in this process read
 * it at once; the commit's promise resolves when it is durable. Because the
 * log is persisted in order, no durable transaction can depend on one that
 * is not.
 */
import {
  assert,
  ClosedError,
  CorruptionError,
  FairdbError,
  InvalidArgumentError,
  LimitError,
  OptionsViolations,
  type Device,
  type DeviceStats,
} from '../device/index.js';
import { openWal, type Durability, type Lsn, type RecordRef, type Wal, type WalStats } from '../../wal/index.js';
import { BTree, type BTreeCursor, type BTreeEditor } from '../btree/index.js';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-format.js';
import { BatchWriter, batchHeaderBytes, batchTxId, entryBytes, entryChecksumMatches, EntryOp, entryHeaderBytes, KvRecordType, readBatch, type EntryView } from './entry-format.js';
import { HashIndex, packedAddress, packedLength, packLocation, unpacked } from './hash-index.js';
import { keyBytesMax } from './key-codec.js';
import type { RawIterable } from './kv-store.js';
import type { RawKey, RawKvStore, RawRange, RawReader, RawSnapshot, RawTransaction, RawVisitor, RawWriter } from './raw.js';

/** Largest value, in bytes. */
export const valueBytesMax = 16 * 1024 * 1024;
/** Largest transaction (sum of its entries), in bytes; larger ones fail with LIMIT. */
export const transactionBytesMax = 1024 * 1024 * 1024;
/** Bytes of relocated values per compaction record (and per synchronous compaction step). */
const relocationBatchBytes = 1024 * 1024;

export type VerifyChecksums = 'recovery' | 'always';

export interface LogStoreOptions {
  /** The device holding the log. The store owns it from now on and closes it. */
  readonly device: Device;
  /** When a commit is durable; default 'group'. See wal/ for each mode's guarantee. */
  readonly durability?: Durability;
  /** Log segment size in bytes when creating a new store; default: the log's default (16 MiB). */
  readonly segmentBytes?: number;
  /** Extra time to gather a commit group, in ms; default 0 (end of the event-loop turn). */
  readonly groupWindowMs?: number;
  /**
   * Checkpoint automatically after this many log bytes, or after as many log
   * bytes as the last checkpoint image took if that is more (so the cost of
   * checkpointing a large index stays in proportion to the writes, and the
   * tail a reopen replays to the size of the index); default 32 MiB; 0 turns
   * automatic checkpoints off.
   */
  readonly checkpointBytes?: number;
  /**
   * Compact automatically when dead bytes exceed this fraction of the log's
   * sealed segments; default 0.5; 0 turns automatic compaction off.
   */
  readonly compactionDeadRatio?: number;
  /**
   * 'recovery' (default): every record is verified when the log is replayed,
   * a checkpoint loaded or a segment compacted. 'always': in addition, every
   * value read is verified against its entry checksum; a mismatch throws
   * CORRUPTION instead of returning the bytes.
   */
  readonly verifyChecksums?: VerifyChecksums;
  /**
   * Keys of the checkpoint added to the point-read hash index per event-loop
   * turn after open; default 65,536. A store whose checkpoint holds at most
   * this many keys opens with its index complete; a larger one fills it over
   * the following turns and serves point reads from the B+tree until then.
   */
  readonly hashFillKeysPerTurn?: number;
}

interface ResolvedOptions {
  readonly durability: Durability;
  readonly segmentBytes: number | undefined;
  readonly groupWindowMs: number;
  readonly checkpointBytes: number;
  readonly compactionDeadRatio: number;
  readonly verifyChecksums: VerifyChecksums;
  readonly hashFillKeysPerTurn: number;
}

function resolveOptions(options: LogStoreOptions): ResolvedOptions {
  const v = new OptionsViolations('KV store options');
  const durability = options.durability ?? 'group';
  v.check(durability === 'sync' || durability === 'group' || durability === 'none', `durability must be 'sync', 'group' or 'none', got ${String(durability)}`);
  const checkpointBytes = options.checkpointBytes ?? 32 * 1024 * 1024;
  v.check(Number.isSafeInteger(checkpointBytes) && checkpointBytes >= 0, `checkpointBytes must be a non-negative integer, got ${checkpointBytes}`);
  const compactionDeadRatio = options.compactionDeadRatio ?? 0.5;
  v.check(typeof compactionDeadRatio === 'number' && compactionDeadRatio >= 0 && compactionDeadRatio < 1, `compactionDeadRatio must be in [0, 1), got ${compactionDeadRatio}`);
  const verifyChecksums = options.verifyChecksums ?? 'recovery';
  v.check(verifyChecksums === 'recovery' || verifyChecksums === 'always', `verifyChecksums must be 'recovery' or 'always', got ${String(verifyChecksums)}`);
  const groupWindowMs = options.groupWindowMs ?? 0;
  v.check(typeof groupWindowMs === 'number' && groupWindowMs >= 0 && groupWindowMs <= 10_000, `groupWindowMs must be in [0, 10000], got ${groupWindowMs}`);
  const hashFillKeysPerTurn = options.hashFillKeysPerTurn ?? 65_536;
  v.check(Number.isSafeInteger(hashFillKeysPerTurn) && hashFillKeysPerTurn >= 1, `hashFillKeysPerTurn must be a positive integer, got ${hashFillKeysPerTurn}`);
  v.throwIfAny();
  return Object.freeze({ durability, segmentBytes: options.segmentBytes, groupWindowMs, checkpointBytes, compactionDeadRatio, verifyChecksums, hashFillKeysPerTurn });
}

export interface LogStoreStats {
  /** Live keys. */
  readonly keys: number;
  /** Bytes of live entries (keys, values and entry headers) in the log. */
  readonly liveBytes: number;
  /** Bytes of all log segments in use (live and dead entries, record framing). */
  readonly logBytes: number;
  readonly logSegments: number;
  readonly transactions: number;
  readonly checkpoints: number;
  readonly compactions: number;
  readonly segmentsFreed: number;
  readonly bytesRelocated: number;
  readonly openSnapshots: number;
  readonly recovery: { readonly checkpointKeys: number; readonly recordsReplayed: number; readonly ms: number };
  /** Whether the point-read hash index is still being filled after open (see `hashFillKeysPerTurn`). */
  readonly hashIndexFilling: boolean;
  readonly wal: WalStats;
  readonly device: DeviceStats;
}

/**
 * An iterator over a pinned tree version: a class rather than a generator,
 * whose resumption costs more than the rest of a step. The pin ends when the
 * iteration ends, is broken off (`return`), throws, or — for an abandoned
 * iterator — when it is garbage-collected.
 */
class TreeIterator implements IterableIterator<{ key: RawKey; value: Uint8Array }> {
  private done = false;

  constructor(
    private readonly store: LogStore,
    private readonly cursor: BTreeCursor,
    private readonly token: object,
  ) {}

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<{ key: RawKey; value: Uint8Array }> {
    if (this.done) return { done: true, value: undefined };
    const cursor = this.cursor;
    try {
      if (!cursor.next()) {
        this.finish();
        return { done: true, value: undefined };
      }
      this.store.checkOpen();
      return { done: false, value: { key: cursor.key, value: this.store.readValue(cursor.key.length, cursor.address, cursor.length) } };
    } catch (error) {
      this.finish();
      throw error;
    }
  }

  return(): IteratorResult<{ key: RawKey; value: Uint8Array }> {
    this.finish();
    return { done: true, value: undefined };
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.store.endIteration(this.token);
  }
}

/** The state of the hash index's fill after open (see LogStore.hashFill). */
interface HashFill {
  readonly keys: readonly RawKey[];
  readonly addresses: ArrayLike<number>;
  readonly lengths: ArrayLike<number>;
  next: number;
  readonly written: Set<RawKey>;
  turn: NodeJS.Immediate | undefined;
}

/** A segment waiting to be freed once nothing can read it any more. */
interface PendingFree {
  readonly segment: number;
  /** Snapshots opened before this epoch may still read the segment. */
  readonly epoch: number;
  /** A checkpoint at or after this LSN no longer refers to the segment. */
  readonly lsn: number;
}

/** One key's write in a committed transaction: its new value, or undefined when deleted. */
export interface ChangeWrite {
  readonly key: RawKey;
  readonly value: Uint8Array | undefined;
}

/** A committed transaction, as the change history reports it. */
export interface Change {
  /** LSN of the commit record: the position to resume after. */
  readonly lsn: number;
  readonly writes: readonly ChangeWrite[];
}

export interface CommitOptions {
  /**
   * 'sync': this commit is durable before the call returns, whatever the
   * store's durability (as lmdb-js's putSync). Absent: the store's durability.
   */
  readonly durability?: 'sync';
}


export class LogStore implements RawKvStore {
  private readonly options: ResolvedOptions;
  private readonly device: Device;
  private readonly wal: Wal;
  /** Batch of the running transaction function (they never overlap). */
  private readonly transactionBatch = new BatchWriter();
  /** Batch of a compaction step (which may run while an explicit transaction is open). */
  private readonly relocationBatch = new BatchWriter();
  /** The log's promise for the current commit group, and ours wrapping it. */
  private groupCommit: { wal: Promise<void>; ours: Promise<void> } | undefined;
  /** The committed index. Immutable; replaced at every commit. */
  private tree: BTree;
  /**
   * True when something other than `this.tree` may hold the current tree
   * (a snapshot, an iterator, an open transaction), so the next commit must
   * copy the nodes it changes instead of editing them in place.
   */
  private treeShared = false;
  /** Every key of `tree` and its value's location, for point reads of the current state (see hash-index.ts). */
  private readonly hashIndex: HashIndex;
  /**
   * While the hash index is being filled after open: the checkpoint's keys
   * and locations, the next one to add, and the keys written since open
   * (the index already holds those in their current state, so the fill
   * skips them). Point reads use the tree until the fill ends.
   */
  private hashFill: HashFill | undefined;
  private nextTxId: number;
  private closed = false;
  private failed: Error | undefined;
  private explicit: ExplicitTransaction | undefined;
  /** Async writers waiting for an explicit transaction to end. */
  private readonly waiting: (() => void)[] = [];
  /** Live entry bytes per log segment, by segment slot (see slotOf). */
  private readonly liveBySlot = new Map<number, number>();
  private liveBytes = 0;
  private segmentOrigin = -1;
  private segmentBytes = 0;
  /** Snapshot pins: the epoch each open reader was created in. */
  private readonly pins = new Map<object, number>();
  private epoch = 0;
  private readonly pendingFrees: PendingFree[] = [];
  /** Log bytes appended by this store (payloads plus framing, approximately). */
  private appendedBytes = 0;
  /** `appendedBytes` as of the LSN the current checkpoint covers. */
  private appendedAtCheckpoint = 0;
  /** Size of the current checkpoint image, in bytes (see `checkpointBytes`). */
  private checkpointImageBytes = 0;
  /** `appendedBytes` when compaction was last considered. */
  private appendedAtCompactionCheck = 0;
  private maintenance: Promise<void> | undefined;
  private maintenanceScheduled = false;
  private readonly lookupOut = { address: 0, length: 0 };
  private readonly counters = { transactions: 0, checkpoints: 0, compactions: 0, segmentsFreed: 0, bytesRelocated: 0 };
  private readonly recoveryFigures: { checkpointKeys: number; recordsReplayed: number; ms: number };
  /** Largest value this store accepts, in bytes (see checkKeyAndValue). */
  readonly valueBytesLimit: number;
  private readonly readerRegistry = new FinalizationRegistry<object>((token) => this.unpin(token));

  constructor(options: LogStoreOptions) {
    this.options = resolveOptions(options);
    this.device = options.device;
    const started = performance.now();
    this.wal = openWal({
      device: this.device,
      durability: this.options.durability,
      groupWindowMs: this.options.groupWindowMs,
      ...(this.options.segmentBytes === undefined ? {} : { segmentBytes: this.options.segmentBytes }),
    });
    const checkpoint = this.wal.readCheckpointChunks();
    let checkpointKeys = 0;
    let contents: ReturnType<typeof decodeCheckpoint> | undefined;
    if (checkpoint === undefined) {
      this.tree = BTree.empty();
      this.nextTxId = 1;
    } else {
      contents = decodeCheckpoint(checkpoint.chunks, { file: this.device.location, offset: 0 }, this.device.sizeBytes);
      for (const chunk of checkpoint.chunks) this.checkpointImageBytes += chunk.length;
      this.tree = BTree.fromSorted(contents.keys, contents.addresses, contents.lengths);
      this.nextTxId = contents.nextTxId;
      checkpointKeys = contents.keys.length;
    }
    this.learnSegmentLayout();
    // Sized when the fill starts: its memory costs page faults that opening need not wait for.
    this.hashIndex = new HashIndex((key, packed) => this.keyAt(key, packed));
    if (contents !== undefined) {
      const { keys, addresses, lengths } = contents;
      for (let i = 0; i < keys.length; i++) this.addLive(addresses[i] as number, entryBytes((keys[i] as RawKey).length, lengths[i] as number));
      this.hashFill = { keys, addresses, lengths, next: 0, written: new Set(), turn: undefined };
    }
    this.valueBytesLimit = Math.min(valueBytesMax, this.wal.recordBytesMax - batchHeaderBytes - entryHeaderBytes - keyBytesMax);
    const recordsReplayed = this.replay();
    if (this.hashFill !== undefined && this.hashFill.keys.length <= this.options.hashFillKeysPerTurn) this.fillHashIndex();
    else this.scheduleHashFill();
    this.recoveryFigures = { checkpointKeys, recordsReplayed, ms: performance.now() - started };
  }

  /**
   * Adds the next `hashFillKeysPerTurn` checkpoint keys to the hash index,
   * and schedules the rest for the next event-loop turn: reopening a large
   * store does not wait for the whole index (a table of millions of random
   * writes), and until it is complete point reads descend the tree.
   */
  private fillHashIndex(): void {
    const fill = this.hashFill;
    if (fill === undefined || this.closed) return;
    fill.turn = undefined;
    if (fill.next === 0) this.hashIndex.reserve(fill.keys.length + fill.written.size);
    const end = Math.min(fill.keys.length, fill.next + this.options.hashFillKeysPerTurn);
    const { keys, addresses, lengths, written } = fill;
    for (let i = fill.next; i < end; i++) {
      const key = keys[i] as RawKey;
      if (!written.has(key)) this.hashIndex.set(key, packLocation(addresses[i] as number, lengths[i] as number));
    }
    fill.next = end;
    if (end === keys.length) this.hashFill = undefined;
    else this.scheduleHashFill();
  }

  private scheduleHashFill(): void {
    const fill = this.hashFill;
    if (fill === undefined) return;
    fill.turn = setImmediate(() => this.fillHashIndex());
    fill.turn.unref();
  }

  /** Whether the entry whose value is at `packed` has `key`: an entry stores its key just before its value. */
  private keyAt(key: RawKey, packed: number): boolean {
    const bytes = this.device.read(packedAddress(packed) - key.length, key.length);
    for (let i = 0; i < key.length; i++) if (bytes[i] !== key.charCodeAt(i)) return false;
    return true;
  }

  /** Records that `key` now has `packed` as its location (or none, when undefined) in the hash index. */
  private indexLocation(key: RawKey, packed: number | undefined): void {
    if (packed === undefined) this.hashIndex.delete(key);
    else this.hashIndex.set(key, packed);
    if (this.hashFill !== undefined) this.hashFill.written.add(key);
  }

  // ---------------------------------------------------------------- reads

  getRaw(key: RawKey): Uint8Array | undefined {
    this.checkOpen();
    return this.readCurrent(key);
  }

  /** Reads `key` from the current state through the hash index. */
  private readCurrent(key: RawKey): Uint8Array | undefined {
    if (this.hashFill !== undefined) return this.readFrom(this.tree, key);
    const packed = this.hashIndex.get(key);
    if (packed === undefined) return undefined;
    if (packed === unpacked) return this.readFrom(this.tree, key);
    return this.readValue(key.length, packedAddress(packed), packedLength(packed));
  }

  /** @internal Reads `key` as of `tree`: through the hash index when `tree` is the current state. */
  readAsOf(tree: BTree, key: RawKey): Uint8Array | undefined {
    return tree === this.tree ? this.readCurrent(key) : this.readFrom(tree, key);
  }

  scanRaw(range: RawRange, visit: RawVisitor): number {
    this.checkOpen();
    return this.scanTree(this.tree, range, visit);
  }

  /**
   * A lazy iterator over `range` that reads the index as it is now. It pins
   * the log segments it may read until it is done, returned (`break` in a
   * for-of loop returns it) or garbage-collected.
   */
  iterateRaw(range: RawRange): IterableIterator<{ key: RawKey; value: Uint8Array }> {
    this.checkOpen();
    return this.iterateTree(this.tree, range);
  }

  snapshotRaw(): RawSnapshot & RawIterable {
    this.checkOpen();
    return new Snapshot(this, this.captureTree());
  }

  /** Number of live keys. */
  get size(): number {
    return this.tree.size;
  }

  /** @internal Reads `key` from a given tree version. */
  readFrom(tree: BTree, key: RawKey): Uint8Array | undefined {
    const out = this.lookupOut;
    if (!tree.lookup(key, out)) return undefined;
    return this.readValue(key.length, out.address, out.length);
  }

  /** @internal */
  scanTree(tree: BTree, range: RawRange, visit: RawVisitor): number {
    checkRange(range);
    const device = this.device;
    const verify = this.options.verifyChecksums === 'always';
    // A visitor may commit (a write inside a scan): while any scan runs, the
    // scanned tree must not be edited in place.
    this.scansRunning++;
    try {
      return tree.scan(range, (key, address, length) => {
        if (verify) {
          const value = this.readValue(key.length, address, length);
          return visit(key, value, 0, length);
        }
        const value = device.read(address, length);
        return visit(key, value, 0, length);
      });
    } finally {
      this.scansRunning--;
    }
  }

  private scansRunning = 0;

  /** Whether the next index edit may change the current tree in place. */
  private get treeExclusive(): boolean {
    return !this.treeShared && this.scansRunning === 0;
  }

  /** @internal */
  iterateTree(tree: BTree, range: RawRange): IterableIterator<{ key: RawKey; value: Uint8Array }> {
    checkRange(range);
    // Pin now, not at the first next(): the iterator reads the tree as it is
    // at this call. A never-started or abandoned iterator is unpinned when it
    // is garbage-collected.
    const token = {};
    this.pin(token);
    this.treeShared = true;
    const iterator = new TreeIterator(this, tree.cursor(range), token);
    this.readerRegistry.register(iterator, token, token);
    return iterator;
  }

  /** @internal Ends an iterator's pin (TreeIterator). */
  endIteration(token: object): void {
    this.readerRegistry.unregister(token);
    this.unpin(token);
  }

  /** @internal */
  readValue(keyLength: number, address: number, length: number): Uint8Array {
    if (this.options.verifyChecksums === 'always') {
      const start = address - keyLength - entryHeaderBytes;
      const around = this.device.read(start, entryHeaderBytes + keyLength + length);
      if (!entryChecksumMatches(around, entryHeaderBytes + keyLength, keyLength, length)) {
        throw new CorruptionError(this.device.location, start, 'value checksum mismatch');
      }
      return around.subarray(entryHeaderBytes + keyLength);
    }
    return this.device.read(address, length);
  }

  // ---------------------------------------------------------------- writes

  /**
   * Runs `fn` as one transaction (see RawKvStore). `options.durability`
   * overrides the store's durability for this commit only: 'sync' makes it
   * durable before returning (lmdb-js's putSync), whatever the default.
   */
  transactionSync<T>(fn: (tx: RawWriter) => T, options?: CommitOptions): T {
    if (this.explicit !== undefined) throw new FairdbError('CONFLICT', 'an explicit transaction is open; commit or roll it back first');
    return this.runTransaction(fn, options).result;
  }

  async transaction<T>(fn: (tx: RawWriter) => T, options?: CommitOptions): Promise<T> {
    await this.whenNoExplicitTransaction();
    const { result, durable } = this.runTransaction(fn, options);
    if (durable !== undefined) await durable;
    return result;
  }

  private inTransactionFunction = false;

  /** Runs a transaction function and commits what it wrote. */
  private runTransaction<T>(fn: (tx: RawWriter) => T, options: CommitOptions | undefined): { result: T; durable: Promise<void> | undefined } {
    this.checkWritable();
    if (this.inTransactionFunction) {
      throw new FairdbError('CONFLICT', 'transactions do not nest: a transaction function is already running');
    }
    const tx = new TransactionWriter(this, this.tree, this.transactionBatch);
    let result: T;
    this.inTransactionFunction = true;
    try {
      result = fn(tx);
    } finally {
      this.inTransactionFunction = false;
      tx.close();
    }
    if (isPromiseLike(result)) {
      throw new InvalidArgumentError('a transaction function must be synchronous; it returned a promise (nothing was written)');
    }
    return { result, durable: this.commitWrites(tx, options?.durability) };
  }

  begin(): RawTransaction {
    this.checkWritable();
    if (this.inTransactionFunction) throw new FairdbError('CONFLICT', 'transactions do not nest: a transaction function is running');
    if (this.explicit !== undefined) throw new FairdbError('CONFLICT', 'a write transaction is already open');
    const tx = new ExplicitTransaction(this, this.captureTree(), new BatchWriter(4096));
    this.explicit = tx;
    this.pin(tx);
    return tx;
  }

  /** @internal Ends an explicit transaction; commits its writes unless rolled back. */
  endExplicit(tx: ExplicitTransaction, commit: boolean): Promise<void> | undefined {
    assert(this.explicit === tx, 'the ending transaction is the open one');
    this.explicit = undefined;
    this.unpin(tx);
    let durable: Promise<void> | undefined;
    try {
      if (commit) durable = this.commitWrites(tx);
    } finally {
      // Let waiting async writers run, in order, until one opens another
      // explicit transaction.
      while (this.waiting.length > 0 && this.explicit === undefined) (this.waiting.shift() as () => void)();
    }
    return durable;
  }

  private whenNoExplicitTransaction(): Promise<void> | void {
    if (this.explicit === undefined) return;
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /**
   * Appends a transaction's batch to the log (one record, or parts and a
   * commit record when it is larger than a record may be) and applies its
   * writes to the index. Returns the durability promise, or undefined when
   * the commit is already durable or there was nothing to write.
   */
  private commitWrites(tx: TransactionWriter, override?: 'sync'): Promise<void> | undefined {
    const batch = tx.batch;
    if (batch.entries === 0) return undefined;
    this.checkWritable();
    const txId = this.nextTxId++;
    const recordBytesMax = this.wal.recordBytesMax;
    let addressOf: (valueOffset: number, keyLength: number) => number;
    let lsn: number;
    if (batch.bytes <= recordBytesMax) {
      const ref = this.append(KvRecordType.Commit, batch.finish(txId));
      const address = ref.address;
      lsn = ref.lsn;
      addressOf = (valueOffset) => address + valueOffset;
    } else {
      const { pieces, pieceStarts } = batch.split(recordBytesMax, txId);
      const refs = pieces.map((piece, i) => this.append(i === pieces.length - 1 ? KvRecordType.Commit : KvRecordType.Part, piece));
      const addresses = refs.map((ref) => ref.address);
      lsn = refs[refs.length - 1]!.lsn;
      addressOf = (valueOffset, keyLength) => {
        const entryStart = valueOffset - keyLength - entryHeaderBytes;
        let i = pieceStarts.length - 1;
        while ((pieceStarts[i] as number) > entryStart) i--;
        return (addresses[i] as number) + valueOffset - (pieceStarts[i] as number) + batchHeaderBytes;
      };
    }
    // The map holds each key's last write, which is the one that counts.
    const editor = this.tree.edit({ exclusive: this.treeExclusive });
    for (const [key, valueOffset] of tx.writes) {
      if (valueOffset === -1) this.applyEntry(editor, key, -1, 0);
      else this.applyEntry(editor, key, addressOf(valueOffset, key.length), batch.valueLengthAt(valueOffset, key.length));
    }
    this.tree = editor.finish();
    this.treeShared = false;
    this.counters.transactions++;
    if (this.commitListeners.size > 0) {
      const writes: ChangeWrite[] = [];
      for (const [key, valueOffset] of tx.writes) {
        writes.push({ key, value: valueOffset === -1 ? undefined : this.device.read(addressOf(valueOffset, key.length), batch.valueLengthAt(valueOffset, key.length)) });
      }
      this.notifyCommit(lsn, writes);
    }
    this.scheduleMaintenance();
    if (override === 'sync' || this.options.durability === 'sync') {
      this.persistNow();
      return undefined;
    }
    return this.groupPromise();
  }

  /**
   * True when a one-key write may commit at once (no explicit transaction
   * open, no transaction function running): the fast path of `put`/`del`.
   */
  get directWritable(): boolean {
    return this.explicit === undefined && !this.inTransactionFunction;
  }

  /**
   * Commits a transaction of one write — `value` or, when null, a delete —
   * without a transaction function or write set. Returns the durability
   * promise (shared by the commit group), or undefined when already durable.
   * Callers check `directWritable` first; otherwise this throws CONFLICT.
   */
  writeOne(key: RawKey, value: Uint8Array | null): Promise<void> | undefined {
    if (!this.directWritable) throw new FairdbError('CONFLICT', 'a transaction is open; write through it');
    this.checkWritable();
    checkKeyAndValue(key, value, this.valueBytesLimit);
    const batch = this.transactionBatch;
    batch.reset();
    const valueOffset = value === null ? -1 : batch.put(key, value);
    if (value === null) batch.del(key);
    const ref = this.append(KvRecordType.Commit, batch.finish(this.nextTxId++));
    const address = valueOffset === -1 ? -1 : ref.address + valueOffset;
    const length = value === null ? 0 : value.length;
    const editor = this.tree.edit({ exclusive: this.treeExclusive });
    this.applyEntry(editor, key, address, length);
    this.tree = editor.finish();
    this.treeShared = false;
    this.counters.transactions++;
    if (this.commitListeners.size > 0) this.notifyCommit(ref.lsn, [{ key, value: address === -1 ? undefined : this.device.read(address, length) }]);
    this.scheduleMaintenance();
    if (this.options.durability === 'sync') {
      this.persistNow();
      return undefined;
    }
    return this.groupPromise();
  }

  /** Whether `key` exists now (no value read). */
  has(key: RawKey): boolean {
    this.checkOpen();
    return this.hashFill === undefined ? this.hashIndex.get(key) !== undefined : this.tree.has(key);
  }

  /** The promise of the current commit group, shared by all its commits. */
  private groupPromise(): Promise<void> {
    const wal = this.wal.commit();
    if (this.groupCommit?.wal !== wal) {
      const ours = wal.catch((error: unknown) => {
        this.fail(error);
        throw error;
      });
      // A failure is recorded by fail(); commits nobody awaits must not
      // surface as unhandled rejections.
      ours.catch(() => undefined);
      this.groupCommit = { wal, ours };
    }
    return this.groupCommit.ours;
  }

  /** Sets (address ≥ 0) or deletes (address -1) a key in the index, keeping live-byte counts. */
  private applyEntry(editor: BTreeEditor, key: RawKey, address: number, length: number): void {
    const old = this.lookupOut;
    const replaced = address === -1 ? editor.deleteReporting(key, old) : editor.setReporting(key, address, length, old);
    if (replaced) this.addLive(old.address, -entryBytes(key.length, old.length));
    if (address !== -1) {
      this.addLive(address, entryBytes(key.length, length));
      this.indexLocation(key, packLocation(address, length));
    } else if (replaced) {
      this.indexLocation(key, undefined);
    }
  }


  private append(type: KvRecordType, payload: Uint8Array): RecordRef {
    try {
      const ref = this.wal.append(type, payload);
      this.appendedBytes += payload.length + recordFramingBytes;
      if (this.segmentOrigin < 0) this.learnSegmentLayout();
      return ref;
    } catch (error) {
      if (!(error instanceof FairdbError) || error.code === 'IO') this.fail(error);
      throw error;
    }
  }

  private persistNow(): void {
    try {
      this.wal.persistNow();
    } catch (error) {
      this.fail(error);
      throw error;
    }
  }

  private applyToIndex(keys: readonly RawKey[], addresses: readonly number[], lengths: readonly number[]): void {
    const editor = this.tree.edit({ exclusive: this.treeExclusive });
    for (let i = 0; i < keys.length; i++) this.applyEntry(editor, keys[i] as RawKey, addresses[i] as number, lengths[i] as number);
    this.tree = editor.finish();
    this.treeShared = false;
  }

  // ---------------------------------------------------------------- change history

  private readonly commitListeners = new Set<(change: Change) => void>();

  /**
   * Calls `listener` synchronously after every commit, with the commit's LSN
   * and its writes (each key's last write). Returns a function that removes
   * it. IMPORTANT: the listener must not write to the store, and the value
   * views are valid only during the call.
   */
  onCommit(listener: (change: Change) => void): () => void {
    this.checkOpen();
    this.commitListeners.add(listener);
    return () => void this.commitListeners.delete(listener);
  }

  private notifyCommit(lsn: number, writes: readonly ChangeWrite[]): void {
    const change: Change = { lsn, writes };
    for (const listener of this.commitListeners) listener(change);
  }

  /** LSN of the last commit appended (0 when the log is empty). */
  get lastLsn(): number {
    return this.wal.lastLsn;
  }

  /**
   * Visits, in LSN order, every commit after `sinceLsn` still in the log
   * (compaction records are not changes). Throws NOT_FOUND when part of that
   * history was compacted away; keep it with `retainLog`.
   */
  changesSince(sinceLsn: number, visit: (change: Change) => void): void {
    this.checkOpen();
    if (!Number.isSafeInteger(sinceLsn) || sinceLsn < 0) throw new InvalidArgumentError(`since must be a non-negative integer LSN, got ${sinceLsn}`);
    if (sinceLsn >= this.wal.lastLsn) return;
    const segments = this.wal.segments({ exact: false }).filter((s) => s.lastLsn > sinceLsn && s.lastLsn >= s.firstLsn);
    let expected = sinceLsn + 1;
    const gone = (): never => {
      throw new FairdbError('NOT_FOUND', `the change history after LSN ${sinceLsn} is no longer in the log (compacted); the oldest kept starts at ${segments[0]?.firstLsn ?? this.wal.lastLsn + 1}`);
    };
    if (segments.length === 0 || segments[0]!.firstLsn > expected) gone();
    const parts: { ref: RecordRef; payload: Uint8Array }[] = [];
    let partsTx = -1;
    const where = (ref: RecordRef) => ({ file: this.device.location, offset: ref.address });
    for (const segment of segments) {
      if (segment.firstLsn > expected) gone();
      this.wal.scanSegment(segment.index, (ref, payload) => {
        expected = ref.lsn + 1;
        if (ref.lsn <= sinceLsn) return;
        if (ref.type === KvRecordType.Part) {
          const txId = validTxId(payload, ref, this.device.location);
          if (txId !== partsTx) parts.length = 0;
          partsTx = txId;
          parts.push({ ref, payload });
          return;
        }
        if (ref.type !== KvRecordType.Commit) return;
        const txId = validTxId(payload, ref, this.device.location);
        // Each key's last write in the transaction, in first-write order.
        const last = new Map<RawKey, Uint8Array | undefined>();
        const collect = (r: RecordRef, p: Uint8Array): void => {
          readBatch(p, where(r), (entry) => {
            last.set(entry.key, entry.op === EntryOp.Delete ? undefined : p.subarray(entry.valueOffset, entry.valueOffset + entry.valueLength));
          });
        };
        if (txId === partsTx) for (const part of parts) collect(part.ref, part.payload);
        parts.length = 0;
        partsTx = -1;
        collect(ref, payload);
        visit({ lsn: ref.lsn, writes: [...last].map(([key, value]) => ({ key, value })) });
      });
    }
  }

  private readonly logPins = new Map<object, number>();

  /**
   * Keeps every commit after `sinceLsn` in the log (compaction will not free
   * the segments holding them) until the returned function is called.
   * IMPORTANT: a retained history pins log space; release it.
   */
  retainLog(sinceLsn: number): () => void {
    this.checkOpen();
    const token = {};
    this.logPins.set(token, sinceLsn);
    return () => void this.logPins.delete(token);
  }

  // ---------------------------------------------------------------- recovery

  /** Replays the log after the checkpoint into the index; returns the records applied. */
  private replay(): number {
    let records = 0;
    let partsTx = -1;
    const parts: { ref: RecordRef; payload: Uint8Array }[] = [];
    const keys: RawKey[] = [];
    const addresses: number[] = [];
    const lengths: number[] = [];
    let maxTxId = this.nextTxId - 1;
    const collect = (ref: RecordRef, payload: Uint8Array): void => {
      readBatch(payload, { file: this.device.location, offset: ref.address }, (entry: EntryView) => {
        keys.push(entry.key);
        addresses.push(entry.op === EntryOp.Delete ? -1 : ref.address + entry.valueOffset);
        lengths.push(entry.valueLength);
      });
    };
    this.wal.replay((ref, payload) => {
      records++;
      this.appendedBytes += ref.length + recordFramingBytes;
      switch (ref.type) {
        case KvRecordType.Part: {
          const txId = validTxId(payload, ref, this.device.location);
          // Parts of an earlier transaction that never committed are dropped.
          if (txId !== partsTx) parts.length = 0;
          partsTx = txId;
          parts.push({ ref, payload });
          maxTxId = Math.max(maxTxId, txId);
          return;
        }
        case KvRecordType.Commit:
        case KvRecordType.Relocate: {
          const txId = validTxId(payload, ref, this.device.location);
          maxTxId = Math.max(maxTxId, txId);
          keys.length = 0;
          addresses.length = 0;
          lengths.length = 0;
          if (txId === partsTx) for (const part of parts) collect(part.ref, part.payload);
          parts.length = 0;
          partsTx = -1;
          collect(ref, payload);
          this.applyToIndex(keys, addresses, lengths);
          return;
        }
        default:
          throw new CorruptionError(this.device.location, ref.address, `unknown KV record type ${ref.type}`);
      }
    });
    this.nextTxId = maxTxId + 1;
    return records;
  }

  // ---------------------------------------------------------------- snapshots and pins

  /** Marks the current tree as shared and returns it. */
  private captureTree(): BTree {
    this.treeShared = true;
    return this.tree;
  }

  /** @internal */
  pin(token: object): void {
    this.pins.set(token, this.epoch);
  }

  /** @internal */
  unpin(token: object): void {
    if (this.pins.delete(token)) this.freeUnpinnedSegments();
  }

  // ---------------------------------------------------------------- segments, checkpoints, compaction

  private learnSegmentLayout(): void {
    const segments = this.wal.segments({ exact: false });
    if (segments.length === 0) return;
    const first = segments[0]!;
    this.segmentBytes = this.wal.segmentBytes;
    this.segmentOrigin = first.base - first.index * this.segmentBytes;
    for (const s of segments) {
      if (s.base !== this.segmentOrigin + s.index * this.segmentBytes) {
        throw new CorruptionError(this.device.location, s.base, `log segment ${s.index} is not where its index places it`);
      }
    }
  }

  /** The segment index holding a device address. */
  private slotOf(address: number): number {
    return Math.floor((address - this.segmentOrigin) / this.segmentBytes);
  }

  private addLive(address: number, bytes: number): void {
    const slot = this.slotOf(address);
    this.liveBySlot.set(slot, (this.liveBySlot.get(slot) ?? 0) + bytes);
    this.liveBytes += bytes;
  }

  /** Log bytes written after what the current checkpoint covers: what reopening replays. */
  private tailBytesSinceCheckpoint(): number {
    return this.appendedBytes - this.appendedAtCheckpoint;
  }

  /**
   * Starts a checkpoint or compaction in the background when a threshold is
   * crossed. Called at every commit, so the common path is two comparisons;
   * compaction is only considered every quarter segment of new log.
   */
  private scheduleMaintenance(): void {
    if (this.maintenanceScheduled || this.maintenance !== undefined) return;
    let due = this.needsCheckpoint();
    if (!due && this.appendedBytes - this.appendedAtCompactionCheck >= this.segmentBytes / 4) {
      this.appendedAtCompactionCheck = this.appendedBytes;
      due = this.compactionVictims(false).length > 0;
    }
    if (!due) return;
    this.maintenanceScheduled = true;
    setImmediate(() => {
      this.maintenanceScheduled = false;
      if (this.closed || this.failed !== undefined) return;
      void this.runMaintenance(() => this.maintain()).catch(() => undefined);
    });
  }

  private needsCheckpoint(): boolean {
    const every = this.options.checkpointBytes;
    return every > 0 && this.tailBytesSinceCheckpoint() >= Math.max(every, this.checkpointImageBytes);
  }

  private async maintain(): Promise<void> {
    if (this.compactionVictims(false).length > 0) await this.compactNow(false);
    else if (this.needsCheckpoint()) await this.checkpointNow();
  }

  /** Runs one maintenance task at a time. */
  private async runMaintenance(task: () => Promise<void>): Promise<void> {
    while (this.maintenance !== undefined) await this.maintenance.catch(() => undefined);
    const run = task();
    this.maintenance = run;
    try {
      await run;
    } finally {
      if (this.maintenance === run) this.maintenance = undefined;
    }
  }

  /** Persists the index so that reopening replays only what comes after. */
  checkpoint(): Promise<void> {
    this.checkWritable();
    return this.runMaintenance(() => this.checkpointNow());
  }

  /** Compacts every log segment with dead space, then checkpoints; returns what it did. */
  compact(): Promise<void> {
    this.checkWritable();
    return this.runMaintenance(() => this.compactNow(true));
  }

  private async checkpointNow(): Promise<void> {
    this.checkWritable();
    this.persistNow();
    const lsn = this.wal.lastLsn;
    const appendedAtCapture = this.appendedBytes;
    const tree = this.captureTree();
    const token = {};
    this.pin(token);
    try {
      // Encoding reads only the immutable tree, so commits may go on while it
      // runs; give them a turn first.
      await yieldToEventLoop();
      this.checkWritable();
      const image = encodeCheckpoint(tree.size, (visit) => void tree.scan({}, visit), this.nextTxId);
      await yieldToEventLoop();
      this.checkWritable();
      this.persistNow();
      this.wal.writeCheckpoint(lsn, image);
      this.checkpointImageBytes = image.reduce((sum, chunk) => sum + chunk.length, 0);
      this.appendedAtCheckpoint = appendedAtCapture;
      this.counters.checkpoints++;
    } catch (error) {
      if (!(error instanceof FairdbError) || error.code === 'IO') this.fail(error);
      throw error;
    } finally {
      this.unpin(token);
    }
    this.freeUnpinnedSegments();
  }

  /**
   * Sealed log segments worth compacting: all with any dead space when
   * forced, else those whose dead fraction is at least the configured ratio
   * and only when dead space overall exceeds it too.
   */
  private compactionVictims(force: boolean): number[] {
    const ratio = this.options.compactionDeadRatio;
    if (!force && ratio === 0) return [];
    const pending = new Set(this.pendingFrees.map((p) => p.segment));
    let retainedFrom = Infinity;
    for (const lsn of this.logPins.values()) retainedFrom = Math.min(retainedFrom, lsn);
    const victims: { index: number; dead: number }[] = [];
    let sealedBytes = 0;
    let sealedDead = 0;
    for (const s of this.wal.segments({ exact: false })) {
      if (s.active || pending.has(s.index) || s.lastLsn > retainedFrom) continue;
      const live = this.liveBySlot.get(s.index) ?? 0;
      const used = this.usedBytesOf(s.usedBytes);
      const dead = Math.max(0, used - live);
      sealedBytes += used;
      sealedDead += dead;
      if (force ? dead > 0 : used > 0 && dead / used >= ratio) victims.push({ index: s.index, dead });
    }
    if (!force && (sealedBytes === 0 || sealedDead / sealedBytes < ratio)) return [];
    victims.sort((a, b) => b.dead - a.dead);
    return victims.map((v) => v.index);
  }

  private async compactNow(force: boolean): Promise<void> {
    const victims = this.compactionVictims(force);
    if (victims.length === 0) {
      if (force) await this.checkpointNow();
      return;
    }
    for (const segment of victims) {
      // Candidates: puts in the segment whose value the index still points at.
      const candidates: { key: RawKey; address: number; length: number }[] = [];
      const out = { address: 0, length: 0 };
      this.wal.scanSegment(segment, (ref, payload) => {
        if (ref.type !== KvRecordType.Commit && ref.type !== KvRecordType.Relocate && ref.type !== KvRecordType.Part) {
          throw new CorruptionError(this.device.location, ref.address, `unknown KV record type ${ref.type}`);
        }
        readBatch(payload, { file: this.device.location, offset: ref.address }, (entry) => {
          if (entry.op !== EntryOp.Put) return;
          const address = ref.address + entry.valueOffset;
          if (this.tree.lookup(entry.key, out) && out.address === address) candidates.push({ key: entry.key, address, length: entry.valueLength });
        });
      });
      let i = 0;
      while (i < candidates.length) {
        this.checkWritable();
        // One synchronous step: re-check liveness (writes may have happened
        // while we yielded), append the still-live values, repoint the index.
        const batch = this.relocationBatch;
        batch.reset();
        const moved: { key: RawKey; from: number; offset: number; length: number }[] = [];
        while (i < candidates.length && (batch.entries === 0 || batch.bytes < relocationBatchBytes)) {
          const c = candidates[i++]!;
          if (!this.tree.lookup(c.key, out) || out.address !== c.address) continue;
          const offset = batch.put(c.key, this.device.read(c.address, c.length));
          moved.push({ key: c.key, from: c.address, offset, length: c.length });
        }
        if (moved.length > 0) {
          const ref = this.append(KvRecordType.Relocate, batch.finish(this.nextTxId++));
          const editor: BTreeEditor = this.tree.edit({ exclusive: this.treeExclusive });
          for (const m of moved) {
            const moved_ = editor.relocate(m.key, m.from, ref.address + m.offset, m.length);
            assert(moved_, 'a value checked live in this step is still live');
            this.indexLocation(m.key, packLocation(ref.address + m.offset, m.length));
            this.addLive(m.from, -entryBytes(m.key.length, m.length));
            this.addLive(ref.address + m.offset, entryBytes(m.key.length, m.length));
            this.counters.bytesRelocated += m.length;
          }
          this.tree = editor.finish();
          this.treeShared = false;
        }
        await yieldToEventLoop();
      }
      this.epoch++;
      this.pendingFrees.push({ segment, epoch: this.epoch, lsn: this.wal.lastLsn });
    }
    this.counters.compactions++;
    await this.checkpointNow();
  }

  /** Frees segments no checkpoint and no open reader can refer to any more. */
  private freeUnpinnedSegments(): void {
    if (this.pendingFrees.length === 0 || this.closed || this.failed !== undefined) return;
    let oldestPin = Infinity;
    for (const epoch of this.pins.values()) oldestPin = Math.min(oldestPin, epoch);
    const checkpointLsn = this.wal.checkpointLsn;
    for (let i = 0; i < this.pendingFrees.length; ) {
      const p = this.pendingFrees[i]!;
      if (oldestPin >= p.epoch && checkpointLsn >= p.lsn) {
        this.wal.freeSegment(p.segment);
        this.liveBySlot.delete(p.segment);
        this.counters.segmentsFreed++;
        this.pendingFrees.splice(i, 1);
      } else {
        i++;
      }
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Bytes used in a log segment; a sealed segment not walked since open
   * (NaN from the log) counts as full: sealed segments are full but for the
   * last record that did not fit, and walking one to know better would read
   * all of it.
   */
  private usedBytesOf(used: number): number {
    return Number.isNaN(used) ? this.segmentBytes - segmentRecordsOffset : used;
  }

  stats(): LogStoreStats {
    const segments = this.wal.segments({ exact: false });
    let logBytes = 0;
    for (const s of segments) logBytes += this.usedBytesOf(s.usedBytes);
    return {
      keys: this.tree.size,
      liveBytes: this.liveBytes,
      logBytes,
      logSegments: segments.length,
      ...this.counters,
      openSnapshots: this.pins.size,
      recovery: this.recoveryFigures,
      hashIndexFilling: this.hashFill !== undefined,
      wal: this.wal.stats(),
      device: this.device.stats(),
    };
  }

  /** Resolves once everything committed so far is durable. */
  async flushed(): Promise<void> {
    this.checkOpen();
    if (this.failed !== undefined) throw this.failed;
    this.persistNow();
  }

  /**
   * Waits for background work, makes everything durable, writes a final
   * checkpoint when the log tail is long enough to make reopening slow, and
   * closes the log and the device. Open snapshots and iterators become
   * unusable (CLOSED).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.explicit !== undefined) this.explicit.rollback();
    while (this.maintenance !== undefined) await this.maintenance.catch(() => undefined);
    if (this.failed === undefined && this.tailBytesSinceCheckpoint() >= closeCheckpointBytes) {
      await this.checkpointNow().catch(() => undefined);
    }
    this.closed = true;
    if (this.hashFill?.turn !== undefined) clearImmediate(this.hashFill.turn);
    this.hashFill = undefined;
    for (const resolve of this.waiting.splice(0)) resolve();
    await this.wal.close();
  }

  /** @internal */
  checkOpen(): void {
    if (this.closed) throw new ClosedError('database');
  }

  private checkWritable(): void {
    this.checkOpen();
    if (this.failed !== undefined) {
      throw new FairdbError('IO', `the database failed and accepts no more writes: ${this.failed.message}`, { cause: this.failed });
    }
  }

  private fail(error: unknown): void {
    if (this.failed === undefined) this.failed = error instanceof Error ? error : new Error(String(error));
  }
}

/** Where records start in a log segment (see wal/FORMAT.md). */
const segmentRecordsOffset = 128;

/** Approximate bytes of log framing per record (record header and alignment). */
const recordFramingBytes = 32;

/** Tails shorter than this are replayed at the next open rather than checkpointed at close. */
const closeCheckpointBytes = 1024 * 1024;

function validTxId(payload: Uint8Array, ref: RecordRef, file: string): number {
  if (payload.length < 16) throw new CorruptionError(file, ref.address, 'KV batch shorter than its header');
  return batchTxId(payload);
}

function checkRange(range: RawRange): void {
  if (range.limit !== undefined && !(Number.isInteger(range.limit) && range.limit >= 0)) {
    throw new InvalidArgumentError(`limit must be a non-negative integer, got ${range.limit}`);
  }
}

function isPromiseLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Validates a raw key and value. `valueLimit` is the store's value limit:
 * `valueBytesMax`, or less when the log's records are smaller (one value
 * must fit in one record with its key and framing).
 */
function checkKeyAndValue(key: RawKey, value: Uint8Array | null, valueLimit: number): void {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidArgumentError('a key must be a non-empty binary string');
  if (key.length > keyBytesMax) throw new LimitError('key length in bytes', keyBytesMax, key.length);
  if (value !== null) {
    if (!(value instanceof Uint8Array)) throw new InvalidArgumentError('a raw value must be a Uint8Array');
    if (value.length > valueLimit) throw new LimitError('value length in bytes', valueLimit, value.length);
  }
}

/**
 * The writes and reads of one transaction: reads see the tree the
 * transaction began on plus its own writes. Writes are encoded into the
 * transaction's batch as they are made, so committing appends the batch as
 * it is; `writes` maps each written key to the payload offset of its latest
 * value in the batch, or -1 when its latest write deletes it.
 */
class TransactionWriter implements RawWriter {
  readonly writes = new Map<RawKey, number>();
  /**
   * The written keys in order, built on the first scan of the transaction
   * and kept up to date from then on (a transaction that never scans pays
   * nothing for it). Values live in `writes`; the tree holds only keys.
   */
  private ownIndex: BTreeEditor | undefined;
  private active = true;

  constructor(
    protected readonly store: LogStore,
    protected readonly base: BTree,
    readonly batch: BatchWriter,
  ) {
    batch.reset();
  }

  close(): void {
    this.active = false;
  }

  protected checkActive(): void {
    if (!this.active) throw new ClosedError('transaction');
    this.store.checkOpen();
  }

  getRaw(key: RawKey): Uint8Array | undefined {
    this.checkActive();
    const own = this.writes.get(key);
    if (own === undefined) return this.store.readAsOf(this.base, key);
    return own === -1 ? undefined : this.batch.valueAt(own, key.length);
  }

  putRaw(key: RawKey, value: Uint8Array): void {
    this.checkActive();
    checkKeyAndValue(key, value, this.store.valueBytesLimit);
    this.checkSize(entryBytes(key.length, value.length));
    if (this.ownIndex !== undefined && !this.writes.has(key)) this.ownIndex.set(key, 0, 0);
    this.writes.set(key, this.batch.put(key, value));
  }

  delRaw(key: RawKey): boolean {
    this.checkActive();
    checkKeyAndValue(key, null, 0);
    this.checkSize(entryBytes(key.length, 0));
    const own = this.writes.get(key);
    const existed = own === undefined ? this.base.has(key) : own !== -1;
    if (own === undefined && this.ownIndex !== undefined) this.ownIndex.set(key, 0, 0);
    this.batch.del(key);
    this.writes.set(key, -1);
    return existed;
  }

  private checkSize(bytes: number): void {
    const total = this.batch.bytes + bytes;
    if (total > transactionBytesMax) throw new LimitError('transaction size in bytes', transactionBytesMax, total);
  }

  scanRaw(range: RawRange, visit: RawVisitor): number {
    this.checkActive();
    if (this.writes.size === 0) return this.store.scanTree(this.base, range, visit);
    checkRange(range);
    // Merge the tree's entries with the transaction's own writes, which win.
    // The own keys come from a cursor over an editor, so writes the visitor
    // makes during the scan are seen, as the tree's own scans see them.
    const reverse = range.reverse === true;
    const own = this.orderedOwnKeys().cursor({ start: range.start, end: range.end, reverse });
    let ownKey: RawKey | undefined = own.next() ? own.key : undefined;
    const limit = range.limit ?? Infinity;
    let count = 0;
    let stopped = false;
    const emitOwn = (key: RawKey): boolean => {
      ownKey = own.next() ? own.key : undefined;
      const offset = this.writes.get(key) as number;
      if (offset === -1) return true;
      const value = this.batch.valueAt(offset, key.length);
      count++;
      if (visit(key, value, 0, value.length) === false || count >= limit) {
        stopped = true;
        return false;
      }
      return true;
    };
    if (limit > 0) {
      this.store.scanTree(this.base, { ...range, limit: undefined }, (key, buffer, offset, length) => {
        while (ownKey !== undefined && (reverse ? ownKey > key : ownKey < key)) {
          if (!emitOwn(ownKey)) return false;
        }
        if (ownKey === key) return emitOwn(key);
        if (this.writes.has(key)) return true;
        count++;
        if (visit(key, buffer, offset, length) === false || count >= limit) {
          stopped = true;
          return false;
        }
        return true;
      });
      while (!stopped && ownKey !== undefined) if (!emitOwn(ownKey)) break;
    }
    return count;
  }

  private orderedOwnKeys(): BTreeEditor {
    if (this.ownIndex === undefined) {
      const keys = [...this.writes.keys()].sort();
      const zeros = new Float64Array(keys.length);
      this.ownIndex = BTree.fromSorted(keys, zeros, zeros).edit({ exclusive: true });
    }
    return this.ownIndex;
  }
}

/** `begin()`: a transaction that stays open across calls until commit or rollback. */
class ExplicitTransaction extends TransactionWriter implements RawTransaction {
  private state: 'open' | 'committed' | 'rolled back' = 'open';

  get open(): boolean {
    return this.state === 'open';
  }

  commit(): Promise<void> {
    this.checkActive();
    this.state = 'committed';
    this.close();
    return this.store.endExplicit(this, true) ?? Promise.resolve();
  }

  rollback(): void {
    if (this.state !== 'open') return;
    this.state = 'rolled back';
    this.close();
    void this.store.endExplicit(this, false);
  }
}

class Snapshot implements RawSnapshot {
  private released = false;

  constructor(
    private readonly store: LogStore,
    private readonly tree: BTree,
  ) {
    store.pin(this);
  }

  getRaw(key: RawKey): Uint8Array | undefined {
    this.check();
    return this.store.readFrom(this.tree, key);
  }

  scanRaw(range: RawRange, visit: RawVisitor): number {
    this.check();
    return this.store.scanTree(this.tree, range, visit);
  }

  iterateRaw(range: RawRange): IterableIterator<{ key: RawKey; value: Uint8Array }> {
    this.check();
    return this.store.iterateTree(this.tree, range);
  }

  get size(): number {
    return this.tree.size;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.store.unpin(this);
  }

  private check(): void {
    if (this.released) throw new ClosedError('snapshot');
    this.store.checkOpen();
  }
}

