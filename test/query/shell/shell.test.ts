import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { Expr } from '../../../query/ast.js';
import { resolveSqlLimits } from '../../../query/limits.js';
import { parse } from '../../../query/parser.js';
import { formatTable, formatValue, historyEntriesMax, readDepthMax, runShell, type ShellEngine, type ShellIo, type ShellResult, type ShellSummary } from '../../../query/shell.js';
import { FairdbError } from '../../../storage/device/index.js';

/**
 * A tiny in-memory engine behind the ShellEngine interface: CREATE TABLE,
 * INSERT ... VALUES of literals, SELECT * FROM t and SELECT of literals,
 * with the real parser's errors. It records every statement it was given.
 */
class FakeEngine implements ShellEngine {
  readonly ran: string[] = [];
  readonly tablesByName = new Map<string, { columns: string[]; rows: unknown[][]; sql: string }>();

  run(sql: string): ShellResult {
    this.ran.push(sql);
    const parsed = parse(sql);
    if (isLeft(parsed)) throw parsed.left;
    if (parsed.right.length !== 1) throw new FairdbError('INVALID_ARGUMENT', `expected one statement, got ${parsed.right.length}`);
    const statement = parsed.right[0]!;
    switch (statement.kind) {
      case 'CreateTable':
        this.tablesByName.set(statement.name.name, { columns: statement.columns.map((c) => c.name.name), rows: [], sql });
        return { kind: 'changes', changes: 0 };
      case 'Insert': {
        const table = this.table(statement.table.name);
        if (statement.source.kind !== 'Values') throw new FairdbError('INVALID_ARGUMENT', 'the fake engine inserts VALUES only');
        for (const row of statement.source.rows) table.rows.push(row.map(literal));
        return { kind: 'changes', changes: statement.source.rows.length };
      }
      case 'Select': {
        const body = statement.body;
        if (body.kind !== 'SelectCore') throw new FairdbError('INVALID_ARGUMENT', 'no set operations in the fake engine');
        if (body.from?.kind === 'TableSource') {
          const table = this.table(body.from.name.name);
          return { kind: 'rows', columns: table.columns, rows: table.rows };
        }
        const columns = body.items.map((item) => (item.kind === 'SelectExpr' ? (item.alias?.name ?? sql.slice(item.expr.span.start, item.expr.span.end)) : '*'));
        return { kind: 'rows', columns, rows: [body.items.map((item) => (item.kind === 'SelectExpr' ? literal(item.expr) : null))] };
      }
      case 'Begin':
      case 'Commit':
        return { kind: 'changes', changes: 0 };
      default:
        throw new FairdbError('INVALID_ARGUMENT', `the fake engine does not run ${statement.kind}`);
    }
  }

  explain(sql: string): string {
    return `PLAN ${sql}\n  scan`;
  }

  tables(): { name: string; sql: string }[] {
    return [...this.tablesByName].map(([name, t]) => ({ name, sql: t.sql }));
  }

  private table(name: string) {
    const table = this.tablesByName.get(name);
    if (table === undefined) throw new FairdbError('UNKNOWN_TABLE', `no such table: ${name}`);
    return table;
  }
}

function literal(e: Expr): unknown {
  switch (e.kind) {
    case 'IntegerLiteral':
      return Number(e.value);
    case 'RealLiteral':
    case 'StringLiteral':
    case 'BooleanLiteral':
    case 'BlobLiteral':
      return e.value;
    case 'NullLiteral':
      return null;
    case 'Unary':
      if (e.op === '-') return -(literal(e.operand) as number);
      break;
    default:
      break;
  }
  throw new FairdbError('TYPE', `the fake engine evaluates literals only, not ${e.kind}`);
}

interface Session {
  summary: ShellSummary;
  output: string;
  errors: string;
}

