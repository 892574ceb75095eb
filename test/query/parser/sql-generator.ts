/**
 * A seeded generator of random valid SQL for the parser fuzz tests.
 *
 * Expressions come with the fully parenthesised form `print.ts` must give
 * for them: the generator knows each operator's precedence and adds
 * parentheses only where the grammar needs them (and at random elsewhere),
 * so comparing the two checks precedence, associativity and the
 * normalisation of spellings (`==`, `<>`, `ISNULL`, `IS DISTINCT FROM`, ...)
 * on inputs no one wrote by hand. Statements are checked for validity and
 * print/re-parse stability.
 *
 * Text is produced as a list of tokens joined by random whitespace and
 * comments, with keywords in random case.
 */
import type { Random } from '../../../storage/device/index.js';
import { typeAliases } from '../../../query/parser.js';
import { printName } from './print.js';

/** A generated expression: its tokens, its printed form and its precedence level (11: primary). */
interface Gen {
  readonly tokens: string[];
  readonly printed: string;
  readonly level: number;
}

const primaryLevel = 11;

interface Name {
  readonly sql: string;
  readonly name: string;
  readonly quoted: boolean;
}

function bare(name: string): Name {
  return { sql: name, name, quoted: false };
}

const names: readonly Name[] = [
  bare('a'),
  bare('b'),
  bare('c_1'),
  bare('Tx'),
  bare('__proto__'),
  bare('constructor'),
  bare('prototype'),
  bare('toString'),
  bare('hasOwnProperty'),
  bare('date'),
  bare('key'),
  bare('first'),
  bare('year'),
  bare('interval'),
  bare('Éclair'),
  bare('名前'),
  { sql: '"quoted name"', name: 'quoted name', quoted: true },
  { sql: '"a""b"', name: 'a"b', quoted: true },
  { sql: '[bracket name]', name: 'bracket name', quoted: true },
  { sql: '`tick`', name: 'tick', quoted: true },
  { sql: '"select"', name: 'select', quoted: true },
  { sql: '"__proto__"', name: '__proto__', quoted: true },
];

const strings = ['', 'abc', "it's", "''", '%_', '__proto__', 'constructor', 'line\nbreak', 'Ünïcödé 😀', '--not a comment', '/* nor this */', ';'];

/** Binary operators: spellings, printed form, level. */
const binaryOperators: readonly (readonly [readonly string[], string, number])[] = [
  [['||'], '||', 9],
  [['*'], '*', 8],
  [['/'], '/', 8],
  [['%'], '%', 8],
  [['+'], '+', 7],
  [['-'], '-', 7],
  [['<<'], '<<', 6],
  [['>>'], '>>', 6],
  [['&'], '&', 6],
  [['|'], '|', 6],
  [['<'], '<', 5],
  [['<='], '<=', 5],
  [['>'], '>', 5],
  [['>='], '>=', 5],
  [['=', '=='], '=', 4],
  [['!=', '<>'], '!=', 4],
  [['AND'], 'AND', 2],
  [['OR'], 'OR', 1],
];

const functionNames = ['count', 'sum', 'avg', 'min', 'max', 'coalesce', 'nullif', 'abs', 'round', 'length', 'lower', 'upper', 'substr', 'my_func', '__proto__', 'constructor'];

const separators = [' ', ' ', ' ', '  ', '\n', '\t', '\r\n', ' /* c */ ', ' -- c\n', '\n\n  '];

export class SqlGenerator {
  /** Largest parameter slot of the statement being generated. */
  private paramMax = 0;
  private readonly paramNames = new Map<string, number>();

  constructor(private readonly random: Random) {}

  /** Joins tokens with random whitespace and comments, keywords in random case. */
  render(tokens: readonly string[]): string {
    let sql = '';
    for (let i = 0; i < tokens.length; i++) {
      if (i > 0) sql += this.random.pick(separators);
      sql += this.keywordCase(tokens[i] as string);
    }
    return sql;
  }

  private keywordCase(token: string): string {
    if (!/^[A-Z][A-Z_]*$/.test(token)) return token;
    switch (this.random.int(0, 3)) {
      case 0:
        return token.toLowerCase();
      case 1:
        return token[0] + token.slice(1).toLowerCase();
      default:
        return token;
    }
  }

