/**
 * EXPLAIN: the chosen plan as an indented tree, one operator per line, with
 * the access path of every table, join keys, filters and estimated rows.
 *
 *   Project [l_returnflag, sum(l_quantity)]
 *     Aggregate group by [l_returnflag] (1 aggregates)
 *       Scan lineitem full, filter: l_shipdate <= DATE 1998-09-02  (~200000 rows)
 */
import type { BoundExpr, BoundOrder, BoundQuery } from './bound.js';
import { formatDate, formatTimestamp } from './date-time.js';
import type { Access, PlanNode, QueryPlan, SelectPlan, SetOpPlan } from './plan.js';
import type { SqlValue } from './value.js';

/** Most characters of one expression in EXPLAIN output. */
const exprTextMax = 200;

export function explainPlan(plan: QueryPlan, columns: readonly string[], subplan: (q: BoundQuery) => QueryPlan): string {
  const lines: string[] = [];
  const subqueries: { label: string; query: BoundQuery }[] = [];
  const text = (e: BoundExpr) => exprText(e, subqueries);
  const emit = (depth: number, line: string) => lines.push(`${'  '.repeat(depth)}${line}`);
  let depth = 0;
  if (plan.limit !== undefined || plan.offset !== undefined) {
    const what = [plan.limit === undefined ? undefined : `limit ${text(plan.limit)}`, plan.offset === undefined ? undefined : `offset ${text(plan.offset)}`].filter(Boolean).join(' ');
    emit(depth++, `Limit ${what}`);
  }
  if (plan.orderBy.length > 0) {
    const keys = plan.orderBy.map((o) => orderText(o, columns, text)).join(', ');
    if (plan.ordered) emit(depth++, `Order by [${keys}] (satisfied by the scan order)`);
    else emit(depth++, `${plan.limit !== undefined ? 'Top-N sort' : 'Sort'} [${keys}]`);
  }
  const fromSubquery = (name: string, query: BoundQuery) => {
    const label = `subquery ${subqueries.length + 1} (FROM ... AS ${name})`;
    subqueries.push({ label, query });
    return label;
  };
  body(plan.body, depth, columns, emit, text, fromSubquery);
  // Subqueries, each with its own plan.
  for (let i = 0; i < subqueries.length; i++) {
    const sub = subqueries[i] as { label: string; query: BoundQuery };
    emit(0, `${sub.label}:`);
    const subPlan = subplan(sub.query);
    const nested = explainPlan(subPlan, sub.query.columns.map((c) => c.name), subplan);
    for (const line of nested.split('\n')) emit(1, line);
  }
  return lines.join('\n');
}

type FromSubquery = (name: string, query: BoundQuery) => string;

function body(b: SelectPlan | SetOpPlan, depth: number, columns: readonly string[], emit: (d: number, l: string) => void, text: (e: BoundExpr) => string, sub: FromSubquery): void {
  if (b.kind === 'setop') {
    emit(depth, b.op);
    body(b.left, depth + 1, columns, emit, text, sub);
    body(b.right, depth + 1, columns, emit, text, sub);
    return;
  }
  emit(depth++, `${b.distinct ? 'Distinct ' : ''}Project [${b.items.map((e, i) => columns[i] ?? text(e)).join(', ')}]`);
  if (b.aggregate !== undefined) {
    const a = b.aggregate;
    if (a.having !== undefined) emit(depth++, `Filter (HAVING) ${text(a.having)}`);
    const aggs = a.aggregates.filter((x) => x.fn !== 'ANY').map((x) => `${x.fn.toLowerCase()}(${x.distinct ? 'DISTINCT ' : ''}${x.arg === undefined ? '*' : text(x.arg)})`);
    emit(depth++, `Hash aggregate${a.groupBy.length > 0 ? ` group by [${a.groupBy.map(text).join(', ')}]` : ''} [${aggs.join(', ')}]`);
  }
  node(b.input, depth, emit, text, sub);
}

