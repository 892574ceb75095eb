/**
 * Key encoding: user keys (strings, numbers, booleans, null, Uint8Array and
 * arrays of these) are encoded with ordered-binary, the encoding lmdb-js
 * uses, so that byte order equals the natural order of the values; the bytes
 * are then held as a binary (latin1) string, whose JS string order is the
 * byte order (see `raw.ts`).
 *
 * Order across types (from ordered-binary): null < booleans? < numbers <
 * strings < arrays, with Uint8Array keys taken as raw bytes. Arrays compare
 * element by element, so ['a', 1] < ['a', 2] < ['b'].
 */
import { readKey, writeKey } from 'ordered-binary';
import { InvalidArgumentError, LimitError } from '../device/index.js';
import type { RawKey } from './raw.js';

/** Longest encoded key, in bytes (lmdb's default limit is 1978; SQLite's none). */
export const keyBytesMax = 1978;

export type Key = string | number | boolean | null | Uint8Array | readonly (string | number | boolean | null | Uint8Array)[];

// ordered-binary views the target through a DataView whose length it rounds
// up to a multiple of 4, so the scratch length must be one. Keys longer than
// the scratch are over the limit anyway; the slack lets the encoder run to
// completion before the limit is checked.
const scratchBytes = 64 * 1024;
const scratch = Buffer.allocUnsafeSlow(scratchBytes);

/** Encodes a user key to its binary-string form; throws INVALID_ARGUMENT or LIMIT. */
export function encodeKey(key: Key): RawKey {
  checkKey(key);
  let end: number;
  if (key instanceof Uint8Array) {
    if (key.length > keyBytesMax) throw new LimitError('key length in bytes', keyBytesMax, key.length);
    return bytesToRawKey(key, 0, key.length);
  }
  try {
    end = writeKey(key as never, scratch, 0);
  } catch (error) {
    if (error instanceof RangeError) throw new LimitError('key length in bytes', keyBytesMax, encodedLengthAtLeast(key));
    throw new InvalidArgumentError(`cannot encode key: ${(error as Error).message}`);
  }
  if (end > keyBytesMax) throw new LimitError('key length in bytes', keyBytesMax, end);
  if (end === 0) throw new InvalidArgumentError('empty keys are not allowed');
  return scratch.toString('latin1', 0, end);
}

/** Decodes a binary-string key back to the user value. */
export function decodeKey(raw: RawKey): Key {
  const bytes = rawKeyToBytes(raw);
  return readKey(bytes, 0, bytes.length) as Key;
}

/** Raw key bytes → binary string. */
export function bytesToRawKey(bytes: Uint8Array, start: number, end: number): RawKey {
  const buf = bytes instanceof Buffer ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buf.toString('latin1', start, end);
}

/** Binary string → a new Buffer of its bytes. */
export function rawKeyToBytes(raw: RawKey): Buffer {
  return Buffer.from(raw, 'latin1');
}

/** A lower bound of the encoded length of a key that overflowed the scratch. */
function encodedLengthAtLeast(key: Key): number {
  if (typeof key === 'string') return Buffer.byteLength(key, 'utf8');
  if (Array.isArray(key)) return key.reduce((sum: number, part) => sum + encodedLengthAtLeast(part as Key) + 1, 0);
  return scratchBytes;
}

function checkKey(key: unknown): void {
  const t = typeof key;
  if (t === 'string' || t === 'boolean' || key === null || key instanceof Uint8Array) return;
  if (t === 'number') {
    if (Number.isNaN(key)) throw new InvalidArgumentError('NaN is not a valid key');
    return;
  }
  if (Array.isArray(key)) {
    if (key.length === 0) throw new InvalidArgumentError('an empty array is not a valid key');
    for (const part of key) {
      if (Array.isArray(part)) throw new InvalidArgumentError('nested arrays are not valid keys');
      checkKey(part);
    }
    return;
  }
  throw new InvalidArgumentError(`keys must be strings, numbers, booleans, null, Uint8Array or arrays of these; got ${t === 'object' ? Object.prototype.toString.call(key) : t}`);
}
