/**
 * Value encodings of the public KV API.
 *
 * - 'msgpack' (default): any value msgpackr can encode (objects, arrays,
 *   strings, numbers, booleans, null, Date, Uint8Array, Map/Set as msgpackr
 *   maps them), as lmdb-js does by default. Decoding copies binary data out of
 *   the store (`copyBuffers`), so a returned value never aliases database
 *   memory. msgpackr guards against prototype pollution by reading an own
 *   property named `__proto__` back as `__proto_`; use a Map for arbitrary
 *   keys.
 * - 'binary': values are Uint8Array; reads return a fresh Buffer copy.
 * - 'string': values are strings, stored as UTF-8.
 * - 'json': JSON.stringify / JSON.parse (prototype-safe: `__proto__` becomes an
 *   ordinary own property, as JSON.parse does).
 */
import { Packr } from 'msgpackr';
import { InvalidArgumentError } from '../device/index.js';

export type ValueEncoding = 'msgpack' | 'binary' | 'string' | 'json';

export interface ValueCodec {
  readonly name: ValueEncoding;
  /** Encodes a value; the result may be a reused buffer, valid until the next call. */
  encode(value: unknown): Uint8Array;
  /** Decodes bytes read from the store; never returns a view of them. */
  decode(bytes: Uint8Array): unknown;
}

export function valueCodec(encoding: ValueEncoding): ValueCodec {
  switch (encoding) {
    case 'msgpack':
      return msgpackCodec();
    case 'binary':
      return {
        name: 'binary',
        encode(value) {
          if (!(value instanceof Uint8Array)) throw new InvalidArgumentError(`with encoding 'binary' a value must be a Uint8Array, got ${describe(value)}`);
          return value;
        },
        decode: copyBytes,
      };
    case 'string':
      return {
        name: 'string',
        encode(value) {
          if (typeof value !== 'string') throw new InvalidArgumentError(`with encoding 'string' a value must be a string, got ${describe(value)}`);
          return Buffer.from(value, 'utf8');
        },
        decode: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
      };
    case 'json':
      return {
        name: 'json',
        encode(value) {
          let text: string | undefined;
          try {
            text = JSON.stringify(value);
          } catch (error) {
            throw new InvalidArgumentError(`value cannot be encoded as JSON: ${(error as Error).message}`);
          }
          if (text === undefined) throw new InvalidArgumentError(`value cannot be encoded as JSON: ${describe(value)}`);
          return Buffer.from(text, 'utf8');
        },
        decode: (bytes) => JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')),
      };
    default:
      throw new InvalidArgumentError(`unknown value encoding ${String(encoding)}; use 'msgpack', 'binary', 'string' or 'json'`);
  }
}

function msgpackCodec(): ValueCodec {
  const packr = new Packr({ useRecords: false, copyBuffers: true });
  return {
    name: 'msgpack',
    encode(value) {
      if (value === undefined) throw new InvalidArgumentError('undefined is not a storable value; delete the key instead');
      if (typeof value === 'function' || typeof value === 'symbol') throw new InvalidArgumentError(`a ${typeof value} is not a storable value`);
      try {
        return packr.pack(value);
      } catch (error) {
        // Deeply nested or cyclic values overflow the encoder's recursion.
        throw new InvalidArgumentError(`value cannot be encoded: ${error instanceof RangeError ? 'nested too deeply (or cyclic)' : (error as Error).message}`);
      }
    },
    decode: (bytes) => packr.unpack(bytes),
  };
}

/**
 * A fresh Buffer with a copy of `bytes`. Buffer.from(uint8Array) copies
 * element by element; a pooled allocation and `set` copy in one memcpy.
 */
function copyBytes(bytes: Uint8Array): Buffer {
  const copy = Buffer.allocUnsafe(bytes.length);
  copy.set(bytes, 0);
  return copy;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return Object.prototype.toString.call(value);
  return typeof value;
}