function node(n: PlanNode, depth: number, emit: (d: number, l: string) => void, text: (e: BoundExpr) => string, sub: FromSubquery): void {
  const est = (x: number) => `(~${Math.max(1, Math.round(x))} rows)`;
  const filter = (f: readonly BoundExpr[]) => (f.length === 0 ? '' : `, filter: ${f.map(text).join(' AND ')}`);
  switch (n.kind) {
    case 'scan': {
      const name = n.source.table?.name ?? n.source.name;
      const alias = n.source.name !== name ? ` AS ${n.source.name}` : '';
      emit(depth, `Scan ${name}${alias} ${accessText(n.access, n.source.table?.primaryKey.length ?? 0, text)}${n.reverse ? ' reverse' : ''}${filter(n.filter)} ${est(n.estimate)}`);
      return;
    }
    case 'values': {
      const what = n.source.kind === 'virtual' ? `virtual table ${n.source.virtual?.name} AS ${n.source.name}` : sub(n.source.name, n.source.query as BoundQuery);
      emit(depth, `Scan ${what}${filter(n.filter)} ${est(n.estimate)}`);
      return;
    }
    case 'single':
      emit(depth, `One row${filter(n.filter)}`);
      return;
    case 'filter':
      emit(depth, `Filter ${n.filter.map(text).join(' AND ')} ${est(n.estimate)}`);
      node(n.input, depth + 1, emit, text, sub);
      return;
    case 'hashJoin': {
      const keys = n.probeKeys.map((k, i) => `${text(k)} = ${text(n.buildKeys[i] as BoundExpr)}`).join(' AND ');
      emit(depth, `Hash join ${n.join === 'left' ? 'LEFT ' : ''}on ${keys}${n.residual.length > 0 ? `, residual: ${n.residual.map(text).join(' AND ')}` : ''} ${est(n.estimate)}`);
      emit(depth + 1, 'probe:');
      node(n.probe, depth + 2, emit, text, sub);
      emit(depth + 1, 'build:');
      node(n.build, depth + 2, emit, text, sub);
      return;
    }
    case 'nestedLoop':
      emit(depth, `${n.lookup ? 'Index nested loop' : 'Nested loop'} ${n.join === 'left' ? 'LEFT ' : ''}join${n.condition.length > 0 ? ` on ${n.condition.map(text).join(' AND ')}` : ''} ${est(n.estimate)}`);
      emit(depth + 1, 'outer:');
      node(n.outer, depth + 2, emit, text, sub);
      emit(depth + 1, n.lookup ? 'lookup per outer row:' : 'inner (materialized):');
      node(n.inner, depth + 2, emit, text, sub);
      return;
  }
}

function accessText(a: Access, pkLength: number, text: (e: BoundExpr) => string): string {
  if (a.kind === 'full') return 'full';
  const parts = a.eq.map(text);
  if (a.inSet !== undefined) {
    const set = a.inSet.kind === 'inList' ? `(${a.inSet.items.map(text).join(', ')})` : text({ kind: 'subquery', query: a.inSet.query, type: 'any' });
    const key = `${parts.length > 0 ? `= (${parts.join(', ')}) then ` : ''}each value in ${set}`;
    return a.kind === 'primary' ? `primary key lookups ${key}` : `index ${a.index.name} lookups ${key}`;
  }
  const range = [a.low === undefined ? undefined : `${a.low.inclusive ? '>=' : '>'} ${text(a.low.expr)}`, a.high === undefined ? undefined : `${a.high.inclusive ? '<=' : '<'} ${text(a.high.expr)}`].filter(Boolean).join(' and ');
  const key = `${parts.length > 0 ? `= (${parts.join(', ')})` : ''}${range.length > 0 ? `${parts.length > 0 ? ' then ' : ''}${range}` : ''}`;
  if (a.kind === 'primary') return `${a.eq.length === pkLength && a.low === undefined && a.high === undefined ? 'primary key point' : 'primary key range'} ${key}`;
  return `index ${a.index.name}${a.index.unique ? ' (unique)' : ''} ${key}`;
}

function orderText(o: BoundOrder, columns: readonly string[], text: (e: BoundExpr) => string): string {
  const what = o.expr.kind === 'output' ? (columns[o.expr.index] ?? `#${o.expr.index + 1}`) : text(o.expr);
  return `${what}${o.descending ? ' DESC' : ''}${o.nullsFirst !== !o.descending ? (o.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST') : ''}`;
}

