/**
 * The public key-value API over the raw store: keys encoded with
 * ordered-binary (as lmdb-js does), values with a `ValueCodec`.
 *
 * Key namespace: raw keys whose first byte is 0x01 belong to fairdb's own
 * subsystems (tables, the job table). User keys never produce that byte with
 * the ordered-binary encoding; a Uint8Array key starting with 0x01 is refused
 * (INVALID_ARGUMENT), and ranges skip the reserved span.
 */
import { InvalidArgumentError } from '../device/index.js';
import { LimitError } from '../device/index.js';
import { bytesToRawKey, decodeKey, encodeKey, keyBytesMax, type Key } from './key-codec.js';
import type { RawKey, RawRange, RawReader, RawWriter } from './raw.js';
import { valueCodec, type ValueCodec, type ValueEncoding } from './value-codec.js';

/** First byte of every raw key that belongs to fairdb's internal subsystems. */
export const internalKeyPrefix = '\u0001';
const internalKeyEnd = '\u0002';

export type KeyEncoding = 'ordered-binary' | 'binary';

export interface KvApiOptions {
  /** How values are encoded; default 'msgpack'. */
  readonly encoding?: ValueEncoding;
  /**
   * How keys are encoded; default 'ordered-binary' (strings, numbers,
   * booleans, null, Uint8Array and arrays of these, in their natural order).
   * 'binary': keys are Uint8Array compared bytewise and read back as Buffers.
   */
  readonly keyEncoding?: KeyEncoding;
}

/** Turns user keys into raw keys and back. */
export interface KeyCodec {
  readonly name: KeyEncoding;
  encode(key: Key): RawKey;
  /** Encodes a range bound: any key of the encoding, including reserved ones. */
  encodeBound(key: Key): RawKey;
  decode(raw: RawKey): Key;
}

export function keyCodec(encoding: KeyEncoding): KeyCodec {
  switch (encoding) {
    case 'ordered-binary':
      return { name: encoding, encode: encodeUserKey, encodeBound: encodeKey, decode: decodeKey };
    case 'binary': {
      const encodeBound = (key: Key): RawKey => {
        if (!(key instanceof Uint8Array)) throw new InvalidArgumentError(`with keyEncoding 'binary' a key must be a Uint8Array, got ${typeof key}`);
        if (key.length === 0) throw new InvalidArgumentError('empty keys are not allowed');
        if (key.length > keyBytesMax) throw new LimitError('key length in bytes', keyBytesMax, key.length);
        return bytesToRawKey(key, 0, key.length);
      };
      return {
        name: encoding,
        encode(key) {
          const raw = encodeBound(key);
          if (raw.charCodeAt(0) === 1) throw new InvalidArgumentError('keys starting with the byte 0x01 are reserved for fairdb');
          return raw;
        },
        encodeBound,
        decode: (raw) => Buffer.from(raw, 'latin1'),
      };
    }
    default:
      throw new InvalidArgumentError(`unknown key encoding ${String(encoding)}; use 'ordered-binary' or 'binary'`);
  }
}

export interface RangeOptions {
  /** Inclusive bound where the range starts (the high bound when `reverse`). */
  readonly start?: Key;
  /** Exclusive bound where the range ends (the low bound when `reverse`). */
  readonly end?: Key;
  /** Run from `start` down to `end`, as lmdb-js does. Default false. */
  readonly reverse?: boolean;
  /** At most this many entries. */
  readonly limit?: number;
}

export interface Entry<V> {
  readonly key: Key;
  readonly value: V;
}

/** What a store offers for lazy iteration (the engine's readers implement it). */
export interface RawIterable {
  iterateRaw(range: RawRange): IterableIterator<{ key: RawKey; value: Uint8Array }>;
}

/** Reads and writes of a transaction, with encoded keys and values. */
export interface KvTransaction<V> {
  get(key: Key): V | undefined;
  doesExist(key: Key): boolean;
  put(key: Key, value: V): void;
  /** Deletes `key`; returns whether it existed. */
  del(key: Key): boolean;
  /** The entries of `range`, read eagerly (a transaction is short and synchronous). */
  getRange(options?: RangeOptions): Entry<V>[];
}

export interface KvReader<V> {
  get(key: Key): V | undefined;
  doesExist(key: Key): boolean;
  getRange(options?: RangeOptions): RangeIterable<V>;
}

/** A lazy, re-iterable range (each iteration reads the state of that moment, or of the snapshot). */
export interface RangeIterable<V> extends Iterable<Entry<V>> {
  /** All entries, read now. */
  readonly asArray: Entry<V>[];
}

/** Encodes a user key and checks it stays out of the internal namespace. */
export function encodeUserKey(key: Key): RawKey {
  const raw = encodeKey(key);
  if (raw.charCodeAt(0) === 1) throw new InvalidArgumentError('keys starting with the byte 0x01 are reserved for fairdb');
  return raw;
}

/**
 * The user-visible raw ranges of a user range: the range minus the internal
 * span [0x01, 0x02), in iteration order.
 */
