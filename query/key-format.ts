/**
 * Keys of the SQL engine in the raw KV store. Every key starts with the
 * engine's key prefix (a binary string, `SqlEngineOptions.keyPrefix`); the
 * engine never reads or writes outside it. Keys are binary strings (one
 * char per byte, see storage/kv/raw.ts) so that JS string order is byte
 * order.
 *
 * Key spaces after the prefix (one byte each):
 *
 *   SPACE  REST OF KEY                                 VALUE
 *   0x01   (nothing)                                   catalog header (catalog.ts)
 *   0x02   table id (u32 BE)                           table record (catalog.ts)
 *   0x03   index id (u32 BE)                           index record (catalog.ts)
 *   0x04   table id (u32 BE)                           table statistics (catalog.ts)
 *   0x10   table id (u32 BE) | primary key tuple       row (row-format.ts)
 *   0x11   index id (u32 BE) | indexed tuple | pk tuple  empty
 *   0x11   index id (u32 BE) | indexed tuple           pk tuple (see below)
 *
 * Index entries have two layouts. Non-unique indexes (and unique ones
 * created before the second layout existed) end every entry key with the
 * row's primary key tuple, and the value is empty. A UNIQUE index created
 * with `valueKeyed` (catalog.ts) keys an entry whose indexed values are all
 * non-NULL by those values alone and stores the primary key tuple as the
 * value, so that checking uniqueness or looking a row up by the whole key
 * is one point read; an entry with a NULL (NULLs never collide) keeps the
 * first layout. Readers tell them apart by the value: non-empty means it
 * holds the primary key (a tuple is never empty).
 *
 * A tuple is the concatenation of its encoded elements; an element is a
 * tag byte and a payload, ordered exactly as SQLite orders values
 * (NULL < numbers < text < blobs; numbers by value; text and blobs by bytes),
 * so that key order is SQL order and ranges on a key prefix are key ranges:
 *
 *   TAG   PAYLOAD
 *   0x05  (none)                     NULL
 *   0x10  8 bytes                    number: IEEE 754 double, big-endian, with
 *                                    the sign bit flipped for positives and
 *                                    every bit flipped for negatives; -0 is
 *                                    written as +0 (INTEGER, REAL, BOOLEAN,
 *                                    DATE and TIMESTAMP values are numbers)
 *   0x20  bytes | 0x00 0x00          text: UTF-8 with each 0x00 written as
 *                                    0x00 0xFF, terminated by 0x00 0x00
 *   0x30  bytes | 0x00 0x00          blob: escaped the same way
 *
 * The terminator sorts below every continuation byte, so a string sorts
 * before its extensions and before any longer tuple that shares it. No
 * element starts with 0xFF, so `k + '\xff'` is an exclusive upper bound of
 * every key that extends `k`.
 */
import { FairdbError, LimitError } from '../storage/device/index.js';
import { keyBytesMax } from '../storage/kv/key-codec.js';
import type { SqlValue } from './value.js';

/** Key space bytes. persisted: never renumber */
export const keySpace = {
  catalogHeader: 0x01,
  tableRecord: 0x02,
  indexRecord: 0x03,
  tableStats: 0x04,
  row: 0x10,
  indexEntry: 0x11,
} as const;

/** Tuple element tags. persisted: never renumber */
export const elementTag = {
  null: 0x05,
  number: 0x10,
  text: 0x20,
  blob: 0x30,
} as const;

/** Longest key the engine writes, in bytes (the KV store's limit). */
export const sqlKeyBytesMax = keyBytesMax;

/** Exclusive upper bound of all keys that extend `key`. */
export const keyEnd = '\xff';

export function u32Key(id: number): string {
  return String.fromCharCode((id >>> 24) & 0xff, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff);
}

export function readU32Key(key: string, at: number): number {
  return ((key.charCodeAt(at) << 24) | (key.charCodeAt(at + 1) << 16) | (key.charCodeAt(at + 2) << 8) | key.charCodeAt(at + 3)) >>> 0;
}

// Scratch for number encoding: a double and its bytes. Module-level scratch
// is safe because encoding is synchronous and never re-entered.
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
// Index of the most significant byte of the double in f64Bytes, and the step
// towards the least significant one.
const msb = littleEndian ? 7 : 0;
const step = littleEndian ? -1 : 1;

const utf8Encoder = new TextEncoder();

const bufferLatin1Slice = (Buffer.prototype as unknown as { latin1Slice(this: Uint8Array, start: number, end: number): string }).latin1Slice;

/**
 * Builds keys byte by byte in a reused buffer and returns them as one flat
 * binary string (a single latin1 slice): concatenating element strings would
 * give the store rope strings that it must flatten before hashing or
 * comparing them, which costs more than the lookup itself on a point read.
 * Not re-entrant: finish one key before starting the next.
 */
export class KeyBuilder {
  private bytes = new Uint8Array(256);
  private length = 0;

