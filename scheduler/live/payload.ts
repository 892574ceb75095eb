/**
 * Payloads and results of jobs: what may be stored, and the msgpack codec
 * that stores it.
 *
 * A storable value is one that comes back equal after a round trip through
 * the store and through `structuredClone` (worker threads): `null`,
 * `undefined`, booleans, numbers, strings, bigints, `Uint8Array`s (Buffers
 * come back as Buffers), `Date`s, arrays and plain objects (prototype
 * `Object.prototype` or `null`) of these, nested at most `payloadDepthMax`
 * deep, without cycles. Everything else (functions, symbols, Maps, Sets,
 * class instances, ...) would be silently changed by the encoder, so it is
 * refused with INVALID_ARGUMENT naming the path of the first bad part.
 *
 * Objects decode with the prototype of `Object.prototype`; msgpackr reads an
 * own property named `__proto__` back as `__proto_`, so a hostile payload
 * cannot pollute prototypes.
 */
import { Packr } from 'msgpackr';
import { InvalidArgumentError, LimitError } from '../../storage/device/index.js';
import { payloadDepthMax } from './limits.js';

/**
 * Creates a msgpack codec. IMPORTANT: `pack` returns a view of the codec's
 * reused buffer, valid until its next call; copy it before packing again.
 */
export function createPackr(): Packr {
  return new Packr({ useRecords: false, copyBuffers: true, variableMapSize: true });
}

function describe(value: unknown): string {
  if (typeof value !== 'object' || value === null) return typeof value;
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  const ctor = (value as { constructor?: { name?: unknown } }).constructor;
  return typeof ctor?.name === 'string' && ctor.name !== tag ? `${tag} (${ctor.name})` : tag;
}

/**
 * The reason `value` cannot be stored, with the path to the offending part,
 * or undefined when it can. `what` names the value in the message.
 */
export function storableProblem(value: unknown, what: string): string | undefined {
  // The path to the part being checked, as keys; a message is built only on failure.
  const path: (string | number)[] = [];
  const pathText = (): string => what + path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('');
  const seen: object[] = [];
  const visit = (v: unknown, depth: number): string | undefined => {
    switch (typeof v) {
      case 'undefined':
      case 'boolean':
      case 'number':
      case 'string':
      case 'bigint':
        return undefined;
      case 'function':
      case 'symbol':
        return `${pathText()} is a ${typeof v}, which cannot be stored`;
      case 'object':
        break;
    }
    if (v === null || v instanceof Uint8Array || v instanceof Date) return undefined;
    if (depth >= payloadDepthMax) return `${pathText()} is nested more than ${payloadDepthMax} levels deep`;
    const object = v as object;
    if (seen.includes(object)) return `${pathText()} is part of a cycle`;
    seen.push(object);
    if (Array.isArray(object)) {
      for (let i = 0; i < object.length; i++) {
        path.push(i);
        const problem = visit(object[i], depth + 1);
        if (problem !== undefined) return problem;
        path.pop();
      }
    } else {
      const proto = Object.getPrototypeOf(object) as unknown;
      if (proto !== Object.prototype && proto !== null) return `${pathText()} is a ${describe(object)}, not a plain object, array, Date or Uint8Array`;
      if (Object.getOwnPropertySymbols(object).length > 0) return `${pathText()} has symbol keys, which cannot be stored`;
      for (const key in object) {
        if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
        path.push(key);
        const problem = visit((object as Record<string, unknown>)[key], depth + 1);
        if (problem !== undefined) return problem;
        path.pop();
      }
    }
    seen.pop();
    return undefined;
  };
  return visit(value, 0);
}

/**
 * Validates and encodes a value; throws INVALID_ARGUMENT for what cannot be
 * stored and LIMIT beyond `bytesMax`. Returns a copy (never the codec's
 * buffer: msgpackr returns a Buffer view, whose `slice` would not copy).
 */
export function encodeStorable(packr: Packr, value: unknown, what: string, bytesMax: number): Uint8Array {
  const problem = storableProblem(value, what);
  if (problem !== undefined) throw new InvalidArgumentError(problem);
  let bytes: Uint8Array;
  try {
    bytes = packr.pack(value);
  } catch (error) {
    throw new InvalidArgumentError(`${what} cannot be encoded: ${(error as Error).message}`);
  }
  if (bytes.length > bytesMax) throw new LimitError(`${what} size in bytes`, bytesMax, bytes.length);
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy;
}
