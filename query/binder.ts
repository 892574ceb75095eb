/**
 * The binder: resolves the names of a parsed statement against the catalog
 * and gives every expression a static type (see bound.ts).
 *
 * Name resolution follows SQLite: names compare case-insensitively (ASCII);
 * an unqualified column is looked up in the innermost query first, then in
 * enclosing queries (a correlated reference); a name found in two sources of
 * the same query is ambiguous. GROUP BY terms resolve to source columns
 * before select aliases, ORDER BY terms to select aliases first; an integer
 * literal in either is a 1-based position in the select list. A column that
 * is neither grouped nor aggregated in an aggregate query (a "bare column")
 * takes its value from the row that set the only MIN/MAX aggregate, if there
 * is exactly one, and otherwise from the first row of the group.
 *
 * Types: every expression gets a `ValueType`; implicit conversions the
 * semantics need are made explicit (a DATE used as text becomes a `cast`).
 * Errors are typed `SqlSemanticError`s with the position of the offending
 * text; `bindQuery` and friends return them as an fp-ts `Left`.
 */
import * as E from 'fp-ts/lib/Either.js';
import { FairdbError } from '../storage/device/index.js';
import type * as A from './ast.js';
import type { AggregateName, BoundAggregate, BoundColumn, BoundDelete, BoundExpr, BoundFrom, BoundInsert, BoundOrder, BoundQuery, BoundSelect, BoundSetOp, BoundSource, BoundUpdate, VirtualTableDef } from './bound.js';
import { foldName, hiddenRowidNames, type Catalog, type TableDef } from './catalog.js';
import { daysFromCivil } from './date-time.js';
import { semanticError } from './sql-error.js';
import { affinityOfColumn, valueTypeOfColumn, type Affinity, type ValueType } from './sql-type.js';

/** Most sources (tables, subqueries) in one statement, over all its queries (SQLite joins at most 64 per FROM). */
export const statementSourcesMax = 1000;

/** Most tables joined in one FROM clause (SQLite's limit is 64). */
export const joinSourcesMax = 64;

export interface BindContext {
  readonly sql: string;
  readonly catalog: Catalog;
  readonly virtualTables: ReadonlyMap<string, { readonly name: string; readonly def: VirtualTableDef }>;
}

/** What binding learned about the parameters of a statement. */
export interface ParamInfo {
  /** Highest slot used (slots are 1-based). */
  readonly count: number;
  /** Slot → name for named parameters. */
  readonly names: ReadonlyMap<number, string>;
}

/** A query frame: the sources a SELECT core owns and the outer sources it references. */
interface Frame {
  readonly own: Set<number>;
  readonly outerRefs: Set<number>;
}

class Scope {
  constructor(
    readonly sources: readonly BoundSource[],
    readonly parent: Scope | undefined,
    readonly frame: Frame,
  ) {}
}

const scalarFunctions = new Set(['ABS', 'ROUND', 'LENGTH', 'LOWER', 'UPPER', 'SUBSTR', 'SUBSTRING', 'COALESCE', 'IFNULL', 'NULLIF', 'TYPEOF', 'TRIM', 'LTRIM', 'RTRIM', 'REPLACE', 'INSTR', 'MIN', 'MAX']);
const aggregateFunctions = new Set(['COUNT', 'SUM', 'AVG', 'MIN', 'MAX', 'TOTAL']);

export class Binder {
  private nextSourceId = 1;
  private readonly paramNames = new Map<number, string>();
  private paramCount = 0;

  constructor(private readonly ctx: BindContext) {}

  params(): ParamInfo {
    return { count: this.paramCount, names: this.paramNames };
  }

  private fail(code: 'UNKNOWN_TABLE' | 'UNKNOWN_COLUMN' | 'TYPE' | 'INVALID_ARGUMENT' | 'LIMIT' | 'CONSTRAINT', problem: string, span: A.Span | undefined): never {
    throw semanticError(code, problem, this.ctx.sql, span);
  }

  private newSourceId(span: A.Span): number {
    if (this.nextSourceId > statementSourcesMax) this.fail('LIMIT', `a statement may reference at most ${statementSourcesMax} tables and subqueries`, span);
    return this.nextSourceId++;
  }

  // -------------------------------------------------------------------------
  // Queries
  // -------------------------------------------------------------------------

  bindQuery(query: A.Select, parent: Scope | undefined): BoundQuery {
    const frame: Frame = { own: new Set(), outerRefs: new Set() };
    // Set operations associate to the left; walk the chain iteratively so a
    // long chain cannot exhaust the stack.
    const chain: { op: A.SetOperator | undefined; core: A.SelectCore }[] = [];
    let body: A.SelectBody = query.body;
    while (body.kind === 'SetOperation') {
      chain.push({ op: body.op, core: body.right });
      body = body.left;
    }
    chain.push({ op: undefined, core: body });
    chain.reverse();
    if (chain.length === 1) {
      const core = this.bindCore(body, parent, frame, query.orderBy);
      return this.finishQuery(query, core.select, core.orderBy, core.columns, frame, parent);
    }
    // Each core of a set operation is its own frame for name resolution;
    // they share the query's outer references.
    const cores = chain.map((link) => this.bindCore(link.core, parent, frame, []));
    const first = cores[0] as { select: BoundSelect; columns: BoundQuery['columns'] };
    for (let i = 1; i < cores.length; i++) {
      if ((cores[i] as { columns: readonly unknown[] }).columns.length !== first.columns.length) {
        this.fail('INVALID_ARGUMENT', `SELECTs to the left and right of ${chain[i]?.op} do not have the same number of result columns`, chain[i]?.core.span);
      }
    }
    const types = first.columns.map((_, i) => resultType(cores.map((c) => (c.select.items[i] as BoundExpr).type)));
    const conformed = cores.map((c) => ({ ...c.select, items: c.select.items.map((e, i) => conform(e, types[i] as ValueType)) }));
    let bound: BoundSelect | BoundSetOp = conformed[0] as BoundSelect;
    for (let i = 1; i < conformed.length; i++) bound = { kind: 'setop', op: chain[i]?.op as A.SetOperator, left: bound, right: conformed[i] as BoundSelect };
    const columns = first.columns.map((c, i) => ({ name: c.name, type: types[i] as ValueType, affinity: 'none' as Affinity }));
    const orderBy: BoundOrder[] = query.orderBy.map((term) => {
      const index = this.outputIndexOf(term.expr, columns.map((c) => c.name));
      if (index < 0) this.fail('INVALID_ARGUMENT', 'ORDER BY term does not match any column in the result set', term.span);
      const column = columns[index] as { type: ValueType };
      return { expr: { kind: 'output', index, type: column.type }, descending: term.descending, nullsFirst: nullsFirst(term) };
    });
    return this.finishQuery(query, bound, orderBy, columns, frame, parent);
  }

  private finishQuery(query: A.Select, body: BoundSelect | BoundSetOp, orderBy: BoundOrder[], columns: BoundQuery['columns'], frame: Frame, parent: Scope | undefined): BoundQuery {
    const empty = new Scope([], parent, frame);
    const limit = query.limit === undefined ? undefined : this.bindExpr(query.limit, empty);
    const offset = query.offset === undefined ? undefined : this.bindExpr(query.offset, empty);
    for (const e of [limit, offset]) {
      if (e !== undefined && containsAggCall(e)) this.fail('INVALID_ARGUMENT', 'misuse of aggregate function in LIMIT', query.span);
    }
    return { body, orderBy, limit, offset, columns, outerRefs: frame.outerRefs };
  }

