/**
 * Binding parameters, as better-sqlite3 does: `stmt.all(1, 'a')`,
 * `stmt.all([1, 'a'])` for positional `?` parameters, `stmt.all({ id: 1 })`
 * for named `$id` / `:id` / `@id` parameters (own properties only: an
 * inherited property never binds, so `__proto__` and `constructor` are
 * ordinary names), or positional values followed by one object for a
 * statement that has both.
 *
 * JS values become run-time values: numbers (NaN becomes NULL, as SQLite
 * stores it), strings, `Uint8Array`/`Buffer` (BLOB), `null`; booleans
 * become 1/0; bigints within ±(2^53 - 1) become numbers; `Date`s become
 * their ISO text, which DATE and TIMESTAMP columns and comparisons accept.
 * Anything else, and `undefined`, is an error.
 */
import { FairdbError } from '../storage/device/index.js';
import type { ParamInfo } from './binder.js';
import type { SqlValue } from './value.js';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array || v instanceof Date) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Converts one bound JS value; `what` names it in errors. */
export function toSqlValue(v: unknown, what: string): SqlValue {
  if (v === null) return null;
  switch (typeof v) {
    case 'number':
      return Number.isNaN(v) ? null : v;
    case 'string':
      return v;
    case 'boolean':
      return v ? 1 : 0;
    case 'bigint':
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new FairdbError('TYPE', `${what}: the bigint ${v} is outside ±(2^53 - 1)`);
      return Number(v);
    case 'undefined':
      throw new FairdbError('INVALID_ARGUMENT', `${what} is undefined (bind null for SQL NULL)`);
    default:
      if (v instanceof Uint8Array) return v;
      if (v instanceof Date) {
        if (Number.isNaN(v.getTime())) throw new FairdbError('TYPE', `${what} is an invalid Date`);
        return v.toISOString();
      }
      throw new FairdbError('TYPE', `${what}: cannot bind a value of type ${Array.isArray(v) ? 'array' : typeof v}`);
  }
}

/** Resolves the arguments of all/get/run/iterate to one value per parameter slot. */
export function bindParams(info: ParamInfo, args: readonly unknown[], out: SqlValue[]): SqlValue[] {
  let positional: readonly unknown[] = args;
  let named: Record<string, unknown> | undefined;
  if (args.length === 1 && Array.isArray(args[0])) positional = args[0] as unknown[];
  else if (args.length > 0 && isPlainObject(args[args.length - 1]) && info.names.size > 0) {
    named = args[args.length - 1] as Record<string, unknown>;
    positional = args.slice(0, -1);
    if (positional.length === 1 && Array.isArray(positional[0])) positional = positional[0] as unknown[];
  }
  if (out.length !== info.count) out.length = info.count;
  let next = 0;
  for (let slot = 1; slot <= info.count; slot++) {
    const name = info.names.get(slot);
    if (name !== undefined) {
      if (named === undefined || !Object.hasOwn(named, name)) throw new FairdbError('INVALID_ARGUMENT', `missing named parameter "${name}"`);
      out[slot - 1] = toSqlValue(named[name], `parameter "${name}"`);
    } else {
      if (next >= positional.length) throw new FairdbError('INVALID_ARGUMENT', `too few parameter values were provided (${positional.length})`);
      out[slot - 1] = toSqlValue(positional[next], `parameter ${slot}`);
      next++;
    }
  }
  if (next < positional.length) throw new FairdbError('INVALID_ARGUMENT', `too many parameter values were provided (${positional.length}, the statement takes ${next})`);
  return out;
}
