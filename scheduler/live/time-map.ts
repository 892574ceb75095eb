/**
 * Time for the live scheduler: the injected clock's epoch milliseconds made
 * monotonic, and mapped to the mechanism's seconds.
 *
 * - `nowMs()` never goes backwards: it is the larger of the clock and the
 *   latest time seen (the floor). When the wall clock jumps back, time stands
 *   still until the clock catches up; when it jumps forward, time jumps with
 *   it (leases expire, delayed jobs and cron fires come due).
 * - The floor survives restarts: it is stored in the job system's meta
 *   record (and every record carries times below it), so a clock that is
 *   behind after a restart cannot make a cron schedule fire twice.
 * - Mechanism seconds are `(ms - origin) / 1000`, with the origin the time
 *   the mechanism was built; they never go backwards because `nowMs` does
 *   not. Times before the origin map to 0.
 */
import { assert, type Clock } from '../../storage/device/index.js';

export class TimeMap {
  private floorMs: number;
  private originMs: number;

  constructor(
    private readonly clock: Clock,
    floorMs: number,
  ) {
    this.floorMs = Number.isFinite(floorMs) ? floorMs : -Infinity;
    this.originMs = this.nowMs();
  }

  /** The current time in epoch ms, never less than any time returned before. */
  nowMs(): number {
    const t = this.clock.now();
    if (t > this.floorMs) this.floorMs = t;
    return this.floorMs;
  }

  /** Raises the floor to `ms` (a time found in stored records). */
  raiseFloor(ms: number): void {
    if (ms > this.floorMs) this.floorMs = ms;
  }

  /** The floor without reading the clock. */
  get floor(): number {
    return this.floorMs;
  }

  /** Makes `ms` the mechanism's time 0 (a new mechanism). */
  resetOrigin(ms: number): void {
    assert(ms <= this.floorMs, 'the origin is not in the future');
    this.originMs = ms;
  }

  get origin(): number {
    return this.originMs;
  }

  /** Mechanism seconds of an epoch-ms time (0 for times before the origin). */
  seconds(ms: number): number {
    return ms <= this.originMs ? 0 : (ms - this.originMs) / 1000;
  }

  /** Epoch ms of a mechanism time. */
  ms(seconds: number): number {
    return this.originMs + seconds * 1000;
  }

  /** `seconds(nowMs())`. */
  nowSeconds(): number {
    return this.seconds(this.nowMs());
  }
}