  /** Starts a new statement: parameter numbering restarts. */
  private resetParams(): void {
    this.paramMax = 0;
    this.paramNames.clear();
  }

  // -------------------------------------------------------------------------
  // Expressions
  // -------------------------------------------------------------------------

  /** A standalone expression (for `SELECT <expr>`), with parameter numbering from 1. */
  topExpr(depth: number): { sql: string; printed: string } {
    this.resetParams();
    const e = this.expr(depth);
    return { sql: this.render(e.tokens), printed: e.printed };
  }

  private name(): Name {
    return this.random.pick(names);
  }

  /** `e` as an operand that must be at `minLevel` or tighter: parenthesised when needed, and at random. */
  private operand(e: Gen, minLevel: number): Gen {
    if (e.level >= minLevel && !this.random.chance(0.1)) return e;
    return { tokens: ['(', ...e.tokens, ')'], printed: e.printed, level: primaryLevel };
  }

  expr(depth: number): Gen {
    if (depth <= 0 || this.random.chance(0.25)) return this.leaf();
    const r = this.random;
    const d = depth - 1;
    switch (r.int(0, 16)) {
      case 0:
      case 1:
      case 2:
      case 3: {
        const [spellings, printed, level] = r.pick(binaryOperators);
        const left = this.operand(this.expr(d), level);
        const right = this.operand(this.expr(d), level + 1);
        return { tokens: [...left.tokens, r.pick(spellings), ...right.tokens], printed: `(${left.printed} ${printed} ${right.printed})`, level };
      }
      case 4: {
        const op = r.pick(['-', '+', '~']);
        const operand = this.operand(this.expr(d), 10);
        if (op === '-' && operand.tokens.length === 1 && operand.tokens[0] === '9223372036854775808') return this.leaf();
        return { tokens: [op, ...operand.tokens], printed: `(${op}${operand.printed})`, level: 10 };
      }
      case 5: {
        const operand = this.operand(this.expr(d), 4);
        return { tokens: ['NOT', ...operand.tokens], printed: `(NOT ${operand.printed})`, level: 3 };
      }
      case 6: {
        const operand = this.operand(this.expr(d), 4);
        const [tokens, not] = r.pick<[string[], boolean]>([
          [['IS', 'NULL'], false],
          [['IS', 'NOT', 'NULL'], true],
          [['ISNULL'], false],
          [['NOTNULL'], true],
          [['NOT', 'NULL'], true],
        ]);
        return { tokens: [...operand.tokens, ...tokens], printed: `(${operand.printed} IS ${not ? 'NOT ' : ''}NULL)`, level: 4 };
      }
      case 7: {
        const left = this.operand(this.expr(d), 4);
        const right = this.operand(this.expr(d), 5);
        const [tokens, printed] = r.pick<[string[], string]>([
          [['IS'], 'IS'],
          [['IS', 'NOT'], 'IS NOT'],
          [['IS', 'DISTINCT', 'FROM'], 'IS NOT'],
          [['IS', 'NOT', 'DISTINCT', 'FROM'], 'IS'],
        ]);
        // A NULL right operand of IS / IS NOT is an IsNull node, which prints alike.
        return { tokens: [...left.tokens, ...tokens, ...right.tokens], printed: `(${left.printed} ${printed} ${right.printed})`, level: 4 };
      }
      case 8: {
        const not = r.chance(0.3);
        const operand = this.operand(this.expr(d), 4);
        const pattern = this.operand(this.expr(d), 5);
        const escape = r.chance(0.3) ? this.operand(this.expr(d), 5) : undefined;
        return {
          tokens: [...operand.tokens, ...(not ? ['NOT'] : []), 'LIKE', ...pattern.tokens, ...(escape === undefined ? [] : ['ESCAPE', ...escape.tokens])],
          printed: `(${operand.printed} ${not ? 'NOT ' : ''}LIKE ${pattern.printed}${escape === undefined ? '' : ` ESCAPE ${escape.printed}`})`,
          level: 4,
        };
      }
      case 9: {
        const not = r.chance(0.3);
        const operand = this.operand(this.expr(d), 4);
        const low = this.operand(this.expr(d), 5);
        const high = this.operand(this.expr(d), 5);
        return {
          tokens: [...operand.tokens, ...(not ? ['NOT'] : []), 'BETWEEN', ...low.tokens, 'AND', ...high.tokens],
          printed: `(${operand.printed} ${not ? 'NOT ' : ''}BETWEEN ${low.printed} AND ${high.printed})`,
          level: 4,
        };
      }
      case 10: {
        const not = r.chance(0.3);
        const operand = this.operand(this.expr(d), 4);
        if (r.chance(0.3)) {
          const query = this.simpleSelect(d);
          return {
            tokens: [...operand.tokens, ...(not ? ['NOT'] : []), 'IN', '(', ...query.tokens, ')'],
            printed: `(${operand.printed} ${not ? 'NOT ' : ''}IN (${query.printed}))`,
            level: 4,
          };
        }
        const items = this.list(d, r.int(1, 4));
        return {
          tokens: [...operand.tokens, ...(not ? ['NOT'] : []), 'IN', '(', ...items.tokens, ')'],
          printed: `(${operand.printed} ${not ? 'NOT ' : ''}IN (${items.printed}))`,
          level: 4,
        };
      }
      case 11: {
        const query = this.simpleSelect(d);
        return r.chance(0.5)
          ? { tokens: ['EXISTS', '(', ...query.tokens, ')'], printed: `EXISTS (${query.printed})`, level: primaryLevel }
          : { tokens: ['(', ...query.tokens, ')'], printed: `(${query.printed})`, level: primaryLevel };
      }
      case 12: {
        const tokens = ['CASE'];
        const printed = ['CASE'];
        if (r.chance(0.5)) {
          const operand = this.expr(d);
          tokens.push(...operand.tokens);
          printed.push(operand.printed);
        }
        for (let i = r.int(1, 3); i > 0; i--) {
          const when = this.expr(d);
          const then = this.expr(d);
          tokens.push('WHEN', ...when.tokens, 'THEN', ...then.tokens);
          printed.push(`WHEN ${when.printed} THEN ${then.printed}`);
        }
        if (r.chance(0.5)) {
          const otherwise = this.expr(d);
          tokens.push('ELSE', ...otherwise.tokens);
          printed.push(`ELSE ${otherwise.printed}`);
        }
        tokens.push('END');
        printed.push('END');
        return { tokens, printed: printed.join(' '), level: primaryLevel };
      }
      case 13: {
        const operand = this.expr(d);
        const type = this.typeName();
        return { tokens: ['CAST', '(', ...operand.tokens, 'AS', ...type.tokens, ')'], printed: `CAST(${operand.printed} AS ${type.printed})`, level: primaryLevel };
      }
      case 14:
      case 15:
        return this.call(d);
      default: {
        const operand = this.expr(d);
        const field = r.pick(['YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND']);
        return { tokens: ['EXTRACT', '(', field, 'FROM', ...operand.tokens, ')'], printed: `EXTRACT(${field} FROM ${operand.printed})`, level: primaryLevel };
      }
    }
  }

