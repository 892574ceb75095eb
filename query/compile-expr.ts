/**
 * Compiles bound expressions to closures, once per statement. A compiled
 * expression is a `Getter` (`() => value`) that reads the current row through
 * the column getters of its scope; predicates compile to `() => boolean`
 * closures that answer "is it TRUE?" directly, so WHERE clauses never build
 * three-valued intermediate values on the common paths.
 *
 * Three kinds of subtrees are treated differently:
 * - constant (no columns, parameters or subqueries): evaluated once, here;
 * - execution-constant (parameters, uncorrelated subqueries): evaluated at
 *   most once per execution of the statement and cached (`ExecState.epoch`);
 * - row-dependent: evaluated per call.
 *
 * Semantics follow SQLite (see value.ts and binder.ts): NULL propagation,
 * AND/OR truth tables, comparison affinity, integer vs real arithmetic with
 * division by zero yielding NULL, and fairdb's DATE/TIMESTAMP rules: a
 * temporal compared with text compares as a date when the text is one and
 * as text (its ISO form) otherwise.
 */
import { assert, FairdbError, unreachable } from '../storage/device/index.js';
import type { RawReader } from '../storage/kv/index.js';
import type { BoundExpr, BoundFrom, BoundQuery, BoundSelect, BoundSetOp, BoundSource, CompareOp } from './bound.js';
import { affinityOf, forEachChild, forEachRowChild } from './binder.js';
import {
  addMonths,
  addMonthsToTimestamp,
  extractFromDate,
  extractFromTimestamp,
  formatDate,
  formatTimestamp,
  isDateInRange,
  isTimestampInRange,
  msPerDay,
  parseDate,
  parseTimestamp,
} from './date-time.js';
import {
  anyNumberText,
  asText,
  integerText,
  realText,
  sqlAbs,
  sqlInstr,
  sqlLength,
  sqlLower,
  sqlMinMax,
  sqlReplace,
  sqlRound,
  sqlSubstr,
  sqlTrim,
  sqlUpper,
  type NumberText,
} from './functions.js';
import { compileLike, type LikeMatcher } from './like.js';
import type { Affinity, ValueType } from './sql-type.js';
import {
  blobToText,
  compareText,
  compareValues,
  textAsWholeNumber,
  textNumberIsInteger,
  textToBlob,
  textToNumber,
  toNumber,
  truth,
  valueKey,
  type SqlValue,
} from './value.js';

export type Getter = () => SqlValue;
export type Predicate = () => boolean;

/** Mutable state of one compiled statement, set at the start of each execution. */
export interface ExecState {
  /** Increases with every execution; execution-constant caches compare against it. */
  epoch: number;
  /** Parameter values by slot - 1, already converted to run-time values. */
  params: SqlValue[];
  /** The consistent view every read of this execution goes through. */
  reader: RawReader;
}

/** Resolves the names an expression reads to getters. */
export interface CompileScope {
  column(source: BoundSource, column: number): Getter | undefined;
  /**
   * For a TEXT column read in place from stored rows: a test of whether the
   * current row's value equals the given UTF-8 bytes (null for NULL),
   * without decoding it. Undefined when the scope has no byte access.
   */
  textEquals?(source: BoundSource, column: number): ((bytes: Uint8Array) => boolean | null) | undefined;
  aggregate(index: number): Getter | undefined;
  groupKey(index: number): Getter | undefined;
  output(index: number): Getter | undefined;
  readonly parent: CompileScope | undefined;
}

/** A compiled subquery (see executor.ts). */
export interface QueryRunner {
  /** Getters of the output columns, valid during `onRow`. */
  readonly getters: readonly Getter[];
  /** Runs the query; `onRow` returns false to stop early. */
  run(onRow: () => boolean | void): void;
}

export interface CompileEnv {
  readonly state: ExecState;
  compileQuery(query: BoundQuery, outer: CompileScope): QueryRunner;
  /**
   * The rows of an uncorrelated query, computed at most once per execution
   * however many places need them (an IN subquery that is both a filter and
   * the driver of key lookups, say).
   */
  materialize?(query: BoundQuery, outer: CompileScope): () => readonly (readonly SqlValue[])[];
}

// ---------------------------------------------------------------------------
// Constancy
// ---------------------------------------------------------------------------

type Constancy = 'constant' | 'execution' | 'row';