  private outputIndexOf(expr: A.Expr, names: readonly string[]): number {
    if (expr.kind === 'IntegerLiteral') {
      const k = Number(expr.value);
      if (k < 1 || k > names.length) this.fail('INVALID_ARGUMENT', `ORDER BY term out of range - should be between 1 and ${names.length}`, expr.span);
      return k - 1;
    }
    if (expr.kind === 'ColumnRef' && expr.table === undefined) {
      const name = foldName(expr.column.name);
      return names.findIndex((n) => foldName(n) === name);
    }
    return -1;
  }

  private bindCore(core: A.SelectCore, parent: Scope | undefined, frame: Frame, orderTerms: readonly A.OrderingTerm[]): { select: BoundSelect; orderBy: BoundOrder[]; columns: BoundQuery['columns'] } {
    const coreFrame: Frame = { own: new Set(), outerRefs: frame.outerRefs };
    const sources: BoundSource[] = [];
    const from = core.from === undefined ? undefined : this.bindFrom(core.from, parent, coreFrame, sources);
    if (sources.length > joinSourcesMax) this.fail('LIMIT', `at most ${joinSourcesMax} tables may be joined`, core.from?.span);
    const scope = new Scope(sources, parent, coreFrame);
    for (const s of sources) coreFrame.own.add(s.id);
    // ON clauses are bound after every source of the FROM is known.
    const fromBound = from === undefined ? undefined : this.bindJoinConditions(from.node, scope);
    const where = core.where === undefined ? undefined : this.bindExpr(core.where, scope);
    if (where !== undefined && containsAggCall(where)) this.fail('INVALID_ARGUMENT', 'misuse of aggregate function in WHERE', core.where?.span);

    // Select items (stars expanded).
    const itemExprs: BoundExpr[] = [];
    const itemAsts: (A.Expr | undefined)[] = [];
    for (const item of core.items) {
      if (item.kind === 'SelectStar') {
        const stars = this.expandStar(item, sources);
        for (const e of stars) {
          itemExprs.push(e);
          itemAsts.push(undefined);
        }
      } else {
        itemExprs.push(this.bindExpr(item.expr, scope));
        itemAsts.push(item.expr);
      }
    }
    const names = this.itemNames(core, sources);

    // GROUP BY: source columns before aliases; integers are positions.
    const groupBy = core.groupBy.map((term) => {
      if (term.kind === 'IntegerLiteral') {
        const k = Number(term.value);
        if (k < 1 || k > itemExprs.length) this.fail('INVALID_ARGUMENT', `GROUP BY term out of range - should be between 1 and ${itemExprs.length}`, term.span);
        return itemExprs[k - 1] as BoundExpr;
      }
      if (term.kind === 'ColumnRef' && term.table === undefined && this.findColumn(term.column.name, scope) === undefined) {
        const alias = foldName(term.column.name);
        const k = core.items.findIndex((it) => it.kind === 'SelectExpr' && it.alias !== undefined && foldName(it.alias.name) === alias);
        if (k >= 0) return itemExprs[this.itemIndexOfAst(core, k, sources)] as BoundExpr;
      }
      return this.bindExpr(term, scope);
    });
    for (let i = 0; i < groupBy.length; i++) {
      if (containsAggCall(groupBy[i] as BoundExpr)) this.fail('INVALID_ARGUMENT', 'aggregate functions are not allowed in the GROUP BY clause', core.groupBy[i]?.span);
    }

    const having = core.having === undefined ? undefined : this.bindExpr(core.having, scope);
    // ORDER BY of a simple select: aliases and positions first.
    const orderPre: { output: number; expr: BoundExpr | undefined; term: A.OrderingTerm }[] = orderTerms.map((term) => {
      const index = this.outputIndexOf(term.expr, names);
      if (index >= 0) return { output: index, expr: undefined, term };
      return { output: -1, expr: this.bindExpr(term.expr, scope), term };
    });

    const aggregate =
      groupBy.length > 0 ||
      having !== undefined ||
      itemExprs.some(containsAggCall) ||
      orderPre.some((o) => o.expr !== undefined && containsAggCall(o.expr));
    if (core.having !== undefined && groupBy.length === 0 && !itemExprs.some(containsAggCall) && !containsAggCall(having as BoundExpr)) {
      this.fail('INVALID_ARGUMENT', 'HAVING clause on a non-aggregate query', core.having.span);
    }

    let items = itemExprs;
    let havingPost = having;
    let orderExprs = orderPre.map((o) => o.expr);
    const aggregates: BoundAggregate[] = [];
    let bareColumnsFrom = -1;
    if (aggregate) {
      const post = new PostAggregation(groupBy, aggregates, coreFrame.own);
      items = itemExprs.map((e) => post.rewrite(e));
      havingPost = having === undefined ? undefined : post.rewrite(having);
      orderExprs = orderExprs.map((e) => (e === undefined ? undefined : post.rewrite(e)));
      post.addBareColumns(items, havingPost, orderExprs);
      const minMax = aggregates.map((a, i) => ((a.fn === 'MIN' || a.fn === 'MAX') && !a.distinct ? i : -1)).filter((i) => i >= 0);
      if (minMax.length === 1) bareColumnsFrom = minMax[0] as number;
    }
    const select: BoundSelect = {
      kind: 'select',
      sources,
      from: fromBound,
      where,
      aggregate,
      groupBy,
      aggregates,
      having: havingPost,
      items,
      distinct: core.distinct,
      bareColumnsFrom,
    };
    const orderBy: BoundOrder[] = orderPre.map((o, i) => {
      const expr = o.output >= 0 ? ({ kind: 'output', index: o.output, type: (items[o.output] as BoundExpr).type } as BoundExpr) : (orderExprs[i] as BoundExpr);
      // An ORDER BY expression equal to a select item sorts by that output.
      const same = o.output < 0 ? items.findIndex((it) => sameExpr(it, expr)) : -1;
      return {
        expr: same >= 0 ? { kind: 'output', index: same, type: (items[same] as BoundExpr).type } : expr,
        descending: o.term.descending,
        nullsFirst: nullsFirst(o.term),
      };
    });
    const columns = items.map((e, i) => ({ name: names[i] as string, type: e.type, affinity: affinityOf(e) }));
    for (const id of coreFrame.own) frame.own.add(id);
    return { select, orderBy, columns };
  }

  /** Index in the expanded item list of the k-th AST item. */
  private itemIndexOfAst(core: A.SelectCore, k: number, sources: readonly BoundSource[]): number {
    let index = 0;
    for (let i = 0; i < k; i++) {
      const item = core.items[i] as A.SelectItem;
      index += item.kind === 'SelectStar' ? this.starColumns(item, sources).length : 1;
    }
    return index;
  }

  private starColumns(star: A.SelectStar, sources: readonly BoundSource[]): { source: BoundSource; column: number }[] {
    const out: { source: BoundSource; column: number }[] = [];
    let chosen = sources;
    if (star.table !== undefined) {
      const name = foldName(star.table.name);
      chosen = sources.filter((s) => foldName(s.name) === name);
      if (chosen.length === 0) this.fail('UNKNOWN_TABLE', `no such table: ${star.table.name}`, star.table.span);
    } else if (sources.length === 0) {
      this.fail('INVALID_ARGUMENT', 'no tables specified', star.span);
    }
    for (const s of chosen) s.columns.forEach((c, i) => (c.hidden ? undefined : out.push({ source: s, column: i })));
    return out;
  }

  private expandStar(star: A.SelectStar, sources: readonly BoundSource[]): BoundExpr[] {
    return this.starColumns(star, sources).map(({ source, column }) => columnExpr(source, column));
  }