  private list(depth: number, count: number): { tokens: string[]; printed: string } {
    const tokens: string[] = [];
    const printed: string[] = [];
    for (let i = 0; i < count; i++) {
      if (i > 0) tokens.push(',');
      const e = this.expr(depth);
      tokens.push(...e.tokens);
      printed.push(e.printed);
    }
    return { tokens, printed: printed.join(', ') };
  }

  private call(depth: number): Gen {
    const r = this.random;
    const name = r.pick(functionNames);
    const upper = name.toUpperCase();
    switch (r.int(0, 4)) {
      case 0:
        return { tokens: [name, '(', '*', ')'], printed: `${upper}(*)`, level: primaryLevel };
      case 1: {
        const arg = this.expr(depth);
        return { tokens: [name, '(', 'DISTINCT', ...arg.tokens, ')'], printed: `${upper}(DISTINCT ${arg.printed})`, level: primaryLevel };
      }
      case 2: {
        const s = this.expr(depth);
        const from = this.expr(depth);
        const forExpr = r.chance(0.5) ? this.expr(depth) : undefined;
        return {
          tokens: ['SUBSTRING', '(', ...s.tokens, 'FROM', ...from.tokens, ...(forExpr === undefined ? [] : ['FOR', ...forExpr.tokens]), ')'],
          printed: `SUBSTRING(${s.printed}, ${from.printed}${forExpr === undefined ? '' : `, ${forExpr.printed}`})`,
          level: primaryLevel,
        };
      }
      default: {
        const args = this.list(depth, r.int(0, 3));
        return { tokens: [name, '(', ...args.tokens, ')'], printed: `${upper}(${args.printed})`, level: primaryLevel };
      }
    }
  }

