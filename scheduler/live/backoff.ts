/**
 * Retries: whether a failed attempt is retried, and when.
 *
 * - `retries` counts the attempts allowed after the first.
 * - Delay before attempt n + 1 (n attempts made): `fixed` waits `delay`;
 *   `exponential` waits `delay * 2^(n-1)` capped at `backoffMsMax`, with
 *   equal jitter (a uniformly random part of its second half dropped), so
 *   that jobs failing together do not retry together.
 * - Deadline-aware: a retry must be able to start by `deadline - duration`
 *   (duration = the job's work estimate over its slots); when it cannot, the
 *   job fails now rather than run a retry that cannot finish in time. Near
 *   the deadline the delay shrinks to at most half the slack left, so later
 *   retries still fit.
 */
import type { Random } from '../../storage/device/index.js';
import type { BackoffKind } from './job-format.js';
import { backoffMsMax } from './limits.js';

/** The backoff delay before the next attempt, after `attempts` attempts (≥ 1). */
export function backoffDelayMs(kind: BackoffKind, delay: number, attempts: number, random: Random): number {
  switch (kind) {
    case 'none':
      return 0;
    case 'fixed':
      return Math.min(delay, backoffMsMax);
    case 'exponential': {
      const base = Math.min(delay * 2 ** Math.min(attempts - 1, 60), backoffMsMax);
      return base / 2 + random.float() * (base / 2);
    }
    default: {
      const never: never = kind;
      return never;
    }
  }
}

export interface RetryInput {
  readonly nowMs: number;
  /** Attempts made, the failed one included. */
  readonly attempts: number;
  readonly retries: number;
  readonly backoff: BackoffKind;
  readonly backoffDelay: number;
  /** NaN when the job has no deadline. */
  readonly deadlineMs: number;
  /** Estimated running time of one attempt, in ms. */
  readonly durationMs: number;
  readonly random: Random;
}

export type RetryPlan = { readonly retry: true; readonly runAtMs: number } | { readonly retry: false; readonly reason: string };

export function planRetry(input: RetryInput): RetryPlan {
  if (input.attempts > input.retries) {
    return { retry: false, reason: input.retries === 0 ? 'no retries allowed' : `all ${input.retries} retries used` };
  }
  let delay = backoffDelayMs(input.backoff, input.backoffDelay, input.attempts, input.random);
  if (!Number.isNaN(input.deadlineMs)) {
    const latestStart = input.deadlineMs - input.durationMs;
    if (input.nowMs > latestStart) return { retry: false, reason: 'no retry can finish before the deadline' };
    delay = Math.min(delay, (latestStart - input.nowMs) / 2);
  }
  return { retry: true, runAtMs: input.nowMs + delay };
}
