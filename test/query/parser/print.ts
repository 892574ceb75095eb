/**
 * Prints an AST back to SQL with every compound expression in parentheses,
 * so that tests can read precedence and associativity off a string
 * (`a + b * c` → `(a + (b * c))`) and check that printing, re-parsing and
 * printing again is stable. The output is valid SQL for `parse`.
 */
import type { Expr, FromSource, Identifier, Select, SelectBody, SelectCore, Statement, TypeName } from '../../../query/ast.js';
import { reservedKeywords } from '../../../query/lexer.js';
import { unreachable } from '../../../storage/device/index.js';

/** Words of the grammar that are not reserved but are quoted when printed as names, to keep the output unambiguous. */
const grammarWords = new Set([
  'DATE', 'TIMESTAMP', 'INTERVAL', 'EXTRACT', 'ASC', 'DESC', 'NULLS', 'FIRST', 'LAST', 'OFFSET', 'FOR', 'IF', 'KEY',
  'DO', 'NOTHING', 'CONFLICT', 'BEGIN', 'COMMIT', 'ROLLBACK', 'TRANSACTION', 'QUERY', 'PLAN',
]);

export function printName(id: Identifier): string {
  const upper = id.name.toUpperCase();
  const bare = /^[A-Za-z_][A-Za-z0-9_]*$/.test(id.name) && !reservedKeywords.has(upper) && !grammarWords.has(upper);
  return !id.quoted && bare ? id.name : `"${id.name.replace(/"/g, '""')}"`;
}

function printString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function printReal(value: number): string {
  if (value === Infinity) return '1e999';
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return `${value}.0`;
  return String(value);
}

function printType(type: TypeName): string {
  return type.params.length === 0 ? type.name : `${type.name}(${type.params.join(', ')})`;
}

export function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'IntegerLiteral':
      // A negative literal (only -9223372036854775808) is parenthesised so
      // that a minus before it cannot make a comment.
      return e.value < 0n ? `(${e.value})` : e.value.toString();
    case 'RealLiteral':
      return printReal(e.value);
    case 'StringLiteral':
      return printString(e.value);
    case 'BlobLiteral':
      return `X'${Buffer.from(e.value).toString('hex')}'`;
    case 'BooleanLiteral':
      return e.value ? 'TRUE' : 'FALSE';
    case 'NullLiteral':
      return 'NULL';
    case 'DateLiteral':
      return `DATE ${printString(e.text)}`;
    case 'TimestampLiteral':
      return `TIMESTAMP ${printString(e.text)}`;
    case 'IntervalLiteral':
      return `INTERVAL '${e.amount}' ${e.unit}`;
    case 'Parameter':
      return e.name === undefined ? `?${e.index}` : `${e.prefix}${e.name}`;
    case 'ColumnRef':
      return e.table === undefined ? printName(e.column) : `${printName(e.table)}.${printName(e.column)}`;
    case 'Unary':
      return e.op === 'NOT' ? `(NOT ${printExpr(e.operand)})` : `(${e.op}${printExpr(e.operand)})`;
    case 'Binary':
      return `(${printExpr(e.left)} ${e.op} ${printExpr(e.right)})`;
    case 'IsNull':
      return `(${printExpr(e.operand)} IS ${e.not ? 'NOT ' : ''}NULL)`;
    case 'Like':
      return `(${printExpr(e.operand)} ${e.not ? 'NOT ' : ''}LIKE ${printExpr(e.pattern)}${e.escape === undefined ? '' : ` ESCAPE ${printExpr(e.escape)}`})`;
    case 'Between':
      return `(${printExpr(e.operand)} ${e.not ? 'NOT ' : ''}BETWEEN ${printExpr(e.low)} AND ${printExpr(e.high)})`;
    case 'InList':
      return `(${printExpr(e.operand)} ${e.not ? 'NOT ' : ''}IN (${e.items.map(printExpr).join(', ')}))`;
    case 'InSubquery':
      return `(${printExpr(e.operand)} ${e.not ? 'NOT ' : ''}IN (${printSelect(e.query)}))`;
    case 'Exists':
      return `EXISTS (${printSelect(e.query)})`;
    case 'Subquery':
      return `(${printSelect(e.query)})`;
    case 'Case': {
      const parts = ['CASE'];
      if (e.operand !== undefined) parts.push(printExpr(e.operand));
      for (const w of e.whens) parts.push(`WHEN ${printExpr(w.when)} THEN ${printExpr(w.then)}`);
      if (e.else !== undefined) parts.push(`ELSE ${printExpr(e.else)}`);
      parts.push('END');
      return parts.join(' ');
    }
    case 'Cast':
      return `CAST(${printExpr(e.operand)} AS ${printType(e.type)})`;
    case 'Call':
      if (e.args.length === 0 && !e.star && e.name.startsWith('CURRENT_')) return e.name;
      if (e.star) return `${e.name}(*)`;
      return `${e.name}(${e.distinct ? 'DISTINCT ' : ''}${e.args.map(printExpr).join(', ')})`;
    case 'Extract':
      return `EXTRACT(${e.field} FROM ${printExpr(e.operand)})`;
    default:
      return unreachable(e, 'expression');
  }
}

