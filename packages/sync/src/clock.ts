import type { Clock } from "./ports.ts";

/** Wall-clock time for timestamps, `performance.now()` and real timers for waits. */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      // Timers may fire up to a millisecond before `performance.now()` says the time is up (Node
      // and browsers round timer deadlines): a wait for a server's Retry-After must not end while
      // the hold it waits for still stands, or the cycle after it finds nothing it may send.
      const until = performance.now() + Math.max(0, ms);
      let timer: ReturnType<typeof setTimeout>;
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const arm = (delay: number) => {
        timer = setTimeout(() => {
          const left = until - performance.now();
          if (left > 0) {
            arm(Math.ceil(left));
            return;
          }
          signal?.removeEventListener("abort", onAbort);
          resolve();
        }, delay);
      };
      arm(Math.max(0, ms));
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};
