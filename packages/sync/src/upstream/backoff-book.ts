import { backoffDelay } from "@xrm-offline/transport";

export interface RetryPolicy {
  /** Ceiling of the first retry's delay, in ms. */
  readonly baseMs: number;
  /** No exponential delay exceeds this; a server's `Retry-After` is honoured up to it too. */
  readonly capMs: number;
  /**
   * After this many server errors (5xx) in a row for one write, keep it as a failure (errorType 3)
   * instead of retrying it again. Network errors, 401, 408 and 429 don't count: they say nothing
   * about the write. Unset: retry forever.
   */
  readonly maxAttempts?: number;
  /** Randomness for the jitter, in [0, 1). */
  readonly random?: () => number;
}

interface Hold {
  attempt: number;
  /** Server errors so far, not counting network errors in between (for maxAttempts). */
  serverErrors: number;
  notBefore: number;
  /** The wait was asked for by the server (`Retry-After`); a reset keeps it. */
  serverAsked: boolean;
}

/**
 * Who waits until when. Two levels:
 * - the whole remote (a request failed as a whole: no network, 5xx or 429 for a `$batch`): no
 *   request at all before `notBefore`;
 * - one write (its own part of a `$batch` failed transiently): only it, and what depends on it,
 *   waits, so one write that keeps failing doesn't slow the others down.
 * Delays are capped exponential with full jitter; `Retry-After` is a floor. In memory only: after a
 * restart everything is retried at once, which is what a restart is for.
 */
export class BackoffBook {
  readonly #policy: RetryPolicy;
  readonly #entries = new Map<number, Hold>();
  #remote: Hold = { attempt: 0, serverErrors: 0, notBefore: 0, serverAsked: false };

  constructor(policy: RetryPolicy) {
    this.#policy = policy;
  }

  /** A request failed as a whole; returns when the remote may be tried again. */
  remoteFailed(now: number, retryAfterMs: number | undefined): number {
    this.#remote = this.#next(this.#remote, now, retryAfterMs, false);
    return this.#remote.notBefore;
  }

  /** The remote answered (whatever it said about each write). */
  remoteAnswered(): void {
    this.#remote = { attempt: 0, serverErrors: 0, notBefore: 0, serverAsked: false };
  }

  remoteHeldUntil(now: number): number | undefined {
    return this.#remote.notBefore > now ? this.#remote.notBefore : undefined;
  }

  /**
   * One write failed transiently. Returns true when it has now failed `maxAttempts` times in a row
   * with a server error and should be kept as a failure instead.
   */
  writeFailed(
    seqs: readonly number[],
    now: number,
    retryAfterMs: number | undefined,
    serverError: boolean,
  ): boolean {
    const head = seqs[0];
    if (head === undefined) return false;
    const hold = this.#next(
      this.#entries.get(head) ?? { attempt: 0, serverErrors: 0, notBefore: 0, serverAsked: false },
      now,
      retryAfterMs,
      serverError,
    );
    for (const seq of seqs) this.#entries.set(seq, hold);
    const max = this.#policy.maxAttempts;
    return max !== undefined && hold.serverErrors >= max;
  }

  /** The write was settled for good (acknowledged or kept as a failure). */
  writeSettled(seqs: readonly number[]): void {
    for (const seq of seqs) this.#entries.delete(seq);
  }

  isHeld(seq: number, now: number): boolean {
    const hold = this.#entries.get(seq);
    return hold !== undefined && hold.notBefore > now;
  }

  /** The earliest moment something waiting may be tried, if anything waits. */
  nextWakeAt(now: number): number | undefined {
    let at = this.#remote.notBefore > now ? this.#remote.notBefore : undefined;
    for (const hold of this.#entries.values()) {
      if (hold.notBefore > now && (at === undefined || hold.notBefore < at)) at = hold.notBefore;
    }
    return at;
  }

  /**
   * Connectivity came back, or the user asked to sync: forget our own exponential delays (the
   * reason for them may be gone), but keep the waits the server asked for with `Retry-After`.
   */
  reset(): void {
    if (!this.#remote.serverAsked)
      this.#remote = { attempt: 0, serverErrors: 0, notBefore: 0, serverAsked: false };
    for (const [seq, hold] of this.#entries) {
      if (!hold.serverAsked) this.#entries.set(seq, { ...hold, attempt: 0, notBefore: 0 });
    }
  }

  #next(previous: Hold, now: number, retryAfterMs: number | undefined, serverError: boolean): Hold {
    const { baseMs, capMs, random } = this.#policy;
    const delay = backoffDelay(previous.attempt, { baseMs, capMs, ...(random ? { random } : {}) });
    const asked = retryAfterMs !== undefined && retryAfterMs > 0 ? Math.min(retryAfterMs, capMs) : 0;
    return {
      attempt: previous.attempt + 1,
      serverErrors: serverError ? previous.serverErrors + 1 : previous.serverErrors,
      notBefore: now + Math.max(delay, asked),
      serverAsked: asked > 0 && asked >= delay,
    };
  }
}
