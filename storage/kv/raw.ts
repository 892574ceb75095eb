/**
 * The raw KV interface: the contract between the KV engine and the layers
 * above it that bring their own key and value encodings (tables and the
 * query executor, the job table). The public `open()` API adds key and value
 * encoding on top of it.
 *
 * Keys at this level are *binary strings*: a JS string whose every char code
 * is one byte (0..255) of an order-preserving encoded key. JS compares
 * strings by UTF-16 code units, so for these strings `a < b` is exactly the
 * byte order of the encoded keys, and a string is a cheap, hashable,
 * immutable key for the in-memory index. Build them with `key-codec.ts`.
 *
 * Values are bytes. A value passed to a visitor or returned by `getRaw` is a
 * view into the store's memory. IMPORTANT: never write to it, and copy what
 * you keep beyond the current call: the view is only guaranteed until the
 * next write to the store or the end of the transaction.
 */

/** An order-preserving encoded key as a binary (latin1) string. */
export type RawKey = string;

/**
 * Receives one entry of a scan: the key and the value's bytes as
 * `buffer[offset, offset + length)`. Return `false` to stop the scan.
 */
export type RawVisitor = (key: RawKey, buffer: Uint8Array, offset: number, length: number) => boolean | void;

export interface RawRange {
  /** Inclusive lower bound (upper bound when `reverse`); default: unbounded. */
  readonly start?: RawKey;
  /** Exclusive upper bound (lower bound when `reverse`); default: unbounded. */
  readonly end?: RawKey;
  /** Visit from high keys to low keys; `start` is then the high bound. */
  readonly reverse?: boolean;
  /** Stop after this many entries; default: no limit. */
  readonly limit?: number;
}

export interface RawReader {
  /** The value of `key`, or undefined when absent (see the view caveat above). */
  getRaw(key: RawKey): Uint8Array | undefined;
  /** Visits entries in key order within `range`; returns the number visited. */
  scanRaw(range: RawRange, visit: RawVisitor): number;
}

export interface RawWriter extends RawReader {
  /** Sets `key` to a copy of `value`. */
  putRaw(key: RawKey, value: Uint8Array): void;
  /** Deletes `key`; returns whether it existed. */
  delRaw(key: RawKey): boolean;
}

/**
 * An explicit write transaction, for callers that cannot express their
 * transaction as one synchronous function (SQL `BEGIN` ... `COMMIT`).
 * IMPORTANT: while it is open, every other write transaction on the store
 * fails with `CONFLICT`; commit or roll it back promptly.
 */
export interface RawTransaction extends RawWriter {
  /** Applies every write atomically; resolves once durable per the store's durability. */
  commit(): Promise<void>;
  /** Discards every write. */
  rollback(): void;
  /** True until commit() or rollback(). */
  readonly open: boolean;
}

/** A read-only view of the store at one instant. */
export interface RawSnapshot extends RawReader {
  /** IMPORTANT: a snapshot pins log segments until released. */
  release(): void;
}

export interface RawKvStore extends RawReader {
  /**
   * Runs `fn` as one atomic transaction: reads see a consistent snapshot plus
   * the transaction's own writes; if `fn` throws, nothing it wrote is applied
   * and the error is rethrown. Transactions are serialized. Durable on return
   * when the store's durability is 'sync'.
   */
  transactionSync<T>(fn: (tx: RawWriter) => T): T;
  /** As `transactionSync`, resolving once the commit is durable. */
  transaction<T>(fn: (tx: RawWriter) => T): Promise<T>;
  /** Opens an explicit write transaction (see `RawTransaction`). */
  begin(): RawTransaction;
  /** A consistent read-only view; release it when done. */
  snapshotRaw(): RawSnapshot;
}