function constancy(e: BoundExpr): Constancy {
  switch (e.kind) {
    case 'const':
      return 'constant';
    case 'param':
      return 'execution';
    case 'column':
    case 'aggregate':
    case 'groupKey':
    case 'output':
    case 'aggCall':
      return 'row';
    case 'exists':
    case 'subquery':
      return e.query.outerRefs.size === 0 ? 'execution' : 'row';
    case 'inSubquery': {
      if (e.query.outerRefs.size > 0) return 'row';
      const c = constancy(e.operand);
      return c === 'row' ? 'row' : 'execution';
    }
    default: {
      let result: Constancy = 'constant';
      forEachRowChild(e, (child) => {
        if (result === 'row') return;
        const c = constancy(child);
        if (c === 'row' || (c === 'execution' && result === 'constant')) result = c;
      });
      return result;
    }
  }
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** Most enclosing-row values a correlated subquery's result is remembered by. */
const memoKeysMax = 4;

/**
 * The columns of enclosing queries that `query` reads (anywhere inside it,
 * nested subqueries included), each once.
 */
export function outerColumnsOf(query: BoundQuery): Extract<BoundExpr, { kind: 'column' }>[] {
  const found = new Map<string, Extract<BoundExpr, { kind: 'column' }>>();
  const outer = query.outerRefs;
  const expr = (e: BoundExpr): void => {
    if (e.kind === 'column') {
      if (outer.has(e.source.id)) found.set(`${e.source.id}:${e.column}`, e);
      return;
    }
    if (e.kind === 'exists' || e.kind === 'subquery' || e.kind === 'inSubquery') walk(e.query);
    forEachChild(e, expr);
  };
  const from = (f: BoundFrom): void => {
    if (f.kind === 'source') {
      if (f.source.query !== undefined) walk(f.source.query);
      return;
    }
    from(f.left);
    from(f.right);
    if (f.on !== undefined) expr(f.on);
  };
  const select = (b: BoundSelect): void => {
    if (b.from !== undefined) from(b.from);
    if (b.where !== undefined) expr(b.where);
    b.groupBy.forEach(expr);
    for (const a of b.aggregates) if (a.arg !== undefined) expr(a.arg);
    if (b.having !== undefined) expr(b.having);
    b.items.forEach(expr);
  };
  const body = (b: BoundSelect | BoundSetOp): void => {
    if (b.kind === 'select') select(b);
    else {
      body(b.left);
      select(b.right);
    }
  };
  function walk(q: BoundQuery): void {
    body(q.body);
    for (const o of q.orderBy) expr(o.expr);
    if (q.limit !== undefined) expr(q.limit);
    if (q.offset !== undefined) expr(q.offset);
  }
  walk(query);
  return [...found.values()];
}

const existsItem: BoundExpr = { kind: 'const', value: 1, type: 'integer' };

/**
 * The query an EXISTS runs: only whether a row comes out matters, so a
 * plain SELECT (no aggregation, no DISTINCT) selects a constant and drops
 * its ORDER BY, and reads no column it does not filter on. LIMIT and
 * OFFSET stay: they decide whether a row comes out.
 */
export function existenceQuery(q: BoundQuery): BoundQuery {
  const body = q.body;
  if (body.kind !== 'select' || body.aggregate || body.distinct) return q;
  return { ...q, body: { ...body, items: [existsItem] }, orderBy: [], columns: [{ name: '1', type: 'integer', affinity: 'numeric' }] };
}

/** How a number of a given static type renders as text. */
export function numberTextOf(t: ValueType): NumberText {
  if (t === 'integer' || t === 'boolean') return integerText;
  if (t === 'real' || t === 'param') return realText;
  return anyNumberText;
}

/** Whether a number of static type `t` is an INTEGER at run time. */
function numberIsInteger(t: ValueType, v: number): boolean {
  if (t === 'integer' || t === 'boolean') return true;
  if (t === 'real' || t === 'param') return false;
  return Number.isInteger(v);
}

/** SQLite's numeric affinity applied to one value. */
function applyNumeric(v: SqlValue): SqlValue {
  if (typeof v === 'string') {
    const n = textAsWholeNumber(v);
    return n === undefined ? v : n;
  }
  return v;
}

/** SQLite's text affinity applied to one value of static type `t`. */
function applyText(v: SqlValue, t: ValueType): SqlValue {
  if (typeof v === 'number') return numberTextOf(t)(v);
  return v;
}

function typeError(message: string): FairdbError {
  return new FairdbError('TYPE', message);
}

/** A run-time value converted to a day number for a comparison with a DATE; undefined when it is not a date. */
function asDays(v: SqlValue): number | undefined {
  return typeof v === 'string' ? parseDate(v) : undefined;
}

function asMs(v: SqlValue): number | undefined {
  return typeof v === 'string' ? parseTimestamp(v) : undefined;
}

/** Integer division with SQLite's truncation, exact beyond 2^52. */
function integerDivide(a: number, b: number): number {
  if (Math.abs(a) <= 4503599627370496 && Math.abs(b) <= 4503599627370496) return Math.trunc(a / b);
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b)) return Math.trunc(a / b);
  return Number(BigInt(a) / BigInt(b));
}

/** SQLite casts REAL operands of `%` to INTEGER (truncating, clamped to 64 bits). */
function toInt64(v: number): number {
  if (v >= 9223372036854775807) return 9223372036854775807;
  if (v <= -9223372036854775808) return -9223372036854775808;
  return Math.trunc(v);
}

function bigOf(v: number): bigint {
  return BigInt(toInt64(v));
}

function bitOp(op: '&' | '|' | '<<' | '>>', a: number, b: number): number {
  const ia = toInt64(a);
  const ib = toInt64(b);
  if (op === '&' || op === '|') {
    if (ia >= -2147483648 && ia <= 2147483647 && ib >= -2147483648 && ib <= 2147483647) return op === '&' ? ia & ib : ia | ib;
    return Number(BigInt.asIntN(64, op === '&' ? bigOf(ia) & bigOf(ib) : bigOf(ia) | bigOf(ib)));
  }
  // A negative shift shifts the other way; 64 or more shifts everything out.
  let left = op === '<<';
  let n = ib;
  if (n < 0) {
    left = !left;
    n = -n;
  }
  if (n >= 64) return left || ia >= 0 ? 0 : -1;
  const big = bigOf(ia);
  return Number(BigInt.asIntN(64, left ? big << BigInt(n) : big >> BigInt(n)));
}

/** The number an arithmetic operand of static type `t` contributes, and whether it is an INTEGER. */
interface NumericOperand {
  value: number;
  integer: boolean;
}

function numericOperand(v: SqlValue, t: ValueType, out: NumericOperand): boolean {
  if (v === null) return false;
  if (typeof v === 'number') {
    out.value = v;
    out.integer = numberIsInteger(t, v);
    return true;
  }
  const s = typeof v === 'string' ? v : blobToText(v);
  out.value = textToNumber(s);
  out.integer = textNumberIsInteger(s);
  return true;
}

function arithmetic(op: '+' | '-' | '*' | '/' | '%', a: number, ai: boolean, b: number, bi: boolean): SqlValue {
  const integer = ai && bi;
  let r: number;
  switch (op) {
    case '+':
      r = a + b;
      break;
    case '-':
      r = a - b;
      break;
    case '*':
      r = a * b;
      break;
    case '/':
      if (b === 0) return null;
      r = integer ? integerDivide(a, b) : a / b;
      break;
    case '%': {
      const ia = toInt64(a);
      const ib = toInt64(b);
      if (ib === 0) return null;
      r = ia % ib;
      if (r === 0) r = 0;
      break;
    }
  }
  return Number.isNaN(r) ? null : r;
}

