/**
 * Reads by key: how the equality prefix, bounds and IN set of an access
 * path (plan.ts) become key ranges of the store (key-format.ts), and the
 * conversion of a bound value to a column's key domain that both the store
 * reads and the columnar cache's keyed reads (columnar-access.ts) use.
 */
import { FairdbError } from '../storage/device/index.js';
import type { RawReader } from '../storage/kv/index.js';
import type { TableDef } from './catalog.js';
import { numberTextOf, type ExprCompiler, type Getter } from './compile-expr.js';
import { msPerDay, parseDate, parseTimestamp } from './date-time.js';
import { KeyBuilder, keyEnd } from './key-format.js';
import type { Access, KeyBound } from './plan.js';
import type { ColumnType, ValueType } from './sql-type.js';
import { textAsWholeNumber, type SqlValue } from './value.js';


export interface KeyRange {
  /** Inclusive start (binary string). */
  start: string;
  /** Exclusive end. */
  end: string;
  /** True when `start` is a complete key (a point lookup). */
  point: boolean;
}

/**
 * Converts a bound value to the key domain of a column, as the comparison
 * would see it; undefined when the value cannot be placed in the column's
 * key order (the scan then reads the wider range and the filter decides).
 */
export function keyValueFor(type: ColumnType, v: SqlValue, t: ValueType): SqlValue | undefined {
  if (v === null) return null;
  switch (type) {
    case 'INTEGER':
    case 'REAL':
    case 'BOOLEAN':
      if (typeof v === 'number') return t === 'date' || t === 'timestamp' ? undefined : v;
      if (typeof v === 'string') return textAsWholeNumber(v);
      return undefined;
    case 'TEXT':
      if (typeof v === 'string') return v;
      if (typeof v === 'number' && t !== 'date' && t !== 'timestamp') return numberTextOf(t)(v);
      return undefined;
    case 'BLOB':
      return v instanceof Uint8Array ? v : undefined;
    case 'DATE':
      if (typeof v === 'number') return t === 'date' ? v : undefined;
      if (typeof v === 'string') return parseDate(v);
      return undefined;
    case 'TIMESTAMP':
      if (typeof v === 'number') return t === 'timestamp' ? v : t === 'date' ? v * msPerDay : undefined;
      if (typeof v === 'string') return parseTimestamp(v);
      return undefined;
  }
}

export interface KeyAccess {
  /** For an equality on every key column and no bound: the key to read, null for no row, undefined to fall back to `range`. */
  point(prefix: string): string | null | undefined;
  range(prefix: string): KeyRange | null;
  /** With an IN set: one range (or point) per distinct value, in key order; null for none. */
  ranges(prefix: string): KeyRange[] | null;
}