  /** Result column names: alias, else the column name for a column reference, else the SQL text as written. */
  private itemNames(core: A.SelectCore, sources: readonly BoundSource[]): string[] {
    const names: string[] = [];
    for (const item of core.items) {
      if (item.kind === 'SelectStar') {
        for (const { source, column } of this.starColumns(item, sources)) names.push((source.columns[column] as BoundColumn).name);
        continue;
      }
      if (item.alias !== undefined) names.push(item.alias.name);
      else if (item.expr.kind === 'ColumnRef') names.push(this.columnRefName(item.expr, sources));
      else names.push(this.ctx.sql.slice(item.expr.span.start, item.expr.span.end));
    }
    return names;
  }

  private columnRefName(ref: A.ColumnRef, sources: readonly BoundSource[]): string {
    const name = foldName(ref.column.name);
    for (const s of sources) {
      if (ref.table !== undefined && foldName(s.name) !== foldName(ref.table.name)) continue;
      const column = s.columns.find((c) => foldName(c.name) === name);
      if (column !== undefined) return column.name;
    }
    return ref.column.name;
  }

  // -------------------------------------------------------------------------
  // FROM
  // -------------------------------------------------------------------------

  private bindFrom(from: A.FromSource, parent: Scope | undefined, frame: Frame, sources: BoundSource[]): { node: PendingFrom } {
    // Joins associate to the left; walk the left spine iteratively.
    const spine: A.JoinSource[] = [];
    let node: A.FromSource = from;
    while (node.kind === 'Join') {
      spine.push(node);
      node = node.left;
    }
    let result: PendingFrom = { kind: 'source', source: this.bindFromItem(node, parent, frame, sources) };
    for (let i = spine.length - 1; i >= 0; i--) {
      const join = spine[i] as A.JoinSource;
      const right: PendingFrom =
        join.right.kind === 'Join' ? this.bindFrom(join.right, parent, frame, sources).node : { kind: 'source', source: this.bindFromItem(join.right, parent, frame, sources) };
      result = { kind: 'join', type: join.type, left: result, right, on: join.on };
    }
    return { node: result };
  }

  private bindFromItem(item: A.TableSource | A.SubquerySource, parent: Scope | undefined, frame: Frame, sources: BoundSource[]): BoundSource {
    if (item.kind === 'SubquerySource') {
      // A FROM subquery sees the enclosing query's scope but not its siblings.
      const query = this.bindQuery(item.query, parent);
      for (const id of query.outerRefs) frame.outerRefs.add(id);
      const source: BoundSource = {
        id: this.newSourceId(item.span),
        name: item.alias?.name ?? `(subquery-${this.nextSourceId})`,
        kind: 'subquery',
        table: undefined,
        virtual: undefined,
        query,
        columns: query.columns.map((c, i) => ({ name: c.name, type: c.type, affinity: c.affinity, hidden: false, stored: i })),
      };
      sources.push(source);
      return source;
    }
    const name = item.name.name;
    const table = this.ctx.catalog.table(name);
    const alias = item.alias?.name ?? name;
    let source: BoundSource;
    if (table !== undefined) {
      source = tableSource(this.newSourceId(item.span), alias, table);
    } else {
      const virtual = this.ctx.virtualTables.get(foldName(name));
      if (virtual === undefined) this.fail('UNKNOWN_TABLE', `no such table: ${name}`, item.name.span);
      source = {
        id: this.newSourceId(item.span),
        name: alias,
        kind: 'virtual',
        table: undefined,
        virtual,
        query: undefined,
        columns: virtual.def.columns.map((c, i) => ({ name: c.name, type: valueTypeOfColumn(c.type), affinity: affinityOfColumn(c.type), hidden: false, stored: i })),
      };
    }
    const folded = foldName(alias);
    if (sources.some((s) => foldName(s.name) === folded)) this.fail('INVALID_ARGUMENT', `ambiguous table name ${alias}: use an alias`, item.span);
    sources.push(source);
    return source;
  }

  private bindJoinConditions(node: PendingFrom, scope: Scope): BoundFrom {
    if (node.kind === 'source') return node;
    const left = this.bindJoinConditions(node.left, scope);
    const right = this.bindJoinConditions(node.right, scope);
    const on = node.on === undefined ? undefined : this.bindExpr(node.on, scope);
    if (on !== undefined && containsAggCall(on)) this.fail('INVALID_ARGUMENT', 'misuse of aggregate function in ON', node.on?.span);
    return { kind: 'join', type: node.type, left, right, on };
  }

  // -------------------------------------------------------------------------
  // Names
  // -------------------------------------------------------------------------

