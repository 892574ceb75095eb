import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import type { Expr, Select, Statement } from '../../../query/ast.js';
import type { SqlLimitsOptions } from '../../../query/limits.js';
import type { ParseError } from '../../../query/parse-error.js';
import { parse } from '../../../query/parser.js';
import { printExpr, printStatement } from './print.js';

/** The statements of `sql`; fails the test with the parse error otherwise. */
export function parseOk(sql: string, limits?: SqlLimitsOptions): Statement[] {
  const result = parse(sql, limits);
  if (isLeft(result)) throw new Error(`unexpected parse error for ${JSON.stringify(sql.slice(0, 200))}: ${result.left.message}\n${result.left.excerpt}`);
  return result.right;
}

/** The one statement of `sql`. */
export function parseOne(sql: string): Statement {
  const statements = parseOk(sql);
  if (statements.length !== 1) throw new Error(`expected one statement, got ${statements.length}`);
  return statements[0] as Statement;
}

export function parseSelect(sql: string): Select {
  const statement = parseOne(sql);
  if (statement.kind !== 'Select') throw new Error(`expected a SELECT, got ${statement.kind}`);
  return statement;
}

/** The expression of `SELECT <text>`. */
export function parseExpr(text: string): Expr {
  const select = parseSelect(`SELECT ${text}`);
  const body = select.body;
  if (body.kind !== 'SelectCore') throw new Error('expected a simple SELECT');
  const item = body.items[0];
  if (item === undefined || item.kind !== 'SelectExpr') throw new Error('expected an expression item');
  return item.expr;
}

/** `text` as a fully parenthesised expression. */
export function paren(text: string): string {
  return printExpr(parseExpr(text));
}

/** Statement(s) printed back, joined by `; `. */
export function reprint(sql: string): string {
  return parseOk(sql).map(printStatement).join('; ');
}

/** The error `sql` fails with; fails the test if it parses. */
export function parseFail(sql: string, limits?: SqlLimitsOptions): ParseError {
  const result = parse(sql, limits);
  if (isRight(result)) throw new Error(`expected a parse error for ${JSON.stringify(sql.slice(0, 200))}`);
  return result.left;
}
