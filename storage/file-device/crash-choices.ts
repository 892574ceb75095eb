/**
 * What both crashable devices share about crash images: validation of the
 * caller's `CrashImageOptions`, and the enumeration of every combination of
 * independent per-unit choices (a mixed-radix counter).
 *
 * A device's crash state is a list of independent units (8-byte words for
 * pmem, 512-byte sectors for the file device), each with a small number of
 * distinct states it may be found in after a power failure. Choice 0 of
 * every unit is its persisted state, so the first combination enumerated is
 * the all-persisted image, as `CrashImageOptions` promises.
 */
import { LimitError, OptionsViolations, type CrashImageOptions } from '../device/index.js';

/** Validates options coming from a caller; reports every violation at once. */
export function checkCrashImageOptions(options: CrashImageOptions): void {
  const v = new OptionsViolations('crash image options');
  if (typeof options !== 'object' || options === null) {
    v.check(false, 'options must be an object');
    v.throwIfAny();
  }
  switch (options.mode) {
    case 'enumerate':
      v.check(Number.isSafeInteger(options.limit) && options.limit >= 1, 'limit must be a positive integer');
      break;
    case 'sample':
      v.check(Number.isSafeInteger(options.seed), 'seed must be a safe integer');
      v.check(Number.isSafeInteger(options.count) && options.count >= 0, 'count must be a non-negative integer');
      break;
    default:
      v.check(false, "mode must be 'enumerate' or 'sample'");
  }
  v.throwIfAny();
}

/**
 * The number of combinations of `radices` (the product), or throws `LIMIT`
 * when it exceeds `limit`. Stops multiplying once over the limit, so the
 * error reports a lower bound of the count, which is stated in its message.
 */
export function checkCombinationCount(radices: ArrayLike<number>, limit: number): number {
  let count = 1;
  for (let i = 0; i < radices.length; i++) {
    count *= radices[i] as number;
    if (count > limit) throw new LimitError(`crash images (at least; ${radices.length} pending units)`, limit, count);
  }
  return count;
}

/**
 * Yields every combination of digits `d[i]` in `[0, radices[i])`, starting
 * with all zeros; the last unit varies fastest. The yielded array is reused:
 * read it before asking for the next one.
 */
export function* combinations(radices: ArrayLike<number>): Generator<Int32Array> {
  const n = radices.length;
  const digits = new Int32Array(n);
  for (;;) {
    yield digits;
    let i = n - 1;
    while (i >= 0) {
      const next = (digits[i] as number) + 1;
      if (next < (radices[i] as number)) {
        digits[i] = next;
        break;
      }
      digits[i] = 0;
      i--;
    }
    if (i < 0) return;
  }
}
