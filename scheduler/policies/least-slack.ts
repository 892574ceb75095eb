/**
 * `least-slack`: least slack first, with admission control. A job's slack is
 * `deadline - now - remaining / rate`, with `rate` its progress rate at its
 * current allocation; `now` is common to all jobs, so the order is that of
 * `deadline - remaining / rate`, computed when the job becomes pending (on
 * arrival and at each lease end that does not renew it). A pending job's rate
 * is taken at its full demand (`sizeMax` slots, perfect placement).
 * Otherwise as `edf` (same admission, demotion and preemption at lease
 * boundaries): see `edf.ts`.
 *
 * Guarantee: at every decision, no job is allocated while a pending job with
 * less slack (or not demoted) that fitted the slots then free is left
 * waiting.
 */
import type { Either } from 'fp-ts/lib/Either.js';
import type { PolicyError } from '../errors.js';
import { createDeadlinePolicy } from './edf.js';
import type { Policy } from './policy.js';

export function createLeastSlack(params: Readonly<Record<string, unknown>>): Either<PolicyError, Policy> {
  return createDeadlinePolicy('least-slack', params, (job) => (job.deadline as number) - job.remaining / job.sizeMax);
}
