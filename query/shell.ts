/**
 * The interactive SQL shell (`fairdb shell [path]`), written against a small
 * `ShellEngine` interface so that it can be driven by the real engine, by a
 * fake in tests, or by another backend.
 *
 * Input is read line by line. A line starting with `.` at the start of a
 * statement is a command (`.help` lists them); anything else accumulates
 * until the text ends with a `;` outside strings, quoted names and comments
 * (the lexer decides), then each statement is run in turn. Errors are shown
 * with their caret excerpt and the shell keeps going; the summary it
 * resolves to says whether anything failed, for a script's exit code.
 *
 * Interactive mode prompts (`fairdb> `, then `   ...> ` inside a statement),
 * keeps a line history (persisted to `historyFile` when given) and, on a
 * terminal, line editing. Script mode (input not a terminal) echoes no
 * prompts and runs a final statement that lacks its `;`.
 */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Clock } from '../storage/device/index.js';
import { FairdbError } from '../storage/device/index.js';
import { endsWithTerminator, tokenize, type Token } from './lexer.js';
import { resolveSqlLimits, type SqlLimits } from './limits.js';
import { SqlLimitError, locate } from './parse-error.js';

/** What one statement produced. */
export type ShellResult =
  /** A query: column names in select-list order and rows as arrays in that order. */
  | { readonly kind: 'rows'; readonly columns: readonly string[]; readonly rows: readonly (readonly unknown[])[] }
  /** Anything else: how many rows it inserted, updated or deleted (0 for DDL and transaction control). */
  | { readonly kind: 'changes'; readonly changes: number };

/**
 * What the shell needs from a SQL engine. Errors are thrown; a
 * `FairdbError` that has an `excerpt` (parse, limit and semantic errors)
 * is shown with it.
 */
export interface ShellEngine {
  /** Runs exactly one statement: its text, with the `;` that ended it if there was one. */
  run(sql: string): ShellResult | Promise<ShellResult>;
  /** The plan of one statement, as text. */
  explain(sql: string): string | Promise<string>;
  /** Every table and the SQL text that created it. */
  tables(): readonly { readonly name: string; readonly sql: string }[] | Promise<readonly { readonly name: string; readonly sql: string }[]>;
}

export interface ShellIo {
  /** Lines of SQL and commands. */
  readonly input: Readable;
  /** Results, prompts (interactive only) and, without `error`, errors. */
  readonly output: Writable;
  /** Error messages; default: `output`. */
  readonly error?: Writable;
  /** Prompt and keep history (a terminal session) or read a script silently. */
  readonly interactive: boolean;
  /** Where to load and save the line history (interactive only); default: none. */
  readonly historyFile?: string;
  /** Time source for `.timer`, in milliseconds; default: `performance.now()`. */
  readonly clock?: Pick<Clock, 'now'>;
  /** Limits for statement text (see limits.ts); default: the defaults. */
  readonly limits?: SqlLimits;
}

/** What a shell session did, for an exit code. */
export interface ShellSummary {
  /** Statements and commands run. */
  readonly executed: number;
  /** How many of them failed. */
  readonly failed: number;
}

/** Most history lines kept in memory and in the history file. */
export const historyEntriesMax = 1000;

/** Deepest nesting of `.read` (a file that reads itself stops here). */
export const readDepthMax = 16;

/** Largest file `.read` accepts, in bytes (256 MiB). */
export const readFileBytesMax = 256 * 1024 * 1024;

const prompt = 'fairdb> ';
const continuationPrompt = '   ...> ';

const help = `Enter SQL statements terminated by ";". Commands:
  .explain <sql>     show the plan of a statement
  .help              show this text
  .quit, .exit       leave the shell
  .read <file>       run the statements and commands in a file
  .schema [table]    show the CREATE statement of every table, or of one
  .tables            list the tables
  .timer on|off      show how long each statement takes
`;

/**
 * Runs a shell session until the input ends or `.quit`; resolves to what it
 * did. Never rejects for bad SQL or a failing statement; rejects only if
 * the streams fail.
 */
export async function runShell(engine: ShellEngine, io: ShellIo): Promise<ShellSummary> {
  const session = new ShellSession(engine, io);
  return session.run();
}

class ShellSession {
  private readonly out: Writable;
  private readonly err: Writable;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly limits: SqlLimits;
  private timer = false;
  private quit = false;
  private executed = 0;
  private failed = 0;
  private history: string[] = [];
  private historyBroken = false;

