/**
 * A tenant's rate limit: a token bucket of `jobs` tokens refilled at `jobs`
 * per `perMs` ms. Each start takes one token, so over any window of `perMs`
 * at most about `2 * jobs` jobs start, and `jobs / perMs` on average.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    readonly jobs: number,
    readonly perMs: number,
    nowMs: number,
  ) {
    this.tokens = jobs;
    this.at = nowMs;
  }

  private refill(nowMs: number): void {
    if (nowMs <= this.at) return;
    this.tokens = Math.min(this.jobs, this.tokens + ((nowMs - this.at) * this.jobs) / this.perMs);
    this.at = nowMs;
  }

  /** Whole tokens available now. */
  available(nowMs: number): number {
    this.refill(nowMs);
    return Math.floor(this.tokens + 1e-9);
  }

  /** Takes one token (callers check `available` first). */
  take(nowMs: number): void {
    this.refill(nowMs);
    this.tokens -= 1;
  }

  /** When the next whole token will be there (now when one is). */
  nextTokenAt(nowMs: number): number {
    this.refill(nowMs);
    if (this.tokens >= 1 - 1e-9) return nowMs;
    return nowMs + Math.ceil(((1 - this.tokens) * this.perMs) / this.jobs);
  }
}