export function compileKeyAccess(compiler: ExprCompiler, access: Exclude<Access, { kind: 'full' }>, table: TableDef, setValues: (() => { values: SqlValue[]; type: ValueType[] }) | undefined): KeyAccess {
  const columns = access.kind === 'primary' ? table.primaryKey : access.index.columns;
  const eq = access.eq.map((e) => compiler.value(e));
  const eqTypes = access.eq.map((e) => e.type);
  const colTypes = columns.map((c) => table.storedTypes[c] as ColumnType);
  const bound = (b: KeyBound | undefined) => (b === undefined ? undefined : { get: compiler.value(b.expr), type: b.expr.type, inclusive: b.inclusive });
  const low = bound(access.low);
  const high = bound(access.high);
  const nextType = colTypes[access.eq.length];
  const full = access.eq.length === columns.length && low === undefined && high === undefined;
  const builder = new KeyBuilder();
  /** Writes the equality prefix after `prefix`; false when a value is NULL (no row), undefined when one has no key form. */
  const writeEq = (prefix: string): boolean | undefined => {
    builder.start(prefix);
    for (let i = 0; i < eq.length; i++) {
      const v = keyValueFor(colTypes[i] as ColumnType, (eq[i] as Getter)(), eqTypes[i] as ValueType);
      // A NULL never equals anything.
      if (v === null) return false;
      if (v === undefined) return undefined;
      builder.value(v);
    }
    return true;
  };
  const range = (prefix: string): KeyRange | null => {
    let key = prefix;
    for (let i = 0; i < eq.length; i++) {
      const v = keyValueFor(colTypes[i] as ColumnType, (eq[i] as Getter)(), eqTypes[i] as ValueType);
      // A NULL never equals anything; a value outside the column's key
      // order falls back to the prefix read so far.
      if (v === null) return null;
      if (v === undefined) return { start: key, end: key + keyEnd, point: false };
      key = builder.start(key).value(v).finish();
    }
    // Flat strings for both bounds: the store compares them on every step.
    if (full) return { start: key, end: builder.start(key).finishEnd(), point: true };
    let start = key;
    let end = key + keyEnd;
    if (low !== undefined && nextType !== undefined) {
      const v = keyValueFor(nextType, low.get(), low.type);
      if (v === null) return null;
      if (v !== undefined) {
        const k = builder.start(key).value(v).finish();
        start = low.inclusive ? k : k + keyEnd;
      }
    } else if (high !== undefined) {
      // Only an upper bound: skip NULL entries (they never compare).
      start = key + '\x06';
    }
    if (high !== undefined && nextType !== undefined) {
      const v = keyValueFor(nextType, high.get(), high.type);
      if (v === null) return null;
      if (v !== undefined) {
        const k = builder.start(key).value(v).finish();
        end = high.inclusive ? k + keyEnd : k;
      }
    }
    if (start >= end) return null;
    return { start, end, point: false };
  };
  const setType = colTypes[access.eq.length];
  const completesKey = access.eq.length + 1 === columns.length;
  return {
    point(prefix) {
      if (!full) return undefined;
      const ok = writeEq(prefix);
      if (ok === false) return null;
      if (ok === undefined) return undefined;
      return builder.finish();
    },
    range,
    ranges(prefix) {
      const ok = writeEq(prefix);
      if (ok === false) return null;
      if (ok === undefined || setValues === undefined || setType === undefined) {
        const whole = range(prefix);
        return whole === null ? null : [whole];
      }
      const eqKey = builder.finish();
      const { values, type } = setValues();
      const keys = new Set<string>();
      for (let i = 0; i < values.length; i++) {
        const v = keyValueFor(setType, values[i] as SqlValue, type[i] as ValueType);
        if (v === null) continue;
        if (v === undefined) {
          // A value with no key form: read the whole prefix instead.
          return [{ start: eqKey, end: eqKey + keyEnd, point: false }];
        }
        keys.add(builder.start(eqKey).value(v).finish());
      }
      return [...keys].sort().map((k) => ({ start: k, end: k + keyEnd, point: completesKey }));
    },
  };
}

export function scanRange(reader: RawReader, range: KeyRange, reverse: boolean, visit: (key: string, buffer: Uint8Array, offset: number, length: number) => boolean): void {
  if (!reverse) {
    reader.scanRaw({ start: range.start, end: range.end }, visit);
    return;
  }
  // Reverse: the store's reverse range has an inclusive upper and an
  // exclusive lower bound, the opposite of ours; exclude `end` by hand and
  // visit a key equal to `start` last.
  let stopped = false;
  reader.scanRaw({ start: range.end, end: range.start, reverse: true }, (key, buffer, offset, length) => {
    if (key === range.end) return true;
    if (visit(key, buffer, offset, length) === false) {
      stopped = true;
      return false;
    }
    return true;
  });
  if (stopped) return;
  const exact = reader.getRaw(range.start);
  if (exact !== undefined) visit(range.start, exact, 0, exact.length);
}

export function skipKeyElement(key: string, at: number): number {
  const tag = key.charCodeAt(at);
  if (tag === 0x05) return at + 1;
  if (tag === 0x10) return at + 9;
  let i = at + 1;
  for (;;) {
    const z = key.indexOf('\x00', i);
    if (z < 0 || z + 1 >= key.length) throw new FairdbError('CORRUPTION', 'invalid index entry key: unterminated string');
    if (key.charCodeAt(z + 1) === 0) return z + 2;
    i = z + 2;
  }
}

