/**
 * Operating errors of the scheduler. A policy's `Left` is a `PolicyError`; a
 * bad trace file is a `TraceError` that says which lines are wrong. Both are
 * `FairdbError`s, so the public facade throws them as they are.
 */
import { FairdbError } from '../storage/device/index.js';

/** A policy could not be created (bad parameters) or could not decide. */
export class PolicyError extends FairdbError {
  /** The policy's name as given. */
  readonly policy: string;

  constructor(policy: string, message: string) {
    super('INVALID_ARGUMENT', `policy ${JSON.stringify(policy)}: ${message}`);
    this.policy = policy;
  }
}

/** One problem of a trace, at a 1-based line (0 when it concerns the whole file). */
export interface TraceProblem {
  readonly line: number;
  readonly message: string;
}

/** A CSV trace is malformed; `problems` lists the first errors with their lines. */
export class TraceError extends FairdbError {
  readonly problems: readonly TraceProblem[];
  /** Problems found beyond those listed. */
  readonly more: number;

  constructor(problems: readonly TraceProblem[], more: number) {
    const text = problems.map((p) => (p.line > 0 ? `line ${p.line}: ${p.message}` : p.message)).join('; ');
    super('PARSE', `invalid trace: ${text}${more > 0 ? `; and ${more} more` : ''}`);
    this.problems = problems;
    this.more = more;
  }
}
