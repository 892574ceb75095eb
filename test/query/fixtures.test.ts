/**
 * Golden fixtures: every `test/query/fixtures/*.sql` file is a script of
 * blocks, each a statement followed by its expected outcome; this one test
 * file runs them all on a fresh engine per file.
 *
 * Format (blank lines separate blocks):
 *
 *   # a comment line, ignored
 *   -- params: [1, "x"]             optional: JSON parameters (array or object)
 *   SELECT a, b FROM t WHERE a = ?  the statement (one or more lines)
 *   -- a | b                        expected: column names, then one line per row
 *   -- 1 | 'x'                      values: NULL, numbers, 'text', true/false, X'hex'
 *
 * Other expectations: `-- ok` (succeeds), `-- changes: N` (rows changed),
 * `-- changes: N, rowid: M` (and lastInsertRowid), `-- (0 rows)` after the
 * header of an empty result, `-- error: CODE` (a FairdbError with that code)
 * optionally followed by text the message must contain. A block whose
 * statement starts with EXPLAIN expects the plan lines.
 *
 * FAIRDB_FIXTURES_RECORD=1 rewrites the expectations from the engine's
 * output — to be reviewed line by line before committing.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FairdbError } from '../../storage/device/index.js';
import { ModelKvStore } from '../../storage/kv/model.js';
import { createSqlEngine, type SqlEngine } from '../../query/index.js';

const dir = join(import.meta.dirname, 'fixtures');
const record = process.env['FAIRDB_FIXTURES_RECORD'] === '1';

interface Block {
  readonly comments: string[];
  readonly params: string | undefined;
  readonly sql: string;
  readonly expected: string[];
  readonly line: number;
}

function parseBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  let comments: string[] = [];
  let params: string | undefined;
  let sql: string[] = [];
  let expected: string[] = [];
  let start = 0;
  const flush = () => {
    if (sql.length > 0) blocks.push({ comments, params, sql: sql.join('\n'), expected, line: start + 1 });
    else if (comments.length > 0) blocks.push({ comments, params: undefined, sql: '', expected: [], line: start + 1 });
    comments = [];
    params = undefined;
    sql = [];
    expected = [];
  };
  lines.forEach((raw, i) => {
    const line = raw.replace(/\s+$/, '');
    if (line === '') {
      flush();
      return;
    }
    if (sql.length === 0 && expected.length === 0 && comments.length === 0 && params === undefined) start = i;
    if (line.startsWith('#')) comments.push(line);
    else if (line.startsWith('-- params: ') && sql.length === 0) params = line.slice('-- params: '.length);
    else if (line.startsWith('--') && sql.length > 0) expected.push(line === '--' ? '' : line.slice(3));
    else sql.push(line);
  });
  flush();
  return blocks;
}

function render(v: unknown): string {
  if (v === null) return 'NULL';
  if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`;
  if (typeof v === 'number' || typeof v === 'boolean') return Object.is(v, -0) ? '-0' : String(v);
  if (v instanceof Uint8Array) return `X'${Buffer.from(v).toString('hex').toUpperCase()}'`;
  return `?${String(v)}`;
}

let lastErrorMessage = '';

function outcome(db: SqlEngine, block: Block): string[] {
  const params = block.params === undefined ? undefined : (JSON.parse(block.params) as unknown);
  const args = params === undefined ? [] : [params];
  try {
    const statement = db.prepare(block.sql);
    if (/^\s*EXPLAIN\b/i.test(block.sql)) return (statement.raw().all(...args) as unknown as unknown[][]).map((r) => String(r[0]));
    if (statement.reader) {
      const columns = statement.columns().map((c) => c.name);
      const rows = statement.raw().all(...args) as unknown as unknown[][];
      return [columns.join(' | '), ...(rows.length === 0 ? ['(0 rows)'] : rows.map((r) => r.map(render).join(' | ')))];
    }
    const result = statement.run(...args);
    const head = /^\s*(INSERT|UPDATE|DELETE)\b/i.test(block.sql) ? `changes: ${result.changes}` : 'ok';
    return [/^\s*INSERT\b/i.test(block.sql) && block.expected[0]?.includes('rowid') ? `${head}, rowid: ${result.lastInsertRowid}` : head];
  } catch (error) {
    if (error instanceof FairdbError) {
      lastErrorMessage = error.message;
      return [`error: ${error.code}`];
    }
    throw error;
  }
}

function matches(expected: readonly string[], actual: readonly string[]): boolean {
  if (expected.length === 1 && expected[0]?.startsWith('error: ') && actual[0]?.startsWith('error: ')) {
    const [, code, ...text] = expected[0].split(' ');
    return code === actual[0].split(' ')[1] && lastErrorMessage.includes(text.join(' '));
  }
  return expected.length === actual.length && expected.every((e, i) => e === actual[i]);
}

const files = readdirSync(dir)
  .filter((f) => f.endsWith('.sql'))
  .sort();

describe('golden fixtures', () => {
  it('has fixture files', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  for (const file of files) {
    it(file, () => {
      const path = join(dir, file);
      const blocks = parseBlocks(readFileSync(path, 'utf8'));
      const db = createSqlEngine(new ModelKvStore(), { columnarRowsMin: 0 });
      const failures: string[] = [];
      let statements = 0;
      const out: string[] = [];
      for (const block of blocks) {
        if (block.sql === '') {
          out.push(...block.comments, '');
          continue;
        }
        statements++;
        const actual = outcome(db, block);
        if (record) {
          const kept = block.expected[0]?.startsWith('error: ') && actual[0]?.startsWith('error: ') && matches(block.expected, actual) ? block.expected : actual;
          out.push(...block.comments, ...(block.params === undefined ? [] : [`-- params: ${block.params}`]), block.sql, ...kept.map((l) => (l === '' ? '--' : `-- ${l}`)), '');
          continue;
        }
        if (block.expected.length === 0) failures.push(`${file}:${block.line}: no expectation for ${block.sql}`);
        else if (!matches(block.expected, actual)) {
          failures.push(`${file}:${block.line}: ${block.sql}\n  expected:\n    ${block.expected.join('\n    ')}\n  actual:\n    ${actual.join('\n    ')}`);
        }
      }
      if (record) writeFileSync(path, `${out.join('\n').replace(/\n+$/, '')}\n`);
      expect(failures.join('\n\n')).toBe('');
      expect(statements).toBeGreaterThan(0);
    });
  }
});