/** Converts a value of static type `from` by CAST to `to`. */
function castValue(v: SqlValue, from: ValueType, to: string): SqlValue {
  if (v === null) return null;
  switch (to) {
    case 'INTEGER': {
      if (typeof v === 'number') return from === 'date' || from === 'timestamp' ? castValue(temporalText(v, from), 'text', to) : toInt64(v);
      const s = typeof v === 'string' ? v : blobToText(v);
      // CAST(text AS INTEGER) reads only the leading integer (SQLite's sqlite3Atoi64).
      const m = /^\s*([+-]?\d+)/.exec(s);
      if (m === null) return 0;
      const n = Number(m[1]);
      return toInt64(n);
    }
    case 'REAL': {
      if (typeof v === 'number') return from === 'date' || from === 'timestamp' ? castValue(temporalText(v, from), 'text', to) : v;
      return textToNumber(typeof v === 'string' ? v : blobToText(v));
    }
    case 'TEXT':
      if (typeof v === 'string') return v;
      if (typeof v === 'number') {
        if (from === 'date' || from === 'timestamp') return temporalText(v, from);
        return numberTextOf(from)(v);
      }
      return blobToText(v);
    case 'BLOB':
      if (v instanceof Uint8Array) return v;
      return textToBlob(castValue(v, from, 'TEXT') as string);
    case 'BOOLEAN': {
      const t = truth(typeof v === 'number' && (from === 'date' || from === 'timestamp') ? temporalText(v, from) : v);
      return t === null ? null : t ? 1 : 0;
    }
    case 'DATE': {
      if (typeof v === 'number') {
        if (from === 'date') return v;
        if (from === 'timestamp') return Math.floor(v / msPerDay);
        throw typeError(`cannot convert the number ${v} to a DATE`);
      }
      const s = typeof v === 'string' ? v : blobToText(v);
      const days = parseDate(s);
      if (days === undefined) throw typeError(`not a DATE: '${s.slice(0, 64)}'`);
      return days;
    }
    case 'TIMESTAMP': {
      if (typeof v === 'number') {
        if (from === 'timestamp') return v;
        if (from === 'date') return v * msPerDay;
        if (!Number.isFinite(v) || !isTimestampInRange(v)) throw typeError(`not a TIMESTAMP: ${v}`);
        return Math.trunc(v);
      }
      const s = typeof v === 'string' ? v : blobToText(v);
      const ms = parseTimestamp(s);
      if (ms === undefined) throw typeError(`not a TIMESTAMP: '${s.slice(0, 64)}'`);
      return ms;
    }
    default:
      throw typeError(`unknown type ${to}`);
  }
}

export function temporalText(v: number, t: ValueType): string {
  return t === 'date' ? formatDate(v) : formatTimestamp(v);
}

function checkedDate(days: number): number {
  if (!isDateInRange(days)) throw typeError('DATE out of range (0000-01-01 .. 9999-12-31)');
  return days;
}

function checkedTimestamp(ms: number): number {
  if (!isTimestampInRange(ms)) throw typeError('TIMESTAMP out of range (years 0000 .. 9999)');
  return ms;
}

// ---------------------------------------------------------------------------
// The compiler
// ---------------------------------------------------------------------------

export class ExprCompiler {
  constructor(
    private readonly env: CompileEnv,
    private readonly scope: CompileScope,
  ) {}

  /** A compiler for the same environment with another scope. */
  withScope(scope: CompileScope): ExprCompiler {
    return new ExprCompiler(this.env, scope);
  }

  /** Compiles `e` to a getter, folding constants and caching execution-constant subtrees. */
  value(e: BoundExpr): Getter {
    const c = constancy(e);
    if (c === 'constant' && e.kind !== 'const') {
      const v = this.raw(e)();
      return () => v;
    }
    if (c === 'execution' && e.kind !== 'param') {
      const f = this.raw(e);
      const state = this.env.state;
      let seen = -1;
      let cached: SqlValue = null;
      return () => {
        if (state.epoch !== seen) {
          cached = f();
          seen = state.epoch;
        }
        return cached;
      };
    }
    return this.raw(e);
  }

  /** Compiles a predicate: true iff `e` is TRUE (NULL and FALSE are both false). */
  isTrue(e: BoundExpr): Predicate {
    switch (e.kind) {
      case 'and': {
        const a = this.isTrue(e.left);
        const b = this.isTrue(e.right);
        return () => a() && b();
      }
      case 'or': {
        const a = this.isTrue(e.left);
        const b = this.isTrue(e.right);
        return () => a() || b();
      }
      case 'not':
        return this.isFalse(e.operand);
      case 'compare': {
        if (constancy(e) !== 'row') break;
        const cmp = this.comparison(e.op, e.left, e.right);
        if (cmp.fast !== undefined) return cmp.fast;
        const test = compareTest(e.op);
        const f = cmp.compare;
        return () => {
          const r = f();
          return r !== null && test(r);
        };
      }
      case 'isNull': {
        const g = this.value(e.operand);
        return e.not ? () => g() !== null : () => g() === null;
      }
      case 'between':
        return e.not ? this.betweenFalse(e) : this.betweenTrue(e);
      default:
        break;
    }
    const g = this.value(e);
    return () => {
      const v = g();
      return v !== null && (typeof v === 'number' ? v !== 0 : truth(v) === true);
    };
  }

  /** Compiles a predicate: true iff `e` is FALSE. */
  isFalse(e: BoundExpr): Predicate {
    switch (e.kind) {
      case 'and': {
        const a = this.isFalse(e.left);
        const b = this.isFalse(e.right);
        return () => a() || b();
      }
      case 'or': {
        const a = this.isFalse(e.left);
        const b = this.isFalse(e.right);
        return () => a() && b();
      }
      case 'not':
        return this.isTrue(e.operand);
      case 'isNull': {
        const g = this.value(e.operand);
        return e.not ? () => g() === null : () => g() !== null;
      }
      case 'between':
        return e.not ? this.betweenTrue(e) : this.betweenFalse(e);
      case 'compare': {
        const f = this.comparison(e.op, e.left, e.right).compare;
        const test = compareTest(e.op);
        return () => {
          const r = f();
          return r !== null && !test(r);
        };
      }
      default:
        break;
    }
    const g = this.value(e);
    return () => {
      const v = g();
      return v !== null && (typeof v === 'number' ? v === 0 : truth(v) === false);
    };
  }

  /** `x BETWEEN a AND b` (ignoring NOT) is TRUE: x >= a AND x <= b, each with comparison semantics. */
  private betweenTrue(e: Extract<BoundExpr, { kind: 'between' }>): Predicate {
    const low = this.comparison('>=', e.operand, e.low);
    const high = this.comparison('<=', e.operand, e.high);
    if (low.fast !== undefined && high.fast !== undefined) {
      const a = low.fast;
      const b = high.fast;
      return () => a() && b();
    }
    const a = low.compare;
    const b = high.compare;
    return () => {
      const x = a();
      if (x === null || x < 0) return false;
      const y = b();
      return y !== null && y <= 0;
    };
  }

  /** `x BETWEEN a AND b` (ignoring NOT) is FALSE: either comparison is FALSE. */
  private betweenFalse(e: Extract<BoundExpr, { kind: 'between' }>): Predicate {
    const a = this.comparison('>=', e.operand, e.low).compare;
    const b = this.comparison('<=', e.operand, e.high).compare;
    return () => {
      const x = a();
      if (x !== null && x < 0) return true;
      const y = b();
      return y !== null && y > 0;
    };
  }

  /** Value of a boolean-valued expression from its TRUE/FALSE predicates. */
  private threeValued(e: BoundExpr): Getter {
    const t = this.isTrue(e);
    const f = this.isFalse(e);
    return () => (t() ? 1 : f() ? 0 : null);
  }

