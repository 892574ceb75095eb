/**
 * Vectorized evaluation over the columnar cache: predicates and numeric
 * expressions compiled to loops over typed arrays, a batch of rows at a
 * time, with a selection vector (the indexes of the rows still in play).
 * Scans from the cache filter this way, and an aggregation fed directly by
 * such a scan accumulates this way (TPC-H Q1 and Q6 become a few loops over
 * Float64Arrays).
 *
 * Only shapes whose result is exactly the row-at-a-time result are
 * vectorized: numeric columns without NULLs at run time (checked per
 * execution, as the cache can be rebuilt), numeric constants and parameters,
 * + - * (and / by a non-zero constant), comparisons, BETWEEN, IN, AND, OR,
 * NOT, and comparisons, IN and LIKE of dictionary-encoded TEXT columns with
 * constants (decided once per dictionary entry). With no NULL anywhere, the
 * logic is two-valued, so NOT is a complement. Anything else is evaluated
 * row by row on the rows that survive the vectorized conjuncts.
 */
import { forEachRowChild } from './binder.js';
import type { BoundExpr, BoundSource, CompareOp } from './bound.js';
import type { ColumnVector } from './columnar.js';
import type { ExprCompiler } from './compile-expr.js';
import { compileLike } from './like.js';
import type { ValueType } from './sql-type.js';
import { compareText, textAsWholeNumber, type SqlValue } from './value.js';

/** Rows per vector batch. */
export const vectorBatchRows = 1024;

export interface VectorHolder {
  vector: ColumnVector | undefined;
}

/** What vector compilation needs from the columnar scan it runs in. */
export interface VectorContext {
  readonly source: BoundSource;
  /** The holder of a source column's vector (registering the column with the scan). */
  holder(column: number): VectorHolder;
  /** Compiles a row-independent expression (constant or parameter) to a getter. */
  readonly scalar: ExprCompiler;
}

/** A numeric expression over the selected rows. */
export interface VecNumber {
  /** Per execution: false when this run cannot use the vector form (a NULL present). */
  prepare(): boolean;
  /** Writes the value for each of the first `n` selected rows into `out[0..n)`. */
  eval(sel: Int32Array, n: number, out: Float64Array): void;
}

/** A predicate over the selected rows. */
export interface VecPredicate {
  prepare(): boolean;
  /** Keeps the selected rows for which the predicate is TRUE, in order; returns how many. */
  filter(sel: Int32Array, n: number): number;
}

function isNumericType(t: ValueType): boolean {
  return t === 'integer' || t === 'real' || t === 'boolean' || t === 'date' || t === 'timestamp';
}

/**
 * Whether `e` has one value for every row of a scan: constants, parameters
 * and uncorrelated subqueries (computed once per execution).
 */
function rowIndependent(e: BoundExpr): boolean {
  switch (e.kind) {
    case 'column':
    case 'aggregate':
    case 'groupKey':
    case 'output':
    case 'aggCall':
      return false;
    case 'exists':
    case 'subquery':
      return e.query.outerRefs.size === 0;
    case 'inSubquery':
      return e.query.outerRefs.size === 0 && rowIndependent(e.operand);
    default: {
      let ok = true;
      forEachRowChild(e, (c) => {
        if (ok && !rowIndependent(c)) ok = false;
      });
      return ok;
    }
  }
}

/** Scratch Float64Arrays of batch size, reused across batches. */
class Scratch {
  private readonly pool: Float64Array[] = [];
  private used = 0;
  take(): Float64Array {
    if (this.used === this.pool.length) this.pool.push(new Float64Array(vectorBatchRows));
    return this.pool[this.used++] as Float64Array;
  }
  give(): void {
    this.used--;
  }
}

// ---------------------------------------------------------------------------
// Numeric expressions
// ---------------------------------------------------------------------------