  private typeName(): { tokens: string[]; printed: string } {
    const name = this.random.pick([...typeAliases.keys()]);
    const tokens = name.split(' ');
    let printed = name;
    if (this.random.chance(0.3)) {
      const params = this.random.chance(0.5) ? [this.random.int(1, 40)] : [this.random.int(1, 40), this.random.int(0, 9)];
      tokens.push('(', ...params.flatMap((p, i) => (i === 0 ? [String(p)] : [',', String(p)])), ')');
      printed += `(${params.join(', ')})`;
    }
    return { tokens, printed };
  }

  private leaf(): Gen {
    const r = this.random;
    const primary = (tokens: string[], printed: string): Gen => ({ tokens, printed, level: primaryLevel });
    switch (r.int(0, 15)) {
      case 0: {
        const value = r.chance(0.8) ? BigInt(r.int(0, 1_000_000)) : BigInt(r.int(0, 2 ** 30)) * BigInt(r.int(0, 2 ** 30)) * 7n;
        return primary([value.toString()], value.toString());
      }
      case 1: {
        const hex = r.int(0, 0xffffff).toString(16).padStart(r.int(1, 16), r.pick(['0', 'f']));
        const value = BigInt.asIntN(64, BigInt(`0x${hex}`));
        return primary([`0x${hex}`], value < 0n ? `(${value})` : value.toString());
      }
      case 2: {
        const text = r.pick(['1.5', '0.25', '3.0', '1e3', '2.5E-3', '.5', '7.', '1e999', '123456789012345678901234567890']);
        const value = Number(text);
        const printed = value === Infinity ? '1e999' : Number.isInteger(value) && Math.abs(value) < 1e21 ? `${value}.0` : String(value);
        return primary([text], printed);
      }
      case 3:
      case 4: {
        const value = r.pick(strings);
        const quoted = `'${value.replace(/'/g, "''")}'`;
        return primary([quoted], quoted);
      }
      case 5: {
        const bytes = r.fill(new Uint8Array(r.int(0, 6)));
        const hex = Buffer.from(bytes).toString('hex');
        return primary([`${r.pick(['X', 'x'])}'${r.chance(0.5) ? hex.toUpperCase() : hex}'`], `X'${hex}'`);
      }
      case 6: {
        const word = r.pick(['TRUE', 'FALSE', 'NULL', 'CURRENT_DATE', 'CURRENT_TIMESTAMP']);
        return primary([word], word);
      }
      case 7: {
        const year = String(r.int(1, 9999)).padStart(4, '0');
        const month = String(r.int(1, 12)).padStart(2, '0');
        const day = String(r.int(1, 28)).padStart(2, '0');
        if (r.chance(0.5)) return primary(['DATE', `'${year}-${month}-${day}'`], `DATE '${year}-${month}-${day}'`);
        const time = `${String(r.int(0, 23)).padStart(2, '0')}:${String(r.int(0, 59)).padStart(2, '0')}:${String(r.int(0, 59)).padStart(2, '0')}`;
        const text = `${year}-${month}-${day}${r.pick([' ', 'T'])}${time}${r.pick(['', '.5', '.123456', 'Z'])}`;
        return primary(['TIMESTAMP', `'${text}'`], `TIMESTAMP '${text}'`);
      }
      case 8: {
        const amount = r.int(-400, 400);
        const unit = r.pick(['DAY', 'MONTH', 'YEAR']);
        const spelled = r.chance(0.3) ? `${unit}S` : unit;
        const tokens = r.chance(0.5) ? ['INTERVAL', `'${amount}'`, spelled] : amount < 0 ? ['INTERVAL', '-', String(-amount), spelled] : ['INTERVAL', String(amount), spelled];
        return primary(tokens, `INTERVAL '${amount}' ${unit}`);
      }
      case 9:
        return this.parameter();
      default: {
        const column = this.name();
        const columnPrinted = printName({ kind: 'Identifier', name: column.name, quoted: column.quoted, span: { start: 0, end: 0 } });
        if (r.chance(0.3)) {
          const table = this.name();
          const tablePrinted = printName({ kind: 'Identifier', name: table.name, quoted: table.quoted, span: { start: 0, end: 0 } });
          return primary([table.sql, '.', column.sql], `${tablePrinted}.${columnPrinted}`);
        }
        return primary([column.sql], columnPrinted);
      }
    }
  }

