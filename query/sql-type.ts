/**
 * Types of the SQL engine: the storage types of columns (persisted in the
 * catalog) and the static types the binder gives every expression.
 */
import type { ColumnType } from './ast.js';

export type { ColumnType };

/**
 * Column types as stored in catalog records.
 * persisted: never renumber
 */
export const columnTypeCode: Readonly<Record<ColumnType, number>> = {
  INTEGER: 1,
  REAL: 2,
  TEXT: 3,
  BLOB: 4,
  BOOLEAN: 5,
  DATE: 6,
  TIMESTAMP: 7,
};

export const columnTypes: readonly ColumnType[] = ['INTEGER', 'REAL', 'TEXT', 'BLOB', 'BOOLEAN', 'DATE', 'TIMESTAMP'];

export function isColumnType(name: unknown): name is ColumnType {
  return typeof name === 'string' && (columnTypes as readonly string[]).includes(name);
}

/**
 * Static type of an expression. Run-time representation (see value.ts):
 * - `integer`, `real`: number; `boolean`: 0 or 1; `date`: whole days since
 *   1970-01-01; `timestamp`: milliseconds since the epoch;
 * - `text`: string; `blob`: Uint8Array; `null`: only null;
 * - `any`: any run-time value; a number in an `any` expression is an INTEGER
 *   when it is integral (a CASE mixing INTEGER and TEXT branches, say);
 * - `param`: a bound parameter whose value is known only at run time; its
 *   numbers are REALs, as better-sqlite3 binds JS numbers (`? / 2` with 5
 *   is 2.5).
 * Every type may also hold null.
 */
export type ValueType = 'integer' | 'real' | 'text' | 'blob' | 'boolean' | 'date' | 'timestamp' | 'null' | 'any' | 'param';

export function valueTypeOfColumn(type: ColumnType): ValueType {
  switch (type) {
    case 'INTEGER':
      return 'integer';
    case 'REAL':
      return 'real';
    case 'TEXT':
      return 'text';
    case 'BLOB':
      return 'blob';
    case 'BOOLEAN':
      return 'boolean';
    case 'DATE':
      return 'date';
    case 'TIMESTAMP':
      return 'timestamp';
  }
}

/** Whether the type's run-time values are numbers (or null). */
export function isNumericType(t: ValueType): boolean {
  return t === 'integer' || t === 'real' || t === 'boolean';
}

/**
 * SQLite's type affinity of an expression, used to convert operands before
 * a comparison: a column has the affinity of its declared type, `CAST(x AS
 * T)` the affinity of T, and every other expression none.
 */
export type Affinity = 'numeric' | 'text' | 'blob' | 'none';

export function affinityOfColumn(type: ColumnType): Affinity {
  switch (type) {
    case 'INTEGER':
    case 'REAL':
    case 'BOOLEAN':
      return 'numeric';
    case 'TEXT':
    case 'DATE':
    case 'TIMESTAMP':
      return 'text';
    case 'BLOB':
      return 'blob';
  }
}

/** The name `Statement.columns()` reports for a static type (as declared types are reported). */
export function declaredTypeName(t: ValueType): string | null {
  switch (t) {
    case 'integer':
      return 'INTEGER';
    case 'real':
      return 'REAL';
    case 'text':
      return 'TEXT';
    case 'blob':
      return 'BLOB';
    case 'boolean':
      return 'BOOLEAN';
    case 'date':
      return 'DATE';
    case 'timestamp':
      return 'TIMESTAMP';
    case 'null':
    case 'any':
    case 'param':
      return null;
  }
}