  private raw(e: BoundExpr): Getter {
    switch (e.kind) {
      case 'const': {
        const v = e.value;
        return () => v;
      }
      case 'param': {
        const state = this.env.state;
        const index = e.slot - 1;
        return () => state.params[index] as SqlValue;
      }
      case 'column':
        return this.column(e.source, e.column);
      case 'aggregate': {
        const g = findInScope(this.scope, (s) => s.aggregate(e.index));
        assert(g !== undefined, 'aggregate reference resolves in the compile scope');
        return g;
      }
      case 'groupKey': {
        const g = findInScope(this.scope, (s) => s.groupKey(e.index));
        assert(g !== undefined, 'group key reference resolves in the compile scope');
        return g;
      }
      case 'output': {
        const g = findInScope(this.scope, (s) => s.output(e.index));
        assert(g !== undefined, 'output reference resolves in the compile scope');
        return g;
      }
      case 'aggCall':
        return assert(false, 'aggregate calls are rewritten before compilation') as never;
      case 'compare': {
        const cmp = this.comparison(e.op, e.left, e.right);
        const test = compareTest(e.op);
        const f = cmp.compare;
        return () => {
          const r = f();
          return r === null ? null : test(r) ? 1 : 0;
        };
      }
      case 'and':
      case 'or':
      case 'not':
      case 'between':
        return this.threeValued(e);
      case 'isNull': {
        const g = this.value(e.operand);
        return e.not ? () => (g() !== null ? 1 : 0) : () => (g() === null ? 1 : 0);
      }
      case 'arith':
        return this.arith(e);
      case 'negate': {
        const g = this.value(e.operand);
        const t = e.operand.type;
        if (t === 'integer' || t === 'boolean') return () => {
          const v = g();
          return v === null ? null : 0 - (v as number);
        };
        if (t === 'real') return () => {
          const v = g();
          return v === null ? null : -(v as number);
        };
        const out: NumericOperand = { value: 0, integer: true };
        return () => {
          if (!numericOperand(g(), t, out)) return null;
          return out.integer ? 0 - out.value : -out.value;
        };
      }
      case 'plus':
        return this.value(e.operand);
      case 'bitnot': {
        const g = this.value(e.operand);
        return () => {
          const v = toNumber(g());
          if (v === null) return null;
          const i = toInt64(v);
          return i >= -2147483648 && i <= 2147483647 ? ~i : Number(BigInt.asIntN(64, ~bigOf(i)));
        };
      }
      case 'bit': {
        const a = this.value(e.left);
        const b = this.value(e.right);
        const op = e.op;
        return () => {
          const x = toNumber(a());
          if (x === null) return null;
          const y = toNumber(b());
          if (y === null) return null;
          return bitOp(op, x, y);
        };
      }
      case 'concat': {
        const a = this.textOf(e.left);
        const b = this.textOf(e.right);
        return () => {
          const x = a();
          if (x === null) return null;
          const y = b();
          if (y === null) return null;
          return x + y;
        };
      }
      case 'dateShift': {
        const g = this.value(e.operand);
        const { months, days } = e;
        if (e.type === 'date') return () => {
          const v = g();
          if (v === null) return null;
          return checkedDate((months === 0 ? (v as number) : addMonths(v as number, months)) + days);
        };
        return () => {
          const v = g();
          if (v === null) return null;
          return checkedTimestamp((months === 0 ? (v as number) : addMonthsToTimestamp(v as number, months)) + days * msPerDay);
        };
      }
      case 'dateAddDays': {
        const g = this.value(e.operand);
        const d = this.value(e.days);
        const sign = e.sign;
        return () => {
          const v = g();
          if (v === null) return null;
          const n = toNumber(d());
          if (n === null) return null;
          return checkedDate((v as number) + sign * Math.trunc(n));
        };
      }
      case 'dateDiff': {
        const a = this.value(e.left);
        const b = this.value(e.right);
        return () => {
          const x = a();
          if (x === null) return null;
          const y = b();
          if (y === null) return null;
          return (x as number) - (y as number);
        };
      }
      case 'like':
        return this.like(e);
      case 'inList':
        return this.inList(e);
      case 'inSubquery':
        return this.inSubquery(e);
      case 'exists': {
        const runner = this.env.compileQuery(existenceQuery(e.query), this.scope);
        let found = false;
        const onRow = (): boolean => {
          found = true;
          return false;
        };
        return this.memoized(e.query, () => {
          found = false;
          runner.run(onRow);
          return found ? 1 : 0;
        });
      }
      case 'subquery': {
        const runner = this.env.compileQuery(e.query, this.scope);
        const first = runner.getters[0] as Getter;
        let value: SqlValue = null;
        const onRow = (): boolean => {
          value = first();
          return false;
        };
        return this.memoized(e.query, () => {
          value = null;
          runner.run(onRow);
          return value;
        });
      }
      case 'case':
        return this.caseExpr(e);
      case 'cast': {
        const g = this.value(e.operand);
        const from = e.operand.type;
        const to = e.to;
        if (to === 'TEXT' && from === 'date') return () => {
          const v = g();
          return v === null ? null : formatDate(v as number);
        };
        return () => castValue(g(), from, to);
      }
      case 'call':
        return this.call(e);
      case 'extract': {
        const g = this.value(e.operand);
        const field = e.field;
        const t = e.operand.type;
        if (t === 'date') return () => {
          const v = g();
          return v === null ? null : extractFromDate(field, v as number);
        };
        if (t === 'timestamp') return () => {
          const v = g();
          return v === null ? null : extractFromTimestamp(field, v as number);
        };
        return () => {
          const v = g();
          if (v === null) return null;
          const ms = typeof v === 'string' ? parseTimestamp(v) : undefined;
          if (ms === undefined) throw typeError('EXTRACT needs a DATE or TIMESTAMP');
          return extractFromTimestamp(field, ms);
        };
      }
      default:
        return unreachable(e, 'bound expression');
    }
  }

  private column(source: BoundSource, column: number): Getter {
    const g = findInScope(this.scope, (s) => s.column(source, column));
    assert(g !== undefined, `column ${source.name}.${source.columns[column]?.name} resolves in the compile scope`);
    return g;
  }

  /** A getter of the text form of `e` (numbers rendered by their static type). */
  private textOf(e: BoundExpr): () => string | null {
    const g = this.value(e);
    const t = e.type;
    if (t === 'text') return g as () => string | null;
    const nt = numberTextOf(t);
    return () => asText(g(), nt);
  }

  // -------------------------------------------------------------------------
  // Comparison
  // -------------------------------------------------------------------------