  constructor(
    private readonly engine: ShellEngine,
    private readonly io: ShellIo,
  ) {
    this.out = io.output;
    this.err = io.error ?? io.output;
    this.clock = io.clock ?? { now: () => performance.now() };
    this.limits = io.limits ?? resolveSqlLimits(undefined);
  }

  async run(): Promise<ShellSummary> {
    const interactive = this.io.interactive;
    if (interactive) await this.loadHistory();
    const terminal = interactive && (this.out as Writable & { isTTY?: boolean }).isTTY === true;
    const rl = createInterface({
      input: this.io.input,
      output: interactive ? this.out : undefined,
      terminal,
      historySize: historyEntriesMax,
      // readline keeps its history newest first.
      history: terminal ? [...this.history].reverse() : [],
      removeHistoryDuplicates: true,
      crlfDelay: Infinity,
    });
    const input: InputContext = { name: interactive ? undefined : '', depth: 0, buffer: '', bufferLine: 1, bufferBytes: 0, lineNo: 0 };
    const showPrompt = () => {
      if (!interactive) return;
      rl.setPrompt(input.buffer === '' ? prompt : continuationPrompt);
      rl.prompt();
    };
    rl.on('SIGINT', () => {
      // Ctrl-C abandons the statement being typed, as in sqlite3.
      input.buffer = '';
      this.out.write('^C\n');
      showPrompt();
    });
    if (interactive) this.out.write('fairdb shell: enter SQL terminated by ";", or .help\n');
    showPrompt();
    try {
      for await (const line of rl) {
        if (interactive) await this.remember(line);
        await this.line(input, line);
        if (this.quit) break;
        showPrompt();
      }
      if (!this.quit) await this.finish(input);
    } finally {
      rl.close();
    }
    if (interactive) this.out.write('\n');
    return { executed: this.executed, failed: this.failed };
  }

  /** Handles one input line: a command, or more of the statement being entered. */
  private async line(input: InputContext, line: string): Promise<void> {
    input.lineNo++;
    if (input.buffer === '') {
      if (line.trimStart().startsWith('.')) {
        await this.command(line.trim(), input);
        return;
      }
      if (line.trim() === '') return;
      input.bufferLine = input.lineNo;
      input.bufferBytes = 0;
    }
    const text = input.buffer === '' ? line : `${input.buffer}\n${line}`;
    // Counted per line, so that a long statement is not measured again on every line.
    input.bufferBytes += Buffer.byteLength(line, 'utf8') + (input.buffer === '' ? 0 : 1);
    if (input.bufferBytes > this.limits.sqlBytesMax) {
      input.buffer = '';
      this.fail(
        new SqlLimitError({ location: locate(text, 0), what: 'statement text length in bytes', limitName: 'sqlBytesMax', limit: this.limits.sqlBytesMax, actual: input.bufferBytes }),
        where(input, input.bufferLine),
      );
      return;
    }
    // Only a line with a ";" (or one closing a comment after a ";") can end
    // the statement; skipping the lexer on the others keeps a statement of
    // many lines from being lexed once per line.
    if ((!line.includes(';') && !line.includes('*/')) || !endsWithTerminator(text, this.limits)) {
      input.buffer = text;
      return;
    }
    input.buffer = '';
    await this.statements(input, text);
  }

  /** At the end of the input: runs a last statement that lacks its `;`. */
  private async finish(input: InputContext): Promise<void> {
    const text = input.buffer;
    input.buffer = '';
    if (text.trim() !== '') await this.statements(input, text);
  }

  /**
   * Runs every statement of `text`, split at top-level `;`. A lexical error
   * (an unterminated string, a bad character) ends the text there: the
   * statements before it run, and the error is shown.
   */
  private async statements(input: InputContext, text: string): Promise<void> {
    const { tokens, error } = tokenize(text, this.limits);
    let start: Token | undefined;
    let startLine = 1;
    let linesBefore = 0;
    let counted = 0;
    const lineAt = (offset: number): number => {
      // Statements come in order, so lines are counted once, incrementally.
      for (; counted < offset; counted++) if (text.charCodeAt(counted) === 10) linesBefore++;
      return input.bufferLine + linesBefore;
    };
    for (const token of tokens) {
      const ends = token.kind === 'End' || (token.kind === 'Operator' && token.text === ';');
      if (!ends) {
        if (start === undefined) {
          start = token;
          startLine = lineAt(token.start);
        }
        continue;
      }
      if (start !== undefined) {
        // The statement goes with its `;`, so that errors point at what was typed.
        await this.statement(text.slice(start.start, token.end), where(input, startLine, true));
        if (this.quit) return;
        start = undefined;
      }
    }
    if (error !== undefined) {
      this.executed++;
      this.fail(error, where(input, input.bufferLine + error.line - 1));
    } else if (start !== undefined) {
      await this.statement(text.slice(start.start), where(input, startLine, true));
    }
  }

