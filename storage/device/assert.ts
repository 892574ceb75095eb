/**
 * Assertions for programmer errors: a failed assertion means fairdb itself is
 * wrong, never that input was bad. Nobody catches an `AssertionError`.
 * Input (arguments, bytes from disk) is validated and reported with a
 * `FairdbError` instead.
 */
export class AssertionError extends Error {
  override get name(): string {
    return 'AssertionError';
  }
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Exhaustiveness check for `switch` statements over a union. */
export function unreachable(value: never, what = 'value'): never {
  throw new AssertionError(`unexpected ${what}: ${JSON.stringify(value)}`);
}
