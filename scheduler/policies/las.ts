/**
 * `las`: least attained service, after Tiresias (NSDI'19, discretized
 * two-dimensional LAS). A job's attained service is the slot-seconds it has
 * held (space × time, the "2D" of Tiresias). Jobs are kept in K queues cut by
 * `thresholds` (slot-seconds, ascending; K = thresholds + 1): a job with
 * attained service a is in queue `#{t ≤ a}`. Lower queues run first; within
 * a queue, arrival order (Tiresias' FIFO within a queue). A job that crosses
 * a threshold while running is demoted when its lease ends, and a job
 * waiting in a lower queue preempts it at that boundary: short jobs finish
 * fast without knowing job sizes in advance.
 *
 * Not modelled from the paper: the starvation guard that promotes a job
 * waiting longer than STARVELIMIT times its run time back to queue 0.
 *
 * Guarantee: at every decision, no job is allocated while a pending job of a
 * lower queue that fitted the slots then free is left waiting.
 * Placement: `packed` by default (Tiresias consolidates gangs).
 */
import { map, type Either } from 'fp-ts/lib/Either.js';
import type { PolicyError } from '../errors.js';
import { decideInOrder } from './first-fit.js';
import { placementParam, readParams } from './params.js';
import type { Policy } from './policy.js';
import type { PlacementStrategy } from './decision-builder.js';

const schema = {
  placement: placementParam('packed'),
  /** Queue thresholds on attained service, slot-seconds; default 1 and 8 slot-hours. */
  thresholds: { kind: 'ascending-numbers', min: Number.MIN_VALUE, max: 1e15, lengthMax: 16, default: [3600, 28800] },
} as const;

/** The LAS queue of a job with `attained` slot-seconds of service. */
export function lasQueue(thresholds: readonly number[], attained: number): number {
  let level = 0;
  while (level < thresholds.length && attained >= (thresholds[level] as number)) level++;
  return level;
}

export function createLas(params: Readonly<Record<string, unknown>>): Either<PolicyError, Policy> {
  return map((p: { placement: string; thresholds: readonly number[] }) => {
    const placement = p.placement as PlacementStrategy;
    const thresholds = p.thresholds;
    return {
      name: 'las',
      params: p,
      queueKey: (job) => [lasQueue(thresholds, job.attained), job.arrival],
      decide: (view) => decideInOrder(view, placement),
    } satisfies Policy;
  })(readParams('las', params, schema));
}