/** Runs a shell over `input` and collects what it wrote. */
async function session(engine: ShellEngine, input: string, options: Partial<Omit<ShellIo, 'input' | 'output' | 'error'>> & { separateErrors?: boolean } = {}): Promise<Session> {
  const inputStream = new PassThrough();
  const output = new PassThrough();
  const error = new PassThrough();
  let out = '';
  let err = '';
  output.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  error.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  inputStream.end(input);
  const { separateErrors, ...rest } = options;
  const summary = await runShell(engine, {
    input: inputStream,
    output,
    ...(separateErrors === false ? {} : { error }),
    interactive: false,
    ...rest,
  });
  return { summary, output: out, errors: err };
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fairdb-shell-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('shell: script mode', () => {
  it('runs a script silently and prints results as aligned tables', async () => {
    const engine = new FakeEngine();
    const { summary, output, errors } = await session(
      engine,
      "CREATE TABLE t (id INTEGER, name TEXT);\nINSERT INTO t VALUES (1, 'alpha'), (22, NULL);\nSELECT * FROM t;\n",
    );
    expect(errors).toBe('');
    expect(output).toBe(['(2 changes)', ' id | name', '----+-------', '  1 | alpha', ' 22 | NULL', '(2 rows)', ''].join('\n'));
    expect(summary).toEqual({ executed: 3, failed: 0 });
  });

  it('joins multi-line statements and splits lines holding several, respecting strings and comments', async () => {
    const engine = new FakeEngine();
    const { output, summary } = await session(engine, "SELECT 'a;b'\n  , 2 -- a comment; not the end\n;  SELECT 3 AS x; /* ; */ SELECT\n4;\n");
    expect(engine.ran).toEqual(["SELECT 'a;b'\n  , 2 -- a comment; not the end\n;", 'SELECT 3 AS x;', 'SELECT\n4;']);
    expect(output).toContain(" 'a;b' | 2\n-------+---\n a;b   | 2\n(1 row)\n");
    expect(summary.failed).toBe(0);
  });

  it('shows errors with their caret excerpt and script line, and keeps going', async () => {
    const engine = new FakeEngine();
    const { output, errors, summary } = await session(engine, 'SELECT 1;\n\nSELECT 1 +\n  FROM t;\nSELECT * FROM nope;\nSELECT 2;\n');
    expect(errors).toBe(
      [
        'Error (statement at line 3): syntax error: expected expression, found FROM at line 2, column 3',
        '    FROM t;',
        '    ^',
        'Error (statement at line 5): no such table: nope',
        '',
      ].join('\n'),
    );
    expect(output).toContain(' 2\n---\n 2\n(1 row)\n');
    expect(summary).toEqual({ executed: 4, failed: 2 });
  });

  it('runs the statements before a lexical error, reports it at its script line, and drops the rest of that text', async () => {
    const engine = new FakeEngine();
    const { errors, summary } = await session(engine, "SELECT 1;\nSELECT 2; SELECT #; SELECT 3;\nSELECT 'x';\n");
    expect(engine.ran).toEqual(['SELECT 1;', 'SELECT 2;', "SELECT 'x';"]);
    expect(errors).toBe('Error (line 2): unrecognized character at line 1, column 18\n  SELECT 2; SELECT #; SELECT 3;\n                   ^\n');
    expect(summary.failed).toBe(1);
  });

  it('runs a last statement without ; at the end of the input, and waits for the ; of an unterminated string', async () => {
    const engine = new FakeEngine();
    await session(engine, "SELECT 'a\n;b';\nSELECT 5");
    expect(engine.ran).toEqual(["SELECT 'a\n;b';", 'SELECT 5']);
  });

  it('ends a statement on the line that closes a comment after its ;, and handles statements of many lines', async () => {
    const engine = new FakeEngine();
    const values = Array.from({ length: 9000 }, (_, i) => `(${i})`).join(',\n');
    await session(engine, `CREATE TABLE t (a INT);\nSELECT 1; /* a comment\nstill the comment */\nINSERT INTO t VALUES\n${values};\nSELECT 2;\n`);
    expect(engine.ran).toHaveLength(4);
    expect(engine.ran[1]).toBe('SELECT 1;');
    expect(engine.tablesByName.get('t')?.rows).toHaveLength(9000);
    expect(engine.ran[3]).toBe('SELECT 2;');
  });

  it('writes errors to the output when no error stream is given', async () => {
    const { output } = await session(new FakeEngine(), 'SELECT * FROM nope;\n', { separateErrors: false });
    expect(output).toBe('Error (statement at line 1): no such table: nope\n');
  });

  it('reports an engine defect as an internal error and keeps going', async () => {
    const engine: ShellEngine = {
      run: (sql) => {
        if (sql === 'SELECT 1;') throw new TypeError('boom');
        return { kind: 'changes', changes: 1 };
      },
      explain: () => '',
      tables: () => [],
    };
    const { errors, output, summary } = await session(engine, 'SELECT 1; DELETE FROM t;');
    expect(errors).toBe('Error (statement at line 1): internal error: boom\n');
    expect(output).toBe('(1 change)\n');
    expect(summary).toEqual({ executed: 2, failed: 1 });
  });

  it('awaits asynchronous engines in order', async () => {
    const order: string[] = [];
    const engine: ShellEngine = {
      run: async (sql) => {
        await new Promise((resolve) => setImmediate(resolve));
        order.push(sql);
        return { kind: 'rows', columns: ['v'], rows: [[sql.length]] };
      },
      explain: async () => 'async plan',
      tables: async () => [{ name: 'z', sql: 'CREATE TABLE z (a INT)' }],
    };
    const { output } = await session(engine, 'SELECT 1; SELECT 22;\n.explain SELECT 1\n.tables\n');
    expect(order).toEqual(['SELECT 1;', 'SELECT 22;']);
    expect(output).toBe(' v\n---\n 9\n(1 row)\n  v\n----\n 10\n(1 row)\nasync plan\nz\n');
  });

  it('bounds the text of one statement by sqlBytesMax', async () => {
    const engine = new FakeEngine();
    const limits = resolveSqlLimits({ sqlBytesMax: 40 });
    const { errors, summary } = await session(engine, `SELECT '${'x'.repeat(20)}\n${'y'.repeat(20)}';\nSELECT 1;\n`, { limits });
    expect(errors).toMatch(/^Error \(line 1\): statement text length in bytes \(sqlBytesMax\) is \d+, over the limit of 40/);
    expect(summary.failed).toBe(1);
    expect(engine.ran).toEqual(['SELECT 1;']);
  });
});

describe('shell: commands', () => {
  it('.tables, .schema [table], .explain and .help', async () => {
    const engine = new FakeEngine();
    const { output, errors, summary } = await session(
      engine,
      ['CREATE TABLE b (x INT);', 'CREATE TABLE a (y TEXT);', '.tables', '.schema', '.schema A', '.schema nope', '.explain SELECT 1;', '.help'].join('\n'),
    );
    expect(output).toContain('a\nb\nCREATE TABLE a (y TEXT);\nCREATE TABLE b (x INT);\nCREATE TABLE a (y TEXT);\nPLAN SELECT 1\n  scan\n');
    expect(output).toContain('.schema [table]');
    expect(errors).toBe('Error (line 6): no such table: nope\n');
    expect(summary).toEqual({ executed: 8, failed: 1 });
  });

  it('.timer prints the elapsed time of each statement from the injected clock', async () => {
    let now = 1000;
    const clock = { now: () => (now += 2.5) };
    const { output, errors } = await session(new FakeEngine(), '.timer on\nSELECT 1;\n.timer off\nSELECT 2;\n.timer maybe\n', { clock });
    expect(output).toBe(' 1\n---\n 1\n(1 row)\nRun Time: 2.500 ms\n 2\n---\n 2\n(1 row)\n');
    expect(errors).toBe('Error (line 5): usage: .timer on|off\n');
  });

  it('.read runs a file, commands included, naming the file and line of errors', async () => {
    const file = join(dir, 'script.sql');
    await writeFile(file, 'CREATE TABLE t (a INT);\r\nINSERT INTO t VALUES (7);\n.tables\nSELECT *\n  FROM missing;\nSELECT * FROM t');
    const engine = new FakeEngine();
    const { output, errors, summary } = await session(engine, `.read ${file}\n.read "${file}"\n`);
    expect(output).toContain('(1 change)\nt\n a\n---\n 7\n(1 row)\n');
    expect(errors).toBe(`Error (statement at ${file}:4): no such table: missing\n`.repeat(2));
    expect(summary.failed).toBe(2);
  });

  it('.read refuses a missing file and nesting deeper than readDepthMax', async () => {
    const self = join(dir, 'self.sql');
    await writeFile(self, `SELECT 1;\n.read ${self}\n`);
    const { errors, output, summary } = await session(new FakeEngine(), `.read ${join(dir, 'none.sql')}\n.read ${self}\n`);
    expect(errors.split('\n')[0]).toMatch(/^Error \(line 1\): cannot read .*none\.sql: ENOENT/);
    expect(errors).toContain(`Error (${self}:2): .read is nested more than ${readDepthMax} deep`);
    expect(output.match(/\(1 row\)/g)).toHaveLength(readDepthMax);
    expect(summary.failed).toBe(2);
  });

  it('.quit stops before the following lines; unknown commands are errors', async () => {
    const engine = new FakeEngine();
    const { errors, summary } = await session(engine, '.frobnicate\nSELECT 1;\n.quit\nSELECT 2;\n');
    expect(engine.ran).toEqual(['SELECT 1;']);
    expect(errors).toBe('Error (line 1): unknown command .frobnicate; enter .help for the list\n');
    expect(summary).toEqual({ executed: 3, failed: 1 });
  });

  it('takes a line starting with . inside a statement as SQL, not a command', async () => {
    const engine = new FakeEngine();
    await session(engine, 'SELECT\n.5;\n');
    expect(engine.ran).toEqual(['SELECT\n.5;']);
  });
});

describe('shell: interactive mode', () => {
  it('prompts, continues multi-line statements and shows errors with the caret', async () => {
    const engine = new FakeEngine();
    const { output, summary } = await session(engine, 'SELECT\n1;\nSELECT 1 +;\n', { interactive: true, separateErrors: false });
    expect(output).toBe(
      [
        'fairdb shell: enter SQL terminated by ";", or .help',
        'fairdb>    ...>  1',
        '---',
        ' 1',
        '(1 row)',
        'fairdb> Error: syntax error: expected expression, found ";" at line 1, column 11',
        '  SELECT 1 +;',
        '            ^',
        'fairdb> ',
        '',
      ].join('\n'),
    );
    expect(summary).toEqual({ executed: 2, failed: 1 });
  });

  it('persists the history, keeping the last historyEntriesMax lines', async () => {
    const file = join(dir, 'history');
    const old = Array.from({ length: historyEntriesMax + 5 }, (_, i) => `SELECT ${i};`);
    await writeFile(file, `${old.join('\n')}\n`);
    await session(new FakeEngine(), 'SELECT 42;\nSELECT 42;\n\n.tables\n', { interactive: true, historyFile: file });
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines.slice(-3)).toEqual([`SELECT ${historyEntriesMax + 4};`, 'SELECT 42;', '.tables']);
    expect(lines).toHaveLength(historyEntriesMax + 2);
    expect(lines[0]).toBe('SELECT 5;');
  });

  it('warns once and goes on when the history file cannot be written', async () => {
    const { errors, summary } = await session(new FakeEngine(), 'SELECT 1;\nSELECT 2;\n', { interactive: true, historyFile: join(dir, 'no', 'such', 'dir', 'h') });
    expect(errors.match(/warning: history file/g)).toHaveLength(1);
    expect(summary).toEqual({ executed: 2, failed: 0 });
  });

  it('keeps no history in script mode', async () => {
    const file = join(dir, 'script-history');
    await session(new FakeEngine(), 'SELECT 1;\n', { historyFile: file });
    await expect(readFile(file, 'utf8')).rejects.toThrow(/ENOENT/);
  });
});

