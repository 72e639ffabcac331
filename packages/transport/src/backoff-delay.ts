export interface BackoffOptions {
  /** Delay ceiling of the first retry (attempt 0). Default 1000 ms. */
  readonly baseMs?: number;
  /** Upper bound of any delay. Default 300 000 ms (Dataverse's 5-minute throttling window). */
  readonly capMs?: number;
  /** Source of randomness in [0, 1); injectable for tests. Default Math.random. */
  readonly random?: () => number;
}

/**
 * Capped exponential backoff with full jitter: a uniform pick in [0, min(cap, base·2^attempt)).
 * Full jitter spreads the retries of many clients that failed together (AWS architecture blog,
 * "Exponential Backoff And Jitter"), which matters because Dataverse throttles per user.
 * `attempt` is 0 for the first retry; negative or non-finite attempts count as 0.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const baseMs = Math.max(0, options.baseMs ?? 1000);
  const capMs = Math.max(0, options.capMs ?? 300_000);
  const random = options.random ?? Math.random;
  const n = Number.isFinite(attempt) && attempt > 0 ? Math.floor(attempt) : 0;
  // 2 ** 1100 is Infinity; Math.min then yields the cap, so large attempts are safe.
  const ceiling = Math.min(capMs, baseMs * 2 ** n);
  let r = random();
  if (!(r >= 0)) r = 0; // NaN or negative from a bad random source
  if (r >= 1) r = 1 - Number.EPSILON;
  return Math.floor(r * ceiling);
}