export function compileVecNumber(e: BoundExpr, ctx: VectorContext, scratch: Scratch = new Scratch()): VecNumber | undefined {
  if (!isNumericType(e.type)) return undefined;
  if (rowIndependent(e)) {
    const g = ctx.scalar.value(e);
    let k = 0;
    return {
      prepare() {
        const v = g();
        if (typeof v !== 'number') return false;
        k = v;
        return true;
      },
      eval(_sel, n, out) {
        out.fill(k, 0, n);
      },
    };
  }
  switch (e.kind) {
    case 'column': {
      if (e.source.id !== ctx.source.id) return undefined;
      const holder = ctx.holder(e.column);
      let data: Float64Array = new Float64Array(0);
      let bools: Uint8Array | undefined;
      return {
        prepare() {
          const v = holder.vector;
          if (v === undefined) return false;
          if (v.kind === 'f64') {
            if (v.nulls !== null) return false;
            data = v.data;
            bools = undefined;
            return true;
          }
          if (v.kind === 'bool') {
            if (v.hasNull) return false;
            bools = v.data;
            return true;
          }
          return false;
        },
        eval(sel, n, out) {
          if (bools !== undefined) {
            const b = bools;
            for (let j = 0; j < n; j++) out[j] = b[sel[j] as number] as number;
            return;
          }
          const d = data;
          const first = sel[0] as number;
          // Selections are ascending or descending (scans feed them so, see
          // executor.ts): a first-to-last distance of n - 1 then means every
          // row of a stretch, in ascending order.
          if ((sel[n - 1] as number) - first === n - 1) {
            // Every row of a stretch selected (ascending): copy without the indirection.
            for (let j = 0; j < n; j++) out[j] = d[first + j] as number;
            return;
          }
          for (let j = 0; j < n; j++) out[j] = d[sel[j] as number] as number;
        },
      };
    }
    case 'plus':
      return compileVecNumber(e.operand, ctx, scratch);
    case 'negate': {
      const a = compileVecNumber(e.operand, ctx, scratch);
      if (a === undefined) return undefined;
      return {
        prepare: () => a.prepare(),
        eval(sel, n, out) {
          a.eval(sel, n, out);
          for (let j = 0; j < n; j++) out[j] = 0 - (out[j] as number);
        },
      };
    }
    case 'arith': {
      const integer = (e.left.type === 'integer' || e.left.type === 'boolean') && (e.right.type === 'integer' || e.right.type === 'boolean');
      if (e.op === '%') return undefined;
      if (e.op === '/') {
        // Only a divisor that is a non-zero row-independent value: no NULL can arise.
        if (!rowIndependent(e.right)) return undefined;
        const a = compileVecNumber(e.left, ctx, scratch);
        const d = ctx.scalar.value(e.right);
        if (a === undefined) return undefined;
        let k = 1;
        return {
          prepare() {
            const v = d();
            if (typeof v !== 'number' || v === 0) return false;
            k = v;
            return a.prepare();
          },
          eval(sel, n, out) {
            a.eval(sel, n, out);
            if (integer) for (let j = 0; j < n; j++) out[j] = Math.trunc((out[j] as number) / k);
            else for (let j = 0; j < n; j++) out[j] = (out[j] as number) / k;
          },
        };
      }
      const a = compileVecNumber(e.left, ctx, scratch);
      const b = compileVecNumber(e.right, ctx, scratch);
      if (a === undefined || b === undefined) return undefined;
      const op = e.op;
      return {
        prepare: () => a.prepare() && b.prepare(),
        eval(sel, n, out) {
          a.eval(sel, n, out);
          const tmp = scratch.take();
          b.eval(sel, n, tmp);
          if (op === '+') for (let j = 0; j < n; j++) out[j] = (out[j] as number) + (tmp[j] as number);
          else if (op === '-') for (let j = 0; j < n; j++) out[j] = (out[j] as number) - (tmp[j] as number);
          else for (let j = 0; j < n; j++) out[j] = (out[j] as number) * (tmp[j] as number);
          scratch.give();
        },
      };
    }
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------
// Predicates
// ---------------------------------------------------------------------------

function testOf(op: CompareOp): (c: number) => boolean {
  switch (op) {
    case '=':
    case 'IS':
      return (c) => c === 0;
    case '!=':
    case 'IS NOT':
      return (c) => c !== 0;
    case '<':
      return (c) => c < 0;
    case '<=':
      return (c) => c <= 0;
    case '>':
      return (c) => c > 0;
    case '>=':
      return (c) => c >= 0;
  }
}

const flipped: Record<CompareOp, CompareOp> = { '=': '=', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=', IS: 'IS', 'IS NOT': 'IS NOT' };

/** Keeps rows whose value satisfies `op k`. */
function filterByConstant(values: Float64Array, sel: Int32Array, n: number, op: CompareOp, k: number): number {
  let m = 0;
  switch (op) {
    case '=':
    case 'IS':
      for (let j = 0; j < n; j++) if (values[j] === k) sel[m++] = sel[j] as number;
      break;
    case '!=':
    case 'IS NOT':
      for (let j = 0; j < n; j++) if (values[j] !== k) sel[m++] = sel[j] as number;
      break;
    case '<':
      for (let j = 0; j < n; j++) if ((values[j] as number) < k) sel[m++] = sel[j] as number;
      break;
    case '<=':
      for (let j = 0; j < n; j++) if ((values[j] as number) <= k) sel[m++] = sel[j] as number;
      break;
    case '>':
      for (let j = 0; j < n; j++) if ((values[j] as number) > k) sel[m++] = sel[j] as number;
      break;
    case '>=':
      for (let j = 0; j < n; j++) if ((values[j] as number) >= k) sel[m++] = sel[j] as number;
      break;
  }
  return m;
}

/** A dictionary column (TEXT) of the scan, or undefined. */
function dictColumn(e: BoundExpr, ctx: VectorContext): VectorHolder | undefined {
  if (e.kind !== 'column' || e.source.id !== ctx.source.id || e.type !== 'text') return undefined;
  return ctx.holder(e.column);
}

/**
 * A predicate decided per dictionary entry: `decide(text)` runs once per
 * distinct value per execution; rows then test one byte.
 */
function dictPredicate(holder: VectorHolder, prepareDecider: () => ((text: string) => boolean) | undefined): VecPredicate {
  let table: Uint8Array = new Uint8Array(0);
  let codes: Int32Array = new Int32Array(0);
  return {
    prepare() {
      const v = holder.vector;
      // NULLs would need three-valued logic (NOT, NOT IN): leave them to the row path.
      if (v === undefined || v.kind !== 'dict' || v.hasNull) return false;
      const decide = prepareDecider();
      if (decide === undefined) return false;
      table = new Uint8Array(v.dict.length);
      for (let c = 0; c < v.dict.length; c++) table[c] = decide(v.dict[c] as string) ? 1 : 0;
      codes = v.codes;
      return true;
    },
    filter(sel, n) {
      let m = 0;
      const t = table;
      const cs = codes;
      for (let j = 0; j < n; j++) {
        const row = sel[j] as number;
        if (t[cs[row] as number] === 1) sel[m++] = row;
      }
      return m;
    },
  };
}

export function compileVecPredicate(e: BoundExpr, ctx: VectorContext, scratch: Scratch = new Scratch()): VecPredicate | undefined {
  switch (e.kind) {
    case 'and': {
      const a = compileVecPredicate(e.left, ctx, scratch);
      const b = compileVecPredicate(e.right, ctx, scratch);
      if (a === undefined || b === undefined) return undefined;
      return { prepare: () => a.prepare() && b.prepare(), filter: (sel, n) => b.filter(sel, a.filter(sel, n)) };
    }
    case 'or': {
      const a = compileVecPredicate(e.left, ctx, scratch);
      const b = compileVecPredicate(e.right, ctx, scratch);
      if (a === undefined || b === undefined) return undefined;
      const left = new Int32Array(vectorBatchRows);
      const right = new Int32Array(vectorBatchRows);
      return {
        prepare: () => a.prepare() && b.prepare(),
        filter(sel, n) {
          left.set(sel.subarray(0, n));
          right.set(sel.subarray(0, n));
          const na = a.filter(left, n);
          const nb = b.filter(right, n);
          // Each side kept a subsequence of the selection (in its order,
          // whatever that is): keep the rows either side kept.
          let i = 0;
          let k = 0;
          let m = 0;
          for (let j = 0; j < n; j++) {
            const row = sel[j] as number;
            let keep = false;
            if (i < na && left[i] === row) {
              i++;
              keep = true;
            }
            if (k < nb && right[k] === row) {
              k++;
              keep = true;
            }
            if (keep) sel[m++] = row;
          }
          return m;
        },
      };
    }
    case 'not': {
      const inner = compileVecPredicate(e.operand, ctx, scratch);
      if (inner === undefined) return undefined;
      const kept = new Int32Array(vectorBatchRows);
      return {
        prepare: () => inner.prepare(),
        filter(sel, n) {
          kept.set(sel.subarray(0, n));
          const nk = inner.filter(kept, n);
          // Complement: the selected rows the inner predicate did not keep.
          let i = 0;
          let m = 0;
          for (let j = 0; j < n; j++) {
            const row = sel[j] as number;
            if (i < nk && kept[i] === row) i++;
            else sel[m++] = row;
          }
          return m;
        },
      };
    }
    case 'between': {
      const low = compileVecPredicate({ kind: 'compare', op: '>=', left: e.operand, right: e.low, type: 'integer' }, ctx, scratch);
      const high = compileVecPredicate({ kind: 'compare', op: '<=', left: e.operand, right: e.high, type: 'integer' }, ctx, scratch);
      if (low === undefined || high === undefined) return undefined;
      const both: VecPredicate = { prepare: () => low.prepare() && high.prepare(), filter: (sel, n) => high.filter(sel, low.filter(sel, n)) };
      return e.not ? compileVecPredicate({ kind: 'not', operand: { ...e, not: false }, type: 'integer' }, ctx, scratch) : both;
    }
    case 'compare':
      return compileVecCompare(e.op, e.left, e.right, ctx, scratch);
    case 'inList':
      return compileVecIn(e, ctx, scratch);
    case 'like': {
      if (e.not) return compileVecPredicate({ kind: 'not', operand: { ...e, not: false }, type: 'integer' }, ctx, scratch);
      const holder = dictColumn(e.operand, ctx);
      if (holder === undefined || !rowIndependent(e.pattern) || (e.escape !== undefined && !rowIndependent(e.escape))) return undefined;
      const pattern = ctx.scalar.value(e.pattern);
      const escape = e.escape === undefined ? undefined : ctx.scalar.value(e.escape);
      return dictPredicate(holder, () => {
        const p = pattern();
        const esc = escape === undefined ? undefined : escape();
        if (typeof p !== 'string' || esc === null || (esc !== undefined && typeof esc !== 'string')) return undefined;
        return compileLike(p, esc as string | undefined);
      });
    }
    default:
      return undefined;
  }
}

function compileVecCompare(op: CompareOp, left: BoundExpr, right: BoundExpr, ctx: VectorContext, scratch: Scratch): VecPredicate | undefined {
  // TEXT dictionary column against a text constant.
  const textSide = dictColumn(left, ctx) !== undefined ? 'left' : dictColumn(right, ctx) !== undefined ? 'right' : undefined;
  if (textSide !== undefined) {
    const column = textSide === 'left' ? left : right;
    const other = textSide === 'left' ? right : left;
    if (other.type !== 'text' || !rowIndependent(other)) return undefined;
    const holder = dictColumn(column, ctx) as VectorHolder;
    const k = ctx.scalar.value(other);
    const test = testOf(textSide === 'left' ? op : flipped[op]);
    return dictPredicate(holder, () => {
      const v = k();
      if (typeof v !== 'string') return undefined;
      return (text) => test(compareText(text, v));
    });
  }
  // Numbers (or dates) on both sides, of one domain.
  const lt = left.type;
  const rt = right.type;
  const temporal = (t: ValueType) => t === 'date' || t === 'timestamp';
  if (!isNumericType(lt) || !isNumericType(rt) || temporal(lt) !== temporal(rt) || (temporal(lt) && lt !== rt)) return undefined;
  const a = compileVecNumber(left, ctx, scratch);
  if (a === undefined) return undefined;
  if (rowIndependent(right)) {
    const k = ctx.scalar.value(right);
    let kv = 0;
    return {
      prepare() {
        const v = k();
        if (typeof v !== 'number') return false;
        kv = v;
        return a.prepare();
      },
      filter(sel, n) {
        const values = scratch.take();
        a.eval(sel, n, values);
        const m = filterByConstant(values, sel, n, op, kv);
        scratch.give();
        return m;
      },
    };
  }
  const b = compileVecNumber(right, ctx, scratch);
  if (b === undefined) return undefined;
  const test = testOf(op);
  return {
    prepare: () => a.prepare() && b.prepare(),
    filter(sel, n) {
      const x = scratch.take();
      const y = scratch.take();
      a.eval(sel, n, x);
      b.eval(sel, n, y);
      let m = 0;
      for (let j = 0; j < n; j++) {
        const p = x[j] as number;
        const q = y[j] as number;
        if (test(p < q ? -1 : p > q ? 1 : 0)) sel[m++] = sel[j] as number;
      }
      scratch.give();
      scratch.give();
      return m;
    },
  };
}

function compileVecIn(e: Extract<BoundExpr, { kind: 'inList' }>, ctx: VectorContext, scratch: Scratch): VecPredicate | undefined {
  if (!e.items.every(rowIndependent)) return undefined;
  const items = e.items.map((i) => ctx.scalar.value(i));
  const holder = dictColumn(e.operand, ctx);
  let inner: VecPredicate | undefined;
  if (holder !== undefined) {
    if (!e.items.every((i) => i.type === 'text')) return undefined;
    inner = dictPredicate(holder, () => {
      const set = new Set<SqlValue>();
      for (const g of items) {
        const v = g();
        // A NULL item makes a non-match NULL, not FALSE: leave it to the row path.
        if (v === null) return undefined;
        set.add(v);
      }
      return (text) => set.has(text);
    });
  } else {
    if (!isNumericType(e.operand.type) || !e.items.every((i) => i.type === e.operand.type || (isNumericType(i.type) && !['date', 'timestamp'].includes(i.type) && !['date', 'timestamp'].includes(e.operand.type)))) return undefined;
    const a = compileVecNumber(e.operand, ctx, scratch);
    if (a === undefined) return undefined;
    let set = new Set<number>();
    inner = {
      prepare() {
        set = new Set();
        for (const g of items) {
          const v = g();
          if (typeof v !== 'number') {
            const n = typeof v === 'string' ? textAsWholeNumber(v) : undefined;
            if (n === undefined) return false;
            set.add(n);
          } else {
            set.add(v);
          }
        }
        return a.prepare();
      },
      filter(sel, n) {
        const values = scratch.take();
        a.eval(sel, n, values);
        let m = 0;
        for (let j = 0; j < n; j++) if (set.has(values[j] as number)) sel[m++] = sel[j] as number;
        scratch.give();
        return m;
      },
    };
  }
  if (!e.not) return inner;
  const kept = new Int32Array(vectorBatchRows);
  const positive = inner;
  return {
    prepare: () => positive.prepare(),
    filter(sel, n) {
      kept.set(sel.subarray(0, n));
      const nk = positive.filter(kept, n);
      let i = 0;
      let m = 0;
      for (let j = 0; j < n; j++) {
        const row = sel[j] as number;
        if (i < nk && kept[i] === row) i++;
        else sel[m++] = row;
      }
      return m;
    },
  };
}

// ---------------------------------------------------------------------------
// Group ids
// ---------------------------------------------------------------------------

/**
 * The groups of selected rows, from GROUP BY keys that are columns of the
 * scan: TEXT dictionary columns (dense slots Σ (code_k + 1) · stride_k, code
 * −1 being NULL, when the product of dictionary sizes is small), or one
 * numeric column (a hash map from value to group).
 */
export interface VecGroupKeys {
  /** Per execution: false when this run cannot use the vector form. */
  prepare(): boolean;
  /** Writes the group of each selected row; `create(row)` makes a group the first time a key is seen. */
  groups(sel: Int32Array, n: number, out: Int32Array, create: (row: number) => number): void;
}

/** Most dense group slots a vectorized aggregation allocates. */
export const vectorGroupSlotsMax = 1 << 16;

export function compileVecGroupKeys(keys: readonly BoundExpr[], ctx: VectorContext): VecGroupKeys | undefined {
  if (keys.length === 1) {
    const k = keys[0] as BoundExpr;
    if (k.kind === 'column' && k.source.id === ctx.source.id && isNumericType(k.type)) return numericGroupKey(ctx.holder(k.column));
  }
  const holders: VectorHolder[] = [];
  for (const k of keys) {
    const h = dictColumn(k, ctx);
    if (h === undefined) return undefined;
    holders.push(h);
  }
  let codes: Int32Array[] = [];
  let strides: number[] = [];
  let slotToGroup: Int32Array = new Int32Array(0);
  const slots = new Int32Array(vectorBatchRows);
  return {
    prepare() {
      codes = [];
      strides = [];
      let size = 1;
      for (const h of holders) {
        const v = h.vector;
        if (v === undefined || v.kind !== 'dict') return false;
        codes.push(v.codes);
        strides.push(size);
        size *= v.dict.length + 1;
        if (size > vectorGroupSlotsMax) return false;
      }
      slotToGroup = new Int32Array(size).fill(-1);
      return true;
    },
    groups(sel, n, out, create) {
      const c0 = codes[0] as Int32Array;
      for (let j = 0; j < n; j++) slots[j] = (c0[sel[j] as number] as number) + 1;
      for (let k = 1; k < codes.length; k++) {
        const ck = codes[k] as Int32Array;
        const stride = strides[k] as number;
        for (let j = 0; j < n; j++) slots[j] = (slots[j] as number) + ((ck[sel[j] as number] as number) + 1) * stride;
      }
      for (let j = 0; j < n; j++) {
        const slot = slots[j] as number;
        let g = slotToGroup[slot] as number;
        if (g < 0) {
          g = create(sel[j] as number);
          slotToGroup[slot] = g;
        }
        out[j] = g;
      }
    },
  };
}

/** Widest span of integer keys (max − min + 1) grouped through a direct-mapped table instead of a hash map. */
export const denseKeySpanMax = 1 << 24;

function numericGroupKey(holder: VectorHolder): VecGroupKeys {
  let data: Float64Array = new Float64Array(0);
  let nulls: Uint8Array | null = null;
  let map = new Map<number, number>();
  let nullGroup = -1;
  // Integer keys in a span not much wider than the rows: one Int32Array slot per value.
  let dense: Int32Array | null = null;
  let base = 0;
  return {
    prepare() {
      const v = holder.vector;
      if (v === undefined || v.kind !== 'f64') return false;
      data = v.data;
      nulls = v.nulls;
      map = new Map();
      nullGroup = -1;
      const span = v.max - v.min + 1;
      dense = v.integral && span >= 1 && span <= denseKeySpanMax && span <= 4 * v.data.length + 1024 ? new Int32Array(span).fill(-1) : null;
      base = v.min;
      return true;
    },
    groups(sel, n, out, create) {
      const d = data;
      const nl = nulls;
      const table = dense;
      if (table !== null) {
        for (let j = 0; j < n; j++) {
          const row = sel[j] as number;
          if (nl !== null && nl[row] === 1) {
            if (nullGroup < 0) nullGroup = create(row);
            out[j] = nullGroup;
            continue;
          }
          const slot = (d[row] as number) - base;
          let g = table[slot] as number;
          if (g < 0) {
            g = create(row);
            table[slot] = g;
          }
          out[j] = g;
        }
        return;
      }
      for (let j = 0; j < n; j++) {
        const row = sel[j] as number;
        if (nl !== null && nl[row] === 1) {
          if (nullGroup < 0) nullGroup = create(row);
          out[j] = nullGroup;
          continue;
        }
        const key = d[row] as number;
        let g = map.get(key);
        if (g === undefined) {
          g = create(row);
          map.set(key, g);
        }
        out[j] = g;
      }
    },
  };
}

export { Scratch };
