import type { Clock } from "../ports.ts";

interface Timer {
  readonly at: number;
  readonly order: number;
  readonly resolve: () => void;
}

/** Lets every pending promise callback run (the fakes are promise-only, no timers). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Virtual time for tests: `sleep` waits until `advance` moves the clock past its deadline.
 * Deterministic: timers fire in deadline order (then creation order), each followed by a flush.
 * Like a real device, it has two clocks: timers run on monotonic time (as `setTimeout` does),
 * while the wall clock (`now()`) can be stepped by `stepWall` (NTP, the user, a time zone fix)
 * without moving the timers.
 */
export class FakeClock implements Clock {
  #now: number;
  #wallOffset = 0;
  #order = 0;
  #timers: Timer[] = [];

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  /** Wall-clock time: monotonic time plus every step so far. */
  now(): number {
    return this.#now + this.#wallOffset;
  }

  /** Monotonic time: only `advance` moves it. */
  monotonic(): number {
    return this.#now;
  }

  /** Steps the wall clock by `ms` (negative: back); timers keep their monotonic deadlines. */
  stepWall(ms: number): void {
    this.#wallOffset += ms;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer: Timer = {
        at: this.#now + Math.max(0, ms),
        order: this.#order++,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#timers.push(timer);
    });
  }

  /** Deadline of the earliest pending sleep. */
  get nextAt(): number | undefined {
    return this.#earliest()?.at;
  }

  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, firing due timers in order. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await flush();
    for (;;) {
      const t = this.#earliest();
      if (t === undefined || t.at > target) break;
      this.#timers = this.#timers.filter((x) => x !== t);
      this.#now = Math.max(this.#now, t.at);
      t.resolve();
      await flush();
    }
    this.#now = target;
    await flush();
  }

  /** Fires timers one by one until `done()` holds; fails after `maxMs` of virtual time. */
  async runUntil(done: () => boolean, maxMs = 3_600_000): Promise<void> {
    const limit = this.#now + maxMs;
    await flush();
    while (!done()) {
      const t = this.#earliest();
      if (t === undefined)
        throw new Error("FakeClock.runUntil: nothing left to run and the condition is not met");
      if (t.at > limit) throw new Error(`FakeClock.runUntil: not done after ${maxMs} ms of virtual time`);
      await this.advance(Math.max(0, t.at - this.#now));
    }
  }

  #earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.#timers) {
      if (!best || t.at < best.at || (t.at === best.at && t.order < best.order)) best = t;
    }
    return best;
  }
}
