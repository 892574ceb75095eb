/**
 * Helpers shared by the test suites.
 */
import { FairdbError } from '../storage/device/index.js';

/**
 * The `code` of the FairdbError `fn` throws; undefined when it returns; a
 * "not a FairdbError" text for any other exception, so that an assertion on
 * a code never passes on a stray error.
 */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof FairdbError ? error.code : `not a FairdbError: ${String(error)}`;
  }
  return undefined;
}
