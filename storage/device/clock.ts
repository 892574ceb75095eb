/**
 * Time comes from an injected `Clock` so that leases, retries, cron and
 * simulations can run on fake time in tests and in the simulator.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /**
   * Calls `callback` after `delayMs` milliseconds of this clock's time.
   * Returns a function that cancels the timer.
   */
  setTimer(delayMs: number, callback: () => void): () => void;
}

/** The wall clock and Node's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(delayMs, callback) {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    handle.unref?.();
    return () => clearTimeout(handle);
  },
};

/**
 * A clock that moves only when told to. Timers fire, in time order, during
 * `advance()` and `set()`.
 */
export class ManualClock implements Clock {
  private timeMs: number;
  private timers: { atMs: number; seq: number; callback: () => void }[] = [];
  private seq = 0;

  constructor(startMs = 0) {
    this.timeMs = startMs;
  }

  now(): number {
    return this.timeMs;
  }

  setTimer(delayMs: number, callback: () => void): () => void {
    const timer = { atMs: this.timeMs + Math.max(0, delayMs), seq: this.seq++, callback };
    this.timers.push(timer);
    return () => {
      const i = this.timers.indexOf(timer);
      if (i >= 0) this.timers.splice(i, 1);
    };
  }

  /** Moves time forward by `deltaMs`, firing due timers in order. */
  advance(deltaMs: number): void {
    this.set(this.timeMs + deltaMs);
  }

  /** Sets the time (a jump backwards fires nothing), firing due timers. */
  set(timeMs: number): void {
    for (;;) {
      let next: (typeof this.timers)[number] | undefined;
      for (const t of this.timers) {
        if (t.atMs <= timeMs && (next === undefined || t.atMs < next.atMs || (t.atMs === next.atMs && t.seq < next.seq))) next = t;
      }
      if (next === undefined) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      if (next.atMs > this.timeMs) this.timeMs = next.atMs;
      next.callback();
    }
    this.timeMs = timeMs;
  }
}