export function userRanges(options: RangeOptions, keys: KeyCodec): RawRange[] {
  const reverse = options.reverse === true;
  const start = options.start === undefined ? undefined : keys.encodeBound(options.start);
  const end = options.end === undefined ? undefined : keys.encodeBound(options.end);
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 0)) {
    throw new InvalidArgumentError(`limit must be a non-negative integer, got ${options.limit}`);
  }
  // Ascending: low = start, high = end; reverse: high = start, low = end.
  const low = reverse ? end : start;
  const high = reverse ? start : end;
  const pieces: { low: RawKey | undefined; high: RawKey | undefined }[] = [];
  // Below the internal span: [low, min(high, 0x01)).
  if (low === undefined || low < internalKeyPrefix) {
    const h = high === undefined || high > internalKeyPrefix ? internalKeyPrefix : high;
    pieces.push({ low, high: h });
  }
  // Above it: [max(low, 0x02), high).
  if (high === undefined || high > internalKeyEnd) {
    const l = low === undefined || low < internalKeyEnd ? internalKeyEnd : low;
    pieces.push({ low: l, high });
  }
  // A reverse piece starts at its high bound inclusively; for the piece below
  // the internal span that bound is the one-byte key 0x01, which no
  // subsystem uses (internal keys are at least two bytes long).
  const ranges = pieces.map((p): RawRange => (reverse ? { start: p.high, end: p.low, reverse: true, limit: options.limit } : { start: p.low, end: p.high, limit: options.limit }));
  return reverse ? ranges.reverse() : ranges;
}

export class KvApi<V = unknown> implements KvReader<V> {
  readonly codec: ValueCodec;
  readonly keys: KeyCodec;

  constructor(
    protected readonly reader: RawReader & RawIterable,
    options: KvApiOptions = {},
  ) {
    this.codec = valueCodec(options.encoding ?? 'msgpack');
    this.keys = keyCodec(options.keyEncoding ?? 'ordered-binary');
  }

  get(key: Key): V | undefined {
    const bytes = this.reader.getRaw(this.keys.encode(key));
    return bytes === undefined ? undefined : (this.codec.decode(bytes) as V);
  }

  doesExist(key: Key): boolean {
    return this.reader.getRaw(this.keys.encode(key)) !== undefined;
  }

  getRange(options: RangeOptions = {}): RangeIterable<V> {
    const ranges = userRanges(options, this.keys);
    const reader = this.reader;
    const codec = this.codec;
    const keys = this.keys;
    const limit = options.limit ?? Infinity;
    const iterable = {
      [Symbol.iterator]: (): Iterator<Entry<V>> => new RangeIterator<V>(reader, ranges, limit, keys, codec),
      get asArray(): Entry<V>[] {
        return [...iterable];
      },
    };
    return iterable;
  }
}

/**
 * Decoded entries of the raw ranges, up to `limit`: a class rather than a
 * generator (see TreeIterator in log-store.ts). Breaking off ends the raw
 * iterator too, so its snapshot pin is released at once.
 */
class RangeIterator<V> implements Iterator<Entry<V>> {
  private next_ = 0;
  private count = 0;
  private raw: Iterator<{ key: RawKey; value: Uint8Array }> | undefined;

  constructor(
    private readonly reader: RawIterable,
    private readonly ranges: readonly RawRange[],
    private readonly limit: number,
    private readonly keys: KeyCodec,
    private readonly codec: ValueCodec,
  ) {}

  next(): IteratorResult<Entry<V>> {
    while (this.count < this.limit) {
      if (this.raw === undefined) {
        const range = this.ranges[this.next_++];
        if (range === undefined) break;
        this.raw = this.reader.iterateRaw(range);
      }
      const step = this.raw.next();
      if (step.done === true) {
        this.raw = undefined;
        continue;
      }
      this.count++;
      const { key, value } = step.value;
      return { done: false, value: { key: this.keys.decode(key), value: this.codec.decode(value) as V } };
    }
    return this.return();
  }

  return(): IteratorResult<Entry<V>> {
    this.raw?.return?.();
    this.raw = undefined;
    this.next_ = this.ranges.length;
    return { done: true, value: undefined };
  }
}

/** Transaction reads and writes with encoded keys and values. */
export class KvTransactionApi<V> implements KvTransaction<V> {
  constructor(
    /** @internal The raw transaction, for subsystems that write in the same transaction (the job table). */
    readonly tx: RawWriter,
    private readonly keys: KeyCodec,
    private readonly codec: ValueCodec,
  ) {}

  get(key: Key): V | undefined {
    const bytes = this.tx.getRaw(this.keys.encode(key));
    return bytes === undefined ? undefined : (this.codec.decode(bytes) as V);
  }

  doesExist(key: Key): boolean {
    return this.tx.getRaw(this.keys.encode(key)) !== undefined;
  }

  put(key: Key, value: V): void {
    this.tx.putRaw(this.keys.encode(key), this.codec.encode(value));
  }

  del(key: Key): boolean {
    return this.tx.delRaw(this.keys.encode(key));
  }

  getRange(options: RangeOptions = {}): Entry<V>[] {
    const out: Entry<V>[] = [];
    const limit = options.limit ?? Infinity;
    for (const range of userRanges(options, this.keys)) {
      if (out.length >= limit) break;
      this.tx.scanRaw(range, (key, buffer, offset, length) => {
        out.push({ key: this.keys.decode(key), value: this.codec.decode(buffer.subarray(offset, offset + length)) as V });
        return out.length < limit;
      });
    }
    return out;
  }
}
