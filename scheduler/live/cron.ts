/**
 * Cron schedules: next fire times (cron-parser, which handles time zones and
 * daylight-saving transitions) and the catch-up rule after downtime.
 *
 * No missed and no double fire: a schedule's next fire time is stored in
 * its record, and each fire commits the job it creates together with the
 * new next fire time, in one transaction. A fire is either committed with
 * its job or not at all, so a crash neither loses nor repeats one; the
 * scheduler's time never goes backwards (time-map.ts), so a clock jumping
 * back cannot reach a fire time again.
 *
 * Catch-up: fire times that passed while the process was down (or the clock
 * jumped forward) are all fired, oldest first, up to `cronCatchUpFiresMax`;
 * beyond that the oldest are counted as skipped in the schedule's record.
 */
import { CronExpressionParser } from 'cron-parser';
import { InvalidArgumentError } from '../../storage/device/index.js';
import { cronCatchUpFiresMax } from './limits.js';

/** Fire times examined at most when catching up; beyond, the schedule jumps to the next fire after now. */
const catchUpScanMax = 100 * cronCatchUpFiresMax;

function checkTimeZone(tz: string | undefined): void {
  if (tz === undefined) return;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new InvalidArgumentError(`unknown time zone ${JSON.stringify(tz)}`);
  }
}

/** The first fire time strictly after `afterMs`; throws INVALID_ARGUMENT for a bad expression or zone, or one that never fires. */
export function nextFireAfter(expression: string, tz: string | undefined, afterMs: number): number {
  checkTimeZone(tz);
  let next: number;
  try {
    const parsed = CronExpressionParser.parse(expression, { currentDate: new Date(afterMs), tz: tz ?? 'UTC' });
    next = parsed.next().getTime();
  } catch (error) {
    throw new InvalidArgumentError(`invalid cron expression ${JSON.stringify(expression)}: ${(error as Error).message}`);
  }
  if (!Number.isFinite(next) || next <= afterMs) throw new InvalidArgumentError(`cron expression ${JSON.stringify(expression)} has no fire time after ${new Date(afterMs).toISOString()}`);
  return next;
}

/** The fires due at `nowMs` for a schedule whose next fire is `nextFireMs`. */
export interface DueFires {
  /** Fire times to fire now, oldest first (at most cronCatchUpFiresMax). */
  readonly fires: readonly number[];
  /** Missed fire times dropped by the catch-up limit. */
  readonly skipped: number;
  /** The schedule's next fire time after these. */
  readonly next: number;
}

export function dueFires(expression: string, tz: string | undefined, nextFireMs: number, nowMs: number): DueFires {
  if (nextFireMs > nowMs) return { fires: [], skipped: 0, next: nextFireMs };
  const parsed = CronExpressionParser.parse(expression, { currentDate: new Date(nextFireMs), tz: tz ?? 'UTC' });
  const fires: number[] = [nextFireMs];
  let skipped = 0;
  let scanned = 1;
  let next = parsed.next().getTime();
  while (next <= nowMs) {
    if (scanned >= catchUpScanMax) {
      // Too far behind to walk every missed fire: resume after now.
      skipped += 1;
      next = nextFireAfter(expression, tz, nowMs);
      break;
    }
    fires.push(next);
    scanned++;
    next = parsed.next().getTime();
  }
  if (fires.length > cronCatchUpFiresMax) {
    skipped += fires.length - cronCatchUpFiresMax;
    return { fires: fires.slice(fires.length - cronCatchUpFiresMax), skipped, next };
  }
  return { fires, skipped, next };
}