function valueText(v: SqlValue, type: string): string {
  if (v === null) return 'NULL';
  if (type === 'date' && typeof v === 'number') return `DATE '${formatDate(v)}'`;
  if (type === 'timestamp' && typeof v === 'number') return `TIMESTAMP '${formatTimestamp(v)}'`;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`;
  return `X'${Buffer.from(v).toString('hex')}'`;
}

/** SQL-like text of a bound expression (for EXPLAIN only). */
export function exprText(e: BoundExpr, subqueries: { label: string; query: BoundQuery }[] = []): string {
  const s = render(e, subqueries);
  return s.length > exprTextMax ? `${s.slice(0, exprTextMax)}...` : s;
}

function render(e: BoundExpr, subs: { label: string; query: BoundQuery }[]): string {
  const r = (x: BoundExpr) => render(x, subs);
  const sub = (q: BoundQuery) => {
    const label = `subquery ${subs.length + 1}`;
    subs.push({ label, query: q });
    return `(${label})`;
  };
  switch (e.kind) {
    case 'const':
      return valueText(e.value, e.type);
    case 'param':
      return `?${e.slot}`;
    case 'column':
      return `${e.source.name}.${e.source.columns[e.column]?.name ?? '?'}`;
    case 'compare':
      return `${r(e.left)} ${e.op} ${r(e.right)}`;
    case 'arith':
    case 'bit':
      return `(${r(e.left)} ${e.op} ${r(e.right)})`;
    case 'concat':
      return `(${r(e.left)} || ${r(e.right)})`;
    case 'and':
      return `(${r(e.left)} AND ${r(e.right)})`;
    case 'or':
      return `(${r(e.left)} OR ${r(e.right)})`;
    case 'not':
      return `NOT ${r(e.operand)}`;
    case 'negate':
      return `-${r(e.operand)}`;
    case 'bitnot':
      return `~${r(e.operand)}`;
    case 'plus':
      return `+${r(e.operand)}`;
    case 'dateShift': {
      const parts = [e.months !== 0 ? `${e.months} MONTH` : '', e.days !== 0 ? `${e.days} DAY` : ''].filter(Boolean).join(' ');
      return `(${r(e.operand)} + INTERVAL ${parts.length > 0 ? parts : '0 DAY'})`;
    }
    case 'dateAddDays':
      return `(${r(e.operand)} ${e.sign < 0 ? '-' : '+'} ${r(e.days)} DAY)`;
    case 'dateDiff':
      return `(${r(e.left)} - ${r(e.right)})`;
    case 'isNull':
      return `${r(e.operand)} IS ${e.not ? 'NOT ' : ''}NULL`;
    case 'like':
      return `${r(e.operand)} ${e.not ? 'NOT ' : ''}LIKE ${r(e.pattern)}${e.escape === undefined ? '' : ` ESCAPE ${r(e.escape)}`}`;
    case 'between':
      return `${r(e.operand)} ${e.not ? 'NOT ' : ''}BETWEEN ${r(e.low)} AND ${r(e.high)}`;
    case 'inList':
      return `${r(e.operand)} ${e.not ? 'NOT ' : ''}IN (${e.items.map(r).join(', ')})`;
    case 'inSubquery':
      return `${r(e.operand)} ${e.not ? 'NOT ' : ''}IN ${sub(e.query)}`;
    case 'exists':
      return `EXISTS ${sub(e.query)}`;
    case 'subquery':
      return sub(e.query);
    case 'case':
      return `CASE${e.operand === undefined ? '' : ` ${r(e.operand)}`} ${e.whens.map((w) => `WHEN ${r(w.when)} THEN ${r(w.then)}`).join(' ')}${e.else === undefined ? '' : ` ELSE ${r(e.else)}`} END`;
    case 'cast':
      return `CAST(${r(e.operand)} AS ${e.to})`;
    case 'call':
      return `${e.fn.toLowerCase()}(${e.args.map(r).join(', ')})`;
    case 'extract':
      return `EXTRACT(${e.field} FROM ${r(e.operand)})`;
    case 'aggCall':
      return `${e.call.fn.toLowerCase()}(${e.call.arg === undefined ? '*' : r(e.call.arg)})`;
    case 'aggregate':
      return `aggregate#${e.index + 1}`;
    case 'groupKey':
      return `group#${e.index + 1}`;
    case 'output':
      return `column#${e.index + 1}`;
  }
}