describe('shell: value formatting', () => {
  it('formats every kind of value on one line', () => {
    expect(formatValue(null)).toBe('NULL');
    expect(formatValue(undefined)).toBe('NULL');
    expect(formatValue(1.5)).toBe('1.5');
    expect(formatValue(12n)).toBe('12');
    expect(formatValue(true)).toBe('true');
    expect(formatValue(new Uint8Array([0, 171, 255]))).toBe("X'00ABFF'");
    expect(formatValue(new Date(Date.UTC(2024, 0, 2)))).toBe('2024-01-02T00:00:00.000Z');
    expect(formatValue('a\nb\tc\u0001')).toBe('a\\nb\\tc\\x01');
    expect(formatValue('__proto__')).toBe('__proto__');
  });

  it('aligns by code points, numbers to the right, and counts rows', () => {
    expect(formatTable(['n', 'text'], [[1, 'é😀'], [-10.25, 'ab'], [null, null]])).toBe(
      ['      n | text', '--------+------', '      1 | é😀', ' -10.25 | ab', '   NULL | NULL', '(3 rows)', ''].join('\n'),
    );
    expect(formatTable(['a'], [])).toBe(' a\n---\n(0 rows)\n');
    expect(formatTable(['mixed'], [[1], ['x']])).toBe(' mixed\n-------\n 1\n x\n(2 rows)\n');
  });
});