  private parameter(): Gen {
    const r = this.random;
    const kind = r.int(0, 2);
    if (kind === 0) {
      this.paramMax += 1;
      return { tokens: ['?'], printed: `?${this.paramMax}`, level: primaryLevel };
    }
    if (kind === 1) {
      const index = r.int(1, 40);
      this.paramMax = Math.max(this.paramMax, index);
      return { tokens: [`?${index}`], printed: `?${index}`, level: primaryLevel };
    }
    const name = r.pick(['a', 'b', '__proto__', 'constructor', 'x1']);
    const prefix = r.pick(['$', ':', '@']);
    if (!this.paramNames.has(name)) {
      this.paramMax += 1;
      this.paramNames.set(name, this.paramMax);
    }
    return { tokens: [`${prefix}${name}`], printed: `${prefix}${name}`, level: primaryLevel };
  }

  /** `SELECT e FROM t [WHERE w]`, for subqueries. */
  private simpleSelect(depth: number): { tokens: string[]; printed: string } {
    const e = this.expr(depth);
    const table = this.name();
    const tablePrinted = printName({ kind: 'Identifier', name: table.name, quoted: table.quoted, span: { start: 0, end: 0 } });
    const tokens = ['SELECT', ...e.tokens, 'FROM', table.sql];
    let printed = `SELECT ${e.printed} FROM ${tablePrinted}`;
    if (this.random.chance(0.4)) {
      const where = this.expr(depth);
      tokens.push('WHERE', ...where.tokens);
      printed += ` WHERE ${where.printed}`;
    }
    return { tokens, printed };
  }

  // -------------------------------------------------------------------------
  // Statements (validity and print stability only)
  // -------------------------------------------------------------------------

  /** One random valid statement. */
  statement(depth: number): string {
    this.resetParams();
    return this.render(this.statementTokens(depth));
  }

  private statementTokens(depth: number): string[] {
    const r = this.random;
    switch (r.int(0, 12)) {
      case 0:
      case 1:
      case 2:
      case 3:
        return this.select(depth);
      case 4:
        return this.createTable(depth);
      case 5:
        return r.chance(0.5)
          ? ['CREATE', ...(r.chance(0.5) ? ['UNIQUE'] : []), 'INDEX', ...(r.chance(0.3) ? ['IF', 'NOT', 'EXISTS'] : []), this.name().sql, 'ON', this.name().sql, '(', ...this.nameList(r.int(1, 3), true), ')']
          : ['DROP', r.pick(['TABLE', 'INDEX']), ...(r.chance(0.3) ? ['IF', 'EXISTS'] : []), this.name().sql];
      case 6:
      case 7:
        return this.insert(depth);
      case 8: {
        const tokens = ['UPDATE', this.name().sql, ...(r.chance(0.3) ? ['AS', this.name().sql] : []), 'SET', ...this.assignments(depth)];
        if (r.chance(0.7)) tokens.push('WHERE', ...this.expr(depth).tokens);
        return tokens;
      }
      case 9: {
        const tokens = ['DELETE', 'FROM', this.name().sql];
        if (r.chance(0.7)) tokens.push('WHERE', ...this.expr(depth).tokens);
        return tokens;
      }
      case 10:
        return r.pick([['BEGIN'], ['BEGIN', 'TRANSACTION'], ['BEGIN', 'IMMEDIATE'], ['COMMIT'], ['END', 'TRANSACTION'], ['ROLLBACK'], ['ROLLBACK', 'TRANSACTION']]);
      default:
        return ['EXPLAIN', ...(r.chance(0.3) ? ['QUERY', 'PLAN'] : []), ...this.select(depth)];
    }
  }