  /**
   * Compiles the comparison of two expressions to a closure returning the
   * sign of left - right (or null when either side is NULL), applying
   * SQLite's affinity rules and fairdb's temporal rules; `fast` is a
   * specialised TRUE-predicate for the common all-numeric and all-text cases.
   */
  comparison(op: CompareOp, left: BoundExpr, right: BoundExpr): { compare: () => number | null; fast: Predicate | undefined } {
    const nullSafe = op === 'IS' || op === 'IS NOT';
    const lt = left.type;
    const rt = right.type;
    const temporal = (t: ValueType) => t === 'date' || t === 'timestamp';
    if (temporal(lt) || temporal(rt)) return this.temporalComparison(op, left, right, nullSafe);
    const la = affinityOf(left);
    const ra = affinityOf(right);
    const numericType = (t: ValueType) => t === 'integer' || t === 'real' || t === 'boolean';
    const a = this.value(left);
    const b = this.value(right);
    if (numericType(lt) && numericType(rt)) {
      const compare = nullSafe ? nullSafeNumbers(a, b) : numbers(a, b);
      return { compare, fast: nullSafe ? undefined : fastNumeric(op, a, b, constantNumber(right)) };
    }
    if (lt === 'text' && rt === 'text') {
      // A stored TEXT column against a text constant: compare the bytes in
      // place, so that rows that do not match are never decoded.
      // (Not for a constant with a lone surrogate, which UTF-8 cannot hold exactly.)
      if ((op === '=' || op === '!=') && left.kind === 'column' && right.kind === 'const' && typeof right.value === 'string' && isWellFormed(right.value)) {
        const equals = findTextEquals(this.scope, left.source, left.column);
        if (equals !== undefined) {
          const bytes = utf8Encoder.encode(right.value);
          const want = op === '=';
          const fast: Predicate = () => {
            const r = equals(bytes);
            return r !== null && r === want;
          };
          const compare = nullSafe ? nullSafeWith(a, b, compareValues) : () => {
            const x = a();
            return x === null ? null : compareText(x as string, right.value as string);
          };
          return { compare, fast: nullSafe ? undefined : fast };
        }
      }
      const compare = nullSafe ? nullSafeWith(a, b, compareValues) : () => {
        const x = a();
        if (x === null) return null;
        const y = b();
        if (y === null) return null;
        return compareText(x as string, y as string);
      };
      return { compare, fast: nullSafe ? undefined : fastText(op, a, b, right) };
    }
    // General case: affinity conversions, then SQLite's cross-type order.
    const convert = (v: SqlValue, own: Affinity, other: Affinity, t: ValueType): SqlValue => {
      if (v === null) return null;
      if (other === 'numeric' && own !== 'numeric') return applyNumeric(v);
      if (other === 'text' && own === 'none') return applyText(v, t);
      return v;
    };
    const needLeft = (ra === 'numeric' && la !== 'numeric') || (ra === 'text' && la === 'none');
    const needRight = (la === 'numeric' && ra !== 'numeric') || (la === 'text' && ra === 'none');
    const ca: Getter = needLeft ? this.convertedValue(left, a, (v) => convert(v, la, ra, lt)) : a;
    const cb: Getter = needRight ? this.convertedValue(right, b, (v) => convert(v, ra, la, rt)) : b;
    const compare = nullSafe ? nullSafeWith(ca, cb, compareValues) : () => {
      const x = ca();
      if (x === null) return null;
      const y = cb();
      if (y === null) return null;
      return compareValues(x, y);
    };
    return { compare, fast: undefined };
  }

  /** A getter of `convert(g())`, evaluated once when `e` is constant or execution-constant. */
  private convertedValue(e: BoundExpr, g: Getter, convert: (v: SqlValue) => SqlValue): Getter {
    const c = constancy(e);
    if (c === 'constant') {
      const v = convert(g());
      return () => v;
    }
    if (c === 'execution') {
      const state = this.env.state;
      let seen = -1;
      let cached: SqlValue = null;
      return () => {
        if (state.epoch !== seen) {
          cached = convert(g());
          seen = state.epoch;
        }
        return cached;
      };
    }
    return () => convert(g());
  }

  private temporalComparison(op: CompareOp, left: BoundExpr, right: BoundExpr, nullSafe: boolean): { compare: () => number | null; fast: Predicate | undefined } {
    const lt = left.type;
    const rt = right.type;
    const temporal = (t: ValueType) => t === 'date' || t === 'timestamp';
    let a = this.value(left);
    let b = this.value(right);
    if (temporal(lt) && temporal(rt)) {
      if (lt !== rt) {
        // DATE vs TIMESTAMP: compare in milliseconds.
        if (lt === 'date') {
          const g = a;
          a = () => {
            const v = g();
            return v === null ? null : (v as number) * msPerDay;
          };
        } else {
          const g = b;
          b = () => {
            const v = g();
            return v === null ? null : (v as number) * msPerDay;
          };
        }
      }
      // After a DATE operand is converted to milliseconds, the constant is no longer the raw value.
      return { compare: nullSafe ? nullSafeNumbers(a, b) : numbers(a, b), fast: nullSafe ? undefined : fastNumeric(op, a, b, lt === rt ? constantNumber(right) : undefined) };
    }
    // One side temporal, the other text-like: read the text as a date where
    // it is one; otherwise compare the temporal's text form.
    const swap = !temporal(lt);
    const tType = swap ? rt : lt;
    const temporalGetter = swap ? b : a;
    const otherExpr = swap ? left : right;
    const otherGetter = swap ? a : b;
    const parse = tType === 'date' ? asDays : asMs;
    const c = constancy(otherExpr);
    let compareOther: () => number | null;
    if (c !== 'row') {
      // Convert the constant side once (per execution).
      const state = this.env.state;
      let seen = -1;
      let converted: number | undefined;
      let text: SqlValue = null;
      const prepare = () => {
        if (state.epoch === seen && c === 'execution') return;
        text = otherGetter();
        converted = text === null ? undefined : parse(text);
        seen = state.epoch;
      };
      if (c === 'constant') prepare();
      compareOther = () => {
        if (c === 'execution') prepare();
        const t = temporalGetter();
        if (t === null || text === null) return nullSafe ? nullSafeSign(t, text) : null;
        if (converted !== undefined) return (t as number) - converted;
        return compareValues(temporalText(t as number, tType), text);
      };
      if (!nullSafe && c === 'constant' && converted !== undefined) {
        const k = converted;
        const g = temporalGetter;
        const test = compareTest(op);
        const fast: Predicate = swap ? () => {
          const t = g();
          return t !== null && test(k - (t as number));
        } : () => {
          const t = g();
          return t !== null && test((t as number) - k);
        };
        return { compare: swap ? negate(compareOther) : compareOther, fast };
      }
    } else {
      compareOther = () => {
        const t = temporalGetter();
        const o = otherGetter();
        if (t === null || o === null) return nullSafe ? nullSafeSign(t, o) : null;
        const converted = parse(o);
        if (converted !== undefined) return (t as number) - converted;
        return compareValues(temporalText(t as number, tType), o);
      };
    }
    return { compare: swap ? negate(compareOther) : compareOther, fast: undefined };
  }