  private ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.bytes.length) return;
    let size = this.bytes.length;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  /** Starts a key with `prefix` (a binary string). */
  start(prefix: string): this {
    this.length = 0;
    this.ensure(prefix.length);
    for (let i = 0; i < prefix.length; i++) this.bytes[i] = prefix.charCodeAt(i);
    this.length = prefix.length;
    return this;
  }

  number(v: number): this {
    this.ensure(9);
    f64[0] = v === 0 ? 0 : v;
    const b = this.bytes;
    let at = this.length;
    b[at++] = elementTag.number;
    const negative = ((f64Bytes[msb] as number) & 0x80) !== 0;
    for (let i = 0; i < 8; i++) {
      const byte = f64Bytes[msb + i * step] as number;
      b[at++] = negative ? byte ^ 0xff : i === 0 ? byte | 0x80 : byte;
    }
    this.length = at;
    return this;
  }

  private escaped(tag: number, bytes: Uint8Array, count: number): void {
    this.ensure(2 * count + 3);
    const b = this.bytes;
    let at = this.length;
    b[at++] = tag;
    for (let i = 0; i < count; i++) {
      const byte = bytes[i] as number;
      b[at++] = byte;
      if (byte === 0) b[at++] = 0xff;
    }
    b[at++] = 0;
    b[at++] = 0;
    this.length = at;
  }

  text(v: string): this {
    let ascii = true;
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c === 0 || c >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (!ascii) {
      const utf8 = utf8Encoder.encode(v);
      this.escaped(elementTag.text, utf8, utf8.length);
      return this;
    }
    this.ensure(v.length + 3);
    const b = this.bytes;
    let at = this.length;
    b[at++] = elementTag.text;
    for (let i = 0; i < v.length; i++) b[at++] = v.charCodeAt(i);
    b[at++] = 0;
    b[at++] = 0;
    this.length = at;
    return this;
  }

  blob(v: Uint8Array): this {
    this.escaped(elementTag.blob, v, v.length);
    return this;
  }

  value(v: SqlValue): this {
    if (v === null) {
      this.ensure(1);
      this.bytes[this.length++] = elementTag.null;
      return this;
    }
    if (typeof v === 'number') return this.number(v);
    if (typeof v === 'string') return this.text(v);
    return this.blob(v);
  }

  /** Appends the chars of binary string `s` from index `from` (a key tail copied as it is). */
  raw(s: string, from: number): this {
    const count = s.length - from;
    this.ensure(count);
    const b = this.bytes;
    let at = this.length;
    for (let i = from; i < s.length; i++) b[at++] = s.charCodeAt(i);
    this.length = at;
    return this;
  }

  /** Appends `bytes[start, end)` as they are (a tuple stored as a value, see index entries above). */
  appendBytes(bytes: Uint8Array, start: number, end: number): this {
    this.ensure(end - start);
    const b = this.bytes;
    let at = this.length;
    for (let i = start; i < end; i++) b[at++] = bytes[i] as number;
    this.length = at;
    return this;
  }

  /** The key followed by 0xFF, as a flat string: the exclusive end of every key that extends it. */
  finishEnd(): string {
    this.ensure(1);
    this.bytes[this.length] = 0xff;
    return bufferLatin1Slice.call(this.bytes, 0, this.length + 1);
  }

  /** The key as a flat binary string; throws LIMIT past the store's key limit. */
  finish(): string {
    if (this.length > sqlKeyBytesMax) throw new LimitError('key length in bytes', sqlKeyBytesMax, this.length);
    return bufferLatin1Slice.call(this.bytes, 0, this.length);
  }
}

function decodeNumberPayload(key: string, at: number): number {
  // Positive numbers were written with the sign bit set, negative ones with every bit flipped.
  const flip = ((key.charCodeAt(at) & 0x80) === 0) ? 0xff : 0;
  for (let i = 0; i < 8; i++) {
    let b = key.charCodeAt(at + i) ^ flip;
    if (i === 0 && flip === 0) b &= 0x7f;
    f64Bytes[msb + i * step] = b;
  }
  return f64[0] as number;
}

function corrupt(message: string): FairdbError {
  return new FairdbError('CORRUPTION', `invalid SQL key: ${message}`);
}

/** Index just past the element that starts at `at`; throws CORRUPTION on a malformed key. */
export function skipElement(key: string, at: number): number {
  const tag = key.charCodeAt(at);
  if (tag === elementTag.null) return at + 1;
  if (tag === elementTag.number) {
    if (at + 9 > key.length) throw corrupt('truncated number');
    return at + 9;
  }
  if (tag === elementTag.text || tag === elementTag.blob) {
    let i = at + 1;
    for (;;) {
      const z = key.indexOf('\x00', i);
      if (z < 0 || z + 1 >= key.length) throw corrupt('unterminated string');
      if (key.charCodeAt(z + 1) === 0) return z + 2;
      if (key.charCodeAt(z + 1) !== 0xff) throw corrupt('bad escape');
      i = z + 2;
    }
  }
  throw corrupt(`unknown tag ${tag}`);
}

/** Decodes the element at `at` (for tests and diagnostics; the executor reads rows, not keys). */
export function decodeElement(key: string, at: number): { value: SqlValue; end: number } {
  const end = skipElement(key, at);
  const tag = key.charCodeAt(at);
  if (tag === elementTag.null) return { value: null, end };
  if (tag === elementTag.number) return { value: decodeNumberPayload(key, at + 1), end };
  const raw = key.slice(at + 1, end - 2).replace(/\x00\xff/g, '\x00');
  const bytes = Buffer.from(raw, 'latin1');
  if (tag === elementTag.text) return { value: bytes.toString('utf8'), end };
  return { value: new Uint8Array(bytes), end };
}

/** Decodes a whole tuple. */
export function decodeTuple(key: string, at: number): SqlValue[] {
  const out: SqlValue[] = [];
  while (at < key.length) {
    const { value, end } = decodeElement(key, at);
    out.push(value);
    at = end;
  }
  return out;
}