function printFrom(f: FromSource): string {
  switch (f.kind) {
    case 'TableSource':
      return f.alias === undefined ? printName(f.name) : `${printName(f.name)} AS ${printName(f.alias)}`;
    case 'SubquerySource':
      return `(${printSelect(f.query)})${f.alias === undefined ? '' : ` AS ${printName(f.alias)}`}`;
    case 'Join': {
      const right = f.right.kind === 'Join' ? `(${printFrom(f.right)})` : printFrom(f.right);
      const on = f.on === undefined ? '' : ` ON ${printExpr(f.on)}`;
      const op = f.type === 'CROSS' ? 'CROSS JOIN' : f.type === 'LEFT' ? 'LEFT JOIN' : 'JOIN';
      return `${printFrom(f.left)} ${op} ${right}${on}`;
    }
    default:
      return unreachable(f, 'from source');
  }
}

function printCore(c: SelectCore): string {
  const items = c.items.map((item) =>
    item.kind === 'SelectStar'
      ? item.table === undefined
        ? '*'
        : `${printName(item.table)}.*`
      : `${printExpr(item.expr)}${item.alias === undefined ? '' : ` AS ${printName(item.alias)}`}`,
  );
  let sql = `SELECT ${c.distinct ? 'DISTINCT ' : ''}${items.join(', ')}`;
  if (c.from !== undefined) sql += ` FROM ${printFrom(c.from)}`;
  if (c.where !== undefined) sql += ` WHERE ${printExpr(c.where)}`;
  if (c.groupBy.length > 0) sql += ` GROUP BY ${c.groupBy.map(printExpr).join(', ')}`;
  if (c.having !== undefined) sql += ` HAVING ${printExpr(c.having)}`;
  return sql;
}

function printBody(b: SelectBody): string {
  return b.kind === 'SelectCore' ? printCore(b) : `${printBody(b.left)} ${b.op} ${printCore(b.right)}`;
}

export function printSelect(s: Select): string {
  let sql = printBody(s.body);
  if (s.orderBy.length > 0) {
    sql += ` ORDER BY ${s.orderBy
      .map((t) => `${printExpr(t.expr)}${t.descending ? ' DESC' : ''}${t.nulls === undefined ? '' : ` NULLS ${t.nulls}`}`)
      .join(', ')}`;
  }
  if (s.limit !== undefined) sql += ` LIMIT ${printExpr(s.limit)}`;
  if (s.offset !== undefined) sql += ` OFFSET ${printExpr(s.offset)}`;
  return sql;
}