  // -------------------------------------------------------------------------
  // Arithmetic
  // -------------------------------------------------------------------------

  private arith(e: Extract<BoundExpr, { kind: 'arith' }>): Getter {
    const a = this.value(e.left);
    const b = this.value(e.right);
    const lt = e.left.type;
    const rt = e.right.type;
    const op = e.op;
    const intLike = (t: ValueType) => t === 'integer' || t === 'boolean';
    if (intLike(lt) && intLike(rt)) {
      switch (op) {
        case '+':
          return () => {
            const x = a();
            if (x === null) return null;
            const y = b();
            return y === null ? null : (x as number) + (y as number);
          };
        case '-':
          return () => {
            const x = a();
            if (x === null) return null;
            const y = b();
            return y === null ? null : (x as number) - (y as number);
          };
        case '*':
          return () => {
            const x = a();
            if (x === null) return null;
            const y = b();
            if (y === null) return null;
            const r = (x as number) * (y as number);
            return r === 0 ? 0 : r;
          };
        default:
          return () => {
            const x = a();
            if (x === null) return null;
            const y = b();
            return y === null ? null : arithmetic(op, x as number, true, y as number, true);
          };
      }
    }
    const realLike = (t: ValueType) => t === 'real' || t === 'integer' || t === 'boolean';
    if (realLike(lt) && realLike(rt) && op !== '%') {
      // At least one REAL: plain double arithmetic.
      switch (op) {
        case '+':
          return () => {
            const x = a();
            if (x === null) return null;
            const y = b();
            if (y === null) return null;
            const r = (x as number) + (y as number);
            return r === r ? r : null;
          };
        case '-':
          return () => {
            const x = a();
            if (x === null) return null;
            const y = b();
            if (y === null) return null;
            const r = (x as number) - (y as number);
            return r === r ? r : null;
          };
        case '*':
          return () => {
            const x = a();
            if (x === null) return null;
            const y = b();
            if (y === null) return null;
            const r = (x as number) * (y as number);
            return r === r ? r : null;
          };
        case '/':
          return () => {
            const x = a();
            if (x === null) return null;
            const y = b();
            if (y === null || y === 0) return null;
            const r = (x as number) / (y as number);
            return r === r ? r : null;
          };
      }
    }
    const oa: NumericOperand = { value: 0, integer: true };
    const ob: NumericOperand = { value: 0, integer: true };
    return () => {
      if (!numericOperand(a(), lt, oa)) return null;
      if (!numericOperand(b(), rt, ob)) return null;
      return arithmetic(op, oa.value, oa.integer, ob.value, ob.integer);
    };
  }

  // -------------------------------------------------------------------------
  // LIKE, IN, CASE, functions
  // -------------------------------------------------------------------------

  private like(e: Extract<BoundExpr, { kind: 'like' }>): Getter {
    const operand = this.textOf(e.operand);
    const pattern = this.textOf(e.pattern);
    const escape = e.escape === undefined ? undefined : this.textOf(e.escape);
    const not = e.not;
    const patternConstancy = constancy(e.pattern);
    const escapeConstancy = e.escape === undefined ? 'constant' : constancy(e.escape);
    let matcher: LikeMatcher | undefined;
    let matcherNull = false;
    // Compile the pattern once when it is constant; otherwise remember the
    // last pattern so a pattern that rarely changes compiles rarely.
    let lastPattern: string | null = null;
    let lastEscape: string | null | undefined;
    const matcherFor = (): LikeMatcher | undefined => {
      const p = pattern();
      const esc = escape === undefined ? undefined : escape();
      if (p === null || esc === null) return undefined;
      if (matcher !== undefined && p === lastPattern && esc === lastEscape) return matcher;
      matcher = compileLike(p, esc);
      lastPattern = p;
      lastEscape = esc;
      return matcher;
    };
    if (patternConstancy === 'constant' && escapeConstancy === 'constant') {
      const m = matcherFor();
      if (m === undefined) matcherNull = true;
      return () => {
        if (matcherNull) return null;
        const s = operand();
        if (s === null) return null;
        return (m as LikeMatcher)(s) !== not ? 1 : 0;
      };
    }
    return () => {
      const s = operand();
      const m = matcherFor();
      if (s === null || m === undefined) return null;
      return m(s) !== not ? 1 : 0;
    };
  }

  private inList(e: Extract<BoundExpr, { kind: 'inList' }>): Getter {
    const operand = this.value(e.operand);
    const not = e.not;
    const ot = e.operand.type;
    const allConstant = e.items.every((i) => constancy(i) === 'constant');
    const numericType = (t: ValueType) => t === 'integer' || t === 'real' || t === 'boolean';
    const setable =
      allConstant &&
      ((numericType(ot) && e.items.every((i) => numericType(i.type) || i.type === 'null')) ||
        (ot === 'text' && e.items.every((i) => i.type === 'text' || i.type === 'null')) ||
        (ot === 'date' && e.items.every((i) => i.type === 'date' || i.type === 'null')));
    if (setable) {
      // A constant list of the operand's own type: a hash set.
      const set = new Set<number | string | null>();
      let hasNull = false;
      for (const item of e.items) {
        const v = this.value(item)();
        if (v === null) hasNull = true;
        else set.add(valueKey(v));
      }
      return () => {
        const v = operand();
        if (v === null) return null;
        if (set.has(valueKey(v))) return not ? 0 : 1;
        if (hasNull) return null;
        return not ? 1 : 0;
      };
    }
    const comparisons = e.items.map((item) => {
      const cmp = this.comparison('=', e.operand, item).compare;
      return cmp;
    });
    return () => {
      if (operand() === null) return null;
      let sawNull = false;
      for (let i = 0; i < comparisons.length; i++) {
        const r = (comparisons[i] as () => number | null)();
        if (r === 0) return not ? 0 : 1;
        if (r === null) sawNull = true;
      }
      if (sawNull) return null;
      return not ? 1 : 0;
    };
  }