  private nameList(count: number, ordered = false): string[] {
    const tokens: string[] = [];
    for (let i = 0; i < count; i++) {
      if (i > 0) tokens.push(',');
      tokens.push(this.name().sql);
      if (ordered && this.random.chance(0.3)) tokens.push(this.random.pick(['ASC', 'DESC']));
    }
    return tokens;
  }

  private assignments(depth: number): string[] {
    const tokens: string[] = [];
    for (let i = this.random.int(1, 3); i > 0; i--) {
      if (tokens.length > 0) tokens.push(',');
      tokens.push(this.name().sql, '=', ...this.expr(depth).tokens);
    }
    return tokens;
  }

  private createTable(depth: number): string[] {
    const r = this.random;
    const tokens = ['CREATE', 'TABLE', ...(r.chance(0.3) ? ['IF', 'NOT', 'EXISTS'] : []), this.name().sql, '('];
    for (let i = r.int(1, 4); i > 0; i--) {
      if (tokens[tokens.length - 1] !== '(') tokens.push(',');
      tokens.push(this.name().sql, ...this.typeName().tokens);
      for (let j = r.int(0, 3); j > 0; j--) {
        switch (r.int(0, 4)) {
          case 0:
            tokens.push('PRIMARY', 'KEY', ...(r.chance(0.3) ? [r.pick(['ASC', 'DESC'])] : []));
            break;
          case 1:
            tokens.push('NOT', 'NULL');
            break;
          case 2:
            tokens.push('UNIQUE');
            break;
          case 3:
            tokens.push('NULL');
            break;
          default:
            tokens.push('DEFAULT', ...(r.chance(0.5) ? this.leafDefault() : ['(', ...this.expr(depth).tokens, ')']));
        }
      }
    }
    if (r.chance(0.3)) tokens.push(',', 'PRIMARY', 'KEY', '(', ...this.nameList(r.int(1, 3)), ')');
    if (r.chance(0.3)) tokens.push(',', 'UNIQUE', '(', ...this.nameList(r.int(1, 3)), ')');
    tokens.push(')');
    return tokens;
  }

  private leafDefault(): string[] {
    return this.random.pick([['0'], ['-', '1'], ['+', '2.5'], ["'x'"], ['NULL'], ['TRUE'], ["X'00'"], ['CURRENT_TIMESTAMP']]);
  }

  private insert(depth: number): string[] {
    const r = this.random;
    const tokens = ['INSERT', 'INTO', this.name().sql];
    if (r.chance(0.5)) tokens.push('(', ...this.nameList(r.int(1, 3)), ')');
    const source = r.int(0, 5);
    if (source === 0) {
      tokens.push('DEFAULT', 'VALUES');
    } else if (source === 1) {
      // No ON CONFLICT after INSERT ... SELECT: as in SQLite, its ON would
      // be read as the constraint of a join that ends the SELECT.
      tokens.push(...this.select(depth));
    } else {
      tokens.push('VALUES');
      for (let i = r.int(1, 3); i > 0; i--) {
        if (tokens[tokens.length - 1] !== 'VALUES') tokens.push(',');
        tokens.push('(', ...this.list(depth, r.int(1, 3)).tokens, ')');
      }
    }
    if (source !== 1 && r.chance(0.4)) {
      tokens.push('ON', 'CONFLICT');
      if (r.chance(0.6)) tokens.push('(', ...this.nameList(r.int(1, 2)), ')');
      if (r.chance(0.5)) {
        tokens.push('DO', 'NOTHING');
      } else {
        tokens.push('DO', 'UPDATE', 'SET', ...this.assignments(depth));
        if (r.chance(0.5)) tokens.push('WHERE', ...this.expr(depth).tokens);
      }
    }
    return tokens;
  }

