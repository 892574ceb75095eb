/**
 * Operating errors of fairdb. Every error a caller can provoke with input, a
 * file on disk or the state of the process is a `FairdbError` with a stable
 * `code`; programmer errors are `AssertionError`s (see `assert.ts`) and are
 * never caught.
 *
 * The codes are part of the public API: never rename one.
 */

/** Stable error codes; part of the public API. */
export type FairdbErrorCode =
  | 'CORRUPTION'
  | 'LOCKED'
  | 'CLOSED'
  | 'LIMIT'
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'PARSE'
  | 'UNKNOWN_TABLE'
  | 'UNKNOWN_COLUMN'
  | 'TYPE'
  | 'CONSTRAINT'
  | 'CONFLICT'
  | 'FENCED'
  | 'IO';

export class FairdbError extends Error {
  readonly code: FairdbErrorCode;

  constructor(code: FairdbErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  override get name(): string {
    return 'FairdbError';
  }
}

/** Bytes read from a device failed validation (bad magic, CRC, length, ...). */
export class CorruptionError extends FairdbError {
  /** The file (or device description) the bad bytes came from. */
  readonly file: string;
  /** Byte offset of the first invalid byte or of the record that holds it. */
  readonly offset: number;

  constructor(file: string, offset: number, message: string) {
    super('CORRUPTION', `${message} (${file} at offset ${offset})`);
    this.file = file;
    this.offset = offset;
  }
}

/** A size or count limit was exceeded; the message names the limit. */
export class LimitError extends FairdbError {
  readonly limit: number;
  readonly actual: number;

  constructor(what: string, limit: number, actual: number) {
    super('LIMIT', `${what} is ${actual}, over the limit of ${limit}`);
    this.limit = limit;
    this.actual = actual;
  }
}

export class InvalidArgumentError extends FairdbError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

export class ClosedError extends FairdbError {
  constructor(what: string) {
    super('CLOSED', `${what} is closed`);
  }
}

export class LockedError extends FairdbError {
  readonly path: string;
  readonly pid: number | undefined;

  constructor(path: string, pid: number | undefined, holder: 'another process' | 'this process' = 'another process') {
    super('LOCKED', `${path} is already open in ${holder}${pid === undefined ? '' : ` (pid ${pid})`}`);
    this.path = path;
    this.pid = pid;
  }
}

/** An I/O call of the host failed; `cause` holds the system error. */
export class IoError extends FairdbError {
  constructor(message: string, cause: unknown) {
    super('IO', `${message}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * Collects every violation of an options object so that all of them are
 * reported at once (see STYLE.md, "Options").
 */
export class OptionsViolations {
  private readonly violations: string[] = [];

  constructor(private readonly what: string) {}

  check(ok: boolean, message: string): void {
    if (!ok) this.violations.push(message);
  }

  /** Throws an `InvalidArgumentError` listing every violation, if any. */
  throwIfAny(): void {
    if (this.violations.length === 0) return;
    throw new InvalidArgumentError(`invalid ${this.what}: ${this.violations.join('; ')}`);
  }
}
