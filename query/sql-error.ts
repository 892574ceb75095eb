/**
 * Errors found after parsing — unknown names, type errors, misused
 * aggregates — carry the position of the offending text like parse errors
 * do, so that the shell can show the caret excerpt.
 */
import { FairdbError, type FairdbErrorCode } from '../storage/device/index.js';
import { locate, type SourceLocation } from './parse-error.js';
import type { Span } from './ast.js';

export class SqlSemanticError extends FairdbError implements SourceLocation {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  readonly excerpt: string;

  constructor(code: FairdbErrorCode, problem: string, location: SourceLocation) {
    super(code, `${problem} at line ${location.line}, column ${location.column}`);
    this.offset = location.offset;
    this.line = location.line;
    this.column = location.column;
    this.excerpt = location.excerpt;
  }

  override get name(): string {
    return 'SqlSemanticError';
  }
}

/** An error about `sql[span.start, span.end)`. */
export function semanticError(code: FairdbErrorCode, problem: string, sql: string, span: Span | undefined): SqlSemanticError {
  return new SqlSemanticError(code, problem, locate(sql, span?.start ?? 0));
}