  /**
   * A correlated subquery's getter that reruns it only when the values it
   * reads from enclosing rows change: within one execution its result
   * depends on nothing else, and rows that share those values often come
   * together (an index or key-order read of the outer table). Uncorrelated
   * subqueries are execution constants already.
   */
  private memoized(query: BoundQuery, run: Getter): Getter {
    if (query.outerRefs.size === 0) return run;
    const outer = outerColumnsOf(query);
    if (outer.length === 0 || outer.length > memoKeysMax) return run;
    const keys = outer.map((c) => this.value(c));
    const last: SqlValue[] = new Array<SqlValue>(keys.length).fill(null);
    const state = this.env.state;
    let epoch = -1;
    let result: SqlValue = null;
    return () => {
      let same = epoch === state.epoch;
      for (let i = 0; i < keys.length; i++) {
        const v = (keys[i] as Getter)();
        // Blobs are fresh arrays per read: never a hit.
        if (v !== last[i] || v instanceof Uint8Array) same = false;
        last[i] = v;
      }
      if (same) return result;
      result = run();
      epoch = state.epoch;
      return result;
    };
  }

  private inSubquery(e: Extract<BoundExpr, { kind: 'inSubquery' }>): Getter {
    const operand = this.value(e.operand);
    const correlated = e.query.outerRefs.size > 0;
    const shared = !correlated && this.env.materialize !== undefined ? this.env.materialize(e.query, this.scope) : undefined;
    let runner: QueryRunner;
    if (shared !== undefined) {
      // Replay the shared rows through a getter of their first column.
      let row: readonly SqlValue[] = [];
      runner = {
        getters: [() => row[0] as SqlValue],
        run: (onRow) => {
          for (const r of shared()) {
            row = r;
            if (onRow() === false) return;
          }
        },
      };
    } else {
      runner = this.env.compileQuery(e.query, this.scope);
    }
    const inner = runner.getters[0] as Getter;
    const column = e.query.columns[0] as { type: ValueType; affinity: Affinity };
    const ot = e.operand.type;
    const oa = affinityOf(e.operand);
    const not = e.not;
    // Conversions as for `operand = value`: the operand's affinity applies to
    // the subquery's values, else the subquery column's to the operand.
    const convertInner = (v: SqlValue): SqlValue => {
      if (v === null) return null;
      if (ot === 'date' && column.type !== 'date' && typeof v === 'string') return parseDate(v) ?? v;
      if (oa === 'numeric' && column.affinity !== 'numeric') return applyNumeric(v);
      if (oa === 'text' && column.affinity === 'none') return applyText(v, column.type);
      return v;
    };
    const convertOuter = (v: SqlValue): SqlValue => {
      if (v === null) return null;
      if (column.type === 'date' && ot !== 'date' && typeof v === 'string') return parseDate(v) ?? v;
      if (column.affinity === 'numeric' && oa !== 'numeric') return applyNumeric(v);
      if (column.affinity === 'text' && oa === 'none') return applyText(v, ot);
      return v;
    };
    const state = this.env.state;
    let seen = -1;
    let set = new Set<number | string | null>();
    let hasNull = false;
    let empty = true;
    const fill = () => {
      set = new Set();
      hasNull = false;
      empty = true;
      runner.run(() => {
        empty = false;
        const v = convertInner(inner());
        if (v === null) hasNull = true;
        else set.add(valueKey(v));
      });
    };
    return () => {
      if (correlated || state.epoch !== seen) {
        fill();
        seen = state.epoch;
      }
      if (empty) return not ? 1 : 0;
      const v = convertOuter(operand());
      if (v === null) return null;
      if (set.has(valueKey(v))) return not ? 0 : 1;
      if (hasNull) return null;
      return not ? 1 : 0;
    };
  }

  private caseExpr(e: Extract<BoundExpr, { kind: 'case' }>): Getter {
    const thens = e.whens.map((w) => this.value(w.then));
    const otherwise = e.else === undefined ? () => null : this.value(e.else);
    if (e.operand === undefined) {
      const whens = e.whens.map((w) => this.isTrue(w.when));
      const n = whens.length;
      return () => {
        for (let i = 0; i < n; i++) if ((whens[i] as Predicate)()) return (thens[i] as Getter)();
        return otherwise();
      };
    }
    // Simple CASE: the operand is evaluated once and compared with `=` to
    // each WHEN value; a stand-in column carries its value and affinity.
    const base = this.value(e.operand);
    let current: SqlValue = null;
    const holder: BoundExpr = { kind: 'column', source: caseOperandSource, column: 0, type: e.operand.type, affinity: affinityOf(e.operand) };
    const inner = this.withScope({
      column: (source) => (source === caseOperandSource ? () => current : undefined),
      aggregate: () => undefined,
      groupKey: () => undefined,
      output: () => undefined,
      parent: this.scope,
    });
    const tests = e.whens.map((w) => inner.comparison('=', holder, w.when).compare);
    const n = tests.length;
    return () => {
      current = base();
      if (current !== null) {
        for (let i = 0; i < n; i++) if ((tests[i] as () => number | null)() === 0) return (thens[i] as Getter)();
      }
      return otherwise();
    };
  }

  private call(e: Extract<BoundExpr, { kind: 'call' }>): Getter {
    const args = e.args.map((a) => this.value(a));
    const types = e.args.map((a) => a.type);
    const nt = (i: number) => numberTextOf(types[i] as ValueType);
    const [a0, a1, a2] = args as [Getter, Getter | undefined, Getter | undefined];
    switch (e.fn) {
      case 'ABS':
        return () => sqlAbs(a0());
      case 'ROUND':
        return a1 === undefined ? () => sqlRound(a0(), undefined) : () => sqlRound(a0(), a1());
      case 'LENGTH': {
        const t = nt(0);
        return () => sqlLength(a0(), t);
      }
      case 'LOWER': {
        const t = nt(0);
        return () => sqlLower(a0(), t);
      }
      case 'UPPER': {
        const t = nt(0);
        return () => sqlUpper(a0(), t);
      }
      case 'SUBSTR': {
        const t = nt(0);
        return a2 === undefined ? () => sqlSubstr(a0(), (a1 as Getter)(), undefined, t) : () => sqlSubstr(a0(), (a1 as Getter)(), a2(), t);
      }
      case 'TRIM':
      case 'LTRIM':
      case 'RTRIM': {
        const t = nt(0);
        const left = e.fn !== 'RTRIM';
        const right = e.fn !== 'LTRIM';
        return () => sqlTrim(a0(), a1 === undefined ? undefined : a1(), left, right, t);
      }
      case 'REPLACE': {
        const t = nt(0);
        return () => sqlReplace(a0(), (a1 as Getter)(), (a2 as Getter)(), t);
      }
      case 'INSTR': {
        const t = nt(0);
        return () => sqlInstr(a0(), (a1 as Getter)(), t);
      }
      case 'COALESCE': {
        const n = args.length;
        return () => {
          for (let i = 0; i < n; i++) {
            const v = (args[i] as Getter)();
            if (v !== null) return v;
          }
          return null;
        };
      }
      case 'NULLIF':
        return () => {
          const x = a0();
          if (x === null) return null;
          const y = (a1 as Getter)();
          return y !== null && compareValues(x, y) === 0 ? null : x;
        };
      case 'TYPEOF': {
        const t = types[0] as ValueType;
        return () => {
          const v = a0();
          if (v === null) return 'null';
          if (typeof v === 'string') return 'text';
          if (v instanceof Uint8Array) return 'blob';
          if (t === 'date' || t === 'timestamp') return 'text';
          return numberIsInteger(t, v) ? 'integer' : 'real';
        };
      }
      case 'MIN':
      case 'MAX': {
        const max = e.fn === 'MAX';
        const values: SqlValue[] = new Array(args.length).fill(null);
        return () => {
          for (let i = 0; i < args.length; i++) values[i] = (args[i] as Getter)();
          return sqlMinMax(values, max);
        };
      }
      default:
        return assert(false, `unknown function ${e.fn}`) as never;
    }
  }
}