  private select(depth: number): string[] {
    const r = this.random;
    const tokens = this.selectCore(depth);
    for (let i = r.chance(0.2) ? r.int(1, 3) : 0; i > 0; i--) {
      tokens.push(...r.pick([['UNION'], ['UNION', 'ALL'], ['INTERSECT'], ['EXCEPT']]), ...this.selectCore(depth));
    }
    if (r.chance(0.4)) {
      tokens.push('ORDER', 'BY');
      for (let i = r.int(1, 3); i > 0; i--) {
        if (tokens[tokens.length - 1] !== 'BY') tokens.push(',');
        tokens.push(...this.expr(depth).tokens);
        if (r.chance(0.4)) tokens.push(r.pick(['ASC', 'DESC']));
        if (r.chance(0.3)) tokens.push('NULLS', r.pick(['FIRST', 'LAST']));
      }
    }
    if (r.chance(0.3)) {
      tokens.push('LIMIT', ...this.expr(depth).tokens);
      if (r.chance(0.5)) tokens.push(r.pick(['OFFSET', ',']), ...this.expr(depth).tokens);
    }
    return tokens;
  }

  private selectCore(depth: number): string[] {
    const r = this.random;
    const tokens = ['SELECT'];
    if (r.chance(0.2)) tokens.push(r.pick(['DISTINCT', 'ALL']));
    for (let i = r.int(1, 4); i > 0; i--) {
      if (tokens.length > 1 && tokens[tokens.length - 1] !== 'DISTINCT' && tokens[tokens.length - 1] !== 'ALL') tokens.push(',');
      const kind = r.int(0, 9);
      if (kind === 0) tokens.push('*');
      else if (kind === 1) tokens.push(this.name().sql, '.', '*');
      else {
        tokens.push(...this.expr(depth).tokens);
        if (r.chance(0.3)) {
          // A bare alias that is an interval unit could complete an
          // `interval - 5` ending the expression into an interval literal.
          const alias = this.name();
          tokens.push(...(r.chance(0.5) || alias.name === 'year' ? ['AS'] : []), alias.sql);
        }
      }
    }
    if (r.chance(0.8)) tokens.push('FROM', ...this.from(depth));
    if (r.chance(0.5)) tokens.push('WHERE', ...this.expr(depth).tokens);
    if (r.chance(0.3)) {
      tokens.push('GROUP', 'BY', ...this.list(depth, r.int(1, 3)).tokens);
      if (r.chance(0.5)) tokens.push('HAVING', ...this.expr(depth).tokens);
    }
    return tokens;
  }

  private from(depth: number): string[] {
    const r = this.random;
    const tokens = this.fromItem(depth);
    for (let i = r.int(0, 3); i > 0; i--) {
      switch (r.int(0, 4)) {
        case 0:
          tokens.push(',', ...this.fromItem(depth));
          break;
        case 1:
          tokens.push('CROSS', 'JOIN', ...this.fromItem(depth));
          break;
        case 2:
          tokens.push(...r.pick([['JOIN'], ['INNER', 'JOIN']]), ...this.fromItem(depth), ...(r.chance(0.8) ? ['ON', ...this.expr(depth).tokens] : []));
          break;
        default:
          tokens.push(...r.pick([['LEFT', 'JOIN'], ['LEFT', 'OUTER', 'JOIN']]), ...this.fromItem(depth), 'ON', ...this.expr(depth).tokens);
      }
    }
    return tokens;
  }

  private fromItem(depth: number): string[] {
    const r = this.random;
    const alias = r.chance(0.4) ? [...(r.chance(0.5) ? ['AS'] : []), this.name().sql] : [];
    if (depth > 0 && r.chance(0.15)) return ['(', ...this.select(depth - 1), ')', ...alias];
    if (depth > 0 && r.chance(0.05)) return ['(', ...this.from(depth - 1), ')'];
    return [this.name().sql, ...alias];
  }
}