  private async statement(sql: string, at: string | undefined): Promise<void> {
    this.executed++;
    const started = this.clock.now();
    try {
      const result = await this.engine.run(sql);
      this.show(result);
    } catch (error) {
      this.fail(error, at);
    }
    if (this.timer) this.out.write(`Run Time: ${(this.clock.now() - started).toFixed(3)} ms\n`);
  }

  private show(result: ShellResult): void {
    if (result.kind === 'changes') {
      if (result.changes > 0) this.out.write(`(${result.changes} ${result.changes === 1 ? 'change' : 'changes'})\n`);
      return;
    }
    this.out.write(formatTable(result.columns, result.rows));
  }

  /** Reports a failure: the message, and the caret excerpt when the error has one. */
  private fail(error: unknown, where: string | undefined): void {
    this.failed++;
    const prefix = where === undefined ? 'Error' : `Error (${where})`;
    if (error instanceof FairdbError) {
      const excerpt = (error as FairdbError & { excerpt?: unknown }).excerpt;
      this.err.write(`${prefix}: ${error.message}\n`);
      if (typeof excerpt === 'string' && excerpt !== '') this.err.write(`${indent(excerpt)}\n`);
    } else if (error instanceof ShellCommandError) {
      this.err.write(`${prefix}: ${error.message}\n`);
    } else {
      // Not an operating error: a defect of the engine. Show it, keep going.
      this.err.write(`${prefix}: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }

  private async command(line: string, input: InputContext): Promise<void> {
    const space = line.search(/\s/);
    const name = (space < 0 ? line : line.slice(0, space)).toLowerCase();
    const argument = space < 0 ? '' : line.slice(space).trim();
    this.executed++;
    try {
      switch (name) {
        case '.help':
          this.out.write(help);
          return;
        case '.quit':
        case '.exit':
          this.quit = true;
          return;
        case '.tables': {
          const tables = await this.engine.tables();
          const names = tables.map((t) => t.name).sort();
          if (names.length > 0) this.out.write(`${names.join('\n')}\n`);
          return;
        }
        case '.schema': {
          const tables = [...(await this.engine.tables())].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
          const wanted = argument === '' ? tables : tables.filter((t) => t.name.toLowerCase() === argument.toLowerCase());
          if (argument !== '' && wanted.length === 0) throw new ShellCommandError(`no such table: ${argument}`);
          for (const t of wanted) this.out.write(`${t.sql.trimEnd().replace(/;$/, '')};\n`);
          return;
        }
        case '.timer':
          if (argument.toLowerCase() === 'on') this.timer = true;
          else if (argument.toLowerCase() === 'off') this.timer = false;
          else throw new ShellCommandError('usage: .timer on|off');
          return;
        case '.explain': {
          if (argument === '') throw new ShellCommandError('usage: .explain <sql>');
          const plan = await this.engine.explain(argument.replace(/;\s*$/, ''));
          this.out.write(plan.endsWith('\n') ? plan : `${plan}\n`);
          return;
        }
        case '.read':
          await this.read(unquote(argument), input.depth);
          return;
        default:
          throw new ShellCommandError(`unknown command ${name}; enter .help for the list`);
      }
    } catch (error) {
      this.fail(error, where(input, input.lineNo));
    }
  }

  /** `.read file`: runs the file's lines as if typed, commands included. */
  private async read(file: string, readDepth: number): Promise<void> {
    if (file === '') throw new ShellCommandError('usage: .read <file>');
    if (readDepth >= readDepthMax) throw new ShellCommandError(`.read is nested more than ${readDepthMax} deep`);
    let content: string;
    try {
      const bytes = await readFile(file);
      if (bytes.length > readFileBytesMax) throw new ShellCommandError(`${file} is ${bytes.length} bytes, over the limit of ${readFileBytesMax}`);
      content = bytes.toString('utf8');
    } catch (error) {
      if (error instanceof ShellCommandError) throw error;
      throw new ShellCommandError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const input: InputContext = { name: file, depth: readDepth + 1, buffer: '', bufferLine: 1, bufferBytes: 0, lineNo: 0 };
    for (const line of content.split(/\r?\n/)) {
      await this.line(input, line);
      if (this.quit) return;
    }
    await this.finish(input);
  }

  private async loadHistory(): Promise<void> {
    const file = this.io.historyFile;
    if (file === undefined) return;
    try {
      const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l.trim() !== '');
      this.history = lines.slice(-historyEntriesMax);
      // Trim a file that grew past the limit (lines are appended one by one).
      if (lines.length > historyEntriesMax) await writeFile(file, `${this.history.join('\n')}\n`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.historyFailed(error);
    }
  }

  /** Adds an entered line to the history and appends it to the history file. */
  private async remember(line: string): Promise<void> {
    if (line.trim() === '' || this.history[this.history.length - 1] === line) return;
    this.history.push(line);
    if (this.history.length > historyEntriesMax) this.history.shift();
    const file = this.io.historyFile;
    if (file === undefined || this.historyBroken) return;
    try {
      await appendFile(file, `${line}\n`);
    } catch (error) {
      this.historyFailed(error);
    }
  }

  private historyFailed(error: unknown): void {
    // History is a convenience: report once and go on without it.
    this.historyBroken = true;
    this.err.write(`warning: history file ${this.io.historyFile}: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

/** A misused shell command (not a SQL error). */
class ShellCommandError extends Error {}

/** Where lines come from: the session's input or a file being `.read`. */
interface InputContext {
  /** undefined: interactive input; '': a script on the input; else the file being read. */
  readonly name: string | undefined;
  /** `.read` nesting. */
  readonly depth: number;
  /** The statement text entered so far. */
  buffer: string;
  /** The 1-based line the buffer starts on. */
  bufferLine: number;
  /** UTF-8 bytes in the buffer. */
  bufferBytes: number;
  /** Lines read so far. */
  lineNo: number;
}

/**
 * How an error's place is named: nothing interactively (the input is on
 * screen), `line N` in a script, `file:N` in a file; for an error inside a
 * statement, N is the line the statement starts on (the error's own line
 * and column count from there).
 */
function where(input: InputContext, line: number, statement = false): string | undefined {
  if (input.name === undefined) return undefined;
  const at = input.name === '' ? `line ${line}` : `${input.name}:${line}`;
  return statement ? `statement at ${at}` : at;
}

/** A file name as typed: quotes around it, if any, removed. */
function unquote(text: string): string {
  const match = /^(['"])(.*)\1$/.exec(text);
  return match === null ? text : (match[2] as string);
}

function indent(excerpt: string): string {
  return excerpt
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

/** How a value is shown in a result table. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return escapeControl(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Uint8Array) return `X'${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex').toUpperCase()}'`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  return escapeControl(String(value));
}

/** Control characters (line breaks, tabs, ...) as escapes, so that one row stays one line. */
function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(text)
    ? // eslint-disable-next-line no-control-regex
      text.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`))
    : text;
}

/** Width of a cell in code points. */
function width(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

/**
 * Rows as an aligned table: a header, a separator, numbers right-aligned,
 * everything else left-aligned, NULL for null, and a row count.
 *
 *      id | name
 *     ----+------
 *       1 | a
 *       2 | NULL
 *     (2 rows)
 */
export function formatTable(columns: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = rows.map((row) => columns.map((_, i) => formatValue(row[i])));
  const numeric = columns.map((_, i) => rows.length > 0 && rows.every((row) => row[i] === null || row[i] === undefined || typeof row[i] === 'number' || typeof row[i] === 'bigint'));
  const widths = columns.map((name, i) => Math.max(width(escapeControl(name)), ...cells.map((row) => width(row[i] as string))));
  const pad = (text: string, i: number, right: boolean) => {
    const fill = ' '.repeat((widths[i] as number) - width(text));
    return right ? fill + text : text + fill;
  };
  const lines: string[] = [];
  lines.push(` ${columns.map((name, i) => pad(escapeControl(name), i, numeric[i] === true)).join(' | ')}`.trimEnd());
  lines.push(widths.map((w) => '-'.repeat(w + 2)).join('+'));
  for (const row of cells) lines.push(` ${row.map((cell, i) => pad(cell, i, numeric[i] === true)).join(' | ')}`.trimEnd());
  lines.push(`(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})`);
  return `${lines.join('\n')}\n`;
}

