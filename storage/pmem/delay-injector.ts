/**
 * Turns accounted device time into wall-clock time, so that a wall-clock
 * benchmark of code running on the emulated device shows the device's speed.
 *
 * Spinning for every ~100 ns operation would measure the cost of reading the
 * clock rather than the device, so the injector accumulates a time debt and
 * busy-waits only once the debt reaches `delayDebtNsMin`; after the wait the
 * debt is settled in full (the wait lasts at least the debt). Over many
 * operations the injected time equals the accounted time within one
 * threshold. The emulator's own CPU time is not subtracted: a wall-clock
 * figure is the device time plus the emulator's overhead, i.e. an upper
 * bound of what the hardware would take.
 *
 * Busy-waiting (not sleeping) is deliberate: the operations it stands for
 * are synchronous loads, stores and fences that keep the CPU busy, and no
 * timer in Node resolves microseconds.
 */

/** The debt, in ns, at which the injector spins (10 µs: ≈ 50 Optane commit barriers). */
export const delayDebtNsMin = 10_000;

export class DelayInjector {
  private debtNs = 0;
  /** Wall-clock nanoseconds spent spinning, for tests and reports. */
  spentNs = 0;

  /** Adds `ns` to the debt and spins if the debt reached the threshold. */
  charge(ns: number): void {
    this.debtNs += ns;
    if (this.debtNs >= delayDebtNsMin) this.settle();
  }

  /** Spins until the whole debt has elapsed on the wall clock. */
  settle(): void {
    if (this.debtNs <= 0) return;
    const startMs = performance.now();
    const waitMs = this.debtNs / 1e6;
    let elapsedMs = 0;
    while (elapsedMs < waitMs) elapsedMs = performance.now() - startMs;
    this.spentNs += elapsedMs * 1e6;
    this.debtNs = 0;
  }
}