export function printStatement(s: Statement): string {
  switch (s.kind) {
    case 'Select':
      return printSelect(s);
    case 'CreateTable': {
      const columns = s.columns.map((c) => {
        let sql = `${printName(c.name)} ${printType(c.type)}`;
        if (c.primaryKey !== undefined) sql += c.primaryKey.descending ? ' PRIMARY KEY DESC' : ' PRIMARY KEY';
        if (c.notNull) sql += ' NOT NULL';
        if (c.unique) sql += ' UNIQUE';
        if (c.default !== undefined) sql += ` DEFAULT (${printExpr(c.default)})`;
        return sql;
      });
      const constraints = s.constraints.map(
        (c) => `${c.kind === 'PrimaryKey' ? 'PRIMARY KEY' : 'UNIQUE'} (${c.columns.map(printName).join(', ')})`,
      );
      return `CREATE TABLE ${s.ifNotExists ? 'IF NOT EXISTS ' : ''}${printName(s.name)} (${[...columns, ...constraints].join(', ')})`;
    }
    case 'DropTable':
      return `DROP TABLE ${s.ifExists ? 'IF EXISTS ' : ''}${printName(s.name)}`;
    case 'CreateIndex':
      return `CREATE ${s.unique ? 'UNIQUE ' : ''}INDEX ${s.ifNotExists ? 'IF NOT EXISTS ' : ''}${printName(s.name)} ON ${printName(s.table)} (${s.columns
        .map((c) => `${printName(c.name)}${c.descending ? ' DESC' : ''}`)
        .join(', ')})`;
    case 'DropIndex':
      return `DROP INDEX ${s.ifExists ? 'IF EXISTS ' : ''}${printName(s.name)}`;
    case 'Insert': {
      let sql = `INSERT INTO ${printName(s.table)}`;
      if (s.columns !== undefined) sql += ` (${s.columns.map(printName).join(', ')})`;
      switch (s.source.kind) {
        case 'Values':
          sql += ` VALUES ${s.source.rows.map((row) => `(${row.map(printExpr).join(', ')})`).join(', ')}`;
          break;
        case 'DefaultValues':
          sql += ' DEFAULT VALUES';
          break;
        case 'Select':
          sql += ` ${printSelect(s.source)}`;
          break;
        default:
          unreachable(s.source, 'insert source');
      }
      if (s.onConflict !== undefined) {
        sql += ' ON CONFLICT';
        if (s.onConflict.target !== undefined) sql += ` (${s.onConflict.target.map(printName).join(', ')})`;
        const action = s.onConflict.action;
        if (action.kind === 'DoNothing') {
          sql += ' DO NOTHING';
        } else {
          sql += ` DO UPDATE SET ${action.set.map((a) => `${printName(a.column)} = ${printExpr(a.value)}`).join(', ')}`;
          if (action.where !== undefined) sql += ` WHERE ${printExpr(action.where)}`;
        }
      }
      return sql;
    }
    case 'Update': {
      let sql = `UPDATE ${printName(s.table)}${s.alias === undefined ? '' : ` AS ${printName(s.alias)}`} SET ${s.set
        .map((a) => `${printName(a.column)} = ${printExpr(a.value)}`)
        .join(', ')}`;
      if (s.where !== undefined) sql += ` WHERE ${printExpr(s.where)}`;
      return sql;
    }
    case 'Delete': {
      let sql = `DELETE FROM ${printName(s.table)}${s.alias === undefined ? '' : ` AS ${printName(s.alias)}`}`;
      if (s.where !== undefined) sql += ` WHERE ${printExpr(s.where)}`;
      return sql;
    }
    case 'Begin':
      return s.mode === undefined ? 'BEGIN' : `BEGIN ${s.mode}`;
    case 'Commit':
      return 'COMMIT';
    case 'Rollback':
      return 'ROLLBACK';
    case 'Explain':
      return `EXPLAIN ${s.queryPlan ? 'QUERY PLAN ' : ''}${printStatement(s.statement)}`;
    default:
      return unreachable(s, 'statement');
  }
}