/** The stand-in source of a simple CASE's operand (see `caseExpr`). */
const caseOperandSource: BoundSource = { id: -1, name: 'CASE operand', kind: 'subquery', table: undefined, virtual: undefined, query: undefined, columns: [] };

const utf8Encoder = new TextEncoder();

function isWellFormed(s: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

function findTextEquals(scope: CompileScope | undefined, source: BoundSource, column: number): ((bytes: Uint8Array) => boolean | null) | undefined {
  for (let s = scope; s !== undefined; s = s.parent) {
    if (s.column(source, column) === undefined) continue;
    return s.textEquals?.(source, column);
  }
  return undefined;
}

function findInScope(scope: CompileScope | undefined, fn: (s: CompileScope) => Getter | undefined): Getter | undefined {
  for (let s = scope; s !== undefined; s = s.parent) {
    const g = fn(s);
    if (g !== undefined) return g;
  }
  return undefined;
}

function compareTest(op: CompareOp): (r: number) => boolean {
  switch (op) {
    case '=':
    case 'IS':
      return (r) => r === 0;
    case '!=':
    case 'IS NOT':
      return (r) => r !== 0;
    case '<':
      return (r) => r < 0;
    case '<=':
      return (r) => r <= 0;
    case '>':
      return (r) => r > 0;
    case '>=':
      return (r) => r >= 0;
  }
}

function negate(f: () => number | null): () => number | null {
  return () => {
    const r = f();
    return r === null ? null : -r;
  };
}

function numbers(a: Getter, b: Getter): () => number | null {
  return () => {
    const x = a();
    if (x === null) return null;
    const y = b();
    if (y === null) return null;
    return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
  };
}

function nullSafeSign(x: SqlValue, y: SqlValue): number {
  if (x === null) return y === null ? 0 : -1;
  return 1;
}

function nullSafeNumbers(a: Getter, b: Getter): () => number | null {
  return () => {
    const x = a();
    const y = b();
    if (x === null || y === null) return nullSafeSign(x, y);
    return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
  };
}

function nullSafeWith(a: Getter, b: Getter, cmp: (x: SqlValue, y: SqlValue) => number): () => number | null {
  return () => {
    const x = a();
    const y = b();
    if (x === null || y === null) return nullSafeSign(x, y);
    return cmp(x, y);
  };
}

function constantNumber(e: BoundExpr): number | undefined {
  return e.kind === 'const' && typeof e.value === 'number' ? e.value : undefined;
}

/** TRUE-predicates for numeric comparisons, with a constant right side inlined. */
function fastNumeric(op: CompareOp, a: Getter, b: Getter, constant: number | undefined): Predicate | undefined {
  if (constant !== undefined) {
    const k = constant;
    switch (op) {
      case '=':
        return () => a() === k;
      case '!=':
        return () => {
          const x = a();
          return x !== null && x !== k;
        };
      case '<':
        return () => {
          const x = a();
          return x !== null && (x as number) < k;
        };
      case '<=':
        return () => {
          const x = a();
          return x !== null && (x as number) <= k;
        };
      case '>':
        return () => {
          const x = a();
          return x !== null && (x as number) > k;
        };
      case '>=':
        return () => {
          const x = a();
          return x !== null && (x as number) >= k;
        };
      default:
        return undefined;
    }
  }
  switch (op) {
    case '=':
      return () => {
        const x = a();
        if (x === null) return false;
        return x === b();
      };
    case '!=':
      return () => {
        const x = a();
        if (x === null) return false;
        const y = b();
        return y !== null && x !== y;
      };
    case '<':
      return () => {
        const x = a();
        if (x === null) return false;
        const y = b();
        return y !== null && (x as number) < (y as number);
      };
    case '<=':
      return () => {
        const x = a();
        if (x === null) return false;
        const y = b();
        return y !== null && (x as number) <= (y as number);
      };
    case '>':
      return () => {
        const x = a();
        if (x === null) return false;
        const y = b();
        return y !== null && (x as number) > (y as number);
      };
    case '>=':
      return () => {
        const x = a();
        if (x === null) return false;
        const y = b();
        return y !== null && (x as number) >= (y as number);
      };
    default:
      return undefined;
  }
}

function fastText(op: CompareOp, a: Getter, b: Getter, right: BoundExpr): Predicate | undefined {
  if (op === '=') {
    if (right.kind === 'const' && typeof right.value === 'string') {
      const k = right.value;
      return () => a() === k;
    }
    return () => {
      const x = a();
      return x !== null && x === b();
    };
  }
  if (op === '!=') {
    return () => {
      const x = a();
      if (x === null) return false;
      const y = b();
      return y !== null && x !== y;
    };
  }
  const test = compareTest(op);
  return () => {
    const x = a();
    if (x === null) return false;
    const y = b();
    return y !== null && test(compareText(x as string, y as string));
  };
}

/** The JS value a result row holds for a run-time value of static type `t`. */
export function outputConverter(t: ValueType): ((v: SqlValue) => unknown) | undefined {
  switch (t) {
    case 'boolean':
      return (v) => (v === null ? null : v !== 0);
    case 'date':
      return (v) => (v === null ? null : formatDate(v as number));
    case 'timestamp':
      return (v) => (v === null ? null : formatTimestamp(v as number));
    default:
      return undefined;
  }
}