  private findColumn(name: string, scope: Scope): { source: BoundSource; column: number; scope: Scope } | undefined {
    const folded = foldName(name);
    for (let s: Scope | undefined = scope; s !== undefined; s = s.parent) {
      let found: { source: BoundSource; column: number; scope: Scope } | undefined;
      for (const source of s.sources) {
        const column = source.columns.findIndex((c) => foldName(c.name) === folded);
        if (column < 0) continue;
        if (found !== undefined) return { ...found, column: -1 };
        found = { source, column, scope: s };
      }
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private resolveColumn(ref: A.ColumnRef, scope: Scope): BoundExpr {
    let hit: { source: BoundSource; column: number; scope: Scope } | undefined;
    if (ref.table !== undefined) {
      const tableName = foldName(ref.table.name);
      const columnName = foldName(ref.column.name);
      let sawTable = false;
      for (let s: Scope | undefined = scope; s !== undefined && hit === undefined; s = s.parent) {
        for (const source of s.sources) {
          if (foldName(source.name) !== tableName) continue;
          sawTable = true;
          const column = source.columns.findIndex((c) => foldName(c.name) === columnName);
          if (column >= 0) {
            hit = { source, column, scope: s };
            break;
          }
        }
      }
      if (hit === undefined) {
        this.fail('UNKNOWN_COLUMN', sawTable ? `no such column: ${ref.table.name}.${ref.column.name}` : `no such column: ${ref.table.name}.${ref.column.name} (no table ${ref.table.name} in scope)`, ref.span);
      }
    } else {
      hit = this.findColumn(ref.column.name, scope);
      if (hit === undefined) this.fail('UNKNOWN_COLUMN', `no such column: ${ref.column.name}`, ref.span);
      if (hit.column < 0) this.fail('UNKNOWN_COLUMN', `ambiguous column name: ${ref.column.name}`, ref.span);
    }
    // Mark the reference as outer for every frame between here and the owner.
    for (let s: Scope | undefined = scope; s !== undefined && s !== hit.scope; s = s.parent) {
      if (!s.frame.own.has(hit.source.id) && s.frame !== hit.scope.frame) s.frame.outerRefs.add(hit.source.id);
    }
    return columnExpr(hit.source, hit.column);
  }

  // -------------------------------------------------------------------------
  // Expressions
  // -------------------------------------------------------------------------

  bindExpr(e: A.Expr, scope: Scope): BoundExpr {
    switch (e.kind) {
      case 'IntegerLiteral': {
        const n = Number(e.value);
        return Number.isSafeInteger(n) ? { kind: 'const', value: n, type: 'integer' } : { kind: 'const', value: n, type: 'real' };
      }
      case 'RealLiteral':
        return { kind: 'const', value: e.value, type: 'real' };
      case 'StringLiteral':
        return { kind: 'const', value: e.value, type: 'text' };
      case 'BlobLiteral':
        return { kind: 'const', value: e.value, type: 'blob' };
      case 'BooleanLiteral':
        return { kind: 'const', value: e.value ? 1 : 0, type: 'boolean' };
      case 'NullLiteral':
        return { kind: 'const', value: null, type: 'null' };
      case 'DateLiteral':
        return { kind: 'const', value: daysFromCivil(e.year, e.month, e.day), type: 'date' };
      case 'TimestampLiteral':
        return { kind: 'const', value: e.epochMs, type: 'timestamp' };
      case 'IntervalLiteral':
        return this.fail('TYPE', 'an INTERVAL may only be added to or subtracted from a DATE or TIMESTAMP', e.span);
      case 'Parameter':
        this.paramCount = Math.max(this.paramCount, e.index);
        if (e.name !== undefined) this.paramNames.set(e.index, e.name);
        return { kind: 'param', slot: e.index, type: 'param' };
      case 'ColumnRef':
        return this.resolveColumn(e, scope);
      case 'Unary':
        return this.bindUnary(e, scope);
      case 'Binary':
        return this.bindBinary(e, scope);
      case 'IsNull':
        return { kind: 'isNull', operand: this.bindExpr(e.operand, scope), not: e.not, type: 'integer' };
      case 'Like':
        return {
          kind: 'like',
          operand: generic(this.bindExpr(e.operand, scope)),
          pattern: generic(this.bindExpr(e.pattern, scope)),
          escape: e.escape === undefined ? undefined : generic(this.bindExpr(e.escape, scope)),
          not: e.not,
          type: 'integer',
        };
      case 'Between': {
        const operand = this.bindExpr(e.operand, scope);
        const low = this.bindExpr(e.low, scope);
        const high = this.bindExpr(e.high, scope);
        this.checkComparable(operand, low, e.span);
        this.checkComparable(operand, high, e.span);
        return { kind: 'between', operand, low, high, not: e.not, type: 'integer' };
      }
      case 'InList': {
        const operand = this.bindExpr(e.operand, scope);
        const items = e.items.map((item) => this.bindExpr(item, scope));
        for (const item of items) this.checkComparable(operand, item, e.span);
        return { kind: 'inList', operand, items, not: e.not, type: 'integer' };
      }
      case 'InSubquery': {
        const operand = this.bindExpr(e.operand, scope);
        const query = this.bindSubquery(e.query, scope, 1, e.span);
        return { kind: 'inSubquery', operand, query, not: e.not, type: 'integer' };
      }
      case 'Exists':
        return { kind: 'exists', query: this.bindSubquery(e.query, scope, -1, e.span), type: 'integer' };
      case 'Subquery': {
        const query = this.bindSubquery(e.query, scope, 1, e.span);
        return { kind: 'subquery', query, type: (query.columns[0] as { type: ValueType }).type };
      }
      case 'Case':
        return this.bindCase(e, scope);
      case 'Cast': {
        const operand = this.bindExpr(e.operand, scope);
        return { kind: 'cast', operand, to: e.type.type, type: valueTypeOfColumn(e.type.type) };
      }
      case 'Call':
        return this.bindCall(e, scope);
      case 'Extract': {
        const operand = this.bindExpr(e.operand, scope);
        if (!['date', 'timestamp', 'text', 'param', 'any', 'null'].includes(operand.type)) this.fail('TYPE', `EXTRACT needs a DATE or TIMESTAMP, not ${operand.type.toUpperCase()}`, e.operand.span);
        return { kind: 'extract', field: e.field, operand, type: e.field === 'SECOND' ? 'real' : 'integer' };
      }
    }
  }

  private bindSubquery(query: A.Select, scope: Scope, columns: number, span: A.Span): BoundQuery {
    const bound = this.bindQuery(query, scope);
    if (columns > 0 && bound.columns.length !== columns) this.fail('INVALID_ARGUMENT', `sub-select returns ${bound.columns.length} columns - expected ${columns}`, span);
    // The subquery's outer references that are not this scope's own sources
    // are outer references of this scope too.
    for (const id of bound.outerRefs) if (!scope.frame.own.has(id)) scope.frame.outerRefs.add(id);
    return bound;
  }

  private bindUnary(e: A.UnaryExpr, scope: Scope): BoundExpr {
    const operand = this.bindExpr(e.operand, scope);
    switch (e.op) {
      case 'NOT':
        return { kind: 'not', operand, type: 'integer' };
      case '+':
        return { kind: 'plus', operand, type: operand.type };
      case '~':
        this.checkNotTemporal(operand, '~', e.span);
        return { kind: 'bitnot', operand, type: 'integer' };
      case '-': {
        this.checkNotTemporal(operand, '-', e.span);
        // Fold negative literals so that -9 is a constant.
        if (operand.kind === 'const' && typeof operand.value === 'number') return { kind: 'const', value: -operand.value, type: operand.type === 'boolean' ? 'integer' : operand.type };
        return { kind: 'negate', operand, type: arithmeticType(operand.type, 'integer') };
      }
    }
  }

  private checkNotTemporal(operand: BoundExpr, op: string, span: A.Span): void {
    if (operand.type === 'date' || operand.type === 'timestamp') this.fail('TYPE', `operator ${op} cannot be applied to a ${operand.type.toUpperCase()}`, span);
  }

  /** Comparing a DATE or TIMESTAMP with a number is a type error (text and other temporals are fine). */
  private checkComparable(a: BoundExpr, b: BoundExpr, span: A.Span): void {
    const temporal = (t: ValueType) => t === 'date' || t === 'timestamp';
    const numeric = (t: ValueType) => t === 'integer' || t === 'real' || t === 'boolean';
    if ((temporal(a.type) && numeric(b.type)) || (temporal(b.type) && numeric(a.type))) {
      this.fail('TYPE', `cannot compare ${a.type.toUpperCase()} with ${b.type.toUpperCase()}`, span);
    }
  }

  private bindBinary(e: A.BinaryExpr, scope: Scope): BoundExpr {
    // Date arithmetic with interval literals.
    if ((e.op === '+' || e.op === '-') && e.right.kind === 'IntervalLiteral') {
      const operand = this.bindExpr(e.left, scope);
      return this.dateShift(operand, e.right, e.op === '-' ? -1 : 1, e.span);
    }
    if (e.op === '+' && e.left.kind === 'IntervalLiteral') {
      const operand = this.bindExpr(e.right, scope);
      return this.dateShift(operand, e.left, 1, e.span);
    }
    const left = this.bindExpr(e.left, scope);
    const right = this.bindExpr(e.right, scope);
    switch (e.op) {
      case '||':
        return { kind: 'concat', left: generic(left), right: generic(right), type: 'text' };
      case 'AND':
        return { kind: 'and', left, right, type: 'integer' };
      case 'OR':
        return { kind: 'or', left, right, type: 'integer' };
      case '=':
      case '!=':
      case '<':
      case '<=':
      case '>':
      case '>=':
      case 'IS':
      case 'IS NOT':
        this.checkComparable(left, right, e.span);
        return { kind: 'compare', op: e.op, left, right, type: 'integer' };
      case '&':
      case '|':
      case '<<':
      case '>>':
        this.checkNotTemporal(left, e.op, e.span);
        this.checkNotTemporal(right, e.op, e.span);
        return { kind: 'bit', op: e.op, left, right, type: 'integer' };
      case '+':
      case '-':
      case '*':
      case '/':
      case '%': {
        const lt = left.type;
        const rt = right.type;
        const temporal = (t: ValueType) => t === 'date' || t === 'timestamp';
        if (temporal(lt) || temporal(rt)) {
          if (e.op === '-' && lt === rt) return { kind: 'dateDiff', left, right, type: 'integer' };
          if (lt === 'date' && (e.op === '+' || e.op === '-') && ['integer', 'param', 'any', 'null', 'boolean'].includes(rt)) {
            return { kind: 'dateAddDays', operand: left, days: right, sign: e.op === '-' ? -1 : 1, type: 'date' };
          }
          if (rt === 'date' && e.op === '+' && ['integer', 'param', 'any', 'null', 'boolean'].includes(lt)) {
            return { kind: 'dateAddDays', operand: right, days: left, sign: 1, type: 'date' };
          }
          this.fail('TYPE', `operator ${e.op} cannot be applied to ${lt.toUpperCase()} and ${rt.toUpperCase()}`, e.span);
        }
        return { kind: 'arith', op: e.op, left, right, type: e.op === '%' ? moduloType(lt, rt) : arithmeticType(lt, rt) };
      }
    }
  }

  private dateShift(operand: BoundExpr, interval: A.IntervalLiteral, sign: 1 | -1, span: A.Span): BoundExpr {
    let type = operand.type;
    let target = operand;
    if (type === 'text' || type === 'param' || type === 'any') {
      // A text operand is read as a DATE (TPC-H style `'1998-12-01' - interval ...`).
      target = { kind: 'cast', operand, to: 'DATE', type: 'date' };
      type = 'date';
    }
    if (type === 'null') return { kind: 'const', value: null, type: 'date' };
    if (type !== 'date' && type !== 'timestamp') this.fail('TYPE', `an INTERVAL cannot be added to ${type.toUpperCase()}`, span);
    const amount = sign * interval.amount;
    const months = interval.unit === 'YEAR' ? amount * 12 : interval.unit === 'MONTH' ? amount : 0;
    const days = interval.unit === 'DAY' ? amount : 0;
    return { kind: 'dateShift', operand: target, months, days, type };
  }

  private bindCase(e: A.CaseExpr, scope: Scope): BoundExpr {
    const operand = e.operand === undefined ? undefined : this.bindExpr(e.operand, scope);
    const whens = e.whens.map((w) => ({ when: this.bindExpr(w.when, scope), then: this.bindExpr(w.then, scope) }));
    const elseExpr = e.else === undefined ? undefined : this.bindExpr(e.else, scope);
    const results = [...whens.map((w) => w.then), ...(elseExpr === undefined ? [] : [elseExpr])];
    const type = resultType(results.map((r) => r.type));
    return {
      kind: 'case',
      operand,
      whens: whens.map((w) => ({ when: w.when, then: conform(w.then, type) })),
      else: elseExpr === undefined ? undefined : conform(elseExpr, type),
      type,
    };
  }

  private bindCall(e: A.CallExpr, scope: Scope): BoundExpr {
    const name = e.name;
    const isAggregate = aggregateFunctions.has(name) && (e.star || e.args.length === 1 || (name === 'COUNT' && e.args.length === 0));
    if (isAggregate) {
      if (e.star && name !== 'COUNT') this.fail('INVALID_ARGUMENT', `wrong number of arguments to function ${name}()`, e.span);
      const arg = e.star || e.args.length === 0 ? undefined : this.bindExpr(e.args[0] as A.Expr, scope);
      if (arg !== undefined && containsAggCall(arg)) this.fail('INVALID_ARGUMENT', `misuse of aggregate function ${name}()`, e.span);
      const fn = name as AggregateName;
      if ((fn === 'SUM' || fn === 'AVG' || fn === 'TOTAL') && arg !== undefined && (arg.type === 'date' || arg.type === 'timestamp')) {
        this.fail('TYPE', `${fn} cannot be applied to a ${arg.type.toUpperCase()}`, e.span);
      }
      const type = aggregateType(fn, arg);
      return { kind: 'aggCall', call: { fn, arg, distinct: e.distinct, type }, type };
    }
    if (!scalarFunctions.has(name)) this.fail('INVALID_ARGUMENT', `no such function: ${name}`, e.nameSpan);
    if (e.star || e.distinct) this.fail('INVALID_ARGUMENT', `${name}() is not an aggregate function`, e.span);
    const args = e.args.map((a) => this.bindExpr(a, scope));
    const arity = (min: number, max: number) => {
      if (args.length < min || args.length > max) this.fail('INVALID_ARGUMENT', `wrong number of arguments to function ${name}()`, e.span);
    };
    switch (name) {
      case 'ABS':
        arity(1, 1);
        return { kind: 'call', fn: name, args: args.map(generic), type: absType((args[0] as BoundExpr).type) };
      case 'ROUND':
        arity(1, 2);
        return { kind: 'call', fn: name, args: args.map(generic), type: 'real' };
      case 'LENGTH':
      case 'INSTR':
        arity(name === 'LENGTH' ? 1 : 2, name === 'LENGTH' ? 1 : 2);
        return { kind: 'call', fn: name, args: args.map(generic), type: 'integer' };
      case 'LOWER':
      case 'UPPER':
        arity(1, 1);
        return { kind: 'call', fn: name, args: args.map(generic), type: 'text' };
      case 'SUBSTR':
      case 'SUBSTRING': {
        arity(2, 3);
        const t = (args[0] as BoundExpr).type === 'blob' ? 'blob' : (args[0] as BoundExpr).type === 'any' || (args[0] as BoundExpr).type === 'param' ? 'any' : 'text';
        return { kind: 'call', fn: 'SUBSTR', args: args.map(generic), type: t };
      }
      case 'TRIM':
      case 'LTRIM':
      case 'RTRIM':
        arity(1, 2);
        return { kind: 'call', fn: name, args: args.map(generic), type: 'text' };
      case 'REPLACE':
        arity(3, 3);
        return { kind: 'call', fn: name, args: args.map(generic), type: 'text' };
      case 'TYPEOF':
        arity(1, 1);
        return { kind: 'call', fn: name, args, type: 'text' };
      case 'COALESCE':
      case 'IFNULL':
      case 'MIN':
      case 'MAX': {
        if (name === 'IFNULL') arity(2, 2);
        else if (name === 'COALESCE') arity(2, Infinity);
        else arity(2, Infinity);
        const type = resultType(args.map((a) => a.type));
        return { kind: 'call', fn: name === 'IFNULL' ? 'COALESCE' : name, args: args.map((a) => conform(a, type)), type };
      }
      case 'NULLIF': {
        arity(2, 2);
        const first = args[0] as BoundExpr;
        return { kind: 'call', fn: name, args, type: first.type === 'null' ? 'null' : first.type };
      }
      default:
        return this.fail('INVALID_ARGUMENT', `no such function: ${name}`, e.nameSpan);
    }
  }

  // -------------------------------------------------------------------------
  // DML
  // -------------------------------------------------------------------------

  bindInsert(stmt: A.Insert): BoundInsert {
    const table = this.tableOf(stmt.table);
    const columnMap: number[] = new Array(table.columns.length).fill(-1);
    let width = table.columns.length;
    if (stmt.columns !== undefined) {
      width = stmt.columns.length;
      stmt.columns.forEach((c, i) => {
        const index = table.columnIndex.get(foldName(c.name));
        if (index === undefined) this.fail('UNKNOWN_COLUMN', `table ${table.name} has no column named ${c.name}`, c.span);
        if ((columnMap[index] as number) >= 0) this.fail('INVALID_ARGUMENT', `column ${c.name} is listed twice`, c.span);
        columnMap[index] = i;
      });
    } else {
      for (let i = 0; i < width; i++) columnMap[i] = i;
    }
    const emptyScope = new Scope([], undefined, { own: new Set(), outerRefs: new Set() });
    let rows: BoundExpr[][] | undefined;
    let select: BoundQuery | undefined;
    let sourceTypes: ValueType[];
    const source = stmt.source;
    if (source.kind === 'Values') {
      rows = source.rows.map((row) => {
        if (row.length !== width) this.fail('INVALID_ARGUMENT', `${row.length} values for ${width} columns`, source.span);
        return row.map((v) => {
          const bound = this.bindExpr(v, emptyScope);
          if (containsAggCall(bound)) this.fail('INVALID_ARGUMENT', 'misuse of aggregate function in VALUES', v.span);
          return bound;
        });
      });
      sourceTypes = [];
    } else if (source.kind === 'DefaultValues') {
      rows = [[]];
      columnMap.fill(-1);
      sourceTypes = [];
    } else {
      select = this.bindQuery(source, undefined);
      if (select.columns.length !== width) this.fail('INVALID_ARGUMENT', `${select.columns.length} values for ${width} columns`, source.span);
      sourceTypes = select.columns.map((c) => c.type);
    }
    let onConflict: BoundInsert['onConflict'];
    if (stmt.onConflict !== undefined) {
      const oc = stmt.onConflict;
      let target: { kind: 'primary' } | { kind: 'unique'; index: import('./catalog.js').IndexDef } | undefined;
      if (oc.target !== undefined) {
        const cols = oc.target.map((c) => {
          const index = table.columnIndex.get(foldName(c.name));
          if (index === undefined) this.fail('UNKNOWN_COLUMN', `table ${table.name} has no column named ${c.name}`, c.span);
          return index;
        });
        const sameSet = (a: readonly number[]) => a.length === cols.length && a.every((x) => cols.includes(x));
        if (table.rowid !== 'hidden' && sameSet(table.primaryKey)) target = { kind: 'primary' };
        else {
          const index = this.ctx.catalog.indexesOf(table.id).find((i) => i.unique && sameSet(i.columns));
          if (index === undefined) this.fail('CONSTRAINT', 'ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE constraint', oc.span);
          target = { kind: 'unique', index };
        }
      }
      const existing = tableSource(this.newSourceId(oc.span), table.name, table);
      const excluded = tableSource(this.newSourceId(oc.span), 'excluded', table);
      let set: { column: number; value: BoundExpr }[] = [];
      let where: BoundExpr | undefined;
      if (oc.action.kind === 'DoUpdate') {
        // Bare names are the existing row's columns; `excluded.c` is the proposed row.
        const outer = new Scope([excluded], undefined, { own: new Set([excluded.id]), outerRefs: new Set() });
        const scope = new Scope([existing], outer, { own: new Set([existing.id]), outerRefs: new Set() });
        set = this.bindAssignments(table, oc.action.set, scope);
        where = oc.action.where === undefined ? undefined : this.bindExpr(oc.action.where, scope);
      }
      onConflict = { target, action: oc.action.kind === 'DoNothing' ? 'nothing' : 'update', existing, excluded, set, where };
    }
    return { kind: 'insert', table, columnMap, rows, select, sourceTypes, onConflict };
  }

  private bindAssignments(table: TableDef, assignments: readonly A.Assignment[], scope: Scope): { column: number; value: BoundExpr }[] {
    const seen = new Set<number>();
    return assignments.map((a) => {
      const column = table.columnIndex.get(foldName(a.column.name));
      if (column === undefined) this.fail('UNKNOWN_COLUMN', `no such column: ${a.column.name}`, a.column.span);
      if (seen.has(column)) this.fail('INVALID_ARGUMENT', `column ${a.column.name} is assigned twice`, a.span);
      seen.add(column);
      const value = this.bindExpr(a.value, scope);
      if (containsAggCall(value)) this.fail('INVALID_ARGUMENT', 'misuse of aggregate function in SET', a.value.span);
      return { column, value };
    });
  }

  bindUpdate(stmt: A.Update): BoundUpdate {
    const table = this.tableOf(stmt.table);
    const source = tableSource(this.newSourceId(stmt.span), stmt.alias?.name ?? table.name, table);
    const scope = new Scope([source], undefined, { own: new Set([source.id]), outerRefs: new Set() });
    const set = this.bindAssignments(table, stmt.set, scope);
    const where = stmt.where === undefined ? undefined : this.bindExpr(stmt.where, scope);
    if (where !== undefined && containsAggCall(where)) this.fail('INVALID_ARGUMENT', 'misuse of aggregate function in WHERE', stmt.where?.span);
    return { kind: 'update', table, source, set, where };
  }

  bindDelete(stmt: A.Delete): BoundDelete {
    const table = this.tableOf(stmt.table);
    const source = tableSource(this.newSourceId(stmt.span), stmt.alias?.name ?? table.name, table);
    const scope = new Scope([source], undefined, { own: new Set([source.id]), outerRefs: new Set() });
    const where = stmt.where === undefined ? undefined : this.bindExpr(stmt.where, scope);
    if (where !== undefined && containsAggCall(where)) this.fail('INVALID_ARGUMENT', 'misuse of aggregate function in WHERE', stmt.where?.span);
    return { kind: 'delete', table, source, where };
  }

  /** Binds a constant expression (DEFAULT values): no columns, no parameters, no subqueries. */
  bindConstant(e: A.Expr): BoundExpr {
    const scope = new Scope([], undefined, { own: new Set(), outerRefs: new Set() });
    const bound = this.bindExpr(e, scope);
    if (!isConstantTree(bound)) this.fail('INVALID_ARGUMENT', 'default value of column is not constant', e.span);
    return bound;
  }

  tableOf(name: A.Identifier): TableDef {
    const table = this.ctx.catalog.table(name.name);
    if (table === undefined) {
      if (this.ctx.virtualTables.has(foldName(name.name))) this.fail('INVALID_ARGUMENT', `table ${name.name} is a read-only virtual table`, name.span);
      this.fail('UNKNOWN_TABLE', `no such table: ${name.name}`, name.span);
    }
    return table;
  }
}

/** A FROM tree whose ON conditions are not bound yet. */
type PendingFrom =
  | { readonly kind: 'source'; readonly source: BoundSource }
  | { readonly kind: 'join'; readonly type: A.JoinType; readonly left: PendingFrom; readonly right: PendingFrom; readonly on: A.Expr | undefined };

// ---------------------------------------------------------------------------
// Post-aggregation rewriting
// ---------------------------------------------------------------------------

/**
 * Rewrites the expressions evaluated after aggregation (select items,
 * HAVING, ORDER BY): aggregate calls become references to the query's
 * aggregates, subexpressions equal to a GROUP BY term become references to
 * that key, and the remaining columns of the query's own sources become
 * bare-column aggregates (`ANY`).
 */
class PostAggregation {
  constructor(
    private readonly groupBy: readonly BoundExpr[],
    private readonly aggregates: BoundAggregate[],
    private readonly own: ReadonlySet<number>,
  ) {}

  private aggregateIndex(call: BoundAggregate): number {
    const found = this.aggregates.findIndex((a) => a.fn === call.fn && a.distinct === call.distinct && ((a.arg === undefined && call.arg === undefined) || (a.arg !== undefined && call.arg !== undefined && sameExpr(a.arg, call.arg))));
    if (found >= 0) return found;
    this.aggregates.push(call);
    return this.aggregates.length - 1;
  }

  rewrite(e: BoundExpr): BoundExpr {
    const key = this.groupBy.findIndex((g) => sameExpr(g, e));
    if (key >= 0 && e.kind !== 'const') return { kind: 'groupKey', index: key, type: e.type };
    if (e.kind === 'aggCall') return { kind: 'aggregate', index: this.aggregateIndex(e.call), type: e.type };
    if (e.kind === 'column' && this.own.has(e.source.id)) {
      return { kind: 'aggregate', index: this.aggregateIndex({ fn: 'ANY', arg: e, distinct: false, type: e.type }), type: e.type };
    }
    return mapChildren(e, (c) => this.rewrite(c));
  }

  /**
   * Columns of this query referenced from inside subqueries of the
   * post-aggregation expressions are evaluated per group too: those that are
   * not group keys get an ANY aggregate, and the compiler maps the column
   * to it (see `BoundSelect.aggregates`).
   */
  addBareColumns(items: readonly BoundExpr[], having: BoundExpr | undefined, order: readonly (BoundExpr | undefined)[]): void {
    const visit = (e: BoundExpr) => {
      forEachSubquery(e, (q) =>
        forEachColumnInQuery(q, (c) => {
          if (!this.own.has(c.source.id)) return;
          if (this.groupBy.some((g) => sameExpr(g, c))) return;
          this.aggregateIndex({ fn: 'ANY', arg: c, distinct: false, type: c.type });
        }),
      );
    };
    items.forEach(visit);
    if (having !== undefined) visit(having);
    for (const o of order) if (o !== undefined) visit(o);
  }
}

// ---------------------------------------------------------------------------
// Helpers over bound expressions
// ---------------------------------------------------------------------------

export function tableSource(id: number, name: string, table: TableDef): BoundSource {
  const columns: BoundColumn[] = table.columns.map((c, i) => ({ name: c.name, type: valueTypeOfColumn(c.type), affinity: affinityOfColumn(c.type), hidden: false, stored: i }));
  if (table.rowid !== 'none') {
    // The rowid answers to each of its names that no real column has taken:
    // it is the hidden column stored after the user columns, or the INTEGER
    // PRIMARY KEY column.
    const stored = table.rowid === 'hidden' ? table.columns.length : (table.primaryKey[0] as number);
    for (const rowidName of hiddenRowidNames()) {
      if (!table.columnIndex.has(rowidName)) columns.push({ name: rowidName, type: 'integer', affinity: 'numeric', hidden: true, stored });
    }
  }
  return { id, name, kind: 'table', table, virtual: undefined, query: undefined, columns };
}

function columnExpr(source: BoundSource, column: number): BoundExpr {
  const c = source.columns[column] as BoundColumn;
  return { kind: 'column', source, column, type: c.type, affinity: c.affinity };
}

function nullsFirst(term: A.OrderingTerm): boolean {
  if (term.nulls === 'FIRST') return true;
  if (term.nulls === 'LAST') return false;
  return !term.descending;
}

export function affinityOf(e: BoundExpr): Affinity {
  if (e.kind === 'column') return e.affinity;
  if (e.kind === 'cast') return affinityOfColumn(e.to);
  return 'none';
}

function isIntegerLike(t: ValueType): boolean {
  return t === 'integer' || t === 'boolean';
}

/** Result type of + - * / for operand types (neither temporal). */
export function arithmeticType(a: ValueType, b: ValueType): ValueType {
  if (a === 'null' || b === 'null') return 'null';
  if (isIntegerLike(a) && isIntegerLike(b)) return 'integer';
  const numericOrParam = (t: ValueType) => t === 'integer' || t === 'real' || t === 'boolean' || t === 'param';
  if ((a === 'real' || b === 'real') && numericOrParam(a) && numericOrParam(b)) return 'real';
  if ((a === 'param' || b === 'param') && numericOrParam(a) && numericOrParam(b)) return 'param';
  return 'any';
}

function moduloType(a: ValueType, b: ValueType): ValueType {
  if (a === 'null' || b === 'null') return 'null';
  if (isIntegerLike(a) && isIntegerLike(b)) return 'integer';
  if (a === 'real' || b === 'real') return 'real';
  if (a === 'param' || b === 'param') return 'param';
  return 'any';
}

function absType(t: ValueType): ValueType {
  if (t === 'boolean') return 'integer';
  if (t === 'integer' || t === 'real' || t === 'null' || t === 'param') return t;
  return 'any';
}

function aggregateType(fn: AggregateName, arg: BoundExpr | undefined): ValueType {
  switch (fn) {
    case 'COUNT':
      return 'integer';
    case 'AVG':
    case 'TOTAL':
      return 'real';
    case 'SUM': {
      const t = arg?.type ?? 'null';
      if (isIntegerLike(t)) return 'integer';
      if (t === 'real' || t === 'param') return 'real';
      if (t === 'null') return 'null';
      return 'any';
    }
    case 'MIN':
    case 'MAX':
    case 'ANY':
      return arg?.type ?? 'null';
  }
}

function textIfDate(t: ValueType): ValueType {
  return t === 'date' || t === 'timestamp' ? 'text' : t;
}

/** Merges branch types (CASE, COALESCE, set operations) without conversions. */
export function mergeTypes(types: readonly ValueType[]): ValueType {
  const nonNull = types.filter((t) => t !== 'null');
  if (nonNull.length === 0) return 'null';
  const first = nonNull[0] as ValueType;
  if (nonNull.every((t) => t === first)) return first;
  if (nonNull.every((t) => t === 'integer' || t === 'boolean')) return 'integer';
  return 'any';
}

/**
 * The type of an expression that picks one of several values (CASE,
 * COALESCE, scalar MIN/MAX): the common type when all agree; otherwise
 * DATE/TIMESTAMP branches become text (their SQLite form) and the rest merge.
 */
function resultType(types: readonly ValueType[]): ValueType {
  const merged = mergeTypes(types);
  if (merged !== 'any') return merged;
  return mergeTypes(types.map(textIfDate));
}

/** Converts a branch to the result type chosen by `resultType`. */
function conform(e: BoundExpr, type: ValueType): BoundExpr {
  if ((e.type === 'date' || e.type === 'timestamp') && type !== e.type) return { kind: 'cast', operand: e, to: 'TEXT', type: 'text' };
  return e;
}

/** A DATE or TIMESTAMP used as a generic value becomes its text, as SQLite stores dates. */
export function generic(e: BoundExpr): BoundExpr {
  if (e.type === 'date' || e.type === 'timestamp') return { kind: 'cast', operand: e, to: 'TEXT', type: 'text' };
  return e;
}

export function containsAggCall(e: BoundExpr): boolean {
  if (e.kind === 'aggCall') return true;
  let found = false;
  forEachChild(e, (c) => {
    if (!found && containsAggCall(c)) found = true;
  });
  return found;
}

function isConstantTree(e: BoundExpr): boolean {
  if (e.kind === 'column' || e.kind === 'param' || e.kind === 'aggCall' || e.kind === 'subquery' || e.kind === 'exists' || e.kind === 'inSubquery') return false;
  let ok = true;
  forEachChild(e, (c) => {
    if (ok && !isConstantTree(c)) ok = false;
  });
  return ok;
}

/** Calls `fn` on each direct child expression (not into subqueries). */
export function forEachChild(e: BoundExpr, fn: (child: BoundExpr) => void): void {
  switch (e.kind) {
    case 'const':
    case 'param':
    case 'column':
    case 'aggregate':
    case 'groupKey':
    case 'output':
    case 'exists':
    case 'subquery':
      return;
    case 'compare':
    case 'arith':
    case 'bit':
    case 'concat':
    case 'and':
    case 'or':
    case 'dateDiff':
      fn(e.left);
      fn(e.right);
      return;
    case 'not':
    case 'negate':
    case 'bitnot':
    case 'plus':
    case 'dateShift':
    case 'isNull':
    case 'cast':
    case 'extract':
      fn(e.operand);
      return;
    case 'dateAddDays':
      fn(e.operand);
      fn(e.days);
      return;
    case 'like':
      fn(e.operand);
      fn(e.pattern);
      if (e.escape !== undefined) fn(e.escape);
      return;
    case 'between':
      fn(e.operand);
      fn(e.low);
      fn(e.high);
      return;
    case 'inList':
      fn(e.operand);
      e.items.forEach(fn);
      return;
    case 'inSubquery':
      fn(e.operand);
      return;
    case 'case':
      if (e.operand !== undefined) fn(e.operand);
      for (const w of e.whens) {
        fn(w.when);
        fn(w.then);
      }
      if (e.else !== undefined) fn(e.else);
      return;
    case 'call':
      e.args.forEach(fn);
      return;
    case 'aggCall':
      if (e.call.arg !== undefined) fn(e.call.arg);
      return;
  }
}

/**
 * `forEachChild`, except into an aggregate call's argument, which is
 * evaluated by the aggregation rather than with the row's other values.
 */
export function forEachRowChild(e: BoundExpr, fn: (child: BoundExpr) => void): void {
  if (e.kind !== 'aggCall') forEachChild(e, fn);
}

/** Rebuilds `e` with each direct child replaced by `fn(child)`. */
export function mapChildren(e: BoundExpr, fn: (child: BoundExpr) => BoundExpr): BoundExpr {
  switch (e.kind) {
    case 'const':
    case 'param':
    case 'column':
    case 'aggregate':
    case 'groupKey':
    case 'output':
    case 'exists':
    case 'subquery':
    case 'aggCall':
      return e;
    case 'compare':
    case 'arith':
    case 'bit':
    case 'concat':
    case 'and':
    case 'or':
    case 'dateDiff':
      return { ...e, left: fn(e.left), right: fn(e.right) } as BoundExpr;
    case 'not':
    case 'negate':
    case 'bitnot':
    case 'plus':
    case 'dateShift':
    case 'isNull':
    case 'cast':
    case 'extract':
      return { ...e, operand: fn(e.operand) } as BoundExpr;
    case 'dateAddDays':
      return { ...e, operand: fn(e.operand), days: fn(e.days) };
    case 'like':
      return { ...e, operand: fn(e.operand), pattern: fn(e.pattern), escape: e.escape === undefined ? undefined : fn(e.escape) };
    case 'between':
      return { ...e, operand: fn(e.operand), low: fn(e.low), high: fn(e.high) };
    case 'inList':
      return { ...e, operand: fn(e.operand), items: e.items.map(fn) };
    case 'inSubquery':
      return { ...e, operand: fn(e.operand) };
    case 'case':
      return {
        ...e,
        operand: e.operand === undefined ? undefined : fn(e.operand),
        whens: e.whens.map((w) => ({ when: fn(w.when), then: fn(w.then) })),
        else: e.else === undefined ? undefined : fn(e.else),
      };
    case 'call':
      return { ...e, args: e.args.map(fn) };
  }
}

/** Calls `fn` on every subquery directly inside `e` (not nested deeper inside those). */
export function forEachSubquery(e: BoundExpr, fn: (q: BoundQuery) => void): void {
  if (e.kind === 'exists' || e.kind === 'subquery' || e.kind === 'inSubquery') fn(e.query);
  forEachChild(e, (c) => forEachSubquery(c, fn));
}

/** Every expression evaluated by a query, its subqueries included. */
export function forEachExprInQuery(q: BoundQuery, fn: (e: BoundExpr) => void): void {
  const visitSelect = (s: BoundSelect) => {
    const visitFrom = (f: BoundFrom | undefined) => {
      if (f === undefined) return;
      if (f.kind === 'source') {
        if (f.source.query !== undefined) forEachExprInQuery(f.source.query, fn);
        return;
      }
      visitFrom(f.left);
      visitFrom(f.right);
      if (f.on !== undefined) fn(f.on);
    };
    visitFrom(s.from);
    if (s.where !== undefined) fn(s.where);
    s.groupBy.forEach(fn);
    for (const a of s.aggregates) if (a.arg !== undefined) fn(a.arg);
    if (s.having !== undefined) fn(s.having);
    s.items.forEach(fn);
  };
  const visitBody = (b: BoundSelect | BoundSetOp) => {
    if (b.kind === 'select') visitSelect(b);
    else {
      visitBody(b.left);
      visitSelect(b.right);
    }
  };
  visitBody(q.body);
  for (const o of q.orderBy) fn(o.expr);
  if (q.limit !== undefined) fn(q.limit);
  if (q.offset !== undefined) fn(q.offset);
}

/** Every column reference inside a query, at any depth. */
export function forEachColumnInQuery(q: BoundQuery, fn: (c: Extract<BoundExpr, { kind: 'column' }>) => void): void {
  const visit = (e: BoundExpr): void => {
    if (e.kind === 'column') fn(e);
    forEachSubquery(e, (sub) => forEachColumnInQuery(sub, fn));
    forEachChild(e, visit);
  };
  forEachExprInQuery(q, (e) => {
    if (e.kind === 'column') fn(e);
    forEachSubquery(e, (sub) => forEachColumnInQuery(sub, fn));
    forEachChild(e, visit);
  });
}

/** Structural equality of bound expressions (for GROUP BY matching and aggregate de-duplication). */
export function sameExpr(a: BoundExpr, b: BoundExpr): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind || a.type !== b.type) return false;
  switch (a.kind) {
    case 'const': {
      const bv = (b as typeof a).value;
      const av = a.value;
      if (av instanceof Uint8Array || bv instanceof Uint8Array) return av instanceof Uint8Array && bv instanceof Uint8Array && Buffer.compare(av, bv) === 0;
      return Object.is(av, bv);
    }
    case 'param':
      return a.slot === (b as typeof a).slot;
    case 'column':
      return a.source.id === (b as typeof a).source.id && a.column === (b as typeof a).column;
    case 'aggregate':
    case 'groupKey':
    case 'output':
      return a.index === (b as typeof a).index;
    case 'exists':
    case 'subquery':
    case 'inSubquery':
    case 'aggCall':
      return false;
    case 'compare':
    case 'arith':
    case 'bit':
      if (a.op !== (b as typeof a).op) return false;
      break;
    case 'not':
    case 'negate':
    case 'bitnot':
    case 'plus':
    case 'concat':
    case 'and':
    case 'or':
    case 'dateDiff':
    case 'dateAddDays':
      if (a.kind === 'dateAddDays' && a.sign !== (b as typeof a).sign) return false;
      break;
    case 'dateShift':
      if (a.months !== (b as typeof a).months || a.days !== (b as typeof a).days) return false;
      break;
    case 'isNull':
    case 'like':
    case 'between':
    case 'inList':
      if (a.not !== (b as typeof a).not) return false;
      break;
    case 'cast':
      if (a.to !== (b as typeof a).to) return false;
      break;
    case 'call':
      if (a.fn !== (b as typeof a).fn || a.args.length !== (b as typeof a).args.length) return false;
      break;
    case 'extract':
      if (a.field !== (b as typeof a).field) return false;
      break;
    case 'case':
      if (a.whens.length !== (b as typeof a).whens.length || (a.operand === undefined) !== ((b as typeof a).operand === undefined) || (a.else === undefined) !== ((b as typeof a).else === undefined)) return false;
      break;
  }
  const ca: BoundExpr[] = [];
  const cb: BoundExpr[] = [];
  forEachChild(a, (c) => ca.push(c));
  forEachChild(b, (c) => cb.push(c));
  return ca.length === cb.length && ca.every((c, i) => sameExpr(c, cb[i] as BoundExpr));
}

/** Runs a binding step, turning typed errors into a Left. */
export function tryBind<T>(fn: () => T): E.Either<FairdbError, T> {
  try {
    return E.right(fn());
  } catch (error) {
    if (error instanceof FairdbError) return E.left(error);
    throw error;
  }
}

export { Scope };
